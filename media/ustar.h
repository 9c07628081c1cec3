/* The ustar header block (POSIX.1-1988) that tar.c writes and tar_read.c
 * reads: each field's offset in the block and its width in bytes. Numbers
 * are octal digits ended by NUL (the checksum: six digits, NUL, space). */
#ifndef USTAR_H
#define USTAR_H

#define USTAR_BLOCK 512

#define USTAR_NAME 0
#define USTAR_NAME_LEN 100
#define USTAR_MODE 100
#define USTAR_MODE_LEN 8
#define USTAR_UID 108
#define USTAR_UID_LEN 8
#define USTAR_GID 116
#define USTAR_GID_LEN 8
#define USTAR_SIZE 124
#define USTAR_SIZE_LEN 12
#define USTAR_MTIME 136
#define USTAR_MTIME_LEN 12
#define USTAR_CHKSUM 148 /* summed as if it were all spaces */
#define USTAR_CHKSUM_LEN 8
#define USTAR_TYPE 156 /* one byte: '0' file, '5' directory, ... */
#define USTAR_LINKNAME 157
#define USTAR_LINKNAME_LEN 100
#define USTAR_MAGIC 257 /* "ustar\0", then the version "00" */
#define USTAR_MAGIC_LEN 6
#define USTAR_ID "ustar\0" "00" /* magic and version together */
#define USTAR_ID_LEN 8
#define USTAR_UNAME 265
#define USTAR_UNAME_LEN 32
#define USTAR_GNAME 297
#define USTAR_GNAME_LEN 32
#define USTAR_DEVMAJOR 329
#define USTAR_DEVMAJOR_LEN 8
#define USTAR_DEVMINOR 337
#define USTAR_DEVMINOR_LEN 8
#define USTAR_PREFIX 345
#define USTAR_PREFIX_LEN 155

#include <stddef.h>
#include <stdint.h>

/* The header block tar_write writes (tar.c): prefix and name copied as
 * they are (name may fill its field without a NUL), owner 0/root, magic
 * ustar 00, the checksum last. Used by the stream writer and reader too,
 * so that all three agree byte for byte. */
void ustar_header(unsigned char *h, const char *prefix, const char *name,
    char type, unsigned mode, uint64_t size, uint64_t mtime);

/* Parsing, for tar_read.c and the stream reader: an octal field (digits,
 * then NUL or space to its end; -1 if malformed), and a NUL-terminated or
 * full-width field copied to out (size w + 1). */
int ustar_octal(const unsigned char *f, size_t w, uint64_t *v);
void ustar_field(const unsigned char *f, size_t w, char *out);

struct ustar_member {
	char path[USTAR_PREFIX_LEN + 1 + USTAR_NAME_LEN + 1];
	const char *base; /* path inside the top folder */
	unsigned char type;
	uint64_t size;
};

/* The header block at offset off: checksum, path (no '..', absolute path,
 * link, device or pax member; one top folder, which first sets in top and
 * later members must share; the top folder entry once, empty), size. 0, or
 * -1 with a message in err. The name rules inside the top folder are the
 * caller's. */
int ustar_member_read(const unsigned char *h, unsigned long long off,
    int first, char *top, size_t toplen, struct ustar_member *m, char *err,
    size_t errlen);

#endif
