/* ceremony template: jitp_template.json and register.sh. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ca/pki.h"
#include "ca/template.h"
#include "core/transcript.h"
#include "core/util.h"

#define MANAGED_POLICY \
	"arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define NAMECHARS LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static const char usage_text[] =
    "usage: ceremony template --region R (--account ID | --role-arn ARN)\n"
    "                         [--role NAME] [--policy P] [--mode M]\n"
    "                         [--template-name NAME] [--force]\n\n"
    "Writes jitp_template.json (the --registration-config for AWS IoT JITP)\n"
    "and register.sh (the exact aws iot register-ca-certificate command).\n\n"
    "  --region R         AWS region, e.g. us-east-2\n"
    "  --account ID       12-digit AWS account id\n"
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
    "  --force            replace existing outputs\n";

static int
region_ok(const char *r)
{
	const char *p = r;
	int parts = 0;

	/* e.g. us-east-2, us-gov-west-1, ap-southeast-1 */
	while (*p) {
		size_t n = strspn(p, LOWER);
		if (n == 0)
			break;
		p += n;
		if (*p++ != '-')
			return 0;
		parts++;
	}
	return parts >= 2 && strlen(p) >= 1 && strlen(p) <= 2 &&
	    str_only(p, "0123456789") && strlen(r) <= 32;
}

static int
name_ok(const char *s, const char *extra, size_t max)
{
	char set[128];

	snprintf(set, sizeof(set), "%s%s", NAMECHARS, extra);
	return *s && strlen(s) <= max && str_only(s, set);
}

/* register.sh: checks the files are the ceremony's, then registers. */
static char *
register_script(const char *region, const char *role_arn, int sni,
    const char *named)
{
	char ca[65], ver[65], tpl[65], *s = NULL;

	if (sha256_file_hex(CA_CERT, ca) == -1 ||
	    (!sni && sha256_file_hex(VER_CERT, ver) == -1) ||
	    sha256_file_hex(TEMPLATE_FILE, tpl) == -1)
		return NULL;
	if (asprintf(&s,
	    "#!/bin/sh\n"
	    "# Registers the ceremony's CA with AWS IoT Core for just-in-time\n"
	    "# provisioning. Run on the online machine, in the unpacked bundle.\n"
	    "# Written by ceremony " CEREMONY_VERSION ".\n"
	    "#\n"
	    "%s%s%s"
	    "set -eu\n"
	    "cd \"$(dirname \"$0\")\"\n"
	    "check() {\n"
	    "\tif command -v sha256sum >/dev/null 2>&1; then\n"
	    "\t\tgot=$(sha256sum <\"$1\" | cut -d' ' -f1)\n"
	    "\telse\n"
	    "\t\tgot=$(shasum -a 256 <\"$1\" | cut -d' ' -f1)\n"
	    "\tfi\n"
	    "\tif [ \"$got\" != \"$2\" ]; then\n"
	    "\t\techo \"register.sh: $1 is not the file the ceremony made"
	    " (SHA-256 $got, expected $2)\" >&2\n"
	    "\t\texit 1\n"
	    "\tfi\n"
	    "}\n"
	    "check deviceRootCA.pem %s\n"
	    "%s%s%s"
	    "check jitp_template.json %s\n"
	    "aws iot register-ca-certificate \\\n"
	    "\t--ca-certificate file://deviceRootCA.pem \\\n"
	    "%s"
	    "\t--set-as-active \\\n"
	    "\t--allow-auto-registration \\\n"
	    "\t--registration-config file://jitp_template.json \\\n"
	    "\t--region %s \"$@\"\n",
	    named ? "# The named template must exist (create-provisioning-"
		    "template --type JITP).\n#\n" : "# The role ",
	    named ? "" : role_arn,
	    named ? "" : " must trust iot.amazonaws.com:\n"
	    "#   {\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\n#    \"Principal\":{\"Service\":\"iot.amazonaws.com\"},"
	    "\"Action\":\"sts:AssumeRole\"}]}\n"
	    "# and have the managed policy\n#   " MANAGED_POLICY "\n#\n",
	    ca, sni ? "" : "check verificationCert.crt ", sni ? "" : ver,
	    sni ? "" : "\n", tpl,
	    sni ? "\t" REGISTER_SNI " \\\n" :
		  "\t--verification-cert file://verificationCert.crt \\\n",
	    region) == -1)
		return NULL;
	return s;
}

int
cmd_template(int argc, char **argv)
{
	static const struct option opts[] = {
		{"region", 1, NULL, 'r'}, {"account", 1, NULL, 'a'},
		{"role", 1, NULL, 'R'}, {"role-arn", 1, NULL, 'A'},
		{"policy", 1, NULL, 'p'}, {"mode", 1, NULL, 'm'},
		{"template-name", 1, NULL, 't'}, {"force", 0, NULL, 'f'},
		{"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct template_opts o = {NULL, NULL, NULL, "scoped", NULL};
	const char *role = "JITPRole", *mode = "default";
	const char *outputs[] = {TEMPLATE_FILE, REGISTER_FILE, NULL};
	const char *inputs[] = {CA_CERT, NULL, NULL};
	char *cfg = NULL, *script = NULL, *arn = NULL, err[512], acct[13];
	struct template_info info = {0};
	size_t len;
	int c, sni, force = 0, rv = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.region = optarg; break;
		case 'a': o.account = optarg; break;
		case 'R': role = optarg; break;
		case 'A': o.role_arn = optarg; break;
		case 'p': o.policy = optarg; break;
		case 'm': mode = optarg; break;
		case 't': o.template_name = optarg; break;
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
	if (o.region == NULL || !region_ok(o.region)) {
		warnf("--region: %s%s%s", o.region ? "'" : "required",
		    o.region ? o.region : "", o.region ?
		    "' is not a region name like us-east-2" : " (e.g. us-east-2)");
		return EXIT_USAGE;
	}
	if (o.account != NULL && (strlen(o.account) != 12 ||
	    !str_only(o.account, "0123456789"))) {
		warnf("--account: '%s' is not a 12-digit AWS account id",
		    o.account);
		return EXIT_USAGE;
	}
	if (!name_ok(role, "+=,.@_-", 64)) {
		warnf("--role: '%s' is not an IAM role name (1-64 of "
		      "[A-Za-z0-9+=,.@_-])", role);
		return EXIT_USAGE;
	}
	if (strcmp(o.policy, "scoped") != 0 && strcmp(o.policy, "admin") != 0 &&
	    (strncmp(o.policy, "name:", 5) != 0 ||
	     !name_ok(o.policy + 5, "+=,.@_-", 128))) {
		warnf("--policy: '%s' is not scoped, admin or name:POLICY "
		      "(1-128 of [A-Za-z0-9+=,.@_-])", o.policy);
		return EXIT_USAGE;
	}
	if (strcmp(mode, "default") != 0 && strcmp(mode, "sni-only") != 0) {
		warnf("--mode: '%s' is not default or sni-only", mode);
		return EXIT_USAGE;
	}
	sni = strcmp(mode, "sni-only") == 0;
	if (o.template_name != NULL &&
	    !name_ok(o.template_name, "_-", 36)) {
		warnf("--template-name: '%s' is not 1-36 of [0-9A-Za-z_-]",
		    o.template_name);
		return EXIT_USAGE;
	}
	if (o.role_arn != NULL && !template_role_arn_ok(o.role_arn)) {
		warnf("--role-arn: roleArn '%s' is not "
		      "arn:aws:iam::<12 digits>:role/<name>", o.role_arn);
		return EXIT_USAGE;
	}
	if (o.role_arn != NULL && o.account == NULL) {
		/* the account the role lives in */
		snprintf(acct, sizeof(acct), "%.12s",
		    strstr(o.role_arn, "::") + 2);
		o.account = acct;
	}
	if (o.role_arn == NULL && o.template_name == NULL) {
		if (o.account == NULL) {
			warnf("template: give --account ID (12 digits) or "
			      "--role-arn ARN");
			return EXIT_USAGE;
		}
		if (asprintf(&arn, "arn:aws:iam::%s:role/%s", o.account,
			role) == -1)
			return EXIT_USAGE;
		o.role_arn = arn;
	}
	if (!sni)
		inputs[1] = VER_CERT;
	if (file_check_new(TEMPLATE_FILE, force) == -1 ||
	    file_check_new(REGISTER_FILE, force) == -1)
		goto out;
	if (!file_exists(CA_CERT) || (!sni && !file_exists(VER_CERT))) {
		warnf("%s is missing; run 'ceremony %s' first",
		    file_exists(CA_CERT) ? VER_CERT : CA_CERT,
		    file_exists(CA_CERT) ? "verification --registration-code "
		    "CODE' (or use --mode sni-only" : "root");
		goto out;
	}
	if (template_build(&o, &cfg, &len, err, sizeof(err)) == -1) {
		warnf("template: %s", err);
		goto out;
	}
	cfg[len++] = '\n'; /* replaces the NUL; length-bounded below */
	if (template_check_text(cfg, len, &info, err, sizeof(err)) == -1) {
		warnf("%s: check failed, nothing written: %s", TEMPLATE_FILE,
		    err);
		rv = EXIT_CHECK;
		goto out;
	}
	if (file_write(TEMPLATE_FILE, cfg, len, 0644, force) == -1)
		goto out;
	if ((script = register_script(o.region, o.role_arn, sni,
		 o.template_name)) == NULL ||
	    file_write(REGISTER_FILE, script, strlen(script), 0755, force) ==
		-1) {
		warnf("%s: cannot write", REGISTER_FILE);
		goto out;
	}
	if (transcript_append("template", json_pack("{s:s,s:s,s:s,s:s?,s:s?}",
		"region", o.region, "policy", o.policy, "mode", mode,
		"role_arn", o.role_arn, "template_name", o.template_name),
		inputs, outputs, NULL) == -1)
		goto out;
	printf("JITP template   %s\n", TEMPLATE_FILE);
	if (o.template_name)
		printf("  named template %s\n", o.template_name);
	else
		printf("  role          %s\n  policy        %s\n", o.role_arn,
		    o.policy);
	printf("Register        %s (region %s, mode %s)\n", REGISTER_FILE,
	    o.region, mode);
	if (strcmp(o.policy, "admin") == 0 && o.template_name == NULL)
		warnf("warning: --policy admin grants every device every IoT "
		      "action (iot:* on *); use it only for tests");
	rv = 0;
out:
	template_info_free(&info);
	free(cfg);
	free(script);
	free(arn);
	return rv;
}
