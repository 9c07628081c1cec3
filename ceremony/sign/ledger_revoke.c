/* Revocation lines of ledger.jsonl: format, strict parsing, the checks
 * made on opening and before appending, and the in-memory record of what
 * is revoked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sign/ledger_int.h"
#include "core/util.h"

static const char *const reason_names[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation",
};
const char ledger_reasons[] = "unspecified, keyCompromise, cACompromise, "
			      "affiliationChanged, superseded, "
			      "cessationOfOperation";

int
ledger_reason_code(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
		if (strcmp(name, reason_names[i]) == 0)
			return (int)i;
	return -1;
}

char *
ledger_format_revocation(const struct ledger_revocation *r, size_t *len)
{
	char *line;
	size_t cap, at = 1;

	cap = 512 + 6 * (strlen(r->serial) + strlen(r->certificate_id) +
	    strlen(r->cn) + strlen(r->ca) + strlen(r->intermediate) +
	    strlen(r->reason) + strlen(r->time) + strlen(r->revocation));
	if ((line = malloc(cap)) == NULL)
		return NULL;
	line[0] = '{';
	if (ledger_put_str(line, cap, &at, "revoked", r->serial) == -1 ||
	    ledger_put_str(line, cap, &at, "certificate_id",
	    r->certificate_id) == -1 ||
	    ledger_put_str(line, cap, &at, "cn", r->cn) == -1 ||
	    (r->ca[0] && ledger_put_str(line, cap, &at, "ca", r->ca) == -1) ||
	    (r->intermediate[0] && ledger_put_str(line, cap, &at,
	    "intermediate", r->intermediate) == -1) ||
	    ledger_put_str(line, cap, &at, "reason", r->reason) == -1 ||
	    ledger_put_str(line, cap, &at, "time", r->time) == -1 ||
	    ledger_put_str(line, cap, &at, "revocation", r->revocation) == -1 ||
	    cap - at < 64) {
		free(line);
		return NULL;
	}
	at += (size_t)snprintf(line + at, cap - at, ",\"n\":%lu,\"of\":%lu}\n",
	    r->n, r->of);
	*len = at;
	return line;
}

/* YYYY-MM-DD-N, N 1-9999 without a leading zero. */
static int
revid_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 12 || n > 15 || s[11] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if ((i == 4 || i == 7 || i == 10) ? s[i] != '-' :
		    (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static int
time_ok(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, UTC_ISO_FMT, &tm);
	return strlen(s) == 20 && end != NULL && *end == 0;
}

static int
hex_ok(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && n % 2 == 0 &&
	    str_only(s, "0123456789abcdef");
}

static int
get_count(json_t *o, const char *key, unsigned long *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 100000000)
		return -1;
	*out = (unsigned long)json_integer_value(v);
	return 0;
}

int
ledger_revocation_json(json_t *o, struct ledger_revocation *r, char *err,
    size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (!json_is_object(o))
		return errf(err, errlen, "not a JSON object");
	if (json_object_get(o, "revoked") == NULL)
		return errf(err, errlen, "not a revocation line");
	if (ledger_get_str(o, "revoked", r->serial, sizeof(r->serial)) == -1 ||
	    !hex_ok(r->serial, 2, 40))
		return errf(err, errlen, "field 'revoked' is not a serial");
	if (ledger_get_str(o, "certificate_id", r->certificate_id,
	    sizeof(r->certificate_id)) == -1 ||
	    !hex_ok(r->certificate_id, 64, 64))
		return errf(err, errlen, "field 'certificate_id' is not 64 "
		    "hex characters");
	if (ledger_get_str(o, "cn", r->cn, sizeof(r->cn)) == -1)
		return errf(err, errlen, "field 'cn' missing or malformed");
	if ((json_object_get(o, "ca") != NULL &&
	    ledger_get_str(o, "ca", r->ca, sizeof(r->ca)) == -1) ||
	    (json_object_get(o, "intermediate") != NULL &&
	    ledger_get_str(o, "intermediate", r->intermediate,
	    sizeof(r->intermediate)) == -1))
		return errf(err, errlen, "field 'ca' or 'intermediate' "
		    "malformed");
	if (r->ca[0] && r->intermediate[0])
		return errf(err, errlen, "an intermediate's certificate is "
		    "issued by the root: no 'ca' beside 'intermediate'");
	if (ledger_get_str(o, "reason", r->reason, sizeof(r->reason)) == -1 ||
	    ledger_reason_code(r->reason) == -1)
		return errf(err, errlen, "field 'reason' is not one of %s",
		    ledger_reasons);
	if (ledger_get_str(o, "time", r->time, sizeof(r->time)) == -1 ||
	    !time_ok(r->time))
		return errf(err, errlen, "field 'time' is not a UTC time");
	if (ledger_get_str(o, "revocation", r->revocation,
	    sizeof(r->revocation)) == -1 || !revid_ok(r->revocation))
		return errf(err, errlen, "field 'revocation' is not "
		    "YYYY-MM-DD-N");
	if (get_count(o, "n", &r->n) == -1 || get_count(o, "of", &r->of) ==
	    -1 || r->n > r->of)
		return errf(err, errlen, "fields 'n' and 'of' are not 1 <= n "
		    "<= of");
	return 0;
}

int
ledger_parse_revocation(const char *line, size_t len,
    struct ledger_revocation *r, char *err, size_t errlen)
{
	json_t *o;
	int rv;

	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	rv = ledger_revocation_json(o, r, err, errlen);
	json_decref(o);
	return rv;
}

int
ledger_find_serial(struct ledger *l, const char *serial,
    struct ledger_entry *e)
{
	unsigned char k[16];
	uint64_t off;

	index_key(serial, k);
	if (!index_get(&l->serial, k, &off) || (off & LEDGER_BATCH))
		return 0;
	if (ledger_read(l, off, e) == -1)
		return -1;
	if (strcmp(e->serial, serial) != 0) {
		ledger_entry_free(e);
		return 0;
	}
	return 1;
}

int
ledger_revoked(struct ledger *l, const char *serial,
    struct ledger_revocation *r)
{
	struct ledger_revocation tmp;
	unsigned char k[16];
	uint64_t off;

	index_key(serial, k);
	if (!index_get(&l->revoked, k, &off))
		return 0;
	if (r == NULL)
		r = &tmp;
	if (ledger_read_revocation(l, off, r) == -1)
		return -1;
	return strcmp(r->serial, serial) == 0;
}

const struct ledger_group *
ledger_group_find(const struct ledger *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->ngroups; i++)
		if (strcmp(l->groups[i].id, id) == 0)
			return &l->groups[i];
	return NULL;
}

void
ledger_revocation_id(const struct ledger *l, time_t t,
    char out[LEDGER_REVID_MAX])
{
	char day[32];
	struct tm tm;
	unsigned long n, last = 0;
	size_t i;

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	for (i = 0; i < l->ngroups; i++)
		if (strncmp(l->groups[i].id, day, 10) == 0 &&
		    (n = strtoul(l->groups[i].id + 11, NULL, 10)) > last)
			last = n;
	/* 9999 a day at most: ledger_revoke refuses the 10000th */
	snprintf(out, LEDGER_REVID_MAX, "%.10s-%u", day, (unsigned)(last + 1) %
	    100000);
}

/* The serial r names may be revoked now: it is an intermediate's or in
 * the ledger as r says, not revoked, and not in pend. */
static int
check_target(struct ledger *l, const struct ledger_revocation *r,
    struct index *pend, char *err, size_t errlen)
{
	struct ledger_revocation old;
	struct ledger_entry e;
	unsigned char k[16];
	uint64_t v;
	char id[65];
	int got;

	if ((got = ledger_revoked(l, r->serial, &old)) == -1)
		return errf(err, errlen, "cannot read the ledger");
	if (got)
		return errf(err, errlen, "'%s' (serial %s) is already revoked "
		    "(revocation %s, %s)", old.cn, r->serial, old.revocation,
		    old.reason);
	index_key(r->serial, k);
	if (index_get(pend, k, &v))
		return errf(err, errlen, "serial %s is listed twice",
		    r->serial);
	if (r->intermediate[0])
		return 0;
	if ((got = ledger_find_serial(l, r->serial, &e)) == -1)
		return errf(err, errlen, "cannot read the ledger");
	if (got == 0)
		return errf(err, errlen, "serial %s is not in the ledger",
		    r->serial);
	ledger_certificate_id(&e, id);
	got = strcmp(id, r->certificate_id) == 0 && strcmp(e.cn, r->cn) == 0 &&
	    strcmp(e.ca, r->ca) == 0;
	ledger_entry_free(&e);
	if (!got)
		return errf(err, errlen, "serial %s: certificate_id, cn or ca "
		    "differ from its issuance line", r->serial);
	return 0;
}

static int
group_add(struct ledger *l, const struct ledger_group *g)
{
	struct ledger_group *n;

	n = realloc(l->groups, (l->ngroups + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	l->groups = n;
	l->groups[l->ngroups++] = *g;
	return 0;
}

/* The group is complete: its serials become revoked. */
static int
group_commit(struct ledger *l, const struct ledger_group *g,
    struct index *pend)
{
	size_t i;

	for (i = 0; i < pend->cap; i++)
		if (pend->vals[i] != 0) {
			if (index_put(&l->revoked, pend->keys[i],
			    pend->vals[i] - 1, NULL, 0) == -1)
				return -1;
			l->nrevoked++;
		}
	return group_add(l, g);
}

static void
group_start(struct ledger_group *g, const struct ledger_revocation *r,
    uint64_t off)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->id, sizeof(g->id), "%s", r->revocation);
	snprintf(g->ca, sizeof(g->ca), "%s", r->ca);
	snprintf(g->reason, sizeof(g->reason), "%s", r->reason);
	snprintf(g->time, sizeof(g->time), "%s", r->time);
	g->count = r->of;
	g->off = off;
}

static int
same_group(const struct ledger_group *g, const struct ledger_revocation *r)
{
	return strcmp(g->id, r->revocation) == 0 && strcmp(g->ca, r->ca) == 0 &&
	    strcmp(g->reason, r->reason) == 0 &&
	    strcmp(g->time, r->time) == 0 && g->count == r->of;
}

int
ledger_scan_revocation(struct ledger *l, struct ledger_scan *s,
    const struct ledger_revocation *r, uint64_t off, char *err,
    size_t errlen)
{
	unsigned char k[16];

	if (r->n == 1) {
		if (s->next != 0)
			return errf(err, errlen, "revocation %s ends after %lu "
			    "of %lu lines", s->g.id, s->next - 1, s->g.count);
		if (ledger_group_find(l, r->revocation) != NULL)
			return errf(err, errlen, "revocation %s appears twice",
			    r->revocation);
		group_start(&s->g, r, off);
		s->next = 1;
		index_free(&s->pend);
	}
	if (s->next != r->n || !same_group(&s->g, r))
		return errf(err, errlen, "revocation line %lu of %lu of %s "
		    "out of place", r->n, r->of, r->revocation);
	if (check_target(l, r, &s->pend, err, errlen) == -1)
		return -1;
	index_key(r->serial, k);
	if (index_put(&s->pend, k, off, NULL, 0) == -1)
		return errf(err, errlen, "out of memory");
	if (r->n < r->of) {
		s->next++;
		return 0;
	}
	s->next = 0;
	if (group_commit(l, &s->g, &s->pend) == -1)
		return errf(err, errlen, "out of memory");
	index_free(&s->pend);
	return 0;
}

int
ledger_revoke(struct ledger *l, struct ledger_revocation *r, size_t n,
    char *err, size_t errlen)
{
	struct ledger_group g;
	struct index pend = {0};
	unsigned char k[16];
	char *buf = NULL, *line;
	size_t i, len, cap = 0, used = 0;
	uint64_t pos;
	off_t at;
	int rv = -1;

	if (n == 0)
		return errf(err, errlen, "nothing to revoke");
	if (!revid_ok(r[0].revocation) || ledger_group_find(l,
	    r[0].revocation) != NULL)
		return errf(err, errlen, "revocation id '%s' is malformed or "
		    "used", r[0].revocation);
	if (ledger_reason_code(r[0].reason) == -1 || !time_ok(r[0].time))
		return errf(err, errlen, "bad reason or time");
	for (i = 0; i < n; i++) {
		r[i].n = i + 1;
		r[i].of = n;
		if (i == 0)
			group_start(&g, &r[0], (uint64_t)l->size);
		if (!same_group(&g, &r[i])) {
			errf(err, errlen, "serial %s: one revocation is one "
			    "CA, reason and time", r[i].serial);
			goto out;
		}
		if (check_target(l, &r[i], &pend, err, errlen) == -1)
			goto out;
		index_key(r[i].serial, k);
		if ((line = ledger_format_revocation(&r[i], &len)) == NULL ||
		    index_put(&pend, k, 0, NULL, 0) == -1) {
			free(line);
			errf(err, errlen, "serial %s: cannot format its line",
			    r[i].serial);
			goto out;
		}
		if (used + len > cap) {
			char *nb;

			cap = (used + len) * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(line);
				errf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
		}
		memcpy(buf + used, line, len);
		used += len;
		free(line);
	}
	if (ledger_append(l, buf, used, &at) == -1) {
		errf(err, errlen, "%s: cannot append the revocation", l->path);
		goto out;
	}
	/* the offsets of the lines just written */
	index_free(&pend);
	g.off = (uint64_t)at;
	for (i = 0, pos = (uint64_t)at; i < n; i++) {
		index_key(r[i].serial, k);
		if (index_put(&pend, k, pos, NULL, 0) == -1)
			goto oom;
		line = buf + (pos - (uint64_t)at);
		pos += (uint64_t)(strchr(line, '\n') - line) + 1;
	}
	if (group_commit(l, &g, &pend) == -1)
		goto oom;
	rv = 0;
	goto out;
oom:
	errf(err, errlen, "out of memory after writing the ledger");
out:
	index_free(&pend);
	free(buf);
	return rv;
}
