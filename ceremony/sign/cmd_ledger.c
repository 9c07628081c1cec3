/* ceremony ledger find|list: what the ledger says was issued, by whom,
 * until when, and whether it was revoked. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sign/ledger.h"
#include "cmd.h"
#include "ca/caref.h"
#include "ca/pki.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony ledger find CN|SERIAL|ID|CERT-FILE [--json]\n"
    "       ceremony ledger list [--expiring DAYS] [--revoked] [--ca NAME]"
    " [--json]\n\n"
    "Reads ledger.jsonl. 'find' prints every certificate whose CN, serial\n"
    "(hex, colons allowed), certificate id (AWS's: the SHA-256 of the DER)\n"
    "matches, or the one in CERT-FILE. 'list' prints them all, or only:\n\n"
    "  --expiring DAYS   those not revoked whose notAfter is within DAYS\n"
    "  --revoked         those revoked\n"
    "  --ca NAME         those issued by intermediate CA NAME ('-' for the\n"
    "                    root)\n"
    "  --json            one JSON object per line instead of a table\n\n"
    "Columns: CN, serial, certificate id, CA, notAfter, status (valid,\n"
    "expired, or revoked:<reason>:<revocation>).\n\n"
    "Exit status: 0 found (list: always), 1 find matched nothing, 2 usage\n"
    "or I/O error.\n";

struct query {
	const char *text;   /* find: CN as given */
	char hex[130];      /* find: serial or id, normalised */
	int json, revoked, has_ca;
	long expiring;      /* -1: all */
	char ca[65];
	time_t now;
	unsigned long shown;
};

static void
status_of(const struct ledger_entry *e, const struct ledger_revocation *r,
    time_t now, char *out, size_t outlen)
{
	char t[21];

	utc_iso(now, t);
	if (r != NULL)
		snprintf(out, outlen, "revoked:%s:%s", r->reason,
		    r->revocation);
	else
		snprintf(out, outlen, "%s", strcmp(e->not_after, t) < 0 ?
		    "expired" : "valid");
}

static int
show(struct query *q, const struct ledger_entry *e,
    const struct ledger_revocation *r)
{
	char id[65], st[80], cn[300];
	json_t *j;
	char *s;

	ledger_certificate_id(e, id);
	status_of(e, r, q->now, st, sizeof(st));
	q->shown++;
	if (!q->json) {
		str_safe(e->cn, (size_t)-1, cn, sizeof(cn));
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", cn, e->serial, id,
		    e->ca[0] ? e->ca : "-", e->not_after, st);
		return 0;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "cn",
	    e->cn, "serial", e->serial, "certificate_id", id, "ca", e->ca,
	    "subject", e->subject, "not_before", e->not_before, "not_after",
	    e->not_after, "batch", e->batch, "status", r ? "revoked" :
	    strncmp(st, "expired", 7) == 0 ? "expired" : "valid");
	if (j != NULL && r != NULL)
		json_object_set_new(j, "revocation", json_pack("{s:s, s:s, "
		    "s:s}", "id", r->revocation, "reason", r->reason, "time",
		    r->time));
	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		return -1;
	}
	puts(s);
	free(s);
	json_decref(j);
	return 0;
}

static int
find_one(const struct ledger_entry *e, const struct ledger_revocation *r,
    uint64_t off, void *arg)
{
	struct query *q = arg;
	char id[65];

	ledger_certificate_id(e, id);
	if (strcmp(e->cn, q->text) != 0 && strcmp(e->serial, q->hex) != 0 &&
	    strcmp(id, q->hex) != 0)
		return 0;
	return show(q, e, r);
}

static int
list_one(const struct ledger_entry *e, const struct ledger_revocation *r,
    uint64_t off, void *arg)
{
	struct query *q = arg;
	char limit[21], now[21];

	if (q->has_ca && strcmp(e->ca, q->ca) != 0)
		return 0;
	if (q->revoked && r == NULL)
		return 0;
	if (q->expiring >= 0) {
		utc_iso(q->now, now);
		utc_iso(q->now + q->expiring * 86400, limit);
		if (r != NULL || strcmp(e->not_after, limit) > 0 ||
		    strcmp(e->not_after, now) < 0)
			return 0;
	}
	return show(q, e, r);
}

/* CN as given; a hex form (lower case, no colons or 0x) for serial and
 * id; a certificate file by its id. */
static int
find_key(struct query *q, const char *arg)
{
	unsigned char h[32];
	const char *s;
	char *d;
	X509 *x;

	q->text = arg;
	if (file_exists(arg) && strchr(arg, '/') != NULL) {
		if ((x = pki_cert_load(arg)) == NULL)
			return -1;
		pki_cert_sha256(x, h);
		X509_free(x);
		hex_encode(h, 32, q->hex);
		q->text = "";
		return 0;
	}
	s = strncasecmp(arg, "0x", 2) == 0 ? arg + 2 : arg;
	for (d = q->hex; *s && d < q->hex + sizeof(q->hex) - 1; s++)
		if (*s != ':')
			*d++ = (char)(*s >= 'A' && *s <= 'F' ? *s + 32 : *s);
	*d = 0;
	return 0;
}

int
cmd_ledger(int argc, char **argv)
{
	static const struct option opts[] = {
		{"expiring", 1, NULL, 'e'}, {"revoked", 0, NULL, 'r'},
		{"ca", 1, NULL, 'c'}, {"json", 0, NULL, 'j'},
		{"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct query q = {.expiring = -1};
	struct ledger led;
	const char *verb;
	char err[160];
	int c, rv = EXIT_USAGE, find;

	q.now = time(NULL);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "find") != 0 &&
	    strcmp(argv[1], "list") != 0)) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	verb = argv[1];
	find = strcmp(verb, "find") == 0;
	argc--, argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (find || parse_days(optarg, &q.expiring) == -1)
				goto usage;
			break;
		case 'r':
		case 'c':
			if (find)
				goto usage;
			q.revoked |= c == 'r';
			if (c == 'c') {
				q.has_ca = 1;
				if (strcmp(optarg, "-") != 0 &&
				    caref_name_check(optarg, err,
				    sizeof(err)) == -1) {
					warnf("--ca: %s", err);
					return EXIT_USAGE;
				}
				snprintf(q.ca, sizeof(q.ca), "%s",
				    strcmp(optarg, "-") == 0 ? "" : optarg);
			}
			break;
		case 'j':
			q.json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			goto usage;
		}
	}
	if (find ? optind != argc - 1 : optind != argc)
		goto usage;
	if (find && find_key(&q, argv[optind]) == -1)
		return EXIT_USAGE;
	if (ledger_open(&led, LEDGER_FILE) == -1)
		return EXIT_USAGE;
	if (ledger_each(&led, find ? find_one : list_one, &q) != 0)
		goto out;
	rv = find && q.shown == 0 ? EXIT_CHECK : 0;
	if (rv == EXIT_CHECK)
		warnf("ledger find: '%s' matches no certificate in %s",
		    argv[optind], LEDGER_FILE);
out:
	ledger_close(&led);
	return rv;
usage:
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
