/* A revocation bundle: one revocations/<id>/ folder of 'ceremony revoke'
 * carried to the online machine, signed like the CA bundle.
 *
 * A deterministic tar.gz with one top folder NAME holding exactly
 * revoke.sh (0755), revoked.txt, crl.pem, deviceRootCA.pem (the CA that
 * signed the CRL), ceremony.pub, README.txt, MANIFEST (sha256sum text of
 * the others, by name) and MANIFEST.minisig (its minisign signature, the
 * bundle's untrusted comment). Import takes revoke.sh only when every
 * line is one this tool writes: comments, set -eu, and the three aws iot
 * commands with hex ids and region names.
 */
#ifndef REVBUNDLE_H
#define REVBUNDLE_H

#include <stddef.h>

#include "bundle/bundle.h"
#include "core/secret.h"

#define REVB_SCRIPT "revoke.sh"
#define REVB_LIST "revoked.txt"
#define REVB_CRL "crl.pem"
#define REVB_NFILES 8
#define REVB_MAXCMDS 100000

/* What revoke.sh will do: its aws commands, in order. */
struct revb_script {
	char **cmd;            /* the command lines, malloc'd */
	size_t n;
	size_t revoke, deactivate, list; /* per kind */
};

/* Checks revoke.sh line by line (see above). 0, or -1 with err naming
 * the line. */
int revb_script_check(const char *text, size_t len, struct revb_script *s,
    char *err, size_t errlen);
void revb_script_free(struct revb_script *s);
/* Checks revoked.txt: a '# ' header, then per line CN, serial, id,
 * reason, time (tab-separated); fn (if not NULL) gets each serial and id
 * and returns 0 to go on. *n gets the count. 0, or -1 with err. */
int revb_list_check(const char *text, size_t len, size_t *n,
    int (*fn)(const char *serial, const char *id, void *arg), void *arg,
    char *err, size_t errlen);

/* The member set (names and modes), and MANIFEST's text over the members
 * but MANIFEST and its signature (sorted by name), malloc'd. */
extern const struct bundle_file revb_files[REVB_NFILES];
char *revb_manifest(const struct tar_member *m, size_t n);

/* What a checked bundle holds. */
struct revb_info {
	struct revb_script script;
	size_t certs;          /* lines of revoked.txt */
	long crl_number;
	char next_update[32];
	char ca_cn[129], ca_fp[96];
};
/* Every check of a revocation bundle read into l. 0, or -1 with a
 * message. info filled; free its script. */
int revb_verify(const struct tar_list *l, const struct sigkey *pin,
    struct revb_info *info);

/* ceremony bundle --revocations DIR: the archive bundle/NAME.tar.gz
 * (fmt bit 1) and QR frames (fmt bit 2, with q's options). The exit
 * status. */
int revb_bundle(const char *dir, const char *name, int fmt,
    struct bundle_qr *q, int force, struct pass_src *src);

/* import of a revocation bundle (one holding revoke.sh): every check,
 * then unpacked into out (NULL: its name), and what revoke.sh will do is
 * printed. The exit status. */
int revb_import(const struct tar_list *l, const struct sigkey *pin,
    const char *out, const char *shahex);

#endif
