/* The config schema of `ceremony run` and the example `ceremony init`
 * writes, kept side by side so they cannot drift apart. */
#ifndef RUN_H
#define RUN_H

#include <stdio.h>

#include "run/config.h"
#include "core/secret.h"

extern const struct cfg_key run_schema[];
extern const char run_example[];

#define MAXARGS 96

struct argv_buf {
	char *v[MAXARGS + 1];
	int n;
};

struct run {
	struct config cfg;
	int yes, rehearse;
	char *pass;     /* key passphrase, sodium memory; NULL: none */
	char *share_pass; /* SLIP-39 passphrase; NULL: none */
	char *pin;      /* token PIN for [root] key_uri; NULL: none */
	char rehearse_uri[4200]; /* --rehearse: the throwaway token's key */
	char code[256]; /* registration code, checked by the step */
	char dir[4096]; /* ceremony directory */
	char subject[512];
	long since; /* seq of the transcript line that started the run */
	char cas[CONFIG_INSTANCES][65]; /* [intermediate NAME] sections */
	int ncas;
	char *ca_csr[CONFIG_INSTANCES]; /* their csr, made absolute */
};

#define RUN_SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"

/* Fingerprint as 8 groups of 8 hex digits, and as SLIP-39 words. */
void run_print_fingerprint(const char *label, const unsigned char sha[32]);

/* Step command lines (run_args.c). */
void argv_push(struct argv_buf *a, const char *s);
void argv_free(struct argv_buf *a);
const char *run_get(struct run *r, const char *sec, const char *key);
void run_opt(struct argv_buf *a, struct run *r, const char *sec,
    const char *key, const char *flag);
void run_opt_list(struct argv_buf *a, struct run *r, const char *sec,
    const char *key, const char *flag);
int run_step_args(struct run *r, const char *step, struct argv_buf *a);
/* Prints s as one shell word: as is when it holds only characters no
 * shell treats specially, else in single quotes, each ' as '\''. */
void run_sh_word(FILE *f, const char *s);
/* Adds FLAG N where descriptor N reads pass, one line per read. */
int run_feed(struct argv_buf *a, const char *flag, const char *pass, int *fd);

/* [intermediate NAME] sections (run_ca.c): found, checked, shown, run
 * after root. */
int run_ca_load(struct run *r);
int run_ca_check(struct run *r);
/* [template] region lists against the mode and [verification]. */
int run_regions_check(struct run *r);
void run_ca_free(struct run *r);
int run_any_key_uri(struct run *r);
void run_ca_args(struct run *r, int i, struct argv_buf *a);
const char *run_ca_secrets(struct run *r, int i, char *buf, size_t len);
int run_cas(struct run *r, long since);

/* Checkpoints (run_checkpoint.c): each passage is a transcript line. */
int run_step_done(const char *name, long since);
int run_checkpoint(struct run *r, const char *id, const char *what);
int run_checkpoint_shares(struct run *r);
int run_checkpoint_after(struct run *r, const char *name);
int run_checkpoint_before(struct run *r, const char *name);

#endif
