/* Passphrase input without argv: TTY prompt, file or file descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/secret.h"
#include "core/tty.h"
#include "core/util.h"

#define PASS_MAX 1024

/* Reads one line from fd into p (PASS_MAX bytes); strips the newline. */
static int
read_line(int fd, char *p, const char *name)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnf("%s: read error: %s", name, strerror(errno));
			return -1;
		}
		if (r == 0 || c == '\n')
			break;
		if (c == 0) {
			/* the rest of the tool sees up to the NUL only */
			warnf("%s: the passphrase contains a NUL byte; refused",
			    name);
			return -1;
		}
		if (n + 1 >= PASS_MAX) {
			warnf("%s: passphrase longer than %d bytes", name,
			    PASS_MAX - 1);
			return -1;
		}
		p[n++] = c;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	p[n] = 0;
	return 0;
}

static int
prompt(const char *text, char *p)
{
	int fd, rv;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, text, strlen(text)) < 0 || tty_quiet(fd, 1) == -1) {
		close(fd);
		return -1;
	}
	rv = read_line(fd, p, "/dev/tty");
	tty_restore();
	close(fd);
	return rv;
}

/* Characters, not bytes: UTF-8 continuation bytes are not counted. */
static size_t
pass_chars(const char *p)
{
	size_t n = 0;

	for (; *p != 0; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			n++;
	return n;
}

char *
pass_get(struct pass_src *src, const char *what, int confirm)
{
	char *p, *again = NULL, text[128], name[32] = "";
	int fd;

	if ((p = sodium_malloc(PASS_MAX)) == NULL) {
		warnf("out of secure memory");
		return NULL;
	}
	if (src->file != NULL) {
		if ((fd = open(src->file, O_RDONLY | O_CLOEXEC)) == -1) {
			warnf("%s: cannot open passphrase file: %s", src->file,
			    strerror(errno));
			goto fail;
		}
		if (read_line(fd, p, src->file) == -1) {
			close(fd);
			goto fail;
		}
		close(fd);
	} else if (src->fd >= 0) {
		snprintf(name, sizeof(name), "passphrase fd %d", src->fd);
		if (read_line(src->fd, p, name) == -1)
			goto fail;
	} else {
		snprintf(text, sizeof(text), "%s passphrase: ", what);
		if (prompt(text, p) == -1) {
			warnf("no terminal to ask for the %s passphrase; use "
			      "--passphrase-file F or --passphrase-fd N",
			    what);
			goto fail;
		}
		if (confirm) {
			if ((again = sodium_malloc(PASS_MAX)) == NULL)
				goto fail;
			snprintf(text, sizeof(text), "%s passphrase again: ",
			    what);
			if (prompt(text, again) == -1)
				goto fail;
			if (strlen(p) != strlen(again) ||
			    sodium_memcmp(p, again, strlen(p)) != 0) {
				warnf("the %s passphrases do not match", what);
				goto fail;
			}
			sodium_free(again);
			again = NULL;
		}
	}
	if (p[0] == 0) {
		warnf("empty %s passphrase refused", what);
		goto fail;
	}
	if (confirm && pass_chars(p) < PASS_MIN) {
		warnf("%s%sthe new %s passphrase has %zu characters; a new "
		      "passphrase needs at least %d",
		    src->file ? src->file : name, src->file || name[0] ? ": " :
		    "", what, pass_chars(p), PASS_MIN);
		goto fail;
	}
	return p;
fail:
	if (again != NULL)
		sodium_free(again);
	sodium_free(p);
	return NULL;
}

void
pass_free(char *p)
{
	if (p != NULL)
		sodium_free(p);
}

int
pass_option(struct pass_src *src, int opt, const char *arg)
{
	char *end;
	long v;

	switch (opt) {
	case PASS_OPT_FILE:
		src->file = arg;
		return 0;
	case PASS_OPT_FD:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 0 || v > 1024) {
			warnf("--passphrase-fd: '%s' is not a file descriptor",
			    arg);
			return RC_USAGE;
		}
		src->fd = (int)v;
		return 0;
	case PASS_OPT_NONE:
		src->none = 1;
		return 0;
	}
	return -1;
}
