/* intermediate_csr_parse on arbitrary bytes (the CSR `ceremony
 * intermediate --csr` certifies): no crash, no leak; whatever it accepts
 * carries a key AWS IoT accepts and a signature that verifies with it,
 * and survives a DER round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "ca/intermediate.h"
#include "ca/pki.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509_REQ *req = NULL, *back;
	unsigned char *der = NULL;
	const unsigned char *p;
	char desc[64], err[256], e2[256];
	int r, n;

	r = intermediate_csr_parse(data, size, &req, desc, sizeof(desc), err,
	    sizeof(err));
	if (r != 0) {
		if (req != NULL || (r != RC_USAGE && r != RC_CHECK) ||
		    err[0] == 0)
			abort();
		return 0;
	}
	if (req == NULL ||
	    pki_key_check(X509_REQ_get0_pubkey(req), desc, sizeof(desc), e2,
		sizeof(e2)) != 0 ||
	    X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1)
		abort();
	if ((n = i2d_X509_REQ(req, &der)) <= 0)
		abort();
	p = der;
	if ((back = d2i_X509_REQ(NULL, &p, n)) == NULL)
		abort();
	X509_REQ_free(back);
	OPENSSL_free(der);
	X509_REQ_free(req);
	ERR_clear_error();
	return 0;
}
