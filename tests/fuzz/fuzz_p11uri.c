/* p11uri_parse on arbitrary bytes: no crash, no leak; whatever parses
 * has a token and an object, never a PIN, and formats to a URI that
 * parses back to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ca/p11uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A query attribute (after the first '?', between '&') named pin-*. */
static int
query_has_pin(const char *s)
{
	const char *p = strchr(s, '?');

	while (p != NULL) {
		p++;
		if (strncmp(p, "pin-value", 9) == 0 ||
		    strncmp(p, "pin-source", 10) == 0)
			return 1;
		p = strchr(p, '&');
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct p11uri u, v;
	static char s[P11URI_MAX + 2], out[4 * P11URI_MAX + 64], err[256];

	if (size > P11URI_MAX + 1)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (p11uri_parse(s, &u, err, sizeof(err)) != 0)
		return 0;
	if (u.token[0] == 0 || u.object[0] == 0 || query_has_pin(s))
		abort();
	if (p11uri_format(&u, out, sizeof(out)) != 0)
		return 0; /* too long to write back: refused by the writer */
	if (strlen(out) <= P11URI_MAX) {
		if (p11uri_parse(out, &v, err, sizeof(err)) != 0)
			abort();
		if (strcmp(u.token, v.token) || strcmp(u.object, v.object) ||
		    strcmp(u.serial, v.serial) || strcmp(u.module, v.module) ||
		    u.idlen != v.idlen || memcmp(u.id, v.id, u.idlen))
			abort();
	}
	return 0;
}
