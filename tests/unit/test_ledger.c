/* ledger.jsonl: the index, line format round trip, strict parsing,
 * creation on first append, reopen, a torn last line dropped, damage
 * refused, the lock; revocation lines: format, strict parsing, the
 * checks before appending, reopening, a torn group dropped, the walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "sign/ledger.h"

static char dir[] = "/tmp/test_ledger.XXXXXX";

static void
test_index(void **state)
{
	struct index x = {0};
	unsigned char k[16];
	uint64_t v, i;

	for (i = 0; i < 100000; i++) {
		crypto_generichash(k, 16, (unsigned char *)&i, sizeof(i),
		    NULL, 0);
		assert_int_equal(index_put(&x, k, i * 3, NULL, 0), 1);
	}
	assert_int_equal(x.n, 100000);
	for (i = 0; i < 100000; i++) {
		crypto_generichash(k, 16, (unsigned char *)&i, sizeof(i),
		    NULL, 0);
		assert_int_equal(index_get(&x, k, &v), 1);
		assert_int_equal(v, i * 3);
	}
	i = 7;
	crypto_generichash(k, 16, (unsigned char *)&i, sizeof(i), NULL, 0);
	assert_int_equal(index_put(&x, k, 99, &v, 0), 0);
	assert_int_equal(v, 21);
	assert_int_equal(index_get(&x, k, &v), 1);
	assert_int_equal(v, 21); /* not replaced */
	assert_int_equal(index_put(&x, k, LEDGER_BATCH | 5, &v, 1), 0);
	assert_int_equal(index_get(&x, k, &v), 1);
	assert_int_equal(v, LEDGER_BATCH | 5);
	memset(k, 0xee, sizeof(k));
	assert_int_equal(index_get(&x, k, &v), 0);
	index_free(&x);
	assert_int_equal(index_get(&x, k, &v), 0);
}

static void
entry(struct ledger_entry *e, int n)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->serial, sizeof(e->serial), "4%031d", n);
	snprintf(e->cn, sizeof(e->cn), "dev%d", n);
	snprintf(e->subject, sizeof(e->subject), "CN=dev%d,O=A \\\"q\\\",C=US",
	    n);
	strcpy(e->not_before, "2025-01-31T12:00:00Z");
	strcpy(e->not_after, "2026-01-31T12:00:00Z");
	strcpy(e->batch, "0123456789abcdef");
	snprintf(e->file, sizeof(e->file), "dev%d", n);
	e->certlen = 100 + (size_t)n % 3;
	e->cert = malloc(e->certlen);
	randombytes_buf(e->cert, e->certlen);
	crypto_hash_sha256(e->cert_sha256, e->cert, e->certlen);
	randombytes_buf(e->key_sha256, 32);
	randombytes_buf(e->csr_sha256, 32);
}

static void
test_roundtrip(void **state)
{
	struct ledger_entry a, b;
	char err[128], *line;
	size_t len;
	int n;

	for (n = 0; n < 3; n++) {
		entry(&a, n);
		line = ledger_format(&a, &len);
		assert_non_null(line);
		assert_int_equal(line[len - 1], '\n');
		assert_null(memchr(line, '\n', len - 1));
		assert_int_equal(ledger_parse(line, len - 1, &b, err,
		    sizeof(err)), 0);
		assert_string_equal(a.serial, b.serial);
		assert_string_equal(a.subject, b.subject);
		assert_string_equal(a.file, b.file);
		assert_int_equal(a.certlen, b.certlen);
		assert_memory_equal(a.cert, b.cert, a.certlen);
		assert_memory_equal(a.key_sha256, b.key_sha256, 32);
		assert_memory_equal(a.csr_sha256, b.csr_sha256, 32);
		free(line);
		ledger_entry_free(&a);
		ledger_entry_free(&b);
	}
}

static void
test_parse_strict(void **state)
{
	struct ledger_entry a, b;
	char err[128], *line, *p;
	size_t len;

	assert_int_equal(ledger_parse("[]", 2, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "not a JSON object");
	entry(&a, 1);
	line = ledger_format(&a, &len);
	/* the certificate must match its hash */
	p = strstr(line, "\"cert\":\"") + 8;
	*p = *p == 'A' ? 'B' : 'A';
	assert_int_equal(ledger_parse(line, len - 1, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "cert does not match cert_sha256");
	free(line);
	line = ledger_format(&a, &len);
	p = strstr(line, "\"serial\"");
	memcpy(p, "\"serixl\"", 8);
	assert_int_equal(ledger_parse(line, len - 1, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "field 'serial' missing or malformed");
	free(line);
	line = ledger_format(&a, &len);
	p = strstr(line, "\"key_sha256\":\"") + 14;
	*p = 'g';
	assert_int_equal(ledger_parse(line, len - 1, &b, err, sizeof(err)), -1);
	free(line);
	ledger_entry_free(&a);
}

static void
test_file(void **state)
{
	struct ledger l, l2;
	struct ledger_entry a, b;
	char *line;
	size_t len, first;
	off_t at, size0;
	struct stat st;
	FILE *f;
	int n;

	unlink(LEDGER_FILE);
	assert_int_equal(ledger_open(&l, LEDGER_FILE), 0);
	assert_int_equal(l.count, 0);
	assert_int_equal(access(LEDGER_FILE, F_OK), -1); /* not yet */
	for (n = 0; n < 5; n++) {
		entry(&a, n);
		line = ledger_format(&a, &len);
		assert_int_equal(ledger_append(&l, line, len, &at), 0);
		assert_int_equal(ledger_index(&l, &a, (uint64_t)at), 0);
		if (n == 0)
			first = len;
		free(line);
		ledger_entry_free(&a);
	}
	assert_int_equal(l.count, 5);
	assert_int_equal(ledger_read(&l, first, &b), 0);
	assert_string_equal(b.cn, "dev1");
	ledger_entry_free(&b);
	/* locked while open */
	assert_int_equal(ledger_open(&l2, LEDGER_FILE), -1);
	ledger_close(&l);

	/* a torn last line is dropped, and cut from the file */
	assert_int_equal(stat(LEDGER_FILE, &st), 0);
	size0 = st.st_size;
	f = fopen(LEDGER_FILE, "a");
	fputs("{\"serial\":\"41", f);
	fclose(f);
	assert_int_equal(ledger_open(&l, LEDGER_FILE), 0);
	assert_int_equal(l.count, 5);
	assert_int_equal(l.size, size0);
	ledger_close(&l);
	assert_int_equal(stat(LEDGER_FILE, &st), 0);
	assert_int_equal(st.st_size, size0);

	/* a damaged complete line is refused */
	f = fopen(LEDGER_FILE, "a");
	fputs("{\"serial\":\"41\"}\n", f);
	fclose(f);
	assert_int_equal(ledger_open(&l, LEDGER_FILE), -1);
	unlink(LEDGER_FILE);
}

static void
rev_of(struct ledger_revocation *r, const struct ledger_entry *e,
    const char *id)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->serial, e->serial);
	ledger_certificate_id(e, r->certificate_id);
	strcpy(r->cn, e->cn);
	strcpy(r->ca, e->ca);
	strcpy(r->reason, "keyCompromise");
	strcpy(r->time, "2026-12-02T08:00:00Z");
	strcpy(r->revocation, id);
}

static void
test_revocation_line(void **state)
{
	struct ledger_revocation a, b;
	struct ledger_entry e, f;
	char err[160], *line, *p;
	size_t len;

	entry(&e, 4);
	rev_of(&a, &e, "2026-12-02-1");
	strcpy(a.cn, "dev \"4\"\n");
	a.n = 2;
	a.of = 3;
	line = ledger_format_revocation(&a, &len);
	assert_non_null(line);
	assert_int_equal(strncmp(line, "{\"revoked\":", 11), 0);
	assert_null(strstr(line, "\"ca\"")); /* the root: no ca */
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), 0);
	assert_string_equal(b.serial, a.serial);
	assert_string_equal(b.cn, a.cn);
	assert_string_equal(b.certificate_id, a.certificate_id);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.of, 3);
	/* an issuance line is not a revocation line, nor the reverse */
	assert_int_equal(ledger_parse(line, len - 1, &f, err, sizeof(err)),
	    -1);
	ledger_entry_free(&f);
	free(line);
	line = ledger_format(&e, &len);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "not a revocation line");
	free(line);
	/* each field checked */
	strcpy(a.reason, "stolen");
	line = ledger_format_revocation(&a, &len);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "'reason'"));
	free(line);
	strcpy(a.reason, "superseded");
	assert_int_equal(ledger_reason_code("superseded"), 4);
	assert_int_equal(ledger_reason_code("certificateHold"), -1);
	strcpy(a.time, "2026-12-02 08:00:00");
	line = ledger_format_revocation(&a, &len);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "'time'"));
	free(line);
	strcpy(a.time, "2026-12-02T08:00:00Z");
	strcpy(a.revocation, "2026-12-02-01");
	line = ledger_format_revocation(&a, &len);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	free(line);
	strcpy(a.revocation, "2026-12-02-1");
	a.n = 4;
	line = ledger_format_revocation(&a, &len);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	free(line);
	a.n = 1;
	strcpy(a.ca, "issuing");
	strcpy(a.intermediate, "other");
	line = ledger_format_revocation(&a, &len);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	free(line);
	a.intermediate[0] = 0;
	strcpy(a.serial, "4ABC");
	line = ledger_format_revocation(&a, &len);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	free(line);
	line = ledger_format_revocation(&a, &len);
	p = strstr(line, "\"n\":1");
	memcpy(p, "\"n\":0", 5);
	assert_int_equal(ledger_parse_revocation(line, len - 1, &b, err,
	    sizeof(err)), -1);
	free(line);
	ledger_entry_free(&e);
}

struct seen {
	int revoked[8], total;
};

static int
each_cb(const struct ledger_entry *e, const struct ledger_revocation *r,
    uint64_t off, void *arg)
{
	struct seen *s = arg;
	int n = atoi(e->cn + 3);

	s->total++;
	s->revoked[n] = r != NULL;
	if (r != NULL)
		assert_string_equal(r->serial, e->serial);
	return 0;
}

static int
each_rev_cb(const struct ledger_revocation *r, uint64_t off, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
test_revoke(void **state)
{
	struct ledger l;
	struct ledger_entry e[6];
	struct ledger_revocation r[3], got;
	struct seen seen;
	char err[160], id[LEDGER_REVID_MAX], *line;
	size_t len;
	off_t at, size0;
	struct stat st;
	FILE *f;
	int n, nrev;

	unlink(LEDGER_FILE);
	assert_int_equal(ledger_open(&l, LEDGER_FILE), 0);
	for (n = 0; n < 6; n++) {
		entry(&e[n], n);
		if (n == 5)
			strcpy(e[n].ca, "issuing");
		line = ledger_format(&e[n], &len);
		assert_int_equal(ledger_append(&l, line, len, &at), 0);
		assert_int_equal(ledger_index(&l, &e[n], (uint64_t)at), 0);
		free(line);
	}
	ledger_revocation_id(&l, 1796198400, id); /* 2026-12-02 */
	assert_string_equal(id, "2026-12-02-1");
	rev_of(&r[0], &e[1], id);
	rev_of(&r[1], &e[3], id);
	assert_int_equal(ledger_revoke(&l, r, 2, err, sizeof(err)), 0);
	assert_int_equal(l.nrevoked, 2);
	assert_int_equal(l.ngroups, 1);
	assert_int_equal(l.groups[0].count, 2);
	assert_int_equal(ledger_revoked(&l, e[1].serial, &got), 1);
	assert_string_equal(got.revocation, "2026-12-02-1");
	assert_int_equal(got.n, 1);
	assert_int_equal(got.of, 2);
	assert_int_equal(ledger_revoked(&l, e[2].serial, NULL), 0);
	ledger_revocation_id(&l, 1796198400 + 3600, id);
	assert_string_equal(id, "2026-12-02-2");

	/* refused, and nothing written */
	size0 = l.size;
	rev_of(&r[0], &e[1], id); /* already revoked */
	assert_int_equal(ledger_revoke(&l, r, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already revoked (revocation "
	    "2026-12-02-1"));
	rev_of(&r[0], &e[2], id); /* listed twice */
	rev_of(&r[1], &e[2], id);
	assert_int_equal(ledger_revoke(&l, r, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "listed twice"));
	rev_of(&r[0], &e[2], id); /* not in the ledger */
	strcpy(r[0].serial, "4f");
	assert_int_equal(ledger_revoke(&l, r, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not in the ledger"));
	rev_of(&r[0], &e[5], id); /* issued by another CA */
	r[0].ca[0] = 0;
	assert_int_equal(ledger_revoke(&l, r, 1, err, sizeof(err)), -1);
	rev_of(&r[0], &e[2], id); /* mixed reasons */
	rev_of(&r[1], &e[4], id);
	strcpy(r[1].reason, "superseded");
	assert_int_equal(ledger_revoke(&l, r, 2, err, sizeof(err)), -1);
	rev_of(&r[0], &e[2], "2026-12-02-1"); /* the group id is used */
	assert_int_equal(ledger_revoke(&l, r, 1, err, sizeof(err)), -1);
	assert_int_equal(l.size, size0);
	assert_int_equal(l.nrevoked, 2);

	/* an intermediate's certificate: no issuance line needed */
	memset(&r[0], 0, sizeof(r[0]));
	strcpy(r[0].serial, "7a7a");
	memset(r[0].certificate_id, 'c', 64);
	strcpy(r[0].cn, "Issuing CA");
	strcpy(r[0].intermediate, "issuing");
	strcpy(r[0].reason, "cACompromise");
	strcpy(r[0].time, "2026-12-02T09:00:00Z");
	strcpy(r[0].revocation, id);
	assert_int_equal(ledger_revoke(&l, r, 1, err, sizeof(err)), 0);
	ledger_close(&l);

	/* read back */
	assert_int_equal(ledger_open(&l, LEDGER_FILE), 0);
	assert_int_equal(l.count, 6);
	assert_int_equal(l.nrevoked, 3);
	assert_int_equal(l.ngroups, 2);
	assert_string_equal(l.groups[1].id, "2026-12-02-2");
	assert_non_null(ledger_group_find(&l, "2026-12-02-1"));
	assert_null(ledger_group_find(&l, "2026-12-02-3"));
	assert_int_equal(ledger_revoked(&l, "7a7a", &got), 1);
	assert_string_equal(got.intermediate, "issuing");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ledger_each(&l, each_cb, &seen), 0);
	assert_int_equal(seen.total, 6);
	assert_int_equal(seen.revoked[1] + seen.revoked[3], 2);
	assert_int_equal(seen.revoked[0] + seen.revoked[2] + seen.revoked[4] +
	    seen.revoked[5], 0);
	nrev = 0;
	assert_int_equal(ledger_each_revocation(&l, each_rev_cb, &nrev), 0);
	assert_int_equal(nrev, 3);
	size0 = l.size;
	ledger_close(&l);

	/* a group cut short at the end is dropped, whole */
	ledger_revocation_id(&l, 1796198400, id);
	rev_of(&r[0], &e[0], "2026-12-02-3");
	r[0].n = 1;
	r[0].of = 2;
	line = ledger_format_revocation(&r[0], &len);
	f = fopen(LEDGER_FILE, "a");
	fputs(line, f);
	fputs("{\"revoked\":\"4", f); /* torn second line */
	fclose(f);
	assert_int_equal(ledger_open(&l, LEDGER_FILE), 0);
	assert_int_equal(l.size, size0);
	assert_int_equal(l.nrevoked, 3);
	assert_int_equal(ledger_revoked(&l, e[0].serial, NULL), 0);
	ledger_close(&l);
	assert_int_equal(stat(LEDGER_FILE, &st), 0);
	assert_int_equal(st.st_size, size0);

	/* elsewhere it is damage */
	f = fopen(LEDGER_FILE, "a");
	fputs(line, f);
	free(line);
	line = ledger_format(&e[0], &len);
	fputs(line, f);
	fclose(f);
	free(line);
	assert_int_equal(ledger_open(&l, LEDGER_FILE), -1);
	assert_int_equal(truncate(LEDGER_FILE, size0), 0);
	/* a revocation of a serial never issued is damage */
	rev_of(&r[0], &e[0], "2026-12-02-3");
	strcpy(r[0].serial, "4e4e");
	r[0].n = r[0].of = 1;
	line = ledger_format_revocation(&r[0], &len);
	f = fopen(LEDGER_FILE, "a");
	fputs(line, f);
	fclose(f);
	free(line);
	assert_int_equal(ledger_open(&l, LEDGER_FILE), -1);
	for (n = 0; n < 6; n++)
		ledger_entry_free(&e[n]);
	unlink(LEDGER_FILE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_revocation_line),
		cmocka_unit_test(test_revoke),
	};
	int rv;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL || chdir(dir) == -1)
		return 1;
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rv;
}
