/* The root or an intermediate CA, by name: where its files are. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ca/cakey.h"
#include "ca/caref.h"
#include "ca/pki.h"
#include "core/util.h"

int
caref_name_check(const char *name, char *err, size_t errlen)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > CAREF_NAME_MAX)
		return errf(err, errlen, "CA name '%.80s': use 1 to %d "
		    "characters", name, CAREF_NAME_MAX);
	for (i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '-' && c != '_')))
			return errf(err, errlen, "CA name '%.80s': use "
			    "lower-case letters, digits, '-' and '_', "
			    "starting with a letter or digit", name);
	}
	return 0;
}

int
caref_path(const struct caref *r, const char *file, char *out,
    size_t outlen)
{
	int n = r->name[0] == 0 ? snprintf(out, outlen, "%s", file) :
	    snprintf(out, outlen, "%s/%s", r->dir, file);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
caref_init(struct caref *r, const char *name, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (name == NULL || name[0] == 0) {
		snprintf(r->dir, sizeof(r->dir), ".");
	} else {
		if (caref_name_check(name, err, errlen) == -1)
			return -1;
		snprintf(r->name, sizeof(r->name), "%s", name);
		snprintf(r->dir, sizeof(r->dir), "%s/%s", CAREF_DIR, name);
		if (caref_path(r, CA_CHAIN, r->chain, sizeof(r->chain)) == -1)
			return errf(err, errlen, "CA name too long");
	}
	if (caref_path(r, CA_CERT, r->cert, sizeof(r->cert)) == -1 ||
	    caref_path(r, CA_KEY, r->key, sizeof(r->key)) == -1 ||
	    caref_path(r, CA_URI, r->uri, sizeof(r->uri)) == -1)
		return errf(err, errlen, "CA name too long");
	return 0;
}

int
caref_open(struct caref *r, const char *name, char *err, size_t errlen)
{
	struct stat st;

	if (caref_init(r, name, err, errlen) == -1)
		return -1;
	if (stat(r->cert, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	if (r->name[0] == 0)
		return errf(err, errlen, "%s: missing; run 'ceremony root' "
		    "first", r->cert);
	return errf(err, errlen, "no intermediate CA '%s' (%s is missing); "
	    "'ceremony intermediate %s' makes it", r->name, r->cert, r->name);
}

const char *
caref_label(const struct caref *r, char *buf, size_t buflen)
{
	if (r->name[0] == 0)
		snprintf(buf, buflen, "root CA");
	else
		snprintf(buf, buflen, "intermediate CA '%s'", r->name);
	return buf;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
caref_list_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

int
caref_list(char ***names, size_t *n, char *err, size_t errlen)
{
	struct caref r;
	struct dirent *d;
	struct stat st;
	char **v = NULL, **nv, e2[64];
	size_t cap = 0;
	DIR *dir;

	*names = NULL;
	*n = 0;
	if ((dir = opendir(CAREF_DIR)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return errf(err, errlen, "%s: %s", CAREF_DIR, strerror(errno));
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.' ||
		    caref_init(&r, d->d_name, e2, sizeof(e2)) == -1 ||
		    stat(r.cert, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[*n] = strdup(d->d_name)) == NULL)
			goto fail;
		(*n)++;
	}
	closedir(dir);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_names);
	*names = v;
	return 0;
fail:
	closedir(dir);
	caref_list_free(v, *n);
	*n = 0;
	return errf(err, errlen, "out of memory");
}
