/* ceremony import: verify a bundle (archive or scanned QR lines) against a
 * pinned key and unpack it on the online machine. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zlib.h>

#include "cmd.h"
#include "frames.h"
#include "minisig.h"
#include "pki.h"
#include "sigkey.h"
#include "tar.h"
#include "template.h"
#include "transcript.h"
#include "util.h"

#define IMPORT_MAX (16u << 20) /* archive or scanned text */
#define MANIFEST_MAX 16        /* lines */

#define IMPORT_MEMBERS 32
static const struct tar_limits limits = {IMPORT_MEMBERS, 4u << 20, 16u << 20};

/* Every file a bundle may carry, with its mode in the archive. */
static const struct {
	const char *name;
	unsigned mode;
	int required;
} known[] = {
    {"MANIFEST", 0644, 1},
    {"MANIFEST.minisig", 0644, 1},
    {"README.txt", 0644, 1},
    {SIGN_PUB, 0644, 1},
    {CA_CERT, 0644, 1},
    {TEMPLATE_FILE, 0644, 1},
    {REGISTER_FILE, 0755, 1},
    {TRANSCRIPT_FILE, 0644, 1},
    {VER_CERT, 0644, 0},
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static const char usage_text[] =
    "usage: ceremony import BUNDLE.tar.gz (--pubkey KEY | --pubkey-file F) "
    "[--out DIR]\n"
    "       ceremony import --qr FILE|- (--pubkey KEY | --pubkey-file F) "
    "[--out DIR]\n";

static const char help_text[] =
    "\n"
    "Verifies a bundle made by 'ceremony bundle' on the air-gapped machine\n"
    "and unpacks it. Checks, in this order, stopping at the first failure:\n"
    "  1. QR frames (--qr): each frame's CRC, all frames from one bundle\n"
    "  2. enough frames to rebuild; the rebuilt length and SHA-256\n"
    "  3. the archive: regular files only; no links, devices, absolute\n"
    "     paths, '..', duplicate names or oversized members; a gzip bomb\n"
    "     is cut off at a fixed size\n"
    "  4. MANIFEST.minisig against the pinned public key\n"
    "  5. every file's SHA-256 against MANIFEST; no file missing or extra\n"
    "  6. ceremony.pub is the pinned key; the certificates pass lint\n"
    "  7. the transcript's hash chain and the files it records\n"
    "  8. the archive is byte for byte what 'ceremony bundle' writes from\n"
    "     these files, so even a change that unpacks the same is refused\n"
    "Nothing is written unless every check passes: DIR is filled as a\n"
    "temporary folder and renamed into place.\n"
    "\n"
    "  --pubkey KEY     the bundle-signing public key: the base64 line of\n"
    "                   ceremony.pub that the witnesses wrote down\n"
    "  --pubkey-file F  read that key from F (a minisign .pub file)\n"
    "  --qr FILE        read scanned QR payload lines from FILE ('-' for\n"
    "                   stdin), in any order; duplicates, blank and\n"
    "                   foreign lines are skipped and counted\n"
    "  --out DIR        unpack into DIR, which must not exist (default:\n"
    "                   the bundle's name, in the current folder)\n"
    "\n"
    "Example:\n"
    "  zbarimg --raw -q bundle/qr/*.png |\n"
    "      ceremony import --qr - --pubkey RWS... --out ca-bundle\n"
    "\n"
    "Without a pinned key the bundle is refused and its key is shown, to\n"
    "compare with the paper record. Exit status: 0 verified and unpacked,\n"
    "1 a check failed, 2 usage or I/O error.\n";

struct manifest {
	char name[MANIFEST_MAX][TAR_NAME_MAX + 1];
	unsigned char sha[MANIFEST_MAX][32];
	size_t n;
};

/* Strict sha256sum text: "<64 lower hex>  <name>\n", sorted, unique. */
static int
manifest_parse(const unsigned char *text, size_t len, struct manifest *m,
    char *err, size_t errlen)
{
	const char *p = (const char *)text, *end = p + len, *nl;
	char hexs[65];
	size_t n, i;

	m->n = 0;
	if (memchr(text, 0, len) != NULL) {
		snprintf(err, errlen, "contains NUL bytes");
		return -1;
	}
	for (i = 1; p < end; i++, p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			snprintf(err, errlen, "line %zu has no newline", i);
			return -1;
		}
		n = (size_t)(nl - p);
		if (m->n == MANIFEST_MAX) {
			snprintf(err, errlen, "more than %d lines",
			    MANIFEST_MAX);
			return -1;
		}
		if (n < 67 || n > 66 + TAR_NAME_MAX || p[64] != ' ' ||
		    p[65] != ' ') {
			snprintf(err, errlen,
			    "line %zu is not '<SHA-256 hex>  <name>'", i);
			return -1;
		}
		memcpy(hexs, p, 64);
		hexs[64] = 0;
		if (!str_only(hexs, "0123456789abcdef") ||
		    hex_decode(hexs, m->sha[m->n], 32) == -1) {
			snprintf(err, errlen,
			    "line %zu: the hash is not 64 lower-case hex "
			    "digits",
			    i);
			return -1;
		}
		memcpy(m->name[m->n], p + 66, n - 66);
		m->name[m->n][n - 66] = 0;
		if (strlen(m->name[m->n]) != n - 66 ||
		    !str_only(m->name[m->n], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					     "abcdefghijklmnopqrstuvwxyz"
					     "0123456789._-")) {
			snprintf(err, errlen, "line %zu: bad file name", i);
			return -1;
		}
		if (m->n > 0 && strcmp(m->name[m->n - 1], m->name[m->n]) >= 0) {
			snprintf(err, errlen,
			    "line %zu: '%s' is out of order or repeated", i,
			    m->name[m->n]);
			return -1;
		}
		m->n++;
	}
	if (m->n == 0) {
		snprintf(err, errlen, "is empty");
		return -1;
	}
	return 0;
}

static int
known_index(const char *name)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The base64 key line of a minisign .pub file held in memory. */
static int
pub_from_text(const struct tar_entry *e, struct sigkey *k)
{
	char line[128];
	const char *p = (const char *)e->data, *nl;
	size_t n;

	if (e->len < 20 || strncmp(p, "untrusted comment: ", 19) != 0 ||
	    (nl = memchr(p, '\n', e->len)) == NULL)
		return -1;
	p = nl + 1;
	n = e->len - (size_t)(p - (const char *)e->data);
	if (n != 57 || p[56] != '\n')
		return -1;
	memcpy(line, p, 56);
	line[56] = 0;
	return sigkey_parse_public(line, k);
}

/* No pinned key: refuse, and show what the bundle claims. */
static int
refuse_unpinned(const char *src, const struct tar_list *list)
{
	const struct tar_entry *sig = tar_list_find(list, "MANIFEST.minisig");
	const struct tar_entry *pub = tar_list_find(list, SIGN_PUB);
	struct minisig s;
	struct sigkey k;
	char err[256], id[17], b64[57];

	warnf("no pinned key: refusing to trust %s. Give --pubkey KEY or "
	      "--pubkey-file F",
	    src);
	if (sig != NULL &&
	    minisig_parse((const char *)sig->data, sig->len, &s, err,
		sizeof(err)) == 0) {
		minisig_keyid(s.keynum, id);
		fprintf(stderr, "The bundle says it is signed by key id %s.\n",
		    id);
	}
	if (pub != NULL && pub_from_text(pub, &k) == 0) {
		sigkey_public_b64(&k, b64);
		minisig_keyid(k.keynum, id);
		fprintf(stderr,
		    "Its %s (key id %s) is:\n  %s\n"
		    "Compare it with the key written on paper at the "
		    "ceremony; if it is the same,\nrun again with "
		    "--pubkey %s\n",
		    SIGN_PUB, id, b64, b64);
	}
	return EXIT_USAGE;
}

/* Steps 4-6 on the archive in memory. */
static int
check_bundle(const struct tar_list *list, const struct sigkey *pin,
    struct minisig *s, char fp[96])
{
	const struct tar_entry *man, *sig, *e;
	struct manifest m;
	struct sigkey pub;
	unsigned char sha[32];
	char err[256], id[17], want[128];
	int seen[NKNOWN] = {0}, ki;
	size_t i;
	X509 *ca = NULL, *ver = NULL;
	int rv = EXIT_CHECK;

	man = tar_list_find(list, "MANIFEST");
	sig = tar_list_find(list, "MANIFEST.minisig");
	if (man == NULL || sig == NULL) {
		warnf("the bundle has no %s; not a ceremony bundle",
		    man == NULL ? "MANIFEST" : "MANIFEST.minisig");
		return EXIT_CHECK;
	}
	if (minisig_parse((const char *)sig->data, sig->len, s, err,
		sizeof(err)) == -1) {
		warnf("MANIFEST.minisig: %s", err);
		return EXIT_CHECK;
	}
	if (minisig_verify(s, pin, man->data, man->len, err, sizeof(err))) {
		warnf("MANIFEST.minisig: %s; the bundle was not signed by the "
		      "pinned key, or it was altered",
		    err);
		return EXIT_CHECK;
	}
	minisig_keyid(s->keynum, id);
	snprintf(want, sizeof(want), MINISIG_BUNDLE_COMMENT, id);
	if (strcmp(s->untrusted, want) != 0) {
		warnf("MANIFEST.minisig: the untrusted comment is not '%s' "
		      "as ceremony bundle writes it; the file was altered",
		    want);
		return EXIT_CHECK;
	}
	if (manifest_parse(man->data, man->len, &m, err, sizeof(err)) == -1) {
		warnf("MANIFEST: %s", err);
		return EXIT_CHECK;
	}
	for (i = 0; i < m.n; i++) {
		if ((e = tar_list_find(list, m.name[i])) == NULL) {
			warnf("%s: listed in MANIFEST but missing from the "
			      "bundle",
			    m.name[i]);
			return EXIT_CHECK;
		}
		crypto_hash_sha256(sha, e->data, e->len);
		if (sodium_memcmp(sha, m.sha[i], 32) != 0) {
			warnf("%s: SHA-256 does not match MANIFEST; the file "
			      "was altered",
			    m.name[i]);
			return EXIT_CHECK;
		}
	}
	for (i = 0; i < list->n; i++) {
		const char *name = list->e[i].name;
		size_t j;

		for (j = 0; j < m.n && strcmp(m.name[j], name) != 0; j++)
			;
		if (j == m.n && strcmp(name, "MANIFEST") != 0 &&
		    strcmp(name, "MANIFEST.minisig") != 0) {
			warnf("%s: in the bundle but not listed in MANIFEST",
			    name);
			return EXIT_CHECK;
		}
		if ((ki = known_index(name)) == -1) {
			warnf("%s: not a file a ceremony bundle carries", name);
			return EXIT_CHECK;
		}
		if (list->e[i].mode != known[ki].mode) {
			warnf("%s: mode %04o in the archive, expected %04o",
			    name, list->e[i].mode, known[ki].mode);
			return EXIT_CHECK;
		}
		seen[ki] = 1;
	}
	for (i = 0; i < NKNOWN; i++) {
		if (known[i].required && !seen[i]) {
			warnf("%s: missing from the bundle", known[i].name);
			return EXIT_CHECK;
		}
	}
	if (pub_from_text(tar_list_find(list, SIGN_PUB), &pub) == -1) {
		warnf("%s: not a minisign public key file", SIGN_PUB);
		return EXIT_CHECK;
	}
	if (memcmp(pub.keynum, pin->keynum, 8) != 0 ||
	    memcmp(pub.pk, pin->pk, 32) != 0) {
		warnf("%s in the bundle is not the pinned key that signed it",
		    SIGN_PUB);
		return EXIT_CHECK;
	}
	e = tar_list_find(list, CA_CERT);
	if ((ca = pki_cert_parse(e->data, e->len)) == NULL) {
		warnf("%s: not a certificate", CA_CERT);
		goto out;
	}
	if (pki_lint(ca, NULL, PROFILE_CA, err, sizeof(err)) == -1) {
		warnf("%s: %s", CA_CERT, err);
		goto out;
	}
	pki_cert_sha256(ca, sha);
	fingerprint_format(sha, fp);
	if ((e = tar_list_find(list, VER_CERT)) != NULL) {
		if ((ver = pki_cert_parse(e->data, e->len)) == NULL) {
			warnf("%s: not a certificate", VER_CERT);
			goto out;
		}
		if (pki_lint(ver, ca, PROFILE_VERIFICATION, err,
			sizeof(err)) == -1) {
			warnf("%s: %s", VER_CERT, err);
			goto out;
		}
	}
	rv = 0;
out:
	X509_free(ca);
	X509_free(ver);
	return rv;
}

/* Last: the archive must be exactly what tar_write makes of the verified
 * files, so even a change that decompresses to the same bytes (a gzip
 * header field, an equivalent deflate code) is refused. */
static int
check_canonical(const char *src, const unsigned char *buf, size_t len,
    const struct tar_list *list)
{
	struct tar_member m[IMPORT_MEMBERS];
	unsigned char *gz = NULL;
	size_t gzlen = 0, i;
	char err[256];
	int rv = EXIT_CHECK;

	if (list->n > sizeof(m) / sizeof(m[0]))
		return EXIT_CHECK;
	for (i = 0; i < list->n; i++) {
		m[i].name = list->e[i].name;
		m[i].data = list->e[i].data;
		m[i].len = list->e[i].len;
		m[i].mode = list->e[i].mode;
	}
	if (tar_write(list->top, m, list->n, list->mtime, &gz, &gzlen, err,
		sizeof(err)) == -1) {
		warnf("%s: cannot re-encode the archive: %s", src, err);
		return EXIT_USAGE;
	}
	if (gzlen == len && memcmp(gz, buf, len) == 0)
		rv = 0;
	else
		warnf("%s: the archive is not byte for byte what 'ceremony "
		      "bundle' writes from these files (with zlib %s): it was "
		      "altered or repacked",
		    src, zlibVersion());
	free(gz);
	return rv;
}

/* Removes what unpack wrote into tmp, then tmp. */
static void
unpack_undo(const char *tmp, const struct tar_list *list)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < list->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, list->e[i].name);
		unlink(path);
	}
	rmdir(tmp);
}

/* Writes every member into a new temp folder beside dir (malloc'd name). */
static char *
unpack(const char *dir, const struct tar_list *list)
{
	char *tmp = NULL;
	size_t i, off;
	ssize_t r;
	int dfd = -1, fd = -1, ok = 0;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", dir) == -1)
		return NULL;
	if (mkdtemp(tmp) == NULL) {
		warnf("%s: cannot create: %s", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	if ((dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	for (i = 0; i < list->n; i++) {
		const struct tar_entry *e = &list->e[i];

		fd = openat(dfd, e->name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1 || fchmod(fd, e->mode) == -1)
			goto out;
		for (off = 0; off < e->len; off += (size_t)r) {
			r = write(fd, e->data + off, e->len - off);
			if (r == -1 && errno == EINTR)
				r = 0;
			else if (r <= 0)
				goto out;
		}
		if (fsync(fd) == -1 || close(fd) == -1) {
			fd = -1;
			goto out;
		}
		fd = -1;
	}
	if (fchmod(dfd, 0755) == -1 || fsync(dfd) == -1)
		goto out;
	ok = 1;
out:
	if (!ok)
		warnf("%s: cannot write: %s", tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	if (!ok) {
		unpack_undo(tmp, list);
		free(tmp);
		tmp = NULL;
	}
	return tmp;
}

/* rename without replacing: DIR may have appeared since the check. */
static int
rename_new(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* file systems without RENAME_NOREPLACE */
	if (file_exists(to)) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* The transcript's chain, and its files as bundled, checked in place. */
static int
check_transcript(const char *tmp, char head[65])
{
	int cwd, rv;

	if ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return EXIT_USAGE;
	if (chdir(tmp) == -1) {
		close(cwd);
		return EXIT_USAGE;
	}
	rv = transcript_verify(TRANSCRIPT_FILE, 1, head);
	if (fchdir(cwd) == -1) {
		warnf("cannot return to the working folder: %s",
		    strerror(errno));
		rv = EXIT_USAGE;
	}
	close(cwd);
	if (rv == 1)
		warnf("the bundle's %s does not check out (see above)",
		    TRANSCRIPT_FILE);
	return rv;
}

/* The aws command in register.sh, with its continuation lines. */
static void
print_register(const struct tar_entry *e)
{
	const char *p = strstr((const char *)e->data,
	    "aws iot register-ca-certificate");
	const char *nl;

	if (p == NULL)
		return;
	printf("which runs:\n");
	for (;;) {
		nl = strchr(p, '\n');
		printf("  %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
		if (nl == NULL || nl == p || nl[-1] != '\\')
			break;
		for (p = nl + 1; *p == ' ' || *p == '\t'; p++)
			;
	}
}

/* Rebuilds the archive from scanned lines in path ("-": stdin), called
 * src in messages. */
static int
read_frames(const char *path, const char *src, unsigned char **buf,
    size_t *len)
{
	struct frames_join *j;
	struct frames_status st;
	unsigned char *text;
	size_t tlen;
	char err[1024];
	int rv = EXIT_CHECK;

	if (file_read(path, &text, &tlen, IMPORT_MAX) == -1)
		return EXIT_USAGE;
	if ((j = frames_join_new()) == NULL) {
		free(text);
		return EXIT_USAGE;
	}
	if (frames_join_feed(j, (const char *)text, tlen, err, sizeof(err))) {
		warnf("%s: %s", src, err);
		goto out;
	}
	frames_join_status(j, &st);
	if (st.garbage + st.blank + st.dup > 0)
		fprintf(stderr,
		    "%s: skipped %u duplicate frame%s, %u foreign line%s, "
		    "%u blank line%s\n",
		    src, st.dup, st.dup == 1 ? "" : "s", st.garbage,
		    st.garbage == 1 ? "" : "s", st.blank,
		    st.blank == 1 ? "" : "s");
	if (!st.started) {
		warnf("%s: no QR frame (a line starting with '%s') found", src,
		    FRAMES_TAG);
		goto out;
	}
	if (frames_join_finish(j, buf, len, err, sizeof(err)) == -1) {
		warnf("%s: %s", src, err);
		goto out;
	}
	fprintf(stderr, "%s: bundle %s rebuilt from %u of %u frames\n", src,
	    st.info.idhex, st.have, st.info.n);
	rv = 0;
out:
	frames_join_free(j);
	free(text);
	return rv;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pubkey", 1, NULL, 'k'},
	    {"pubkey-file", 1, NULL, 'K'},
	    {"qr", 1, NULL, 'q'},
	    {"out", 1, NULL, 'o'},
	    {"help", 0, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *pubkey = NULL, *pubfile = NULL, *qr = NULL, *out = NULL;
	const char *src;
	struct sigkey pin;
	struct tar_list list;
	struct minisig s;
	unsigned char *buf = NULL, sha[32];
	size_t len = 0;
	char err[512], shahex[65], head[65], fp[96], id[17], b64[57];
	char *tmp = NULL;
	int c, rv = EXIT_USAGE;

	memset(&list, 0, sizeof(list));
	optind = 0; /* full getopt reset */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			pubkey = optarg;
			break;
		case 'K':
			pubfile = optarg;
			break;
		case 'q':
			qr = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("%s%s", usage_text, help_text);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != (qr == NULL ? 1 : 0)) {
		warnf("give one bundle: an archive path or --qr FILE");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (pubkey != NULL && pubfile != NULL) {
		warnf("give --pubkey or --pubkey-file, not both");
		return EXIT_USAGE;
	}
	src = qr == NULL ? argv[optind] : strcmp(qr, "-") == 0 ? "stdin" : qr;
	if (pubkey != NULL && sigkey_parse_public(pubkey, &pin) == -1) {
		warnf("--pubkey: '%s' is not a minisign public key (56 base64 "
		      "characters, starting with RW)",
		    pubkey);
		return EXIT_USAGE;
	}
	if (pubfile != NULL && sigkey_load_public(pubfile, &pin) == -1)
		return EXIT_USAGE;
	if (out != NULL && file_exists(out)) {
		warnf("%s exists; choose another --out or remove it", out);
		return EXIT_USAGE;
	}

	/* 1-2: the bytes of the archive */
	if (qr != NULL)
		rv = read_frames(qr, src, &buf, &len);
	else
		rv = file_read(src, &buf, &len, IMPORT_MAX) ? EXIT_USAGE : 0;
	if (rv != 0)
		goto out;
	crypto_hash_sha256(sha, buf, len);
	hex_encode(sha, 32, shahex);

	/* 3: structure */
	rv = EXIT_CHECK;
	if (tar_read(buf, len, &limits, &list, err, sizeof(err)) == -1) {
		warnf("%s: %s", src, err);
		goto out;
	}
	if (pubkey == NULL && pubfile == NULL) {
		rv = refuse_unpinned(src, &list);
		goto out;
	}

	/* 4-6 */
	if ((rv = check_bundle(&list, &pin, &s, fp)) != 0)
		goto out;
	if (out == NULL)
		out = list.top;
	if (file_exists(out)) {
		warnf("%s exists; choose another --out or remove it", out);
		rv = EXIT_USAGE;
		goto out;
	}
	if ((tmp = unpack(out, &list)) == NULL) {
		rv = EXIT_USAGE;
		goto out;
	}
	if ((rv = check_transcript(tmp, head)) != 0 ||
	    (rv = check_canonical(src, buf, len, &list)) != 0) {
		unpack_undo(tmp, &list);
		goto out;
	}
	if (rename_new(tmp, out) == -1) {
		warnf("%s: cannot rename %s into place: %s", out, tmp,
		    strerror(errno));
		unpack_undo(tmp, &list);
		rv = EXIT_USAGE;
		goto out;
	}
	dir_sync(out);

	minisig_keyid(pin.keynum, id);
	sigkey_public_b64(&pin, b64);
	printf("Bundle %s verified and unpacked into %s/\n", list.top, out);
	printf("  archive SHA-256  %s\n", shahex);
	printf("  signed by        key id %s (%s)\n", id, b64);
	printf("  signed comment   %s\n", s.trusted);
	printf("  files            %zu, all match MANIFEST\n", list.n);
	printf("\nCompare with the witnesses' paper record:\n");
	printf("  CA certificate SHA-256 fingerprint\n    %s\n", fp);
	printf("  transcript head\n    %s\n", head);
	printf("\nNext, with AWS credentials for the target account:\n");
	printf("  cd %s && sh %s\n", out, REGISTER_FILE);
	print_register(tar_list_find(&list, REGISTER_FILE));
	rv = 0;
out:
	free(tmp);
	tar_list_free(&list);
	free(buf);
	return rv;
}
