/* The [intermediate NAME] sections of `ceremony run`: their checks, their
 * command lines, and the step for each, run after root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ca/caref.h"
#include "ca/intermediate.h"
#include "ca/p11uri.h"
#include "ca/pki.h"
#include "run/run.h"
#include "core/transcript.h"
#include "core/util.h"

static void
section(const char *name, char *sec, size_t len)
{
	snprintf(sec, len, "intermediate %s", name);
}

int
run_ca_load(struct run *r)
{
	r->ncas = config_instances(&r->cfg, "intermediate *", r->cas,
	    CONFIG_INSTANCES);
	return 0;
}

int
run_any_key_uri(struct run *r)
{
	char sec[128];
	int i;

	for (i = 0; i < r->ncas; i++) {
		section(r->cas[i], sec, sizeof(sec));
		if (run_get(r, sec, "key_uri") != NULL)
			return 1;
	}
	return run_get(r, "root", "key_uri") != NULL;
}

/* Per section: one key source, a URI that parses, a CSR that exists (its
 * path made absolute: the steps run in the ceremony directory), and a
 * passphrase only where the run holds one. */
int
run_ca_check(struct run *r)
{
	const char *uri, *csr, *pp, *rp = run_get(r, "root", "passphrase");
	struct p11uri u;
	char sec[128], err[256];
	int i, bad = 0;

	for (i = 0; i < r->ncas; i++) {
		section(r->cas[i], sec, sizeof(sec));
		uri = run_get(r, sec, "key_uri");
		csr = run_get(r, sec, "csr");
		pp = run_get(r, sec, "passphrase");
		if (uri != NULL && csr != NULL) {
			warnf("[%s]: key_uri or csr, not both", sec);
			bad = 1;
		} else if (csr != NULL && run_get(r, sec, "key") != NULL) {
			warnf("[%s]: key does not apply with csr (the key is "
			      "the CSR's)", sec);
			bad = 1;
		} else if (uri != NULL && p11uri_parse(uri, &u, err,
		    sizeof(err)) == -1) {
			warnf("[%s] key_uri: %s", sec, err);
			bad = 1;
		} else if (pp != NULL && (uri != NULL || csr != NULL)) {
			warnf("[%s]: passphrase applies to a key file only",
			    sec);
			bad = 1;
		} else if (pp != NULL && strcmp(pp, "yes") == 0 && rp != NULL &&
		    strcmp(rp, "no") == 0) {
			warnf("[%s] passphrase = yes: the run holds the one "
			      "passphrase [root] has, and [root] says "
			      "passphrase = no", sec);
			bad = 1;
		} else if (csr != NULL &&
		    (r->ca_csr[i] = realpath(csr, NULL)) == NULL) {
			warnf("[%s] csr = %s: %s", sec, csr, strerror(errno));
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

void
run_ca_free(struct run *r)
{
	int i;

	for (i = 0; i < CONFIG_INSTANCES; i++) {
		free(r->ca_csr[i]);
		r->ca_csr[i] = NULL;
	}
}

/* The new key is protected by the run's passphrase, unless the section
 * says passphrase = no or the key is not a file. */
static int
new_key_pass(struct run *r, const char *sec)
{
	const char *pp = run_get(r, sec, "passphrase");

	return r->pass != NULL && run_get(r, sec, "key_uri") == NULL &&
	    run_get(r, sec, "csr") == NULL &&
	    (pp == NULL || strcmp(pp, "yes") == 0);
}

/* --rehearse: the same object on the throwaway REHEARSAL token. */
static int
rehearse_uri(const char *uri, char *out, size_t len)
{
	struct p11uri u, t;
	char err[256];

	if (p11uri_parse(uri, &u, err, sizeof(err)) == -1)
		return -1;
	memset(&t, 0, sizeof(t));
	snprintf(t.token, sizeof(t.token), "REHEARSAL");
	snprintf(t.object, sizeof(t.object), "%s", u.object);
	snprintf(t.module, sizeof(t.module), "%s", RUN_SOFTHSM_MODULE);
	return p11uri_format(&t, out, len);
}

/* The step's argv for CA i, without secrets. */
void
run_ca_args(struct run *r, int i, struct argv_buf *a)
{
	char sec[128], uri[4200];
	const char *u;

	section(r->cas[i], sec, sizeof(sec));
	argv_push(a, "intermediate");
	argv_push(a, r->cas[i]);
	argv_push(a, "--subject");
	argv_push(a, run_get(r, sec, "subject"));
	run_opt(a, r, sec, "days", "--days");
	run_opt(a, r, sec, "path_len", "--path-len");
	run_opt(a, r, sec, "key", "--key");
	if ((u = run_get(r, sec, "key_uri")) != NULL) {
		argv_push(a, "--key-uri");
		argv_push(a, r->rehearse && rehearse_uri(u, uri,
		    sizeof(uri)) == 0 ? uri : u);
	}
	if (run_get(r, sec, "csr") != NULL) {
		argv_push(a, "--csr");
		argv_push(a, r->ca_csr[i] ? r->ca_csr[i] :
		    run_get(r, sec, "csr"));
	}
	if (run_get(r, sec, "key_uri") == NULL &&
	    run_get(r, sec, "csr") == NULL && !new_key_pass(r, sec))
		argv_push(a, "--no-passphrase");
}

/* What the plan shows after the command line of CA i. */
const char *
run_ca_secrets(struct run *r, int i, char *buf, size_t len)
{
	char sec[128];

	section(r->cas[i], sec, sizeof(sec));
	snprintf(buf, len, "%s%s%s%s", new_key_pass(r, sec) ?
	    " --passphrase-fd N" : "", r->pass ? " --root-passphrase-fd N" :
	    "", run_get(r, sec, "key_uri") ? " --pin-fd N" : "",
	    run_get(r, "root", "key_uri") ? " --root-pin-fd N" : "");
	return buf;
}

/* Done: a transcript line for this NAME after the run began, its files
 * present. */
static int
ca_done(const char *name, long since)
{
	json_t *all = transcript_all(TRANSCRIPT_FILE, "intermediate"), *l, *v;
	const char *n, *path;
	size_t i;
	int done = 0;

	json_array_foreach(all, i, l) {
		n = json_string_value(json_object_get(json_object_get(l,
		    "args"), "name"));
		if (n == NULL || strcmp(n, name) != 0 ||
		    json_integer_value(json_object_get(l, "seq")) <= since)
			continue;
		done = 1;
		json_object_foreach(json_object_get(l, "outputs"), path, v)
			if (!file_exists(path))
				done = 0;
	}
	json_decref(all);
	return done;
}

static int
ca_exec(struct run *r, int i)
{
	struct argv_buf a = {{NULL}, 0};
	char sec[128];
	int fd[4] = {-1, -1, -1, -1}, rv = EXIT_USAGE, k;

	section(r->cas[i], sec, sizeof(sec));
	run_ca_args(r, i, &a);
	argv_push(&a, "--force"); /* what an interrupted attempt left */
	if ((new_key_pass(r, sec) &&
		run_feed(&a, "--passphrase-fd", r->pass, &fd[0]) == -1) ||
	    (r->pass != NULL &&
		run_feed(&a, "--root-passphrase-fd", r->pass, &fd[1]) == -1) ||
	    (r->pin != NULL && run_get(r, sec, "key_uri") != NULL &&
		run_feed(&a, "--pin-fd", r->pin, &fd[2]) == -1) ||
	    (r->pin != NULL && run_get(r, "root", "key_uri") != NULL &&
		run_feed(&a, "--root-pin-fd", r->pin, &fd[3]) == -1))
		goto out;
	optind = 0;
	fflush(stdout);
	if (transcript_begin() == -1)
		goto out;
	rv = cmd_intermediate(a.n, a.v);
	fflush(stdout);
out:
	for (k = 0; k < 4; k++)
		if (fd[k] != -1)
			close(fd[k]);
	argv_free(&a);
	return rv;
}

/* Each [intermediate NAME], in file order: skipped when done earlier,
 * else made; then its fingerprint for the witnesses. The exit status. */
int
run_cas(struct run *r, long since)
{
	char what[200], id[100];
	json_t *l;
	int i, rv;

	for (i = 0; i < r->ncas; i++) {
		if (ca_done(r->cas[i], since))
			printf("\n== intermediate %s: done earlier, skipped\n",
			    r->cas[i]);
		else {
			printf("\n== intermediate %s\n", r->cas[i]);
			if ((rv = ca_exec(r, i)) != 0) {
				warnf("step intermediate %s failed (exit %d); "
				      "fix the cause and run the same command "
				      "again to continue", r->cas[i], rv);
				return rv;
			}
		}
		if ((l = intermediate_recorded(r->cas[i])) != NULL) {
			unsigned char sha[32];
			const char *hex = json_string_value(json_object_get(l,
			    "sha256"));

			if (hex != NULL && hex_decode(hex, sha, 32) == 0) {
				printf("\n");
				snprintf(what, sizeof(what), "Intermediate CA "
				    "'%s' SHA-256 (witnesses: write it down)",
				    r->cas[i]);
				run_print_fingerprint(what, sha);
			}
			json_decref(l);
		}
		snprintf(id, sizeof(id), "intermediate:%s", r->cas[i]);
		snprintf(what, sizeof(what), "witnesses have recorded the "
		    "fingerprint of intermediate CA '%s'", r->cas[i]);
		if (run_checkpoint(r, id, what) == -1)
			return EXIT_CHECK;
	}
	return 0;
}
