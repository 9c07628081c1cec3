/* The batch archive's names and its summary.txt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/batchfile.h"
#include "core/util.h"

const struct tar_limits batchfile_limits = {
	2 * BATCHFILE_DEVICES_MAX + 4, /* members */
	1u << 30,                      /* one member: rejected.txt, MANIFEST */
	(size_t)8 << 30,               /* all */
};

static int
ends(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n > t && strcmp(s + n - t, tail) == 0;
}

enum batchfile_kind
batchfile_kind(const char *name, char *stem)
{
	size_t n = strlen(name), k;

	if (strcmp(name, BATCHFILE_MANIFEST) == 0)
		return BF_MANIFEST;
	if (strcmp(name, BATCHFILE_SIG) == 0)
		return BF_SIG;
	if (strcmp(name, BATCHFILE_REJECTED) == 0)
		return BF_REJECTED;
	if (strcmp(name, BATCHFILE_SUMMARY) == 0)
		return BF_SUMMARY;
	if (!tar_stream_name_ok(name))
		return BF_BAD;
	k = ends(name, n, BATCHFILE_CHAIN) ? strlen(BATCHFILE_CHAIN) :
	    ends(name, n, BATCHFILE_CRT) ? strlen(BATCHFILE_CRT) : 0;
	if (k == 0)
		return BF_BAD;
	memcpy(stem, name, n - k);
	stem[n - k] = 0;
	/* sign never names a device "x-chain": its .crt would be x's chain */
	if (k == strlen(BATCHFILE_CRT) && ends(stem, n - k, "-chain"))
		return BF_BAD;
	return k == strlen(BATCHFILE_CRT) ? BF_CRT : BF_CHAIN;
}

#define KEYW 18

char *
batchfile_summary_text(const struct batchfile_summary *s)
{
	char *text;

	if (asprintf(&text,
	    "%-*s%s\n%-*s%s\n%-*s%s\n%-*s%s\n%-*s%s\n%-*s%lu\n%-*s%lu\n"
	    "%-*s%lu\n%-*s%lu\n%-*s%s\n",
	    KEYW, "batch", s->batch, KEYW, "csr_set_sha256", s->csr_set_sha256,
	    KEYW, "ca", s->ca, KEYW, "ca_subject", s->ca_subject,
	    KEYW, "ca_sha256", s->ca_sha256, KEYW, "csrs", s->csrs,
	    KEYW, "certificates", s->certificates, KEYW, "rejected",
	    s->rejected, KEYW, "not_regular_files", s->not_regular_files,
	    KEYW, "time", s->time) == -1)
		return NULL;
	return text;
}

/* The value of line key at *p into out (< outlen bytes); *p moves on. */
static int
value(const char **p, const char *end, const char *key, char *out,
    size_t outlen, char *err, size_t errlen)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t k = strlen(key), n;

	if (nl == NULL || (size_t)(nl - *p) <= KEYW ||
	    strncmp(*p, key, k) != 0)
		return errf(err, errlen, "no '%s' line where expected", key);
	for (n = k; n < KEYW; n++)
		if ((*p)[n] != ' ')
			return errf(err, errlen, "no '%s' line where expected",
			    key);
	n = (size_t)(nl - *p) - KEYW;
	if (n >= outlen || memchr(*p + KEYW, 0, n) != NULL)
		return errf(err, errlen, "the '%s' value is too long", key);
	memcpy(out, *p + KEYW, n);
	out[n] = 0;
	*p = nl + 1;
	return 0;
}

static int
number(const char **p, const char *end, const char *key, unsigned long *v,
    char *err, size_t errlen)
{
	char buf[24], *e;

	if (value(p, end, key, buf, sizeof(buf), err, errlen) == -1)
		return -1;
	*v = strtoul(buf, &e, 10);
	if (buf[0] < '0' || buf[0] > '9' || *e != 0 || (buf[0] == '0' &&
	    buf[1] != 0))
		return errf(err, errlen, "'%s' is not a number", key);
	return 0;
}

int
batchfile_summary_parse(const char *text, size_t len,
    struct batchfile_summary *s, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	char *again;
	int same;

	memset(s, 0, sizeof(*s));
	if (value(&p, end, "batch", s->batch, sizeof(s->batch), err,
	    errlen) || value(&p, end, "csr_set_sha256", s->csr_set_sha256,
	    sizeof(s->csr_set_sha256), err, errlen) ||
	    value(&p, end, "ca", s->ca, sizeof(s->ca), err, errlen) ||
	    value(&p, end, "ca_subject", s->ca_subject, sizeof(s->ca_subject),
	    err, errlen) || value(&p, end, "ca_sha256", s->ca_sha256,
	    sizeof(s->ca_sha256), err, errlen) ||
	    number(&p, end, "csrs", &s->csrs, err, errlen) ||
	    number(&p, end, "certificates", &s->certificates, err, errlen) ||
	    number(&p, end, "rejected", &s->rejected, err, errlen) ||
	    number(&p, end, "not_regular_files", &s->not_regular_files, err,
	    errlen) || value(&p, end, "time", s->time, sizeof(s->time), err,
	    errlen))
		return -1;
	if (p != end)
		return errf(err, errlen, "more lines than a batch summary has");
	if ((again = batchfile_summary_text(s)) == NULL)
		return errf(err, errlen, "out of memory");
	same = strlen(again) == len && memcmp(again, text, len) == 0;
	free(again);
	if (!same)
		return errf(err, errlen, "not the text 'ceremony sign' writes");
	return 0;
}
