/* Putting the CA key into a token: generate in the token, or import
 * (C_CreateObject), both non-extractable and sensitive; and a fresh
 * token for a rehearsal. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <sodium.h>

#include "ca/keyquality.h"
#include "ca/keystore.h"
#include "ca/keystore_int.h"
#include "ca/pki.h"
#include "core/util.h"

static const unsigned char oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x03, 0x01, 0x07};
static const unsigned char oid_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04,
	0x00, 0x22};

/* The token lists mech (some modules answer C_GetMechanismInfo for
 * mechanisms they do not offer) with flag set. 0, or -1. */
static int
has_mech(struct keystore *ks, CK_MECHANISM_TYPE mech, CK_FLAGS flag,
    CK_MECHANISM_INFO *mi)
{
	CK_MECHANISM_TYPE *m = NULL;
	CK_ULONG n = 0, i;
	int rv = -1;

	if (ks->f->C_GetMechanismList(ks->slot, NULL, &n) != CKR_OK ||
	    (m = calloc(n + 1, sizeof(*m))) == NULL ||
	    ks->f->C_GetMechanismList(ks->slot, m, &n) != CKR_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (m[i] == mech)
			break;
	if (i < n && ks->f->C_GetMechanismInfo(ks->slot, mech, mi) ==
	    CKR_OK && (mi->flags & flag))
		rv = 0;
out:
	free(m);
	return rv;
}

static int
check_free(struct keystore *ks, CK_MECHANISM_TYPE mech,
    CK_MECHANISM_TYPE signmech, CK_ULONG bits, char *err, size_t errlen)
{
	CK_MECHANISM_INFO mi;
	CK_OBJECT_HANDLE h[1];
	CK_ULONG n;

	if (ks_find_label(ks, -1, h, 1, &n) == -1)
		return errf(err, errlen, "token '%s': cannot search objects",
		    ks->u.token);
	if (n > 0)
		return errf(err, errlen, "token '%s' already holds an object "
		    "labelled '%s'; nothing written (choose another "
		    "object=, or remove it with pkcs11-tool if it is "
		    "unused)", ks->u.token, ks->u.object);
	/* the signing mechanism, and for generation the key-pair one */
	if (has_mech(ks, signmech, CKF_SIGN, &mi) == -1 ||
	    (mech != signmech &&
		has_mech(ks, mech, CKF_GENERATE_KEY_PAIR, &mi) == -1) ||
	    (bits && mi.ulMaxKeySize && (bits < mi.ulMinKeySize ||
	    bits > mi.ulMaxKeySize)))
		return errf(err, errlen, "token '%s' cannot make or hold "
		    "this key type (mechanism 0x%lx); choose another --key "
		    "or token", ks->u.token, (unsigned long)mech);
	return 0;
}

static void
new_id(struct keystore *ks)
{
	if (ks->u.idlen == 0) {
		randombytes_buf(ks->u.id, 20);
		ks->u.idlen = 20;
	}
}

int
keystore_generate(struct keystore *ks, int type, char *err, size_t errlen)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = type == KEY_RSA2048 ? 2048 : type == KEY_RSA3072 ?
	    3072 : 4096;
	unsigned char e[] = {1, 0, 1};
	int ec = type == KEY_P256 || type == KEY_P384;
	CK_MECHANISM m = {ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN,
		NULL, 0};
	CK_OBJECT_HANDLE pub, priv;
	CK_ATTRIBUTE pt[6], vt[8];
	CK_ULONG np = 0, nv = 0;
	CK_RV r;

	if (check_free(ks, m.mechanism, ec ? CKM_ECDSA : CKM_RSA_PKCS,
		ec ? (type == KEY_P256 ? 256 : 384) :
		bits, err, errlen) == -1)
		return -1;
	new_id(ks);
	pt[np++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof(yes)};
	pt[np++] = (CK_ATTRIBUTE){CKA_VERIFY, &yes, sizeof(yes)};
	pt[np++] = (CK_ATTRIBUTE){CKA_LABEL, ks->u.object,
		strlen(ks->u.object)};
	pt[np++] = (CK_ATTRIBUTE){CKA_ID, ks->u.id, ks->u.idlen};
	if (ec)
		pt[np++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, type == KEY_P256 ?
			(void *)oid_p256 : (void *)oid_p384, type == KEY_P256 ?
			sizeof(oid_p256) : sizeof(oid_p384)};
	else {
		pt[np++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits,
			sizeof(bits)};
		pt[np++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, e, sizeof(e)};
	}
	vt[nv++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof(yes)};
	vt[nv++] = (CK_ATTRIBUTE){CKA_PRIVATE, &yes, sizeof(yes)};
	vt[nv++] = (CK_ATTRIBUTE){CKA_SENSITIVE, &yes, sizeof(yes)};
	vt[nv++] = (CK_ATTRIBUTE){CKA_EXTRACTABLE, &no, sizeof(no)};
	vt[nv++] = (CK_ATTRIBUTE){CKA_SIGN, &yes, sizeof(yes)};
	vt[nv++] = (CK_ATTRIBUTE){CKA_DECRYPT, &no, sizeof(no)};
	vt[nv++] = (CK_ATTRIBUTE){CKA_LABEL, ks->u.object,
		strlen(ks->u.object)};
	vt[nv++] = (CK_ATTRIBUTE){CKA_ID, ks->u.id, ks->u.idlen};
	if ((r = ks->f->C_GenerateKeyPair(ks->s, &m, pt, np, vt, nv, &pub,
		 &priv)) != CKR_OK)
		return errf(err, errlen, "token '%s' cannot make the key: %s "
		    "(0x%lx)", ks->u.token, ks_ckr_text(r), (unsigned long)r);
	return 0;
}

/* A BIGNUM parameter of key as big-endian bytes (OPENSSL_secure memory
 * is not needed: the buffer is wiped and freed by the caller). */
static int
bn_param(EVP_PKEY *key, const char *name, unsigned char **out, CK_ULONG *n,
    int pad)
{
	BIGNUM *bn = NULL;
	int len, rv = -1;

	*out = NULL;
	if (!EVP_PKEY_get_bn_param(key, name, &bn))
		goto out;
	len = pad ? pad : BN_num_bytes(bn);
	if (len <= 0 || (*out = sodium_malloc((size_t)len)) == NULL ||
	    BN_bn2binpad(bn, *out, len) != len)
		goto out;
	*n = (CK_ULONG)len;
	rv = 0;
out:
	BN_clear_free(bn);
	return rv;
}

#define NBN 8
int
keystore_import(struct keystore *ks, EVP_PKEY *key, char *err,
    size_t errlen)
{
	static const char *rsa[NBN] = {OSSL_PKEY_PARAM_RSA_N,
		OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	static const CK_ATTRIBUTE_TYPE rsa_at[NBN] = {CKA_MODULUS,
		CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
		CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_CLASS cpriv = CKO_PRIVATE_KEY, cpub = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt;
	unsigned char *v[NBN] = {0}, pt[160], ptder[164];
	CK_ULONG vl[NBN] = {0}, np = 0, nv = 0, i, nbn = 0;
	CK_ATTRIBUTE pa[8], va[20];
	CK_OBJECT_HANDLE h;
	size_t ptlen = 0;
	char desc[64], e2[128];
	int ec, rv = -1, p384 = 0;
	CK_RV r;

	if (pki_key_check(key, desc, sizeof(desc), e2, sizeof(e2)) == -1 ||
	    keyquality_check(key, e2, sizeof(e2)) == -1)
		return errf(err, errlen, "the key cannot go in a token: %s",
		    e2);
	ec = EVP_PKEY_is_a(key, "EC");
	p384 = ec && strstr(desc, "384") != NULL;
	kt = ec ? CKK_EC : CKK_RSA;
	if (check_free(ks, ec ? CKM_ECDSA : CKM_RSA_PKCS, ec ? CKM_ECDSA :
		CKM_RSA_PKCS, (CK_ULONG)EVP_PKEY_get_bits(key), err, errlen) == -1)
		return -1;
	new_id(ks);
	if (ec) {
		nbn = 1;
		if (bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &v[0], &vl[0],
			p384 ? 48 : 32) == -1 ||
		    !EVP_PKEY_get_octet_string_param(key,
			OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen) ||
		    ptlen > 127) {
			errf(err, errlen, "cannot read the EC key");
			goto out;
		}
		ptder[0] = 0x04;
		ptder[1] = (unsigned char)ptlen;
		memcpy(ptder + 2, pt, ptlen);
	} else {
		nbn = NBN;
		for (i = 0; i < NBN; i++)
			if (bn_param(key, rsa[i], &v[i], &vl[i], 0) == -1) {
				errf(err, errlen, "cannot read the RSA key");
				goto out;
			}
	}
	pa[np++] = (CK_ATTRIBUTE){CKA_CLASS, &cpub, sizeof(cpub)};
	pa[np++] = (CK_ATTRIBUTE){CKA_KEY_TYPE, &kt, sizeof(kt)};
	pa[np++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof(yes)};
	pa[np++] = (CK_ATTRIBUTE){CKA_VERIFY, &yes, sizeof(yes)};
	pa[np++] = (CK_ATTRIBUTE){CKA_LABEL, ks->u.object,
		strlen(ks->u.object)};
	pa[np++] = (CK_ATTRIBUTE){CKA_ID, ks->u.id, ks->u.idlen};
	va[nv++] = (CK_ATTRIBUTE){CKA_CLASS, &cpriv, sizeof(cpriv)};
	va[nv++] = (CK_ATTRIBUTE){CKA_KEY_TYPE, &kt, sizeof(kt)};
	va[nv++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof(yes)};
	va[nv++] = (CK_ATTRIBUTE){CKA_PRIVATE, &yes, sizeof(yes)};
	va[nv++] = (CK_ATTRIBUTE){CKA_SENSITIVE, &yes, sizeof(yes)};
	va[nv++] = (CK_ATTRIBUTE){CKA_EXTRACTABLE, &no, sizeof(no)};
	va[nv++] = (CK_ATTRIBUTE){CKA_SIGN, &yes, sizeof(yes)};
	va[nv++] = (CK_ATTRIBUTE){CKA_DECRYPT, &no, sizeof(no)};
	va[nv++] = (CK_ATTRIBUTE){CKA_LABEL, ks->u.object,
		strlen(ks->u.object)};
	va[nv++] = (CK_ATTRIBUTE){CKA_ID, ks->u.id, ks->u.idlen};
	if (ec) {
		CK_ATTRIBUTE par = {CKA_EC_PARAMS, p384 ? (void *)oid_p384 :
			(void *)oid_p256, p384 ? sizeof(oid_p384) :
			sizeof(oid_p256)};

		pa[np++] = par;
		pa[np++] = (CK_ATTRIBUTE){CKA_EC_POINT, ptder, ptlen + 2};
		va[nv++] = par;
		va[nv++] = (CK_ATTRIBUTE){CKA_VALUE, v[0], vl[0]};
	} else {
		pa[np++] = (CK_ATTRIBUTE){CKA_MODULUS, v[0], vl[0]};
		pa[np++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, v[1], vl[1]};
		for (i = 0; i < NBN; i++)
			va[nv++] = (CK_ATTRIBUTE){rsa_at[i], v[i], vl[i]};
	}
	if ((r = ks->f->C_CreateObject(ks->s, va, nv, &h)) != CKR_OK) {
		errf(err, errlen, "token '%s' refuses the key: %s (0x%lx)",
		    ks->u.token, ks_ckr_text(r), (unsigned long)r);
		goto out;
	}
	if ((r = ks->f->C_CreateObject(ks->s, pa, np, &h)) != CKR_OK) {
		errf(err, errlen, "token '%s' refuses the public key: %s "
		    "(0x%lx)", ks->u.token, ks_ckr_text(r), (unsigned long)r);
		keystore_destroy(ks);
		goto out;
	}
	rv = 0;
out:
	for (i = 0; i < nbn; i++)
		if (v[i] != NULL)
			sodium_free(v[i]);
	sodium_memzero(pt, sizeof(pt));
	return rv;
}

void
keystore_destroy(struct keystore *ks)
{
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n, i;

	if (ks->f == NULL || ks_find_label(ks, -1, h, 8, &n) == -1)
		return;
	for (i = 0; i < n; i++)
		ks->f->C_DestroyObject(ks->s, h[i]);
}


int
keystore_init_token(const char *module, const char *label,
    const char *so_pin, const char *pin, char *err, size_t errlen)
{
	CK_C_GetFunctionList getlist;
	CK_FUNCTION_LIST_PTR f = NULL;
	CK_SESSION_HANDLE s;
	CK_SLOT_ID *ids = NULL, slot = 0;
	CK_TOKEN_INFO ti;
	CK_ULONG n = 0, i;
	unsigned char lab[32];
	void *dl;
	int rv = -1, inited = 0, found = 0;

	if ((dl = dlopen(module, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return errf(err, errlen, "%s: cannot load the PKCS#11 module: "
		    "%s", module, dlerror());
	getlist = (CK_C_GetFunctionList)(uintptr_t)dlsym(dl,
	    "C_GetFunctionList");
	if (getlist == NULL || getlist(&f) != CKR_OK || f == NULL ||
	    f->C_Initialize(NULL) != CKR_OK) {
		errf(err, errlen, "%s: cannot initialize the module", module);
		goto out;
	}
	inited = 1;
	if (f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK ||
	    (ids = calloc(n + 1, sizeof(*ids))) == NULL ||
	    f->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK) {
		errf(err, errlen, "%s: cannot list the slots", module);
		goto out;
	}
	for (i = 0; i < n && !found; i++)
		if (f->C_GetTokenInfo(ids[i], &ti) == CKR_OK &&
		    !(ti.flags & CKF_TOKEN_INITIALIZED)) {
			slot = ids[i];
			found = 1;
		}
	if (!found) {
		errf(err, errlen, "%s: no free slot for a new token", module);
		goto out;
	}
	memset(lab, ' ', sizeof(lab));
	memcpy(lab, label, strnlen(label, sizeof(lab)));
	if (f->C_InitToken(slot, (unsigned char *)so_pin, strlen(so_pin),
		lab) != CKR_OK ||
	    f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK) {
		errf(err, errlen, "%s: cannot initialize a token", module);
		goto out;
	}
	/* SoftHSM2 moves the new token to a slot of its own: find it */
	free(ids);
	if ((ids = calloc(n + 1, sizeof(*ids))) == NULL ||
	    f->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK)
		goto out;
	for (i = 0, found = 0; i < n && !found; i++)
		if (f->C_GetTokenInfo(ids[i], &ti) == CKR_OK &&
		    (ti.flags & CKF_TOKEN_INITIALIZED) &&
		    memcmp(ti.label, lab, sizeof(lab)) == 0) {
			slot = ids[i];
			found = 1;
		}
	if (!found || f->C_OpenSession(slot, CKF_SERIAL_SESSION |
		CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK) {
		errf(err, errlen, "%s: cannot open the new token", module);
		goto out;
	}
	if (f->C_Login(s, CKU_SO, (unsigned char *)so_pin, strlen(so_pin)) ==
	    CKR_OK && f->C_InitPIN(s, (unsigned char *)pin, strlen(pin)) ==
	    CKR_OK)
		rv = 0;
	else
		errf(err, errlen, "%s: cannot set the new token's PIN", module);
	f->C_Logout(s);
	f->C_CloseSession(s);
out:
	if (inited)
		f->C_Finalize(NULL);
	free(ids);
	dlclose(dl);
	return rv;
}
