/* The registrations ceremony template writes: --region items times the
 * accounts they apply to, checked against AWS's rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/pki.h"
#include "ca/register.h"
#include "core/util.h"

static int
add_reg(struct plan *p, const char *region, size_t rlen, const char *acct,
    int sni)
{
	struct region_reg *g;
	size_t i;

	if (rlen == 0 || rlen > REGION_NAME_MAX) {
		warnf("--region: '%.*s' is not a region name like us-east-2",
		    (int)(rlen > 64 ? 64 : rlen), region);
		return -1;
	}
	if (p->n == REGIONS_MAX) {
		warnf("template: more than %d registrations", REGIONS_MAX);
		return -1;
	}
	g = &p->r[p->n].g;
	memcpy(g->region, region, rlen);
	g->region[rlen] = 0;
	snprintf(g->account, sizeof(g->account), "%s", acct ? acct : "");
	g->sni = sni;
	if (!region_name_ok(g->region)) {
		warnf("--region: '%s' is not a region name like us-east-2",
		    g->region);
		return -1;
	}
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->r[i].g.region, g->region) != 0)
			continue;
		if (strcmp(p->r[i].g.account, g->account) == 0) {
			warnf("--region: %s%s%s is named twice", g->region,
			    g->account[0] ? " for account " : "", g->account);
			return -1;
		}
		if (!sni) {
			warnf("--region %s: DEFAULT mode registers a CA in one "
			      "account per region (AWS); use --mode sni-only "
			      "for several accounts", g->region);
			return -1;
		}
	}
	p->n++;
	return 0;
}

int
plan_expand(struct plan *p, const char *role_acct, int sni)
{
	const char *item, *colon, *comma, *acct;
	char one[13];
	size_t i, k, len;

	for (i = 0; i < p->nitems; i++) {
		for (item = p->items[i]; *item; item = comma + 1) {
			comma = strchr(item, ',');
			len = comma ? (size_t)(comma - item) : strlen(item);
			colon = memchr(item, ':', len);
			if (colon != NULL) {
				acct = colon + 1;
				if ((size_t)(item + len - acct) != 12 ||
				    strspn(acct, "0123456789") < 12) {
					warnf("--region: '%.*s': the account "
					      "after ':' is not 12 digits",
					    (int)len, item);
					return -1;
				}
				memcpy(one, acct, 12);
				one[12] = 0;
				if (add_reg(p, item, (size_t)(colon - item), one,
					sni) == -1)
					return -1;
			} else if (p->naccounts == 0) {
				if (add_reg(p, item, len, role_acct, sni) == -1)
					return -1;
			} else {
				for (k = 0; k < p->naccounts; k++)
					if (add_reg(p, item, len,
						p->accounts[k], sni) == -1)
						return -1;
			}
			if (comma == NULL)
				break;
		}
	}
	return 0;
}

int
plan_ver_check(const struct reg *r, const X509 *ca, const char *label,
    const char *cmd)
{
	char err[256];
	X509 *v;
	int rv;

	if (!file_exists(r->ver)) {
		warnf("%s is missing; run 'ceremony verification "
		      "--registration-code CODE%s%s%s%s%s' first (or use "
		      "--mode sni-only)", r->ver, r->sub[0] ? " --region " : "",
		    r->sub[0] ? r->g.region : "",
		    r->sub[0] && r->g.account[0] ? " --account " : "",
		    r->sub[0] ? r->g.account : "", cmd);
		return EXIT_USAGE;
	}
	if ((v = pki_cert_load(r->ver)) == NULL)
		return EXIT_USAGE;
	rv = pki_lint(v, ca, PROFILE_VERIFICATION, err, sizeof(err));
	X509_free(v);
	if (rv == -1) {
		warnf("%s: not a verification certificate of the %s: %s",
		    r->ver, label, err);
		return EXIT_CHECK;
	}
	return 0;
}

void
plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->r[i].arn);
		free(p->r[i].cfg);
		free(p->r[i].text);
	}
}

static int
cmp_reg(const void *a, const void *b)
{
	return region_cmp(&((const struct reg *)a)->g,
	    &((const struct reg *)b)->g);
}

void
plan_sort(struct plan *p)
{
	qsort(p->r, p->n, sizeof(p->r[0]), cmp_reg);
}
