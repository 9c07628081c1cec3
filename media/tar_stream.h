/* Deterministic ustar+gzip archives written and read as a stream, for
 * archives too large to hold in memory (a batch of device certificates).
 *
 * The bytes are those tar_write (media/tar.h) makes for the same members,
 * with two limits: members are flat (no subfolders) and come in strictly
 * increasing byte order of their names, which the writer checks instead of
 * sorting. A name is 1-TAR_STREAM_NAME_MAX of [A-Za-z0-9._:-], not
 * starting with '.' (a device's CN as a file name); the top folder is as
 * tar_name_ok.
 *
 * Both sides feed deflate in pieces of TAR_Z_CHUNK bytes of the tar
 * stream (tar_z below), so the reader can deflate what it read again and
 * compare: no byte of an archive, not even in the slack of tar or
 * deflate, changes unnoticed.
 */
#ifndef TAR_STREAM_H
#define TAR_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "media/tar.h"

#define TAR_STREAM_NAME_MAX 100 /* the ustar name field */
#define TAR_Z_CHUNK 65536
#define TAR_Z_OUT (2 * TAR_Z_CHUNK + 4096)

int tar_stream_name_ok(const char *s);

/* Output of the gzip compressor: 0, or -1 to stop (the sink's message). */
typedef int (*tar_sink_fn)(void *arg, const unsigned char *p, size_t n);

/* tar_z.c: tar bytes in, gzip bytes to the sink, as tar_gzip makes them
 * but at deflate level (1-9; tar_gzip's is 9); input is staged and
 * deflated TAR_Z_CHUNK bytes at a time. The gzip header: mtime 0, no
 * name, XFL tar_z_xfl(level) (2 for 9, 4 for 1, else 0), OS 3. */
struct tar_z {
	z_stream z;
	gz_header gh; /* zlib keeps a pointer to it */
	int live;
	unsigned char in[TAR_Z_CHUNK];
	size_t inlen;
	unsigned char out[TAR_Z_OUT];
	tar_sink_fn sink;
	void *arg;
};
int tar_z_init(struct tar_z *t, int level, tar_sink_fn sink, void *arg,
    char *err, size_t errlen);
int tar_z_xfl(int level);
int tar_z_put(struct tar_z *t, const void *p, size_t n, char *err,
    size_t errlen);
int tar_z_finish(struct tar_z *t, char *err, size_t errlen);
void tar_z_end(struct tar_z *t);

/* tar_out.c: the writer. tar_out_new writes TOP/ with mtime; each member
 * is tar_out_add (whole) or tar_out_begin, tar_out_data until size bytes,
 * tar_out_end; tar_out_finish writes the end of archive and the gzip
 * trailer. Every call returns 0, or -1 with err (a sink's -1 too). */
struct tar_out;
struct tar_out *tar_out_new(const char *top, uint64_t mtime, int level,
    tar_sink_fn sink, void *arg, char *err, size_t errlen);
int tar_out_begin(struct tar_out *t, const char *name, uint64_t size,
    unsigned mode, char *err, size_t errlen);
int tar_out_data(struct tar_out *t, const void *p, size_t n, char *err,
    size_t errlen);
int tar_out_end(struct tar_out *t, char *err, size_t errlen);
int tar_out_add(struct tar_out *t, const char *name, const void *p,
    size_t n, unsigned mode, char *err, size_t errlen);
int tar_out_finish(struct tar_out *t, char *err, size_t errlen);
void tar_out_free(struct tar_out *t);

/* tar_in.c: the strict reader. The archive is in memory (mem) or a file
 * (fd, read with pread; len its size). */
struct tar_src {
	const unsigned char *mem;
	int fd;
	uint64_t len;
};

/* What the reader passes on: each member as TAR_BEGIN (h filled), its
 * data in pieces (TAR_DATA), TAR_END. Nothing is final until tar_scan
 * returns 0: a later byte can still make the archive bad. */
enum { TAR_BEGIN, TAR_DATA, TAR_END };
struct tar_hdr {
	char top[TAR_NAME_MAX + 1];
	char name[TAR_STREAM_NAME_MAX + 1];
	uint64_t size, mtime;
	unsigned mode;
	uint64_t index; /* 0 for the first member */
};
/* 0 to go on; anything else stops the scan (the callback's message). */
typedef int (*tar_scan_fn)(void *arg, int ev, const struct tar_hdr *h,
    const unsigned char *p, size_t n);
#define TAR_STOPPED (-2)

/* Reads the whole archive and accepts only what tar_out writes at deflate
 * level: gzip exactly so (header, CRC-32, length, nothing after), the tar
 * stream in the layout above, every header byte for byte the one the
 * writer makes, zero padding, two zero blocks and nothing after, within
 * lim (the inflated stream is cut off at max_total + 512 * (2 *
 * max_members + 3) bytes). With exact set, the tar stream is deflated
 * again and must give back the archive byte for byte. Each fault has its
 * own message in err, as tar_read's; departures from the writer's layout
 * ("not an archive written by ceremony: ...") are reported only when
 * nothing worse is found. Returns 0; -1 with err; TAR_STOPPED when fn
 * stopped it. */
int tar_scan(const struct tar_src *src, const struct tar_limits *lim,
    int level, int exact, tar_scan_fn fn, void *arg, char *err,
    size_t errlen);

#endif
