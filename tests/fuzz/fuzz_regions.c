/* libFuzzer: regions.txt as a bundle brings it. Whatever parses must be
 * what regions_format writes for it, comments aside. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ca/regions.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct region_reg v[REGIONS_MAX], g;
	char err[256], dir[REGION_DIR_MAX], *text, *s, *t, *nl;
	size_t n, i;

	if (regions_parse((const char *)data, size, v, REGIONS_MAX, &n, err,
		sizeof(err)) != 0) {
		if (err[0] == 0)
			abort();
		return 0;
	}
	if (n == 0 || n > REGIONS_MAX)
		abort();
	for (i = 0; i < n; i++) {
		/* each folder name reads back as its registration */
		if (region_dir(&v[i], dir, sizeof(dir)) != 0 ||
		    region_dir_parse(dir + sizeof(REGIONS_DIR), &g) != 0 ||
		    strcmp(g.region, v[i].region) != 0 ||
		    strcmp(g.account, v[i].account) != 0)
			abort();
	}
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	/* the input without its comment lines */
	for (s = (char *)data, t = text; s < (char *)data + size; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)((char *)data + size - s));
		if (*s != '#') {
			memcpy(t, s, (size_t)(nl - s + 1));
			t += nl - s + 1;
		}
	}
	*t = 0;
	if ((s = regions_format(v, n)) == NULL)
		abort();
	if (strcmp(strchr(s, '\n') + 1, text) != 0)
		abort();
	free(s);
	free(text);
	return 0;
}
