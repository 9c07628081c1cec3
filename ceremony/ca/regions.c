/* Registrations of a CA: region names, accounts, folders, regions.txt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/regions.h"
#include "core/util.h"

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

int
region_name_ok(const char *r)
{
	const char *p = r;
	int parts = 0;

	/* e.g. us-east-2, us-gov-west-1, ap-southeast-1 */
	if (strlen(r) > REGION_NAME_MAX)
		return 0;
	while (*p) {
		size_t n = strspn(p, LOWER);
		if (n == 0)
			break;
		p += n;
		if (*p++ != '-')
			return 0;
		parts++;
	}
	return parts >= 2 && strlen(p) >= 1 && strlen(p) <= 2 &&
	    str_only(p, DIGITS);
}

int
region_account_ok(const char *a)
{
	return strlen(a) == 12 && str_only(a, DIGITS);
}

const char *
region_mode(const struct region_reg *g)
{
	return g->sni ? "SNI_ONLY" : "DEFAULT";
}

int
region_dir(const struct region_reg *g, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, REGIONS_DIR "/%s%s%s", g->region,
	    g->account[0] ? "-" : "", g->account);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
region_dir_parse(const char *name, struct region_reg *g)
{
	size_t n = strlen(name);

	/* a region ends in 1-2 digits, so a 12-digit tail is an account */
	g->account[0] = 0;
	if (n > 13 && name[n - 13] == '-' &&
	    region_account_ok(name + n - 12)) {
		memcpy(g->account, name + n - 12, 13);
		n -= 13;
	}
	if (n > REGION_NAME_MAX)
		return -1;
	memcpy(g->region, name, n);
	g->region[n] = 0;
	return region_name_ok(g->region) ? 0 : -1;
}

/* The line's text, for sorting and comparing. */
static void
reg_line(const struct region_reg *g, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s %s %s", g->region,
	    g->account[0] ? g->account : "-", region_mode(g));
}

int
region_cmp(const struct region_reg *a, const struct region_reg *b)
{
	char x[64], y[64];

	reg_line(a, x, sizeof(x));
	reg_line(b, y, sizeof(y));
	return strcmp(x, y);
}

static int
cmp_reg(const void *a, const void *b)
{
	return region_cmp(a, b);
}

void
regions_sort(struct region_reg *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_reg);
}

/* One "REGION ACCOUNT MODE" line (NUL-terminated) into g. */
static int
parse_line(char *s, struct region_reg *g)
{
	char *acct, *mode;

	if ((acct = strchr(s, ' ')) == NULL)
		return -1;
	*acct++ = 0;
	if ((mode = strchr(acct, ' ')) == NULL)
		return -1;
	*mode++ = 0;
	if (!region_name_ok(s) ||
	    (strcmp(acct, "-") != 0 && !region_account_ok(acct)))
		return -1;
	memset(g, 0, sizeof(*g));
	memcpy(g->region, s, strlen(s) + 1); /* checked: fits */
	if (strcmp(acct, "-") != 0)
		memcpy(g->account, acct, 13);
	if (strcmp(mode, "SNI_ONLY") == 0)
		g->sni = 1;
	else if (strcmp(mode, "DEFAULT") != 0)
		return -1;
	return 0;
}

int
regions_parse(const char *text, size_t len, struct region_reg *v,
    size_t max, size_t *n, char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *nl;
	char line[80], prev[80] = "", now[80];
	size_t i, lineno, k;

	*n = 0;
	if (memchr(text, 0, len) != NULL)
		return errf(err, errlen, "holds a NUL byte");
	for (lineno = 1; p < end; lineno++, p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return errf(err, errlen, "line %zu has no newline",
			    lineno);
		k = (size_t)(nl - p);
		if (k > 0 && p[0] == '#')
			continue;
		if (k == 0 || k >= sizeof(line))
			return errf(err, errlen, "line %zu is not 'REGION "
			    "ACCOUNT MODE'", lineno);
		memcpy(line, p, k);
		line[k] = 0;
		if (*n == max)
			return errf(err, errlen, "more than %zu registrations",
			    max);
		if (parse_line(line, &v[*n]) == -1)
			return errf(err, errlen, "line %zu is not 'REGION "
			    "ACCOUNT MODE' (ACCOUNT 12 digits or -, MODE "
			    "DEFAULT or SNI_ONLY)", lineno);
		reg_line(&v[*n], now, sizeof(now));
		if (strcmp(prev, now) >= 0)
			return errf(err, errlen, "line %zu is out of order or "
			    "repeated", lineno);
		for (i = 0; i < *n; i++)
			if (!v[i].sni && !v[*n].sni &&
			    strcmp(v[i].region, v[*n].region) == 0)
				return errf(err, errlen, "line %zu: a second "
				    "DEFAULT registration in %s (DEFAULT "
				    "mode allows one account per region)",
				    lineno, v[*n].region);
		snprintf(prev, sizeof(prev), "%s", now);
		(*n)++;
	}
	if (*n == 0)
		return errf(err, errlen, "lists no registration");
	return 0;
}

char *
regions_format(struct region_reg *v, size_t n)
{
	static const char head[] = "# REGION ACCOUNT MODE, written by "
	    "ceremony template\n";
	char line[64], *s;
	size_t i, off;

	regions_sort(v, n);
	if ((s = malloc(sizeof(head) + n * sizeof(line))) == NULL)
		return NULL;
	memcpy(s, head, sizeof(head));
	off = sizeof(head) - 1;
	for (i = 0; i < n; i++) {
		reg_line(&v[i], line, sizeof(line));
		off += (size_t)sprintf(s + off, "%s\n", line);
	}
	return s;
}
