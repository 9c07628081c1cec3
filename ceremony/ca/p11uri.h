/* RFC 7512 PKCS#11 URIs naming the CA key in a token. */
#ifndef P11URI_H
#define P11URI_H

#include <stddef.h>

#define P11URI_MAX 4096 /* longest URI accepted */

struct p11uri {
	char token[33];         /* token label (required), <= 32 bytes */
	char object[256];       /* key label (required) */
	char serial[17];        /* token serial, "" if not given */
	char manufacturer[33];  /* token manufacturer, "" if not given */
	char model[17];         /* token model, "" if not given */
	unsigned char id[64];   /* CKA_ID, idlen 0 if not given */
	size_t idlen;
	char module[P11URI_MAX]; /* module-path, "" if not given */
};

/* Parses s strictly: scheme "pkcs11:", path attributes token, object, id,
 * serial, manufacturer, model, type (only "private"), library-*, slot-*
 * (ignored); query module-path, module-name (ignored). pin-value and
 * pin-source are refused (a PIN never lives in a URI), so are unknown
 * or repeated attributes, bad percent-escapes, NUL bytes and values too
 * long for the token's fields. 0, or -1 with err. */
int p11uri_parse(const char *s, struct p11uri *u, char *err, size_t errlen);

/* The URI to write down (deviceRootCA.uri): token, object, id (if any),
 * and module-path (if any), percent-encoded. 0, or -1 if out is short. */
int p11uri_format(const struct p11uri *u, char *out, size_t outlen);

#endif
