/* ceremony template: jitp_template.json and register.sh, for one
 * registration or for several regions and accounts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "ca/caref.h"
#include "ca/keyquality.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "ca/register.h"
#include "ca/template.h"
#include "core/transcript.h"
#include "core/util.h"

#define NAMECHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static const char usage_text[] =
    "usage: ceremony template --region R[:ID][,...] ... [--account ID ...]\n"
    "                         [--role NAME | --role-arn ARN] [--policy P]\n"
    "                         [--mode M] [--template-name NAME] [--ca NAME]\n"
    "                         [--force]\n\n"
    "Writes jitp_template.json (the --registration-config for AWS IoT JITP)\n"
    "and register.sh (the exact aws iot register-ca-certificate command),\n"
    "and regions.txt, the list of registrations.\n\n"
    "  --region R         AWS region, e.g. us-east-2; repeat it or give a\n"
    "                     comma list for several; R:ID names the account\n"
    "                     for that region alone\n"
    "  --account ID       12-digit AWS account id, for every region without\n"
    "                     its own :ID; repeat it for several accounts\n"
    "                     (sni-only: DEFAULT mode allows one per region)\n"
    "  --role NAME        provisioning role name (default JITPRole)\n"
    "  --role-arn ARN     full role ARN instead of --account/--role\n"
    "  --policy P         scoped (default: each thing may connect as itself\n"
    "                     and use topics under its name), admin (iot:* on\n"
    "                     *, for tests only), or name:POLICY (an existing\n"
    "                     policy)\n"
    "  --mode M           default (with the verification certificate) or\n"
    "                     sni-only (--certificate-mode SNI_ONLY, no\n"
    "                     verification certificate)\n"
    "  --template-name NAME  use a template made with\n"
    "                     create-provisioning-template --type JITP\n"
    "  --ca NAME          register intermediate CA NAME (its files in\n"
    "                     intermediate/NAME/) instead of the root\n"
    "  --force            replace existing outputs\n\n"
    "One registration, with no regions/R[-ID]/ folder from 'ceremony\n"
    "verification --region', writes jitp_template.json and register.sh\n"
    "in the CA's folder. Several (or one whose folder exists) write them\n"
    "into regions/R[-ID]/ each, and register-all.sh, which runs every\n"
    "region's register.sh in turn and stops at the first failure.\n";

static int
name_ok(const char *s, const char *extra, size_t max)
{
	char set[128];

	snprintf(set, sizeof(set), "%s%s", NAMECHARS, extra);
	return *s && strlen(s) <= max && str_only(s, set);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
cmd_template(int argc, char **argv)
{
	static const struct option opts[] = {
		{"region", 1, NULL, 'r'}, {"account", 1, NULL, 'a'},
		{"role", 1, NULL, 'R'}, {"role-arn", 1, NULL, 'A'},
		{"policy", 1, NULL, 'p'}, {"mode", 1, NULL, 'm'},
		{"template-name", 1, NULL, 't'}, {"ca", 1, NULL, 'c'},
		{"force", 0, NULL, 'f'}, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct plan p;
	const char *role = "JITPRole", *mode = "default", *caname = NULL;
	const char *role_arn = NULL, *policy = "scoped", *tname = NULL;
	const char **inputs = NULL, **outputs = NULL;
	char regtxt[REGISTER_PATH_MAX], allsh[REGISTER_PATH_MAX], stale[3][REGISTER_PATH_MAX];
	char rel[REGISTER_PATH_MAX], err[512], acct[13] = "", label[96], cmdhint[96];
	char *regions = NULL, *all = NULL;
	struct template_info info = {0};
	struct template_opts o;
	struct caref ca;
	struct reg *r;
	X509 *cacert = NULL;
	json_t *args, *list, *removed = NULL;
	size_t i, ni = 0, no = 0, nstale = 0;
	int c, sni, multi, force = 0, rv = EXIT_USAGE;

	memset(&p, 0, sizeof(p));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
		case 'a':
			if ((c == 'r' ? p.nitems : p.naccounts) == REGIONS_MAX) {
				warnf("template: more than %d --%s", REGIONS_MAX,
				    c == 'r' ? "region" : "account");
				return EXIT_USAGE;
			}
			if (c == 'r')
				p.items[p.nitems++] = optarg;
			else
				p.accounts[p.naccounts++] = optarg;
			break;
		case 'R': role = optarg; break;
		case 'A': role_arn = optarg; break;
		case 'p': policy = optarg; break;
		case 'm': mode = optarg; break;
		case 't': tname = optarg; break;
		case 'c': caname = optarg; break;
		case 'f': force = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		warnf("template: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (p.nitems == 0) {
		warnf("--region: required (e.g. us-east-2)");
		return EXIT_USAGE;
	}
	for (i = 0; i < p.naccounts; i++) {
		if (!region_account_ok(p.accounts[i])) {
			warnf("--account: '%s' is not a 12-digit AWS account "
			      "id", p.accounts[i]);
			return EXIT_USAGE;
		}
	}
	if (!name_ok(role, "+=,.@_-", 64)) {
		warnf("--role: '%s' is not an IAM role name (1-64 of "
		      "[A-Za-z0-9+=,.@_-])", role);
		return EXIT_USAGE;
	}
	if (strcmp(policy, "scoped") != 0 && strcmp(policy, "admin") != 0 &&
	    (strncmp(policy, "name:", 5) != 0 ||
	     !name_ok(policy + 5, "+=,.@_-", 128))) {
		warnf("--policy: '%s' is not scoped, admin or name:POLICY "
		      "(1-128 of [A-Za-z0-9+=,.@_-])", policy);
		return EXIT_USAGE;
	}
	if (strcmp(mode, "default") != 0 && strcmp(mode, "sni-only") != 0) {
		warnf("--mode: '%s' is not default or sni-only", mode);
		return EXIT_USAGE;
	}
	sni = strcmp(mode, "sni-only") == 0;
	if (tname != NULL && !name_ok(tname, "_-", 36)) {
		warnf("--template-name: '%s' is not 1-36 of [0-9A-Za-z_-]",
		    tname);
		return EXIT_USAGE;
	}
	if (role_arn != NULL && !template_role_arn_ok(role_arn)) {
		warnf("--role-arn: roleArn '%s' is not "
		      "arn:aws:iam::<12 digits>:role/<name>", role_arn);
		return EXIT_USAGE;
	}
	if (role_arn != NULL) /* the account the role lives in */
		snprintf(acct, sizeof(acct), "%.12s", strstr(role_arn, "::") + 2);
	if (plan_expand(&p, role_arn ? acct : NULL, sni) == -1)
		return EXIT_USAGE;
	for (i = 0; i < p.n; i++) {
		r = &p.r[i];
		if (role_arn != NULL && r->g.account[0] &&
		    strcmp(r->g.account, acct) != 0) {
			warnf("--role-arn names a role in account %s; account "
			      "%s needs its own role: use --account and --role",
			    acct, r->g.account);
			return EXIT_USAGE;
		}
		if (role_arn == NULL && tname == NULL && !r->g.account[0]) {
			warnf("template: give --account ID (12 digits) or "
			      "--role-arn ARN%s%s", p.n > 1 ? " for " : "",
			    p.n > 1 ? r->g.region : "");
			return EXIT_USAGE;
		}
	}
	if (caref_open(&ca, caname, err, sizeof(err)) == -1) {
		warnf("%s", err);
		return EXIT_USAGE;
	}
	caref_label(&ca, label, sizeof(label));
	snprintf(cmdhint, sizeof(cmdhint), "%s%s", ca.name[0] ? " --ca " : "",
	    ca.name);

	/* one registration in the CA's folder, or each in regions/ */
	plan_sort(&p);
	multi = p.n > 1;
	for (i = 0; i < p.n; i++) {
		if (region_dir(&p.r[i].g, p.r[i].sub, sizeof(p.r[i].sub)) ||
		    caref_path(&ca, p.r[i].sub, rel, sizeof(rel)) == -1)
			goto toolong;
		if (is_dir(rel))
			multi = 1;
	}
	for (i = 0; i < p.n; i++) {
		r = &p.r[i];
		if (!multi)
			r->sub[0] = 0;
		snprintf(rel, sizeof(rel), "%s%s" TEMPLATE_FILE, r->sub,
		    r->sub[0] ? "/" : "");
		if (caref_path(&ca, rel, r->tpl, sizeof(r->tpl)) == -1)
			goto toolong;
		snprintf(rel, sizeof(rel), "%s%s" REGISTER_FILE, r->sub,
		    r->sub[0] ? "/" : "");
		if (caref_path(&ca, rel, r->script, sizeof(r->script)) == -1)
			goto toolong;
		snprintf(rel, sizeof(rel), "%s%s" VER_CERT, r->sub,
		    r->sub[0] ? "/" : "");
		if (caref_path(&ca, rel, r->ver, sizeof(r->ver)) == -1)
			goto toolong;
	}
	if (caref_path(&ca, REGIONS_FILE, regtxt, sizeof(regtxt)) == -1 ||
	    caref_path(&ca, REGISTER_ALL, allsh, sizeof(allsh)) == -1)
		goto toolong;

	/* refuse before writing anything */
	for (i = 0; i < p.n; i++)
		if (file_check_new(p.r[i].tpl, force) == -1 ||
		    file_check_new(p.r[i].script, force) == -1)
			return EXIT_USAGE;
	/* the other layout's scripts would register something else */
	if (multi) {
		caref_path(&ca, TEMPLATE_FILE, stale[nstale++], REGISTER_PATH_MAX);
		caref_path(&ca, REGISTER_FILE, stale[nstale++], REGISTER_PATH_MAX);
	} else
		snprintf(stale[nstale++], REGISTER_PATH_MAX, "%s", allsh);
	for (i = 0; i < nstale; i++) {
		if (file_exists(stale[i]) && !force) {
			warnf("%s exists (from a %s registration); use --force "
			      "to replace it", stale[i], multi ?
			      "single-region" : "several-region");
			return EXIT_USAGE;
		}
	}
	if (file_check_new(regtxt, force) == -1 ||
	    (multi && file_check_new(allsh, force) == -1))
		return EXIT_USAGE;
	if ((cacert = pki_cert_load(ca.cert)) == NULL)
		goto out;
	if (keyquality_cert(cacert, err, sizeof(err)) == -1) {
		warnf("%s: %s; not registered", ca.cert, err);
		rv = EXIT_CHECK;
		goto out;
	}
	if ((inputs = calloc(p.n + 2, sizeof(*inputs))) == NULL ||
	    (outputs = calloc(2 * p.n + 3, sizeof(*outputs))) == NULL)
		goto out;
	inputs[ni++] = ca.cert;
	for (i = 0; i < p.n; i++) {
		r = &p.r[i];
		if (!sni) {
			if ((rv = plan_ver_check(r, cacert, label, cmdhint)) != 0)
				goto out;
			inputs[ni++] = r->ver;
		}
		rv = EXIT_USAGE;
		if (role_arn == NULL && tname == NULL &&
		    asprintf(&r->arn, "arn:aws:iam::%s:role/%s", r->g.account,
			role) == -1) {
			r->arn = NULL;
			goto out;
		}
		o.region = r->g.region;
		o.account = r->g.account[0] ? r->g.account : NULL;
		o.role_arn = role_arn ? role_arn : r->arn;
		o.policy = policy;
		o.template_name = tname;
		if (template_build(&o, &r->cfg, &r->len, err, sizeof(err)) ==
		    -1) {
			warnf("template: %s", err);
			goto out;
		}
		r->cfg[r->len++] = '\n'; /* replaces the NUL; length-bounded */
		template_info_free(&info);
		if (template_check_text(r->cfg, r->len, &info, err,
			sizeof(err)) == -1) {
			warnf("%s: check failed, nothing written: %s", r->tpl,
			    err);
			rv = EXIT_CHECK;
			goto out;
		}
	}

	/* write: templates, then the scripts that pin them */
	for (i = 0; i < p.n; i++) {
		r = &p.r[i];
		if (r->sub[0]) {
			caref_path(&ca, r->sub, rel, sizeof(rel));
			if (dir_make(rel, 0755) == -1) {
				warnf("%s: cannot make the folder", rel);
				goto out;
			}
		}
		if (file_write(r->tpl, r->cfg, r->len, 0644, force) == -1)
			goto out;
		outputs[no++] = r->tpl;
	}
	for (i = 0; i < p.n; i++) {
		struct register_job j = {ca.dir, ca.name, p.r[i].sub,
		    p.r[i].g.region, role_arn ? role_arn : p.r[i].arn, tname,
		    sni};

		r = &p.r[i];
		if ((r->text = register_script(&j)) == NULL ||
		    file_write(r->script, r->text, strlen(r->text), 0755,
			force) == -1) {
			warnf("%s: cannot write", r->script);
			goto out;
		}
		outputs[no++] = r->script;
	}
	{
		struct region_reg v[REGIONS_MAX];

		for (i = 0; i < p.n; i++)
			v[i] = p.r[i].g;
		if ((regions = regions_format(v, p.n)) == NULL)
			goto out;
		if (multi && ((all = register_all_script(ca.dir, ca.name, v,
			p.n)) == NULL ||
		    file_write(allsh, all, strlen(all), 0755, force) == -1)) {
			warnf("%s: cannot write", allsh);
			goto out;
		}
	}
	if (multi)
		outputs[no++] = allsh;
	if (file_write(regtxt, regions, strlen(regions), 0644, force) == -1)
		goto out;
	outputs[no++] = regtxt;
	for (i = 0; i < nstale; i++) {
		if (!file_exists(stale[i]))
			continue;
		if (unlink(stale[i]) == -1) {
			warnf("%s: cannot remove it", stale[i]);
			goto out;
		}
		if (removed == NULL)
			removed = json_array();
		json_array_append_new(removed, json_string(stale[i]));
	}

	list = json_array();
	for (i = 0; i < p.n && list != NULL; i++) {
		char line[64];

		snprintf(line, sizeof(line), "%s %s %s", p.r[i].g.region,
		    p.r[i].g.account[0] ? p.r[i].g.account : "-",
		    region_mode(&p.r[i].g));
		json_array_append_new(list, json_string(line));
	}
	args = json_pack("{s:s,s:s,s:s,s:s?,s:s?}", "region", p.r[0].g.region,
	    "policy", policy, "mode", mode, "role_arn", role_arn ? role_arn :
	    p.n == 1 ? p.r[0].arn : NULL, "template_name", tname);
	if (args != NULL && p.n > 1) {
		json_object_del(args, "region");
		if (role_arn == NULL && tname == NULL)
			json_object_set_new(args, "role", json_string(role));
	}
	if (args != NULL && list != NULL)
		json_object_set_new(args, "registrations", list);
	if (args != NULL && ca.name[0])
		json_object_set_new(args, "ca", json_string(ca.name));
	if (transcript_append("template", args, inputs, outputs,
		removed ? json_pack("{s:o}", "removed", removed) : NULL) == -1) {
		removed = NULL;
		goto out;
	}
	removed = NULL;

	if (ca.name[0])
		printf("CA              %s: register.sh sends %s, not the "
		       "root\n", label, ca.cert);
	if (!multi) {
		r = &p.r[0];
		printf("JITP template   %s\n", r->tpl);
		if (tname)
			printf("  named template %s\n", tname);
		else
			printf("  role          %s\n  policy        %s\n",
			    role_arn ? role_arn : r->arn, policy);
		printf("Register        %s (region %s, mode %s)\n", r->script,
		    r->g.region, mode);
	} else {
		printf("Registrations   %zu, listed in %s (policy %s)\n", p.n,
		    regtxt, tname ? tname : policy);
		for (i = 0; i < p.n; i++)
			printf("  %-16s %-12s %-8s  %s\n", p.r[i].g.region,
			    p.r[i].g.account[0] ? p.r[i].g.account : "-",
			    region_mode(&p.r[i].g), p.r[i].script);
		printf("Register all    %s (stops at the first failure)\n",
		    allsh);
	}
	if (strcmp(policy, "admin") == 0 && tname == NULL)
		warnf("warning: --policy admin grants every device every IoT "
		      "action (iot:* on *); use it only for tests");
	rv = 0;
	goto out;
toolong:
	warnf("template: a path is too long");
out:
	json_decref(removed);
	template_info_free(&info);
	X509_free(cacert);
	plan_free(&p);
	free(inputs);
	free(outputs);
	free(regions);
	free(all);
	return rv;
}
