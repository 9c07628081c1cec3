/* GF(2^8) arithmetic shared by SLIP-39 and the Reed-Solomon erasure code. */
#include "media/gf256.h"

uint8_t
gf256_mul(uint8_t a, uint8_t b)
{
	uint8_t r = 0;
	int i;

	for (i = 0; i < 8; i++) {
		r ^= (uint8_t)(-(b & 1)) & a;
		b >>= 1;
		a = (uint8_t)((a << 1) ^ ((uint8_t)(-(a >> 7)) & 0x1b));
	}
	return r;
}

uint8_t
gf256_inv(uint8_t a)
{
	/* a^254 by square and multiply with a fixed sequence */
	uint8_t r = gf256_mul(a, a);
	int i;

	for (i = 0; i < 6; i++) {
		r = gf256_mul(r, a);
		r = gf256_mul(r, r);
	}
	return r;
}

uint8_t
gf256_div(uint8_t a, uint8_t b)
{
	return gf256_mul(a, gf256_inv(b));
}

static uint8_t exp_t[512], log_t[256];
static int tables_ready;

static void
tables_init(void)
{
	unsigned x = 1;
	int i;

	for (i = 0; i < 255; i++) {
		exp_t[i] = exp_t[i + 255] = (uint8_t)x;
		log_t[x] = (uint8_t)i;
		x = gf256_mul((uint8_t)x, 3);
	}
	tables_ready = 1;
}

void
gf256_muladd(uint8_t *dst, const uint8_t *src, uint8_t c, size_t n)
{
	uint8_t row[256];
	size_t i;
	unsigned lc;

	if (c == 0)
		return;
	if (!tables_ready)
		tables_init();
	lc = log_t[c];
	row[0] = 0;
	for (i = 1; i < 256; i++)
		row[i] = exp_t[log_t[i] + lc];
	for (i = 0; i < n; i++)
		dst[i] ^= row[src[i]];
}
