/* tar_read on arbitrary bytes: no crash, no leak, bounded memory. The
 * first byte picks whether the rest is the .tar.gz itself or a tar stream
 * to gzip first (so the fuzzer reaches the header checks). Whatever is
 * accepted must be exactly what tar_write makes of its own listing, with
 * member paths as tar_path_ok allows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/tar.h"

static const struct tar_limits lim = { 16, 1u << 16, 1u << 18 };

static void
check(const unsigned char *gz, size_t len)
{
	struct tar_list l;
	struct tar_member m[16];
	unsigned char *again;
	size_t alen, i;
	char err[512];

	if (tar_read(gz, len, &lim, &l, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || l.n != 0 || l.e != NULL)
			abort();
		return;
	}
	if (l.n > 16)
		abort();
	for (i = 0; i < l.n; i++) {
		if (i > 0 && strcmp(l.e[i - 1].name, l.e[i].name) >= 0)
			abort();
		/* folders: every name a path, none a folder of another */
		if (!tar_path_ok(l.e[i].name) || (i > 0 &&
		    strncmp(l.e[i - 1].name, l.e[i].name,
			strlen(l.e[i - 1].name)) == 0 &&
		    l.e[i].name[strlen(l.e[i - 1].name)] == '/'))
			abort();
		m[i].name = l.e[i].name;
		m[i].data = l.e[i].data;
		m[i].len = l.e[i].len;
		m[i].mode = l.e[i].mode;
	}
	if (tar_write(l.top, m, l.n, l.mtime, &again, &alen, err,
	    sizeof(err)) != 0 || alen != len || memcmp(again, gz, len) != 0)
		abort();
	free(again);
	tar_list_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *gz;
	size_t len;
	char err[256];

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		check(data + 1, size - 1);
		return 0;
	}
	if (tar_gzip(data + 1, size - 1, &gz, &len, err, sizeof(err)) != 0)
		abort();
	check(gz, len);
	free(gz);
	return 0;
}
