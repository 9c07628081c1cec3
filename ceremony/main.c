/* ceremony: offline root CA ceremony for AWS IoT Core JITP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "core/transcript.h"
#include "core/util.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{"root", cmd_root, "create the CA key, CA certificate and signing key"},
	{"intermediate", cmd_intermediate,
	    "the root certifies an issuing CA that signs devices"},
	{"verification", cmd_verification,
	    "create the AWS verification certificate"},
	{"template", cmd_template,
	    "write jitp_template.json and register.sh"},
	{"backup", cmd_backup, "encrypted CA key backup in SLIP-39 shares"},
	{"restore", cmd_restore, "rebuild the CA key from shares (--check: drill)"},
	{"shares", cmd_shares, "SLIP-39 split or combine a hex secret"},
	{"sign", cmd_sign, "batch-sign device CSRs against the template"},
	{"revoke", cmd_revoke, "revoke certificates: ledger, CRL, AWS script"},
	{"crl", cmd_crl, "sign the CA's certificate revocation list"},
	{"ledger", cmd_ledger, "find and list issued certificates"},
	{"preview", cmd_preview, "show what JITP will create for a device"},
	{"bundle", cmd_bundle, "write the signed bundle as tar.gz and QR frames"},
	{"import", cmd_import, "verify a bundle with a pinned key and unpack it"},
	{"transcript", cmd_transcript, "verify or show the transcript"},
	{"verify-signature", cmd_verify_signature,
	    "check a minisign signature on a file"},
	{"key", cmd_key, "move the CA key into a PKCS#11 token; show where"},
	{"status", cmd_status, "the health of every CA, the backup and the drill"},
	{"init", cmd_init, "write an example config for run"},
	{"run", cmd_run, "run the whole ceremony from one reviewed config"},
	{NULL, NULL, NULL},
};

/* Commands that keep their state in the ceremony directory (checked
 * first), and of those, the ones that append to its transcript (opened
 * and locked before they write anything). */
static const char *const state_commands[] = {"root", "intermediate",
    "verification",
    "template", "backup", "restore", "sign", "bundle", "transcript", "key",
    "revoke", "crl", "ledger", NULL};
static const char *const transcript_commands[] = {"root",
    "intermediate", "verification", "template", "backup", "restore", "sign",
    "bundle", "key", "revoke", "crl", NULL};

static int
listed(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

/* The ceremony directory is fit to hold the command's state. */
static int
state_check(const char *cmd, const char *dir, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    (i == 1 && strcmp(argv[i], "-h") == 0))
			return 0;
	if (listed(state_commands, cmd) &&
	    dir_check_state(".", dir != NULL ? dir : ".") == -1)
		return -1;
	if (listed(transcript_commands, cmd) && transcript_begin() == -1)
		return -1;
	return 0;
}

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: ceremony [-C DIR] COMMAND [options]\n"
		   "       ceremony COMMAND --help\n"
		   "       ceremony --version\n\n"
		   "Offline root CA ceremony for AWS IoT Core just-in-time "
		   "provisioning.\n\n"
		   "  -C DIR     run in ceremony directory DIR (default .)\n\n"
		   "Commands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-17s %s\n", c->name, c->help);
	fprintf(f, "\nExit status: 0 success, 1 a check failed, 2 usage or "
		   "I/O error.\n");
}

int
main(int argc, char **argv)
{
	const struct command *c;
	const char *dir = NULL;

	secure_init();
	if (sodium_init() < 0) {
		warnf("cannot initialise libsodium");
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[0], "--version") == 0) {
			printf("ceremony %s\nsource commit %s\n", CEREMONY_VERSION,
			    ceremony_commit);
			return 0;
		}
		if (strcmp(argv[0], "-C") == 0 && argc > 1) {
			dir = argv[1];
			argc -= 2;
			argv += 2;
			continue;
		}
		warnf("unknown option '%s'", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[0]) == 0)
			break;
	if (c->name == NULL) {
		warnf("unknown command '%s'", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* a new ceremony may name a directory that does not exist yet */
	if (dir != NULL && strcmp(c->name, "root") == 0 && !file_exists(dir) &&
	    dir_make(dir, 0700) == -1)
		return EXIT_USAGE;
	if (dir != NULL && chdir(dir) == -1) {
		warnf("%s: cannot enter the ceremony directory: %s", dir,
		    strerror(errno));
		return EXIT_USAGE;
	}
	if (state_check(c->name, dir, argc, argv) == -1)
		return EXIT_USAGE;
	return c->fn(argc, argv);
}
