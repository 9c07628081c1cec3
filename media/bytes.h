/* Fixed-width integers in byte order: big-endian for frames, PNG and
 * Base45 groups, little-endian for gzip and minisign keys. One set, so no
 * module carries its own copy. */
#ifndef BYTES_H
#define BYTES_H

#include <stdint.h>

static inline uint16_t
get16be(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put16be(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static inline uint32_t
get32be(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
put32be(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline uint16_t
get16le(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
get32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
get64le(const unsigned char *p)
{
	return (uint64_t)get32le(p) | (uint64_t)get32le(p + 4) << 32;
}

static inline void
put64le(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

#endif
