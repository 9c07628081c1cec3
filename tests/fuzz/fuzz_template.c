/* libFuzzer: jitp_template.json checks and the preview substitution. */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/x509.h>

#include "ca/template.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template_info t;
	X509_NAME *n;
	json_t *p;
	char err[512];

	if (template_check_text((const char *)data, size, &t, err,
		sizeof(err)) != 0)
		return 0;
	if ((n = X509_NAME_new()) != NULL) {
		X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_ASC,
		    (const unsigned char *)"thing-1", -1, -1, 0);
		X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_ASC,
		    (const unsigned char *)"IN", -1, -1, 0);
		p = template_preview(&t, n, err, sizeof(err));
		json_decref(p);
		X509_NAME_free(n);
	}
	template_info_free(&t);
	return 0;
}
