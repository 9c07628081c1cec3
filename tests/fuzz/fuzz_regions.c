/* libFuzzer: the regions.txt reader revoke uses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign/revoke.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct regions r = {0};
	char err[256];
	size_t i;

	if (regions_parse((const char *)data, size, &r, err, sizeof(err)) ==
	    0)
		for (i = 0; i < r.n; i++)
			if (!region_check(r.v[i]))
				abort();
	regions_free(&r);
	return 0;
}
