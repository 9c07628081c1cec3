/* ceremony key import|show: move the CA key into a PKCS#11 token; say
 * where it lives. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "cmd.h"
#include "ca/cakey.h"
#include "ca/keyquality.h"
#include "ca/pki.h"
#include "core/fingerprint.h"
#include "core/transcript.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony key import --key-uri URI [--pkcs11-module P]\n"
    "                           [--pin-file F | --pin-fd N]\n"
    "                           [--passphrase-file F | --passphrase-fd N]\n"
    "       ceremony key show [--key-uri URI] [--pkcs11-module P]\n"
    "                         [--pin-file F | --pin-fd N]\n\n"
    "import copies deviceRootCA.key into the token as a non-extractable,\n"
    "sensitive key, signs a test certificate with it in the token and\n"
    "verifies that against deviceRootCA.pem, then writes deviceRootCA.uri,\n"
    "wipes and deletes deviceRootCA.key. Make the SLIP-39 backup first.\n"
    "show prints where the CA key is (file or token), its public key\n"
    "fingerprint, and for a token its label, manufacturer, model, serial\n"
    "and the key's attributes, for the witnesses.\n\n"
    PIN_HELP PASS_HELP
    "                     (for deviceRootCA.key, when it is encrypted)\n";

/* Overwrites path with zeros, fsyncs, and removes it. */
static int
wipe(const char *path)
{
	unsigned char zero[4096] = {0};
	struct stat st;
	off_t left;
	int fd, rv = -1;

	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		goto out;
	for (left = st.st_size; left > 0; left -= (off_t)sizeof(zero))
		if (fd_write_all(fd, zero, left < (off_t)sizeof(zero) ?
			(size_t)left : sizeof(zero)) == -1)
			goto out;
	if (fsync(fd) == -1 || unlink(path) == -1 || dir_sync(path) == -1)
		goto out;
	rv = 0;
out:
	if (rv == -1)
		warnf("%s: cannot wipe and delete: %s; delete it by hand",
		    path, strerror(errno));
	if (fd != -1)
		close(fd);
	return rv;
}

static int
key_import(struct key_src *ks, struct pass_src *src)
{
	const char *inputs[] = {CA_CERT, NULL}, *outputs[] = {CA_URI, NULL};
	struct cakey ck = {0};
	EVP_PKEY *key = NULL;
	X509 *ca = NULL;
	char why[256];
	int r, rv = EXIT_USAGE;

	if (ks->uri == NULL) {
		warnf("key import: --key-uri URI is required");
		return EXIT_USAGE;
	}
	if (file_exists(CA_URI)) {
		warnf("%s exists: the CA key is already in a token", CA_URI);
		return EXIT_USAGE;
	}
	if ((ca = pki_cert_load(CA_CERT)) == NULL ||
	    (key = pki_key_load(CA_KEY, src)) == NULL)
		goto out;
	if (!pki_key_matches(key, ca)) {
		warnf("%s: does not match %s", CA_KEY, CA_CERT);
		rv = EXIT_CHECK;
		goto out;
	}
	if (keyquality_check(key, why, sizeof(why)) == -1) {
		warnf("%s: %s; the token is not touched", CA_KEY, why);
		rv = EXIT_CHECK;
		goto out;
	}
	if ((r = cakey_import(&ck, ks, key)) != 0) {
		rv = CAKEY_EXIT(r);
		goto out;
	}
	rv = EXIT_CHECK;
	if (!pki_key_matches(ck.pkey, ca) || cakey_test_sign(ca, ck.pkey) == -1) {
		warnf("the key in the token does not sign for %s; %s is kept",
		    CA_CERT, CA_KEY);
		cakey_discard(&ck);
		goto out;
	}
	rv = EXIT_USAGE;
	if (cakey_uri_write(ck.info.uri, 0) == -1) {
		cakey_discard(&ck);
		goto out;
	}
	EVP_PKEY_free(key);
	key = NULL;
	if (wipe(CA_KEY) == -1)
		goto out;
	if (transcript_append("key import", json_pack("{s:s}", "removed",
		CA_KEY), inputs, outputs, json_pack("{s:o}", "ca_key",
		cakey_json(&ck))) == -1)
		goto out;
	printf("CA key imported into token '%s' (serial %s)\n",
	    ck.info.label, ck.info.serial);
	printf("  key URI       %s (%s)\n", ck.info.uri, CA_URI);
	printf("  test signature verified against %s\n", CA_CERT);
	printf("  %s wiped and deleted\n", CA_KEY);
	rv = 0;
out:
	cakey_free(&ck);
	EVP_PKEY_free(key);
	X509_free(ca);
	return rv;
}

static const char *
yesno(int v)
{
	return v < 0 ? "unknown" : v ? "true" : "false";
}

static int
key_show(struct key_src *ks)
{
	struct pass_src none = PASS_SRC_INIT;
	struct cakey ck = {0};
	unsigned char *der = NULL, sha[32];
	char fp[96], s1[P11URI_MAX * 4 + 8], s2[160], s3[160], s4[160];
	X509 *ca = NULL;
	EVP_PKEY *pub;
	int len, r, rv = EXIT_USAGE;

	if ((ca = pki_cert_load(CA_CERT)) == NULL)
		return EXIT_USAGE;
	if (ks->uri == NULL && !file_exists(CA_URI)) {
		if (!file_exists(CA_KEY)) {
			warnf("%s: no CA key here (neither %s nor %s)",
			    CA_CERT, CA_KEY, CA_URI);
			goto out;
		}
		pub = X509_get0_pubkey(ca);
		printf("CA key          file %s\n", CA_KEY);
	} else {
		if ((r = cakey_load(&ck, ks, &none, ca)) != 0) {
			rv = CAKEY_EXIT(r);
			goto out;
		}
		pub = ck.pkey;
		printf("CA key          token\n");
		printf("  key URI       %s\n", str_safe(ck.info.uri, (size_t)-1,
		    s1, sizeof(s1)));
		printf("  token label   %s\n  manufacturer  %s\n  model         "
		       "%s\n  serial        %s\n",
		    str_safe(ck.info.label, (size_t)-1, s1, sizeof(s1)),
		    str_safe(ck.info.manufacturer, (size_t)-1, s2, sizeof(s2)),
		    str_safe(ck.info.model, (size_t)-1, s3, sizeof(s3)),
		    str_safe(ck.info.serial, (size_t)-1, s4, sizeof(s4)));
		printf("  CKA_TOKEN             %s\n", yesno(ck.info.token));
		printf("  CKA_PRIVATE           %s\n", yesno(ck.info.private_));
		printf("  CKA_SENSITIVE         %s\n", yesno(ck.info.sensitive));
		printf("  CKA_EXTRACTABLE       %s\n",
		    yesno(ck.info.extractable));
		printf("  CKA_ALWAYS_SENSITIVE  %s\n",
		    yesno(ck.info.always_sensitive));
		printf("  CKA_NEVER_EXTRACTABLE %s\n",
		    yesno(ck.info.never_extractable));
	}
	if ((len = i2d_PUBKEY(pub, &der)) <= 0) {
		warnf("cannot encode the public key");
		goto out;
	}
	crypto_hash_sha256(sha, der, (size_t)len);
	fingerprint_format(sha, fp);
	printf("  public key SHA-256 %s\n", fp);
	if (ck.ks != NULL)
		printf("  matches       %s\n", CA_CERT);
	else
		printf("  (of %s; the file key is checked against it when it "
		       "is used)\n", CA_CERT);
	rv = 0;
out:
	OPENSSL_free(der);
	cakey_free(&ck);
	X509_free(ca);
	ERR_clear_error();
	return rv;
}

int
cmd_key(int argc, char **argv)
{
	static const struct option opts[] = {
		PIN_LONGOPTS, PASS_LONGOPTS, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct key_src ks = KEY_SRC_INIT;
	struct pass_src src = PASS_SRC_INIT;
	const char *sub;
	int c, r = -1;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "import") != 0 &&
	    strcmp(argv[1], "show") != 0)) {
		warnf("key: say 'import' or 'show'");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if ((r = key_src_option(&ks, c, optarg)) == 0 ||
			    pass_option(&src, c, optarg) == 0)
				break;
			if (r != RC_USAGE)
				fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		warnf("key %s: unexpected argument '%s'", sub, argv[optind]);
		return EXIT_USAGE;
	}
	return strcmp(sub, "import") == 0 ? key_import(&ks, &src) :
	    key_show(&ks);
}
