/* ceremony verify-signature: check a minisign signature on any file, as
 * `minisign -Vm FILE -P KEY` does, where minisign is not installed (the
 * offline kit's SHA256SUMS on the air-gapped machine). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ca/minisig.h"
#include "ca/sigkey.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony verify-signature --pubkey KEY [--signature SIG] FILE\n\n"
    "Verifies the minisign (Ed25519) signature SIG of FILE against KEY, a\n"
    "minisign public key file or its base64 line. The signature and the\n"
    "global signature over its trusted comment are both checked; the\n"
    "trusted comment is printed, control characters and bytes outside\n"
    "printable ASCII as \\xNN and a backslash doubled. Reads nothing\n"
    "else, writes nothing.\n\n"
    "  --pubkey KEY       public key file (.pub) or base64 key line\n"
    "  --signature SIG    signature file (default FILE.minisig)\n\n"
    "Example: ceremony verify-signature --pubkey kit.pub SHA256SUMS\n\n"
    "Exit status: 0 the signature is good, 1 it is not, 2 usage or I/O\n"
    "error.\n";

static int
load_key(const char *arg, struct sigkey *k)
{
	if (!file_exists(arg) && sigkey_parse_public(arg, k) == 0)
		return 0;
	return sigkey_load_public(arg, k);
}

int
cmd_verify_signature(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pubkey", 1, NULL, 'p'},
	    {"signature", 1, NULL, 's'},
	    {"help", 0, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sigkey pk = {0};
	struct minisig s;
	unsigned char *msg = NULL, *sig = NULL;
	const char *pub = NULL, *sigpath = NULL, *path;
	char defsig[4096], err[512], id[17];
	char q[4 * MINISIG_COMMENT_MAX + 1]; /* the comment, quoted */
	size_t msglen, siglen;
	int c, rv = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pub = optarg;
			break;
		case 's':
			sigpath = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || pub == NULL) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if (sigpath == NULL) {
		if ((size_t)snprintf(defsig, sizeof(defsig), "%s.minisig",
		    path) >= sizeof(defsig)) {
			warnf("%s: name too long", path);
			return EXIT_USAGE;
		}
		sigpath = defsig;
	}
	if (load_key(pub, &pk) == -1 ||
	    file_read(path, &msg, &msglen, 1u << 30) == -1 ||
	    file_read(sigpath, &sig, &siglen, MINISIG_FILE_MAX) == -1)
		goto out;
	if (minisig_parse((const char *)sig, siglen, &s, err,
	    sizeof(err)) == -1) {
		warnf("%s: %s", sigpath, err);
		rv = EXIT_CHECK;
		goto out;
	}
	if (minisig_verify(&s, &pk, msg, msglen, err, sizeof(err)) == -1) {
		warnf("%s: %s", sigpath, err);
		rv = EXIT_CHECK;
		goto out;
	}
	minisig_keyid(s.keynum, id);
	printf("%s: good signature by key %s\ntrusted comment: %s\n", path,
	    id, str_safe(s.trusted, (size_t)-1, q, sizeof(q)));
	rv = 0;
out:
	free(msg);
	free(sig);
	sigkey_free(&pk);
	return rv;
}
