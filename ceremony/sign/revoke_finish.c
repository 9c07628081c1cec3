/* ceremony revoke, after the ledger lines: the CRL, the folder and the
 * transcript line of a revocation group, and finishing the groups a crash
 * cut short. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sign/revoke_int.h"
#include "ca/crl.h"
#include "core/transcript.h"
#include "core/util.h"

/* The regions of the CA named name (regions.txt) and --region. */
int
revoke_regions(struct revoke *S, const char *name, struct regions *out)
{
	struct caref ref;
	char err[300];
	size_t i;
	int r;

	if (caref_init(&ref, name, err, sizeof(err)) == -1 ||
	    (r = regions_load(&ref, out, err, sizeof(err))) == -1) {
		warnf("%s", err);
		return -1;
	}
	for (i = 0; i < S->given.n; i++)
		if (regions_add(out, S->given.v[i], err, sizeof(err)) == -1)
			return -1;
	if (out->n == 0) {
		warnf("%s/%s %s and no --region was given: say where the CA "
		      "is registered with --region R (repeatable)", ref.dir,
		    REGIONS_FILE, r == 1 ? "is missing" : "lists no region");
		return -1;
	}
	return 0;
}

int
revoke_load_key(struct revoke *S)
{
	int r;

	if (S->have_key)
		return 0;
	if ((r = cakey_load_ca(&S->ck, &S->ca, &S->ksrc, &S->src,
	    S->cert)) != 0)
		return CAKEY_EXIT(r);
	S->have_key = 1;
	return 0;
}

/* The files of group g from the ledger (a new CRL when its folder is
 * missing), <CA dir>/crl.pem, and the transcript line. 0 or an exit
 * status. */
int
revoke_finish(struct revoke *S, const struct ledger_group *g)
{
	struct ledger_revocation first;
	struct regions reg = {0};
	char dir[128], path[200], capath[CAREF_PATH_MAX + 16], err[300];
	char led_hex[65], sh[160], txt[160];
	const char *outs[6];
	char *pem = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	unsigned long entries = 0;
	long number = -1, have = 0;
	X509_CRL *crl = NULL, *cur = NULL;
	json_t *args, *extra;
	int rv = EXIT_USAGE, r;

	revoke_folder(g->id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, CRL_FILE);
	caref_path(&S->ca, CRL_FILE, capath, sizeof(capath));
	if (ledger_read_revocation(&S->led, g->off, &first) == -1)
		goto out;
	if (!file_exists(dir)) {
		if (revoke_regions(S, first.intermediate[0] ? first.intermediate :
		    g->ca, &reg) == -1)
			goto out;
		if ((r = revoke_load_key(S)) != 0) {
			rv = r;
			goto out;
		}
		if (revoke_crl_make(&S->led, &S->ca, S->cert, S->ck.pkey,
		    S->days, S->now, &pem, &len, &number, &entries, err,
		    sizeof(err)) == -1 || revoke_folder_write(&S->led, g, &reg,
		    pem, len, err, sizeof(err)) == -1) {
			warnf("revocation %s: %s", g->id, err);
			goto out;
		}
	} else {
		/* cut after the folder: its CRL is the newest */
		if ((crl = crl_load(path)) == NULL ||
		    file_read(path, &buf, &len, INPUT_MAX) == -1)
			goto out;
		pem = (char *)buf;
		buf = NULL;
		number = crl_number(crl);
		entries = X509_CRL_get_REVOKED(crl) == NULL ? 0 :
		    (unsigned long)sk_X509_REVOKED_num(
		    X509_CRL_get_REVOKED(crl));
	}
	if (file_exists(capath) && (cur = crl_load(capath)) != NULL)
		have = crl_number(cur);
	if (have < number && file_write(capath, pem, len, 0644, 1) == -1)
		goto out;
	if (sha256_file_hex(LEDGER_FILE, led_hex) == -1)
		goto out;
	args = json_pack("{s:s, s:s}", "reason", g->reason, "ca", g->ca);
	if (first.intermediate[0])
		json_object_set_new(args, "intermediate",
		    json_string(first.intermediate));
	extra = json_pack("{s:s, s:I, s:s, s:I, s:I, s:s}", "revocation",
	    g->id, "revoked", (json_int_t)g->count, "crl_ca", S->ca.name,
	    "crl_number", (json_int_t)number, "crl_entries",
	    (json_int_t)entries, "ledger_sha256", led_hex);
	/* the ledger grows on: its hash at this point is ledger_sha256 */
	snprintf(sh, sizeof(sh), "%s/revoke.sh", dir);
	outs[0] = sh;
	snprintf(txt, sizeof(txt), "%s/revoked.txt", dir);
	outs[1] = txt;
	outs[2] = path; /* the folder's crl.pem */
	outs[3] = capath;
	outs[4] = NULL;
	if (transcript_begin() == -1 ||
	    transcript_append("revoke", args, NULL, outs, extra) == -1)
		goto out;
	printf("revocation %s: %lu certificate%s revoked (%s); %s lists %lu, "
	       "CRL number %ld\n  run %s/revoke.sh on the online machine\n",
	    g->id, g->count, g->count == 1 ? "" : "s", g->reason, capath,
	    entries, number, dir);
	rv = 0;
out:
	regions_free(&reg);
	free(pem);
	free(buf);
	X509_CRL_free(crl);
	X509_CRL_free(cur);
	return rv;
}

/* Finishes every revocation of this CA a crash cut short; refuses when
 * one of another CA is pending. 0 or an exit status. */
int
revoke_resume(struct revoke *S)
{
	size_t i;
	int r;

	for (i = 0; i < S->led.ngroups; i++) {
		const struct ledger_group *g = &S->led.groups[i];

		if (revoke_group_done(g))
			continue;
		if (strcmp(g->ca, S->ca.name) != 0) {
			warnf("revocation %s of %s%s was cut short: finish it "
			      "first with 'ceremony revoke --resume%s%s'",
			    g->id, g->ca[0] ? "intermediate CA " : "the root CA",
			    g->ca, g->ca[0] ? " --ca " : "", g->ca);
			return EXIT_USAGE;
		}
		warnf("finishing revocation %s, cut short by an interrupted "
		      "run", g->id);
		if ((r = revoke_finish(S, g)) != 0)
			return r;
	}
	return 0;
}

