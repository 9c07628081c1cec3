/* pki_subject_parse: the "/C=IN/O=AMZ/CN=..." form of openssl -subj, with
 * backslash escapes, and a message naming each kind of mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "ca/pki.h"

/* The value of entry i, which must have type nid. */
static void
assert_entry(X509_NAME *n, int i, int nid, const char *want)
{
	X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
	unsigned char *utf8 = NULL;
	int len;

	assert_non_null(e);
	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)), nid);
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	assert_true(len >= 0);
	assert_int_equal((size_t)len, strlen(want));
	assert_memory_equal(utf8, want, (size_t)len);
	OPENSSL_free(utf8);
}

static X509_NAME *
good(const char *s)
{
	char err[256] = "";
	X509_NAME *n = pki_subject_parse(s, err, sizeof(err));

	if (n == NULL)
		print_error("'%s': %s\n", s, err);
	assert_non_null(n);
	return n;
}

static void
bad(const char *s, const char *want)
{
	char err[256] = "";
	X509_NAME *n = pki_subject_parse(s, err, sizeof(err));

	if (n != NULL || strstr(err, want) == NULL)
		print_error("'%s': got '%s', want '%s'\n", s ? s : "(null)",
		    err, want);
	assert_null(n);
	assert_non_null(strstr(err, want));
}

static void
test_howto_subject(void **state)
{
	X509_NAME *n = good("/C=IN/O=AMZ/CN=Device Root CA");
	char *s;

	assert_int_equal(X509_NAME_entry_count(n), 3);
	assert_entry(n, 0, NID_countryName, "IN");
	assert_entry(n, 1, NID_organizationName, "AMZ");
	assert_entry(n, 2, NID_commonName, "Device Root CA");
	s = pki_name_string(n);
	assert_string_equal(s, "CN=Device Root CA,O=AMZ,C=IN");
	free(s);
	X509_NAME_free(n);
}

static void
test_device_subject(void **state)
{
	X509_NAME *n = good("/C=IN/CN=thing1");

	assert_int_equal(X509_NAME_entry_count(n), 2);
	assert_entry(n, 0, NID_countryName, "IN");
	assert_entry(n, 1, NID_commonName, "thing1");
	X509_NAME_free(n);
}

static void
test_all_template_attributes(void **state)
{
	X509_NAME *n = good("/C=DE/ST=Bavaria/O=Acme GmbH/OU=Sensors"
			    "/dnQualifier=q1/serialNumber=SN-0042/CN=thing-7");

	assert_int_equal(X509_NAME_entry_count(n), 7);
	assert_entry(n, 1, NID_stateOrProvinceName, "Bavaria");
	assert_entry(n, 3, NID_organizationalUnitName, "Sensors");
	assert_entry(n, 4, NID_dnQualifier, "q1");
	assert_entry(n, 5, NID_serialNumber, "SN-0042");
	assert_entry(n, 6, NID_commonName, "thing-7");
	X509_NAME_free(n);
	/* long names work as well as short ones */
	n = good("/countryName=IN/organizationName=AMZ/commonName=x");
	assert_entry(n, 0, NID_countryName, "IN");
	assert_entry(n, 2, NID_commonName, "x");
	X509_NAME_free(n);
}

static void
test_escapes(void **state)
{
	X509_NAME *n = good("/O=A\\/B Corp/CN=a\\\\b\\/c");

	assert_int_equal(X509_NAME_entry_count(n), 2);
	assert_entry(n, 0, NID_organizationName, "A/B Corp");
	assert_entry(n, 1, NID_commonName, "a\\b/c");
	X509_NAME_free(n);
	/* a backslash before anything else is kept as it is */
	n = good("/CN=a\\nb");
	assert_entry(n, 0, NID_commonName, "a\\nb");
	X509_NAME_free(n);
	/* '=' in a value belongs to the value */
	n = good("/CN=a=b");
	assert_entry(n, 0, NID_commonName, "a=b");
	X509_NAME_free(n);
	/* an escaped slash at the end of the string */
	n = good("/CN=end\\/");
	assert_entry(n, 0, NID_commonName, "end/");
	X509_NAME_free(n);
}

static void
test_utf8_and_lengths(void **state)
{
	char cn[80];
	X509_NAME *n = good("/CN=Zo\xc3\xab \xe6\xb5\x8b\xe8\xaf\x95");

	assert_entry(n, 0, NID_commonName,
	    "Zo\xc3\xab \xe6\xb5\x8b\xe8\xaf\x95");
	X509_NAME_free(n);
	/* a registration code is exactly 64 characters, CN's upper bound */
	memset(cn, 0, sizeof(cn));
	memcpy(cn, "/CN=", 4);
	memset(cn + 4, 'a', 64);
	n = good(cn);
	assert_entry(n, 0, NID_commonName, cn + 4);
	X509_NAME_free(n);
	cn[4 + 64] = 'a';
	bad(cn, "subject field 1: bad value for CN");
}

static void
test_missing_slash(void **state)
{
	bad(NULL, "subject must start with '/'");
	bad("", "subject must start with '/'");
	bad("C=IN/CN=x",
	    "subject must start with '/', as in /C=IN/O=AMZ/CN=Root");
	bad(" /CN=x", "must start with '/'");
}

static void
test_no_equals(void **state)
{
	bad("/CN", "subject field 1 ('CN') has no '='; expected TYPE=value");
	bad("/C=IN/thing1", "subject field 2 ('thing1') has no '='");
	bad("/", "subject field 1 ('') has no '='");
	bad("/C=IN//CN=x", "subject field 2 ('') has no '='");
	bad("/CN=x/", "subject field 2 ('') has no '='");
	/* an escaped slash does not start a new field */
	bad("/CN\\/x", "subject field 1 ('CN/x') has no '='");
}

static void
test_unknown_type(void **state)
{
	bad("/XX=1", "subject field 1: unknown attribute type 'XX'");
	bad("/C=IN/Foo=bar", "subject field 2: unknown attribute type 'Foo'");
	bad("/=value", "subject field 1: unknown attribute type ''");
}

static void
test_empty_value(void **state)
{
	bad("/CN=", "subject field 1: CN is empty");
	bad("/C=IN/O=", "subject field 2: O is empty");
}

static void
test_bad_country(void **state)
{
	bad("/C=INDIA/CN=x",
	    "subject field 1: bad value for C: 'INDIA' (a country is two "
	    "letters, e.g. IN)");
	bad("/C=I", "(a country is two letters");
	bad("/O=x/C=IND", "subject field 2: bad value for C: 'IND'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_howto_subject),
		cmocka_unit_test(test_device_subject),
		cmocka_unit_test(test_all_template_attributes),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8_and_lengths),
		cmocka_unit_test(test_missing_slash),
		cmocka_unit_test(test_no_equals),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_bad_country),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
