/* QR frames: bytes split into text lines, one per QR code, with a
 * systematic Reed-Solomon erasure code so any k of n frames rebuild them.
 *
 * Line: "CB1:" then Base45 (RFC 9285) of the binary frame, nothing else.
 * Every char is in QR's alphanumeric set. Binary frame, big-endian:
 *   off 0   4 bytes  bundle id: first 4 bytes of SHA-256(bundle)
 *   off 4   4 bytes  total: bundle length in bytes (>= 1)
 *   off 8   1 byte   k: data frames (>= 1)
 *   off 9   1 byte   n: all frames (k < n <= 255)
 *   off 10  1 byte   index (< n)
 *   off 11  P bytes  payload; P is the same in all frames of a bundle
 *                    and k = ceil(total / P): (k-1)*P < total <= k*P
 *   off 11+P 4 bytes CRC-32 (zlib/ISO-HDLC) of bytes 0 .. 10+P
 * Data frame i < k carries bundle bytes [i*P, i*P+P), zero-padded past
 * total. Parity frame k+j carries sum over i<k of C(j,i) * D_i over GF(2^8)
 * (polynomial x^8+x^4+x^3+x+1), C(j,i) = 1 / ((k+j) XOR i): a Cauchy
 * matrix under an identity (media/rs.h), so any k distinct frames rebuild
 * the data. The splitter fills frames to the QR version's capacity:
 * P = frames_payload_max(version, level), or total when one frame holds
 * it all.
 * Humans see 1-based labels: "03/12 ab12cd34" is index 2 of n=12.
 */
#ifndef FRAMES_H
#define FRAMES_H

#include <stddef.h>

#define FRAMES_TAG "CB1:"
#define FRAMES_TAG_LEN 4
#define FRAMES_HEADER 11 /* bytes before the payload */
#define FRAMES_OVERHEAD 15 /* header + CRC */
#define FRAMES_MAX_N 255
#define FRAMES_LABEL_MAX 24

struct frames_info {
	unsigned char id[4];
	char idhex[9]; /* lower-case hex of id */
	size_t total;   /* bundle bytes */
	size_t payload; /* P */
	unsigned k, n;  /* data frames, all frames (n - k parity) */
	size_t line_len; /* chars in each line, tag included */
};

/* Payload bytes one frame can carry in a QR code of this version (1-40)
 * and level ('L','M','Q','H') in one alphanumeric segment; -1 if invalid.
 * 15-M: 382, 20-L: 815. */
int frames_payload_max(int version, char level);

/* Plans a split without encoding: fills info (id included). parity < 0:
 * default ceil(40% of k), at least 1; else parity >= 1. Fails (-1, err)
 * when len is 0, n would exceed 255, or version/level is invalid. */
int frames_plan(const unsigned char *buf, size_t len, int version,
    char level, int parity, struct frames_info *info, char *err,
    size_t errlen);

/* Splits buf into info->n malloc'd NUL-terminated lines (*lines[i] is
 * frame i); free with frames_lines_free. Same arguments as frames_plan. */
int frames_split(const unsigned char *buf, size_t len, int version,
    char level, int parity, char ***lines, struct frames_info *info,
    char *err, size_t errlen);
void frames_lines_free(char **lines, unsigned n);

/* The label rule, for every place a frame is named to humans: index+1
 * and n, zero-padded to the width of n (at least 2 digits), then the
 * bundle id. */
enum {
	FRAMES_LABEL_NUM,  /* "03": one frame in a list */
	FRAMES_LABEL_POS,  /* "03/12": a frame in messages */
	FRAMES_LABEL_FULL, /* "03/12 ab12cd34": under each QR code */
};
void frames_label(const struct frames_info *info, unsigned index, int form,
    char out[FRAMES_LABEL_MAX]);
/* Lower-case hex of a bundle id (out: 9 bytes with the NUL). */
void frames_id_hex(const unsigned char id[4], char out[9]);

/* Reassembly: feed scanned lines in any order, then finish. */
struct frames_join;

enum {
	FRAMES_NEW = 0,     /* a frame not seen before: stored */
	FRAMES_DUP = 1,     /* same index seen before, identical: ignored */
	FRAMES_BLANK = 2,   /* empty line (after dropping \r): ignored */
	FRAMES_GARBAGE = 3, /* not a frame (no "CB1:" tag): ignored */
};

struct frames_join *frames_join_new(void); /* NULL if out of memory */
void frames_join_free(struct frames_join *j);

/* One line, without or with its trailing "\n" / "\r\n" (spaces are Base45
 * chars and are kept). A "QR-Code:" prefix (zbarimg without --raw) is
 * skipped. Returns FRAMES_* (counted), or -1 with err: invalid Base45,
 * bad frame length, CRC mismatch, bad header fields, unsupported tag
 * version, a different bundle id ("frame from bundle 1a2b3c4d, but earlier
 * frames are from bundle ab12cd34"), header fields that differ from
 * earlier frames, or the same index with different content. A frame that
 * fails is not stored; the caller decides whether to go on. */
int frames_join_add(struct frames_join *j, const char *line, size_t len,
    char *err, size_t errlen);
/* Splits text on '\n' and adds each line; stops at the first -1 with
 * "line N: ..." in err. Returns 0 or -1. */
int frames_join_feed(struct frames_join *j, const char *text, size_t len,
    char *err, size_t errlen);

struct frames_status {
	int started; /* at least one frame accepted; info is valid */
	struct frames_info info;
	unsigned have;  /* distinct frames stored */
	unsigned need;  /* more frames needed (0 when finish can rebuild) */
	unsigned blank, garbage, dup; /* lines ignored, by kind */
};
void frames_join_status(const struct frames_join *j, struct frames_status *st);
/* Indices (0-based) not yet seen, ascending, at most max of them written;
 * returns how many are missing in all (n - have, or 0 before any frame). */
unsigned frames_join_missing(const struct frames_join *j, unsigned *idx,
    unsigned max);

/* Rebuilds the bundle into malloc'd *out. -1 with err when no frame was
 * seen, when frames are missing ("bundle ab12cd34: need 3 more frames
 * (have 9 of the 12 needed, 17 made); missing: 02, 05, ..."), or when
 * the result is inconsistent: non-zero padding, a stored frame that
 * disagrees with the rebuilt data, or a SHA-256 that does not start with
 * the bundle id. */
int frames_join_finish(struct frames_join *j, unsigned char **out,
    size_t *outlen, char *err, size_t errlen);

#endif
