/* Device CSR subjects against the AWS IoT rules and the template: the
 * attributes JITP reads, their bounds and text (no control or bidi
 * characters), the CN as a thing name and a file name. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "sign/csr.h"
#include "ca/pki.h"
#include "core/util.h"

int
csr_name_ok(const char *s)
{
	return s[0] != 0 && s[0] != '.' && strlen(s) <= 128 &&
	    str_only(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789._:-");
}

/* The subject attributes AWS IoT reads, with X.520 upper bounds. */
static const struct {
	int nid;
	const char *sn;
	int max;
} aws_attrs[] = {
	{NID_commonName, "CN", 64},
	{NID_countryName, "C", 2},
	{NID_organizationName, "O", 64},
	{NID_organizationalUnitName, "OU", 64},
	{NID_dnQualifier, "dnQualifier", 64},
	{NID_stateOrProvinceName, "ST", 128},
	{NID_serialNumber, "serialNumber", 64},
};
#define NATTRS (sizeof(aws_attrs) / sizeof(aws_attrs[0]))

/* A code point no copied attribute may hold: C0 and C1 controls and DEL
 * (1), bidi controls, which reorder what a reader sees (2); else 0. */
static int
cp_refused(unsigned long cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 1;
	if (cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 2;
	return 0;
}

/* The code points of UTF-8 text, or -1: not valid UTF-8 (*bad 0), or a
 * refused code point (*bad, *cls from cp_refused). */
static int
utf8_chars(const unsigned char *s, int len, unsigned long *bad, int *cls)
{
	unsigned long cp;
	int i = 0, k, j, n = 0;

	*bad = 0;
	*cls = 0;
	while (i < len) {
		if (s[i] < 0x80)
			cp = s[i], k = 0;
		else if ((s[i] & 0xe0) == 0xc0)
			cp = s[i] & 0x1f, k = 1;
		else if ((s[i] & 0xf0) == 0xe0)
			cp = s[i] & 0x0f, k = 2;
		else if ((s[i] & 0xf8) == 0xf0)
			cp = s[i] & 0x07, k = 3;
		else
			return -1;
		if (k > len - i - 1)
			return -1;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((*cls = cp_refused(cp)) != 0) {
			*bad = cp;
			return -1;
		}
		i += k + 1;
		n++;
	}
	return n;
}

static int
check_attrs(struct csr *c, char *err, size_t errlen)
{
	const X509_NAME_ENTRY *e;
	unsigned char *u = NULL;
	unsigned long bad;
	unsigned seen = 0;
	size_t a;
	int i, nid, ulen, chars, cls, rv = -1;
	char q[4 * 64 + 4];

	if ((c->copy = X509_NAME_new()) == NULL) {
		rv = errf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < X509_NAME_entry_count(c->subject); i++) {
		e = X509_NAME_get_entry(c->subject, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		for (a = 0; a < NATTRS && aws_attrs[a].nid != nid; a++)
			;
		if (a == NATTRS)
			continue; /* not read by AWS: not copied */
		if (seen & (1u << a)) {
			rv = errf(err, errlen, "subject has more than one %s; "
			    "JITP reads one", aws_attrs[a].sn);
			goto out;
		}
		seen |= 1u << a;
		ulen = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
		if (ulen < 0) {
			rv = errf(err, errlen, "subject %s is not a valid "
			    "string", aws_attrs[a].sn);
			goto out;
		}
		if ((chars = utf8_chars(u, ulen, &bad, &cls)) < 0) {
			if (bad == 0 && cls == 0)
				rv = errf(err, errlen, "subject %s is not valid "
				    "UTF-8", aws_attrs[a].sn);
			else
				rv = errf(err, errlen, "subject %s holds the %s "
				    "character U+%04lX; copied attributes must "
				    "be text without control characters",
				    aws_attrs[a].sn, cls == 2 ? "bidirectional "
				    "control" : "control", bad);
			goto out;
		}
		if (chars == 0) {
			rv = errf(err, errlen, "subject %s is empty",
			    aws_attrs[a].sn);
			goto out;
		}
		if (nid == NID_commonName)
			snprintf(c->cn, sizeof(c->cn), "%.*s", ulen, u);
		if (nid == NID_countryName && (ulen != 2 || u[0] < 'A' ||
		    u[0] > 'Z' || u[1] < 'A' || u[1] > 'Z')) {
			rv = errf(err, errlen, "subject C '%s' is not a "
			    "two-letter country code (ISO 3166, upper case, "
			    "e.g. US)", str_safe((char *)u, (size_t)ulen, q,
				sizeof(q)));
			goto out;
		}
		if (chars > aws_attrs[a].max) {
			rv = errf(err, errlen, "subject %s has %d characters; "
			    "X.509 allows at most %d", aws_attrs[a].sn, chars,
			    aws_attrs[a].max);
			goto out;
		}
		/* re-encoded from UTF-8, so the certificate holds valid
		 * strings whatever string type the CSR claimed */
		if (!X509_NAME_add_entry_by_NID(c->copy, nid, MBSTRING_UTF8, u,
			ulen, -1, 0)) {
			ERR_clear_error();
			rv = errf(err, errlen, "subject %s '%s' has "
			    "characters its string type does not allow",
			    aws_attrs[a].sn, str_safe((char *)u, (size_t)ulen,
				q, sizeof(q)));
			goto out;
		}
		OPENSSL_free(u);
		u = NULL;
	}
	rv = 0;
out:
	OPENSSL_free(u);
	return rv;
}

int
csr_check(struct csr *c, const struct template_info *t, char *err,
    size_t errlen)
{
	char missing[512] = "", q[4 * sizeof(c->cn)];
	size_t used = 0, n;
	int b;

	X509_NAME_free(c->copy);
	c->copy = NULL;
	c->cn[0] = 0;
	if (check_attrs(c, err, errlen) == -1)
		return -1;
	for (b = 1; b < TP_ID; b <<= 1) {
		if (!(t->params & (unsigned)b) ||
		    X509_NAME_get_index_by_NID(c->copy, template_param_nid(b),
			-1) >= 0)
			continue;
		used += (size_t)snprintf(missing + used, sizeof(missing) - used,
		    "%sAWS::IoT::Certificate::%s (%s)", used ? ", " : "",
		    template_param_name(b), OBJ_nid2sn(template_param_nid(b)));
		if (used >= sizeof(missing))
			used = sizeof(missing) - 1;
	}
	if (missing[0] != 0)
		return errf(err, errlen, "subject lacks %s, which the template "
		    "declares; provisioning would fail at AWS", missing);
	if (c->cn[0] == 0)
		return errf(err, errlen, "subject has no CN (CommonName); it "
		    "names the device and its files");
	str_safe(c->cn, (size_t)-1, q, sizeof(q));
	if (t->thing_from_cn && !template_thing_name_ok(c->cn))
		return errf(err, errlen, "CN '%s' is not a valid thing name "
		    "(1-128 of [a-zA-Z0-9:_-]); the template makes the CN the "
		    "thing name", q);
	if (!csr_name_ok(c->cn))
		return errf(err, errlen, "CN '%s' cannot name the output files "
		    "(use letters, digits and . _ : -, not starting with '.')",
		    q);
	n = strlen(c->cn);
	if (n >= 6 && strcmp(c->cn + n - 6, "-chain") == 0)
		return errf(err, errlen, "CN '%s' ends in '-chain': its "
		    "certificate file would be the chain file of the device "
		    "named '%.*s'", q, (int)(n - 6), c->cn);
	return 0;
}
