/* ceremony bundle: the signed transfer bundle, as tar.gz and QR frames. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <sodium.h>

#include "cmd.h"
#include "frames.h"
#include "html.h"
#include "minisig.h"
#include "pki.h"
#include "qr.h"
#include "sigkey.h"
#include "tar.h"
#include "template.h"
#include "transcript.h"
#include "util.h"

#define F_TAR 1
#define F_QR 2
#define F_TERM 4
#define BUNDLE_DIR "bundle"
#define QR_DIR BUNDLE_DIR "/qr"
#define NFILES 10
#define NAMECHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

static const char usage_text[] =
    "usage: ceremony bundle [--format tar|qr|term ...] [--name NAME]\n"
    "                       [--parity P] [--qr-version V] [--qr-level L]\n"
    "                       [--scale S] [--paper A4|Letter] [--force]\n"
    "                       [--passphrase-file F | --passphrase-fd N]\n";

static const char help_text[] =
    "\n"
    "Packs what the online machine needs into one signed bundle:\n"
    "deviceRootCA.pem, verificationCert.crt (not in sni-only mode),\n"
    "jitp_template.json, register.sh, transcript.log, ceremony.pub, a\n"
    "README.txt for the online operator, MANIFEST (sha256sum format) and\n"
    "MANIFEST.minisig (minisign signature by ceremony.key). Checks the\n"
    "transcript, the certificates and the template first.\n"
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
    "  --force        replace an existing bundle of the same name\n" PASS_HELP
    "\n"
    "The archive's time (every mtime, the signature timestamp) is\n"
    "SOURCE_DATE_EPOCH if set, else the time of the transcript's last\n"
    "line: the same ceremony gives the same bytes. The frames are decoded\n"
    "again and compared with the archive before the command finishes.\n"
    "Exit status: 0 written, 1 a check failed, 2 usage or I/O error.\n";

struct bundle {
	char name[TAR_NAME_MAX + 1];
	uint64_t mtime;
	int sni;
	char cn[129], fp[96], head[65], pub_b64[57], keyid[17];
	struct tar_member m[NFILES];
	unsigned char *data[NFILES];
	size_t n;
	unsigned char *gz;
	size_t gzlen;
	char sha[65];
};

struct qr_opts {
	int version, parity, scale;
	char level;
	const char *paper;
};

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

/* SOURCE_DATE_EPOCH, else the time of the transcript's last line. */
static int
bundle_time(uint64_t *t)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	unsigned char *text;
	char *p;
	size_t len;
	struct tm tm;
	json_t *j;
	const char *s;
	int rv = -1;

	if (env != NULL) {
		if (*env == 0 || strlen(env) > 11 ||
		    !str_only(env, "0123456789") ||
		    strtoull(env, NULL, 10) > 077777777777ULL) {
			warnf("SOURCE_DATE_EPOCH='%s' is not a count of "
			      "seconds since 1970 (at most 11 octal digits)",
			    env);
			return -1;
		}
		*t = strtoull(env, NULL, 10);
		return 0;
	}
	if (file_read(TRANSCRIPT_FILE, &text, &len, 64u << 20) == -1)
		return -1;
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = 0;
	p = strrchr((char *)text, '\n');
	p = p != NULL ? p + 1 : (char *)text;
	j = json_loads(p, 0, NULL);
	s = json_string_value(json_object_get(j, "time"));
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *p != 0 || timegm(&tm) < 0)
		warnf("%s: the last line has no time; set SOURCE_DATE_EPOCH",
		    TRANSCRIPT_FILE);
	else {
		*t = (uint64_t)timegm(&tm);
		rv = 0;
	}
	json_decref(j);
	free(text);
	return rv;
}

/* Takes data (malloc'd). */
static void
add_member(struct bundle *b, const char *name, void *data, size_t len,
    unsigned mode)
{
	b->data[b->n] = data;
	b->m[b->n].name = name;
	b->m[b->n].data = data;
	b->m[b->n].len = len;
	b->m[b->n].mode = mode;
	b->n++;
}

static const struct tar_member *
member(const struct bundle *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->m[i].name, name) == 0)
			return &b->m[i];
	return NULL;
}

static int
read_member(struct bundle *b, const char *path, unsigned mode)
{
	unsigned char *data;
	size_t len;

	if (!file_exists(path)) {
		warnf("%s is missing; run the ceremony step that makes it "
		      "first",
		    path);
		return -1;
	}
	if (file_read(path, &data, &len, 4u << 20) == -1)
		return -1;
	add_member(b, path, data, len, mode);
	return 0;
}

static void
ca_name(X509 *ca, char out[129])
{
	X509_NAME *name = X509_get_subject_name(ca);
	X509_NAME_ENTRY *e;
	unsigned char *u = NULL;
	int i, n;

	strcpy(out, "unnamed");
	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0 || (e = X509_NAME_get_entry(name, i)) == NULL ||
	    (n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e))) <= 0)
		return;
	if (n > 128)
		n = 128;
	for (i = 0; i < n; i++)
		out[i] = u[i] < 0x20 || u[i] == 0x7f ? '?' : (char)u[i];
	out[n] = 0;
	OPENSSL_free(u);
}

/* Reads and checks the files the ceremony made. 0, 1 check, 2 I/O. */
static int
collect(struct bundle *b)
{
	const struct tar_member *m;
	struct template_info ti = {0};
	struct sigkey pub;
	unsigned char sha[32];
	char err[512];
	X509 *ca = NULL, *ver = NULL;
	int rv = EXIT_USAGE;

	if (read_member(b, CA_CERT, 0644) ||
	    read_member(b, TEMPLATE_FILE, 0644) ||
	    read_member(b, REGISTER_FILE, 0755) ||
	    read_member(b, TRANSCRIPT_FILE, 0644) ||
	    read_member(b, SIGN_PUB, 0644))
		goto out;
	m = member(b, REGISTER_FILE);
	b->sni = strstr((const char *)m->data, "--certificate-mode SNI_ONLY") !=
	    NULL;
	if (!b->sni && read_member(b, VER_CERT, 0644))
		goto out;
	rv = EXIT_CHECK;
	m = member(b, CA_CERT);
	if ((ca = pki_cert_parse(m->data, m->len)) == NULL) {
		warnf("%s: not a certificate", CA_CERT);
		goto out;
	}
	if (pki_lint(ca, NULL, PROFILE_CA, err, sizeof(err)) == -1) {
		warnf("%s: %s", CA_CERT, err);
		goto out;
	}
	pki_cert_sha256(ca, sha);
	fingerprint_format(sha, b->fp);
	ca_name(ca, b->cn);
	if ((m = member(b, VER_CERT)) != NULL) {
		if ((ver = pki_cert_parse(m->data, m->len)) == NULL) {
			warnf("%s: not a certificate", VER_CERT);
			goto out;
		}
		if (pki_lint(ver, ca, PROFILE_VERIFICATION, err,
			sizeof(err)) == -1) {
			warnf("%s: %s", VER_CERT, err);
			goto out;
		}
	}
	if (template_load(TEMPLATE_FILE, &ti, err, sizeof(err)) == -1) {
		warnf("%s: %s", TEMPLATE_FILE, err);
		goto out;
	}
	if (sigkey_load_public(SIGN_PUB, &pub) == -1)
		goto out;
	sigkey_public_b64(&pub, b->pub_b64);
	minisig_keyid(pub.keynum, b->keyid);
	if (transcript_verify(TRANSCRIPT_FILE, 1, b->head) != 0) {
		warnf("%s does not verify; run 'ceremony transcript verify' "
		      "and fix it before bundling",
		    TRANSCRIPT_FILE);
		goto out;
	}
	rv = 0;
out:
	template_info_free(&ti);
	X509_free(ca);
	X509_free(ver);
	return rv;
}

static char *
readme(const struct bundle *b)
{
	char when[32], *s = NULL;
	time_t t = (time_t)b->mtime;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (asprintf(&s,
		"Ceremony bundle %s\n"
		"CA \"%s\", bundled %s by ceremony " CEREMONY_VERSION ".\n"
		"\n"
		"Files\n"
		"  deviceRootCA.pem      the root CA certificate\n"
		"%s"
		"  jitp_template.json    the JITP registration config\n"
		"  register.sh           runs aws iot "
		"register-ca-certificate%s\n"
		"  transcript.log        the ceremony's hash-chained record\n"
		"  ceremony.pub          the bundle-signing public key\n"
		"  MANIFEST              SHA-256 of every file (sha256sum)\n"
		"  MANIFEST.minisig      minisign signature of MANIFEST\n"
		"\n"
		"Check before use; each value must match the witnesses' paper\n"
		"record, not just this file:\n"
		"  signing key      %s (key id %s)\n"
		"  CA SHA-256       %s\n"
		"  transcript head  %s\n"
		"\n"
		"1. Verify and unpack (all checks at once):\n"
		"     ceremony import %s.tar.gz --pubkey %s\n"
		"   or, from QR codes:\n"
		"     zbarimg --raw -q qr/frame-*.png | ceremony import --qr - "
		"--pubkey %s\n"
		"   or by hand, in the unpacked folder:\n"
		"     minisign -Vm MANIFEST -P %s\n"
		"     sha256sum -c MANIFEST\n"
		"     openssl x509 -in deviceRootCA.pem -noout -fingerprint "
		"-sha256\n"
		"     ceremony transcript verify\n"
		"2. Register the CA with AWS IoT (needs AWS credentials):\n"
		"     sh register.sh\n",
		b->name, b->cn, when,
		b->sni ? "" :
			 "  verificationCert.crt  proves to AWS that you hold "
			 "the CA key\n",
		b->sni ? " (SNI_ONLY mode)" : "", b->pub_b64, b->keyid,
		b->fp, b->head, b->name, b->pub_b64, b->pub_b64,
		b->pub_b64) == -1)
		return NULL;
	return s;
}

static int
cmp_name(const void *a, const void *c)
{
	return strcmp(((const struct tar_member *)a)->name,
	    ((const struct tar_member *)c)->name);
}

/* MANIFEST over every member so far, in byte order of the names. */
static char *
manifest(struct bundle *b)
{
	char *s, hex[65];
	size_t i, off = 0, cap = b->n * (64 + 2 + TAR_NAME_MAX + 1) + 1;

	qsort(b->m, b->n, sizeof(b->m[0]), cmp_name);
	if ((s = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < b->n; i++) {
		sha256_hex(b->m[i].data, b->m[i].len, hex);
		off += (size_t)snprintf(s + off, cap - off, "%s  %s\n", hex,
		    b->m[i].name);
	}
	return s;
}

/* Reads the archive back: same members, and the signature verifies. */
static int
check_archive(const struct bundle *b, const struct sigkey *pub)
{
	struct tar_list l;
	const struct tar_entry *e, *man, *sig;
	struct minisig s;
	char err[512];
	size_t i;
	int rv = -1;

	if (tar_read(b->gz, b->gzlen, NULL, &l, err, sizeof(err)) == -1) {
		warnf("self-check: the archive does not read back: %s", err);
		return -1;
	}
	for (i = 0; i < b->n; i++) {
		e = tar_list_find(&l, b->m[i].name);
		if (e == NULL || e->len != b->m[i].len ||
		    e->mode != b->m[i].mode ||
		    memcmp(e->data, b->m[i].data, e->len) != 0) {
			warnf("self-check: %s differs in the archive",
			    b->m[i].name);
			goto out;
		}
	}
	man = tar_list_find(&l, "MANIFEST");
	sig = tar_list_find(&l, "MANIFEST.minisig");
	if (l.n != b->n || strcmp(l.top, b->name) != 0 || man == NULL ||
	    sig == NULL ||
	    minisig_parse((const char *)sig->data, sig->len, &s, err,
		sizeof(err)) == -1 ||
	    minisig_verify(&s, pub, man->data, man->len, err, sizeof(err))) {
		warnf("self-check: the archive's signature does not verify");
		goto out;
	}
	rv = 0;
out:
	tar_list_free(&l);
	return rv;
}

/* frames.txt, as written. */
static char *
frames_text(char **lines, unsigned n, size_t *len)
{
	char *s;
	size_t off = 0, cap = 1;
	unsigned i;

	for (i = 0; i < n; i++)
		cap += strlen(lines[i]) + 1;
	if ((s = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, "%s\n", lines[i]);
	*len = off;
	return s;
}

/* Decodes the text with the import parser, all frames and then only the
 * last k (parity included); both must give the archive back. */
static int
check_frames(const struct bundle *b, const char *text, size_t len,
    char **lines, const struct frames_info *info)
{
	struct frames_join *j;
	unsigned char *out = NULL;
	size_t outlen, i;
	char err[1024];
	int pass, rv = -1;

	for (pass = 0; pass < 2; pass++) {
		if ((j = frames_join_new()) == NULL)
			return -1;
		if (pass == 0)
			rv = frames_join_feed(j, text, len, err, sizeof(err));
		else
			for (i = info->n - info->k, rv = 0; i < info->n && !rv;
			     i++)
				rv = frames_join_add(j, lines[i],
					 strlen(lines[i]), err, sizeof(err)) <
				    0;
		if (rv == 0)
			rv = frames_join_finish(j, &out, &outlen, err,
			    sizeof(err));
		frames_join_free(j);
		if (rv == 0 && (outlen != b->gzlen ||
				   memcmp(out, b->gz, outlen) != 0)) {
			snprintf(err, sizeof(err), "rebuilt bytes differ");
			rv = -1;
		}
		free(out);
		out = NULL;
		if (rv != 0) {
			warnf("self-check: frames do not rebuild the bundle "
			      "(%s): %s",
			    pass ? "last k frames" : "frames.txt", err);
			return -1;
		}
	}
	return 0;
}

static int
write_at(int dfd, const char *name, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t r;
	int fd;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		O_CLOEXEC, 0644);
	if (fd == -1 || fchmod(fd, 0644) == -1)
		goto fail;
	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		p += r;
		len -= (size_t)r;
	}
	if (fsync(fd) == -1)
		goto fail;
	return close(fd);
fail:
	warnf("%s: cannot write: %s", name, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* Empties and removes a folder of plain files we made. */
static void
dir_remove(const char *path)
{
	DIR *d;
	struct dirent *de;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	if (rmdir(path) == -1)
		warnf("%s: cannot remove: %s", path, strerror(errno));
}

static int
html_sheet(int dfd, const struct bundle *b, char **svgs,
    const struct frames_info *info, const struct qr_opts *o)
{
	struct html h;
	char *text = NULL, label[FRAMES_LABEL_MAX], *out, title[128];
	size_t len;
	unsigned i;
	int rv;

	snprintf(title, sizeof(title), "Ceremony bundle %s: QR frames",
	    b->name);
	html_begin(&h, title, o->paper);
	html_heading(&h, title);
	if (asprintf(&text,
		"%u QR codes; any %u of them rebuild the bundle (QR version "
		"%d-%c). Bundle id %s, %zu bytes, SHA-256:",
		info->n, info->k, o->version, o->level, info->idhex,
		b->gzlen) == -1)
		text = NULL;
	html_text(&h, text ? text : "");
	html_pre(&h, b->sha);
	html_text(&h, "Restore on the online machine (check the key against "
		      "the paper record):");
	free(text);
	if (asprintf(&text,
		"zbarimg --raw -q qr/frame-*.png | ceremony import --qr - "
		"--pubkey %s\n# or, from lines scanned by a phone into "
		"scanned.txt:\nceremony import --qr scanned.txt --pubkey %s",
		b->pub_b64, b->pub_b64) == -1)
		text = NULL;
	html_pre(&h, text ? text : "");
	free(text);
	html_grid_begin(&h, o->version <= 10 ? 4 : o->version <= 20 ? 3 : 2);
	for (i = 0; i < info->n; i++) {
		frames_label(info, i, label);
		html_grid_code(&h, svgs[i], label);
	}
	html_grid_end(&h);
	if (html_finish(&h, &out, &len) == -1) {
		warnf("%s/frames.html: out of memory", QR_DIR);
		return -1;
	}
	rv = write_at(dfd, "frames.html", out, len);
	free(out);
	return rv;
}

/* Fills a temp folder, then swaps it in for bundle/qr. */
static int
write_qr(const struct bundle *b, char **lines, const char *text,
    size_t textlen, const struct frames_info *info, const struct qr_opts *o)
{
	char tmp[] = QR_DIR ".tmp-XXXXXX", old[] = QR_DIR ".old-XXXXXX";
	char name[32], **svgs;
	unsigned char *png;
	size_t len, svglen;
	struct qr q;
	unsigned i;
	int dfd = -1, rv = -1, moved = 0, ok;

	if ((svgs = calloc(info->n, sizeof(*svgs))) == NULL)
		return -1;
	if (mkdtemp(tmp) == NULL) {
		warnf("%s: cannot create: %s", tmp, strerror(errno));
		free(svgs);
		return -1;
	}
	if ((dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	for (i = 0; i < info->n; i++) {
		if (qr_encode(lines[i], o->version, o->level, &q) == -1) {
			warnf("frame %u does not fit QR version %d-%c", i + 1,
			    o->version, o->level);
			goto out;
		}
		png = NULL;
		if (qr_png(&q, o->scale, &png, &len) == -1 ||
		    qr_svg(&q, &svgs[i], &svglen) == -1) {
			warnf("frame %u: cannot render", i + 1);
			qr_free(&q);
			free(png);
			goto out;
		}
		qr_free(&q);
		snprintf(name, sizeof(name), "frame-%03u.png", i + 1);
		ok = write_at(dfd, name, png, len);
		free(png);
		snprintf(name, sizeof(name), "frame-%03u.svg", i + 1);
		if (ok == -1 || write_at(dfd, name, svgs[i], svglen) == -1)
			goto out;
	}
	if (write_at(dfd, "frames.txt", text, textlen) == -1 ||
	    html_sheet(dfd, b, svgs, info, o) == -1 || fchmod(dfd, 0755) ||
	    fsync(dfd) == -1)
		goto out;
	if (file_exists(QR_DIR)) {
		if (mkdtemp(old) == NULL || rename(QR_DIR, old) == -1) {
			warnf("%s: cannot move aside: %s", QR_DIR,
			    strerror(errno));
			goto out;
		}
		moved = 1;
	}
	if (rename(tmp, QR_DIR) == -1) {
		warnf("%s: cannot rename into place: %s", QR_DIR,
		    strerror(errno));
		if (moved)
			rename(old, QR_DIR);
		goto out;
	}
	dir_sync(QR_DIR);
	if (moved)
		dir_remove(old);
	rv = 0;
out:
	if (dfd != -1)
		close(dfd);
	if (rv != 0)
		dir_remove(tmp);
	for (i = 0; i < info->n; i++)
		free(svgs[i]);
	free(svgs);
	return rv;
}

/* One frame at a time; Enter for the next when stdin is a terminal. */
static int
show_term(char **lines, const struct frames_info *info,
    const struct qr_opts *o)
{
	char label[FRAMES_LABEL_MAX], buf[64];
	int tty_in = isatty(STDIN_FILENO), tty_out = isatty(STDOUT_FILENO);
	struct qr q;
	unsigned i;

	for (i = 0; i < info->n; i++) {
		if (qr_encode(lines[i], o->version, o->level, &q) == -1) {
			warnf("frame %u does not fit QR version %d-%c", i + 1,
			    o->version, o->level);
			return -1;
		}
		if (tty_in && tty_out) /* one code per screen */
			fputs("\033[2J\033[H", stdout);
		if (qr_term(&q, stdout) == -1) {
			qr_free(&q);
			return -1;
		}
		qr_free(&q);
		frames_label(info, i, label);
		printf("%s   (any %u of %u frames rebuild the bundle)\n", label,
		    info->k, info->n);
		if (tty_in && i + 1 < info->n) {
			printf("Enter: next frame, q Enter: stop ");
			fflush(stdout);
			if (fgets(buf, sizeof(buf), stdin) == NULL ||
			    buf[0] == 'q')
				break;
		}
	}
	return fflush(stdout) == 0 ? 0 : -1;
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
	    {"help", 0, NULL, 'h'},
	    PASS_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct pass_src src = PASS_SRC_INIT;
	struct qr_opts o = {15, -1, 4, 'M', "A4"};
	struct bundle b;
	struct sigkey k = {0}, pub;
	struct frames_info info;
	char **lines = NULL, *text = NULL, *man = NULL, *sig = NULL, *rd;
	char tarpath[sizeof(BUNDLE_DIR) + TAR_NAME_MAX + 16], err[512];
	char trusted[512], untrusted[128], fmts[16] = "", level[2] = "M";
	const char *inputs[NFILES + 1] = {NULL}, *outputs[3] = {NULL};
	size_t textlen = 0, siglen, i, no = 0;
	unsigned char sha[32];
	struct tm tm;
	json_t *extra = NULL, *args;
	time_t t;
	int c, fmt = 0, force = 0, rv = EXIT_USAGE;

	memset(&b, 0, sizeof(b));
	memset(&info, 0, sizeof(info));
	optind = 0; /* full getopt reset: cmd_run calls us after others */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (parse_formats(optarg, &fmt) == -1)
				return EXIT_USAGE;
			break;
		case 'n':
			if (strlen(optarg) > TAR_NAME_MAX || !*optarg ||
			    !str_only(optarg, NAMECHARS) ||
			    strchr("._-", optarg[0]) != NULL) {
				warnf("--name: '%s' is not 1-%d of "
				      "[A-Za-z0-9._-] starting with a letter "
				      "or digit",
				    optarg, TAR_NAME_MAX);
				return EXIT_USAGE;
			}
			snprintf(b.name, sizeof(b.name), "%s", optarg);
			break;
		case 'p':
			if (parse_int("--parity", optarg, 1, 254, &o.parity))
				return EXIT_USAGE;
			break;
		case 'V':
			if (parse_int("--qr-version", optarg, 1, 40,
				&o.version))
				return EXIT_USAGE;
			break;
		case 'L':
			if (strlen(optarg) != 1 || !strchr("LMQH", optarg[0])) {
				warnf("--qr-level: '%s' is not L, M, Q or H",
				    optarg);
				return EXIT_USAGE;
			}
			o.level = level[0] = optarg[0];
			break;
		case 's':
			if (parse_int("--scale", optarg, 1, 64, &o.scale))
				return EXIT_USAGE;
			break;
		case 'P':
			if (strcmp(optarg, "A4") != 0 &&
			    strcmp(optarg, "Letter") != 0) {
				warnf("--paper: '%s' is not A4 or Letter",
				    optarg);
				return EXIT_USAGE;
			}
			o.paper = optarg;
			break;
		case 'f':
			force = 1;
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
	    ((fmt & F_QR) && file_check_new(QR_DIR, force) == -1))
		return EXIT_USAGE;

	if ((rv = collect(&b)) != 0)
		goto out;
	rv = EXIT_USAGE;
	/* transcript.log itself changes with the line: not an input */
	for (i = 0, c = 0; i < b.n; i++)
		if (strcmp(b.m[i].name, TRANSCRIPT_FILE) != 0)
			inputs[c++] = b.m[i].name;
	if ((rd = readme(&b)) == NULL)
		goto out;
	add_member(&b, "README.txt", rd, strlen(rd), 0644);
	if (sigkey_load_secret(SIGN_KEY, &src, &k) == -1)
		goto out;
	if (sigkey_parse_public(b.pub_b64, &pub) == -1 ||
	    memcmp(pub.pk, k.pk, 32) != 0 ||
	    memcmp(pub.keynum, k.keynum, 8) != 0) {
		warnf("%s and %s are not one key pair", SIGN_KEY, SIGN_PUB);
		rv = EXIT_CHECK;
		goto out;
	}

	/* MANIFEST and its signature */
	if ((man = manifest(&b)) == NULL)
		goto out;
	snprintf(untrusted, sizeof(untrusted), MINISIG_BUNDLE_COMMENT,
	    b.keyid);
	snprintf(trusted, sizeof(trusted),
	    "timestamp:%llu\tfile:MANIFEST\tbundle:%s\tceremony:%s\thashed",
	    (unsigned long long)b.mtime, b.name, b.cn);
	if (minisig_sign(&k, (unsigned char *)man, strlen(man), untrusted,
		trusted, &sig, &siglen) == -1)
		goto out;
	add_member(&b, "MANIFEST", man, strlen(man), 0644);
	add_member(&b, "MANIFEST.minisig", sig, siglen, 0644);
	man = sig = NULL;

	/* the archive, read back */
	if (tar_write(b.name, b.m, b.n, b.mtime, &b.gz, &b.gzlen, err,
		sizeof(err)) == -1) {
		warnf("%s: %s", tarpath, err);
		goto out;
	}
	if (check_archive(&b, &pub) == -1) {
		rv = EXIT_CHECK;
		goto out;
	}
	crypto_hash_sha256(sha, b.gz, b.gzlen);
	hex_encode(sha, 32, b.sha);

	/* frames, decoded again */
	if (fmt & (F_QR | F_TERM)) {
		if (frames_split(b.gz, b.gzlen, o.version, o.level, o.parity,
			&lines, &info, err, sizeof(err)) == -1) {
			warnf("QR frames: %s", err);
			goto out;
		}
		if ((text = frames_text(lines, info.n, &textlen)) == NULL)
			goto out;
		if (check_frames(&b, text, textlen, lines, &info) == -1) {
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
		if (write_qr(&b, lines, text, textlen, &info, &o) == -1)
			goto out;
		outputs[no++] = QR_DIR "/frames.txt";
	}
	if ((fmt & F_TERM) && show_term(lines, &info, &o) == -1)
		goto out;
	extra = json_pack("{s:s,s:I,s:s,s:s}", "bundle_sha256", b.sha,
	    "bundle_bytes", (json_int_t)b.gzlen, "signing_key", b.keyid,
	    "ceremony_name", b.cn);
	if (extra != NULL && (fmt & (F_QR | F_TERM)) &&
	    (json_object_set_new(extra, "frames", json_integer(info.n)) ||
		json_object_set_new(extra, "frames_needed",
		    json_integer(info.k))))
		goto out;
	args = json_pack("{s:s,s:s,s:i,s:s,s:i,s:i}", "name", b.name,
	    "formats", fmts + 1, "qr_version", o.version, "qr_level", level,
	    "parity", o.parity, "scale", o.scale);
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
		    info.n, info.k, o.version, o.level, info.payload,
		    fmt & F_QR ? ", in " QR_DIR "/" : "");
	printf("Import on the online machine:\n");
	if (fmt & F_TAR)
		printf("  ceremony import %s --pubkey %s\n", tarpath,
		    b.pub_b64);
	if (fmt & F_QR)
		printf("  zbarimg --raw -q %s/frame-*.png | ceremony import "
		       "--qr - --pubkey %s\n",
		    QR_DIR, b.pub_b64);
	rv = 0;
out:
	json_decref(extra);
	sigkey_free(&k);
	if (lines != NULL)
		frames_lines_free(lines, info.n);
	for (i = 0; i < b.n; i++)
		free(b.data[i]);
	free(b.gz);
	free(text);
	free(man);
	free(sig);
	return rv;
}
