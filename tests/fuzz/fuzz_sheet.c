/* libFuzzer: share sheets and mnemonic files as restore reads them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup/sheet.h"

#define MAXMN 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *mn[MAXMN];
	size_t n = 0;
	if (sodium_init() < 0)
		abort();
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	sheet_parse(text, "fuzz", mn, MAXMN, &n);
	sheet_free_all(mn, n);
	free(text);
	return 0;
}
