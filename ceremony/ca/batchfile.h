/* The signed batch archive: what 'sign --format tar' writes and 'import
 * --batch' checks, so that the two agree on one layout.
 *
 * A stream tar.gz (media/tar_stream.h) with one top folder, the batch id,
 * holding, all mode 0644, in byte order of the names:
 *   <stem>.crt        a device certificate (PEM)
 *   <stem>-chain.crt  it, then the issuing CA's certificate
 *   rejected.txt      one line per rejected CSR
 *   summary.txt       the batch: "key  value" lines (batchfile_summary)
 *   MANIFEST          sha256sum text over every other member but
 *                     MANIFEST.minisig, in byte order of the names
 *   MANIFEST.minisig  minisign (prehashed) by ceremony.key, untrusted
 *                     comment MINISIG_BUNDLE_COMMENT, trusted comment
 *                     BATCHFILE_TRUSTED
 * A stem is a device's CN as a file name (CN, or CN.2 ... for a repeated
 * CN), as sign names files; every mtime is the archive time, the latest
 * notBefore of its certificates (the CA's notBefore when it has none), so
 * the ledger alone gives the same bytes again.
 */
#ifndef BATCHFILE_H
#define BATCHFILE_H

#include <stddef.h>

#include "media/tar_stream.h"

#define BATCHFILE_MANIFEST "MANIFEST"
#define BATCHFILE_SIG "MANIFEST.minisig"
#define BATCHFILE_REJECTED "rejected.txt"
#define BATCHFILE_SUMMARY "summary.txt"
#define BATCHFILE_CRT ".crt"
#define BATCHFILE_CHAIN "-chain.crt"
#define BATCHFILE_MODE 0644
/* deflate level: 1, five times faster than 9 on PEM, 20% larger */
#define BATCHFILE_LEVEL 1
#define BATCHFILE_TRUSTED \
	"timestamp:%llu\tfile:MANIFEST\tbatch:%s\tca:%s\thashed"
#define BATCHFILE_DEVICES_MAX 1000000 /* certificates in one archive */
#define BATCHFILE_CERT_MAX (64u << 10) /* one .crt or -chain.crt */
#define BATCHFILE_TEXT_MAX (64u << 10) /* summary.txt */

enum batchfile_kind {
	BF_BAD = -1,
	BF_CRT,
	BF_CHAIN,
	BF_REJECTED,
	BF_SUMMARY,
	BF_MANIFEST,
	BF_SIG,
};

/* The kind of member name; a certificate's stem goes to stem (at least
 * TAR_STREAM_NAME_MAX + 1 bytes). */
enum batchfile_kind batchfile_kind(const char *name, char *stem);

/* The reader's limits for a batch archive. */
extern const struct tar_limits batchfile_limits;

/* summary.txt: the keys, in order; each line is the key padded with
 * spaces to 18 columns, then the value. */
struct batchfile_summary {
	char batch[17];
	char csr_set_sha256[65];
	char ca[66];          /* "root", or the intermediate's NAME */
	char ca_subject[1024];
	char ca_sha256[65];   /* SHA-256 of the CA certificate's DER */
	unsigned long csrs, certificates, rejected, not_regular_files;
	char time[21];        /* the archive time, UTC */
};
/* The text (malloc'd, NUL-terminated), or NULL. */
char *batchfile_summary_text(const struct batchfile_summary *s);
/* Parses exactly what batchfile_summary_text writes. 0, or -1 with err. */
int batchfile_summary_parse(const char *text, size_t len,
    struct batchfile_summary *s, char *err, size_t errlen);

#endif
