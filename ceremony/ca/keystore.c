/* The CA key in a PKCS#11 token: raw PKCS#11 to make, import, find and
 * describe it; libp11 to hand it to OpenSSL as an EVP_PKEY. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libp11.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <p11-kit/pkcs11.h>
#include <sodium.h>

#include "ca/keystore.h"
#include "ca/pki.h"
#include "core/util.h"

struct keystore {
	struct p11uri u;
	char module[P11URI_MAX];
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	int inited, open, logged;
	char *pin; /* sodium_malloc'd */
	struct keystore_info info;
	int have_info;
	PKCS11_CTX *p11;
	PKCS11_SLOT *slots;
	unsigned int nslots;
};

static const unsigned char oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x03, 0x01, 0x07};
static const unsigned char oid_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04,
	0x00, 0x22};

int
key_src_option(struct key_src *ks, int opt, const char *arg)
{
	char *end;
	long v;

	switch (opt) {
	case PIN_OPT_URI:
		ks->uri = arg;
		return 0;
	case PIN_OPT_MODULE:
		ks->module = arg;
		return 0;
	case PIN_OPT_FILE:
		return pass_option(&ks->pin, PASS_OPT_FILE, arg);
	case PIN_OPT_FD:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 0 || v > 1024) {
			warnf("--pin-fd: '%s' is not a file descriptor", arg);
			return RC_USAGE;
		}
		ks->pin.fd = (int)v;
		return 0;
	}
	return -1;
}

static const char *
ckr_text(CK_RV rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT: return "wrong PIN";
	case CKR_PIN_LOCKED: return "the PIN is locked (too many wrong "
	    "PINs); the token's security officer must unblock it";
	case CKR_PIN_EXPIRED: return "the PIN has expired";
	case CKR_USER_PIN_NOT_INITIALIZED: return "the token has no user PIN";
	case CKR_TOKEN_NOT_PRESENT: return "token not present";
	case CKR_DEVICE_ERROR: return "device error";
	case CKR_MECHANISM_INVALID: return "mechanism not supported";
	case CKR_TEMPLATE_INCONSISTENT: return "template inconsistent";
	case CKR_ATTRIBUTE_VALUE_INVALID: return "attribute value invalid";
	case CKR_DEVICE_MEMORY: return "token memory full";
	default: return "PKCS#11 error";
	}
}

/* Copies a blank-padded token field, trimmed. */
static void
trim(char *dst, size_t room, const unsigned char *src, size_t n)
{
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == 0))
		n--;
	if (n >= room)
		n = room - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static int
find_slot(struct keystore *ks, char *err, size_t errlen)
{
	CK_SLOT_ID *ids = NULL;
	CK_ULONG n = 0, i;
	CK_TOKEN_INFO ti;
	char label[33], serial[17], manu[33], model[17];
	int rv = -1, found = 0;

	if (ks->f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK ||
	    (ids = calloc(n + 1, sizeof(*ids))) == NULL ||
	    ks->f->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK) {
		errf(err, errlen, "%s: cannot list the token slots",
		    ks->module);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (ks->f->C_GetTokenInfo(ids[i], &ti) != CKR_OK)
			continue;
		trim(label, sizeof(label), ti.label, sizeof(ti.label));
		trim(serial, sizeof(serial), ti.serialNumber,
		    sizeof(ti.serialNumber));
		trim(manu, sizeof(manu), ti.manufacturerID,
		    sizeof(ti.manufacturerID));
		trim(model, sizeof(model), ti.model, sizeof(ti.model));
		if (strcmp(label, ks->u.token) != 0 ||
		    (ks->u.serial[0] && strcmp(serial, ks->u.serial) != 0) ||
		    (ks->u.manufacturer[0] &&
			strcmp(manu, ks->u.manufacturer) != 0) ||
		    (ks->u.model[0] && strcmp(model, ks->u.model) != 0))
			continue;
		if (found++) {
			errf(err, errlen, "two tokens are labelled '%s'; add "
			    "serial=... to the URI", ks->u.token);
			goto out;
		}
		ks->slot = ids[i];
		snprintf(ks->info.label, sizeof(ks->info.label), "%s", label);
		snprintf(ks->info.serial, sizeof(ks->info.serial), "%s",
		    serial);
		snprintf(ks->info.manufacturer, sizeof(ks->info.manufacturer),
		    "%s", manu);
		snprintf(ks->info.model, sizeof(ks->info.model), "%s", model);
		if (ti.flags & CKF_USER_PIN_LOCKED) {
			errf(err, errlen, "token '%s': %s", label,
			    ckr_text(CKR_PIN_LOCKED));
			goto out;
		}
	}
	if (!found) {
		errf(err, errlen, "%s: no token labelled '%s'%s%s (is it "
		    "plugged in and initialized?)", ks->module, ks->u.token,
		    ks->u.serial[0] ? " with serial " : "", ks->u.serial);
		goto out;
	}
	rv = 0;
out:
	free(ids);
	return rv;
}

int
keystore_open(struct keystore **out, const char *uri, const char *module,
    struct pass_src *pin, char *err, size_t errlen)
{
	CK_C_GetFunctionList getlist;
	struct keystore *ks;
	CK_RV r;
	const char *mod;

	*out = NULL;
	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return errf(err, errlen, "out of memory");
	if (p11uri_parse(uri, &ks->u, err, errlen) == -1)
		goto fail;
	mod = module ? module : ks->u.module[0] ? ks->u.module :
	    getenv("PKCS11_MODULE_PATH");
	if (mod == NULL || mod[0] == 0) {
		errf(err, errlen, "no PKCS#11 module: put module-path=... in "
		    "the URI, or give --pkcs11-module PATH or "
		    "PKCS11_MODULE_PATH");
		goto fail;
	}
	if (mod[0] != '/' || strlen(mod) >= sizeof(ks->module)) {
		errf(err, errlen, "%s: the PKCS#11 module needs an absolute "
		    "path", mod);
		goto fail;
	}
	snprintf(ks->module, sizeof(ks->module), "%s", mod);
	if ((ks->dl = dlopen(ks->module, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		errf(err, errlen, "%s: cannot load the PKCS#11 module (no "
		    "such module?): %s", ks->module, dlerror());
		goto fail;
	}
	getlist = (CK_C_GetFunctionList)(uintptr_t)dlsym(ks->dl,
	    "C_GetFunctionList");
	if (getlist == NULL || getlist(&ks->f) != CKR_OK || ks->f == NULL) {
		errf(err, errlen, "%s: not a PKCS#11 module (no "
		    "C_GetFunctionList)", ks->module);
		goto fail;
	}
	r = ks->f->C_Initialize(NULL);
	if (r != CKR_OK && r != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		errf(err, errlen, "%s: C_Initialize failed (0x%lx)",
		    ks->module, (unsigned long)r);
		goto fail;
	}
	ks->inited = 1;
	if (find_slot(ks, err, errlen) == -1)
		goto fail;
	if ((r = ks->f->C_OpenSession(ks->slot, CKF_SERIAL_SESSION |
		CKF_RW_SESSION, NULL, NULL, &ks->s)) != CKR_OK) {
		errf(err, errlen, "token '%s': cannot open a session: %s "
		    "(0x%lx)", ks->u.token, ckr_text(r), (unsigned long)r);
		goto fail;
	}
	ks->open = 1;
	if ((ks->pin = pass_get(pin, "token PIN", 0)) == NULL) {
		errf(err, errlen, "token '%s': no PIN", ks->u.token);
		goto fail;
	}
	r = ks->f->C_Login(ks->s, CKU_USER, (unsigned char *)ks->pin,
	    strlen(ks->pin));
	if (r != CKR_OK && r != CKR_USER_ALREADY_LOGGED_IN) {
		errf(err, errlen, "token '%s': login failed: %s",
		    ks->u.token, ckr_text(r));
		goto fail;
	}
	ks->logged = 1;
	*out = ks;
	return 0;
fail:
	keystore_close(ks);
	return -1;
}

static void
raw_end(struct keystore *ks)
{
	if (ks->logged)
		ks->f->C_Logout(ks->s);
	if (ks->open)
		ks->f->C_CloseSession(ks->s);
	if (ks->inited)
		ks->f->C_Finalize(NULL);
	if (ks->dl != NULL)
		dlclose(ks->dl);
	ks->logged = ks->open = ks->inited = 0;
	ks->dl = NULL;
	ks->f = NULL;
}

void
keystore_close(struct keystore *ks)
{
	if (ks == NULL)
		return;
	raw_end(ks);
	if (ks->p11 != NULL) {
		if (ks->slots != NULL)
			PKCS11_release_all_slots(ks->p11, ks->slots,
			    ks->nslots);
		PKCS11_CTX_unload(ks->p11);
		PKCS11_CTX_free(ks->p11);
	}
	pass_free(ks->pin);
	free(ks);
	ERR_clear_error();
}

/* Finds objects with ks's label (any class when cls is -1). */
static int
find_label(struct keystore *ks, long cls, CK_OBJECT_HANDLE *h,
    CK_ULONG room, CK_ULONG *n)
{
	CK_OBJECT_CLASS c = (CK_OBJECT_CLASS)cls;
	CK_ATTRIBUTE t[3] = {
		{CKA_LABEL, ks->u.object, strlen(ks->u.object)},
		{CKA_CLASS, &c, sizeof(c)},
		{CKA_ID, ks->u.id, ks->u.idlen},
	};
	CK_ULONG nt = cls < 0 ? 1 : ks->u.idlen ? 3 : 2;

	*n = 0;
	if (ks->f->C_FindObjectsInit(ks->s, t, nt) != CKR_OK)
		return -1;
	if (ks->f->C_FindObjects(ks->s, h, room, n) != CKR_OK) {
		ks->f->C_FindObjectsFinal(ks->s);
		return -1;
	}
	ks->f->C_FindObjectsFinal(ks->s);
	return 0;
}

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

	if (find_label(ks, -1, h, 1, &n) == -1)
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
		    "(0x%lx)", ks->u.token, ckr_text(r), (unsigned long)r);
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

	if (pki_key_check(key, desc, sizeof(desc), e2, sizeof(e2)) == -1)
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
		    ks->u.token, ckr_text(r), (unsigned long)r);
		goto out;
	}
	if ((r = ks->f->C_CreateObject(ks->s, pa, np, &h)) != CKR_OK) {
		errf(err, errlen, "token '%s' refuses the public key: %s "
		    "(0x%lx)", ks->u.token, ckr_text(r), (unsigned long)r);
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

	if (ks->f == NULL || find_label(ks, -1, h, 8, &n) == -1)
		return;
	for (i = 0; i < n; i++)
		ks->f->C_DestroyObject(ks->s, h[i]);
}

static int
bool_attr(struct keystore *ks, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t)
{
	CK_BBOOL b = 0;
	CK_ATTRIBUTE a = {t, &b, sizeof(b)};

	if (ks->f->C_GetAttributeValue(ks->s, h, &a, 1) != CKR_OK ||
	    a.ulValueLen != sizeof(b))
		return -1;
	return b ? 1 : 0;
}

static int
fill_info(struct keystore *ks, char *err, size_t errlen)
{
	CK_OBJECT_HANDLE h[2];
	CK_ATTRIBUTE a;
	CK_ULONG n;

	if (ks->have_info)
		return 0;
	if (ks->f == NULL || find_label(ks, CKO_PRIVATE_KEY, h, 2, &n) == -1)
		return errf(err, errlen, "token '%s': cannot search objects",
		    ks->u.token);
	if (n == 0)
		return errf(err, errlen, "token '%s' holds no private key "
		    "labelled '%s'", ks->u.token, ks->u.object);
	if (n > 1)
		return errf(err, errlen, "token '%s' holds two private keys "
		    "labelled '%s'; add id=... to the URI", ks->u.token,
		    ks->u.object);
	if (ks->u.idlen == 0) {
		a = (CK_ATTRIBUTE){CKA_ID, ks->u.id, sizeof(ks->u.id)};
		if (ks->f->C_GetAttributeValue(ks->s, h[0], &a, 1) ==
		    CKR_OK && a.ulValueLen <= sizeof(ks->u.id))
			ks->u.idlen = a.ulValueLen;
	}
	ks->info.token = bool_attr(ks, h[0], CKA_TOKEN);
	ks->info.private_ = bool_attr(ks, h[0], CKA_PRIVATE);
	ks->info.sensitive = bool_attr(ks, h[0], CKA_SENSITIVE);
	ks->info.extractable = bool_attr(ks, h[0], CKA_EXTRACTABLE);
	ks->info.always_sensitive = bool_attr(ks, h[0], CKA_ALWAYS_SENSITIVE);
	ks->info.never_extractable = bool_attr(ks, h[0],
	    CKA_NEVER_EXTRACTABLE);
	if (ks->u.serial[0] == 0)
		snprintf(ks->u.serial, sizeof(ks->u.serial), "%s",
		    ks->info.serial);
	if (p11uri_format(&ks->u, ks->info.uri, sizeof(ks->info.uri)) == -1)
		return errf(err, errlen, "the URI is too long");
	ks->have_info = 1;
	return 0;
}

int
keystore_info(struct keystore *ks, struct keystore_info *in, char *err,
    size_t errlen)
{
	if (fill_info(ks, err, errlen) == -1)
		return -1;
	*in = ks->info;
	return 0;
}

EVP_PKEY *
keystore_pkey(struct keystore *ks, char *err, size_t errlen)
{
	PKCS11_SLOT *slot = NULL;
	PKCS11_KEY *keys = NULL, *k = NULL;
	EVP_PKEY *pk = NULL;
	unsigned int i, n = 0;

	if (fill_info(ks, err, errlen) == -1)
		return NULL;
	/* the raw session ends here; libp11 opens its own */
	raw_end(ks);
	if ((ks->p11 = PKCS11_CTX_new()) == NULL ||
	    PKCS11_CTX_load(ks->p11, ks->module) != 0) {
		errf(err, errlen, "%s: libp11 cannot load the module",
		    ks->module);
		goto out;
	}
	if (PKCS11_enumerate_slots(ks->p11, &ks->slots, &ks->nslots) != 0) {
		errf(err, errlen, "%s: libp11 cannot list the slots",
		    ks->module);
		goto out;
	}
	for (i = 0; i < ks->nslots; i++) {
		PKCS11_TOKEN *t = ks->slots[i].token;

		if (t != NULL && t->label != NULL &&
		    strcmp(t->label, ks->info.label) == 0 &&
		    (t->serialnr == NULL ||
			strcmp(t->serialnr, ks->info.serial) == 0)) {
			slot = &ks->slots[i];
			break;
		}
	}
	if (slot == NULL || PKCS11_open_session(slot, 0) != 0 ||
	    PKCS11_login(slot, 0, ks->pin) != 0) {
		errf(err, errlen, "token '%s': libp11 cannot log in",
		    ks->u.token);
		goto out;
	}
	if (PKCS11_enumerate_keys(slot->token, &keys, &n) != 0) {
		errf(err, errlen, "token '%s': cannot list the keys",
		    ks->u.token);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (keys[i].isPrivate && keys[i].label != NULL &&
		    strcmp(keys[i].label, ks->u.object) == 0 &&
		    keys[i].id_len == ks->u.idlen &&
		    memcmp(keys[i].id, ks->u.id, ks->u.idlen) == 0)
			k = &keys[i];
	if (k == NULL || (pk = PKCS11_get_private_key(k)) == NULL) {
		errf(err, errlen, "token '%s': the key '%s' is not usable "
		    "through libp11", ks->u.token, ks->u.object);
		goto out;
	}
out:
	ERR_clear_error();
	return pk;
}
