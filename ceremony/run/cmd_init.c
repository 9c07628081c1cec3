/* ceremony init: a commented example config for `ceremony run`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "run/run.h"
#include "core/util.h"

const struct cfg_key run_schema[] = {
	{"ceremony", "name", V_TEXT, 1, NULL, 0, 0},
	{"ceremony", "directory", V_TEXT, 1, NULL, 0, 0},
	{"root", "key", V_ENUM, 0, "rsa2048|rsa3072|rsa4096|ec-p256|ec-p384",
	    0, 0},
	{"root", "subject", V_SUBJECT, 1, NULL, 0, 0},
	{"root", "days", V_INT, 0, NULL, 1, 36500},
	{"root", "passphrase", V_ENUM, 0, "yes|no", 0, 0},
	{"root", "key_uri", V_TEXT, 0, NULL, 0, 0},
	{"intermediate *", "subject", V_SUBJECT, 1, NULL, 0, 0},
	{"intermediate *", "days", V_INT, 0, NULL, 1, 36500},
	{"intermediate *", "path_len", V_INT, 0, NULL, 0, 8},
	{"intermediate *", "key", V_ENUM, 0,
	    "rsa2048|rsa3072|rsa4096|ec-p256|ec-p384", 0, 0},
	{"intermediate *", "key_uri", V_TEXT, 0, NULL, 0, 0},
	{"intermediate *", "csr", V_TEXT, 0, NULL, 0, 0},
	{"intermediate *", "passphrase", V_ENUM, 0, "yes|no", 0, 0},
	{"verification", "registration_code", V_CODE, 0, NULL, 0, 0},
	{"verification", "days", V_INT, 0, NULL, 1, 36500},
	{"verification", "key", V_ENUM, 0,
	    "rsa2048|rsa3072|rsa4096|ec-p256|ec-p384", 0, 0},
	{"verification", "region", V_REGION, 0, NULL, 0, 0},
	{"verification", "account", V_DIGITS, 0, NULL, 12, 0},
	{"template", "region", V_REGIONS, 1, NULL, 0, 0},
	{"template", "account", V_ACCOUNTS, 0, NULL, 0, 0},
	{"template", "role", V_TEXT, 0, NULL, 0, 0},
	{"template", "role_arn", V_TEXT, 0, NULL, 0, 0},
	{"template", "policy", V_TEXT, 0, NULL, 0, 0},
	{"template", "mode", V_ENUM, 0, "default|sni-only", 0, 0},
	{"template", "template_name", V_TEXT, 0, NULL, 0, 0},
	{"backup", "threshold", V_INT, 0, NULL, 1, 16},
	{"backup", "shares", V_INT, 0, NULL, 1, 16},
	{"backup", "groups", V_LIST, 0, NULL, 0, 0},
	{"backup", "group_threshold", V_INT, 0, NULL, 1, 16},
	{"backup", "custodians", V_LIST, 0, NULL, 0, 0},
	{"backup", "iteration_exponent", V_INT, 0, NULL, 0, 15},
	{"backup", "slip39_passphrase", V_ENUM, 0, "yes|no", 0, 0},
	{"backup", "paper", V_ENUM, 0, "A4|Letter", 0, 0},
	{"bundle", "formats", V_LIST, 0, NULL, 0, 0},
	{"bundle", "name", V_TEXT, 0, NULL, 0, 0},
	{"bundle", "parity", V_INT, 0, NULL, 1, 200},
	{"bundle", "qr_version", V_INT, 0, NULL, 1, 40},
	{"bundle", "qr_level", V_ENUM, 0, "L|M|Q|H", 0, 0},
	{"bundle", "scale", V_INT, 0, NULL, 1, 32},
	{"bundle", "paper", V_ENUM, 0, "A4|Letter", 0, 0},
	{NULL, NULL, 0, 0, NULL, 0, 0},
};

const char run_example[] =
    "# ceremony run config (openssl.cnf syntax). Review it, rehearse it with\n"
    "#   ceremony run --rehearse ceremony.cnf\n"
    "# and run it on the day with\n"
    "#   ceremony run ceremony.cnf\n"
    "# Passphrases are never written here: they are asked at the terminal\n"
    "# or read with --passphrase-file / --passphrase-fd.\n"
    "\n"
    "[ceremony]\n"
    "name = Acme Device Root CA 2026\n"
    "# where the outputs go, relative to the current directory\n"
    "directory = ca\n"
    "\n"
    "[root]\n"
    "# rsa2048 (as in the AWS how-to), rsa3072, rsa4096, ec-p256, ec-p384\n"
    "key = rsa2048\n"
    "subject = /C=IN/O=AMZ/CN=Acme Device Root CA 2026\n"
    "days = 3650\n"
    "# yes: encrypt the CA and signing keys with a passphrase\n"
    "passphrase = yes\n"
    "\n"
    "# Issuing CAs under the root, one section each (see 'ceremony\n"
    "# intermediate --help'): the root stays offline while they sign\n"
    "# devices with 'ceremony sign --ca NAME'. Uncomment to make one:\n"
    "# [intermediate factory-a]\n"
    "# subject = /C=IN/O=AMZ/CN=Acme Factory A Issuing CA 2026\n"
    "# days = 1826\n"
    "# key = ec-p256\n"
    "# (or key_uri = pkcs11:... for a token, or csr = FILE for a key kept\n"
    "# elsewhere; passphrase = no writes the key unencrypted)\n"
    "\n"
    "[verification]\n"
    "# from 'aws iot get-registration-code' on the online machine; 'ask'\n"
    "# prompts for it during the ceremony\n"
    "registration_code = ask\n"
    "days = 500\n"
    "# with region (and account), the files go to regions/R-ACCOUNT/ as\n"
    "# 'ceremony verification --region R --account ID' writes them\n"
    "# region = us-east-2\n"
    "# account = 123456789012\n"
    "\n"
    "[template]\n"
    "# one region, or a list (us-east-2, eu-west-1:210987654321) with\n"
    "# mode = sni-only: DEFAULT mode needs a verification certificate for\n"
    "# each region and account, and a run makes one\n"
    "region = us-east-2\n"
    "# one account, or a list with mode = sni-only\n"
    "account = 123456789012\n"
    "role = JITPRole\n"
    "# scoped, admin or name:POLICY\n"
    "policy = scoped\n"
    "# default or sni-only\n"
    "mode = default\n"
    "\n"
    "[backup]\n"
    "# one group: threshold of shares; or groups = 3/5, 2/3 with\n"
    "# group_threshold = 2\n"
    "threshold = 3\n"
    "shares = 5\n"
    "custodians = Alice, Bob, Carol, Dave, Erin\n"
    "iteration_exponent = 1\n"
    "# yes: protect the shares with a SLIP-39 passphrase too\n"
    "slip39_passphrase = no\n"
    "\n"
    "[bundle]\n"
    "# tar, qr\n"
    "formats = tar, qr\n"
    "qr_version = 15\n"
    "qr_level = M\n";

static const char usage_text[] =
    "usage: ceremony init [--force] [FILE]\n\n"
    "Writes a commented example config for 'ceremony run' to FILE\n"
    "(default ceremony.cnf). Edit it, review it, then rehearse with\n"
    "'ceremony run --rehearse FILE'.\n";

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", 0, NULL, 'f'}, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = "ceremony.cnf";
	int c, force = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind != argc) {
		warnf("init: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (file_write(path, run_example, strlen(run_example), 0644, force))
		return EXIT_USAGE;
	printf("wrote %s; review it, then: ceremony run --rehearse %s\n", path,
	    path);
	return 0;
}
