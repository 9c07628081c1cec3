/* backup --reshare: the keys out of the current vault with its shares,
 * and the old backup/ retired once the new one has proved itself. */
#ifndef RESHARE_H
#define RESHARE_H

#include <stddef.h>
#include <jansson.h>

#include "backup/unlock.h"

#define RETIRED_PREFIX "backup.retired-"

/* The old shares' SLIP-39 passphrase options (asked at the terminal when
 * the vault says there is one and neither is given). */
#define OSPASS_OPT_FILE 0x2004
#define OSPASS_OPT_FD 0x2005
#define OSPASS_LONGOPTS                                                    \
	{"old-share-passphrase-file", 1, NULL, OSPASS_OPT_FILE},           \
	    {"old-share-passphrase-fd", 1, NULL, OSPASS_OPT_FD}

/* getopt_long helper for OSPASS_LONGOPTS: 0 consumed, -1 not one,
 * RC_USAGE a bad value. */
int reshare_option(struct unlock *u, int opt, const char *arg);
/* Opens BACKUP_VAULT with the shares u names (files, or typed): 0, -1, or
 * RC_CHECK when the shares or the vault do not check out. */
int reshare_open(struct unlock *u);
/* Swaps the proved new backup in tmpdir with backup/ in one rename
 * (RENAME_EXCHANGE), then renames the old one, now in tmpdir, to
 * backup.retired-<UTC date>[-n]/ (its name in retired). 0 or -1. */
int reshare_retire(const char *tmpdir, char *retired, size_t len);
/* The transcript's view of the old backup: scheme, identifier, the
 * shares used (ID-G-M), where it went. New reference, or NULL. */
json_t *reshare_info(const struct unlock *u, const char *retired);

#endif
