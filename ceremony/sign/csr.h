/* Device CSRs: reading them from files, parsing them strictly, and the
 * checks AWS IoT JITP would make on the certificate issued from them. */
#ifndef CSR_H
#define CSR_H

#include <stddef.h>
#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/template.h"

#define CSR_MAX (64u << 10) /* one CSR: DER bytes or PEM block text */

struct csr {
	EVP_PKEY *key;         /* the device public key */
	X509_NAME *subject;    /* as in the CSR */
	X509_NAME *copy;       /* csr_check: only the attributes AWS reads */
	char keydesc[32];      /* "RSA-2048", "EC P-256" */
	char cn[129];          /* csr_check: the Common Name */
	unsigned char key_sha256[32]; /* of the SubjectPublicKeyInfo DER */
	unsigned char *spki;   /* that DER, as the certificate carries it */
	size_t spkilen;
};

/* Parses one DER CSR and verifies its own signature (proof of possession).
 * 0, or -1 with the reason in err. */
int csr_parse(const unsigned char *der, size_t len, struct csr *c,
    char *err, size_t errlen);
/* The key AWS accepts, the subject attributes the template reads, the thing
 * name, the CN as a file name. Fills c->copy and c->cn. 0 or -1 with err. */
int csr_check(struct csr *c, const struct template_info *t, char *err,
    size_t errlen);
void csr_free(struct csr *c);

/* CN usable as an output file name: [A-Za-z0-9._:-], not starting '.'. */
int csr_name_ok(const char *s);

/* Streams the CSRs of one input: a DER file (one CSR) or PEM text (any
 * number of CERTIFICATE REQUEST blocks). */
struct csr_in {
	FILE *f;
	char *name;   /* the path ("stdin" for "-"), quoted (str_safe) */
	const char *notfile; /* not a regular file (what it is): not read */
	int der;      /* input is one DER CSR */
	int borrowed; /* f belongs to the caller */
	int done;
	int pending;  /* next[] holds a BEGIN type met inside a block */
	char type[64], next[64];
	unsigned n;   /* CSRs returned so far */
	unsigned long line;
};

/* Opens path ("-" names stdin), or reads f when not NULL (not closed).
 * A path that is not a regular file is not opened (never through a
 * symbolic link, never blocking on a FIFO): the input then yields one bad
 * item saying what it is. 0, or -1 with a message (cannot open). */
int csr_in_open(struct csr_in *in, const char *path, FILE *f);
/* 1: a CSR in *der (malloc'd) and its label ("file", "file#3"); 0: end of
 * input; RC_CHECK: a bad item (label and err set, reading may go on);
 * RC_ERR: read error (err set). */
int csr_in_next(struct csr_in *in, unsigned char **der, size_t *len,
    char *label, size_t labellen, char *err, size_t errlen);
void csr_in_close(struct csr_in *in);

#endif
