/* ceremony verification: the AWS verification certificate, whose CN is the
 * registration code from `aws iot get-registration-code`. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "ca/cakey.h"
#include "ca/pki.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony verification --registration-code CODE [--days N]\n"
    "                             [--key TYPE] [--passphrase-file F |\n"
    "                              --passphrase-fd N] [--force]\n\n"
    "Creates verificationCert.key and verificationCert.crt: a certificate\n"
    "whose Common Name is the registration code, signed by the CA key.\n"
    "AWS IoT checks it to prove you hold the CA key.\n\n"
    "  --registration-code CODE  the 64 hex characters printed by\n"
    "                     aws iot get-registration-code (on the online\n"
    "                     machine); type it in here\n"
    "  --days N           validity in days (default 500)\n"
    "  --key TYPE         verification key type (default rsa2048)\n"
    PASS_HELP
    "                     (for the CA key, when it is encrypted)\n"
    PIN_HELP "                     (the key in a token: " CA_URI ")\n"
    "  --force            replace existing outputs\n";

/* 64 hex characters, after trimming whitespace from a paste. */
static int
code_check(char *code, const char **out)
{
	char *c = str_trim(code);

	if (strlen(c) != 64 || !str_only(c, "0123456789abcdefABCDEF")) {
		warnf("--registration-code: got %zu characters%s; expected "
		      "exactly 64 hex characters (0-9, a-f), as printed by "
		      "'aws iot get-registration-code'", strlen(c),
		    str_only(c, "0123456789abcdefABCDEF") ? "" :
		    ", not all hex");
		return -1;
	}
	*out = c;
	return 0;
}

int
cmd_verification(int argc, char **argv)
{
	static const struct option opts[] = {
		{"registration-code", 1, NULL, 'r'}, {"days", 1, NULL, 'd'},
		{"key", 1, NULL, 'k'}, {"force", 0, NULL, 'f'}, PASS_LONGOPTS,
		PIN_LONGOPTS, {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *outputs[] = {VER_KEY, VER_CERT, NULL};
	const char *inputs[] = {CA_CERT, NULL};
	const char *code = NULL, *keyname = "rsa2048";
	char *rawcode = NULL, err[256], fp[96];
	struct pass_src src = PASS_SRC_INIT;
	struct key_src ksrc = KEY_SRC_INIT;
	struct cakey ck = {0};
	EVP_PKEY *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	X509_NAME *name = NULL;
	unsigned char sha[32];
	long days = 500;
	int c, type, force = 0, rv = EXIT_USAGE, i, r = -1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rawcode = optarg;
			break;
		case 'd':
			if (parse_days(optarg, &days) == -1)
				return EXIT_USAGE;
			break;
		case 'k':
			keyname = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (pass_option(&src, c, optarg) == 0 ||
			    (r = key_src_option(&ksrc, c, optarg)) == 0)
				break;
			if (r != RC_USAGE)
				fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		warnf("verification: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (rawcode == NULL) {
		warnf("verification: --registration-code CODE is required (run "
		      "'aws iot get-registration-code' on the online machine)");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (code_check(rawcode, &code) == -1)
		return EXIT_USAGE;
	if ((type = pki_keytype_parse(keyname)) < 0) {
		warnf("--key: unknown key type '%s'", keyname);
		return EXIT_USAGE;
	}
	for (i = 0; outputs[i] != NULL; i++)
		if (file_check_new(outputs[i], force) == -1)
			return EXIT_USAGE;
	if ((ca = pki_cert_load(CA_CERT)) == NULL)
		goto out;
	if (X509_cmp_time(X509_get0_notAfter(ca), &(time_t){time(NULL) +
		days * 86400}) < 0) {
		warnf("--days %ld: the certificate would outlive the CA (%s "
		      "notAfter); use a smaller --days", days, CA_CERT);
		goto out;
	}
	if ((r = cakey_load(&ck, &ksrc, &src, ca)) != 0) {
		rv = CAKEY_EXIT(r);
		goto out;
	}
	if ((name = X509_NAME_new()) == NULL ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC,
		(const unsigned char *)code, -1, -1, 0))
		goto out;
	rv = EXIT_CHECK;
	if ((key = pki_keygen(type)) == NULL ||
	    (cert = pki_cert_issue(PROFILE_VERIFICATION, name, key, ca, ck.pkey,
		 days)) == NULL)
		goto out;
	if (pki_lint(cert, ca, PROFILE_VERIFICATION, err, sizeof(err)) == -1) {
		warnf("%s: lint failed, nothing written: %s%s", VER_CERT, err,
		    strstr(err, "notAfter") ? "; use a smaller --days" : "");
		goto out;
	}
	rv = EXIT_USAGE;
	if (pki_key_save(VER_KEY, key, NULL, force) == -1 ||
	    pki_cert_save(VER_CERT, cert, force) == -1)
		goto out;
	X509_free(cert);
	if ((cert = pki_cert_load(VER_CERT)) == NULL ||
	    pki_lint(cert, ca, PROFILE_VERIFICATION, err, sizeof(err)) == -1) {
		warnf("%s: does not verify after writing", VER_CERT);
		rv = EXIT_CHECK;
		goto out;
	}
	if (transcript_append("verification", json_pack("{s:s,s:I,s:s}",
		"registration_code", code, "days", (json_int_t)days, "key",
		keyname), inputs, outputs, ck.ks ? json_pack("{s:o}", "ca_key",
		cakey_json(&ck)) : NULL) == -1)
		goto out;
	pki_cert_sha256(cert, sha);
	fingerprint_format(sha, fp);
	printf("Verification certificate  %s (key %s)\n", VER_CERT, VER_KEY);
	printf("  CN            %s\n", code);
	printf("  valid days    %ld\n", days);
	printf("  SHA-256       %s\n", fp);
	rv = 0;
out:
	cakey_free(&ck);
	EVP_PKEY_free(key);
	X509_free(ca);
	X509_free(cert);
	X509_NAME_free(name);
	return rv;
}
