/* The lint of a certificate made from the template: the template itself
 * passes pki_lint once (the caller lints the first certificate of each
 * kind in full); here every certificate is parsed in full from its DER,
 * its constant parts compared with the template's bytes and its variable
 * fields checked as pki_lint checks them, then its signature verified
 * with the issuer's key over the bytes parsed. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "ca/tbs.h"
#include "core/util.h"

/* An element whose whole encoding (tag and length too) must be want. */
static int
same(const unsigned char **p, const unsigned char *end,
    const unsigned char *want, size_t len)
{
	if ((size_t)(end - *p) < len || memcmp(*p, want, len) != 0)
		return -1;
	*p += len;
	return 0;
}

static int
digits(const unsigned char *s, int n, int *v)
{
	int i;

	for (*v = 0, i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* A Time as RFC 5280 wants it: UTCTime (YYMMDDHHMMSSZ) through 2049,
 * GeneralizedTime (YYYYMMDDHHMMSSZ) from 2050. */
static int
get_time(const unsigned char **p, const unsigned char *end, time_t *t)
{
	const unsigned char *v;
	size_t n;
	struct tm tm;
	int y, utc = *p < end && **p == 0x17;

	if (tbs_tlv(p, end, utc ? 0x17 : 0x18, &v, &n) == -1 ||
	    n != (utc ? 13u : 15u) || v[n - 1] != 'Z')
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (digits(v, utc ? 2 : 4, &y) == -1)
		return -1;
	v += utc ? 2 : 4;
	if (utc)
		y += y < 50 ? 2000 : 1900;
	else if (y < 2050)
		return -1;
	if (digits(v, 2, &tm.tm_mon) == -1 || digits(v + 2, 2,
	    &tm.tm_mday) == -1 || digits(v + 4, 2, &tm.tm_hour) == -1 ||
	    digits(v + 6, 2, &tm.tm_min) == -1 || digits(v + 8, 2,
	    &tm.tm_sec) == -1 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	return 0;
}

/* Name ::= SEQUENCE OF SET OF SEQUENCE { OID, value }: at least one. */
static int
get_name(const unsigned char *v, size_t n)
{
	const unsigned char *p = v, *end = v + n, *set, *a, *atv, *x, *w;
	size_t setl, atvl, wl, count = 0;

	while (p < end) {
		if (tbs_tlv(&p, end, 0x31, &set, &setl) == -1 || setl == 0)
			return -1;
		for (a = set; a < set + setl; count++) {
			if (tbs_tlv(&a, set + setl, 0x30, &atv, &atvl) == -1)
				return -1;
			x = atv;
			if (tbs_tlv(&x, atv + atvl, 0x06, &w, &wl) == -1 ||
			    wl == 0 || x >= atv + atvl ||
			    tbs_tlv(&x, atv + atvl, *x, &w, &wl) == -1 ||
			    x != atv + atvl)
				return -1;
		}
	}
	return count > 0 ? 0 : -1;
}

/* The serial as pki_lint wants it: positive, in its shortest form, 8 to
 * 20 octets. */
static int
serial_ok(const unsigned char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 20 || (v[0] & 0x80) ||
	    (n > 1 && v[0] == 0 && !(v[1] & 0x80)))
		return -1;
	for (i = 0; i < n && v[i] == 0; i++)
		;
	return n - i >= 8 ? 0 : -1;
}

static int
verify(struct tbs_signer *s, const unsigned char *tbs, size_t tbslen,
    const unsigned char *sig, size_t siglen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen;
	int ok;

	if (tbs_digest(s->t, tbs, tbslen, md, &mdlen) == -1)
		return -1;
	ok = EVP_PKEY_verify(s->verify, sig, siglen, md, mdlen) == 1;
	ERR_clear_error();
	return ok ? 0 : -1;
}

int
tbs_check(struct tbs_signer *s, const struct tbs_fields *f,
    const unsigned char *der, size_t len, time_t now, char *err,
    size_t errlen)
{
	static const unsigned char v3[] = {0xa0, 0x03, 0x02, 0x01, 0x02};
	static const unsigned char ski_oid[] = {0x06, 0x03, 0x55, 0x1d, 0x0e};
	const struct tbs_tmpl *t = s->t;
	const unsigned char *p = der, *end = der + len, *c, *tb, *tbs, *v,
	    *bits, *e, *x, *xe, *o, *oe;
	unsigned char ski[20];
	size_t cl, tbl, tbslen, vl, bl, el, xl, ol;
	time_t nb, na;
	int k = f->kind == TBS_RSA ? TBS_RSA : TBS_EC;

	/* Certificate */
	if (tbs_tlv(&p, end, 0x30, &c, &cl) == -1 || p != end)
		return errf(err, errlen, "certificate is not one DER element");
	p = c;
	end = c + cl;
	tbs = p;
	if (tbs_tlv(&p, end, 0x30, &tb, &tbl) == -1)
		return errf(err, errlen, "no TBSCertificate");
	tbslen = (size_t)(p - tbs);
	if (same(&p, end, t->sigalg, t->sigalglen) == -1)
		return errf(err, errlen, "signature algorithm is not the "
		    "template's");
	if (tbs_tlv(&p, end, 0x03, &bits, &bl) == -1 || p != end || bl < 2 ||
	    bits[0] != 0)
		return errf(err, errlen, "signature is not a whole BIT STRING");
	/* TBSCertificate */
	p = tb;
	end = tb + tbl;
	if (same(&p, end, v3, sizeof(v3)) == -1)
		return errf(err, errlen, "not an X.509 v3 certificate");
	if (tbs_tlv(&p, end, 0x02, &v, &vl) == -1 || serial_ok(v, vl) == -1)
		return errf(err, errlen, "serial number is not a positive "
		    "integer of 8 to 20 octets");
	if (vl != TBS_SERIAL || memcmp(v, f->serial, TBS_SERIAL) != 0)
		return errf(err, errlen, "serial number is not the one drawn");
	if (same(&p, end, t->sigalg, t->sigalglen) == -1)
		return errf(err, errlen, "signature algorithm is not the "
		    "template's");
	if (same(&p, end, t->issuer, t->issuerlen) == -1)
		return errf(err, errlen, "issuer name does not match the "
		    "issuer's subject");
	if (tbs_tlv(&p, end, 0x30, &v, &vl) == -1)
		return errf(err, errlen, "no validity");
	x = v;
	if (get_time(&x, v + vl, &nb) == -1 || get_time(&x, v + vl, &na) ==
	    -1 || x != v + vl)
		return errf(err, errlen, "validity is not two DER times");
	if (nb >= na)
		return errf(err, errlen, "notBefore is not before notAfter");
	if (na <= now)
		return errf(err, errlen, "certificate has expired");
	if (nb < t->ca_nb)
		return errf(err, errlen, "validity starts before the issuer's");
	if (na > t->ca_na)
		return errf(err, errlen, "validity ends after the issuer's "
		    "notAfter");
	if (nb != f->t || na != f->t + (time_t)t->days * 86400)
		return errf(err, errlen, "validity is not the one asked for");
	x = p;
	if (tbs_tlv(&p, end, 0x30, &v, &vl) == -1 || get_name(v, vl) == -1)
		return errf(err, errlen, "empty subject");
	if ((size_t)(p - x) != f->subjectlen ||
	    memcmp(x, f->subject, f->subjectlen) != 0)
		return errf(err, errlen, "subject is not the CSR's");
	x = p;
	if (tbs_tlv(&p, end, 0x30, &v, &vl) == -1 ||
	    (size_t)(p - x) != f->spkilen ||
	    memcmp(x, f->spki, f->spkilen) != 0 ||
	    tbs_ski(t, x, f->spkilen, ski) == -1)
		return errf(err, errlen, "public key is not the CSR's");
	/* [3] { Extensions }: the template's, the SKI, the AKI; no more */
	if (tbs_tlv(&p, end, 0xa3, &v, &vl) == -1 || p != end)
		return errf(err, errlen, "no extensions, or bytes after them");
	x = v;
	if (tbs_tlv(&x, v + vl, 0x30, &e, &el) == -1 || x != v + vl)
		return errf(err, errlen, "extensions are not one SEQUENCE");
	p = e;
	end = e + el;
	if (same(&p, end, t->ext[k], t->extlen[k]) == -1)
		return errf(err, errlen, "basicConstraints, keyUsage or "
		    "extendedKeyUsage is not the template's");
	if (tbs_tlv(&p, end, 0x30, &x, &xl) == -1)
		return errf(err, errlen, "no subjectKeyIdentifier");
	xe = x + xl;
	if (same(&x, xe, ski_oid, sizeof(ski_oid)) == -1 ||
	    tbs_tlv(&x, xe, 0x04, &o, &ol) == -1 || x != xe ||
	    (oe = o + ol, tbs_tlv(&o, oe, 0x04, &v, &vl)) == -1 || o != oe ||
	    vl != 20 || memcmp(v, ski, 20) != 0)
		return errf(err, errlen, "subjectKeyIdentifier is not the "
		    "SHA-1 of the key");
	if (same(&p, end, t->aki, t->akilen) == -1 || p != end)
		return errf(err, errlen, "authorityKeyIdentifier does not "
		    "match the issuer's subjectKeyIdentifier");
	if (verify(s, tbs, tbslen, bits + 1, bl - 1) == -1)
		return errf(err, errlen, "signature does not verify with the "
		    "issuer's key");
	return 0;
}
