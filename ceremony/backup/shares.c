/* The shares a restore is given: files, stdin and the terminal. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "backup/shares.h"
#include "core/tty.h"
#include "backup/sheet.h"
#include "core/util.h"

#define LINE_MAX_SHARE 2048

void
shares_free(struct shares *s)
{
	size_t i;

	sheet_free_all(s->mn, s->n);
	for (i = 0; i < SLIP39_MAX_SHARES; i++) {
		free(s->name[i]);
		s->name[i] = NULL;
	}
	sodium_free(s->sh);
	s->sh = NULL;
	s->n = 0;
}

int
shares_read(struct shares *s, const char *path)
{
	size_t len, first = s->n, i;
	char *text, label[256];
	int rv;

	if (strcmp(path, "-") == 0)
		snprintf(label, sizeof(label), "stdin");
	else
		str_safe(path, (size_t)-1, label, sizeof(label));

	if (sheet_read(path, &text, &len, 1 << 20) == -1)
		return -1;
	rv = sheet_parse(text, label, s->mn, SLIP39_MAX_SHARES, &s->n);
	sheet_free(text);
	if (rv == -1)
		return -1;
	if (s->n == first) {
		warnf("%s: no share in it", label);
		return -1;
	}
	for (i = first; i < s->n; i++) {
		if (s->n - first == 1)
			s->name[i] = strdup(label);
		else if (asprintf(&s->name[i], "%s share %zu", label,
		             i - first + 1) == -1)
			s->name[i] = NULL;
		if (s->name[i] == NULL)
			return -1;
	}
	return 0;
}

/* The retired backup (backup --reshare) whose vault has identifier id,
 * into out: 1 found, 0 not. */
static int
retired_find(unsigned id, char *out, size_t outlen)
{
	struct vault_header h;
	unsigned char *text;
	char err[128];
	size_t i, len, hdrlen;
	glob_t g;
	int found = 0;

	if (glob("backup.retired-*/deviceRootCA.vault", 0, NULL, &g) != 0)
		return 0;
	for (i = 0; i < g.gl_pathc && !found; i++) {
		if (file_read(g.gl_pathv[i], &text, &len, VAULT_MAX) == -1)
			continue;
		if (vault_header_parse((char *)text, len, &h, &hdrlen, err,
		        sizeof(err)) == 0 && h.slip39_id == id) {
			snprintf(out, outlen, "%s", g.gl_pathv[i]);
			found = 1;
		}
		free(text);
	}
	globfree(&g);
	return found;
}

int
shares_check_ids(const struct shares *s, const struct vault_header *h,
    const char *vault)
{
	char old[4096];
	size_t i, same = 0;

	for (i = 0; i < s->n; i++)
		same += s->sh[i].id == s->sh[0].id;
	for (i = 0; i < s->n; i++) {
		if (s->sh[i].id == h->slip39_id)
			continue;
		if (same == s->n && retired_find(s->sh[0].id, old,
		                        sizeof(old)))
			warnf("the shares (identifier %u) are those of the "
			      "retired backup %s: 'backup --reshare' replaced "
			      "them; %s (identifier %u) needs the new shares",
			    s->sh[0].id, old, vault, h->slip39_id);
		else if (same == s->n)
			warnf("the shares (identifier %u) do not belong to %s "
			      "(identifier %u): bring this backup's shares, "
			      "or its vault with --vault",
			    s->sh[0].id, vault, h->slip39_id);
		else
			warnf("%s is from a different backup (identifier %u) "
			      "than %s (identifier %u)",
			    s->name[i], s->sh[i].id, vault, h->slip39_id);
		return -1;
	}
	return 0;
}

/* Reads one line from stdin into secure memory. 0 ok, 1 EOF, -1 error. */
static int
read_line(char *buf, size_t max)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			return n > 0 ? 0 : 1;
		if (c == '\n')
			break;
		if (n + 1 < max)
			buf[n++] = c;
	}
	buf[n] = 0;
	return 0;
}

/* The words on a line, as slip39_decode splits them. */
static size_t
count_words(const char *p)
{
	size_t n = 0;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == 0)
			return n;
		n++;
		p += strcspn(p, " \t\r\n");
	}
}

int
shares_prompt(struct shares *s, const struct vault_header *h)
{
	char *line, err[512], *ems;
	size_t len, nw;
	int r, rv = -1, quiet = 0;

	line = sodium_malloc(LINE_MAX_SHARE);
	ems = sodium_malloc(SLIP39_MAX_SECRET);
	if (line == NULL || ems == NULL)
		goto out;
	if (tty_quiet(STDIN_FILENO, 0) == -1)
		goto out;
	quiet = 1;
	fprintf(stderr, "Type each share's words on one line (first 4 letters "
	                "are enough); they are not shown. A blank line ends.\n");
	while (s->n < SLIP39_MAX_SHARES) {
		fprintf(stderr, "share %zu> ", s->n + 1);
		if ((r = read_line(line, LINE_MAX_SHARE)) == -1) {
			warnf("the terminal: read error: %s", strerror(errno));
			goto out;
		}
		if (r == 1 || str_only(line, " \t\r"))
			break;
		nw = count_words(line);
		if (slip39_decode_blind(line, &s->sh[s->n], err, sizeof(err)) ==
		    -1) {
			fprintf(stderr, "  %zu words: %s; type this share "
			                "again\n", nw, err);
			continue;
		}
		if (s->sh[s->n].id != h->slip39_id) {
			fprintf(stderr, "  %zu words, checksum ok, but this "
			                "share is from another backup "
			                "(identifier %u, the vault's is %u); "
			                "type a share of this backup\n",
			    nw, s->sh[s->n].id, h->slip39_id);
			continue;
		}
		if ((s->mn[s->n] = sodium_malloc(strlen(line) + 1)) == NULL ||
		    asprintf(&s->name[s->n], "typed share %zu", s->n + 1) ==
		        -1)
			goto out;
		strcpy(s->mn[s->n], line);
		s->n++;
		r = slip39_recover_ems(s->sh, s->n,
		    (const char *const *)s->name, (uint8_t *)ems, &len, err,
		    sizeof(err));
		if (r == 0) {
			fprintf(stderr, "  %zu words, checksum ok (group %d, "
			                "member %d); enough shares\n",
			    nw, s->sh[s->n - 1].group_index + 1,
			    s->sh[s->n - 1].member_index + 1);
			break;
		}
		if (r == RC_SHORT) {
			fprintf(stderr, "  %zu words, checksum ok (group %d, "
			                "member %d); still %s\n",
			    nw, s->sh[s->n - 1].group_index + 1,
			    s->sh[s->n - 1].member_index + 1, err);
			continue;
		}
		fprintf(stderr, "  %zu words, checksum ok, but %s; this share "
		                "was not kept\n", nw, err);
		s->n--;
		sodium_free(s->mn[s->n]);
		s->mn[s->n] = NULL;
		free(s->name[s->n]);
		s->name[s->n] = NULL;
	}
	rv = 0;
out:
	if (quiet)
		tty_restore();
	sodium_free(line);
	sodium_free(ems);
	return rv;
}
