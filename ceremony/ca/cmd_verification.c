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
#include "ca/caref.h"
#include "ca/keyquality.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony verification --registration-code CODE [--days N]\n"
    "                             [--region R [--account ID]] [--ca NAME]\n"
    "                             [--key TYPE] [--passphrase-file F |\n"
    "                              --passphrase-fd N] [--force]\n\n"
    "Creates verificationCert.key and verificationCert.crt: a certificate\n"
    "whose Common Name is the registration code, signed by the CA key.\n"
    "AWS IoT checks it to prove you hold the CA key.\n\n"
    "  --registration-code CODE  the 64 hex characters printed by\n"
    "                     aws iot get-registration-code (on the online\n"
    "                     machine, with the target account and region);\n"
    "                     type it in here\n"
    "  --region R         the region the code is from: writes into\n"
    "                     regions/R/ (one run per region and account;\n"
    "                     ceremony template finds them there)\n"
    "  --account ID       12-digit account the code is from: writes into\n"
    "                     regions/R-ID/ (needs --region)\n"
    "  --ca NAME          signed by intermediate CA NAME: writes into\n"
    "                     intermediate/NAME/ (default: the root CA)\n"
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

/* The output paths for ca and the region (g->region "" for none). */
static int
out_paths(const struct caref *ca, const struct region_reg *g, char *dir,
    char *key, char *crt, size_t len)
{
	char rel[REGION_DIR_MAX + 32];

	if (g->region[0] == 0)
		snprintf(dir, len, "%s", ca->dir);
	else if (region_dir(g, rel, sizeof(rel)) == -1 ||
	    caref_path(ca, rel, dir, len) == -1)
		return -1;
	if (g->region[0] == 0 && ca->name[0] == 0)
		return snprintf(key, len, VER_KEY) < 0 ||
		    snprintf(crt, len, VER_CERT) < 0 ? -1 : 0;
	if (snprintf(key, len, "%s/" VER_KEY, dir) >= (int)len ||
	    snprintf(crt, len, "%s/" VER_CERT, dir) >= (int)len)
		return -1;
	return 0;
}

int
cmd_verification(int argc, char **argv)
{
	static const struct option opts[] = {
		{"registration-code", 1, NULL, 'r'}, {"days", 1, NULL, 'd'},
		{"key", 1, NULL, 'k'}, {"force", 0, NULL, 'f'},
		{"region", 1, NULL, 'R'}, {"account", 1, NULL, 'a'},
		{"ca", 1, NULL, 'c'}, PASS_LONGOPTS,
		PIN_LONGOPTS, {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	char dir[CAREF_PATH_MAX + REGION_DIR_MAX];
	char keyp[sizeof(dir) + 32], crtp[sizeof(dir) + 32];
	const char *outputs[] = {keyp, crtp, NULL};
	const char *inputs[] = {NULL, NULL};
	const char *code = NULL, *keyname = "rsa2048", *caname = NULL;
	const char *region = NULL, *account = NULL;
	char *rawcode = NULL, err[256], fp[96], label[96];
	struct pass_src src = PASS_SRC_INIT;
	struct key_src ksrc = KEY_SRC_INIT;
	struct region_reg g = {{0}, {0}, 0};
	struct cakey ck = {0};
	struct caref ref;
	EVP_PKEY *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	X509_NAME *name = NULL;
	unsigned char sha[32];
	long days = 500;
	int c, type, force = 0, rv = EXIT_USAGE, i, r = -1;
	json_t *args;

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
		case 'R':
			region = optarg;
			break;
		case 'a':
			account = optarg;
			break;
		case 'c':
			caname = optarg;
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
	if (region != NULL && !region_name_ok(region)) {
		warnf("--region: '%s' is not a region name like us-east-2",
		    region);
		return EXIT_USAGE;
	}
	if (account != NULL && region == NULL) {
		warnf("--account needs --region: a registration code belongs "
		      "to one account in one region");
		return EXIT_USAGE;
	}
	if (account != NULL && !region_account_ok(account)) {
		warnf("--account: '%s' is not a 12-digit AWS account id",
		    account);
		return EXIT_USAGE;
	}
	if (region != NULL)
		snprintf(g.region, sizeof(g.region), "%s", region);
	if (account != NULL)
		snprintf(g.account, sizeof(g.account), "%s", account);
	if (caref_open(&ref, caname, err, sizeof(err)) == -1) {
		warnf("%s", err);
		return EXIT_USAGE;
	}
	inputs[0] = ref.cert;
	if (out_paths(&ref, &g, dir, keyp, crtp, sizeof(keyp)) == -1) {
		warnf("verification: output path too long");
		return EXIT_USAGE;
	}
	for (i = 0; outputs[i] != NULL; i++)
		if (file_check_new(outputs[i], force) == -1)
			return EXIT_USAGE;
	if ((ca = pki_cert_load(ref.cert)) == NULL)
		goto out;
	if (keyquality_cert(ca, err, sizeof(err)) == -1) {
		warnf("%s: %s; not registered", ref.cert, err);
		rv = EXIT_CHECK;
		goto out;
	}
	if (X509_cmp_time(X509_get0_notAfter(ca), &(time_t){time(NULL) +
		days * 86400}) < 0) {
		warnf("--days %ld: the certificate would outlive the CA (%s "
		      "notAfter); use a smaller --days", days, ref.cert);
		goto out;
	}
	if ((r = cakey_load_ca(&ck, &ref, &ksrc, &src, ca)) != 0) {
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
		warnf("%s: lint failed, nothing written: %s%s", crtp, err,
		    strstr(err, "notAfter") ? "; use a smaller --days" : "");
		goto out;
	}
	rv = EXIT_USAGE;
	if (region != NULL && dir_make(dir, 0755) == -1) {
		warnf("%s: cannot make the folder", dir);
		goto out;
	}
	if (pki_key_save(keyp, key, NULL, force) == -1 ||
	    pki_cert_save(crtp, cert, force) == -1)
		goto out;
	X509_free(cert);
	if ((cert = pki_cert_load(crtp)) == NULL ||
	    pki_lint(cert, ca, PROFILE_VERIFICATION, err, sizeof(err)) == -1) {
		warnf("%s: does not verify after writing", crtp);
		rv = EXIT_CHECK;
		goto out;
	}
	args = json_pack("{s:s,s:I,s:s}", "registration_code", code, "days",
	    (json_int_t)days, "key", keyname);
	if (args != NULL && region != NULL)
		json_object_set_new(args, "region", json_string(region));
	if (args != NULL && account != NULL)
		json_object_set_new(args, "account", json_string(account));
	if (args != NULL && ref.name[0] != 0)
		json_object_set_new(args, "ca", json_string(ref.name));
	if (transcript_append("verification", args, inputs, outputs,
		ck.ks ? json_pack("{s:o}", "ca_key", cakey_json(&ck)) : NULL) ==
	    -1)
		goto out;
	pki_cert_sha256(cert, sha);
	fingerprint_format(sha, fp);
	printf("Verification certificate  %s (key %s)\n", crtp, keyp);
	printf("  CN            %s\n", code);
	printf("  signed by     %s\n", caref_label(&ref, label,
	    sizeof(label)));
	if (region != NULL)
		printf("  for           region %s, account %s\n", region,
		    account ? account : "(not named)");
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
