/* SLIP-39: combining shares, with errors that say what is wrong or
 * missing, share by share and group by group. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "backup/slip39.h"
#include "core/util.h"

static const char *
share_name(const char *const *names, size_t i, char buf[32])
{
	if (names != NULL && names[i] != NULL)
		return names[i];
	snprintf(buf, 32, "share %zu", i + 1);
	return buf;
}

/* Every share must come from the same split as the first. */
static int
check_alike(const struct slip39_share *sh, size_t n,
    const char *const *names, char *err, size_t errlen)
{
	const struct slip39_share *a = &sh[0], *b;
	char n1[32], n2[32];
	const char *what;
	size_t i, j;
	int ext;

	for (i = 1; i < n; i++) {
		b = &sh[i];
		if (b->id != a->id)
			return errf(err, errlen,
			    "%s is from a different backup than %s "
			    "(identifier %u, not %u): use shares of one backup",
			    share_name(names, i, n1), share_name(names, 0, n2),
			    b->id, a->id);
		/* the same identifier: a share of another split (with the
		 * same identifier), or made by another tool */
		if (b->ext != a->ext || b->exp != a->exp) {
			ext = b->ext != a->ext;
			return errf(err, errlen,
			    "%s is from a different backup than %s (the same "
			    "identifier %u, but %s %u, not %u): use shares of "
			    "one backup",
			    share_name(names, i, n1), share_name(names, 0, n2),
			    b->id, ext ? "extendable flag" : "iteration exponent",
			    ext ? b->ext : b->exp, ext ? a->ext : a->exp);
		}
		what = NULL;
		if (b->group_threshold != a->group_threshold)
			what = "group threshold";
		else if (b->group_count != a->group_count)
			what = "group count";
		else if (b->len != a->len)
			what = "secret length";
		if (what != NULL)
			return errf(err, errlen,
			    "%s and %s have the same identifier but a "
			    "different %s: one of them is damaged",
			    share_name(names, 0, n1), share_name(names, i, n2),
			    what);
	}
	if (a->group_threshold > a->group_count)
		return errf(err, errlen,
		    "%s: group threshold %d is more than the group count %d",
		    share_name(names, 0, n1), a->group_threshold,
		    a->group_count);
	for (i = 0; i < n; i++)
		if (sh[i].group_index >= sh[i].group_count)
			return errf(err, errlen,
			    "%s: group index %d is not less than the group "
			    "count %d: not a valid share",
			    share_name(names, i, n1), sh[i].group_index,
			    sh[i].group_count);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			a = &sh[i];
			b = &sh[j];
			if (a->group_index != b->group_index)
				continue;
			if (a->member_threshold != b->member_threshold)
				return errf(err, errlen,
				    "%s and %s are in group %d but ask for "
				    "%d and %d shares: one of them is damaged",
				    share_name(names, i, n1),
				    share_name(names, j, n2),
				    a->group_index + 1, a->member_threshold,
				    b->member_threshold);
			if (a->member_index != b->member_index)
				continue;
			if (sodium_memcmp(a->value, b->value, a->len) == 0)
				return errf(err, errlen,
				    "%s is a duplicate of %s (group %d, "
				    "member %d): give a different share",
				    share_name(names, j, n1),
				    share_name(names, i, n2),
				    a->group_index + 1, a->member_index + 1);
			return errf(err, errlen,
			    "%s and %s are both group %d member %d but "
			    "differ: one of them is wrong",
			    share_name(names, i, n1), share_name(names, j, n2),
			    a->group_index + 1, a->member_index + 1);
		}
	return 0;
}

/* "too few shares" with what is missing, group by group: RC_SHORT. */
static int
too_few(const struct slip39_share *sh, const uint8_t *cnt,
    const uint8_t *thr, int complete, char *err, size_t errlen)
{
	size_t o;
	int g, none = 0;

	if (sh->group_count == 1) {
		snprintf(err, errlen,
		    "too few shares: have %d of the %d needed (%d more)",
		    cnt[0], thr[0], thr[0] - cnt[0]);
		return RC_SHORT;
	}
	o = (size_t)snprintf(err, errlen,
	    "too few shares: %d of %d groups are needed and %d %s complete",
	    sh->group_threshold, sh->group_count, complete,
	    complete == 1 ? "is" : "are");
	for (g = 0; g < sh->group_count && o < errlen; g++) {
		if (cnt[g] == 0)
			none++;
		else if (cnt[g] < thr[g])
			o += (size_t)snprintf(err + o, errlen - o,
			    "; group %d has %d of %d (%d more)", g + 1, cnt[g],
			    thr[g], thr[g] - cnt[g]);
	}
	if (none > 0 && o < errlen)
		snprintf(err + o, errlen - o,
		    "; %d group%s no shares yet", none,
		    none == 1 ? " has" : "s have");
	return RC_SHORT;
}

int
slip39_recover_ems(const struct slip39_share *sh, size_t n,
    const char *const *names, uint8_t *ems, size_t *len, char *err,
    size_t errlen)
{
	uint8_t cnt[SLIP39_MAX_GROUPS] = {0}, thr[SLIP39_MAX_GROUPS] = {0};
	uint8_t xs[SLIP39_MAX_MEMBERS], gx[SLIP39_MAX_GROUPS];
	uint8_t *ys = NULL, *gy = NULL, *chk = NULL;
	size_t i, l, m, ng = 0;
	char n1[32];
	int g, complete = 0, rv = -1;

	if (n == 0)
		return errf(err, errlen, "no shares given");
	if (check_alike(sh, n, names, err, errlen) == -1)
		return -1;
	l = sh[0].len;
	for (i = 0; i < n; i++) {
		cnt[sh[i].group_index]++;
		thr[sh[i].group_index] = sh[i].member_threshold;
	}
	for (g = 0; g < SLIP39_MAX_GROUPS; g++)
		if (cnt[g] > 0 && cnt[g] >= thr[g])
			complete++;
	if (complete < sh[0].group_threshold)
		return too_few(sh, cnt, thr, complete, err, errlen);
	/* one guarded allocation: this runs for every set a backup proves */
	if ((ys = sodium_malloc((SLIP39_MAX_MEMBERS + SLIP39_MAX_GROUPS + 1) *
	         SLIP39_MAX_SECRET)) == NULL) {
		snprintf(err, errlen, "out of secure memory");
		goto out;
	}
	gy = ys + SLIP39_MAX_MEMBERS * SLIP39_MAX_SECRET;
	chk = gy + SLIP39_MAX_GROUPS * SLIP39_MAX_SECRET;
	/* each complete group: its secret from the first T members; any
	 * further member must lie on the same polynomial */
	for (g = 0; g < SLIP39_MAX_GROUPS; g++) {
		if (cnt[g] == 0 || cnt[g] < thr[g])
			continue;
		for (i = 0, m = 0; i < n && m < thr[g]; i++)
			if (sh[i].group_index == g) {
				xs[m] = sh[i].member_index;
				memcpy(ys + m * l, sh[i].value, l);
				m++;
			}
		if (slip39_recover_secret(thr[g], xs, ys, m, l,
		        gy + ng * l) == -1) {
			snprintf(err, errlen,
			    "the shares of group %d do not combine (digest "
			    "check failed): one of them is wrong or altered",
			    g + 1);
			goto out;
		}
		for (; i < n; i++) {
			if (sh[i].group_index != g)
				continue;
			if (slip39_interpolate(xs, ys, thr[g], l,
			        sh[i].member_index, chk) == -1 ||
			    sodium_memcmp(chk, sh[i].value, l) != 0) {
				snprintf(err, errlen,
				    "%s does not agree with the other shares "
				    "of group %d: it is wrong or altered",
				    share_name(names, i, n1), g + 1);
				goto out;
			}
		}
		gx[ng++] = (uint8_t)g;
	}
	if (slip39_recover_secret(sh[0].group_threshold, gx, gy,
	        sh[0].group_threshold, l, ems) == -1) {
		snprintf(err, errlen,
		    "the groups do not combine (digest check failed): a "
		    "share is wrong or altered");
		goto out;
	}
	for (i = sh[0].group_threshold; i < ng; i++) {
		if (slip39_interpolate(gx, gy, sh[0].group_threshold, l,
		        gx[i], chk) == -1 ||
		    sodium_memcmp(chk, gy + i * l, l) != 0) {
			snprintf(err, errlen,
			    "group %d does not agree with the other groups: "
			    "one of its shares is wrong or altered",
			    gx[i] + 1);
			sodium_memzero(ems, l);
			goto out;
		}
	}
	*len = l;
	rv = 0;
out:
	sodium_memzero(xs, sizeof(xs));
	sodium_free(ys);
	return rv;
}

int
slip39_combine(const struct slip39_share *sh, size_t n,
    const char *const *names, const char *pass, uint8_t *ms, size_t *len,
    char *err, size_t errlen)
{
	if (!slip39_pass_ok(pass) || strlen(pass) > 255)
		return errf(err, errlen, "the SLIP-39 passphrase must be "
		                         "printable ASCII, at most 255 "
		                         "characters");
	if (slip39_recover_ems(sh, n, names, ms, len, err, errlen) != 0)
		return -1;
	if (slip39_decrypt(ms, *len, pass, sh[0].exp, sh[0].id, sh[0].ext,
	        ms) == -1) {
		sodium_memzero(ms, *len);
		return errf(err, errlen, "SLIP-39 decryption failed");
	}
	return 0;
}
