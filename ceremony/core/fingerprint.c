#include <stdio.h>

#include "core/fingerprint.h"
#include "core/wordlist.h"

void
fingerprint_format(const unsigned char sha[32], char out[96])
{
	static const char hx[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < 32; i++) {
		out[3 * i] = hx[sha[i] >> 4];
		out[3 * i + 1] = hx[sha[i] & 15];
		out[3 * i + 2] = i == 31 ? 0 : ':';
	}
}

void
fingerprint_words(const unsigned char sha[32], char *out, size_t len)
{
	unsigned acc = 0;
	size_t used = 0;
	int i, bits = 0;

	/* 10 bits per SLIP-39 word; the last word holds the last 6 bits */
	out[0] = 0;
	for (i = 0; i < 32; i++) {
		acc = (acc << 8) | sha[i];
		bits += 8;
		while (bits >= 10) {
			bits -= 10;
			used += (size_t)snprintf(out + used, used < len ?
			    len - used : 0, "%s%s", used ? " " : "",
			    slip39_wordlist[(acc >> bits) & 1023]);
		}
	}
	snprintf(out + used, used < len ? len - used : 0, " %s",
	    slip39_wordlist[(acc << (10 - bits)) & 1023]);
}
