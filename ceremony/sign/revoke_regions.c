/* <CA dir>/regions.txt: the AWS regions (and accounts) a CA is
 * registered in, as `ceremony template` records them. */
#include <stdlib.h>
#include <string.h>

#include "sign/revoke.h"
#include "core/util.h"

int
region_check(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= REGION_MAX && s[0] >= 'a' && s[0] <= 'z' &&
	    str_only(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
}

int
regions_add(struct regions *r, const char *region, char *err, size_t errlen)
{
	char (*nv)[REGION_MAX + 1];
	size_t i;

	if (!region_check(region))
		return errf(err, errlen, "'%.40s' is not an AWS region name "
		    "(like us-east-1)", region);
	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i], region) == 0)
			return 0;
	if ((nv = realloc(r->v, (r->n + 1) * sizeof(*nv))) == NULL)
		return errf(err, errlen, "out of memory");
	r->v = nv;
	strcpy(r->v[r->n++], region);
	return 0;
}

/* "REGION ACCOUNT MODE" */
static int
line_parse(char *s, struct regions *r, char *err, size_t errlen)
{
	char *acct, *mode;

	if ((acct = strchr(s, ' ')) == NULL ||
	    (mode = strchr(acct + 1, ' ')) == NULL || strchr(mode + 1, ' '))
		return errf(err, errlen, "not 'REGION ACCOUNT MODE'");
	*acct++ = 0;
	*mode++ = 0;
	if (strcmp(acct, "-") != 0 && (strlen(acct) != 12 ||
	    !str_only(acct, "0123456789")))
		return errf(err, errlen, "ACCOUNT is not 12 digits or '-'");
	if (strcmp(mode, "DEFAULT") != 0 && strcmp(mode, "SNI_ONLY") != 0)
		return errf(err, errlen, "MODE is not DEFAULT or SNI_ONLY");
	return regions_add(r, s, err, errlen);
}

int
regions_parse(const char *text, size_t len, struct regions *r, char *err,
    size_t errlen)
{
	char line[128], why[96];
	const char *p = text, *end = text + len, *nl;
	unsigned long lineno = 0;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return errf(err, errlen, "line %lu: no newline at the "
			    "end", lineno);
		if ((size_t)(nl - p) >= sizeof(line) ||
		    memchr(p, 0, (size_t)(nl - p)) != NULL)
			return errf(err, errlen, "line %lu: too long or "
			    "binary", lineno);
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = 0;
		p = nl + 1;
		if (line[0] == '#')
			continue;
		if (line_parse(line, r, why, sizeof(why)) == -1)
			return errf(err, errlen, "line %lu: %s", lineno, why);
	}
	return 0;
}

int
regions_load(const struct caref *ca, struct regions *r, char *err,
    size_t errlen)
{
	char path[CAREF_PATH_MAX + 16], why[160];
	unsigned char *buf;
	size_t len;
	int rv;

	if (caref_path(ca, REGIONS_FILE, path, sizeof(path)) == -1)
		return errf(err, errlen, "path too long");
	if (!file_exists(path))
		return 1;
	if (file_read(path, &buf, &len, 1u << 20) == -1)
		return errf(err, errlen, "%s: cannot read", path);
	rv = regions_parse((char *)buf, len, r, why, sizeof(why));
	free(buf);
	if (rv == -1)
		return errf(err, errlen, "%s: %s", path, why);
	return 0;
}

void
regions_free(struct regions *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
