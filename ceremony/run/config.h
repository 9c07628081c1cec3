/* Ceremony config: an openssl.cnf-syntax file read with OpenSSL's NCONF,
 * checked against a schema so each error names its line. */
#ifndef CONFIG_H
#define CONFIG_H

#include <openssl/conf.h>

enum cfg_kind {
	V_TEXT,    /* non-empty text */
	V_ENUM,    /* one of a '|' separated list */
	V_INT,     /* integer in [lo, hi] */
	V_LIST,    /* comma separated, each non-empty */
	V_SUBJECT, /* /C=../CN=.. */
	V_CODE,    /* 64 hex characters or "ask" */
	V_DIGITS,  /* exactly lo digits */
	V_REGION,  /* an AWS region name */
	V_REGIONS, /* comma list of R or R:ACCOUNT, no repeats */
	V_ACCOUNTS, /* comma list of 12-digit account ids, no repeats */
};

struct cfg_key {
	const char *section; /* "family *": every [family NAME] section */
	const char *key;
	enum cfg_kind kind;
	int required;
	const char *values; /* V_ENUM */
	long lo, hi;        /* V_INT; V_DIGITS uses lo */
};

struct config {
	CONF *conf;
	char *text; /* the raw file, for line numbers */
	char *path;
	char sha256[65];
};

/* Loads and checks: syntax, unknown sections and keys, duplicates,
 * required keys, values. Prints each problem as "FILE:LINE: ...". */
int config_load(const char *path, const struct cfg_key *schema,
    struct config *c);
/* The NAMEs of "[family NAME]" sections (family as the schema spells
 * it, "intermediate *"), in file order, at most max. */
#define CONFIG_INSTANCES 32
int config_instances(const struct config *c, const char *family,
    char names[][65], int max);
/* Value or NULL when absent. */
const char *config_get(const struct config *c, const char *section,
    const char *key);
void config_free(struct config *c);

#endif
