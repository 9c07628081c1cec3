/* minisig_parse and minisig_verify on arbitrary bytes: no crash, no leak,
 * and whatever parses must verify only when it is the real signature. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ca/minisig.h"

static struct sigkey key;
static const unsigned char msg[] = "MANIFEST contents\n";
static char *good;
static size_t goodlen;

static void
setup(void)
{
	unsigned char seed[32];

	if (sodium_init() < 0)
		abort();
	/* A fixed key, so a seed corpus made with it can verify. */
	memset(seed, 0x42, sizeof(seed));
	if ((key.sk = sodium_malloc(64)) == NULL ||
	    crypto_sign_seed_keypair(key.pk, key.sk, seed) != 0)
		abort();
	memset(key.keynum, 0x5a, 8);
	if (minisig_sign(&key, msg, sizeof(msg) - 1, "untrusted", "trusted",
		&good, &goodlen) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct minisig s;
	struct sigkey pub;
	char err[256], *text;

	if (key.sk == NULL)
		setup();

	/* Parse wants the length, not a NUL; copy so overreads show. */
	if ((text = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	if (minisig_parse(text, size, &s, err, sizeof(err)) == 0) {
		memcpy(pub.keynum, key.keynum, 8);
		memcpy(pub.pk, key.pk, 32);
		pub.sk = NULL;
		if (minisig_verify(&s, &pub, msg, sizeof(msg) - 1, err,
			sizeof(err)) == 0) {
			/* Only the untrusted comment may differ from ours. */
			struct minisig g;
			if (minisig_parse(good, goodlen, &g, err,
				sizeof(err)) != 0 ||
			    memcmp(g.sig, s.sig, 64) != 0 ||
			    memcmp(g.global, s.global, 64) != 0 ||
			    strcmp(g.trusted, s.trusted) != 0)
				abort();
		}
	}
	free(text);
	return 0;
}
