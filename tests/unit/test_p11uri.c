/* p11uri_parse and p11uri_format: RFC 7512 URIs as p11-kit and OpenSSL's
 * pkcs11 engine write them, each kind of refusal with its message, and
 * the canonical form parsing back to the same key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ca/p11uri.h"

static void
refused(const char *s, const char *msg)
{
	struct p11uri u;
	char err[256] = "";

	assert_int_equal(p11uri_parse(s, &u, err, sizeof(err)), -1);
	if (strstr(err, msg) == NULL)
		fail_msg("'%s': got '%s', want '%s'", s, err, msg);
}

static void
test_parse(void **state)
{
	struct p11uri u;
	char err[256];

	(void)state;
	assert_int_equal(p11uri_parse("pkcs11:token=ceremony;object=device-"
	    "root-ca?module-path=/usr/lib/softhsm/libsofthsm2.so", &u, err,
	    sizeof(err)), 0);
	assert_string_equal(u.token, "ceremony");
	assert_string_equal(u.object, "device-root-ca");
	assert_string_equal(u.module, "/usr/lib/softhsm/libsofthsm2.so");
	assert_int_equal(u.idlen, 0);
	/* RFC 7512's own examples' attributes, %-escapes, a binary id */
	assert_int_equal(p11uri_parse("pkcs11:token=My%20token%25%3B;"
	    "manufacturer=SoftHSM%20project;model=SoftHSM%20v2;serial=abc;"
	    "object=k%3Bey;id=%00%01%fe;type=private;library-version=2.1;"
	    "slot-id=3?module-name=softhsm2", &u, err, sizeof(err)), 0);
	assert_string_equal(u.token, "My token%;");
	assert_string_equal(u.object, "k;ey");
	assert_string_equal(u.manufacturer, "SoftHSM project");
	assert_string_equal(u.model, "SoftHSM v2");
	assert_string_equal(u.serial, "abc");
	assert_int_equal(u.idlen, 3);
	assert_memory_equal(u.id, "\x00\x01\xfe", 3);
	assert_string_equal(u.module, "");
}

static void
test_refused(void **state)
{
	char big[P11URI_MAX + 16];

	(void)state;
	refused("pkcs11:token=t;object=o?pin-value=1234", "holds a PIN");
	refused("pkcs11:token=t;object=o?module-path=/x&pin-source=file:p",
	    "holds a PIN");
	refused("file:///k", "not a PKCS#11 URI");
	refused("pkcs11:object=o", "must name the token and the key");
	refused("pkcs11:token=t", "must name the token and the key");
	refused("pkcs11:token=t;token=u;object=o", "given twice");
	refused("pkcs11:token=t;object=o;colour=red", "unknown path attribute");
	refused("pkcs11:token=t;object=o?frob=1", "unknown query attribute");
	refused("pkcs11:token=t;object=o;type=cert", "type=private");
	refused("pkcs11:token=t%2;object=o", "bad %-escape");
	refused("pkcs11:token=t%zz;object=o", "bad %-escape");
	refused("pkcs11:token=t%00;object=o", "bad %-escape");
	refused("pkcs11:token=;object=o", "empty");
	refused("pkcs11:token=123456789012345678901234567890123;object=o",
	    "at most 32 bytes");
	refused("pkcs11:token=t;object=o;noequals", "not name=value");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big, "pkcs11:", 7);
	refused(big, "longer than");
}

static void
test_format(void **state)
{
	struct p11uri u, v;
	char out[P11URI_MAX], err[256];

	(void)state;
	assert_int_equal(p11uri_parse("pkcs11:token=A%20B;object=k%3B1;"
	    "serial=9f;id=%00%ff?module-path=/usr/lib/x%20y.so", &u, err,
	    sizeof(err)), 0);
	assert_int_equal(p11uri_format(&u, out, sizeof(out)), 0);
	assert_string_equal(out, "pkcs11:token=A%20B;object=k%3B1;serial=9f;"
	    "id=%00%FF?module-path=/usr/lib/x%20y.so");
	assert_int_equal(p11uri_parse(out, &v, err, sizeof(err)), 0);
	assert_string_equal(v.token, u.token);
	assert_string_equal(v.object, u.object);
	assert_int_equal(v.idlen, 2);
	assert_string_equal(v.module, u.module);
	/* too small an output buffer is an error, never a cut URI */
	assert_int_equal(p11uri_format(&u, out, 20), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
