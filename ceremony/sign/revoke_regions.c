/* <CA dir>/regions.txt: the AWS regions (and accounts) a CA is
 * registered in, as `ceremony template` records them. */
#include <stdlib.h>
#include <string.h>

#include "ca/regions.h"
#include "sign/revoke.h"
#include "core/util.h"

int
regions_add(struct regions *r, const char *region, char *err, size_t errlen)
{
	char (*nv)[REGION_MAX + 1];
	size_t i;

	if (!region_name_ok(region))
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

int
regions_load(const struct caref *ca, struct regions *r, char *err,
    size_t errlen)
{
	struct region_reg v[REGIONS_MAX];
	char path[CAREF_PATH_MAX + 16], why[160];
	unsigned char *buf;
	size_t len, n, i;
	int rv;

	if (caref_path(ca, REGIONS_FILE, path, sizeof(path)) == -1)
		return errf(err, errlen, "path too long");
	if (!file_exists(path))
		return 1;
	if (file_read(path, &buf, &len, 1u << 20) == -1)
		return errf(err, errlen, "%s: cannot read", path);
	rv = regions_parse((char *)buf, len, v, REGIONS_MAX, &n, why,
	    sizeof(why));
	free(buf);
	if (rv == -1)
		return errf(err, errlen, "%s: %s", path, why);
	for (i = 0; i < n; i++)
		if (regions_add(r, v[i].region, err, errlen) == -1)
			return -1;
	return 0;
}

void
regions_free(struct regions *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
