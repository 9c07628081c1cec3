/* README.txt, for the operator of the online machine: the files, the
 * values to compare with the paper record, and the commands to run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle/bundle.h"
#include "ca/caref.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "ca/template.h"
#include "core/transcript.h"
#include "core/util.h"

/* What a member is, for README.txt. */
static void
describe(const struct tar_member *e, char *out, size_t len)
{
	const char *name = e->name, *base = strrchr(name, '/');
	char ca[96] = "", where[96] = "", part[TAR_NAME_MAX + 1];
	struct region_reg g;
	const char *r;
	size_t n;

	base = base ? base + 1 : name;
	if (strncmp(name, CAREF_DIR "/", sizeof(CAREF_DIR)) == 0) {
		n = strcspn(name + sizeof(CAREF_DIR), "/");
		snprintf(ca, sizeof(ca), " (intermediate CA '%.*s')", (int)n,
		    name + sizeof(CAREF_DIR));
	}
	if ((r = strstr(name, REGIONS_DIR "/")) != NULL &&
	    (r == name || r[-1] == '/')) {
		r += sizeof(REGIONS_DIR);
		n = strcspn(r, "/");
		snprintf(part, sizeof(part), "%.*s", (int)n, r);
		if (region_dir_parse(part, &g) == 0)
			snprintf(where, sizeof(where), ", for %s%s%s", g.region,
			    g.account[0] ? " account " : "", g.account);
	}
	if (strcmp(base, CA_CERT) == 0 && ca[0])
		snprintf(out, len, "the issuing CA certificate%s, signed by "
		    "the root", ca);
	else if (strcmp(base, CA_CERT) == 0)
		snprintf(out, len, "the root CA certificate");
	else if (strcmp(base, CA_CHAIN) == 0)
		snprintf(out, len, "the issuing CA%s, then the root", ca);
	else if (strcmp(base, VER_CERT) == 0)
		snprintf(out, len, "proves to AWS that you hold the CA key%s%s",
		    ca, where);
	else if (strcmp(base, TEMPLATE_FILE) == 0)
		snprintf(out, len, "the JITP registration config%s%s", ca,
		    where);
	else if (strcmp(base, REGISTER_FILE) == 0)
		snprintf(out, len, "runs aws iot register-ca-certificate%s%s%s",
		    ca, where, memmem(e->data, e->len, REGISTER_SNI,
		    strlen(REGISTER_SNI)) ? " (SNI_ONLY mode)" : "");
	else if (strcmp(base, REGISTER_ALL) == 0)
		snprintf(out, len, "runs each region's register.sh in turn%s",
		    ca);
	else if (strcmp(base, REGIONS_FILE) == 0)
		snprintf(out, len, "where the CA is registered: REGION "
		    "ACCOUNT MODE%s", ca);
	else if (strcmp(base, TRANSCRIPT_FILE) == 0)
		snprintf(out, len, "the ceremony's hash-chained record");
	else if (strcmp(base, SIGN_PUB) == 0)
		snprintf(out, len, "the bundle-signing public key");
	else
		snprintf(out, len, "%s", base);
}

static int
cmp_ptr(const void *a, const void *c)
{
	return strcmp((*(const struct tar_member *const *)a)->name,
	    (*(const struct tar_member *const *)c)->name);
}

/* Appends to a malloc'd string; *s becomes NULL when out of memory. */
static void
cat(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add = NULL, *t = NULL;
	int r;

	if (*s == NULL)
		return;
	va_start(ap, fmt);
	r = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (r == -1 || asprintf(&t, "%s%s", *s, add) == -1)
		t = NULL;
	free(add);
	free(*s);
	*s = t;
}

/* README's list of files. */
static char *
readme_files(const struct bundle *b)
{
	const struct tar_member *v[BUNDLE_MAX];
	char desc[256], *s = strdup("Files\n");
	size_t i, w = 21;

	for (i = 0; i < b->n; i++) {
		v[i] = &b->m[i];
		if (strlen(v[i]->name) > w)
			w = strlen(v[i]->name);
	}
	qsort(v, b->n, sizeof(v[0]), cmp_ptr);
	for (i = 0; i < b->n; i++) {
		describe(v[i], desc, sizeof(desc));
		cat(&s, "  %-*s %s\n", (int)w, v[i]->name, desc);
	}
	cat(&s, "  %-*s %s\n  %-*s %s\n", (int)w, BUNDLE_MANIFEST,
	    "SHA-256 of every file (sha256sum)", (int)w, BUNDLE_SIG,
	    "minisign signature of MANIFEST");
	return s;
}

/* README's step 2: each CA's register script, and its registrations. */
static char *
readme_steps(const struct bundle *b)
{
	const struct bundle_ca *c;
	char label[96], dir[REGION_DIR_MAX], script[128];
	char *s = strdup("");
	size_t i, k;

	for (i = 0; i < b->cas->n; i++) {
		c = &b->cas->v[i];
		if (!c->registered)
			continue;
		if (c->name[0])
			snprintf(label, sizeof(label), "intermediate CA '%s'",
			    c->name);
		else
			snprintf(label, sizeof(label), "root CA");
		snprintf(script, sizeof(script), "%s%s", c->prefix,
		    c->multi ? REGISTER_ALL : REGISTER_FILE);
		cat(&s, "     sh %-32s # %s\n", script, label);
		for (k = 0; k < c->nregs; k++) {
			region_dir(&c->regs[k], dir, sizeof(dir));
			cat(&s, "       %-16s %-12s %s%s%s%s\n",
			    c->regs[k].region, c->regs[k].account[0] ?
			    c->regs[k].account : "-", region_mode(&c->regs[k]),
			    c->multi ? (c->regs[k].sni ? "  " : "   ") : "",
			    c->multi ? c->prefix : "", c->multi ? dir : "");
		}
	}
	return s;
}

char *
bundle_readme(const struct bundle *b)
{
	char when[32], *s = NULL, *files, *steps;
	time_t t = (time_t)b->mtime;
	struct tm tm;

	files = readme_files(b);
	steps = readme_steps(b);
	if (files == NULL || steps == NULL)
		goto out;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (asprintf(&s,
		"Ceremony bundle %s\n"
		"CA \"%s\", bundled %s by ceremony " CEREMONY_VERSION ".\n"
		"\n"
		"%s"
		"\n"
		"Check before use; each value must match the witnesses' paper\n"
		"record, not just this file:\n"
		"  signing key      %s (key id %s)\n"
		"  CA SHA-256       %s\n"
		"  transcript head  %s\n"
		"\n"
		"1. Verify and unpack (all checks at once):\n"
		"     ceremony import %s.tar.gz --pubkey %s\n"
		"   or, from QR codes:\n"
		"     zbarimg --raw -q qr/frame-*.png | ceremony import --qr - "
		"--pubkey %s\n"
		"   or by hand, in the unpacked folder:\n"
		"     minisign -Vm MANIFEST -P %s\n"
		"     sha256sum -c MANIFEST\n"
		"     openssl x509 -in deviceRootCA.pem -noout -fingerprint "
		"-sha256\n"
		"     ceremony transcript verify\n"
		"2. Register with AWS IoT (needs AWS credentials for each "
		"account):\n"
		"%s",
		b->name, b->cn, when, files, b->pub_b64, b->keyid,
		b->fp, b->head, b->name, b->pub_b64, b->pub_b64,
		b->pub_b64, steps) == -1)
		s = NULL;
out:
	free(files);
	free(steps);
	return s;
}
