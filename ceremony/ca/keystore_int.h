/* Inside the key store: what keystore.c and keystore_put.c share. */
#ifndef KEYSTORE_INT_H
#define KEYSTORE_INT_H

#include <libp11.h>
#include <p11-kit/pkcs11.h>

#include "ca/keystore.h"

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

/* "wrong PIN" etc. for a PKCS#11 return value. */
const char *ks_ckr_text(CK_RV rv);
/* Up to room objects labelled as the URI's object (of class cls, and
 * the URI's id if any; any class when cls is -1) into h, *n of them. */
int ks_find_label(struct keystore *ks, long cls, CK_OBJECT_HANDLE *h,
    CK_ULONG room, CK_ULONG *n);
/* Ends the raw PKCS#11 session (logout, close, C_Finalize, dlclose). */
void ks_raw_end(struct keystore *ks);

#endif
