/* libFuzzer: import --batch's checks (passes 1 and 2 of ib_check, nothing
 * written) on arbitrary bytes. The first byte picks what the rest is:
 * odd, the archive itself; even, members ([u8 name length][name][u16le
 * data length][data]...) that the stream writer puts in an archive with a
 * MANIFEST made and signed by a fixed test key (batch id, time and CA
 * taken from a summary.txt member that parses), so that the fuzzer gets
 * past the signature to MANIFEST, summary.txt, the pairs, the CA and the
 * certificates. An archive accepted must be in the layout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bundle/import_batch.h"
#include "core/util.h"

#define NMAX 64

static struct sigkey key;
static unsigned char sk[64];

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static int
sink(void *arg, const unsigned char *p, size_t n)
{
	struct buf *b = arg;
	unsigned char *nb;

	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		if ((nb = realloc(b->p, b->cap)) == NULL)
			abort();
		b->p = nb;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

struct mem {
	char name[256];
	const unsigned char *d;
	size_t n;
};

static int
cmp(const void *a, const void *b)
{
	return strcmp(((const struct mem *)a)->name,
	    ((const struct mem *)b)->name);
}

static void
check(const unsigned char *p, size_t n)
{
	struct ib b;
	size_t i;
	int rv;

	memset(&b, 0, sizeof(b));
	b.src = "fuzz";
	b.in.mem = p;
	b.in.fd = -1;
	b.in.len = n;
	rv = ib_check(&b, &key);
	if (rv == 0) {
		if (b.ncrt != b.nchain || b.ncrt != b.sum.certificates)
			abort();
		for (i = 0; i < b.n; i++)
			if (b.m[i].kind == BF_BAD)
				abort();
	}
	ib_free(&b);
}

/* Members from the fuzz bytes, MANIFEST and its signature added. */
static void
build(const unsigned char *p, size_t n)
{
	struct mem m[NMAX + 2];
	struct batchfile_summary s;
	struct buf out = {NULL, 0, 0}, man = {NULL, 0, 0};
	struct tar_out *t = NULL;
	unsigned char md[32], hash[MINISIG_HASH];
	char line[512], trusted[256], untrusted[128], id[17], err[256];
	char top[17] = "0123456789abcdef", ca[66] = "root", *sig = NULL;
	uint64_t mtime = 1700000000;
	size_t k = 0, i, len, siglen;
	struct tm tm;

	while (n >= 3 && k < NMAX) {
		len = p[0];
		if (n < 1 + len + 2)
			break;
		memcpy(m[k].name, p + 1, len);
		m[k].name[len] = 0;
		p += 1 + len;
		n -= 1 + len;
		m[k].n = (size_t)p[0] | (size_t)p[1] << 8;
		p += 2;
		n -= 2;
		if (m[k].n > n)
			m[k].n = n;
		m[k].d = p;
		p += m[k].n;
		n -= m[k].n;
		if (!tar_stream_name_ok(m[k].name))
			continue;
		if (strcmp(m[k].name, BATCHFILE_SUMMARY) == 0 &&
		    batchfile_summary_parse((const char *)m[k].d, m[k].n, &s,
		    err, sizeof(err)) == 0 && tar_name_ok(s.batch)) {
			memset(&tm, 0, sizeof(tm));
			if (strptime(s.time, UTC_ISO_FMT, &tm) != NULL)
				mtime = (uint64_t)timegm(&tm);
			memcpy(top, s.batch, sizeof(top));
			memcpy(ca, s.ca, sizeof(ca));
		}
		k++;
	}
	qsort(m, k, sizeof(*m), cmp);
	for (i = 0; i < k; i++) {
		if (i > 0 && strcmp(m[i - 1].name, m[i].name) == 0)
			goto out;
		crypto_hash_sha256(md, m[i].d, m[i].n);
		hex_encode(md, 32, line);
		len = (size_t)snprintf(line + 64, sizeof(line) - 64, "  %s\n",
		    m[i].name) + 64;
		sink(&man, (unsigned char *)line, len);
	}
	crypto_generichash(hash, sizeof(hash), man.p, man.n, NULL, 0);
	minisig_keyid(key.keynum, id);
	snprintf(untrusted, sizeof(untrusted), MINISIG_BUNDLE_COMMENT, id);
	snprintf(trusted, sizeof(trusted), BATCHFILE_TRUSTED,
	    (unsigned long long)mtime, top, ca);
	if (minisig_sign_hashed(&key, hash, untrusted, trusted, &sig,
	    &siglen) != 0)
		abort();
	snprintf(m[k].name, sizeof(m[k].name), BATCHFILE_MANIFEST);
	m[k].d = man.p;
	m[k++].n = man.n;
	snprintf(m[k].name, sizeof(m[k].name), BATCHFILE_SIG);
	m[k].d = (unsigned char *)sig;
	m[k++].n = siglen;
	qsort(m, k, sizeof(*m), cmp);
	if ((t = tar_out_new(top, mtime, BATCHFILE_LEVEL, sink, &out, err,
	    sizeof(err))) == NULL)
		goto out;
	for (i = 0; i < k; i++)
		if (tar_out_add(t, m[i].name, m[i].d, m[i].n, BATCHFILE_MODE,
		    err, sizeof(err)) != 0)
			goto out; /* MANIFEST given twice */
	if (tar_out_finish(t, err, sizeof(err)) != 0)
		abort();
	check(out.p, out.n);
out:
	tar_out_free(t);
	free(out.p);
	free(man.p);
	free(sig);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char seed[32] = "ceremony fuzz_batch test key...";

	if (key.sk == NULL) {
		if (sodium_init() < 0)
			abort();
		crypto_sign_seed_keypair(key.pk, sk, seed);
		memcpy(key.keynum, "fuzzkey!", 8);
		key.sk = sk;
	}
	if (size == 0)
		return 0;
	if (data[0] & 1)
		check(data + 1, size - 1);
	else
		build(data + 1, size - 1);
	return 0;
}
