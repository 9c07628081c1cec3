/* ceremony intermediate NAME: the root certifies an issuing CA, whose key
 * is made here (a file or a token) or stays where a CSR came from. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cmd.h"
#include "ca/cakey.h"
#include "ca/caref.h"
#include "ca/intermediate.h"
#include "ca/pki.h"
#include "core/fingerprint.h"
#include "core/transcript.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony intermediate NAME --subject DN [--days N] [--path-len N]\n"
    "           [--key TYPE] [--key-uri URI [--pkcs11-module P]\n"
    "            [--pin-file F | --pin-fd N]] [--csr FILE]\n"
    "           [--no-passphrase | --passphrase-file F | --passphrase-fd N]\n"
    "           [--root-passphrase-file F | --root-passphrase-fd N]\n"
    "           [--root-pin-file F | --root-pin-fd N] [--force]\n\n"
    "The root CA certifies an issuing (intermediate) CA named NAME, which\n"
    "then signs devices ('ceremony sign --ca NAME') while the root stays\n"
    "offline. Its files go to intermediate/NAME/:\n"
    "  deviceRootCA.pem   the issuing CA's certificate (critical CA:TRUE,\n"
    "                     pathLenConstraint, keyCertSign, cRLSign,\n"
    "                     digitalSignature), signed by the root\n"
    "  deviceRootCA.key   its key (0600; PKCS#8, scrypt-encrypted), or\n"
    "  deviceRootCA.uri   its key in a PKCS#11 token (--key-uri)\n"
    "  chain.pem          the issuing CA, then the root\n\n"
    "  NAME               1-64 of a-z, 0-9, '-', '_'; never used again\n"
    "  --subject DN       the issuing CA's subject, e.g.\n"
    "                     /C=IN/O=AMZ/CN=Factory A Issuing CA (not the\n"
    "                     root's; AWS allows 10 CAs per subject and account)\n"
    "  --days N           validity (default 1826, 5 years; never past the\n"
    "                     root's end)\n"
    "  --path-len N       pathLenConstraint (default 0: it signs devices\n"
    "                     only; at most 8, and below the root's own)\n"
    "  --key TYPE         rsa2048 (default), rsa3072, rsa4096, ec-p256,\n"
    "                     ec-p384\n"
    "  --key-uri URI      make the key in a PKCS#11 token (RFC 7512, no PIN)\n"
    "  --pkcs11-module P  the PKCS#11 module (else the URI's module-path,\n"
    "                     else PKCS11_MODULE_PATH), for both tokens\n"
    "  --pin-file F       the PIN of the token --key-uri names (first line)\n"
    "  --pin-fd N         that PIN from file descriptor N\n"
    "  --csr FILE         certify the key of this CSR (PEM or DER), made by\n"
    "                     an online CA or a factory HSM: its signature must\n"
    "                     verify and its key be RSA 2048+ or EC P-256/P-384;\n"
    "                     its subject and extensions are ignored (--subject\n"
    "                     and this profile apply); no key is written here\n"
    "  --no-passphrase    write the new key unencrypted\n"
    PASS_HELP
    "                     (the new key's; asked twice at the terminal\n"
    "                     otherwise, at least " PASS_MIN_TEXT " characters)\n"
    "  --root-passphrase-file F, --root-passphrase-fd N\n"
    "                     the root CA key's passphrase, when it is encrypted\n"
    "  --root-pin-file F, --root-pin-fd N\n"
    "                     the PIN of the root key's token (" CA_URI ")\n"
    "  --force            replace what an attempt that did not finish left\n"
    "                     in intermediate/NAME/ (a NAME the transcript\n"
    "                     records is never reused)\n\n"
    "Exit status: 0 made, 1 a check failed, 2 usage or I/O error.\n";

enum {
	OPT_SUBJECT = 0x2001, OPT_DAYS, OPT_PATHLEN, OPT_KEY, OPT_CSR,
	OPT_FORCE, OPT_RPFILE, OPT_RPFD, OPT_RPINFILE, OPT_RPINFD,
};

/* Everything one intermediate command holds. */
struct im {
	struct caref ref, top;
	struct pass_src pass, root_pass;
	struct key_src ks, root_ks;
	struct cakey root, tok;
	const char *name, *subject, *keyname, *csrpath;
	char csr_sha[65], desc[64], *secret;
	long days;
	int pathlen, force, type, made_top, made_dir, wrote[3];
	X509 *root_cert, *cert;
	X509_NAME *sub;
	X509_REQ *req;
	EVP_PKEY *key; /* the new key (file), or the CSR's */
};

static int
im_options(struct im *m, int argc, char **argv)
{
	static const struct option opts[] = {
		{"subject", 1, NULL, OPT_SUBJECT}, {"days", 1, NULL, OPT_DAYS},
		{"path-len", 1, NULL, OPT_PATHLEN}, {"key", 1, NULL, OPT_KEY},
		{"csr", 1, NULL, OPT_CSR}, {"force", 0, NULL, OPT_FORCE},
		{"no-passphrase", 0, NULL, PASS_OPT_NONE}, PASS_LONGOPTS,
		{"root-passphrase-file", 1, NULL, OPT_RPFILE},
		{"root-passphrase-fd", 1, NULL, OPT_RPFD},
		{"root-pin-file", 1, NULL, OPT_RPINFILE},
		{"root-pin-fd", 1, NULL, OPT_RPINFD}, PIN_LONGOPTS,
		{"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	char *end;
	int c, r = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SUBJECT: m->subject = optarg; break;
		case OPT_KEY: m->keyname = optarg; break;
		case OPT_CSR: m->csrpath = optarg; break;
		case OPT_FORCE: m->force = 1; break;
		case OPT_DAYS:
			if (parse_days(optarg, &m->days) == -1)
				return -1;
			break;
		case OPT_PATHLEN:
			m->pathlen = (int)strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != 0 ||
			    m->pathlen > INTERMEDIATE_PATHLEN_MAX) {
				warnf("--path-len: '%s' is not a number from 0 "
				      "to %d", optarg, INTERMEDIATE_PATHLEN_MAX);
				return -1;
			}
			break;
		case OPT_RPFILE:
		case OPT_RPFD:
			if (pass_option(&m->root_pass, c == OPT_RPFILE ?
			    PASS_OPT_FILE : PASS_OPT_FD, optarg) != 0)
				return -1;
			break;
		case OPT_RPINFILE:
		case OPT_RPINFD:
			if (key_src_option(&m->root_ks, c == OPT_RPINFILE ?
			    PIN_OPT_FILE : PIN_OPT_FD, optarg) != 0)
				return -1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			if (pass_option(&m->pass, c, optarg) == 0 ||
			    (r = key_src_option(&m->ks, c, optarg)) == 0)
				break;
			if (r != RC_USAGE)
				fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind + 1 != argc) {
		warnf("intermediate: give one NAME%s", optind < argc ?
		    ", and nothing after it" : "");
		fputs(usage_text, stderr);
		return -1;
	}
	m->name = argv[optind];
	m->root_ks.module = m->ks.module;
	return 0;
}

/* The option combinations, the NAME, the subject, the key type. */
static int
im_check_args(struct im *m)
{
	char err[256];
	int pass_given = m->pass.none || m->pass.file || m->pass.fd != -1;

	if (caref_init(&m->ref, m->name, err, sizeof(err)) == -1 ||
	    caref_init(&m->top, NULL, err, sizeof(err)) == -1) {
		warnf("intermediate: %s", err);
		return -1;
	}
	if (m->subject == NULL) {
		warnf("intermediate: --subject DN is required (the issuing "
		      "CA's own name, e.g. /C=IN/O=AMZ/CN=Factory A Issuing "
		      "CA)");
		return -1;
	}
	if ((m->sub = pki_subject_parse(m->subject, err, sizeof(err))) ==
	    NULL) {
		warnf("--subject: %s", err);
		return -1;
	}
	if (m->csrpath != NULL && (m->ks.uri != NULL || m->keyname != NULL)) {
		warnf("--csr: the key is the CSR's; --%s does not apply",
		    m->ks.uri ? "key-uri" : "key");
		return -1;
	}
	if ((m->csrpath != NULL || m->ks.uri != NULL) && pass_given) {
		warnf("--%s: no key file is written with --%s", m->pass.none ?
		    "no-passphrase" : m->pass.file ? "passphrase-file" :
		    "passphrase-fd", m->csrpath ? "csr" : "key-uri");
		return -1;
	}
	if ((m->type = pki_keytype_parse(m->keyname ? m->keyname :
	    "rsa2048")) < 0) {
		warnf("--key: unknown key type '%s'; use rsa2048, rsa3072, "
		      "rsa4096, ec-p256 or ec-p384", m->keyname);
		return -1;
	}
	return 0;
}

/* Refusals about the root, the NAME and the validity: 0, or an exit
 * status. */
static int
im_check_root(struct im *m)
{
	time_t end = time(NULL) + m->days * 86400;
	ASN1_TIME *now;
	struct stat st;
	json_t *l;
	char err[256];
	long top;
	int pday = 0, psec = 0, uses;

	if (caref_open(&m->top, NULL, err, sizeof(err)) == -1) {
		warnf("intermediate: %s", err);
		return EXIT_USAGE;
	}
	if ((m->root_cert = pki_cert_load(CA_CERT)) == NULL)
		return EXIT_USAGE;
	if (pki_lint(m->root_cert, NULL, PROFILE_CA, err, sizeof(err)) == -1) {
		warnf("%s: not a usable root CA certificate: %s", CA_CERT, err);
		return EXIT_CHECK;
	}
	top = X509_get_pathlen(m->root_cert);
	if (top == 0) {
		warnf("%s has pathLenConstraint 0: it may certify no CA; sign "
		      "devices with the root itself", CA_CERT);
		return EXIT_CHECK;
	}
	if (top > 0 && m->pathlen >= top) {
		warnf("--path-len %d: the root's pathLenConstraint is %ld; use "
		      "--path-len %ld or less", m->pathlen, top, top - 1);
		return EXIT_USAGE;
	}
	if (X509_cmp_time(X509_get0_notAfter(m->root_cert), &end) < 0) {
		if ((now = ASN1_TIME_set(NULL, time(NULL))) != NULL)
			ASN1_TIME_diff(&pday, &psec, now,
			    X509_get0_notAfter(m->root_cert));
		ASN1_TIME_free(now);
		warnf("--days %ld: the intermediate would outlive the root (%s "
		      "ends in %d days); use --days %d or less", m->days,
		    CA_CERT, pday, pday > 0 ? pday : 0);
		return EXIT_USAGE;
	}
	if (X509_NAME_cmp(m->sub, X509_get_subject_name(m->root_cert)) == 0) {
		warnf("--subject: '%s' is the root's subject; an issuing CA "
		      "needs its own", m->subject);
		return EXIT_USAGE;
	}
	if ((l = intermediate_recorded(m->name)) != NULL) {
		warnf("intermediate '%s' was made before (transcript line "
		      "%lld): a NAME is never reused, since the ledger and AWS "
		      "know the CA by it; choose another NAME", m->name,
		    (long long)json_integer_value(json_object_get(l, "seq")));
		json_decref(l);
		return EXIT_USAGE;
	}
	if (lstat(m->ref.dir, &st) == 0 && !m->force) {
		warnf("%s exists, but the transcript records no intermediate "
		      "'%s' (an attempt that did not finish?): move it away, "
		      "or use --force to replace it", m->ref.dir, m->name);
		return EXIT_USAGE;
	}
	if ((uses = intermediate_subject_uses(m->sub)) >= AWS_SUBJECT_MAX - 1)
		warnf("--subject: %d other CAs in the transcript have the "
		      "subject '%s'; AWS IoT registers at most %d CAs with one "
		      "subject per account", uses, m->subject, AWS_SUBJECT_MAX);
	return 0;
}

/* The CSR to certify: read, proof of possession, key rules. */
static int
im_read_csr(struct im *m)
{
	unsigned char *buf;
	char err[256];
	size_t len;
	int r;

	if (m->csrpath == NULL)
		return 0;
	if (file_read(m->csrpath, &buf, &len, INTERMEDIATE_CSR_MAX) == -1)
		return EXIT_USAGE;
	sha256_hex(buf, len, m->csr_sha);
	r = intermediate_csr_parse(buf, len, &m->req, m->desc,
	    sizeof(m->desc), err, sizeof(err));
	free(buf);
	if (r != 0) {
		warnf("%s: %s; nothing written", m->csrpath, err);
		return r == RC_USAGE ? EXIT_USAGE : EXIT_CHECK;
	}
	if ((m->key = X509_REQ_get_pubkey(m->req)) == NULL)
		return EXIT_USAGE;
	return 0;
}

static EVP_PKEY *
public_copy(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int n;

	if ((n = i2d_PUBKEY(k, &der)) > 0) {
		p = der;
		pub = d2i_PUBKEY(NULL, &p, n);
	}
	OPENSSL_free(der);
	if (pub == NULL)
		warnf("cannot read the token key's public half");
	return pub;
}

/* The root key, the new key, the certificate, its lint. 0, or an exit
 * status. */
static int
im_issue(struct im *m)
{
	struct pki_issuer is;
	char err[256];
	int r;

	if (m->csrpath == NULL && m->ks.uri == NULL && !m->pass.none &&
	    (m->secret = pass_get(&m->pass, "intermediate CA key", 1)) == NULL)
		return EXIT_USAGE;
	/* the new token key first: opening the root's token after it may
	 * close its sessions (libp11 resets a slot it opens), never the
	 * reverse, and the root key signs next */
	if (m->ks.uri != NULL) {
		if ((r = cakey_generate(&m->tok, &m->ks, m->type)) != 0)
			return CAKEY_EXIT(r);
		/* the certificate needs only the public half: a plain
		 * copy, so no libp11 key outlives the token's context */
		if ((m->key = public_copy(m->tok.pkey)) == NULL)
			return EXIT_USAGE;
	} else if (m->key == NULL && (m->key = pki_keygen(m->type)) == NULL)
		return EXIT_CHECK;
	if ((r = cakey_load_ca(&m->root, &m->top, &m->root_ks, &m->root_pass,
	    m->root_cert)) != 0)
		return CAKEY_EXIT(r);
	if (m->csrpath == NULL)
		(void)pki_key_check(m->key, m->desc, sizeof(m->desc), err,
		    sizeof(err));
	if (pki_issuer_init(&is, PROFILE_INTERMEDIATE, m->root_cert,
	    m->root.pkey, m->days, err, sizeof(err)) == -1) {
		warnf("cannot prepare the intermediate profile: %s", err);
		return EXIT_CHECK;
	}
	if ((m->pathlen == 0 || pki_issuer_pathlen(&is, m->pathlen, err,
	    sizeof(err)) == 0))
		m->cert = pki_issuer_sign(&is, NULL, m->sub, m->key, err,
		    sizeof(err));
	pki_issuer_free(&is);
	if (m->cert == NULL) {
		warnf("cannot build the certificate: %s", err);
		return EXIT_CHECK;
	}
	if (pki_lint(m->cert, m->root_cert, PROFILE_INTERMEDIATE, err,
	    sizeof(err)) == -1) {
		warnf("%s: lint failed, nothing written: %s", m->ref.cert, err);
		return EXIT_CHECK;
	}
	return 0;
}

/* The files, in a new intermediate/NAME/. */
static int
im_write(struct im *m)
{
	char *pem = NULL, *root = NULL, *chain = NULL;
	size_t plen, rlen;
	int rv = -1;

	if (!file_exists(CAREF_DIR)) {
		if (dir_make(CAREF_DIR, 0755) == -1)
			return -1;
		m->made_top = 1;
	}
	if (mkdir(m->ref.dir, 0755) == 0)
		m->made_dir = 1;
	else if (errno != EEXIST || !m->force) {
		warnf("%s: cannot create: %s", m->ref.dir, strerror(errno));
		return -1;
	}
	/* --force: no stale key of the other kind stays beside the new one */
	if (m->force && m->tok.ks == NULL)
		unlink(m->ref.uri);
	if (m->force && (m->tok.ks != NULL || m->csrpath != NULL))
		unlink(m->ref.key);
	if (m->tok.ks != NULL) {
		if (cakey_uri_write_at(m->ref.uri, m->tok.info.uri, m->force))
			return -1;
	} else if (m->csrpath == NULL &&
	    pki_key_save(m->ref.key, m->key, m->secret, m->force) == -1)
		return -1;
	m->wrote[0] = 1;
	if (pki_cert_save(m->ref.cert, m->cert, m->force) == -1)
		return -1;
	m->wrote[1] = 1;
	if (pki_cert_pem(m->cert, &pem, &plen) == -1 ||
	    pki_cert_pem(m->root_cert, &root, &rlen) == -1 ||
	    (chain = malloc(plen + rlen)) == NULL)
		goto out;
	memcpy(chain, pem, plen);
	memcpy(chain + plen, root, rlen);
	if (file_write(m->ref.chain, chain, plen + rlen, 0644, m->force) == -1)
		goto out;
	m->wrote[2] = 1;
	rv = 0;
out:
	free(pem);
	free(root);
	free(chain);
	return rv;
}

/* Read back as a later command will: the certificate linted again, the
 * chain verified by OpenSSL, the key matching it. */
static int
im_verify(struct im *m)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *x = pki_cert_load(m->ref.cert);
	EVP_PKEY *k = NULL;
	char err[256] = "does not read back";
	int ok = 0;

	if (x == NULL || st == NULL || ctx == NULL)
		goto out;
	if (pki_lint(x, m->root_cert, PROFILE_INTERMEDIATE, err,
	    sizeof(err)) == -1)
		goto out;
	if (!X509_STORE_add_cert(st, m->root_cert) ||
	    !X509_STORE_CTX_init(ctx, st, x, NULL) ||
	    X509_verify_cert(ctx) != 1) {
		snprintf(err, sizeof(err), "the chain to the root does not "
		    "verify: %s", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	if (m->tok.ks != NULL)
		ok = pki_key_matches(m->tok.pkey, x);
	else if (m->csrpath == NULL)
		ok = (k = pki_key_read(m->ref.key, m->secret)) != NULL &&
		    pki_key_matches(k, x);
	else
		ok = pki_key_matches(m->key, x);
	if (!ok)
		snprintf(err, sizeof(err), "the key does not match it");
out:
	if (!ok)
		warnf("%s: %s after writing", m->ref.cert, err);
	EVP_PKEY_free(k);
	X509_free(x);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok ? 0 : -1;
}

static int
im_record(struct im *m, const char *fp)
{
	const char *outputs[4] = {NULL}, *inputs[] = {CA_CERT, NULL};
	const char *prot;
	json_t *args, *extra;
	int n = 0;

	if (m->tok.ks != NULL)
		outputs[n++] = m->ref.uri;
	else if (m->csrpath == NULL)
		outputs[n++] = m->ref.key;
	outputs[n++] = m->ref.cert;
	outputs[n++] = m->ref.chain;
	prot = m->csrpath ? "external" : m->tok.ks ? "pkcs11" : m->secret ?
	    "scrypt" : "none";
	args = json_pack("{s:s,s:s,s:I,s:i,s:s,s:s}", "name", m->name,
	    "subject", m->subject, "days", (json_int_t)m->days, "path_len",
	    m->pathlen, "key", m->csrpath ? "csr" : pki_keytype_name(m->type),
	    "key_protection", prot);
	extra = json_pack("{s:s,s:s,s:s}", "sha256", fp, "key_type", m->desc,
	    "key_location", m->tok.ks ? m->tok.info.uri : m->csrpath ?
	    "external" : m->ref.key);
	if (args == NULL || extra == NULL ||
	    (m->csrpath && (json_object_set_new(args, "csr",
		json_string(m->csrpath)) || json_object_set_new(extra,
		"csr_sha256", json_string(m->csr_sha)))) ||
	    (m->tok.ks && json_object_set_new(extra, "ca_key",
		cakey_json(&m->tok))) ||
	    (m->root.ks && json_object_set_new(extra, "root_key",
		cakey_json(&m->root)))) {
		json_decref(args);
		json_decref(extra);
		return -1;
	}
	return transcript_append("intermediate", args, inputs, outputs, extra);
}

static void
im_summary(struct im *m, const char *fp)
{
	printf("Intermediate CA '%s'  %s\n", m->name, m->ref.cert);
	printf("  subject       %s\n", m->subject);
	if (m->tok.ks != NULL)
		printf("  key           %s, in token '%s' (serial %s), "
		       "non-extractable\n  key URI       %s (%s)\n", m->desc,
		    m->tok.info.label, m->tok.info.serial, m->tok.info.uri,
		    m->ref.uri);
	else if (m->csrpath != NULL)
		printf("  key           %s, stays with the CSR's maker (%s)\n",
		    m->desc, m->csrpath);
	else
		printf("  key           %s, %s (%s)\n", m->desc, m->ref.key,
		    m->secret ? "passphrase-protected, scrypt" :
		    "NOT encrypted");
	printf("  path length   %d\n", m->pathlen);
	printf("  valid days    %ld\n", m->days);
	printf("  chain         %s (issuing CA, then root)\n", m->ref.chain);
	printf("  SHA-256       %s\n", fp);
	printf("Sign devices with: ceremony sign --ca %s CSR...\n", m->name);
	if (m->csrpath == NULL && m->tok.ks == NULL && m->secret == NULL)
		warnf("--no-passphrase: %s is stored unencrypted; protect it",
		    m->ref.key);
}

/* After a failure once writing began: nothing of this CA stays. */
static void
im_undo(struct im *m)
{
	if (m->wrote[2])
		unlink(m->ref.chain);
	if (m->wrote[1])
		unlink(m->ref.cert);
	if (m->wrote[0])
		unlink(m->tok.ks ? m->ref.uri : m->ref.key);
	if (m->made_dir && rmdir(m->ref.dir) == -1)
		warnf("%s: cannot remove: %s", m->ref.dir, strerror(errno));
	if (m->made_top)
		rmdir(CAREF_DIR);
	if (m->tok.ks != NULL) {
		EVP_PKEY_free(m->key);
		m->key = NULL;
		cakey_discard(&m->tok);
	}
}

int
cmd_intermediate(int argc, char **argv)
{
	struct im m = {.pass = PASS_SRC_INIT, .root_pass = PASS_SRC_INIT,
	    .ks = KEY_SRC_INIT, .root_ks = KEY_SRC_INIT,
	    .days = INTERMEDIATE_DAYS};
	unsigned char sha[32];
	char fp[96], hex[65];
	int rv, writing = 0;

	if ((rv = im_options(&m, argc, argv)) != 0) {
		rv = rv == 1 ? 0 : EXIT_USAGE;
		goto out;
	}
	rv = EXIT_USAGE;
	if (im_check_args(&m) == -1 || (rv = im_check_root(&m)) != 0 ||
	    (rv = im_read_csr(&m)) != 0 || (rv = im_issue(&m)) != 0)
		goto out;
	writing = 1;
	rv = EXIT_USAGE;
	if (im_write(&m) == -1)
		goto out;
	rv = EXIT_CHECK;
	if (im_verify(&m) == -1)
		goto out;
	pki_cert_sha256(m.cert, sha);
	hex_encode(sha, sizeof(sha), hex);
	rv = EXIT_USAGE;
	if (im_record(&m, hex) == -1)
		goto out;
	fingerprint_format(sha, fp);
	im_summary(&m, fp);
	rv = 0;
out:
	if (rv != 0 && writing)
		im_undo(&m);
	else if (rv != 0 && m.tok.ks != NULL) {
		EVP_PKEY_free(m.key);
		m.key = NULL;
		cakey_discard(&m.tok);
	}
	pass_free(m.secret);
	EVP_PKEY_free(m.key); /* before the token it may sign in */
	cakey_free(&m.root);
	cakey_free(&m.tok);
	X509_free(m.root_cert);
	X509_free(m.cert);
	X509_NAME_free(m.sub);
	X509_REQ_free(m.req);
	return rv;
}
