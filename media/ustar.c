/* Reading a ustar header block: the checks tar_read.c and the stream
 * reader (tar_in_hdr.c) share, so that both refuse the same damage and the
 * same hostile paths with the same words. */
#include <stdio.h>
#include <string.h>

#include "media/err.h"
#include "media/tar.h"
#include "media/ustar.h"

int
ustar_octal(const unsigned char *f, size_t w, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	while (i < w && f[i] == ' ')
		i++;
	if (i == w || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < w && f[i] >= '0' && f[i] <= '7'; i++) {
		if (*v >> 60)
			return -1;
		*v = *v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < w; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return -1;
	return 0;
}

void
ustar_field(const unsigned char *f, size_t w, char *out)
{
	size_t n = 0;

	while (n < w && f[n])
		n++;
	memcpy(out, f, n);
	out[n] = '\0';
}

static const char *
type_name(unsigned char t)
{
	switch (t) {
	case '1': return "a hard link";
	case '2': return "a symlink";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a fifo";
	case '7': return "a contiguous file";
	case 'x': return "a pax extended header";
	case 'g': return "a pax global header";
	case 'L': return "a GNU long name";
	case 'K': return "a GNU long link name";
	default: return NULL;
	}
}

/* Path and type: a regular file or the top folder, no '..', under one
 * top folder (set in top when first, compared with it after). */
static int
check_path(struct ustar_member *m, unsigned long long off, int first,
    char *top, size_t toplen, char *err, size_t errlen)
{
	const char *path = m->path, *slash, *p;
	unsigned char t = m->type;
	char buf[256];
	size_t n;

	if (path[0] == '\0')
		return media_errf(err, errlen, "member at offset %llu has an "
		    "empty name", off);
	if (path[0] == '/')
		return media_errf(err, errlen,
		    "member '%s' has an absolute path", path);
	for (p = path; *p; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return media_errf(err, errlen,
			    "member '%s' has a '..' component", path);
		if (slash == NULL)
			break;
	}
	if (type_name(t))
		return media_errf(err, errlen, "member '%s' is %s: only "
		    "regular files are allowed", path, type_name(t));
	if (t != '0' && t != '\0' && t != '5')
		return media_errf(err, errlen, "member '%s' has unknown type "
		    "'%c': only regular files are allowed", path,
		    t >= 0x20 && t < 0x7f ? t : '?');
	if ((slash = strchr(path, '/')) == NULL)
		return media_errf(err, errlen, "member '%s' is %s", path,
		    t == '5' ? "a directory outside the top folder" :
		    "not inside a top folder");
	n = (size_t)(slash - path);
	if (n >= sizeof(buf))
		return media_errf(err, errlen,
		    "member '%s': top folder name too long", path);
	memcpy(buf, path, n);
	buf[n] = '\0';
	m->base = slash + 1;
	if (first) {
		if (!tar_name_ok(buf))
			return media_errf(err, errlen, "top folder '%s' has a "
			    "bad name (allowed: 1-%d of A-Z a-z 0-9 . _ -, not "
			    "starting with . _ -)", buf, TAR_NAME_MAX);
		snprintf(top, toplen, "%s", buf);
	} else if (strcmp(buf, top) != 0)
		return media_errf(err, errlen, "member '%s' is under a second "
		    "top folder '%s' (the archive's top folder is '%s')",
		    path, buf, top);
	if (t == '5' && *m->base != '\0')
		return media_errf(err, errlen, "member '%s' is a directory: "
		    "only the top folder may be one", path);
	if (t == '5' && !first)
		return media_errf(err, errlen,
		    "the top folder entry '%s' appears twice", path);
	return 0;
}

int
ustar_member_read(const unsigned char *h, unsigned long long off, int first,
    char *top, size_t toplen, struct ustar_member *m, char *err,
    size_t errlen)
{
	char name[USTAR_NAME_LEN + 1], prefix[USTAR_PREFIX_LEN + 1];
	uint64_t sum;
	unsigned calc = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->type = h[USTAR_TYPE];
	for (i = 0; i < USTAR_BLOCK; i++)
		calc += (i >= USTAR_CHKSUM &&
		    i < USTAR_CHKSUM + USTAR_CHKSUM_LEN) ? ' ' : h[i];
	if (ustar_octal(h + USTAR_CHKSUM, USTAR_CHKSUM_LEN, &sum) < 0 ||
	    sum != calc)
		return media_errf(err, errlen, "tar header checksum mismatch "
		    "at offset %llu: the archive is corrupted", off);
	ustar_field(h + USTAR_NAME, USTAR_NAME_LEN, name);
	ustar_field(h + USTAR_PREFIX, USTAR_PREFIX_LEN, prefix);
	if (memcmp(h + USTAR_MAGIC, USTAR_ID, USTAR_MAGIC_LEN) != 0)
		prefix[0] = '\0';
	snprintf(m->path, sizeof(m->path), "%s%s%s", prefix,
	    prefix[0] ? "/" : "", name);
	if (check_path(m, off, first, top, toplen, err, errlen) < 0)
		return -1;
	if (ustar_octal(h + USTAR_SIZE, USTAR_SIZE_LEN, &m->size) < 0)
		return media_errf(err, errlen,
		    "member '%s' has a malformed size field", m->path);
	if (m->type == '5' && m->size != 0)
		return media_errf(err, errlen,
		    "the top folder entry '%s' carries data", m->path);
	return 0;
}
