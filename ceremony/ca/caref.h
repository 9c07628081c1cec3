/* Which CA a command works against: the root (files at the top of the
 * ceremony directory) or an issuing CA made by `ceremony intermediate
 * NAME`, whose files live in intermediate/NAME/ under the same names
 * (deviceRootCA.pem there is the issuing CA's certificate), plus
 * chain.pem (issuing CA, then root). Commands taking --ca NAME resolve it
 * here and use the paths; nothing else spells the layout. */
#ifndef CAREF_H
#define CAREF_H

#include <stddef.h>

#define CAREF_NAME_MAX 64
#define CAREF_DIR "intermediate"
#define CA_CHAIN "chain.pem"
#define CAREF_PATH_MAX (sizeof(CAREF_DIR) + CAREF_NAME_MAX + 64)

struct caref {
	char name[CAREF_NAME_MAX + 1]; /* "" for the root */
	char dir[CAREF_PATH_MAX];      /* "." or intermediate/NAME */
	char cert[CAREF_PATH_MAX];     /* dir/deviceRootCA.pem */
	char key[CAREF_PATH_MAX];      /* dir/deviceRootCA.key */
	char uri[CAREF_PATH_MAX];      /* dir/deviceRootCA.uri */
	char chain[CAREF_PATH_MAX];    /* dir/chain.pem; "" for the root */
};

/* A NAME is 1-64 of [a-z0-9_-], starting with a letter or digit (it
 * becomes a folder name and part of AWS resource names). 0, or -1 with
 * err. */
int caref_name_check(const char *name, char *err, size_t errlen);
/* Fills r for name (NULL or "" = the root) without touching the disk.
 * 0, or -1 with err (a bad NAME). */
int caref_init(struct caref *r, const char *name, char *err,
    size_t errlen);
/* As caref_init, and the CA must exist (its certificate is present):
 * "no intermediate CA 'x' (intermediate/x/deviceRootCA.pem is missing)".
 * 0, or -1 with err. */
int caref_open(struct caref *r, const char *name, char *err,
    size_t errlen);
/* out = r->dir "/" file ("file" alone for the root). -1 if too long. */
int caref_path(const struct caref *r, const char *file, char *out,
    size_t outlen);
/* "root CA" or "intermediate CA 'NAME'", for messages. */
const char *caref_label(const struct caref *r, char *buf, size_t buflen);
/* The names of the intermediates present (folders of intermediate/ that
 * hold a certificate), sorted, malloc'd (free each and the array). 0 (and
 * *n = 0 when there are none), or -1 with err. */
int caref_list(char ***names, size_t *n, char *err, size_t errlen);
void caref_list_free(char **names, size_t n);

#endif
