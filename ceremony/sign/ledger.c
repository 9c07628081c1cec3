/* ledger.jsonl: the record of every issued device certificate (each line
 * holds the certificate itself, so a certificate lost in a crash is
 * written again from here and never signed twice) and of every
 * revocation: opening, the indexes, walking, reading, appending. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sign/ledger_int.h"
#include "core/util.h"

int
ledger_index(struct ledger *l, const struct ledger_entry *e, uint64_t off)
{
	unsigned char k[16];

	index_key(e->cn, k);
	if (index_put(&l->csr, e->csr_sha256, off, NULL, 0) == -1 ||
	    index_put(&l->key, e->key_sha256, off, NULL, 0) == -1 ||
	    index_put(&l->cn, k, off, NULL, 0) == -1)
		return -1;
	index_key(e->serial, k);
	if (index_put(&l->serial, k, off, NULL, 0) == -1)
		return -1;
	l->count++;
	return 0;
}

/* Calls fn for every complete line of the file (parsed; o is NULL when
 * it is not JSON). Returns the length of the complete lines; -1 after a
 * message, or what a non-zero fn returned, in *rc. */
typedef int (*walk_fn)(struct ledger *l, json_t *o, uint64_t off,
    unsigned long lineno, void *arg);
static off_t
ledger_walk(struct ledger *l, walk_fn fn, void *arg, int *rc)
{
	json_t *o;
	char *buf, *nl;
	size_t have = 0, start;
	off_t base = 0;
	unsigned long lineno = 0;
	ssize_t r;

	*rc = -1;
	if ((buf = malloc(LEDGER_LINE_MAX)) == NULL)
		return -1;
	for (;;) {
		r = pread(l->fd, buf + have, LEDGER_LINE_MAX - have,
		    base + (off_t)have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnf("%s: read error: %s", l->path, strerror(errno));
			goto fail;
		}
		have += (size_t)r;
		start = 0;
		while ((nl = memchr(buf + start, '\n', have - start)) != NULL) {
			lineno++;
			o = json_loadb(buf + start, (size_t)(nl - buf) - start,
			    JSON_REJECT_DUPLICATES, NULL);
			*rc = fn(l, o, (uint64_t)base + start, lineno, arg);
			json_decref(o);
			if (*rc != 0)
				goto fail;
			start = (size_t)(nl - buf) + 1;
		}
		base += (off_t)start;
		memmove(buf, buf + start, have - start);
		have -= start;
		if (r == 0)
			break;
		if (have == LEDGER_LINE_MAX) {
			warnf("%s: line %lu is longer than %u bytes; the "
			      "ledger is damaged", l->path, lineno + 1,
			    LEDGER_LINE_MAX);
			*rc = -1;
			goto fail;
		}
	}
	free(buf);
	*rc = 0;
	return base;
fail:
	free(buf);
	return -1;
}

static int
is_revocation(json_t *o)
{
	return json_object_get(o, "revoked") != NULL;
}

/* Opening: checks and indexes one line. */
static int
scan_line(struct ledger *l, json_t *o, uint64_t off, unsigned long lineno,
    void *arg)
{
	struct ledger_scan *s = arg;
	struct ledger_revocation r;
	struct ledger_entry e;
	char err[160];

	if (is_revocation(o)) {
		if (ledger_revocation_json(o, &r, err, sizeof(err)) == -1 ||
		    ledger_scan_revocation(l, s, &r, off, err,
		    sizeof(err)) == -1)
			goto damaged;
		return 0;
	}
	if (ledger_entry_json(o, &e, err, sizeof(err)) == -1)
		goto damaged;
	ledger_entry_free(&e);
	if (s->next != 0) {
		snprintf(err, sizeof(err), "an issuance line inside "
		    "revocation %s", s->g.id);
		goto damaged;
	}
	return ledger_index(l, &e, off);
damaged:
	warnf("%s: line %lu: %s; the ledger is damaged: restore it from a "
	      "backup before signing", l->path, lineno, err);
	return -1;
}

/* Reads the file line by line, indexing each; returns the length of the
 * complete lines and revocation groups, or -1. */
static off_t
ledger_scan(struct ledger *l)
{
	struct ledger_scan s;
	off_t good;
	int rc;

	memset(&s, 0, sizeof(s));
	good = ledger_walk(l, scan_line, &s, &rc);
	if (good != -1 && s.next != 0) {
		warnf("%s: dropping revocation %s (%lu of %lu lines) left by an "
		      "interrupted 'ceremony revoke'; nothing else of it was "
		      "written", l->path, s.g.id, s.next - 1, s.g.count);
		good = (off_t)s.g.off;
	}
	index_free(&s.pend);
	return good;
}

struct each {
	ledger_each_fn fn;
	ledger_each_revocation_fn rfn;
	void *arg;
};

static int
each_line(struct ledger *l, json_t *o, uint64_t off, unsigned long lineno,
    void *arg)
{
	struct each *w = arg;
	struct ledger_revocation r;
	struct ledger_entry e;
	char err[160];
	int rv, got;

	if (is_revocation(o)) {
		if (w->rfn == NULL)
			return 0;
		if (ledger_revocation_json(o, &r, err, sizeof(err)) == -1)
			goto bad;
		return w->rfn(&r, off, w->arg);
	}
	if (w->fn == NULL)
		return 0;
	if (ledger_entry_json(o, &e, err, sizeof(err)) == -1)
		goto bad;
	if ((got = ledger_revoked(l, e.serial, &r)) == -1) {
		ledger_entry_free(&e);
		return -1;
	}
	rv = w->fn(&e, got ? &r : NULL, off, w->arg);
	ledger_entry_free(&e);
	return rv;
bad:
	warnf("%s: line %lu: %s", l->path, lineno, err);
	return -1;
}

int
ledger_each(struct ledger *l, ledger_each_fn fn, void *arg)
{
	struct each w = {fn, NULL, arg};
	int rc;

	if (l->fd == -1)
		return 0;
	ledger_walk(l, each_line, &w, &rc);
	return rc;
}

int
ledger_each_revocation(struct ledger *l, ledger_each_revocation_fn fn,
    void *arg)
{
	struct each w = {NULL, fn, arg};
	int rc;

	if (l->fd == -1)
		return 0;
	ledger_walk(l, each_line, &w, &rc);
	return rc;
}

int
ledger_open(struct ledger *l, const char *path)
{
	struct stat st;
	off_t good;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if ((l->path = strdup(path)) == NULL)
		return -1;
	l->fd = file_open_state(path, O_RDWR | O_APPEND, 0);
	if (l->fd == -1 && errno == ENOENT)
		return 0; /* created by the first append */
	if (l->fd == -1)
		goto fail;
	if (flock(l->fd, LOCK_EX | LOCK_NB) == -1) {
		warnf("%s: locked: another 'ceremony sign' or 'revoke' is running "
		      "in this directory; wait for it to finish", path);
		goto fail;
	}
	if (fstat(l->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		warnf("%s: not a regular file", path);
		goto fail;
	}
	if ((good = ledger_scan(l)) == -1)
		goto fail;
	if (good != st.st_size) {
		/* a write cut short: its certificates were never put in
		 * place, so the line is dropped and they are signed again */
		warnf("%s: dropping an incomplete last line (%lld bytes) left "
		      "by an interrupted run", path,
		    (long long)(st.st_size - good));
		if (ftruncate(l->fd, good) == -1 || fsync(l->fd) == -1) {
			warnf("%s: cannot truncate: %s", path, strerror(errno));
			goto fail;
		}
	}
	l->size = good;
	return 0;
fail:
	ledger_close(l);
	return -1;
}

void
ledger_close(struct ledger *l)
{
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	index_free(&l->csr);
	index_free(&l->key);
	index_free(&l->cn);
	index_free(&l->serial);
	index_free(&l->revoked);
	free(l->groups);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

/* Reads the line at off: an issuance line into e, or (e NULL) a
 * revocation line into rev. */
static int
read_at(struct ledger *l, uint64_t off, struct ledger_entry *e,
    struct ledger_revocation *rev)
{
	json_t *o = NULL;
	char *buf, *nl = NULL, err[160];
	size_t want = 8192;
	ssize_t r = 0;
	int rv = -1;

	if ((buf = malloc(LEDGER_LINE_MAX)) == NULL)
		return -1;
	/* most lines are a few KiB: read more only when needed */
	for (;;) {
		do
			r = pread(l->fd, buf, want, (off_t)off);
		while (r == -1 && errno == EINTR);
		if (r <= 0)
			break;
		nl = memchr(buf, '\n', (size_t)r);
		if (nl != NULL || (size_t)r < want || want == LEDGER_LINE_MAX)
			break;
		want = want * 8 > LEDGER_LINE_MAX ? LEDGER_LINE_MAX : want * 8;
	}
	if (nl == NULL) {
		warnf("%s: cannot read the line at offset %llu", l->path,
		    (unsigned long long)off);
		goto out;
	}
	o = json_loadb(buf, (size_t)(nl - buf), JSON_REJECT_DUPLICATES, NULL);
	if ((e != NULL ? ledger_entry_json(o, e, err, sizeof(err)) :
	    ledger_revocation_json(o, rev, err, sizeof(err))) == -1) {
		warnf("%s: offset %llu: %s", l->path, (unsigned long long)off,
		    err);
		goto out;
	}
	rv = 0;
out:
	json_decref(o);
	free(buf);
	return rv;
}

int
ledger_read(struct ledger *l, uint64_t off, struct ledger_entry *e)
{
	return read_at(l, off, e, NULL);
}

int
ledger_read_revocation(struct ledger *l, uint64_t off,
    struct ledger_revocation *r)
{
	return read_at(l, off, NULL, r);
}

int
ledger_append(struct ledger *l, const char *buf, size_t len, off_t *at)
{
	size_t done = 0;
	ssize_t r;

	*at = l->size;
	if (l->fd == -1) {
		l->fd = file_open_state(l->path, O_RDWR | O_CREAT | O_EXCL |
		    O_APPEND, 0644);
		if (l->fd == -1)
			return -1;
		if (flock(l->fd, LOCK_EX | LOCK_NB) == -1) {
			warnf("%s: cannot create: %s", l->path,
			    strerror(errno));
			return -1;
		}
		if (dir_sync(l->path) == -1) {
			warnf("%s: cannot sync its directory", l->path);
			return -1;
		}
	}
	while (done < len) {
		r = write(l->fd, buf + done, len - done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			warnf("%s: write error: %s", l->path, strerror(errno));
			return -1;
		}
		done += (size_t)r;
	}
	if (fdatasync(l->fd) == -1) {
		warnf("%s: fsync failed: %s", l->path, strerror(errno));
		return -1;
	}
	l->size += (off_t)len;
	return 0;
}
