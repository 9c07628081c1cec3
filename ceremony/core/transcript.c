/* transcript.log: one JSON line per command, each holding the SHA-256 of
 * the line before it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/transcript.h"
#include "core/util.h"

#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define TRANSCRIPT_MAX (64u << 20)

/* Last line (without newline) of text; its length in *n. */
static const char *
last_line(const char *text, size_t len, size_t *n)
{
	size_t end = len, start;

	while (end > 0 && text[end - 1] == '\n')
		end--;
	start = end;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	*n = end - start;
	return text + start;
}

static json_t *
hash_files(const char **paths)
{
	json_t *o = json_object();
	char hex[65];

	for (; o != NULL && paths != NULL && *paths != NULL; paths++) {
		if (sha256_file_hex(*paths, hex) == -1) {
			warnf("%s: cannot read for the transcript: %s", *paths,
			    strerror(errno));
			json_decref(o);
			return NULL;
		}
		if (json_object_set_new(o, *paths, json_string(hex)) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* transcript.log as opened and locked by transcript_begin (-1: absent
 * then, or not begun), for the next transcript_append. */
static int held_fd = -1;
static int held;

/* Opens transcript.log (made 0644 by the first append) and locks it. */
static int
transcript_open(int flags)
{
	int fd;

	fd = file_open_state(TRANSCRIPT_FILE, O_RDWR | O_APPEND | flags, 0644);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX) == -1) {
		warnf("%s: cannot lock: %s", TRANSCRIPT_FILE, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
transcript_begin(void)
{
	if (held)
		return 0;
	if ((held_fd = transcript_open(0)) == -1 && errno != ENOENT) {
		warnf("%s: cannot append to the transcript; nothing was "
		      "written", TRANSCRIPT_FILE);
		return -1;
	}
	held = 1;
	return 0;
}

int
transcript_append(const char *command, json_t *args, const char **inputs,
    const char **outputs, json_t *extra)
{
	json_t *line = NULL, *in = NULL, *outp = NULL;
	unsigned char *text = NULL;
	char *dump = NULL, prev[65], now[32];
	const char *last;
	size_t len = 0, n;
	long seq = 1;
	time_t t = time(NULL);
	int fd, rv = -1;

	fd = held_fd != -1 ? held_fd : transcript_open(O_CREAT);
	held_fd = -1;
	held = 0;
	if (fd == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    fd_read_all(fd, TRANSCRIPT_FILE, &text, &len, TRANSCRIPT_MAX) == -1)
		goto out;
	strcpy(prev, ZERO_HASH);
	if (len > 0) {
		json_t *j;
		last = last_line((char *)text, len, &n);
		sha256_hex(last, n, prev);
		j = json_loadb(last, n, 0, NULL);
		if (j == NULL || !json_is_integer(json_object_get(j, "seq"))) {
			warnf("%s: last line is not a transcript entry; run "
			      "'ceremony transcript verify'",
			    TRANSCRIPT_FILE);
			json_decref(j);
			goto out;
		}
		seq = (long)json_integer_value(json_object_get(j, "seq")) + 1;
		json_decref(j);
	}
	utc_iso(t, now);
	if ((in = hash_files(inputs)) == NULL ||
	    (outp = hash_files(outputs)) == NULL)
		goto out;
	line = extra != NULL ? extra : json_object();
	extra = NULL;
	if (line == NULL ||
	    json_object_set_new(line, "seq", json_integer(seq)) ||
	    json_object_set_new(line, "time", json_string(now)) ||
	    json_object_set_new(line, "command", json_string(command)) ||
	    json_object_set_new(line, "args", args ? args : json_object()) ||
	    json_object_set_new(line, "inputs", in) ||
	    json_object_set_new(line, "outputs", outp) ||
	    json_object_set_new(line, "version",
		json_string(ceremony_version)) ||
	    json_object_set_new(line, "prev", json_string(prev))) {
		args = in = outp = NULL;
		warnf("%s: cannot build the entry", TRANSCRIPT_FILE);
		goto out;
	}
	args = in = outp = NULL;
	if ((dump = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto out;
	n = strlen(dump);
	dump[n] = '\n';
	if (fd_write_all(fd, dump, n + 1) == -1 || fsync(fd) == -1) {
		warnf("%s: write error: %s", TRANSCRIPT_FILE, strerror(errno));
		/* leave no partial line: it would block every later entry */
		if (ftruncate(fd, (off_t)len) == 0)
			fsync(fd);
		goto out;
	}
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	json_decref(args);
	json_decref(extra);
	json_decref(in);
	json_decref(outp);
	json_decref(line);
	free(dump);
	free(text);
	return rv;
}

int
transcript_head(const char *path, char head[65])
{
	unsigned char *text;
	const char *last;
	size_t len, n;

	strcpy(head, ZERO_HASH);
	if (!file_exists(path))
		return 0;
	if (file_read_state(path, &text, &len, TRANSCRIPT_MAX) == -1)
		return -1;
	last = last_line((char *)text, len, &n);
	if (n > 0)
		sha256_hex(last, n, head);
	free(text);
	return 0;
}

/* A relative path without '..' or empty parts: one inside the folder. */
static int
path_inside(const char *path)
{
	const char *p = path, *slash;
	size_t n;

	if (*p == '/' || *p == 0)
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (slash == NULL)
			return 1;
		p = slash + 1;
	}
}

/* Checks that files named in the entry match, for the newest mention. */
static int
check_files(json_t *files, json_t *seen, long lineno, int flags)
{
	int quiet = flags & TRANSCRIPT_QUIET;
	const char *path;
	json_t *v;
	char hex[65];
	int bad = 0;

	json_object_foreach(files, path, v) {
		if (!json_is_string(v) || json_object_get(seen, path) != NULL)
			continue;
		/* an unpacked bundle: only paths inside it */
		if ((flags & TRANSCRIPT_FLAT) && !path_inside(path))
			continue;
		json_object_set_new(seen, path, json_true());
		if (!file_exists(path))
			continue;
		if (sha256_file_hex(path, hex) == -1) {
			warnf("%s: cannot read: %s", path, strerror(errno));
			bad = 1;
		} else if (strcmp(hex, json_string_value(v)) != 0) {
			warnf("%s: SHA-256 differs from transcript line %ld "
			      "(file changed after it was recorded)",
			    path, lineno);
			bad = 1;
		} else if (!quiet)
			printf("  ok  %s\n", path);
	}
	return bad;
}

int
transcript_verify(const char *path, int quiet, char head[65])
{
	return transcript_verify_flags(path, quiet ? TRANSCRIPT_QUIET : 0,
	    head);
}

int
transcript_verify_flags(const char *path, int flags, char head[65])
{
	unsigned char *text = NULL;
	char prev[65], *p, *nl;
	json_t **lines = NULL, *seen = NULL;
	long n = 0, i;
	size_t len;
	int rv = 2;

	strcpy(prev, ZERO_HASH);
	if (file_read_state(path, &text, &len, TRANSCRIPT_MAX) == -1)
		return 2;
	if (len == 0 || text[len - 1] != '\n' || memchr(text, 0, len)) {
		warnf("%s: %s", path, len == 0 ? "empty transcript" :
		    memchr(text, 0, len) ? "holds a NUL byte; not a transcript" :
		    "last line is incomplete (no newline)");
		rv = 1;
		goto out;
	}
	if ((lines = calloc(len, sizeof(*lines))) == NULL ||
	    (seen = json_object()) == NULL)
		goto out;
	rv = 1;
	for (p = (char *)text; *p; p = nl + 1, n++) {
		json_t *j, *seq, *pv;
		nl = strchr(p, '\n');
		*nl = 0;
		j = lines[n] = json_loads(p, JSON_REJECT_DUPLICATES, NULL);
		seq = json_object_get(j, "seq");
		pv = json_object_get(j, "prev");
		if (j == NULL || !json_is_integer(seq) || !json_is_string(pv) ||
		    !json_is_string(json_object_get(j, "command"))) {
			warnf("%s: line %ld is not a transcript entry", path,
			    n + 1);
			goto out;
		}
		if (json_integer_value(seq) != n + 1) {
			warnf("%s: line %ld has sequence number %lld; lines "
			      "were deleted or reordered",
			    path, n + 1, (long long)json_integer_value(seq));
			goto out;
		}
		if (strcmp(json_string_value(pv), prev) != 0) {
			warnf("%s: line %ld does not chain to line %ld (a "
			      "line was edited, deleted or reordered)",
			    path, n + 1, n);
			goto out;
		}
		sha256_hex(p, strlen(p), prev);
	}
	rv = 0;
	for (i = n - 1; i >= 0; i--) {
		if (check_files(json_object_get(lines[i], "outputs"), seen,
			i + 1, flags) ||
		    check_files(json_object_get(lines[i], "inputs"), seen,
			i + 1, flags))
			rv = 1;
	}
	if (head != NULL)
		strcpy(head, prev);
out:
	for (i = 0; lines != NULL && i < n + 1 && i < (long)len; i++)
		json_decref(lines[i]);
	free(lines);
	json_decref(seen);
	free(text);
	return rv;
}

json_t *
transcript_last_match(const char *path, const char *command,
    int (*match)(json_t *line, void *arg), void *arg)
{
	unsigned char *text;
	json_t *found = NULL, *j, *c;
	char *p, *nl;
	size_t len;

	if (!file_exists(path) ||
	    file_read_state(path, &text, &len, TRANSCRIPT_MAX) == -1)
		return NULL;
	for (p = (char *)text; *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = 0;
		j = json_loads(p, 0, NULL);
		c = json_object_get(j, "command");
		if (json_is_string(c) && (command == NULL ||
		    strcmp(json_string_value(c), command) == 0) &&
		    (match == NULL || match(j, arg))) {
			json_decref(found);
			found = j;
		} else
			json_decref(j);
	}
	free(text);
	return found;
}

json_t *
transcript_all(const char *path, const char *command)
{
	unsigned char *text;
	json_t *all, *j;
	char *p, *nl;
	size_t len;

	if ((all = json_array()) == NULL || !file_exists(path))
		return all;
	if (file_read_state(path, &text, &len, TRANSCRIPT_MAX) == -1) {
		json_decref(all);
		return NULL;
	}
	for (p = (char *)text; *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = 0;
		j = json_loads(p, 0, NULL);
		if (j != NULL && json_is_string(json_object_get(j, "command")) &&
		    strcmp(json_string_value(json_object_get(j, "command")),
			command) == 0 && json_array_append(all, j) == -1) {
			json_decref(j);
			json_decref(all);
			all = NULL;
			break;
		}
		json_decref(j);
	}
	free(text);
	return all;
}

json_t *
transcript_last(const char *path, const char *command)
{
	return transcript_last_match(path, command, NULL, NULL);
}
