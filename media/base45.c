/* Base45 (RFC 9285). */
#include <stdio.h>
#include <string.h>

#include "media/base45.h"
#include "media/bytes.h"
#include "media/err.h"

static const char alphabet[] = BASE45_ALPHABET;

size_t
base45_encoded_len(size_t n)
{
	return n / 2 * 3 + n % 2 * 2;
}

void
base45_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 1 < n; i += 2) {
		v = get16be(in + i);
		out[o++] = alphabet[v % 45];
		out[o++] = alphabet[v / 45 % 45];
		out[o++] = alphabet[v / 2025];
	}
	if (i < n) {
		v = in[i];
		out[o++] = alphabet[v % 45];
		out[o++] = alphabet[v / 45];
	}
	out[o] = '\0';
}

size_t
base45_decoded_len(size_t len)
{
	if (len % 3 == 1)
		return (size_t)-1;
	return len / 3 * 2 + len % 3 / 2;
}

static int
value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(alphabet, c)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

int
base45_decode(const char *in, size_t len, unsigned char *out,
    size_t *outlen, char *err, size_t errlen)
{
	size_t i, j, o = 0, take;
	unsigned v, m;
	int d;

	if (len % 3 == 1)
		return media_errf(err, errlen, "invalid Base45 length %zu (a "
		    "length of 3k+1 is impossible)", len);
	for (i = 0; i < len; i += take) {
		take = len - i >= 3 ? 3 : 2;
		v = 0;
		m = 1;
		for (j = 0; j < take; j++) {
			if ((d = value(in[i + j])) < 0) {
				unsigned char c = (unsigned char)in[i + j];
				if (c >= 0x20 && c < 0x7f)
					return media_errf(err, errlen,
					    "invalid Base45 character '%c' at "
					    "offset %zu", c, i + j);
				return media_errf(err, errlen, "invalid Base45 "
				    "character 0x%02x at offset %zu", c, i + j);
			}
			v += (unsigned)d * m;
			m *= 45;
		}
		if (take == 3 && v > 0xffff)
			return media_errf(err, errlen, "invalid Base45 group "
			    "at offset %zu (value %u > 65535)", i, v);
		if (take == 2 && v > 0xff)
			return media_errf(err, errlen, "invalid Base45 final "
			    "pair at offset %zu (value %u > 255)", i, v);
		if (take == 3) {
			put16be(out + o, (uint16_t)v);
			o += 2;
		} else {
			out[o++] = (unsigned char)v;
		}
	}
	*outlen = o;
	return 0;
}
