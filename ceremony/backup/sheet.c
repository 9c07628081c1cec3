/* Share sheets: reading mnemonics back from sheets, files and stdin. */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "backup/sheet.h"
#include "core/util.h"

void
sheet_free(char *text)
{
	sodium_free(text);
}

void
sheet_free_all(char **mn, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sodium_free(mn[i]);
		mn[i] = NULL;
	}
}

int
sheet_read(const char *path, char **text, size_t *len, size_t max)
{
	char *b = NULL, name[256];
	ssize_t r;
	int fd, rv = -1;

	*text = NULL;
	*len = 0;
	str_safe(path, (size_t)-1, name, sizeof(name));
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warnf("%s: cannot open: %s", name, strerror(errno));
		return -1;
	}
	if ((b = sodium_malloc(max + 1)) == NULL) {
		warnf("%s: out of secure memory", name);
		goto out;
	}
	if ((r = fd_read_max(fd, name, b, max + 1)) == -1)
		goto out;
	if ((size_t)r > max) {
		warnf("%s: larger than the limit of %zu bytes", name, max);
		goto out;
	}
	b[r] = 0;
	*text = b;
	*len = (size_t)r;
	b = NULL;
	rv = 0;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	sodium_free(b);
	return rv;
}

/* A copy of s[0..n) in secure memory. */
static char *
sdup(const char *s, size_t n)
{
	char *d;

	if ((d = sodium_malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static int
is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The numbered word grid that follows "Words:" on a share sheet. */
static int
parse_grid(const char *p, const char *name, char **out)
{
	const char *word[SLIP39_MAX_MNEMONIC_WORDS + 1] = {0};
	size_t wlen[SLIP39_MAX_MNEMONIC_WORDS + 1] = {0};
	size_t n, total = 0, o = 0;
	const char *eol;
	char *end, *m;
	long num;
	int i, max = 0;

	for (; *p != 0; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (is_blank(p, (size_t)(eol - p)))
			break;
		while (p < eol) {
			while (p < eol && isspace((unsigned char)*p))
				p++;
			if (p == eol)
				break;
			num = strtol(p, &end, 10);
			if (end == p || end > eol || num < 1 ||
			    num > SLIP39_MAX_MNEMONIC_WORDS) {
				warnf("%s: the word grid must alternate numbers "
				      "(1-%d) and words",
				    name, SLIP39_MAX_MNEMONIC_WORDS);
				return -1;
			}
			p = end;
			if (p < eol && (*p == '.' || *p == ')'))
				p++;
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			n = strcspn(p, " \t\r\n");
			if (n == 0) {
				warnf("%s: word %ld of the grid is missing",
				    name, num);
				return -1;
			}
			if (word[num] != NULL) {
				warnf("%s: word %ld appears twice in the grid",
				    name, num);
				return -1;
			}
			word[num] = p;
			wlen[num] = n;
			total += n + 1;
			if (num > max)
				max = (int)num;
			p += n;
		}
	}
	if (max == 0) {
		warnf("%s: no words after \"Words:\"", name);
		return -1;
	}
	for (i = 1; i <= max; i++)
		if (word[i] == NULL) {
			warnf("%s: word %d of the grid is missing", name, i);
			return -1;
		}
	if ((m = sodium_malloc(total + 1)) == NULL)
		return -1;
	for (i = 1; i <= max; i++) {
		if (i > 1)
			m[o++] = ' ';
		memcpy(m + o, word[i], wlen[i]);
		o += wlen[i];
	}
	m[o] = 0;
	*out = m;
	return 0;
}

int
sheet_parse(const char *text, const char *name, char **mn, size_t max,
    size_t *n)
{
	return sheet_parse_lines(text, name, mn, NULL, max, n);
}

int
sheet_parse_lines(const char *text, const char *name, char **mn,
    size_t *line, size_t max, size_t *n)
{
	const char *p, *eol, *s;
	size_t l, ln = 0;

	/* a sheet: one share, from its grid */
	for (p = text; *p != 0; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		for (s = p; s < eol && isspace((unsigned char)*s); s++)
			;
		for (l = (size_t)(eol - s);
		     l > 0 && isspace((unsigned char)s[l - 1]); l--)
			;
		if (l == 6 && strncasecmp(s, "Words:", 6) == 0) {
			if (*n >= max) {
				warnf("%s: more than %zu shares", name, max);
				return -1;
			}
			if (parse_grid(*eol ? eol + 1 : eol, name, &mn[*n]) ==
			    -1)
				return -1;
			if (line != NULL)
				line[*n] = 0;
			(*n)++;
			return 0;
		}
	}
	/* otherwise one mnemonic per line */
	for (p = text; *p != 0; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		ln++;
		for (s = p; s < eol && isspace((unsigned char)*s); s++)
			;
		if (s == eol || *s == '#')
			continue;
		if (*n >= max) {
			warnf("%s: more than %zu shares", name, max);
			return -1;
		}
		if ((mn[*n] = sdup(s, (size_t)(eol - s))) == NULL) {
			warnf("%s: out of secure memory", name);
			return -1;
		}
		if (line != NULL)
			line[*n] = ln;
		(*n)++;
	}
	return 0;
}

#define SHEET_MAX 8192

int
sheet_qr_text(const char *mnemonic, char *out, size_t outlen)
{
	size_t i, n = strlen(mnemonic);

	if (n + 1 > outlen)
		return -1;
	for (i = 0; i <= n; i++)
		out[i] = (char)toupper((unsigned char)mnemonic[i]);
	return 0;
}

/* Appends to a fixed secure buffer; *o grows, overflow sets *o past max. */
static void
put(char *b, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
put(char *b, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= SHEET_MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b + *o, SHEET_MAX - *o, fmt, ap);
	va_end(ap);
	*o = n < 0 ? SHEET_MAX : *o + (size_t)n;
}

/* Splits a mnemonic into words (pointers into a secure copy). */
static int
words_split(char *copy, const char **w, int max)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(copy, " ", &save); t != NULL && n < max;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

int
sheet_txt(const struct sheet_info *si, const struct slip39_share *sh,
    const char *mnemonic, const char *custodian, char **out, size_t *len)
{
	const char *w[SLIP39_MAX_MNEMONIC_WORDS];
	char *b, *copy;
	size_t o = 0;
	int n, rows, r, c, k;

	*out = NULL;
	b = sodium_malloc(SHEET_MAX);
	copy = sodium_malloc(strlen(mnemonic) + 1);
	if (b == NULL || copy == NULL) {
		sodium_free(b);
		sodium_free(copy);
		return -1;
	}
	strcpy(copy, mnemonic);
	n = words_split(copy, w, SLIP39_MAX_MNEMONIC_WORDS);
	put(b, &o, "SLIP-39 SHARE - SECRET: only its custodian may hold it\n"
	           "=======================================================\n\n");
	put(b, &o, "Ceremony     %s\n", si->ceremony);
	put(b, &o, "CA SHA-256   %.48s\n             %s\n", si->fingerprint,
	    si->fingerprint + 48);
	put(b, &o, "Vault        %s (created %s)\n", si->vault, si->created);
	put(b, &o, "Scheme       %s\n", si->scheme);
	if (sh->group_count == 1)
		put(b, &o, "This share   member %d of %d; any %d shares restore\n",
		    sh->member_index + 1, si->group_sizes[sh->group_index],
		    sh->member_threshold);
	else
		put(b, &o, "This share   group %d (any %d of its %d shares), "
		           "member %d;\n             %d of %d groups restore\n",
		    sh->group_index + 1, sh->member_threshold,
		    si->group_sizes[sh->group_index], sh->member_index + 1,
		    sh->group_threshold, sh->group_count);
	put(b, &o, "Identifier   %u (every share of this backup begins "
	           "\"%s %s\")\n",
	    sh->id, n > 0 ? w[0] : "", n > 1 ? w[1] : "");
	if (custodian != NULL)
		put(b, &o, "Custodian    %s\n", custodian);
	put(b, &o, "\nWords:\n");
	rows = (n + 2) / 3;
	for (r = 0; r < rows; r++) {
		for (c = 0; c < 3; c++) {
			k = c * rows + r;
			if (k < n)
				put(b, &o, "%s%2d %-*s", c ? "      " : "  ", k + 1,
				    c < 2 && k + rows < n ? 8 : 0, w[k]);
		}
		put(b, &o, "\n");
	}
	put(b, &o, "\nTo restore, bring enough shares to the ceremony machine:\n"
	           "  ceremony restore share-*.txt      (or type the words "
	           "when asked)\n"
	           "  ceremony restore --check ...      (the yearly drill; "
	           "writes no key)\n"
	           "Without this tool, any SLIP-39 implementation recovers the "
	           "32-byte\nvault key from the words; the vault is "
	           "XChaCha20-Poly1305 (README,\n\"Restoring without "
	           "ceremony\").\n");
	sodium_free(copy);
	if (o >= SHEET_MAX) {
		sodium_free(b);
		return -1;
	}
	*out = b;
	*len = o;
	return 0;
}
