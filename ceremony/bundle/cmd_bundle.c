/* ceremony bundle: the signed transfer bundle, as tar.gz and QR frames. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle/bundle.h"
#include "bundle/revbundle.h"
#include "cmd.h"
#include "ca/pki.h"
#include "core/transcript.h"
#include "core/util.h"

#define F_TAR 1
#define F_QR 2
#define F_TERM 4

static const char usage_text[] =
    "usage: ceremony bundle [--format tar|qr|term ...] [--name NAME]\n"
    "                       [--ca NAME]\n"
    "                       [--parity P] [--qr-version V] [--qr-level L]\n"
    "                       [--scale S] [--paper A4|Letter] [--force]\n"
    "                       [--passphrase-file F | --passphrase-fd N]\n"
    "       ceremony bundle --revocations DIR [same options]\n";

static const char help_text[] =
    "\n"
    "Packs what the online machine needs into one signed bundle:\n"
    "deviceRootCA.pem, verificationCert.crt (not in sni-only mode),\n"
    "jitp_template.json, register.sh, transcript.log, ceremony.pub, a\n"
    "README.txt for the online operator, MANIFEST (sha256sum format) and\n"
    "MANIFEST.minisig (minisign signature by ceremony.key). With several\n"
    "regions: regions.txt, register-all.sh and regions/*/ (each region's\n"
    "verification certificate, template and register.sh). Each\n"
    "intermediate CA's public files too: intermediate/NAME/\n"
    "deviceRootCA.pem, chain.pem and its registrations (never a key).\n"
    "Checks the transcript, the certificates and the templates first.\n"
    "\n"
    "  --format F     tar: bundle/NAME.tar.gz (deterministic ustar+gzip)\n"
    "                 qr: bundle/qr/ with frame-NNN.png and .svg,\n"
    "                 frames.txt (one payload per line) and frames.html\n"
    "                 (printable sheet with labels and the SHA-256)\n"
    "                 term: show the frames one at a time in the terminal\n"
    "                 Repeat or separate with commas (default tar,qr).\n"
    "  --name NAME    bundle and top folder name, 1-64 of [A-Za-z0-9._-]\n"
    "                 (default ceremony-YYYYMMDD-HHMMSS of the bundle time)\n"
    "  --parity P     parity frames: any k of the k+P frames rebuild the\n"
    "                 bundle (default 40% of k, at least 1)\n"
    "  --qr-version V QR version 1-40 (default 15)\n"
    "  --qr-level L   error correction L, M, Q or H (default M)\n"
    "  --scale S      PNG pixels per module, 1-64 (default 4)\n"
    "  --paper P      frames.html paper size, A4 or Letter (default A4)\n"
    "  --ca NAME      only intermediate CA NAME: its public files and\n"
    "                 registrations, with the root's certificate (for\n"
    "                 the team that registers that CA)\n"
    "  --force        replace an existing bundle of the same name\n"
    "  --revocations DIR  bundle a revocations/<id>/ folder of 'ceremony\n"
    "                 revoke' instead: revoke.sh, revoked.txt, crl.pem and\n"
    "                 the CRL's CA (default name revocation-<id>)\n" PASS_HELP
    "\n"
    "The archive's time (every mtime, the signature timestamp) is\n"
    "SOURCE_DATE_EPOCH if set, else the time of the transcript's last\n"
    "line: the same ceremony gives the same bytes. The frames are decoded\n"
    "again and compared with the archive before the command finishes.\n"
    "Exit status: 0 written, 1 a check failed, 2 usage or I/O error.\n";

static int
parse_formats(const char *arg, int *fmt)
{
	char *copy, *tok, *save = NULL;
	int rv = 0;

	if ((copy = strdup(arg)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "tar") == 0)
			*fmt |= F_TAR;
		else if (strcmp(tok, "qr") == 0)
			*fmt |= F_QR;
		else if (strcmp(tok, "term") == 0)
			*fmt |= F_TERM;
		else {
			warnf("--format: '%s' is not tar, qr or term", tok);
			rv = -1;
		}
	}
	free(copy);
	return rv;
}

static int
parse_int(const char *opt, const char *arg, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		warnf("%s: '%s' is not a number from %ld to %ld", opt, arg, lo,
		    hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
cmd_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", 1, NULL, 'F'},
	    {"name", 1, NULL, 'n'},
	    {"parity", 1, NULL, 'p'},
	    {"qr-version", 1, NULL, 'V'},
	    {"qr-level", 1, NULL, 'L'},
	    {"scale", 1, NULL, 's'},
	    {"paper", 1, NULL, 'P'},
	    {"force", 0, NULL, 'f'},
	    {"revocations", 1, NULL, 'R'},
	    {"ca", 1, NULL, 'c'},
	    {"help", 0, NULL, 'h'},
	    PASS_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct pass_src src = PASS_SRC_INIT;
	struct bundle_qr q;
	struct bundle b;
	struct sigkey k = {0}, pub;
	char tarpath[sizeof(BUNDLE_DIR) + TAR_NAME_MAX + 16];
	char fmts[16] = "", level[2] = "M";
	const char *inputs[BUNDLE_MAX + 1] = {NULL}, *outputs[3] = {NULL};
	const char *revocations = NULL;
	size_t i, no = 0;
	struct tm tm;
	json_t *extra = NULL, *args;
	time_t t;
	int c, fmt = 0, force = 0, rv = EXIT_USAGE;

	memset(&b, 0, sizeof(b));
	memset(&q, 0, sizeof(q));
	q.version = 15;
	q.parity = -1;
	q.scale = 4;
	q.level = 'M';
	q.paper = "A4";
	optind = 0; /* full getopt reset: cmd_run calls us after others */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (parse_formats(optarg, &fmt) == -1)
				return EXIT_USAGE;
			break;
		case 'n':
			if (!tar_name_ok(optarg)) {
				warnf("--name: '%s' is not 1-%d of "
				      "[A-Za-z0-9._-] starting with a letter "
				      "or digit",
				    optarg, TAR_NAME_MAX);
				return EXIT_USAGE;
			}
			snprintf(b.name, sizeof(b.name), "%s", optarg);
			break;
		case 'p':
			if (parse_int("--parity", optarg, 1, 254, &q.parity))
				return EXIT_USAGE;
			break;
		case 'V':
			if (parse_int("--qr-version", optarg, 1, 40,
				&q.version))
				return EXIT_USAGE;
			break;
		case 'L':
			if (strlen(optarg) != 1 || !strchr("LMQH", optarg[0])) {
				warnf("--qr-level: '%s' is not L, M, Q or H",
				    optarg);
				return EXIT_USAGE;
			}
			q.level = level[0] = optarg[0];
			break;
		case 's':
			if (parse_int("--scale", optarg, 1, 64, &q.scale))
				return EXIT_USAGE;
			break;
		case 'P':
			if (strcmp(optarg, "A4") != 0 &&
			    strcmp(optarg, "Letter") != 0) {
				warnf("--paper: '%s' is not A4 or Letter",
				    optarg);
				return EXIT_USAGE;
			}
			q.paper = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'R':
			revocations = optarg;
			break;
		case 'c':
			b.only = optarg;
			break;
		case 'h':
			printf("%s%s", usage_text, help_text);
			return 0;
		default:
			if (pass_option(&src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		warnf("bundle: unexpected argument '%s'", argv[optind]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (fmt == 0)
		fmt = F_TAR | F_QR;
	if (revocations != NULL)
		return revb_bundle(revocations, b.name, fmt & (F_TAR | F_QR), &q,
		    force, &src);
	snprintf(fmts, sizeof(fmts), "%s%s%s", fmt & F_TAR ? ",tar" : "",
	    fmt & F_QR ? ",qr" : "", fmt & F_TERM ? ",term" : "");
	if (bundle_time(&b.mtime) == -1)
		return EXIT_USAGE;
	if (b.name[0] == 0) {
		t = (time_t)b.mtime;
		gmtime_r(&t, &tm);
		strftime(b.name, sizeof(b.name), "ceremony-%Y%m%d-%H%M%S", &tm);
	}
	snprintf(tarpath, sizeof(tarpath), BUNDLE_DIR "/%s.tar.gz", b.name);
	if (((fmt & F_TAR) && file_check_new(tarpath, force) == -1) ||
	    ((fmt & F_QR) && file_check_new(BUNDLE_QR_DIR, force) == -1))
		return EXIT_USAGE;

	if (bundle_read(&b) == -1)
		goto out;
	if (bundle_check(&b) == -1) {
		rv = EXIT_CHECK;
		goto out;
	}
	/* transcript.log itself changes with the line: not an input */
	for (i = 0, c = 0; i < b.n; i++)
		if (strcmp(b.m[i].name, TRANSCRIPT_FILE) != 0)
			inputs[c++] = b.m[i].name;
	if (sigkey_load_secret(SIGN_KEY, &src, &k) == -1)
		goto out;
	if (sigkey_parse_public(b.pub_b64, &pub) == -1 ||
	    memcmp(pub.pk, k.pk, 32) != 0 ||
	    memcmp(pub.keynum, k.keynum, 8) != 0) {
		warnf("%s and %s are not one key pair", SIGN_KEY, SIGN_PUB);
		rv = EXIT_CHECK;
		goto out;
	}

	/* the signed archive and its frames, each decoded again */
	if (bundle_seal(&b, &k) == -1)
		goto out;
	if (bundle_self_check(&b, &pub) == -1) {
		rv = EXIT_CHECK;
		goto out;
	}
	if (fmt & (F_QR | F_TERM)) {
		if (bundle_qr_make(&b, &q) == -1)
			goto out;
		if (bundle_qr_self_check(&b, &q) == -1) {
			rv = EXIT_CHECK;
			goto out;
		}
	}

	if ((fmt & (F_TAR | F_QR)) && dir_make(BUNDLE_DIR, 0755) == -1)
		goto out;
	if (fmt & F_TAR) {
		if (file_write(tarpath, b.gz, b.gzlen, 0644, force) == -1)
			goto out;
		outputs[no++] = tarpath;
	}
	if (fmt & F_QR) {
		if (bundle_qr_write(&b, &q) == -1)
			goto out;
		outputs[no++] = BUNDLE_QR_DIR "/frames.txt";
	}
	if ((fmt & F_TERM) && bundle_qr_show(&q) == -1)
		goto out;
	extra = json_pack("{s:s,s:I,s:s,s:s}", "bundle_sha256", b.sha,
	    "bundle_bytes", (json_int_t)b.gzlen, "signing_key", b.keyid,
	    "ceremony_name", b.cn);
	if (extra != NULL && (fmt & (F_QR | F_TERM)) &&
	    (json_object_set_new(extra, "frames", json_integer(q.info.n)) ||
		json_object_set_new(extra, "frames_needed",
		    json_integer(q.info.k))))
		goto out;
	args = json_pack("{s:s,s:s,s:i,s:s,s:i,s:i}", "name", b.name,
	    "formats", fmts + 1, "qr_version", q.version, "qr_level", level,
	    "parity", q.parity, "scale", q.scale);
	if (args != NULL && b.only != NULL)
		json_object_set_new(args, "ca", json_string(b.only));
	c = transcript_append("bundle", args, inputs, outputs, extra);
	extra = NULL; /* stolen, like args */
	if (c == -1)
		goto out;

	printf("Bundle          %s (%zu bytes, %zu files)\n",
	    fmt & F_TAR ? tarpath : b.name, b.gzlen, b.n);
	printf("  SHA-256       %s\n", b.sha);
	printf("  signed by     key id %s (%s)\n", b.keyid, b.pub_b64);
	printf("  CA SHA-256    %s\n", b.fp);
	if (fmt & (F_QR | F_TERM))
		printf("QR frames       %u (any %u rebuild it), version %d-%c, "
		       "%zu payload bytes each%s\n",
		    q.info.n, q.info.k, q.version, q.level, q.info.payload,
		    fmt & F_QR ? ", in " BUNDLE_QR_DIR "/" : "");
	printf("Import on the online machine:\n");
	if (fmt & F_TAR)
		printf("  ceremony import %s --pubkey %s\n", tarpath,
		    b.pub_b64);
	if (fmt & F_QR)
		printf("  zbarimg --raw -q -Sdisable -Sqrcode.enable %s/frame-*.png "
		       "| ceremony import "
		       "--qr - --pubkey %s\n",
		    BUNDLE_QR_DIR, b.pub_b64);
	rv = 0;
out:
	json_decref(extra);
	sigkey_free(&k);
	bundle_qr_free(&q);
	bundle_free(&b);
	return rv;
}
