/* register.sh and register-all.sh: the scripts that register a CA with
 * AWS IoT on the online machine, each checking the SHA-256 of every file
 * it sends before it runs the AWS CLI. */
#ifndef REGISTER_H
#define REGISTER_H

#include "ca/regions.h"

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
