/* Registrations of a CA with AWS IoT: what ceremony template is asked
 * for (register_plan.c), and register.sh and register-all.sh, the scripts
 * that register on the online machine, each checking the SHA-256 of every
 * file it sends before it runs the AWS CLI (register.c). */
#ifndef REGISTER_H
#define REGISTER_H

#include <openssl/x509.h>

#include "ca/caref.h"
#include "ca/regions.h"

#define REGISTER_PATH_MAX (CAREF_PATH_MAX + REGION_DIR_MAX + 32)

/* register_plan.c: what ceremony template is asked for. */
struct reg { /* one registration and its files */
	struct region_reg g;
	char sub[REGION_DIR_MAX];   /* "" or regions/R[-ID] */
	char tpl[REGISTER_PATH_MAX], script[REGISTER_PATH_MAX], ver[REGISTER_PATH_MAX];
	char *arn, *cfg, *text;
	size_t len;
};

struct plan { /* --region items, --account values, the registrations */
	const char *items[REGIONS_MAX], *accounts[REGIONS_MAX];
	size_t nitems, naccounts, n;
	struct reg r[REGIONS_MAX];
};

/* Every --region item (R, R:ID, comma lists) times the accounts it
 * applies to (role_acct when none is given), refusing bad names,
 * duplicates and a second DEFAULT account in a region. 0, or -1 with a
 * message. */
int plan_expand(struct plan *p, const char *role_acct, int sni);
/* Sorts the registrations as regions.txt lists them. */
void plan_sort(struct plan *p);
/* r's verification certificate exists and was signed by ca (label names
 * it, cmd is the --ca hint for the message). 0, or EXIT_USAGE/EXIT_CHECK
 * with a message. */
int plan_ver_check(const struct reg *r, const X509 *ca, const char *label,
    const char *cmd);
void plan_free(struct plan *p);

/* register.c: the scripts. */
struct register_job {
	const char *cadir;   /* the CA's folder: "." or intermediate/NAME */
	const char *caname;  /* "" for the root */
	const char *sub;     /* "" or "regions/R[-ID]": where the files are,
			      * relative to cadir */
	const char *region;
	const char *role_arn; /* NULL with a named template */
	const char *template_name;
	int sni;
};

/* register.sh for one registration, reading the files it pins (malloc'd,
 * or NULL with a message). */
char *register_script(const struct register_job *j);
/* register-all.sh for the CA in cadir: every registration in v (sorted)
 * in turn, stopping at the first failure (malloc'd, or NULL). */
char *register_all_script(const char *cadir, const char *caname,
    const struct region_reg *v, size_t n);

#endif
