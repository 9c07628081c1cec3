/* Checkpoints of `ceremony run`: shown, answered, and recorded. */
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "ca/pki.h"
#include "run/run.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/util.h"

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
int
run_checkpoint(struct run *r, const char *id, const char *what)
{
	char line[64], cmd[128];

	snprintf(cmd, sizeof(cmd), "checkpoint:%s", id);
	if (run_step_done(cmd, r->since)) {
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
int
run_step_done(const char *name, long since)
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
/* One checkpoint per share: handed to its custodian. */
int
run_checkpoint_shares(struct run *r)
{
	char what[512], id[64], cust[256], *p, *save;
	const char *list = run_get(r, "backup", "custodians");
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
		rv = run_checkpoint(r, id, what);
		p = p ? strtok_r(NULL, ",", &save) : NULL;
	}
	globfree(&g);
	return rv;
}

int
run_checkpoint_after(struct run *r, const char *name)
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
		return run_checkpoint(r, name, "witnesses have recorded the CA "
		    "fingerprint and the signing key in ceremony.pub");
	}
	if (strcmp(name, "backup") == 0)
		return run_checkpoint_shares(r);
	return 0;
}

/* Before the bundle: the transcript head it will carry. */
int
run_checkpoint_before(struct run *r, const char *name)
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
	return run_checkpoint(r, "bundle", "witnesses have recorded the "
	    "transcript head");
}

