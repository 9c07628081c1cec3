/* Reading CSRs from files: one DER CSR, or PEM text holding any number of
 * CERTIFICATE REQUEST blocks, streamed so a big file costs no memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sign/csr.h"
#include "core/util.h"

#define LINE_MAX_PEM 4096

/* What a directory entry is, for the message that skips it. */
static const char *
kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

/* Opens a regular file, never through a symbolic link and never blocking
 * (a FIFO swapped in). NULL with errno, or with *what set when the path is
 * not a regular file (it was not read). */
static FILE *
open_regular(const char *path, const char **what)
{
	struct stat st;
	FILE *f;
	int fd;

	memset(&st, 0, sizeof(st));
	*what = NULL;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		*what = kind(st.st_mode);
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			*what = kind(S_IFLNK);
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*what = kind(st.st_mode);
		close(fd);
		return NULL;
	}
	if ((f = fdopen(fd, "rb")) == NULL)
		close(fd);
	return f;
}

int
csr_in_open(struct csr_in *in, const char *path, FILE *f)
{
	const char *what = NULL;
	size_t n;
	int c;

	memset(in, 0, sizeof(*in));
	if (strcmp(path, "-") == 0)
		path = "stdin";
	n = strlen(path) * 4 + 4;
	if ((in->name = malloc(n)) == NULL)
		return -1;
	str_safe(path, (size_t)-1, in->name, n);
	in->borrowed = f != NULL;
	if (f == NULL && (f = open_regular(path, &what)) == NULL) {
		if (what != NULL) {
			/* one bad item, nothing read */
			in->notfile = what;
			return 0;
		}
		warnf("%s: cannot open: %s", in->name, strerror(errno));
		free(in->name);
		in->name = NULL;
		return -1;
	}
	in->f = f;
	/* DER starts with a SEQUENCE tag; PEM is text */
	c = getc(f);
	in->der = c == 0x30;
	if (c != EOF)
		ungetc(c, f);
	return 0;
}

void
csr_in_close(struct csr_in *in)
{
	if (in->f != NULL && !in->borrowed)
		fclose(in->f);
	free(in->name);
	memset(in, 0, sizeof(*in));
}

static void
label_set(struct csr_in *in, char *label, size_t labellen)
{
	if (in->n <= 1)
		snprintf(label, labellen, "%s", in->name);
	else
		snprintf(label, labellen, "%s#%u", in->name, in->n);
}

static int
read_der(struct csr_in *in, unsigned char **der, size_t *len, char *err,
    size_t errlen)
{
	unsigned char *b;
	size_t n;

	in->done = 1;
	in->n = 1;
	if ((b = malloc(CSR_MAX + 1)) == NULL)
		return errf(err, errlen, "out of memory");
	n = fread(b, 1, CSR_MAX + 1, in->f);
	if (ferror(in->f)) {
		errf(err, errlen, "read error: %s", strerror(errno));
		free(b);
		return RC_ERR;
	}
	if (n > CSR_MAX) {
		free(b);
		errf(err, errlen, "larger than %u bytes: too big for one DER "
		    "CSR", CSR_MAX);
		return RC_CHECK;
	}
	*der = b;
	*len = n;
	return 1;
}

static int
is_begin(const char *line, const char **type)
{
	size_t n;

	if (strncmp(line, "-----BEGIN ", 11) != 0)
		return 0;
	n = strlen(line);
	if (n < 16 || strcmp(line + n - 5, "-----") != 0)
		return 0;
	*type = line + 11;
	return 1;
}

/* Decodes the base64 body of a PEM block (whitespace already removed). */
static int
b64_decode(const char *b64, size_t n, unsigned char **der, size_t *len)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char *out = malloc(n / 4 * 3 + 3);
	int a, b = 0, ok = 0;

	if (ctx != NULL && out != NULL) {
		EVP_DecodeInit(ctx);
		ok = EVP_DecodeUpdate(ctx, out, &a, (const unsigned char *)b64,
			 (int)n) != -1 &&
		    EVP_DecodeFinal(ctx, out + a, &b) == 1 && a + b > 0;
	}
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		free(out);
		return -1;
	}
	*der = out;
	*len = (size_t)(a + b);
	return 0;
}

/* Starts a block whose BEGIN line named type. */
static int
block_start(struct csr_in *in, const char *type, char *label, size_t labellen)
{
	in->n++;
	label_set(in, label, labellen);
	snprintf(in->type, sizeof(in->type), "%.*s", (int)strlen(type) - 5,
	    type);
	return strcmp(in->type, "CERTIFICATE REQUEST") == 0 ||
	    strcmp(in->type, "NEW CERTIFICATE REQUEST") == 0;
}

int
csr_in_next(struct csr_in *in, unsigned char **der, size_t *len,
    char *label, size_t labellen, char *err, size_t errlen)
{
	char line[LINE_MAX_PEM + 2], *b64 = NULL, why[160] = "";
	char qtype[4 * sizeof(in->type)], qline[4 * 40 + 4];
	const char *type, *p;
	size_t n = 0, k;
	int inside = 0, rv = RC_CHECK, partial = 0, cont, isreq = 0;

	*der = NULL;
	*len = 0;
	snprintf(label, labellen, "%s", in->name);
	if (in->done)
		return 0;
	if (in->notfile != NULL) {
		in->done = 1;
		in->n = 1;
		snprintf(err, errlen, "not read: %s (only regular files are "
		    "read)", in->notfile);
		return RC_CHECK;
	}
	if (in->der)
		return read_der(in, der, len, err, errlen);
	if ((b64 = malloc(CSR_MAX)) == NULL)
		return errf(err, errlen, "out of memory");
	if (in->pending) { /* a BEGIN line met inside the previous block */
		in->pending = 0;
		inside = 1;
		isreq = block_start(in, in->next, label, labellen);
	}
	while (fgets(line, sizeof(line), in->f) != NULL) {
		k = strlen(line);
		cont = partial; /* this piece continues a long line */
		partial = k > 0 && line[k - 1] != '\n';
		if (!cont)
			in->line++;
		while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r' ||
		    line[k - 1] == ' ' || line[k - 1] == '\t'))
			line[--k] = 0;
		if (!cont && is_begin(line, &type)) {
			if (inside) {
				/* the block before was cut short */
				snprintf(in->next, sizeof(in->next), "%.*s",
				    (int)sizeof(in->next) - 1, type);
				in->pending = 1;
				snprintf(err, errlen, "truncated PEM block (a "
				    "BEGIN line before its END line)");
				goto out;
			}
			inside = 1;
			isreq = block_start(in, type, label, labellen);
			continue;
		}
		if (!inside)
			continue;
		if (!cont && strncmp(line, "-----END ", 9) == 0) {
			k = strlen(in->type);
			str_safe(in->type, k, qtype, sizeof(qtype));
			if (strncmp(line + 9, in->type, k) != 0 ||
			    strcmp(line + 9 + k, "-----") != 0)
				snprintf(err, errlen, "PEM block BEGIN %s ends "
				    "with '%s'", qtype, str_safe(line,
					strnlen(line, 40), qline,
					sizeof(qline)));
			else if (!isreq)
				snprintf(err, errlen, "a %s PEM block, not a "
				    "CERTIFICATE REQUEST", qtype);
			else if (why[0] != 0)
				snprintf(err, errlen, "%s", why);
			else if (b64_decode(b64, n, der, len) == -1)
				snprintf(err, errlen, "PEM block is not valid "
				    "base64");
			else
				rv = 1;
			goto out;
		}
		if (!cont && strchr(line, ':') != NULL && why[0] == 0)
			snprintf(why, sizeof(why), "PEM block has headers "
			    "(encrypted, or not a plain CSR)");
		for (p = line; *p; p++) {
			if (*p == ' ' || *p == '\t')
				continue;
			if (n < CSR_MAX)
				b64[n++] = *p;
			else if (why[0] == 0)
				snprintf(why, sizeof(why), "PEM block larger "
				    "than %u bytes: too big for one CSR",
				    CSR_MAX);
		}
	}
	if (ferror(in->f)) {
		rv = errf(err, errlen, "read error: %s", strerror(errno));
		goto out;
	}
	in->done = 1;
	if (inside) {
		snprintf(err, errlen, "truncated PEM block (no END line)");
		goto out;
	}
	if (in->n == 0) {
		in->n = 1;
		snprintf(err, errlen, "no CSR found (expected DER, or PEM "
		    "'-----BEGIN CERTIFICATE REQUEST-----')");
		goto out;
	}
	rv = 0;
out:
	free(b64);
	return rv;
}
