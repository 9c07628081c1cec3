/* The signed bundle from the ceremony folder: files, README.txt, MANIFEST,
 * its signature and the archive. */
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

int
bundle_time(uint64_t *t)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	unsigned char *text;
	char *p;
	size_t len;
	struct tm tm;
	json_t *j;
	const char *s;
	int rv = -1;

	if (env != NULL) {
		if (*env == 0 || strlen(env) > 11 ||
		    !str_only(env, "0123456789") ||
		    strtoull(env, NULL, 10) > 077777777777ULL) {
			warnf("SOURCE_DATE_EPOCH='%s' is not a count of "
			      "seconds since 1970 (at most 11 octal digits)",
			    env);
			return -1;
		}
		*t = strtoull(env, NULL, 10);
		return 0;
	}
	if (file_read(TRANSCRIPT_FILE, &text, &len, 64u << 20) == -1)
		return -1;
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = 0;
	p = strrchr((char *)text, '\n');
	p = p != NULL ? p + 1 : (char *)text;
	j = json_loads(p, 0, NULL);
	s = json_string_value(json_object_get(j, "time"));
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (p = strptime(s, UTC_ISO_FMT, &tm)) == NULL ||
	    *p != 0 || timegm(&tm) < 0)
		warnf("%s: the last line has no time; set SOURCE_DATE_EPOCH",
		    TRANSCRIPT_FILE);
	else {
		*t = (uint64_t)timegm(&tm);
		rv = 0;
	}
	json_decref(j);
	free(text);
	return rv;
}

/* Takes data (malloc'd); the mode is the layout's. */
static int
add_member(struct bundle *b, const char *name, void *data, size_t len)
{
	const struct bundle_file *f = bundle_file_find(name);

	if (b->n == BUNDLE_MAX || f == NULL ||
	    (b->names[b->n] = strdup(name)) == NULL) {
		warnf("%s: cannot add it to the bundle (%s)", name,
		    f == NULL ? "not a bundle file" : "too many files");
		free(data);
		return -1;
	}
	b->data[b->n] = data;
	b->m[b->n].name = b->names[b->n];
	b->m[b->n].data = data;
	b->m[b->n].len = len;
	b->m[b->n].mode = f->mode;
	b->n++;
	return 0;
}

/* Reads prefix+file into the bundle; a missing one is an error. */
static int
add_file(struct bundle *b, const char *prefix, const char *file)
{
	char path[TAR_PATH_MAX + 1];
	unsigned char *data;
	size_t len;

	snprintf(path, sizeof(path), "%s%s", prefix, file);
	if (!file_exists(path)) {
		warnf("%s is missing; run the ceremony step that makes it "
		      "first", path);
		return -1;
	}
	if (file_read(path, &data, &len, 4u << 20) == -1)
		return -1;
	return add_member(b, path, data, len);
}

static int
has(const char *prefix, const char *file)
{
	char path[TAR_PATH_MAX + 1];

	snprintf(path, sizeof(path), "%s%s", prefix, file);
	return file_exists(path);
}

/* A CA's public files (prefix "" or intermediate/NAME/): its certificate
 * (and chain), and what its registrations send. *reg: it has some. */
static int
read_ca(struct bundle *b, const char *prefix, int *reg)
{
	struct region_reg v[REGIONS_MAX];
	char path[TAR_PATH_MAX + 1], dir[REGION_DIR_MAX + 2], err[256];
	unsigned char *text;
	size_t len, n, i;
	int rv;

	if (add_file(b, prefix, CA_CERT) == -1 ||
	    (prefix[0] && add_file(b, prefix, CA_CHAIN) == -1))
		return -1;
	if (has(prefix, REGISTER_ALL) && has(prefix, REGISTER_FILE)) {
		warnf("%s%s and %s%s: one CA, two layouts; run 'ceremony "
		      "template --force' again", prefix, REGISTER_FILE, prefix,
		    REGISTER_ALL);
		return -1;
	}
	if (has(prefix, REGISTER_ALL)) {
		snprintf(path, sizeof(path), "%s" REGIONS_FILE, prefix);
		if (file_read(path, &text, &len, 1u << 20) == -1)
			return -1;
		rv = regions_parse((char *)text, len, v, REGIONS_MAX, &n, err,
		    sizeof(err));
		free(text);
		if (rv == -1) {
			warnf("%s: %s", path, err);
			return -1;
		}
		if (add_file(b, prefix, REGIONS_FILE) == -1 ||
		    add_file(b, prefix, REGISTER_ALL) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			region_dir(&v[i], dir, sizeof(dir) - 1);
			strcat(dir, "/");
			snprintf(path, sizeof(path), "%s%s", prefix, dir);
			if (add_file(b, path, TEMPLATE_FILE) == -1 ||
			    add_file(b, path, REGISTER_FILE) == -1 ||
			    (!v[i].sni && add_file(b, path, VER_CERT) == -1))
				return -1;
		}
		*reg = 1;
		return 0;
	}
	if (!has(prefix, REGISTER_FILE))
		return 0;
	if (add_file(b, prefix, TEMPLATE_FILE) == -1 ||
	    add_file(b, prefix, REGISTER_FILE) == -1)
		return -1;
	if (strstr((const char *)b->data[b->n - 1], REGISTER_SNI) == NULL) {
		if (add_file(b, prefix, VER_CERT) == -1)
			return -1;
	} else if (prefix[0] == 0)
		b->sni = 1;
	if (has(prefix, REGIONS_FILE) && add_file(b, prefix, REGIONS_FILE))
		return -1;
	*reg = 1;
	return 0;
}

int
bundle_read(struct bundle *b)
{
	char **names = NULL, prefix[96], err[256] = "";
	size_t n = 0, i;
	int reg = 0, rv = -1;

	if (add_file(b, "", TRANSCRIPT_FILE) == -1 ||
	    add_file(b, "", SIGN_PUB) == -1)
		return -1;
	if (b->only != NULL) {
		struct caref r;

		if (caref_open(&r, b->only, err, sizeof(err)) == 0 &&
		    r.name[0] == 0)
			snprintf(err, sizeof(err), "give an intermediate CA's "
			    "name (without --ca: every CA)");
		else if (err[0] == 0 &&
		    ((names = calloc(1, sizeof(*names))) == NULL ||
		     (names[0] = strdup(r.name)) == NULL))
			snprintf(err, sizeof(err), "out of memory");
		if (err[0]) {
			warnf("--ca: %s", err);
			free(names);
			return -1;
		}
		n = 1;
		if (add_file(b, "", CA_CERT) == -1)
			goto out;
	} else if (read_ca(b, "", &reg) == -1 ||
	    caref_list(&names, &n, err, sizeof(err)) == -1) {
		if (names == NULL && n == 0 && err[0])
			warnf("%s", err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), CAREF_DIR "/%s/", names[i]);
		if (read_ca(b, prefix, &reg) == -1)
			goto out;
	}
	if (!reg) {
		warnf("%s is missing; run 'ceremony template' first (no CA "
		      "of this ceremony has a register script)", REGISTER_FILE);
		goto out;
	}
	rv = 0;
out:
	caref_list_free(names, n);
	return rv;
}

int
bundle_check(struct bundle *b)
{
	struct template_info ti = {0};
	struct sigkey pub;
	char err[512];
	size_t i;
	int rv = -1;

	if (bundle_content_check(b->m, b->n, &b->cas, b->fp, b->cn) == -1)
		goto out;
	for (i = 0; i < b->n; i++) {
		if (strcmp(strrchr(b->m[i].name, '/') ? strrchr(b->m[i].name,
		    '/') + 1 : b->m[i].name, TEMPLATE_FILE) != 0)
			continue;
		template_info_free(&ti);
		if (template_load(b->m[i].name, &ti, err, sizeof(err)) == -1) {
			warnf("%s: %s", b->m[i].name, err);
			goto out;
		}
	}
	if (sigkey_load_public(SIGN_PUB, &pub) == -1)
		goto out;
	sigkey_public_b64(&pub, b->pub_b64);
	minisig_keyid(pub.keynum, b->keyid);
	if (transcript_verify(TRANSCRIPT_FILE, 1, b->head) != 0) {
		warnf("%s does not verify; run 'ceremony transcript verify' "
		      "and fix it before bundling",
		    TRANSCRIPT_FILE);
		goto out;
	}
	rv = 0;
out:
	template_info_free(&ti);
	return rv;
}

static int
cmp_name(const void *a, const void *c)
{
	return strcmp(((const struct tar_member *)a)->name,
	    ((const struct tar_member *)c)->name);
}

/* MANIFEST over every member so far, in byte order of the names. */
static char *
manifest(struct bundle *b)
{
	char *s, hex[65];
	size_t i, off = 0, cap = b->n * (64 + 2 + TAR_PATH_MAX + 1) + 1;

	qsort(b->m, b->n, sizeof(b->m[0]), cmp_name);
	if ((s = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < b->n; i++) {
		sha256_hex(b->m[i].data, b->m[i].len, hex);
		off += (size_t)snprintf(s + off, cap - off, "%s  %s\n", hex,
		    b->m[i].name);
	}
	return s;
}

int
bundle_seal(struct bundle *b, const struct sigkey *k)
{
	char *rd, *man = NULL, *sig = NULL, err[512];
	char trusted[512], untrusted[128];
	size_t siglen;
	int c, rv = -1;

	if ((rd = bundle_readme(b)) == NULL || add_member(b, BUNDLE_README, rd,
		strlen(rd)) == -1)
		return -1;
	if ((man = manifest(b)) == NULL)
		goto out;
	snprintf(untrusted, sizeof(untrusted), MINISIG_BUNDLE_COMMENT,
	    b->keyid);
	snprintf(trusted, sizeof(trusted),
	    "timestamp:%llu\tfile:MANIFEST\tbundle:%s\tceremony:%s\thashed",
	    (unsigned long long)b->mtime, b->name, b->cn);
	if (minisig_sign(k, (unsigned char *)man, strlen(man), untrusted,
		trusted, &sig, &siglen) == -1)
		goto out;
	c = add_member(b, BUNDLE_MANIFEST, man, strlen(man));
	man = NULL;
	if (c == -1 || add_member(b, BUNDLE_SIG, sig, siglen) == -1) {
		sig = NULL;
		goto out;
	}
	sig = NULL;
	if (tar_write(b->name, b->m, b->n, b->mtime, &b->gz, &b->gzlen, err,
		sizeof(err)) == -1) {
		warnf(BUNDLE_DIR "/%s.tar.gz: %s", b->name, err);
		goto out;
	}
	sha256_hex(b->gz, b->gzlen, b->sha);
	rv = 0;
out:
	free(man);
	free(sig);
	return rv;
}

int
bundle_self_check(const struct bundle *b, const struct sigkey *pub)
{
	struct tar_list l;
	const struct tar_entry *e;
	struct minisig s;
	char err[512], q[4 * 512 + 1];
	size_t i;
	int rv = -1;

	if (tar_read(b->gz, b->gzlen, &bundle_limits, &l, err,
		sizeof(err)) == -1) {
		warnf("self-check: the archive does not read back: %s",
		    str_safe(err, (size_t)-1, q, sizeof(q)));
		return -1;
	}
	for (i = 0; i < b->n; i++) {
		e = tar_list_find(&l, b->m[i].name);
		if (e == NULL || e->len != b->m[i].len ||
		    e->mode != b->m[i].mode ||
		    memcmp(e->data, b->m[i].data, e->len) != 0) {
			warnf("self-check: %s differs in the archive",
			    b->m[i].name);
			goto out;
		}
	}
	if (l.n != b->n || strcmp(l.top, b->name) != 0 ||
	    bundle_sig_check(&l, pub, &s, err, sizeof(err)) == -1) {
		warnf("self-check: the archive's signature does not verify");
		goto out;
	}
	rv = 0;
out:
	tar_list_free(&l);
	return rv;
}

void
bundle_free(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->data[i]);
		free(b->names[i]);
	}
	bundle_cas_free(b->cas);
	free(b->gz);
	memset(b, 0, sizeof(*b));
}
