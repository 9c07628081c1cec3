/* ceremony crl: sign a CA's certificate revocation list from the ledger
 * (the next cRLNumber, a fresh nextUpdate) into <CA dir>/crl.pem. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sign/revoke.h"
#include "cmd.h"
#include "ca/cakey.h"
#include "ca/crl.h"
#include "ca/pki.h"
#include "core/transcript.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony crl [--ca NAME] [--next-update DAYS] [options]\n\n"
    "Signs the CA's CRL (v2) with its key (a file or a token): every\n"
    "certificate the ledger records as revoked for that CA, with its\n"
    "revocation date and reason, the next cRLNumber (kept in the\n"
    "transcript), the authorityKeyIdentifier, thisUpdate now and\n"
    "nextUpdate DAYS later but never past the CA's own end. The CRL is\n"
    "linted (RFC 5280) before it is written to <CA dir>/crl.pem and checked\n"
    "again after. Run it before the last nextUpdate passes: relying\n"
    "parties refuse a stale CRL. 'ceremony revoke' runs it itself.\n\n"
    "  --ca NAME            the intermediate CA NAME (default: the root)\n"
    "  --next-update DAYS   nextUpdate (default 30)\n" PASS_HELP
    "                     (for the CA key, when it is encrypted)\n" PIN_HELP
    "\n"
    "Exit status: 0 written, 1 a check failed, 2 usage or I/O error.\n";

int
cmd_crl(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ca", 1, NULL, 'c'}, {"next-update", 1, NULL, 'd'},
		PASS_LONGOPTS, PIN_LONGOPTS, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pass_src src = PASS_SRC_INIT;
	struct key_src ksrc = KEY_SRC_INIT;
	struct ledger led;
	struct caref ca;
	struct cakey ck;
	const char *name = NULL, *outs[3];
	char path[CAREF_PATH_MAX + 16], err[300], led_hex[65];
	char *pem = NULL;
	size_t len;
	long days = CRL_DAYS_DEFAULT, number;
	unsigned long count;
	time_t now = time(NULL);
	X509 *cert = NULL;
	json_t *extra;
	int c, r, rv = EXIT_USAGE, have_key = 0;

	led.fd = -1;
	led.path = NULL;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			name = optarg;
			break;
		case 'd':
			if (parse_days(optarg, &days) == -1)
				return EXIT_USAGE;
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
		warnf("crl: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (caref_open(&ca, name, err, sizeof(err)) == -1) {
		warnf("--ca: %s", err);
		return EXIT_USAGE;
	}
	if ((cert = pki_cert_load(ca.cert)) == NULL ||
	    ledger_open(&led, LEDGER_FILE) == -1)
		goto out;
	if ((r = cakey_load_ca(&ck, &ca, &ksrc, &src, cert)) != 0) {
		rv = CAKEY_EXIT(r);
		goto out;
	}
	have_key = 1;
	if (revoke_crl_make(&led, &ca, cert, ck.pkey, days, now, &pem, &len,
	    &number, &count, err, sizeof(err)) == -1) {
		warnf("%s: %s", ca.cert, err);
		rv = EXIT_CHECK;
		goto out;
	}
	caref_path(&ca, CRL_FILE, path, sizeof(path));
	if (file_write(path, pem, len, 0644, 1) == -1)
		goto out;
	if (led.fd != -1 && sha256_file_hex(LEDGER_FILE, led_hex) == -1)
		goto out;
	if (led.fd == -1)
		memset(led_hex, '0', 64), led_hex[64] = 0;
	extra = json_pack("{s:s, s:I, s:I, s:s}", "crl_ca", ca.name,
	    "crl_number", (json_int_t)number, "crl_entries", (json_int_t)count,
	    "ledger_sha256", led_hex);
	outs[0] = path;
	outs[1] = NULL;
	if (transcript_append("crl", json_pack("{s:s, s:I}", "ca", ca.name,
	    "next_update_days", (json_int_t)days), NULL, outs, extra) == -1)
		goto out;
	printf("%s: CRL number %ld, %lu revoked, signed by %s\n", path, number,
	    count, ca.cert);
	rv = 0;
out:
	if (led.path != NULL)
		ledger_close(&led);
	if (have_key)
		cakey_free(&ck);
	X509_free(cert);
	free(pem);
	return rv;
}
