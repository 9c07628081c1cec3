/* ceremony run: the whole ceremony from one reviewed config, with witness
 * checkpoints; resumable after an interruption. */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "airgap.h"
#include "cmd.h"
#include "pki.h"
#include "run.h"
#include "secret.h"
#include "slip39.h"
#include "transcript.h"
#include "util.h"

#define MAXARGS 96

static const char usage_text[] =
    "usage: ceremony run [--check] [--yes] [--rehearse] [--require-airgap]\n"
    "                    [--passphrase-file F | --passphrase-fd N]\n"
    "                    [--share-passphrase-file F |\n"
    "                     --share-passphrase-fd N] CONFIG\n\n"
    "Runs root, verification, template, backup and bundle as CONFIG says\n"
    "(write an example with 'ceremony init'). Prints the config's SHA-256\n"
    "first; the transcript records it. At each checkpoint it waits for the\n"
    "operator to type 'yes' on standard input.\n\n"
    "  --check            validate CONFIG and print the plan; do nothing\n"
    "  --yes              do not stop at checkpoints\n"
    "  --rehearse         practise in a temp dir with throwaway keys and a\n"
    "                     fake registration code; outputs say REHEARSAL\n"
    "  --require-airgap   refuse to run with a network interface up, a\n"
    "                     default route, or an uninitialised RNG\n"
    PASS_HELP
    "                     (the key passphrase; asked at the terminal\n"
    "                     otherwise)\n"
    "  --share-passphrase-file F, --share-passphrase-fd N\n"
    "                     the SLIP-39 passphrase when [backup] says\n"
    "                     slip39_passphrase = yes (asked twice otherwise)\n\n"
    "After an interruption, run the same command again: finished steps are\n"
    "checked against the transcript and skipped. A changed CONFIG is\n"
    "refused.\n";

struct argv_buf {
	char *v[MAXARGS + 1];
	int n;
};

struct run {
	struct config cfg;
	int yes, rehearse;
	char *pass;     /* key passphrase, sodium memory; NULL: none */
	char *share_pass; /* SLIP-39 passphrase; NULL: none */
	char code[256]; /* registration code, checked by the step */
	char dir[4096]; /* ceremony directory */
	char subject[512];
	long since; /* seq of the transcript line that started the run */
};

static void
push(struct argv_buf *a, const char *s)
{
	if (a->n < MAXARGS)
		a->v[a->n++] = strdup(s);
	a->v[a->n] = NULL;
}

static void
argv_free(struct argv_buf *a)
{
	while (a->n > 0)
		free(a->v[--a->n]);
}

static const char *
get(struct run *r, const char *sec, const char *key)
{
	return config_get(&r->cfg, sec, key);
}

/* --flag VALUE when the key is set. */
static void
opt(struct argv_buf *a, struct run *r, const char *sec, const char *key,
    const char *flag)
{
	const char *v = get(r, sec, key);

	if (v != NULL) {
		push(a, flag);
		push(a, v);
	}
}

/* --flag ITEM for each comma-separated item. */
static void
opt_list(struct argv_buf *a, struct run *r, const char *sec, const char *key,
    const char *flag)
{
	const char *v = get(r, sec, key);
	char *copy, *tok, *save;

	if (v == NULL || (copy = strdup(v)) == NULL)
		return;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		push(a, flag);
		push(a, str_trim(tok));
	}
	free(copy);
}

/* The step's argv, without passphrase options. */
static int
step_args(struct run *r, const char *step, struct argv_buf *a)
{
	push(a, step);
	if (strcmp(step, "root") == 0) {
		opt(a, r, "root", "key", "--key");
		push(a, "--subject");
		push(a, r->subject);
		opt(a, r, "root", "days", "--days");
		if (r->pass == NULL)
			push(a, "--no-passphrase");
	} else if (strcmp(step, "verification") == 0) {
		push(a, "--registration-code");
		push(a, r->code[0] ? r->code :
		    get(r, "verification", "registration_code") ?
		    get(r, "verification", "registration_code") : "ask");
		opt(a, r, "verification", "days", "--days");
		opt(a, r, "verification", "key", "--key");
	} else if (strcmp(step, "template") == 0) {
		opt(a, r, "template", "region", "--region");
		opt(a, r, "template", "account", "--account");
		opt(a, r, "template", "role", "--role");
		opt(a, r, "template", "role_arn", "--role-arn");
		opt(a, r, "template", "policy", "--policy");
		opt(a, r, "template", "mode", "--mode");
		opt(a, r, "template", "template_name", "--template-name");
	} else if (strcmp(step, "backup") == 0) {
		opt(a, r, "backup", "threshold", "--threshold");
		opt(a, r, "backup", "shares", "--shares");
		opt_list(a, r, "backup", "groups", "--group");
		opt(a, r, "backup", "group_threshold", "--group-threshold");
		opt_list(a, r, "backup", "custodians", "--custodian");
		opt(a, r, "backup", "iteration_exponent",
		    "--iteration-exponent");
	} else if (strcmp(step, "bundle") == 0) {
		opt_list(a, r, "bundle", "formats", "--format");
		if (get(r, "bundle", "name") != NULL || r->rehearse) {
			char name[256];
			snprintf(name, sizeof(name), "%s%s", r->rehearse ?
			    "REHEARSAL-" : "", get(r, "bundle", "name") ?
			    get(r, "bundle", "name") : "bundle");
			push(a, "--name");
			push(a, name);
		}
		opt(a, r, "bundle", "parity", "--parity");
		opt(a, r, "bundle", "qr_version", "--qr-version");
		opt(a, r, "bundle", "qr_level", "--qr-level");
		opt(a, r, "bundle", "scale", "--scale");
	}
	return 0;
}

static const struct step {
	const char *name;
	int (*fn)(int, char **);
	int secret; /* reads the key passphrase */
} steps[] = {
	{"root", cmd_root, 1},
	{"verification", cmd_verification, 1},
	{"template", cmd_template, 0},
	{"backup", cmd_backup, 1},
	{"bundle", cmd_bundle, 1},
	{NULL, NULL, 0},
};

static int
step_wanted(struct run *r, const char *name)
{
	const char *mode = get(r, "template", "mode");

	if (strcmp(name, "verification") == 0)
		return mode == NULL || strcmp(mode, "sni-only") != 0;
	if (strcmp(name, "backup") == 0 || strcmp(name, "bundle") == 0)
		return NCONF_get_section(r->cfg.conf, name) != NULL;
	return 1;
}

void
run_print_fingerprint(const char *label, const unsigned char sha[32])
{
	char words[400], *w, *save;
	int i, n = 0;

	printf("%s\n  ", label);
	for (i = 0; i < 32; i++)
		printf("%02X%s", sha[i], i == 15 ? "\n  " :
		    (i % 4 == 3 && i != 31) ? " " : "");
	printf("\n  words:");
	fingerprint_words(sha, words, sizeof(words));
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
		printf("%s %s", n++ % 9 == 0 && n > 1 ? "\n        " : "", w);
	printf("\n");
}

/* Waits for "yes"; the passage is recorded so a resumed run asks again
 * only for checkpoints nobody passed. */
static int step_done(const char *name, long since);

static int
checkpoint(struct run *r, const char *id, const char *what)
{
	char line[64], cmd[128];

	snprintf(cmd, sizeof(cmd), "checkpoint:%s", id);
	if (step_done(cmd, r->since)) {
		printf("\n-- checkpoint passed earlier: %s\n", what);
		return 0;
	}
	printf("\n-- checkpoint: %s\n", what);
	if (r->yes)
		printf("   (--yes: not waiting)\n");
	else {
		printf("   Type yes to continue: ");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL ||
		    strcmp(line, "yes\n") != 0) {
			warnf("stopped at the checkpoint (%s); nothing further "
			      "was written. Run the same command again to "
			      "continue.", what);
			return -1;
		}
	}
	return transcript_append(cmd, json_pack("{s:s,s:s}", "confirmed",
	    what, "by", r->yes ? "--yes" : "operator"), NULL, NULL, NULL);
}

/* Done: the transcript has the step's line after the run began and the
 * files it wrote are present. */
static int
step_done(const char *name, long since)
{
	json_t *l = transcript_last(TRANSCRIPT_FILE, name), *v;
	const char *path;
	int done;

	done = l != NULL &&
	    json_integer_value(json_object_get(l, "seq")) > since;
	json_object_foreach(json_object_get(l, "outputs"), path, v)
		if (!file_exists(path))
			done = 0;
	json_decref(l);
	return done;
}

/* Adds FLAG N where N reads pass, one line per expected read. */
static int
feed(struct argv_buf *a, const char *flag, const char *pass, int *fd)
{
	char num[16];
	int p[2], i;

	if (pipe(p) == -1)
		return -1;
	for (i = 0; i < 8; i++)
		if (write(p[1], pass, strlen(pass)) < 0 ||
		    write(p[1], "\n", 1) < 0)
			break;
	close(p[1]);
	snprintf(num, sizeof(num), "%d", p[0]);
	push(a, flag);
	push(a, num);
	*fd = p[0];
	return 0;
}

/* Runs one command with the passphrases fed through pipes. */
static int
step_exec(struct run *r, const struct step *s, int force)
{
	struct argv_buf a = {{NULL}, 0};
	int fd1 = -1, fd2 = -1, rv = EXIT_USAGE;

	step_args(r, s->name, &a);
	if (force)
		push(&a, "--force");
	if (s->secret && r->pass != NULL &&
	    feed(&a, "--passphrase-fd", r->pass, &fd1) == -1)
		goto out;
	if (strcmp(s->name, "backup") == 0 && r->share_pass != NULL &&
	    feed(&a, "--share-passphrase-fd", r->share_pass, &fd2) == -1)
		goto out;
	optind = 0; /* restart getopt for the step */
	fflush(stdout);
	rv = s->fn(a.n, a.v);
	fflush(stdout);
out:
	if (fd1 != -1)
		close(fd1);
	if (fd2 != -1)
		close(fd2);
	argv_free(&a);
	return rv;
}

/* One checkpoint per share: handed to its custodian. */
static int
checkpoint_shares(struct run *r)
{
	char what[512], id[64], cust[256], *p, *save;
	const char *list = get(r, "backup", "custodians");
	glob_t g;
	size_t i;
	int rv = 0;

	if (glob("backup/share-*-*.txt", 0, NULL, &g) != 0)
		return 0;
	snprintf(cust, sizeof(cust), "%s", list ? list : "");
	p = strtok_r(cust, ",", &save);
	for (i = 0; i < g.gl_pathc && rv == 0; i++) {
		snprintf(what, sizeof(what), "%s handed to %s%s", g.gl_pathv[i],
		    p ? "custodian " : "its custodian", p ? str_trim(p) : "");
		snprintf(id, sizeof(id), "backup:%.*s", (int)(strlen(
		    g.gl_pathv[i]) - 11), g.gl_pathv[i] + 7);
		rv = checkpoint(r, id, what);
		p = p ? strtok_r(NULL, ",", &save) : NULL;
	}
	globfree(&g);
	return rv;
}

static int
checkpoint_after(struct run *r, const char *name)
{
	unsigned char sha[32];
	X509 *ca;

	if (strcmp(name, "root") == 0) {
		if ((ca = pki_cert_load(CA_CERT)) == NULL)
			return -1;
		pki_cert_sha256(ca, sha);
		X509_free(ca);
		printf("\n");
		run_print_fingerprint("CA certificate SHA-256 (witnesses: "
		    "write it down)", sha);
		return checkpoint(r, name, "witnesses have recorded the CA "
		    "fingerprint and the signing key in ceremony.pub");
	}
	if (strcmp(name, "backup") == 0)
		return checkpoint_shares(r);
	return 0;
}

/* Before the bundle: the transcript head it will carry. */
static int
checkpoint_before(struct run *r, const char *name)
{
	unsigned char sha[32];
	char head[65];

	if (strcmp(name, "bundle") != 0)
		return 0;
	if (transcript_head(TRANSCRIPT_FILE, head) == -1)
		return -1;
	hex_decode(head, sha, 32);
	printf("\n");
	run_print_fingerprint("Transcript head before the bundle", sha);
	return checkpoint(r, "bundle", "witnesses have recorded the "
	    "transcript head");
}

static int
ask_code(struct run *r)
{
	char line[256], *c;

	if (r->rehearse) {
		unsigned char b[32];
		randombytes_buf(b, sizeof(b));
		hex_encode(b, sizeof(b), r->code);
		return 0;
	}
	c = (char *)get(r, "verification", "registration_code");
	if (c != NULL && strcmp(c, "ask") != 0) {
		snprintf(r->code, sizeof(r->code), "%s", c);
		return 0;
	}
	printf("Registration code (64 hex characters from 'aws iot "
	       "get-registration-code'): ");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		warnf("no registration code given");
		return -1;
	}
	snprintf(r->code, sizeof(r->code), "%s", str_trim(line));
	return 0;
}

static void
print_plan(struct run *r)
{
	const struct step *s;
	int i;

	printf("Plan (directory %s):\n", r->rehearse ? "<temp REHEARSAL dir>" :
	    get(r, "ceremony", "directory"));
	for (s = steps; s->name != NULL; s++) {
		struct argv_buf a = {{NULL}, 0};
		if (!step_wanted(r, s->name))
			continue;
		step_args(r, s->name, &a);
		printf("  ceremony");
		for (i = 0; i < a.n; i++)
			printf(strchr(a.v[i], ' ') ? " '%s'" : " %s", a.v[i]);
		printf("%s\n", s->secret && r->pass ? " --passphrase-fd N" : "");
		argv_free(&a);
	}
}

/* Enters the ceremony directory; on resume checks transcript and config. */
static int
enter_dir(struct run *r, long *since)
{
	json_t *l;
	const char *was;

	*since = 0;
	if (r->rehearse) {
		const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(r->dir, sizeof(r->dir), "%s/ceremony-REHEARSAL-XXXXXX",
		    tmp);
		if (mkdtemp(r->dir) == NULL) {
			warnf("%s: cannot create the rehearsal directory", tmp);
			return -1;
		}
	} else {
		snprintf(r->dir, sizeof(r->dir), "%s",
		    get(r, "ceremony", "directory"));
		if (dir_make(r->dir, 0700) == -1)
			return -1;
	}
	if (chdir(r->dir) == -1) {
		warnf("%s: cannot enter the ceremony directory", r->dir);
		return -1;
	}
	if (!file_exists(TRANSCRIPT_FILE))
		return 0;
	if (transcript_verify(TRANSCRIPT_FILE, 1, NULL) != 0) {
		warnf("%s/%s: the transcript and the outputs disagree; not "
		      "resuming", r->dir, TRANSCRIPT_FILE);
		return -1;
	}
	if ((l = transcript_last(TRANSCRIPT_FILE, "run")) == NULL) {
		warnf("%s holds a ceremony that 'ceremony run' did not start; "
		      "use an empty directory", r->dir);
		return -1;
	}
	was = json_string_value(json_object_get(json_object_get(l, "args"),
	    "config_sha256"));
	if (was == NULL || strcmp(was, r->cfg.sha256) != 0) {
		warnf("%s: the config changed since this ceremony started "
		      "(SHA-256 %s then, %s now); refusing to continue",
		    r->cfg.path, was ? was : "?", r->cfg.sha256);
		json_decref(l);
		return -2;
	}
	*since = (long)json_integer_value(json_object_get(l, "seq"));
	json_decref(l);
	printf("Resuming the ceremony in %s\n", r->dir);
	return 1;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"check", 0, NULL, 'c'}, {"yes", 0, NULL, 'y'},
		{"rehearse", 0, NULL, 'r'}, {"require-airgap", 0, NULL, 'a'},
		{"share-passphrase-file", 1, NULL, 'S'},
		{"share-passphrase-fd", 1, NULL, 'D'},
		PASS_LONGOPTS, {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct pass_src src = PASS_SRC_INIT;
	struct run r;
	const struct step *s;
	const char *subj, *pp, *sp;
	struct pass_src share_src = PASS_SRC_INIT;
	json_t *air = NULL;
	char *passfile = NULL, *sharefile = NULL;
	long since;
	int c, check = 0, airgap = 0, problems, resumed, rv = EXIT_USAGE;

	memset(&r, 0, sizeof(r));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': check = 1; break;
		case 'y': r.yes = 1; break;
		case 'r': r.rehearse = 1; break;
		case 'a': airgap = 1; break;
		case 'S':
		case 'D':
			if (pass_option(&share_src, c == 'S' ? PASS_OPT_FILE :
			    PASS_OPT_FD, optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (pass_option(&src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		warnf("run: give exactly one CONFIG file (write one with "
		      "'ceremony init')");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (config_load(argv[optind], run_schema, &r.cfg) == -1)
		return EXIT_USAGE;
	/* the run works inside the ceremony directory */
	if (src.file != NULL &&
	    (passfile = realpath(src.file, NULL)) == NULL) {
		warnf("%s: cannot open passphrase file: %s", src.file,
		    strerror(errno));
		goto out;
	}
	if (passfile != NULL)
		src.file = passfile;
	if (share_src.file != NULL &&
	    (sharefile = realpath(share_src.file, NULL)) == NULL) {
		warnf("%s: cannot open passphrase file: %s", share_src.file,
		    strerror(errno));
		goto out;
	}
	if (sharefile != NULL)
		share_src.file = sharefile;
	printf("Config %s\n  SHA-256 %s\n", argv[optind], r.cfg.sha256);
	subj = get(&r, "root", "subject");
	snprintf(r.subject, sizeof(r.subject), "%s%s", subj,
	    r.rehearse ? "/OU=REHEARSAL" : "");
	pp = get(&r, "root", "passphrase");
	if (check) {
		r.pass = (pp == NULL || strcmp(pp, "yes") == 0) ? (char *)"" :
		    NULL;
		print_plan(&r);
		r.pass = NULL;
		rv = 0;
		goto out;
	}
	problems = airgap_check(&air, 1);
	if (airgap && problems > 0) {
		warnf("--require-airgap: %d air-gap problem(s) above; "
		      "disconnect the machine and run again", problems);
		rv = EXIT_CHECK;
		goto out;
	}
	if ((resumed = enter_dir(&r, &since)) < 0) {
		rv = resumed == -2 ? EXIT_CHECK : EXIT_USAGE;
		goto out;
	}
	if (r.rehearse)
		printf("REHEARSAL in %s (throwaway keys, fake registration "
		       "code)\n", r.dir);
	if (!r.rehearse && (pp == NULL || strcmp(pp, "yes") == 0) &&
	    (r.pass = pass_get(&src, "CA key", !step_done("root", since))) ==
		NULL)
		goto out;
	sp = get(&r, "backup", "slip39_passphrase");
	if (!r.rehearse && step_wanted(&r, "backup") && sp != NULL &&
	    strcmp(sp, "yes") == 0 && !step_done("backup", since) &&
	    (r.share_pass = pass_get(&share_src, "SLIP-39 share", 1)) == NULL)
		goto out;
	if (!resumed) {
		json_t *args = json_pack("{s:s,s:s,s:b,s:O}", "config",
		    argv[optind], "config_sha256", r.cfg.sha256, "rehearsal",
		    r.rehearse, "airgap", air);
		if (transcript_append("run", args, NULL, NULL, r.rehearse ?
			json_pack("{s:s}", "mark", "REHEARSAL") : NULL) == -1)
			goto out;
		json_t *l = transcript_last(TRANSCRIPT_FILE, "run");
		since = (long)json_integer_value(json_object_get(l, "seq"));
		json_decref(l);
	}
	r.since = since;
	for (s = steps; s->name != NULL; s++) {
		if (!step_wanted(&r, s->name))
			continue;
		if (step_done(s->name, since)) {
			printf("\n== %s: done earlier, skipped\n", s->name);
			if (checkpoint_after(&r, s->name) == -1) {
				rv = EXIT_CHECK;
				goto out;
			}
			continue;
		}
		if (checkpoint_before(&r, s->name) == -1) {
			rv = EXIT_CHECK;
			goto out;
		}
		printf("\n== %s\n", s->name);
		if (strcmp(s->name, "verification") == 0 && ask_code(&r) == -1)
			goto out;
		if ((rv = step_exec(&r, s, 1)) != 0) {
			warnf("step %s failed (exit %d); fix the cause and run "
			      "the same command again to continue", s->name, rv);
			goto out;
		}
		rv = EXIT_USAGE;
		if (checkpoint_after(&r, s->name) == -1) {
			rv = EXIT_CHECK;
			goto out;
		}
	}
	printf("\nCeremony complete in %s\n", r.dir);
	if (r.rehearse)
		printf("REHEARSAL outputs: throwaway; delete %s when done\n",
		    r.dir);
	rv = 0;
out:
	json_decref(air);
	free(passfile);
	free(sharefile);
	pass_free(r.pass);
	pass_free(r.share_pass);
	config_free(&r.cfg);
	return rv;
}
