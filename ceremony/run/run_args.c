/* Command lines of the steps `ceremony run` takes, from the config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/run.h"
#include "core/util.h"

void
argv_push(struct argv_buf *a, const char *s)
{
	if (a->n < MAXARGS)
		a->v[a->n++] = strdup(s);
	a->v[a->n] = NULL;
}

void
argv_free(struct argv_buf *a)
{
	while (a->n > 0)
		free(a->v[--a->n]);
}

const char *
run_get(struct run *r, const char *sec, const char *key)
{
	return config_get(&r->cfg, sec, key);
}

/* --flag VALUE when the key is set. */
void
run_opt(struct argv_buf *a, struct run *r, const char *sec, const char *key,
    const char *flag)
{
	const char *v = run_get(r, sec, key);

	if (v != NULL) {
		argv_push(a, flag);
		argv_push(a, v);
	}
}

/* --flag ITEM for each comma-separated item. */
void
run_opt_list(struct argv_buf *a, struct run *r, const char *sec, const char *key,
    const char *flag)
{
	const char *v = run_get(r, sec, key);
	char *copy, *tok, *save;

	if (v == NULL || (copy = strdup(v)) == NULL)
		return;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		argv_push(a, flag);
		argv_push(a, str_trim(tok));
	}
	free(copy);
}

/* The step's argv, without passphrase options. */
int
run_step_args(struct run *r, const char *step, struct argv_buf *a)
{
	argv_push(a, step);
	if (strcmp(step, "root") == 0) {
		run_opt(a, r, "root", "key", "--key");
		argv_push(a, "--subject");
		argv_push(a, r->subject);
		run_opt(a, r, "root", "days", "--days");
		if (!r->rehearse)
			run_opt(a, r, "root", "key_uri", "--key-uri");
		else if (r->rehearse_uri[0] != 0) {
			argv_push(a, "--key-uri");
			argv_push(a, r->rehearse_uri);
		}
		if (r->pass == NULL)
			argv_push(a, "--no-passphrase");
	} else if (strcmp(step, "verification") == 0) {
		argv_push(a, "--registration-code");
		argv_push(a, r->code[0] ? r->code :
		    run_get(r, "verification", "registration_code") ?
		    run_get(r, "verification", "registration_code") : "ask");
		run_opt(a, r, "verification", "days", "--days");
		run_opt(a, r, "verification", "key", "--key");
		run_opt(a, r, "verification", "region", "--region");
		run_opt(a, r, "verification", "account", "--account");
	} else if (strcmp(step, "template") == 0) {
		run_opt_list(a, r, "template", "region", "--region");
		run_opt_list(a, r, "template", "account", "--account");
		run_opt(a, r, "template", "role", "--role");
		run_opt(a, r, "template", "role_arn", "--role-arn");
		run_opt(a, r, "template", "policy", "--policy");
		run_opt(a, r, "template", "mode", "--mode");
		run_opt(a, r, "template", "template_name", "--template-name");
	} else if (strcmp(step, "backup") == 0) {
		run_opt(a, r, "backup", "threshold", "--threshold");
		run_opt(a, r, "backup", "shares", "--shares");
		run_opt_list(a, r, "backup", "groups", "--group");
		run_opt(a, r, "backup", "group_threshold", "--group-threshold");
		run_opt_list(a, r, "backup", "custodians", "--custodian");
		run_opt(a, r, "backup", "iteration_exponent",
		    "--iteration-exponent");
		run_opt(a, r, "backup", "paper", "--paper");
	} else if (strcmp(step, "bundle") == 0) {
		run_opt_list(a, r, "bundle", "formats", "--format");
		if (run_get(r, "bundle", "name") != NULL || r->rehearse) {
			char name[256];
			snprintf(name, sizeof(name), "%s%s", r->rehearse ?
			    "REHEARSAL-" : "", run_get(r, "bundle", "name") ?
			    run_get(r, "bundle", "name") : "bundle");
			argv_push(a, "--name");
			argv_push(a, name);
		}
		run_opt(a, r, "bundle", "parity", "--parity");
		run_opt(a, r, "bundle", "qr_version", "--qr-version");
		run_opt(a, r, "bundle", "qr_level", "--qr-level");
		run_opt(a, r, "bundle", "scale", "--scale");
		run_opt(a, r, "bundle", "paper", "--paper");
	}
	return 0;
}

void
run_sh_word(FILE *f, const char *s)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz"
				    "0123456789@%+=:,./_-";

	if (*s != 0 && str_only(s, plain)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s != 0; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

int
run_feed(struct argv_buf *a, const char *flag, const char *pass, int *fd)
{
	char num[16];
	int p[2], i;

	if (pipe(p) == -1)
		return -1;
	for (i = 0; i < 8; i++)
		if (write(p[1], pass, strlen(pass)) < 0 ||
		    write(p[1], "\n", 1) < 0)
			break;
	close(p[1]);
	snprintf(num, sizeof(num), "%d", p[0]);
	argv_push(a, flag);
	argv_push(a, num);
	*fd = p[0];
	return 0;
}


/* Items of a comma list, the first copied to first (may be NULL). */
static int
list_count(const char *v, char *first, size_t len)
{
	int n = 0;
	size_t k;

	if (v == NULL)
		return 0;
	if (first != NULL) {
		while (*v == ' ' || *v == '\t')
			v++;
		k = strcspn(v, ",");
		while (k > 0 && (v[k - 1] == ' ' || v[k - 1] == '\t'))
			k--;
		snprintf(first, len, "%.*s", (int)k, v);
	}
	for (n = 1; *v; v++)
		n += *v == ',';
	return n;
}

/* [template] region lists against the mode and [verification]: DEFAULT
 * mode registers one account per region, each with the verification
 * certificate of its own registration code, and a run makes one. */
int
run_regions_check(struct run *r)
{
	const char *mode = run_get(r, "template", "mode");
	const char *vr = run_get(r, "verification", "region");
	const char *va = run_get(r, "verification", "account");
	char region[64], account[64], *colon;
	int nr, na;

	nr = list_count(run_get(r, "template", "region"), region,
	    sizeof(region));
	na = list_count(run_get(r, "template", "account"), account,
	    sizeof(account));
	if ((mode == NULL || strcmp(mode, "default") == 0) &&
	    (nr > 1 || na > 1)) {
		warnf("%s: [template] %s: DEFAULT mode registers each region "
		      "and account with a verification certificate of its own, "
		      "and a run makes one; use mode = sni-only, or run "
		      "'ceremony verification --region R --account ID' and "
		      "'ceremony template' for each after the run", r->cfg.path,
		      nr > 1 ? "several regions" : "several accounts");
		return -1;
	}
	if (va != NULL && vr == NULL) {
		warnf("%s: [verification] account needs region too",
		    r->cfg.path);
		return -1;
	}
	if (vr == NULL)
		return 0;
	if ((colon = strchr(region, ':')) != NULL) {
		*colon = 0;
		snprintf(account, sizeof(account), "%s", colon + 1);
		na = 1;
	}
	if (nr != 1 || strcmp(region, vr) != 0) {
		warnf("%s: [verification] region = %s: the template's region "
		      "must be that one region", r->cfg.path, vr);
		return -1;
	}
	if ((va == NULL) != (na == 0) || (va != NULL &&
	    strcmp(va, account) != 0)) {
		warnf("%s: [verification] account and the template's account "
		      "must be the same", r->cfg.path);
		return -1;
	}
	return 0;
}
