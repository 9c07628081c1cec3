/* The stream reader's state, shared by tar_in.c (gzip, the byte stream)
 * and tar_in_hdr.c (one header block). */
#ifndef TAR_IN_INT_H
#define TAR_IN_INT_H

#include "media/tar_stream.h"
#include "media/ustar.h"

enum { S_HDR, S_DATA, S_PAD, S_END2, S_AFTER };

struct tin {
	const struct tar_src *src;
	const struct tar_limits *lim;
	tar_scan_fn fn;
	void *arg;
	int level;      /* of the deflate that wrote it */
	char *err;
	size_t errlen;
	char fmt[256];  /* first departure from the writer's layout */
	int rc;         /* the callback's value once it stopped */
	/* the tar stream */
	uint64_t off;   /* offset of the next byte */
	unsigned char blk[USTAR_BLOCK];
	size_t blen;
	int state;
	uint64_t left, pad;
	struct tar_hdr h;
	uint64_t members, total;
	int top_seen;
	/* exact: deflated again and compared with the source */
	struct tar_z *z;
	uint64_t zoff;
	unsigned char *cmp;
};

/* Notes the first departure; later ones are not kept. */
void tin_deviate(struct tin *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* One full header block at r->off - USTAR_BLOCK: checks it, then the
 * member begins (or the end marker or the top folder). 0 or -1. */
int tin_header(struct tin *r);

#endif
