/* Deterministic ustar+gzip archives in memory, and their strict reader.
 *
 * Layout written: one directory entry "TOP/" (mode 0755), then the members
 * as "TOP/NAME" in byte order of NAME, regular files only. Every header has
 * the given mtime, uid/gid 0, uname/gname "root", magic "ustar\0" "00";
 * the tar stream ends with two zero blocks (no record padding). The gzip
 * header has mtime 0, no file name, XFL 2, OS 3 (Unix); deflate level 9.
 * Same inputs and same zlib, same bytes.
 *
 * TOP and every component of NAME: 1-64 chars of [A-Za-z0-9._-], first
 * char a letter or digit (so no "..", no hidden files). NAME may name a
 * file in a subfolder ("regions/us-east-1/register.sh": at most
 * TAR_DEPTH_MAX components, TAR_PATH_MAX chars); subfolders have no
 * entries of their own (extractors make them), and no name is both a
 * file and a folder. The header holds NAME in its name field when it fits
 * (100 bytes); otherwise the fewest leading folders move to the prefix
 * field after TOP.
 */
#ifndef TAR_H
#define TAR_H

#include <stddef.h>
#include <stdint.h>

#define TAR_NAME_MAX 64
#define TAR_DEPTH_MAX 5
#define TAR_PATH_MAX 200

struct tar_member {
	const char *name;          /* NAME inside TOP */
	const unsigned char *data; /* may be NULL when len is 0 */
	size_t len;
	unsigned mode; /* permission bits only: 0644, 0755, ... (<= 0777) */
};

/* Writes the members (any order in m; sorted on output; names must be
 * unique) into a malloc'd .tar.gz in *out. Returns 0, or -1 with err. */
/* A member or top folder name: 1-TAR_NAME_MAX of [A-Za-z0-9._-], first a
 * letter or digit. */
int tar_name_ok(const char *s);
/* A member path: 1-TAR_DEPTH_MAX names as tar_name_ok, joined by '/', at
 * most TAR_PATH_MAX chars. */
int tar_path_ok(const char *s);

int tar_write(const char *top, const struct tar_member *m, size_t n,
    uint64_t mtime, unsigned char **out, size_t *outlen, char *err,
    size_t errlen);

/* The gzip wrapping tar_write uses, on any bytes: malloc'd *out. */
int tar_gzip(const unsigned char *in, size_t len, unsigned char **out,
    size_t *outlen, char *err, size_t errlen);

struct tar_limits {
	size_t max_members; /* regular files, not counting TOP/ */
	size_t max_member;  /* bytes in one member */
	size_t max_total;   /* bytes in all members together */
};
/* Defaults used when tar_read gets NULL limits. */
#define TAR_DEF_MEMBERS 256
#define TAR_DEF_MEMBER (8u << 20)
#define TAR_DEF_TOTAL (16u << 20)

struct tar_entry {
	char *name; /* NAME without "TOP/" */
	unsigned char *data; /* malloc'd, len bytes (+ a NUL not counted) */
	size_t len;
	unsigned mode; /* permission bits */
};

struct tar_list {
	char top[TAR_NAME_MAX + 1];
	uint64_t mtime; /* from the TOP/ entry */
	struct tar_entry *e; /* in archive order, which is sorted */
	size_t n;
};

/* Reads .tar.gz bytes and accepts only what tar_write makes: the tar
 * stream must follow the layout above, and in the end tar_write of the
 * listing must give back exactly the bytes read (so no byte of the file
 * can change unnoticed, not even where tar or deflate has slack). The
 * gunzipped stream is cut off at max_total + 512 * (2 * max_members + 3)
 * bytes (gzip bomb).
 * Errors, each with its own message in err (offsets are in the tar
 * stream): not gzip, truncated gzip, corrupt deflate data, gzip CRC or
 * length mismatch, trailing bytes after the gzip stream, second gzip
 * member, decompressed size over the bound, header checksum mismatch,
 * absolute path, ".." component, name not under the one top folder, bad
 * name chars, symlink, hard link, device, fifo, directory other than TOP/,
 * other/unknown type (pax, GNU long name), duplicate name, unsorted
 * members, member or total size over the limit, too many members, bad
 * mode bits, not ustar, non-zero padding, truncated member, missing end
 * of archive, garbage after the end of archive, bytes that differ from
 * tar_write's. The last kinds ("not an archive written by ceremony:
 * ...") are reported only when nothing worse is found.
 * On success fills *list (free with tar_list_free); on failure *list is
 * left empty. Returns 0 or -1. */
int tar_read(const unsigned char *gz, size_t len, const struct tar_limits *lim,
    struct tar_list *list, char *err, size_t errlen);
void tar_list_free(struct tar_list *list);
/* Member by NAME, or NULL. */
const struct tar_entry *tar_list_find(const struct tar_list *list,
    const char *name);

#endif
