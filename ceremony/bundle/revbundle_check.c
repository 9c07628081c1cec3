/* Checking a revocation bundle, as import does: the signature, MANIFEST,
 * the member set, the CRL against its CA, revoked.txt and every line of
 * revoke.sh; then unpacking it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bundle/revbundle.h"
#include "ca/crl.h"
#include "ca/pki.h"
#include "core/util.h"

#define HEX "0123456789abcdef"
#define REGION_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"

static int
hex64(const char *s, size_t n)
{
	char h[65];

	if (n != 64)
		return 0;
	memcpy(h, s, 64);
	h[64] = 0;
	return str_only(h, HEX);
}

/* "WORD1 WORD2 ..." against a pattern: literal words, "@ID" (64 hex) and
 * "@REGION" (1-32 of [a-z0-9-], a letter first). */
static int
words_match(const char *line, const char *const *pat)
{
	const char *p = line, *sp;
	char w[40];
	size_t n;

	for (; *pat != NULL; pat++) {
		sp = strchr(p, ' ');
		n = sp ? (size_t)(sp - p) : strlen(p);
		if (strcmp(*pat, "@ID") == 0) {
			if (!hex64(p, n))
				return 0;
		} else if (strcmp(*pat, "@REGION") == 0) {
			if (n == 0 || n > 32 || p[0] < 'a' || p[0] > 'z')
				return 0;
			memcpy(w, p, n);
			w[n] = 0;
			if (!str_only(w, REGION_CHARS))
				return 0;
		} else if (strlen(*pat) != n || memcmp(*pat, p, n) != 0)
			return 0;
		if (sp == NULL)
			return pat[1] == NULL;
		p = sp + 1;
	}
	return 0;
}

static const char *const cmd_revoke[] = {"aws", "iot", "update-certificate",
	"--certificate-id", "@ID", "--new-status", "REVOKED", "--region",
	"@REGION", "\"$@\"", NULL};
static const char *const cmd_deactivate[] = {"aws", "iot",
	"update-ca-certificate", "--certificate-id", "@ID", "--new-status",
	"INACTIVE", "--region", "@REGION", "\"$@\"", NULL};
static const char *const cmd_list[] = {"aws", "iot",
	"list-certificates-by-ca", "--ca-certificate-id", "@ID", "--region",
	"@REGION", "\"$@\"", NULL};

/* A comment or echo: printable ASCII, no quote in the echo. */
static int
text_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

int
revb_script_check(const char *text, size_t len, struct revb_script *s,
    char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *nl;
	char line[512], **nv;
	size_t lineno = 0, n;
	int seen_set = 0;

	memset(s, 0, sizeof(*s));
	if (memchr(text, 0, len) != NULL)
		return errf(err, errlen, "contains NUL bytes");
	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return errf(err, errlen, "line %zu has no newline",
			    lineno);
		if ((n = (size_t)(nl - p)) >= sizeof(line))
			return errf(err, errlen, "line %zu is too long", lineno);
		memcpy(line, p, n);
		line[n] = 0;
		if (lineno == 1) {
			if (strcmp(line, "#!/bin/sh") != 0)
				return errf(err, errlen, "line 1 is not "
				    "#!/bin/sh");
			continue;
		}
		if (n == 0 || (line[0] == '#' && text_ok(line)))
			continue;
		if (strcmp(line, "set -eu") == 0 && !seen_set) {
			seen_set = 1;
			continue;
		}
		if (n > 7 && strncmp(line, "echo '", 6) == 0 &&
		    line[n - 1] == '\'' && text_ok(line) &&
		    strchr(line + 6, '\'') == line + n - 1)
			continue;
		if (!seen_set)
			return errf(err, errlen, "line %zu comes before "
			    "'set -eu'", lineno);
		if (words_match(line, cmd_revoke))
			s->revoke++;
		else if (words_match(line, cmd_deactivate))
			s->deactivate++;
		else if (words_match(line, cmd_list))
			s->list++;
		else
			return errf(err, errlen, "line %zu is not a command "
			    "'ceremony revoke' writes", lineno);
		if (s->n == REVB_MAXCMDS)
			return errf(err, errlen, "more than %d commands",
			    REVB_MAXCMDS);
		if ((nv = realloc(s->cmd, (s->n + 1) * sizeof(*nv))) == NULL ||
		    (nv[s->n] = strdup(line)) == NULL) {
			if (nv != NULL)
				s->cmd = nv;
			return errf(err, errlen, "out of memory");
		}
		s->cmd = nv;
		s->n++;
	}
	if (!seen_set || s->n == 0)
		return errf(err, errlen, "no 'set -eu' or no aws command");
	return 0;
}

void
revb_script_free(struct revb_script *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->cmd[i]);
	free(s->cmd);
	memset(s, 0, sizeof(*s));
}

int
revb_list_check(const char *text, size_t len, size_t *count,
    int (*fn)(const char *serial, const char *id, void *arg), void *arg,
    char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *nl, *f[6];
	char serial[41], id[65];
	size_t lineno = 0, k;

	*count = 0;
	if (memchr(text, 0, len) != NULL)
		return errf(err, errlen, "contains NUL bytes");
	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return errf(err, errlen, "line %zu has no newline",
			    lineno);
		if (lineno == 1) {
			if (nl - p < 2 || p[0] != '#' || p[1] != ' ')
				return errf(err, errlen, "no '# ' header");
			continue;
		}
		/* five fields: f[i] starts field i, f[5] is the end */
		f[0] = p;
		for (k = 1; k < 5; k++) {
			f[k] = memchr(f[k - 1], '\t', (size_t)(nl - f[k - 1]));
			if (f[k] == NULL)
				return errf(err, errlen, "line %zu: not five "
				    "tab-separated fields", lineno);
			f[k]++;
		}
		f[5] = nl + 1;
		if (memchr(f[4], '\t', (size_t)(nl - f[4])) != NULL ||
		    f[1] - f[0] < 2 || f[2] - f[1] < 3 || f[2] - f[1] > 41 ||
		    !hex64(f[2], (size_t)(f[3] - f[2] - 1)) ||
		    f[4] - f[3] < 2 || f[5] - f[4] != 21)
			return errf(err, errlen, "line %zu: bad CN, serial, id, "
			    "reason or time", lineno);
		memcpy(serial, f[1], (size_t)(f[2] - f[1] - 1));
		serial[f[2] - f[1] - 1] = 0;
		memcpy(id, f[2], 64);
		id[64] = 0;
		if (!str_only(serial, HEX))
			return errf(err, errlen, "line %zu: bad serial", lineno);
		if (fn != NULL && fn(serial, id, arg) != 0)
			return errf(err, errlen, "line %zu: serial %s or id %s "
			    "is not in the CRL and revoke.sh", lineno, serial,
			    id);
		if (++*count > REVB_MAXCMDS)
			return errf(err, errlen, "too many lines");
	}
	if (*count == 0)
		return errf(err, errlen, "lists no certificate");
	return 0;
}
