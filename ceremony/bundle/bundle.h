/* The signed transfer bundle: what 'ceremony bundle' writes and 'ceremony
 * import' checks, so the two agree on one layout.
 *
 * A deterministic tar.gz (media/tar.h) with one top folder NAME holding
 * the files in bundle_files, each with its mode there: MANIFEST is
 * sha256sum text over every other file but MANIFEST.minisig, in byte
 * order of the names; MANIFEST.minisig signs it (minisign, prehashed),
 * its untrusted comment MINISIG_BUNDLE_COMMENT.
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "media/frames.h"
#include "ca/minisig.h"
#include "ca/sigkey.h"
#include "media/tar.h"
#include "ca/regions.h"

#define BUNDLE_DIR "bundle"
#define BUNDLE_QR_DIR BUNDLE_DIR "/qr"
#define BUNDLE_MANIFEST "MANIFEST"
#define BUNDLE_SIG "MANIFEST.minisig"
#define BUNDLE_README "README.txt"
#define BUNDLE_NAMECHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
#define BUNDLE_NFILES 24 /* entries in bundle_files */
#define BUNDLE_MAX 256   /* files in one bundle */

struct bundle_file {
	const char *name; /* a path; '*' is a CA name or region folder */
	unsigned mode;  /* in the archive */
	int required;   /* in every bundle (the others when a CA has them) */
	int made;       /* written by bundle itself, not by the ceremony */
};
/* bundle_layout.c: the layout, read by the making (bundle.c) and the
 * checking (bundle_check.c); making uses checking, never the reverse.
 * The ceremony's files in the order bundle reads them, then README.txt,
 * MANIFEST and MANIFEST.minisig. */
extern const struct bundle_file bundle_files[BUNDLE_NFILES];
const struct bundle_file *bundle_file_find(const char *name); /* or NULL */
/* tar_read limits for a bundle: import's and the bundle's self-check. */
extern const struct tar_limits bundle_limits;

struct bundle {
	char name[TAR_NAME_MAX + 1]; /* top folder */
	uint64_t mtime;              /* every mtime, the signature time */
	int sni;                     /* SNI_ONLY: no verification cert */
	const char *only;            /* --ca NAME: that intermediate alone */
	char cn[129], fp[96], head[65], pub_b64[57], keyid[17];
	struct tar_member m[BUNDLE_MAX];
	unsigned char *data[BUNDLE_MAX]; /* owned, in the order added */
	char *names[BUNDLE_MAX];         /* owned */
	size_t n;
	struct bundle_cas *cas;          /* after bundle_check */
	unsigned char *gz; /* the archive, after bundle_seal */
	size_t gzlen;
	char sha[65]; /* its SHA-256, hex */
};

/* bundle.c: making it, from the ceremony folder. */
/* SOURCE_DATE_EPOCH, else the time of the transcript's last line. */
int bundle_time(uint64_t *t);
/* Reads the ceremony's files (a message names a missing one): every
 * CA's, or with b->only the root's certificate and that intermediate's. */
int bundle_read(struct bundle *b);
/* Checks what bundle_read got: certificates, template, ceremony.pub and
 * the transcript; fills cn, fp, head, pub_b64 and keyid. */
int bundle_check(struct bundle *b);
/* bundle_readme.c: README.txt for b (malloc'd, or NULL). */
char *bundle_readme(const struct bundle *b);
/* Adds README.txt, MANIFEST and MANIFEST.minisig (signed with k) and
 * writes the archive into b->gz; b->sha is its SHA-256. */
int bundle_seal(struct bundle *b, const struct sigkey *k);
/* Reads b->gz back: the same members, and the signature verifies. */
int bundle_self_check(const struct bundle *b, const struct sigkey *pub);
void bundle_free(struct bundle *b);

/* bundle_content.c: what the files say, checked alike by bundle and
 * import. The CAs of a bundle: the root (prefix "") and each
 * intermediate/NAME/, with their registrations. */
struct bundle_ca {
	char name[66];    /* "" for the root */
	char prefix[96];  /* "" or intermediate/NAME/ */
	int multi;        /* register-all.sh and regions/ */
	int registered;   /* has a register script */
	struct region_reg regs[REGIONS_MAX]; /* from regions.txt */
	size_t nregs;
};
struct bundle_cas {
	struct bundle_ca *v;
	size_t n;
};
/* Every certificate passes lint against its issuer (an intermediate's
 * chain.pem is it, then the root), every regions.txt parses and each of
 * its registrations has its files, every file a register script names
 * (file://NAME) is there, and some CA has a register script. fp gets the
 * root's fingerprint, cn (if not NULL) its CN; *cas (malloc'd, free with
 * bundle_cas_free) the CAs. -1 with a message. */
int bundle_content_check(const struct tar_member *m, size_t n,
    struct bundle_cas **cas, char fp[96], char cn[129]);
void bundle_cas_free(struct bundle_cas *c);

/* bundle_check.c: checking one, as import does. */
/* The key of a minisign .pub file held in memory (strict layout). */
int bundle_pub_parse(const unsigned char *text, size_t len,
    struct sigkey *k);
/* MANIFEST.minisig against the pinned key, with the untrusted comment
 * bundle writes. -1 with the whole message in err. */
int bundle_sig_check(const struct tar_list *l, const struct sigkey *pin,
    struct minisig *s, char *err, size_t errlen);
/* Import's checks 4-6 on an archive in memory: the signature, MANIFEST
 * against every file, the file names and modes, ceremony.pub is the
 * pinned key, then bundle_content_check (*cas: its CAs). Each failure
 * says what is wrong. */
int bundle_verify(const struct tar_list *l, const struct sigkey *pin,
    struct minisig *s, struct bundle_cas **cas, char fp[96]);

/* bundle_qr.c: QR frames of the archive. */
struct bundle_qr {
	int version, parity, scale; /* QR version, parity frames, PNG scale */
	char level;                 /* QR error correction */
	const char *paper;          /* frames.html paper */
	char **lines;               /* one payload per frame */
	char *text;                 /* frames.txt */
	size_t textlen;
	struct frames_info info;
};
/* Splits b->gz into frames with q's options: lines, text and info. */
int bundle_qr_make(const struct bundle *b, struct bundle_qr *q);
/* Decodes the frames again with the import parser, frames.txt and then
 * only the last k; both must give the archive back. */
int bundle_qr_self_check(const struct bundle *b, const struct bundle_qr *q);
/* BUNDLE_QR_DIR: frame-NNN.png and .svg, frames.txt and frames.html,
 * filled as a temp folder and swapped in. */
int bundle_qr_write(const struct bundle *b, const struct bundle_qr *q);
/* One frame at a time on stdout; Enter for the next on a terminal. */
int bundle_qr_show(const struct bundle_qr *q);
void bundle_qr_free(struct bundle_qr *q);
/* Rebuilds the archive from scanned lines. report: a name to print
 * progress under (skipped lines, frames used) on stderr, or NULL. */
int bundle_qr_join(const char *text, size_t len, const char *report,
    unsigned char **out, size_t *outlen, char *err, size_t errlen);

/* bundle_dir.c: folders filled as temp folders, then put in place. */
/* Makes "DIR.tmp-XXXXXX" (0700); *tmp is malloc'd. */
int bundle_dir_temp(const char *dir, char **tmp);
/* A new file NAME in folder tmp, with mode. */
int bundle_dir_write(const char *tmp, const char *name, const void *buf,
    size_t len, unsigned mode);
/* Makes tmp 0755 and syncs it. */
int bundle_dir_seal(const char *tmp);
/* rename without replacing: to may have appeared since it was checked. */
int bundle_dir_rename(const char *from, const char *to);

#endif
