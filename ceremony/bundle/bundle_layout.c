/* The bundle's layout: which files it carries, their modes, and the
 * archive limits. bundle.c (making a bundle) and bundle_check.c (checking
 * one) both read it; it uses neither. */
#include <string.h>

#include "bundle/bundle.h"
#include "ca/pki.h"
#include "ca/template.h"
#include "core/transcript.h"

const struct bundle_file bundle_files[BUNDLE_NFILES] = {
    {CA_CERT, 0644, 1, 0},
    {TEMPLATE_FILE, 0644, 1, 0},
    {REGISTER_FILE, 0755, 1, 0}, /* before VER_CERT: it says SNI_ONLY */
    {TRANSCRIPT_FILE, 0644, 1, 0},
    {SIGN_PUB, 0644, 1, 0},
    {VER_CERT, 0644, 0, 0},
    {BUNDLE_README, 0644, 1, 1},
    {BUNDLE_MANIFEST, 0644, 1, 1},
    {BUNDLE_SIG, 0644, 1, 1},
};

const struct tar_limits bundle_limits = {32, 4u << 20, 16u << 20};

const struct bundle_file *
bundle_file_find(const char *name)
{
	size_t i;

	for (i = 0; i < BUNDLE_NFILES; i++)
		if (strcmp(bundle_files[i].name, name) == 0)
			return &bundle_files[i];
	return NULL;
}
