/* The shares a restore is given: read from share sheets, files of
 * mnemonics and stdin, or typed at the terminal, each with a label for
 * errors. */
#ifndef SHARES_H
#define SHARES_H

#include <stddef.h>

#include "backup/slip39.h"
#include "backup/vault.h"

struct shares {
	char *mn[SLIP39_MAX_SHARES];   /* sodium_malloc'd mnemonics */
	char *name[SLIP39_MAX_SHARES]; /* labels for errors */
	struct slip39_share *sh;       /* sodium_malloc'd, SLIP39_MAX_SHARES */
	size_t n;
};

/* Shares from a file ("-" for stdin): a sheet gives one, other files one
 * per line. Appended undecoded to mn, with their labels. 0 or -1. */
int shares_read(struct shares *s, const char *path);
/* Words typed at the terminal, share by share, until the shares are
 * enough or a blank line. Each share is decoded and checked against h as
 * it comes. 0 or -1. */
int shares_prompt(struct shares *s, const struct vault_header *h);
/* The vault's identifier against the (decoded) shares: a share of another
 * backup is named; shares that all belong to another backup blame the
 * vault. 0 or -1 with a message. */
int shares_check_ids(const struct shares *s, const struct vault_header *h,
    const char *vault);
void shares_free(struct shares *s);

#endif
