/* ceremony shares split|combine: plain SLIP-39 on a hex secret. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "core/secret.h"
#include "backup/sheet.h"
#include "backup/slip39.h"
#include "core/util.h"

#define SHARES_INPUT_MAX (1u << 20)

static const char usage_text[] =
    "usage: ceremony shares split (--threshold T --shares N |\n"
    "                              --group T/N ... [--group-threshold G])\n"
    "                             [--iteration-exponent E] [passphrase]\n"
    "       ceremony shares combine [--reveal] [passphrase]\n\n"
    "Plain SLIP-39, interoperable with other SLIP-39 tools.\n\n"
    "split reads a master secret in hex on stdin (16 to 64 bytes, an even\n"
    "number) and prints the share mnemonics, one per line, group by group.\n"
    "  --threshold T --shares N   one group: any T of N shares recover it\n"
    "  --group T/N                a group of N shares needing T (repeat,\n"
    "                             up to 16 groups)\n"
    "  --group-threshold G        groups needed (default 1)\n"
    "  --iteration-exponent E     PBKDF2 cost 10000 * 2^E (0-15, default 1)\n\n"
    "combine reads mnemonics on stdin (one per line, or a share sheet) and\n"
    "checks that they recover a secret; it prints a fingerprint of it.\n"
    "  --reveal                   print the master secret in hex\n\n"
    "passphrase (the SLIP-39 passphrase, printable ASCII; none by default;\n"
    "a new one at split needs at least " PASS_MIN_TEXT " characters):\n"
    "  --passphrase               ask at the terminal\n" PASS_HELP "\n"
    "Exit status: 0 ok, 1 the shares do not combine, 2 usage or I/O error.\n"
    "Example: echo 00112233445566778899aabbccddeeff |\n"
    "         ceremony shares split --threshold 2 --shares 3 | head -2 |\n"
    "         ceremony shares combine --reveal\n";

static int
shares_split(int argc, char **argv)
{
	static const struct option opts[] = {
		SLIP39_LONGOPTS, {"passphrase", 0, NULL, 'p'}, PASS_LONGOPTS,
		{"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct slip39_opts so;
	struct slip39_scheme *s = &so.s;
	struct pass_src src = PASS_SRC_INIT;
	struct slip39_share *sh = NULL;
	char *text = NULL, *pass = NULL, *mn = NULL, err[256];
	unsigned char *ms = NULL;
	size_t len, i, n, hexlen;
	int c, v, ask = 0, rv = EXIT_USAGE;

	slip39_opts_init(&so);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ask = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if ((v = slip39_option(&so, c, optarg)) == RC_USAGE)
				return EXIT_USAGE;
			if (v == 0 || pass_option(&src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		warnf("shares split: unexpected argument '%s'",
		    str_safe(argv[optind], (size_t)-1, err, sizeof(err)));
		return EXIT_USAGE;
	}
	if (slip39_opts_scheme(&so, "shares split", 0) == -1)
		return EXIT_USAGE;
	if (sheet_read("-", &text, &len, 4096) == -1)
		goto out;
	str_trim(text);
	hexlen = strlen(text);
	if (hexlen % 4 != 0 || hexlen < 32 || hexlen > 128 ||
	    !str_only(text, "0123456789abcdefABCDEF")) {
		warnf("stdin: the master secret must be 32 to 128 hex digits, "
		      "a multiple of 4 (16 to 64 bytes, an even number)");
		goto out;
	}
	n = slip39_scheme_shares(s);
	ms = sodium_malloc(hexlen / 2);
	sh = sodium_allocarray(n, sizeof(*sh));
	mn = sodium_malloc(SLIP39_MAX_MNEMONIC);
	if (ms == NULL || sh == NULL || mn == NULL) {
		warnf("out of secure memory");
		goto out;
	}
	if (hex_decode(text, ms, hexlen / 2) == -1) {
		warnf("stdin: not hex");
		goto out;
	}
	ask |= src.file != NULL || src.fd >= 0;
	if ((pass = slip39_pass_read(&src, ask, 1)) == NULL)
		goto out;
	if (slip39_generate(s, ms, hexlen / 2, pass, -1, sh, err,
	        sizeof(err)) == -1) {
		warnf("shares split: %s", err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (slip39_encode(&sh[i], mn, SLIP39_MAX_MNEMONIC) == -1) {
			warnf("shares split: cannot encode share %zu", i + 1);
			goto out;
		}
		printf("%s\n", mn);
	}
	if (fflush(stdout) == EOF) {
		warnf("stdout: write error");
		goto out;
	}
	rv = 0;
out:
	sheet_free(text);
	sodium_free(ms);
	sodium_free(sh);
	sodium_free(mn);
	pass_free(pass);
	return rv;
}

static int
shares_combine(int argc, char **argv)
{
	static const struct option opts[] = {
		{"reveal", 0, NULL, 'r'}, {"passphrase", 0, NULL, 'p'},
		PASS_LONGOPTS, {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct pass_src src = PASS_SRC_INIT;
	struct slip39_share *sh = NULL;
	char *text = NULL, *pass = NULL, *mn[SLIP39_MAX_SHARES];
	char *name[SLIP39_MAX_SHARES] = {NULL};
	char err[512], hex[2 * SLIP39_MAX_SECRET + 1];
	unsigned char *ms = NULL;
	size_t len, n = 0, i, line[SLIP39_MAX_SHARES];
	int c, reveal = 0, ask = 0, rv = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reveal = 1;
			break;
		case 'p':
			ask = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (pass_option(&src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		warnf("shares combine: unexpected argument '%s'",
		    str_safe(argv[optind], (size_t)-1, err, sizeof(err)));
		return EXIT_USAGE;
	}
	if (sheet_read("-", &text, &len, SHARES_INPUT_MAX) == -1 ||
	    sheet_parse_lines(text, "stdin", mn, line, SLIP39_MAX_SHARES,
	        &n) == -1)
		goto out;
	if (n == 0) {
		warnf("stdin: no mnemonics; give one share per line");
		goto out;
	}
	sh = sodium_allocarray(n, sizeof(*sh));
	ms = sodium_malloc(SLIP39_MAX_SECRET);
	if (sh == NULL || ms == NULL) {
		warnf("out of secure memory");
		goto out;
	}
	/* each share named by its line (a sheet gives one share) */
	for (i = 0; i < n; i++)
		if ((line[i] == 0 ? asprintf(&name[i], "stdin") :
		        asprintf(&name[i], "stdin line %zu", line[i])) == -1) {
			name[i] = NULL;
			warnf("out of memory");
			goto out;
		}
	rv = EXIT_CHECK;
	for (i = 0; i < n; i++)
		if (slip39_decode(mn[i], &sh[i], err, sizeof(err)) == -1) {
			warnf("%s: %s", name[i], err);
			goto out;
		}
	rv = EXIT_USAGE;
	ask |= src.file != NULL || src.fd >= 0;
	if ((pass = slip39_pass_read(&src, ask, 0)) == NULL)
		goto out;
	rv = EXIT_CHECK;
	if (slip39_combine(sh, n, (const char *const *)name, pass, ms, &len,
	        err, sizeof(err)) == -1) {
		warnf("shares combine: %s", err);
		goto out;
	}
	if (reveal) {
		sodium_bin2hex(hex, sizeof(hex), ms, len);
		printf("%s\n", hex);
		sodium_memzero(hex, sizeof(hex));
	} else {
		sha256_hex(ms, len, hex);
		printf("ok: %zu shares combine to a %zu-byte secret "
		       "(identifier %u)\nfingerprint: SHA-256 %.16s...\n",
		    n, len, sh[0].id, hex);
	}
	if (fflush(stdout) == EOF) {
		warnf("stdout: write error");
		rv = EXIT_USAGE;
		goto out;
	}
	rv = 0;
out:
	for (i = 0; i < n; i++)
		free(name[i]);
	sheet_free_all(mn, n);
	sheet_free(text);
	sodium_free(sh);
	sodium_free(ms);
	pass_free(pass);
	return rv;
}

int
cmd_shares(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "split") == 0)
		return shares_split(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "combine") == 0)
		return shares_combine(argc - 1, argv + 1);
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	warnf("shares: give 'split' or 'combine'");
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
