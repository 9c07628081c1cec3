/* ceremony status: one screen for the team's yearly meeting, or --json
 * for cron: every CA, its certificates and CRL, the backup, the
 * transcript, and what needs doing. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/backup.h"
#include "cmd.h"
#include "core/transcript.h"
#include "core/util.h"
#include "run/status.h"
#include "sign/ledger.h"

static const char usage_text[] =
    "usage: ceremony status [--json]\n\n"
    "Shows, from the public files alone (it reads no key, so it runs on\n"
    "the online copy too): each CA (the root and every intermediate) with\n"
    "its subject, SHA-256, where its key is, its validity and days left,\n"
    "the certificates it issued, revoked and expiring within 90 days\n"
    "(from " LEDGER_FILE "), its last CRL (crl.pem); the backup's scheme,\n"
    "custodians and last restore drill; the transcript head. Warns when a\n"
    "CA has 30 days or less, a CRL is past its nextUpdate or missing while\n"
    "certificates are revoked, or the backup has had no drill for a year.\n\n"
    "  --json    the same as one JSON object (\"warnings\": a list)\n\n"
    "Exit status: 0 healthy, 1 something warns, 2 usage or I/O error.\n";

static void
print_ca(const struct status_ca *c)
{
	char title[128], crl[CAREF_PATH_MAX + 16];

	snprintf(title, sizeof(title), "%s", c->label);
	title[0] = (char)(title[0] == 'r' ? 'R' : title[0] == 'i' ? 'I' :
	    title[0]);
	printf("%s\n", title);
	printf("  subject       %s\n", c->subject ? c->subject : "?");
	printf("  SHA-256       %s\n", c->fp);
	if (strcmp(c->key, "token") == 0)
		printf("  key           token %s\n", c->uri);
	else if (strcmp(c->key, "file") == 0)
		printf("  key           file %s\n", c->ref.key);
	else if (strcmp(c->key, "both") == 0)
		printf("  key           both %s and %s\n", c->ref.key, c->ref.uri);
	else
		printf("  key           not here (a public copy)\n");
	printf("  valid         %.10s to %.10s, %ld days left%s\n",
	    c->not_before, c->not_after, c->days_left < 0 ? 0 : c->days_left,
	    c->days_left < 0 ? " (EXPIRED)" : c->days_left <= STATUS_CA_WARN ?
	    " (WARNING)" : "");
	if (c->ca_revoked[0] != 0)
		printf("  REVOKED       %.10s by the root (%s)\n", c->ca_revoked,
		    c->ca_reason);
	printf("  certificates  %lu issued, %lu revoked, %lu expiring within "
	       "%d days\n", c->issued, c->revoked, c->expiring, STATUS_SOON);
	if (caref_path(&c->ref, "crl.pem", crl, sizeof(crl)) == -1)
		snprintf(crl, sizeof(crl), "crl.pem");
	if (c->crl == 1)
		printf("  CRL           %s number %s, %ld revoked, this update "
		       "%s, next update %s\n", crl,
		    c->crl_number[0] ? c->crl_number : "?", c->crl_entries,
		    c->crl_this, c->crl_next);
	else if (c->crl == -1)
		printf("  CRL           %s unreadable\n", crl);
	else
		printf("  CRL           none\n");
}

/* The custodians of the last backup line: "Alice, Bob, (share 1-3)". */
static void
print_custodians(const json_t *line)
{
	json_t *cust = json_object_get(line, "custodians"),
	       *ids = json_object_get(line, "shares");
	const char *id;
	size_t i;

	printf("  custodians    ");
	for (i = 0; i < json_array_size(cust); i++) {
		id = json_string_value(json_array_get(ids, i));
		if (i > 0)
			printf(", ");
		if (json_is_string(json_array_get(cust, i)))
			printf("%s", json_string_value(json_array_get(cust, i)));
		else
			printf("(share %s)", id && strchr(id, '-') ?
			    strchr(id, '-') + 1 : "?");
	}
	printf("%s\n", json_array_size(cust) == 0 ? "not recorded" : "");
}

static void
print_backup(const struct status *st)
{
	const char *t;

	if (st->vault)
		printf("Backup          %s: %s, made %.10s, identifier %u\n",
		    BACKUP_VAULT, st->h.scheme, st->h.created, st->h.slip39_id);
	else if (st->backup != NULL)
		printf("Backup          %s (vault not here), made %.10s\n",
		    json_string_value(json_object_get(json_object_get(st->backup,
		        "args"), "scheme")),
		    json_string_value(json_object_get(st->backup, "time")));
	else {
		printf("Backup          none recorded\n");
		return;
	}
	if (st->backup != NULL)
		print_custodians(st->backup);
	t = json_string_value(json_object_get(st->drill, "time"));
	if (t != NULL)
		printf("  last drill    %.10s (restore --check, %zu shares)\n", t,
		    json_array_size(json_object_get(st->drill, "shares")));
	else
		printf("  last drill    never\n");
}

static void
print_text(const struct status *st)
{
	char now[21];
	size_t i;

	utc_iso(st->now, now);
	printf("ceremony status at %s\n\n", now);
	for (i = 0; i < st->nca; i++) {
		print_ca(&st->ca[i]);
		printf("\n");
	}
	print_backup(st);
	printf("Transcript      %s: %ld entries, head %s\n", TRANSCRIPT_FILE,
	    st->entries, st->head);
	printf("\n");
	for (i = 0; i < json_array_size(st->warnings); i++)
		printf("WARNING: %s\n",
		    json_string_value(json_array_get(st->warnings, i)));
	if (json_array_size(st->warnings) == 0)
		printf("Healthy: nothing needs doing.\n");
}

static json_t *
ca_json(const struct status_ca *c)
{
	json_t *crl = json_null(), *key, *revoked = json_null();

	if (c->crl == 1)
		crl = json_pack("{s:s,s:s,s:s,s:s?,s:I,s:b}", "file", "crl.pem",
		    "this_update", c->crl_this, "next_update", c->crl_next,
		    "number", c->crl_number[0] ? c->crl_number : NULL,
		    "revoked", (json_int_t)c->crl_entries, "signed_by_ca",
		    c->crl_signed);
	else if (c->crl == -1)
		crl = json_pack("{s:s,s:b}", "file", "crl.pem", "readable", 0);
	key = json_pack("{s:s,s:s?}", "where", c->key, "uri",
	    strcmp(c->key, "token") == 0 ? c->uri : NULL);
	if (c->ca_revoked[0] != 0)
		revoked = json_pack("{s:s,s:s}", "time", c->ca_revoked,
		    "reason", c->ca_reason);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:I,s:o,s:I,s:I,"
	                 "s:I,s:o}",
	    "name", c->ref.name, "label", c->label, "dir", c->ref.dir,
	    "subject", c->subject ? c->subject : "", "sha256", c->fp, "key",
	    key, "not_before", c->not_before, "not_after", c->not_after,
	    "days_left", (json_int_t)c->days_left, "ca_revoked", revoked,
	    "issued",
	    (json_int_t)c->issued, "revoked", (json_int_t)c->revoked,
	    "expiring_90_days", (json_int_t)c->expiring, "crl", crl);
}

static int
print_json(const struct status *st)
{
	json_t *o, *cas, *backup = json_null(), *drill = json_null();
	char now[21], *dump;
	size_t i;

	utc_iso(st->now, now);
	cas = json_array();
	for (i = 0; i < st->nca; i++)
		json_array_append_new(cas, ca_json(&st->ca[i]));
	if (st->drill != NULL)
		drill = json_pack("{s:O,s:O,s:I}", "time",
		    json_object_get(st->drill, "time"), "slip39_id",
		    json_object_get(st->drill, "slip39_id"), "shares",
		    (json_int_t)json_array_size(json_object_get(st->drill,
		        "shares")));
	if (st->vault || st->backup != NULL)
		backup = json_pack("{s:b,s:s,s:s?,s:I,s:O*,s:o}", "vault_here",
		    st->vault, "scheme", st->vault ? st->h.scheme :
		    json_string_value(json_object_get(json_object_get(
		        st->backup, "args"), "scheme")),
		    "created", st->vault ? st->h.created :
		    json_string_value(json_object_get(st->backup, "time")),
		    "slip39_id", (json_int_t)(st->vault ? st->h.slip39_id :
		    json_integer_value(json_object_get(st->backup,
		        "slip39_id"))),
		    "custodians", json_object_get(st->backup, "custodians"),
		    "last_drill", drill);
	else
		json_decref(drill);
	o = json_pack("{s:s,s:b,s:O,s:o,s:o,s:{s:I,s:s}}", "time", now,
	    "healthy", json_array_size(st->warnings) == 0, "warnings",
	    st->warnings, "cas", cas, "backup", backup, "transcript",
	    "entries", (json_int_t)st->entries, "head", st->head);
	if (o == NULL ||
	    (dump = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	        NULL) {
		warnf("status: cannot build the JSON");
		json_decref(o);
		return -1;
	}
	printf("%s\n", dump);
	free(dump);
	json_decref(o);
	return 0;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", 0, NULL, 'j'}, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct status st;
	int c, json = 0, rv;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		char q[256];

		warnf("status: unexpected argument '%s'",
		    str_safe(argv[optind], (size_t)-1, q, sizeof(q)));
		return EXIT_USAGE;
	}
	if (status_gather(&st) == -1) {
		status_free(&st);
		return EXIT_USAGE;
	}
	if (json)
		rv = print_json(&st);
	else {
		print_text(&st);
		rv = 0;
	}
	c = json_array_size(st.warnings) > 0;
	status_free(&st);
	return rv == -1 ? EXIT_USAGE : c ? EXIT_CHECK : 0;
}
