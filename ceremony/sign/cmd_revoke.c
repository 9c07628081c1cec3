/* ceremony revoke: take certificates back. The ledger lines come first
 * (one group, fsynced), then the CA's new CRL and revocations/<id>/ with
 * the AWS script, then the transcript line. A run cut short is finished
 * by the next revoke or by --resume, from the ledger. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509v3.h>

#include "sign/revoke.h"
#include "cmd.h"
#include "ca/cakey.h"
#include "ca/crl.h"
#include "ca/pki.h"
#include "core/transcript.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony revoke SELECTOR... --reason R [--ca NAME] [options]\n"
    "       ceremony revoke --intermediate NAME --reason R [options]\n"
    "       ceremony revoke --resume [--ca NAME] [options]\n\n"
    "Revokes certificates in the ledger: records them in ledger.jsonl\n"
    "(fsynced), signs the CA's new CRL (<CA dir>/crl.pem) and writes\n"
    "revocations/<UTC date>-<n>/ with revoke.sh (the aws CLI commands for\n"
    "every region of <CA dir>/regions.txt), revoked.txt and crl.pem.\n"
    "Every selector is checked before anything is written: a certificate\n"
    "not in the ledger, already revoked, or issued by another CA is\n"
    "refused by name and nothing is revoked.\n\n"
    "Selectors (each may be repeated, and mixed):\n"
    "  --cn CN               every certificate issued to CN\n"
    "  --serial HEX          the certificate with this serial\n"
    "  --certificate-id ID   AWS's id: the SHA-256 of the DER\n"
    "  --batch BATCH-ID      every certificate of a 'ceremony sign' batch\n"
    "  CERT-FILE             the certificate in this file (PEM or DER)\n\n"
    "  --intermediate NAME   revoke intermediate CA NAME itself: the root's\n"
    "                        CRL lists it and revoke.sh deactivates it\n"
    "  --reason R            one of unspecified, keyCompromise,\n"
    "                        cACompromise, affiliationChanged, superseded,\n"
    "                        cessationOfOperation\n"
    "  --ca NAME             the issuing CA (default: the root)\n"
    "  --region R            a region for revoke.sh (repeatable; needed when\n"
    "                        <CA dir>/regions.txt is absent)\n"
    "  --next-update DAYS    the CRL's nextUpdate (default 30)\n"
    "  --resume              only finish revocations a crash cut short\n"
    PASS_HELP "                     (for the CA key, when it is encrypted)\n"
    PIN_HELP "\n"
    "Exit status: 0 revoked, 1 a certificate refused, 2 usage or I/O "
    "error.\n";

enum { SEL_CN = 'n', SEL_SERIAL = 's', SEL_ID = 'i', SEL_BATCH = 'b',
	SEL_FILE = 'f' };

struct sel {
	int kind;
	char val[130];
	unsigned long hits;
};

struct revoke {
	struct pass_src src;
	struct key_src ksrc;
	const char *ca_name, *inter, *reason;
	struct sel *sel;
	size_t nsel;
	struct regions given;
	long days;
	int resume, refused;
	struct caref ca; /* the CA whose CRL changes */
	X509 *cert;
	struct cakey ck;
	int have_key;
	struct ledger led;
	struct ledger_revocation *rv;
	size_t nrv;
	struct index picked;
	time_t now;
};

static int
sel_add(struct revoke *S, int kind, const char *val)
{
	struct sel *nv;
	X509 *x;
	unsigned char h[32];
	char *d;
	const char *s;

	if ((nv = realloc(S->sel, (S->nsel + 1) * sizeof(*nv))) == NULL)
		return -1;
	S->sel = nv;
	nv = &S->sel[S->nsel];
	memset(nv, 0, sizeof(*nv));
	nv->kind = kind;
	if (strlen(val) >= sizeof(nv->val)) {
		warnf("%s: too long", val);
		return -1;
	}
	if (kind == SEL_FILE) {
		/* a certificate file is selected by its id */
		if ((x = pki_cert_load(val)) == NULL)
			return -1;
		pki_cert_sha256(x, h);
		X509_free(x);
		hex_encode(h, 32, nv->val);
	} else if (kind == SEL_SERIAL || kind == SEL_ID) {
		/* as openssl prints it too: upper case, colons, 0x */
		s = strncasecmp(val, "0x", 2) == 0 ? val + 2 : val;
		for (d = nv->val; *s; s++)
			if (*s != ':')
				*d++ = (char)(*s >= 'A' && *s <= 'F' ? *s + 32 :
				    *s);
		*d = 0;
		if (nv->val[0] == 0 || !str_only(nv->val,
		    "0123456789abcdef") || (kind == SEL_ID &&
		    strlen(nv->val) != 64)) {
			warnf("--%s: '%s' is not %s", kind == SEL_ID ?
			    "certificate-id" : "serial", val, kind == SEL_ID ?
			    "64 hex characters" : "hex");
			return -1;
		}
	} else
		strcpy(nv->val, val);
	S->nsel++;
	return 0;
}

static const char *
sel_name(int kind)
{
	return kind == SEL_CN ? "--cn" : kind == SEL_SERIAL ? "--serial" :
	    kind == SEL_ID ? "--certificate-id" : kind == SEL_BATCH ?
	    "--batch" : "certificate file with id";
}

/* 0 to go on, 1 after --help, -1 on a usage error (reported). */
static int
revoke_options(struct revoke *S, int argc, char **argv)
{
	static const struct option opts[] = {
		{"cn", 1, NULL, SEL_CN}, {"serial", 1, NULL, SEL_SERIAL},
		{"certificate-id", 1, NULL, SEL_ID},
		{"batch", 1, NULL, SEL_BATCH},
		{"intermediate", 1, NULL, 'I'}, {"reason", 1, NULL, 'r'},
		{"ca", 1, NULL, 'c'}, {"region", 1, NULL, 'g'},
		{"next-update", 1, NULL, 'd'}, {"resume", 0, NULL, 'R'},
		PASS_LONGOPTS, PIN_LONGOPTS, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char err[160];
	int c, r;

	while ((c = getopt_long(argc, argv, "-h", opts, NULL)) != -1) {
		switch (c) {
		case 1:
			c = SEL_FILE;
			/* FALLTHROUGH */
		case SEL_CN: case SEL_SERIAL: case SEL_ID: case SEL_BATCH:
			if (sel_add(S, c, optarg) == -1)
				return -1;
			break;
		case 'I':
			S->inter = optarg;
			break;
		case 'r':
			S->reason = optarg;
			break;
		case 'c':
			S->ca_name = optarg;
			break;
		case 'g':
			if (regions_add(&S->given, optarg, err,
			    sizeof(err)) == -1) {
				warnf("--region: %s", err);
				return -1;
			}
			break;
		case 'd':
			if (parse_days(optarg, &S->days) == -1)
				return -1;
			break;
		case 'R':
			S->resume = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			if (pass_option(&S->src, c, optarg) == 0 ||
			    (r = key_src_option(&S->ksrc, c, optarg)) == 0)
				break;
			if (r != RC_USAGE)
				fputs(usage_text, stderr);
			return -1;
		}
	}
	if (S->inter != NULL && (S->nsel > 0 || S->ca_name != NULL)) {
		warnf("revoke: --intermediate revokes that CA's own certificate "
		      "(in the root's CRL): no selectors or --ca beside it");
		return -1;
	}
	if (S->resume && (S->nsel > 0 || S->inter != NULL)) {
		warnf("revoke: --resume takes no selectors");
		return -1;
	}
	if (!S->resume && S->nsel == 0 && S->inter == NULL) {
		warnf("revoke: nothing to revoke: give --cn, --serial, "
		      "--certificate-id, --batch, a certificate file or "
		      "--intermediate");
		fputs(usage_text, stderr);
		return -1;
	}
	if (!S->resume && S->reason == NULL) {
		warnf("revoke: --reason is required: one of %s",
		    ledger_reasons);
		return -1;
	}
	if (S->reason != NULL && ledger_reason_code(S->reason) == -1) {
		warnf("--reason: '%s' is not one of %s", S->reason,
		    ledger_reasons);
		return -1;
	}
	return 0;
}

/* The regions of the CA named name (regions.txt) and --region. */
static int
regions_for(struct revoke *S, const char *name, struct regions *out)
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

static int
load_key(struct revoke *S)
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

static int
recorded(json_t *line, void *arg)
{
	json_t *id = json_object_get(line, "revocation");

	return json_is_string(id) && strcmp(json_string_value(id),
	    (const char *)arg) == 0;
}

/* 1 when the group has its folder and its transcript line. */
static int
group_complete(const struct ledger_group *g)
{
	char dir[128];
	json_t *j;

	revoke_folder(g->id, dir, sizeof(dir));
	if (!file_exists(dir))
		return 0;
	j = transcript_last_match(TRANSCRIPT_FILE, "revoke", recorded,
	    (void *)g->id);
	json_decref(j);
	return j != NULL;
}

/* The files of group g from the ledger (a new CRL when its folder is
 * missing), <CA dir>/crl.pem, and the transcript line. 0 or an exit
 * status. */
static int
finish(struct revoke *S, const struct ledger_group *g)
{
	struct ledger_revocation first;
	struct regions reg = {0};
	char dir[128], path[200], capath[CAREF_PATH_MAX + 16], err[300];
	char led_hex[65];
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
		if (regions_for(S, first.intermediate[0] ? first.intermediate :
		    g->ca, &reg) == -1)
			goto out;
		if ((r = load_key(S)) != 0) {
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
	outs[0] = LEDGER_FILE;
	snprintf(err, sizeof(err), "%s/revoke.sh", dir);
	outs[1] = err;
	snprintf(path, sizeof(path), "%s/revoked.txt", dir);
	outs[2] = path;
	outs[3] = capath;
	outs[4] = NULL;
	if (transcript_begin() == -1 ||
	    transcript_append("revoke", args, NULL, outs, extra) == -1)
		goto out;
	printf("revocation %s: %lu certificate%s revoked (%s); %s lists %lu, "
	       "CRL number %ld\n  run %s/revoke.sh on the online machine "
	       "(carry it with 'ceremony bundle --revocations %s')\n", g->id,
	    g->count, g->count == 1 ? "" : "s", g->reason, capath, entries,
	    number, dir, dir);
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
static int
resume(struct revoke *S)
{
	size_t i;
	int r;

	for (i = 0; i < S->led.ngroups; i++) {
		const struct ledger_group *g = &S->led.groups[i];

		if (group_complete(g))
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
		if ((r = finish(S, g)) != 0)
			return r;
	}
	return 0;
}

static int
pick(struct revoke *S, const struct ledger_entry *e)
{
	struct ledger_revocation *nv, *r;
	unsigned char k[16];
	int got;

	index_key(e->serial, k);
	if ((got = index_put(&S->picked, k, 0, NULL, 0)) != 1)
		return got;
	if ((nv = realloc(S->rv, (S->nrv + 1) * sizeof(*nv))) == NULL)
		return -1;
	S->rv = nv;
	r = &S->rv[S->nrv++];
	memset(r, 0, sizeof(*r));
	snprintf(r->serial, sizeof(r->serial), "%s", e->serial);
	ledger_certificate_id(e, r->certificate_id);
	snprintf(r->cn, sizeof(r->cn), "%s", e->cn);
	snprintf(r->ca, sizeof(r->ca), "%s", e->ca);
	return 0;
}

static int
select_one(const struct ledger_entry *e, const struct ledger_revocation *r,
    uint64_t off, void *arg)
{
	struct revoke *S = arg;
	char id[65], q[300], lab[96], lab2[96];
	struct caref other;
	size_t i;
	int hit = 0;

	ledger_certificate_id(e, id);
	for (i = 0; i < S->nsel; i++) {
		struct sel *s = &S->sel[i];
		const char *v = s->kind == SEL_CN ? e->cn : s->kind ==
		    SEL_SERIAL ? e->serial : s->kind == SEL_BATCH ? e->batch :
		    id;

		if (strcmp(v, s->val) == 0) {
			s->hits++;
			hit = 1;
		}
	}
	if (!hit)
		return 0;
	str_safe(e->cn, (size_t)-1, q, sizeof(q));
	if (r != NULL) {
		warnf("'%s' (serial %s) is already revoked (revocation %s, %s)",
		    q, e->serial, r->revocation, r->reason);
		S->refused++;
		return 0;
	}
	if (strcmp(e->ca, S->ca.name) != 0) {
		caref_init(&other, e->ca, lab, sizeof(lab));
		warnf("'%s' (serial %s) was issued by %s, not by %s: %s%s", q,
		    e->serial, caref_label(&other, lab, sizeof(lab)),
		    caref_label(&S->ca, lab2, sizeof(lab2)), e->ca[0] ?
		    "give --ca " : "leave out --ca", e->ca);
		S->refused++;
		return 0;
	}
	return pick(S, e) == -1 ? -1 : 0;
}

/* Every selector resolved and checked; S->rv filled. 0 or an exit
 * status (nothing written). */
static int
resolve(struct revoke *S)
{
	size_t i;

	if (ledger_each(&S->led, select_one, S) != 0)
		return EXIT_USAGE;
	for (i = 0; i < S->nsel; i++)
		if (S->sel[i].hits == 0) {
			warnf("%s %s: not in the ledger", sel_name(
			    S->sel[i].kind), S->sel[i].val);
			S->refused++;
		}
	if (S->refused) {
		warnf("revoke: %d refused; nothing revoked", S->refused);
		return EXIT_CHECK;
	}
	return 0;
}

/* --intermediate NAME: its certificate, for the root's CRL. */
static int
resolve_intermediate(struct revoke *S)
{
	struct ledger_revocation *r, old;
	struct caref ref;
	unsigned char h[32];
	const ASN1_INTEGER *sn;
	char err[300];
	X509 *x;
	int n, got;

	if (caref_open(&ref, S->inter, err, sizeof(err)) == -1 || ref.name[0] ==
	    0) {
		warnf("--intermediate: %s", err);
		return EXIT_USAGE;
	}
	if ((x = pki_cert_load(ref.cert)) == NULL)
		return EXIT_USAGE;
	if ((S->rv = calloc(1, sizeof(*S->rv))) == NULL) {
		X509_free(x);
		return EXIT_USAGE;
	}
	r = S->rv;
	S->nrv = 1;
	sn = X509_get0_serialNumber(x);
	if (ASN1_STRING_length(sn) <= 20)
		hex_encode(ASN1_STRING_get0_data(sn),
		    (size_t)ASN1_STRING_length(sn), r->serial);
	pki_cert_sha256(x, h);
	hex_encode(h, 32, r->certificate_id);
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
	    r->cn, sizeof(r->cn));
	if (n <= 0)
		snprintf(r->cn, sizeof(r->cn), "%s", ref.name);
	snprintf(r->intermediate, sizeof(r->intermediate), "%s", ref.name);
	got = X509_check_issued(S->cert, x) == X509_V_OK;
	X509_free(x);
	if (!got) {
		warnf("%s was not issued by the root CA (%s)", ref.cert,
		    CA_CERT);
		return EXIT_CHECK;
	}
	if ((got = ledger_revoked(&S->led, r->serial, &old)) != 0) {
		if (got == 1)
			warnf("intermediate CA '%s' (serial %s) is already "
			      "revoked (revocation %s, %s)", ref.name,
			    r->serial, old.revocation, old.reason);
		return got == 1 ? EXIT_CHECK : EXIT_USAGE;
	}
	return 0;
}

static int
revoke_run(struct revoke *S)
{
	struct regions reg = {0};
	char err[300];
	size_t i;
	int r;

	if (caref_open(&S->ca, S->ca_name, err, sizeof(err)) == -1) {
		warnf("--ca: %s", err);
		return EXIT_USAGE;
	}
	if ((S->cert = pki_cert_load(S->ca.cert)) == NULL)
		return EXIT_USAGE;
	if (ledger_open(&S->led, LEDGER_FILE) == -1)
		return EXIT_USAGE;
	if (S->resume)
		return resume(S);
	if ((r = S->inter ? resolve_intermediate(S) : resolve(S)) != 0)
		return r;
	/* every check before the first write */
	r = regions_for(S, S->inter ? S->inter : S->ca.name, &reg);
	regions_free(&reg);
	if (r == -1)
		return EXIT_USAGE;
	if ((r = load_key(S)) != 0 || (r = resume(S)) != 0)
		return r;
	S->now = time(NULL);
	for (i = 0; i < S->nrv; i++) {
		snprintf(S->rv[i].reason, sizeof(S->rv[i].reason), "%s",
		    S->reason);
		utc_iso(S->now, S->rv[i].time);
		ledger_revocation_id(&S->led, S->now, S->rv[i].revocation);
	}
	if (ledger_revoke(&S->led, S->rv, S->nrv, err, sizeof(err)) == -1) {
		warnf("%s: %s", LEDGER_FILE, err);
		return EXIT_USAGE;
	}
	return finish(S, &S->led.groups[S->led.ngroups - 1]);
}

int
cmd_revoke(int argc, char **argv)
{
	struct revoke S = {.src = PASS_SRC_INIT, .ksrc = KEY_SRC_INIT,
	    .days = CRL_DAYS_DEFAULT};
	int rv;

	S.led.fd = -1;
	S.now = time(NULL);
	if ((rv = revoke_options(&S, argc, argv)) != 0)
		rv = rv == 1 ? 0 : EXIT_USAGE;
	else
		rv = revoke_run(&S);
	if (S.led.path != NULL)
		ledger_close(&S.led);
	if (S.have_key)
		cakey_free(&S.ck);
	X509_free(S.cert);
	regions_free(&S.given);
	index_free(&S.picked);
	free(S.sel);
	free(S.rv);
	return rv;
}
