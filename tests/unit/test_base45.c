/* Base45: RFC 9285 vectors, round trips of every length, strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/base45.h"

static void
enc_is(const char *in, size_t n, const char *want)
{
	char out[64];

	assert_int_equal(base45_encoded_len(n), strlen(want));
	base45_encode((const unsigned char *)in, n, out);
	assert_string_equal(out, want);
}

static void
dec_is(const char *in, const char *want, size_t wantlen)
{
	unsigned char out[64];
	size_t n = 0;
	char err[128];

	assert_int_equal(base45_decoded_len(strlen(in)), wantlen);
	assert_int_equal(base45_decode(in, strlen(in), out, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, wantlen);
	assert_memory_equal(out, want, wantlen);
}

static void
test_rfc_vectors(void **state)
{
	enc_is("AB", 2, "BB8");
	enc_is("Hello!!", 7, "%69 VD92EX0");
	enc_is("base-45", 7, "UJCLQE7W581");
	enc_is("ietf!", 5, "QED8WEX0");
	enc_is("", 0, "");
	dec_is("BB8", "AB", 2);
	dec_is("%69 VD92EX0", "Hello!!", 7);
	dec_is("UJCLQE7W581", "base-45", 7);
	dec_is("QED8WEX0", "ietf!", 5);
	dec_is("", "", 0);
}

static void
test_edges(void **state)
{
	/* largest values: 0xffff -> "FGW", 0xff -> "U5" */
	enc_is("\xff\xff", 2, "FGW");
	enc_is("\xff", 1, "U5");
	enc_is("\0\0", 2, "000");
	enc_is("\0", 1, "00");
	dec_is("FGW", "\xff\xff", 2);
	dec_is("U5", "\xff", 1);
}

static void
test_round_trip(void **state)
{
	unsigned char in[300], out[300];
	char text[460], err[128];
	size_t n, len, got, i;

	srand(45);
	for (n = 0; n <= sizeof(in); n++) {
		for (i = 0; i < n; i++)
			in[i] = (unsigned char)rand();
		base45_encode(in, n, text);
		len = strlen(text);
		assert_int_equal(len, base45_encoded_len(n));
		assert_int_equal(strspn(text, BASE45_ALPHABET), len);
		assert_int_equal(base45_decoded_len(len), n);
		assert_int_equal(base45_decode(text, len, out, &got, err,
		    sizeof(err)), 0);
		assert_int_equal(got, n);
		assert_memory_equal(in, out, n);
	}
}

static void
bad(const char *in, size_t len, const char *msg)
{
	unsigned char out[64];
	size_t n = 12345;
	char err[128] = "";

	assert_int_equal(base45_decode(in, len, out, &n, err, sizeof(err)),
	    -1);
	if (strstr(err, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", err, msg);
	assert_int_equal(n, 12345);
}

static void
test_invalid(void **state)
{
	bad("A", 1, "invalid Base45 length 1");
	bad("BB8A", 4, "invalid Base45 length 4");
	bad("bb8", 3, "invalid Base45 character 'b' at offset 0");
	bad("BB8B#", 5, "invalid Base45 character '#' at offset 4");
	bad("BB\n", 3, "invalid Base45 character 0x0a at offset 2");
	bad("B\0" "8", 3, "invalid Base45 character 0x00 at offset 1");
	bad("BB\xc3", 3, "invalid Base45 character 0xc3 at offset 2");
	/* "GGW" = 16 + 16*45 + 32*2025 = 65536 */
	bad("GGW", 3, "value 65536 > 65535");
	bad(":::", 3, "value 91124 > 65535");
	bad("BB8GGW", 6, "group at offset 3");
	/* "V5" = 31 + 5*45 = 256 */
	bad("V5", 2, "final pair at offset 0 (value 256 > 255)");
	bad("BB8::", 5, "final pair at offset 3 (value 2024 > 255)");
	assert_int_equal(base45_decoded_len(1), (size_t)-1);
	assert_int_equal(base45_decoded_len(7), (size_t)-1);
	assert_int_equal(base45_decoded_len(8), 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_vectors),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
