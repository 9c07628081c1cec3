/* base45_decode on arbitrary text: no crash; whatever decodes encodes
 * back to the same text (the encoding is canonical); and any bytes
 * encode and decode back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/base45.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out;
	char *text, err[128];
	size_t n, dl;

	dl = base45_decoded_len(size);
	if ((out = malloc(dl == (size_t)-1 ? 1 : dl + 1)) == NULL)
		abort();
	if (base45_decode((const char *)data, size, out, &n, err,
	    sizeof(err)) == 0) {
		if (dl == (size_t)-1 || n != dl)
			abort();
		if ((text = malloc(base45_encoded_len(n) + 1)) == NULL)
			abort();
		base45_encode(out, n, text);
		if (strlen(text) != size || memcmp(text, data, size) != 0)
			abort();
		free(text);
	} else if (err[0] == '\0') {
		abort();
	}
	free(out);

	/* the other direction */
	if ((text = malloc(base45_encoded_len(size) + 1)) == NULL ||
	    (out = malloc(size + 1)) == NULL)
		abort();
	base45_encode(data, size, text);
	if (base45_decode(text, strlen(text), out, &n, err, sizeof(err)) != 0 ||
	    n != size || memcmp(out, data, size) != 0)
		abort();
	free(text);
	free(out);
	return 0;
}
