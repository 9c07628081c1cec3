/* libFuzzer: SLIP-39 mnemonic decoding and share combination.
 * First byte even: text, one mnemonic per line; every decoded share must
 * encode back to a mnemonic that decodes to the same share. First byte
 * odd: raw share records (bypassing the checksum) for the combiner. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup/slip39.h"

#define MAXN 16
#define MAXLINES 6 /* decoding errors cost ~1 ms each */

static void
combine(const struct slip39_share *sh, size_t n)
{
	uint8_t ems[SLIP39_MAX_SECRET];
	char err[512];
	size_t len;

	/* decryption (PBKDF2) is left out: it parses nothing */
	if (slip39_recover_ems(sh, n, NULL, ems, &len, err, sizeof(err)) == 0) {
		if (len < SLIP39_MIN_SECRET || len > SLIP39_MAX_SECRET)
			abort();
	} else if (err[0] == 0)
		abort();
}

static void
text(const uint8_t *data, size_t size)
{
	static struct slip39_share sh[MAXN];
	struct slip39_share back;
	char *buf, *line, *save = NULL, err[512], mn[SLIP39_MAX_MNEMONIC];
	size_t n = 0, lines = 0;

	if ((buf = malloc(size + 1)) == NULL)
		return;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (line = strtok_r(buf, "\n", &save); line != NULL &&
	     lines++ < MAXLINES;
	     line = strtok_r(NULL, "\n", &save)) {
		if (slip39_decode(line, &sh[n], err, sizeof(err)) != 0) {
			if (err[0] == 0)
				abort();
			continue;
		}
		if (slip39_encode(&sh[n], mn, sizeof(mn)) != 0 ||
		    slip39_decode(mn, &back, err, sizeof(err)) != 0 ||
		    memcmp(&back, &sh[n], sizeof(back)) != 0)
			abort();
		n++;
	}
	if (n > 0)
		combine(sh, n);
	free(buf);
}

/* 8 header bytes + value per share, all of one length. */
static void
raw(const uint8_t *data, size_t size)
{
	static struct slip39_share sh[MAXN];
	size_t len, n = 0, rec;

	if (size < 1)
		return;
	len = SLIP39_MIN_SECRET + 2 * (data[0] % 3);
	data++, size--;
	rec = 8 + len;
	while (size >= rec && n < MAXN) {
		memset(&sh[n], 0, sizeof(sh[n]));
		sh[n].id = (uint16_t)((data[0] << 8 | data[1]) & 0x7fff);
		sh[n].ext = data[2] & 1;
		sh[n].exp = (data[2] >> 1) & 15;
		sh[n].group_index = data[3] & 15;
		sh[n].group_threshold = (uint8_t)((data[4] & 15) + 1);
		sh[n].group_count = (uint8_t)((data[4] >> 4) + 1);
		sh[n].member_index = data[5] & 15;
		sh[n].member_threshold = (uint8_t)((data[6] & 15) + 1);
		sh[n].len = (uint8_t)len;
		memcpy(sh[n].value, data + 8, len);
		data += rec, size -= rec, n++;
	}
	if (n > 0)
		combine(sh, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	if (size < 1 || size > 8192)
		return 0;
	if (data[0] & 1)
		raw(data + 1, size - 1);
	else
		text(data + 1, size - 1);
	return 0;
}
