/* The bundle's layout: which files it carries, their modes, and the
 * archive limits. bundle.c (making a bundle) and bundle_check.c (checking
 * one) both read it; it uses neither. */
#include <string.h>

#include "bundle/bundle.h"
#include "ca/caref.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "ca/template.h"
#include "core/transcript.h"

/* '*' in a pattern is one folder: after "intermediate/" a CA name, after
 * "regions/" a region with an optional account (us-east-1-123456789012). */
const struct bundle_file bundle_files[BUNDLE_NFILES] = {
    {CA_CERT, 0644, 1, 0},
    {TEMPLATE_FILE, 0644, 0, 0},
    {REGISTER_FILE, 0755, 0, 0},
    {TRANSCRIPT_FILE, 0644, 1, 0},
    {SIGN_PUB, 0644, 1, 0},
    {VER_CERT, 0644, 0, 0},
    {REGIONS_FILE, 0644, 0, 0},
    {REGISTER_ALL, 0755, 0, 0},
    {"regions/*/" VER_CERT, 0644, 0, 0},
    {"regions/*/" TEMPLATE_FILE, 0644, 0, 0},
    {"regions/*/" REGISTER_FILE, 0755, 0, 0},
    {"intermediate/*/" CA_CERT, 0644, 0, 0},
    {"intermediate/*/" CA_CHAIN, 0644, 0, 0},
    {"intermediate/*/" VER_CERT, 0644, 0, 0},
    {"intermediate/*/" TEMPLATE_FILE, 0644, 0, 0},
    {"intermediate/*/" REGISTER_FILE, 0755, 0, 0},
    {"intermediate/*/" REGIONS_FILE, 0644, 0, 0},
    {"intermediate/*/" REGISTER_ALL, 0755, 0, 0},
    {"intermediate/*/regions/*/" VER_CERT, 0644, 0, 0},
    {"intermediate/*/regions/*/" TEMPLATE_FILE, 0644, 0, 0},
    {"intermediate/*/regions/*/" REGISTER_FILE, 0755, 0, 0},
    {BUNDLE_README, 0644, 1, 1},
    {BUNDLE_MANIFEST, 0644, 1, 1},
    {BUNDLE_SIG, 0644, 1, 1},
};

const struct tar_limits bundle_limits = {BUNDLE_MAX, 4u << 20, 16u << 20};

/* One folder of name (up to '/' or the end) against '*' after prev. */
static int
folder_ok(const char *prev, const char *s, size_t n)
{
	struct region_reg g;
	char part[TAR_NAME_MAX + 1], e[64];

	if (n == 0 || n > TAR_NAME_MAX)
		return 0;
	memcpy(part, s, n);
	part[n] = 0;
	if (strcmp(prev, REGIONS_DIR "/") == 0)
		return region_dir_parse(part, &g) == 0;
	return caref_name_check(part, e, sizeof(e)) == 0;
}

static int
match(const char *pat, const char *name)
{
	const char *star, *slash;
	char prev[32];
	size_t n;

	while ((star = strchr(pat, '*')) != NULL) {
		n = (size_t)(star - pat);
		if (strncmp(pat, name, n) != 0)
			return 0;
		/* the folder word before '*', with its '/' */
		snprintf(prev, sizeof(prev), "%s", n >= 8 &&
		    strncmp(star - 8, REGIONS_DIR "/", 8) == 0 ?
		    REGIONS_DIR "/" : "");
		name += n;
		if ((slash = strchr(name, '/')) == NULL ||
		    !folder_ok(prev, name, (size_t)(slash - name)))
			return 0;
		name = slash;
		pat = star + 1;
	}
	return strcmp(pat, name) == 0;
}

const struct bundle_file *
bundle_file_find(const char *name)
{
	size_t i;

	for (i = 0; i < BUNDLE_NFILES; i++)
		if (match(bundle_files[i].name, name))
			return &bundle_files[i];
	return NULL;
}
