/* ledger.jsonl: the index, line format round trip, strict parsing,
 * creation on first append, reopen, a torn last line dropped, damage
 * refused, the lock. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_file),
	};
	int rv;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL || chdir(dir) == -1)
		return 1;
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rv;
}
