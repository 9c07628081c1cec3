/* Issuing CAs: a CSR to certify, a CA fit to sign, names and subjects the
 * transcript already holds. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca/caref.h"
#include "ca/intermediate.h"
#include "ca/keyquality.h"
#include "ca/pki.h"
#include "core/transcript.h"
#include "core/util.h"

/* One request, PEM or DER, and nothing after it. */
static X509_REQ *
csr_decode(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf, *pem;
	X509_REQ *req = NULL;
	BIO *b;

	if (len == 0 || len > INTERMEDIATE_CSR_MAX)
		return NULL;
	if ((pem = memmem(buf, len, "-----BEGIN", 10)) == NULL) {
		req = d2i_X509_REQ(NULL, &p, (long)len);
		if (req != NULL && p != buf + len) {
			X509_REQ_free(req);
			req = NULL;
		}
		return req;
	}
	if (memmem(pem + 10, len - (size_t)(pem + 10 - buf), "-----BEGIN",
	    10) != NULL || (b = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return NULL;
	req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
	BIO_free(b);
	return req;
}

int
intermediate_csr_parse(const unsigned char *buf, size_t len,
    X509_REQ **req, char *desc, size_t desclen, char *err, size_t errlen)
{
	EVP_PKEY *pub;
	int rv = RC_CHECK;

	*req = NULL;
	snprintf(desc, desclen, "unknown");
	ERR_set_mark();
	if ((*req = csr_decode(buf, len)) == NULL) {
		errf(err, errlen, "not a certificate request (one PEM or DER "
		    "PKCS#10 CSR of at most %u bytes)", INTERMEDIATE_CSR_MAX);
		rv = RC_USAGE;
		goto fail;
	}
	if ((pub = X509_REQ_get0_pubkey(*req)) == NULL) {
		errf(err, errlen, "the CSR's public key does not parse");
		goto fail;
	}
	if (pki_key_check(pub, desc, desclen, err, errlen) == -1 ||
	    keyquality_check(pub, err, errlen) == -1)
		goto fail;
	if (X509_REQ_verify(*req, pub) != 1) {
		errf(err, errlen, "the CSR's signature does not verify with its "
		    "own key (no proof of possession)");
		goto fail;
	}
	ERR_pop_to_mark();
	return 0;
fail:
	X509_REQ_free(*req);
	*req = NULL;
	ERR_pop_to_mark();
	return rv;
}

static void
time_text(const ASN1_TIME *t, char out[21])
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm))
		utc_iso(timegm(&tm), out);
	else
		snprintf(out, 21, "?");
}

int
intermediate_usable(const X509 *cert, const X509 *root, char *err,
    size_t errlen)
{
	X509 *x = (X509 *)cert;
	uint32_t flags = X509_get_extension_flags(x);
	EVP_PKEY *rk = X509_get0_pubkey(root);
	char when[21];
	int ok;

	if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
		time_text(X509_get0_notBefore(x), when);
		return errf(err, errlen, "not yet valid (notBefore %s)", when);
	}
	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
		time_text(X509_get0_notAfter(x), when);
		return errf(err, errlen, "expired (notAfter %s); make a new "
		    "intermediate under another NAME", when);
	}
	if (!(flags & EXFLAG_BCONS) || !(flags & EXFLAG_CA))
		return errf(err, errlen, "not a CA certificate (no "
		    "basicConstraints CA:TRUE)");
	if (!(flags & EXFLAG_KUSAGE) ||
	    !(X509_get_key_usage(x) & KU_KEY_CERT_SIGN))
		return errf(err, errlen, "keyUsage lacks keyCertSign: it may "
		    "not sign certificates");
	ERR_set_mark();
	ok = X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(root)) == 0 && rk != NULL &&
	    X509_verify(x, rk) == 1;
	ERR_pop_to_mark();
	if (!ok)
		return errf(err, errlen, "not issued by the root CA in %s",
		    CA_CERT);
	if (X509_get_pathlen((X509 *)root) == 0)
		return errf(err, errlen, "the root's pathLenConstraint 0 allows "
		    "no CA under it: devices it signs would not verify");
	return 0;
}

json_t *
intermediate_recorded(const char *name)
{
	json_t *all = transcript_all(TRANSCRIPT_FILE, "intermediate"), *l;
	json_t *found = NULL;
	const char *n;
	size_t i;

	json_array_foreach(all, i, l) {
		n = json_string_value(json_object_get(json_object_get(l,
		    "args"), "name"));
		if (n != NULL && strcmp(n, name) == 0 && found == NULL)
			found = json_incref(l);
	}
	json_decref(all);
	return found;
}

/* The certificate a root or intermediate line wrote: its file's SHA-256. */
static const char *
line_cert(json_t *l)
{
	const char *name = json_string_value(json_object_get(json_object_get(
	    l, "args"), "name"));
	struct caref r;
	char err[64];

	if (caref_init(&r, name, err, sizeof(err)) == -1)
		return NULL;
	return json_string_value(json_object_get(json_object_get(l,
	    "outputs"), r.cert));
}

int
intermediate_subject_uses(const X509_NAME *subject)
{
	static const char *cmds[] = {"root", "intermediate", NULL};
	json_t *seen = json_object(), *all, *l;
	const char *s, *id;
	X509_NAME *n;
	char err[256];
	size_t i;
	int k, count = 0;

	if (seen == NULL)
		return -1;
	for (k = 0; cmds[k] != NULL; k++) {
		if ((all = transcript_all(TRANSCRIPT_FILE, cmds[k])) == NULL) {
			json_decref(seen);
			return -1;
		}
		json_array_foreach(all, i, l) {
			s = json_string_value(json_object_get(json_object_get(
			    l, "args"), "subject"));
			id = line_cert(l);
			if (s == NULL || id == NULL ||
			    json_object_get(seen, id) != NULL ||
			    (n = pki_subject_parse(s, err, sizeof(err))) ==
				NULL)
				continue;
			if (X509_NAME_cmp(n, subject) == 0 &&
			    json_object_set_new(seen, id, json_true()) == 0)
				count++;
			X509_NAME_free(n);
		}
		json_decref(all);
	}
	json_decref(seen);
	return count;
}
