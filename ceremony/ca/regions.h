/* Where a CA is registered with AWS IoT: regions, accounts and modes.
 *
 * A registration is one region, an account (or none named) and a mode.
 * Its files (the verification certificate in DEFAULT mode, the template,
 * register.sh) live in <CA dir>/regions/<REGION>[-<ACCOUNT>]/ when a CA
 * is registered more than once; <CA dir>/regions.txt lists every
 * registration, one "REGION ACCOUNT MODE" line each (ACCOUNT is 12 digits
 * or "-", MODE DEFAULT or SNI_ONLY), sorted, no duplicates; '#' lines are
 * comments. */
#ifndef REGIONS_H
#define REGIONS_H

#include <stddef.h>

#define REGIONS_DIR "regions"
#define REGIONS_FILE "regions.txt"
#define REGISTER_ALL "register-all.sh"
#define REGION_NAME_MAX 32
#define REGIONS_MAX 64 /* registrations of one CA */
#define REGION_DIR_MAX (sizeof(REGIONS_DIR) + REGION_NAME_MAX + 14)

struct region_reg {
	char region[REGION_NAME_MAX + 1]; /* us-east-2 */
	char account[13];                 /* 12 digits, "" for none */
	int sni;                          /* SNI_ONLY, else DEFAULT */
};

/* A region name like us-east-2 or us-gov-west-1. */
int region_name_ok(const char *r);
/* A 12-digit AWS account id. */
int region_account_ok(const char *a);
/* "regions/R" or "regions/R-ACCOUNT". -1 if it does not fit. */
int region_dir(const struct region_reg *g, char *out, size_t outlen);
/* The folder name "R" or "R-ACCOUNT" back into g (mode untouched). 0, or
 * -1 when it is not one. */
int region_dir_parse(const char *name, struct region_reg *g);
/* "DEFAULT" or "SNI_ONLY". */
const char *region_mode(const struct region_reg *g);
/* Parses regions.txt text strictly (sorted, no duplicates, at most max
 * lines, one account per region in DEFAULT mode). 0, or -1 with err
 * naming the line. */
int regions_parse(const char *text, size_t len, struct region_reg *v,
    size_t max, size_t *n, char *err, size_t errlen);
/* Sorts v and writes regions.txt text (malloc'd, with a comment line);
 * NULL when out of memory. Duplicates must have been refused before. */
char *regions_format(struct region_reg *v, size_t n);
/* The order of regions.txt lines (strcmp of the lines). */
int region_cmp(const struct region_reg *a, const struct region_reg *b);
/* Sorts v as regions.txt lists it. */
void regions_sort(struct region_reg *v, size_t n);

#endif
