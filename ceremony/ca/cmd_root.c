/* ceremony root: the CA key, the self-signed CA certificate and the
 * bundle-signing key. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <sodium.h>

#include "cmd.h"
#include "ca/cakey.h"
#include "ca/pki.h"
#include "ca/sigkey.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/util.h"

#define DEFAULT_SUBJECT "/C=IN/O=AMZ/CN=Device Root CA"

static const char usage_text[] =
    "usage: ceremony root [--key TYPE] [--subject DN] [--days N]\n"
    "                     [--no-passphrase | --passphrase-file F |\n"
    "                      --passphrase-fd N] [--force]\n"
    "                     [--key-uri URI [--pkcs11-module P]\n"
    "                      [--pin-file F | --pin-fd N]]\n\n"
    "Creates the root CA of the ceremony:\n"
    "  deviceRootCA.key   CA private key (0600; PKCS#8, scrypt-encrypted)\n"
    "  deviceRootCA.pem   self-signed CA certificate (CA:TRUE)\n"
    "  ceremony.key       bundle-signing key (Ed25519, minisign format)\n"
    "  ceremony.pub       its public key, for the online machine\n\n"
    "  --key TYPE         rsa2048 (default), rsa3072, rsa4096, ec-p256,\n"
    "                     ec-p384\n"
    "  --subject DN       default " DEFAULT_SUBJECT "\n"
    "  --days N           validity in days (default 3650)\n"
    "  --no-passphrase    write both keys unencrypted (as the AWS how-to)\n"
    PASS_HELP
    "  --force            replace existing outputs\n"
    PIN_HELP
    "                     with --key-uri the CA key is made inside the\n"
    "                     token (non-extractable) and " CA_URI " names\n"
    "                     it in place of " CA_KEY "; the passphrase\n"
    "                     then protects ceremony.key only\n\n"
    "Without a passphrase option the passphrase is asked twice at the\n"
    "terminal; it protects both keys. It must have at least "
    PASS_MIN_TEXT "\n"
    "characters, and no NUL byte. Witnesses write down the printed CA\n"
    "fingerprint and signing key.\n";

static int
root_verify(X509 *cert, const struct sigkey *sk, const char *pass,
    EVP_PKEY *token)
{
	struct sigkey loaded = {0};
	unsigned char *text = NULL, sig[64], msg[32];
	EVP_PKEY *k2 = NULL;
	size_t len;
	int rv = -1;

	/* read both keys back from disk, as an operator would later */
	if (token == NULL && (k2 = pki_key_read(CA_KEY, pass)) == NULL)
		goto out;
	if (!pki_key_matches(token ? token : k2, cert)) {
		warnf("%s: does not match %s after writing", token ? CA_URI :
		    CA_KEY, CA_CERT);
		goto out;
	}
	if (file_read(SIGN_KEY, &text, &len, 4096) == -1 ||
	    sigkey_decode_secret((char *)text, len, pass, &loaded) != 0 ||
	    memcmp(loaded.pk, sk->pk, 32) != 0) {
		warnf("%s: does not read back", SIGN_KEY);
		goto out;
	}
	randombytes_buf(msg, sizeof(msg));
	if (crypto_sign_detached(sig, NULL, msg, sizeof(msg), loaded.sk) ||
	    crypto_sign_verify_detached(sig, msg, sizeof(msg), sk->pk)) {
		warnf("%s: test signature does not verify", SIGN_KEY);
		goto out;
	}
	rv = 0;
out:
	if (text != NULL)
		sodium_memzero(text, len);
	free(text);
	sigkey_free(&loaded);
	EVP_PKEY_free(k2);
	return rv;
}

int
cmd_root(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", 1, NULL, 'k'}, {"subject", 1, NULL, 's'},
		{"days", 1, NULL, 'd'}, {"force", 0, NULL, 'f'},
		{"no-passphrase", 0, NULL, PASS_OPT_NONE}, PASS_LONGOPTS,
		PIN_LONGOPTS, {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *outputs[] = {CA_KEY, CA_CERT, SIGN_KEY, SIGN_PUB, NULL};
	const char *subject = DEFAULT_SUBJECT, *keyname = "rsa2048";
	struct pass_src src = PASS_SRC_INIT;
	struct key_src ksrc = KEY_SRC_INIT;
	struct cakey ck = {0};
	struct sigkey sk = {0};
	X509_NAME *name = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	char *pass = NULL, err[256], fp[96], b64[57], desc[64];
	unsigned char sha[32];
	long days = 3650;
	int c, type, force = 0, rv = EXIT_USAGE, i, r = -1, wrote_uri = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			keyname = optarg;
			break;
		case 's':
			subject = optarg;
			break;
		case 'd':
			if (parse_days(optarg, &days) == -1)
				return EXIT_USAGE;
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
		warnf("root: unexpected argument '%s'", argv[optind]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if ((type = pki_keytype_parse(keyname)) < 0) {
		warnf("--key: unknown key type '%s'; use rsa2048, rsa3072, "
		      "rsa4096, ec-p256 or ec-p384 (RSA under 2048 bits is "
		      "refused by AWS IoT)", keyname);
		return EXIT_USAGE;
	}
	if ((name = pki_subject_parse(subject, err, sizeof(err))) == NULL) {
		warnf("--subject: %s", err);
		return EXIT_USAGE;
	}
	if (ksrc.uri != NULL) {
		outputs[0] = CA_URI;
		if (file_exists(CA_KEY)) {
			warnf("%s exists: with --key-uri the CA key lives in "
			      "the token; move the old ceremony away first",
			    CA_KEY);
			goto out;
		}
	}
	for (i = 0; outputs[i] != NULL; i++)
		if (file_check_new(outputs[i], force) == -1)
			goto out;
	if (!src.none && (pass = pass_get(&src, "CA key", 1)) == NULL)
		goto out;
	if (ksrc.uri != NULL && (r = cakey_generate(&ck, &ksrc, type)) != 0) {
		rv = CAKEY_EXIT(r);
		goto out;
	}
	rv = EXIT_CHECK;
	if (ck.pkey != NULL && (key = ck.pkey, EVP_PKEY_up_ref(key)) != 1)
		goto out;
	if ((key == NULL && (key = pki_keygen(type)) == NULL) ||
	    (cert = pki_cert_issue(PROFILE_CA, name, key, NULL, key, days)) ==
		NULL)
		goto out;
	if (pki_lint(cert, NULL, PROFILE_CA, err, sizeof(err)) == -1) {
		warnf("%s: lint failed, nothing written: %s", CA_CERT, err);
		goto out;
	}
	if (sigkey_generate(&sk) == -1)
		goto out;
	rv = EXIT_USAGE;
	if (ck.ks != NULL && cakey_uri_write(ck.info.uri, force) == 0)
		wrote_uri = 1;
	if ((ck.ks != NULL ? !wrote_uri :
		pki_key_save(CA_KEY, key, pass, force) == -1) ||
	    pki_cert_save(CA_CERT, cert, force) == -1 ||
	    sigkey_save_secret(SIGN_KEY, &sk, pass, force) == -1 ||
	    sigkey_save_public(SIGN_PUB, &sk, force) == -1)
		goto out;
	if (root_verify(cert, &sk, pass, ck.pkey) == -1) {
		rv = EXIT_CHECK;
		goto out;
	}
	if (transcript_append("root", json_pack("{s:s,s:s,s:I,s:s}", "key",
		pki_keytype_name(type), "subject", subject, "days",
		(json_int_t)days, "key_protection", ck.ks ? "pkcs11" : pass ?
		"scrypt" : "none"), NULL, outputs, ck.ks ? json_pack("{s:o}",
		"ca_key", cakey_json(&ck)) : NULL) == -1)
		goto out;
	pki_cert_sha256(cert, sha);
	fingerprint_format(sha, fp);
	sigkey_public_b64(&sk, b64);
	pki_key_check(key, desc, sizeof(desc), err, sizeof(err));
	printf("CA certificate  %s\n", CA_CERT);
	if (ck.ks != NULL)
		printf("  key           %s, in token '%s' (serial %s), "
		       "non-extractable\n  key URI       %s (%s)\n", desc,
		    ck.info.label, ck.info.serial, ck.info.uri, CA_URI);
	else
		printf("  key           %s, %s (%s)\n", desc, CA_KEY,
		    pass ? "passphrase-protected, scrypt" : "NOT encrypted");
	printf("  valid days    %ld\n", days);
	printf("  SHA-256       %s\n", fp);
	printf("Signing key     %s (%s)\n", SIGN_PUB, SIGN_KEY);
	printf("  public key    %s\n", b64);
	if (pass == NULL)
		fprintf(stderr, "ceremony: --no-passphrase: %s%s%s stored "
				"unencrypted; protect %s or make a backup and "
				"destroy %s\n", ck.ks ? "" : CA_KEY " and ",
		    SIGN_KEY, ck.ks ? " is" : " are", ck.ks ? "it" : "them",
		    ck.ks ? "it" : "them");
	rv = 0;
out:
	pass_free(pass);
	sigkey_free(&sk);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	X509_free(cert);
	if (rv != 0 && ck.ks != NULL) {
		/* nothing is left: neither the key in the token nor its URI */
		if (wrote_uri)
			unlink(CA_URI);
		cakey_discard(&ck);
	}
	cakey_free(&ck);
	return rv;
}
