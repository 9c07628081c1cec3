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
#include "ca/keystore_int.h"
#include "ca/pki.h"
#include "core/util.h"

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

const char *
ks_ckr_text(CK_RV rv)
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
			    ks_ckr_text(CKR_PIN_LOCKED));
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

static int raw_begin(struct keystore *ks, struct pass_src *pin, char *err,
    size_t errlen);

/* Keystores open in this process. A module's login and initialisation
 * are shared by all its sessions, so a raw session ending beside another
 * keystore (the root's key and an intermediate's, both in tokens) must
 * not log out or finalise under it. */
static int ks_live;

int
keystore_open(struct keystore **out, const char *uri, const char *module,
    struct pass_src *pin, char *err, size_t errlen)
{
	struct keystore *ks;
	const char *mod;

	*out = NULL;
	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return errf(err, errlen, "out of memory");
	ks_live++;
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
	if (raw_begin(ks, pin, err, errlen) == -1)
		goto fail;
	*out = ks;
	return 0;
fail:
	keystore_close(ks);
	return -1;
}

/* Loads the module, finds the token, logs in: with the PIN from pin, or
 * the one held (pin NULL, after a first login). */
static int
raw_begin(struct keystore *ks, struct pass_src *pin, char *err,
    size_t errlen)
{
	CK_C_GetFunctionList getlist;
	CK_RV r;

	if ((ks->dl = dlopen(ks->module, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		return errf(err, errlen, "%s: cannot load the PKCS#11 module "
		    "(no such module?): %s", ks->module, dlerror());
	}
	getlist = (CK_C_GetFunctionList)(uintptr_t)dlsym(ks->dl,
	    "C_GetFunctionList");
	if (getlist == NULL || getlist(&ks->f) != CKR_OK || ks->f == NULL) {
		return errf(err, errlen, "%s: not a PKCS#11 module (no "
		    "C_GetFunctionList)", ks->module);
	}
	r = ks->f->C_Initialize(NULL);
	if (r != CKR_OK && r != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		return errf(err, errlen, "%s: C_Initialize failed (0x%lx)",
		    ks->module, (unsigned long)r);
	}
	ks->inited = 1;
	if (find_slot(ks, err, errlen) == -1)
		return -1;
	if ((r = ks->f->C_OpenSession(ks->slot, CKF_SERIAL_SESSION |
		CKF_RW_SESSION, NULL, NULL, &ks->s)) != CKR_OK) {
		return errf(err, errlen, "token '%s': cannot open a session: "
		    "%s (0x%lx)", ks->u.token, ks_ckr_text(r),
		    (unsigned long)r);
	}
	ks->open = 1;
	if (ks->pin == NULL && (pin == NULL ||
	    (ks->pin = pass_get(pin, "token PIN", 0)) == NULL))
		return errf(err, errlen, "token '%s': no PIN", ks->u.token);
	r = ks->f->C_Login(ks->s, CKU_USER, (unsigned char *)ks->pin,
	    strlen(ks->pin));
	if (r != CKR_OK && r != CKR_USER_ALREADY_LOGGED_IN) {
		return errf(err, errlen, "token '%s': login failed: %s",
		    ks->u.token, ks_ckr_text(r));
	}
	ks->logged = 1;
	return 0;
}

void
ks_raw_end(struct keystore *ks)
{
	if (ks->logged && ks_live <= 1)
		ks->f->C_Logout(ks->s);
	if (ks->open)
		ks->f->C_CloseSession(ks->s);
	if (ks->inited && ks_live <= 1)
		ks->f->C_Finalize(NULL);
	if (ks->dl != NULL)
		dlclose(ks->dl);
	ks->logged = ks->open = ks->inited = 0;
	ks->dl = NULL;
	ks->f = NULL;
}

/* Gives up libp11's context (its keys must be freed first). */
static void
p11_release(struct keystore *ks)
{
	if (ks->p11 == NULL)
		return;
	if (ks->slots != NULL)
		PKCS11_release_all_slots(ks->p11, ks->slots, ks->nslots);
	PKCS11_CTX_unload(ks->p11);
	PKCS11_CTX_free(ks->p11);
	ks->p11 = NULL;
	ks->slots = NULL;
}

void
keystore_close(struct keystore *ks)
{
	if (ks == NULL)
		return;
	ks_raw_end(ks);
	p11_release(ks);
	pass_free(ks->pin);
	free(ks);
	ks_live--;
	ERR_clear_error();
}

/* Finds objects with ks's label (any class when cls is -1). */
int
ks_find_label(struct keystore *ks, long cls, CK_OBJECT_HANDLE *h,
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
	if (ks->f == NULL || ks_find_label(ks, CKO_PRIVATE_KEY, h, 2, &n) == -1)
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
	ks_raw_end(ks);
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

int
keystore_discard(struct keystore *ks, char *err, size_t errlen)
{
	p11_release(ks);
	if (ks->f == NULL && raw_begin(ks, NULL, err, errlen) == -1)
		return -1;
	keystore_destroy(ks);
	ERR_clear_error();
	return 0;
}
