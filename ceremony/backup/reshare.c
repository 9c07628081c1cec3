/* backup --reshare: a new vault key and new shares for the same CA key
 * and signing key. The old vault is opened with enough of its shares and
 * its items are sealed, byte for byte, into the new vault; cmd_backup.c
 * writes and proves the new backup as for any backup, then
 * reshare_retire puts it in place:
 *   1. the new backup is complete and proved in backup.new-XXXXXX;
 *   2. renameat2(RENAME_EXCHANGE) swaps it with backup/ in one step;
 *   3. the old one (now backup.new-XXXXXX) becomes backup.retired-DATE.
 * A crash before 2 leaves the old backup/ untouched (and a stray
 * backup.new-XXXXXX); after 2, backup/ is the new backup and the old one
 * is in backup.new-XXXXXX or backup.retired-DATE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backup/reshare.h"
#include "core/util.h"

int
reshare_option(struct unlock *u, int opt, const char *arg)
{
	if (opt != OSPASS_OPT_FILE && opt != OSPASS_OPT_FD)
		return -1;
	if (pass_option(&u->ssrc, opt == OSPASS_OPT_FILE ? PASS_OPT_FILE :
	        PASS_OPT_FD, arg) != 0)
		return RC_USAGE;
	u->ask = 1;
	return 0;
}

int
reshare_open(struct unlock *u)
{
	int r;

	u->vault = BACKUP_VAULT;
	u->verb = "Resharing";
	if (!file_exists(BACKUP_VAULT)) {
		warnf("%s: no backup to reshare; make one with 'ceremony "
		      "backup'", BACKUP_VAULT);
		return -1;
	}
	if ((r = unlock_load(u)) != 0 || (r = unlock_shares(u)) != 0 ||
	    (r = unlock_vault(u)) != 0)
		return r;
	fprintf(stderr, "Opened %s (%s, identifier %u) with %zu shares\n",
	    BACKUP_VAULT, u->h.scheme, u->h.slip39_id, u->s.n);
	return 0;
}

/* backup.retired-YYYY-MM-DD, or with -2, -3... when taken. */
static int
retired_name(char *out, size_t len)
{
	char day[21];
	int n;

	utc_iso(time(NULL), day);
	day[10] = 0;
	for (n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(out, len, "%s%s", RETIRED_PREFIX, day);
		else
			snprintf(out, len, "%s%s-%d", RETIRED_PREFIX, day, n);
		if (!file_exists(out))
			return 0;
	}
	warnf("%s%s-*: too many retired backups today; move some away",
	    RETIRED_PREFIX, day);
	return -1;
}

int
reshare_retire(const char *tmpdir, char *retired, size_t len)
{
	if (retired_name(retired, len) == -1)
		return -1;
	if (renameat2(AT_FDCWD, tmpdir, AT_FDCWD, BACKUP_DIR,
	        RENAME_EXCHANGE) == -1) {
		warnf("%s: cannot swap with %s: %s; the old backup is "
		      "unchanged", tmpdir, BACKUP_DIR, strerror(errno));
		return -1;
	}
	dir_sync(BACKUP_DIR);
	if (rename(tmpdir, retired) == -1) {
		warnf("%s: the new backup is in place, but the old one stays "
		      "in %s: cannot rename it to %s: %s", BACKUP_DIR, tmpdir,
		    retired, strerror(errno));
		return -1;
	}
	dir_sync(retired);
	return 0;
}

json_t *
reshare_info(const struct unlock *u, const char *retired)
{
	const struct shares *s = &u->s;
	char sha[65];
	json_t *ids;
	size_t i;

	sha256_hex(u->text, u->len, sha);
	if ((ids = json_array()) == NULL)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (json_array_append_new(ids, json_sprintf("%u-%d-%d",
		        s->sh[i].id, s->sh[i].group_index + 1,
		        s->sh[i].member_index + 1)) == -1) {
			json_decref(ids);
			return NULL;
		}
	return json_pack("{s:s,s:i,s:b,s:s,s:o,s:s}", "scheme", u->h.scheme,
	    "slip39_id", (int)u->h.slip39_id, "share_passphrase",
	    u->h.slip39_pass, "vault_sha256", sha, "shares", ids, "retired",
	    retired);
}
