/* Frame parsing and reassembly. The first byte picks a mode:
 *   0: the rest is scanned text, fed line by line, then finish;
 *   1: the rest is binary frames (a length byte, then bytes), each given
 *      a good CRC and the tag, so the header and reassembly checks run;
 *   2: the rest is a bundle: split it, keep the frames the next bytes
 *      choose (at least k), rebuild: must equal the bundle.
 * No crash, no leak, and a rebuild never returns wrong bytes. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "media/base45.h"
#include "media/frames.h"

static void
check_result(struct frames_join *j)
{
	struct frames_status st;
	unsigned char *out, md[32];
	size_t len;
	char err[1024];

	frames_join_status(j, &st);
	if (frames_join_finish(j, &out, &len, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (!st.started || len != st.info.total ||
	    EVP_Digest(out, len, md, NULL, EVP_sha256(), NULL) != 1 ||
	    memcmp(md, st.info.id, 4) != 0)
		abort();
	free(out);
}

static void
text_mode(const uint8_t *data, size_t size)
{
	struct frames_join *j = frames_join_new();
	char err[1024];

	if (j == NULL)
		abort();
	if (frames_join_feed(j, (const char *)data, size, err,
	    sizeof(err)) == 0)
		check_result(j);
	frames_join_free(j);
}

static void
binary_mode(const uint8_t *data, size_t size)
{
	struct frames_join *j = frames_join_new();
	unsigned char fr[300];
	char line[4 + 460], err[1024];
	size_t n, o = 0;
	uLong crc;

	if (j == NULL)
		abort();
	while (o < size) {
		n = data[o++];
		if (n > size - o)
			n = size - o;
		memcpy(fr, data + o, n);
		o += n;
		crc = crc32(0L, fr, (uInt)n);
		fr[n] = (unsigned char)(crc >> 24);
		fr[n + 1] = (unsigned char)(crc >> 16);
		fr[n + 2] = (unsigned char)(crc >> 8);
		fr[n + 3] = (unsigned char)crc;
		memcpy(line, FRAMES_TAG, FRAMES_TAG_LEN);
		base45_encode(fr, n + 4, line + FRAMES_TAG_LEN);
		if (frames_join_add(j, line, strlen(line), err,
		    sizeof(err)) < 0 && err[0] == '\0')
			abort();
	}
	check_result(j);
	frames_join_free(j);
}

static void
split_mode(const uint8_t *data, size_t size)
{
	struct frames_join *j;
	struct frames_info fi;
	unsigned char *out;
	char **lines, err[1024];
	size_t len, half = size / 2;
	unsigned i, added = 0;

	/* version 6-L: 112 bytes per frame, so small inputs make many */
	if (half == 0 || frames_split(data + half, size - half, 6, 'L', -1,
	    &lines, &fi, err, sizeof(err)) != 0)
		return;
	if ((j = frames_join_new()) == NULL)
		abort();
	for (i = 0; i < fi.n; i++) {
		unsigned pick = data[i % half];
		if ((pick & 3) == 0 && fi.n - i > fi.k - added)
			continue; /* dropped, while enough remain */
		if (frames_join_add(j, lines[i], strlen(lines[i]), err,
		    sizeof(err)) != FRAMES_NEW)
			abort();
		added++;
		if (pick & 4)
			frames_join_add(j, lines[i], strlen(lines[i]), err,
			    sizeof(err));
	}
	if (frames_join_finish(j, &out, &len, err, sizeof(err)) != 0 ||
	    len != size - half || memcmp(out, data + half, len) != 0)
		abort();
	free(out);
	frames_join_free(j);
	frames_lines_free(lines, fi.n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		text_mode(data + 1, size - 1);
		break;
	case 1:
		binary_mode(data + 1, size - 1);
		break;
	default:
		split_mode(data + 1, size - 1);
	}
	return 0;
}
