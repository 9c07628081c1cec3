/* Files: reading whole files, atomic and secret writes, the tool's own
 * state files (no links, regular files only), directories, SHA-256. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "core/util.h"


int
fd_read_all(int fd, const char *path, unsigned char **buf, size_t *len,
    size_t max)
{
	unsigned char *b = NULL, *nb;
	size_t n = 0, cap = 0, room;
	ssize_t r;
	int rv = -1;

	*buf = NULL;
	*len = 0;
	do {
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(b, cap)) == NULL) {
				warnf("%s: out of memory", path);
				goto out;
			}
			b = nb;
		}
		room = cap - n - 1;
		if ((r = fd_read_max(fd, path, b + n, room)) == -1)
			goto out;
		n += (size_t)r;
		if (n > max) {
			warnf("%s: larger than the limit of %zu bytes", path,
			    max);
			goto out;
		}
	} while ((size_t)r == room);
	b[n] = 0;
	*buf = b;
	*len = n;
	b = NULL;
	rv = 0;
out:
	free(b);
	return rv;
}

/* file_read; with state, of a file opened by file_open_state. */
static int
read_whole(const char *path, int state, unsigned char **buf, size_t *len,
    size_t max)
{
	int fd, rv;

	*buf = NULL;
	*len = 0;
	if (!state && strcmp(path, "-") == 0)
		return fd_read_all(STDIN_FILENO, path, buf, len, max);
	fd = state ? file_open_state(path, O_RDONLY, 0) :
	    open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (!state || errno == ENOENT)
			warnf("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	rv = fd_read_all(fd, path, buf, len, max);
	close(fd);
	return rv;
}

int
file_read(const char *path, unsigned char **buf, size_t *len, size_t max)
{
	return read_whole(path, 0, buf, len, max);
}

int
file_open_state(const char *path, int flags, mode_t mode)
{
	int base = (flags & ~(O_CREAT | O_EXCL)) | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK;
	int fd = -1, made = 0, fl;
	struct stat st;

	if (!(flags & O_EXCL))
		fd = open(path, base);
	if ((flags & O_CREAT) && ((flags & O_EXCL) ||
	    (fd == -1 && errno == ENOENT))) {
		fd = open(path, base | O_CREAT | O_EXCL, mode);
		made = fd != -1;
	}
	if (fd == -1) {
		int e = errno;

		if (e == ENOENT && !(flags & O_CREAT))
			return -1;
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			warnf("%s: a symbolic link; refusing to follow it (the "
			      "ceremony's own files must be regular files)",
			    path);
		else if (e == EISDIR)
			warnf("%s: not a regular file", path);
		else
			warnf("%s: cannot %s: %s", path,
			    (flags & O_CREAT) ? "create" : "open", strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		warnf("%s: not a regular file", path);
		goto fail;
	}
	/* only the file made just now gets a mode: never someone else's */
	if ((made && fchmod(fd, mode) == -1) ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		warnf("%s: cannot set up: %s", path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	if (made)
		unlink(path);
	return -1;
}

int
file_read_state(const char *path, unsigned char **buf, size_t *len,
    size_t max)
{
	return read_whole(path, 1, buf, len, max);
}

int
dir_check_state(const char *path, const char *name)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		warnf("%s: cannot read the ceremony directory: %s", name,
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		warnf("%s: the ceremony directory is not a directory", name);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		warnf("%s: the ceremony directory belongs to another user "
		      "(uid %ld); use a directory of your own",
		    name, (long)st.st_uid);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		warnf("%s: the ceremony directory is writable by %s, who "
		      "could replace its files; chmod go-w it first",
		    name, (st.st_mode & S_IWOTH) ? "everyone" : "its group");
		return -1;
	}
	return 0;
}

int
file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
file_check_new(const char *path, int force)
{
	if (!force && file_exists(path)) {
		warnf("%s exists; use --force to replace it", path);
		return -1;
	}
	return 0;
}

int
dir_sync(const char *path)
{
	char *copy, *dir;
	int fd, rv = -1;

	if ((copy = strdup(path)) == NULL)
		return -1;
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		rv = fsync(fd);
		close(fd);
	}
	free(copy);
	return rv;
}

void
dir_remove(const char *path)
{
	struct dirent *e;
	DIR *d;

	if ((d = opendir(path)) == NULL && errno == ENOENT)
		return;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == -1)
			warnf("%s/%s: cannot remove: %s", path, e->d_name,
			    strerror(errno));
	}
	if (d != NULL)
		closedir(d);
	if (rmdir(path) == -1)
		warnf("%s: cannot remove: %s", path, strerror(errno));
}

int
dir_make(const char *path, mode_t mode)
{
	char buf[4096], *p;
	struct stat st;

	if (strlen(path) >= sizeof(buf)) {
		warnf("%s: path too long", path);
		return -1;
	}
	strcpy(buf, path);
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != 0)
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(buf, mode) == -1 && errno != EEXIST) {
			warnf("%s: cannot create directory: %s", buf,
			    strerror(errno));
			return -1;
		}
		if (stat(buf, &st) == -1 || !S_ISDIR(st.st_mode)) {
			warnf("%s: not a directory", buf);
			return -1;
		}
		*p = c;
		if (c == 0)
			break;
	}
	return 0;
}

int
fd_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

ssize_t
fd_read_max(int fd, const char *path, void *buf, size_t room)
{
	size_t n = 0;
	ssize_t r;

	while (n < room) {
		r = read(fd, (char *)buf + n, room - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnf("%s: read error: %s", path, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* Writes buf to a new temp file beside path; returns its name (malloc'd). */
static char *
temp_write(const char *path, const void *buf, size_t len, mode_t mode)
{
	char *tmp = NULL;
	int fd = -1;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) == -1)
		return NULL;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		warnf("%s: cannot create: %s", path, strerror(errno));
		goto fail;
	}
	if (fchmod(fd, mode) == -1 || fd_write_all(fd, buf, len) == -1 ||
	    fsync(fd) == -1) {
		warnf("%s: write error: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		warnf("%s: write error: %s", path, strerror(errno));
		goto fail;
	}
	return tmp;
fail:
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return NULL;
}

int
file_write(const char *path, const void *buf, size_t len, mode_t mode,
    int force)
{
	char *tmp;
	int rv = -1;

	if (file_check_new(path, force) == -1)
		return -1;
	if ((tmp = temp_write(path, buf, len, mode)) == NULL)
		return -1;
	if (rename(tmp, path) == -1) {
		warnf("%s: cannot rename into place: %s", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	dir_sync(path);
	rv = 0;
out:
	free(tmp);
	return rv;
}

int
file_write_secret(const char *path, const void *buf, size_t len, int force)
{
	char *tmp = NULL;
	int fd = -1, rv = -1;

	if (file_check_new(path, force) == -1)
		return -1;
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) == -1)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		warnf("%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	if (fd_write_all(fd, buf, len) == -1 || fsync(fd) == -1) {
		warnf("%s: write error: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	if (force ? rename(tmp, path) : link(tmp, path)) {
		warnf("%s: cannot create: %s%s", path, strerror(errno),
		    errno == EEXIST ? "; use --force to replace it" : "");
		goto fail;
	}
	if (!force)
		unlink(tmp);
	dir_sync(path);
	rv = 0;
	goto out;
fail:
	unlink(tmp);
out:
	if (fd != -1)
		close(fd);
	free(tmp);
	return rv;
}

void
sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];

	crypto_hash_sha256(md, buf, len);
	hex_encode(md, 32, out);
}

int
sha256_file_hex(const char *path, char out[65])
{
	/* OpenSSL's SHA-256 (SHA instructions): the ledger is hashed at the
	 * end of every sign */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32], buf[65536];
	ssize_t r;
	int fd = -1, rv = -1;

	if (ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto out;
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 || !EVP_DigestUpdate(ctx, buf, (size_t)r))
			goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, md, NULL))
		goto out;
	hex_encode(md, 32, out);
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	EVP_MD_CTX_free(ctx);
	return rv;
}
