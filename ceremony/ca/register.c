/* The register scripts: POSIX sh, the files they send pinned by SHA-256. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/pki.h"
#include "ca/register.h"
#include "ca/template.h"
#include "core/util.h"

#define MANAGED_POLICY \
	"arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration"

static const char check_fn[] =
    "check() {\n"
    "\tif command -v sha256sum >/dev/null 2>&1; then\n"
    "\t\tgot=$(sha256sum <\"$1\" | cut -d' ' -f1)\n"
    "\telse\n"
    "\t\tgot=$(shasum -a 256 <\"$1\" | cut -d' ' -f1)\n"
    "\tfi\n"
    "\tif [ \"$got\" != \"$2\" ]; then\n"
    "\t\techo \"%s: $1 is not the file the ceremony made"
    " (SHA-256 $got, expected $2)\" >&2\n"
    "\t\texit 1\n"
    "\tfi\n"
    "}\n";

/* path = cadir/rel ("rel" alone for "."), as the ceremony sees it. */
static int
at(const char *cadir, const char *rel, char *out, size_t len)
{
	int n = strcmp(cadir, ".") == 0 ? snprintf(out, len, "%s", rel) :
	    snprintf(out, len, "%s/%s", cadir, rel);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The SHA-256 of cadir/sub/file, and the name relative to cadir. */
static int
pin(const struct register_job *j, const char *file, char rel[256],
    char hex[65])
{
	char path[512];

	if (j->sub[0])
		snprintf(rel, 256, "%s/%s", j->sub, file);
	else
		snprintf(rel, 256, "%s", file);
	if (at(j->cadir, rel, path, sizeof(path)) == -1 ||
	    sha256_file_hex(path, hex) == -1) {
		warnf("%s: cannot read it to pin its SHA-256", path);
		return -1;
	}
	return 0;
}

char *
register_script(const struct register_job *j)
{
	char ca[65], ver[65] = "", tpl[65], vrel[256] = "", trel[256];
	char path[512], who[256], chk[sizeof(check_fn) + 16], *s = NULL;
	int sni = j->sni;

	if (at(j->cadir, CA_CERT, path, sizeof(path)) == -1 ||
	    sha256_file_hex(path, ca) == -1) {
		warnf("%s: cannot read it to pin its SHA-256", path);
		return NULL;
	}
	if ((!sni && pin(j, VER_CERT, vrel, ver) == -1) ||
	    pin(j, TEMPLATE_FILE, trel, tpl) == -1)
		return NULL;
	snprintf(chk, sizeof(chk), check_fn, REGISTER_FILE);
	if (j->caname[0])
		snprintf(who, sizeof(who), "# This registers the issuing CA "
		    "'%s' (its deviceRootCA.pem), not the\n# root: AWS IoT "
		    "wants the CA that signs the devices.\n#\n", j->caname);
	else
		who[0] = 0;
	if (asprintf(&s,
	    "#!/bin/sh\n"
	    "# Registers the ceremony's CA with AWS IoT Core for just-in-time\n"
	    "# provisioning. Run on the online machine, in the unpacked bundle.\n"
	    "# Written by ceremony " CEREMONY_VERSION ".\n"
	    "#\n"
	    "%s%s%s%s"
	    "set -eu\n"
	    "cd \"$(dirname \"$0\")%s\"\n"
	    "%s"
	    "check deviceRootCA.pem %s\n"
	    "%s%s%s%s%s"
	    "check %s %s\n"
	    "aws iot register-ca-certificate \\\n"
	    "\t--ca-certificate file://deviceRootCA.pem \\\n"
	    "%s%s%s"
	    "\t--set-as-active \\\n"
	    "\t--allow-auto-registration \\\n"
	    "\t--registration-config file://%s \\\n"
	    "\t--region %s \"$@\"\n",
	    who,
	    j->template_name ? "# The named template must exist (create-"
		"provisioning-template --type JITP).\n#\n" : "# The role ",
	    j->template_name ? "" : j->role_arn,
	    j->template_name ? "" : " must trust iot.amazonaws.com:\n"
	    "#   {\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\n#    \"Principal\":{\"Service\":\"iot.amazonaws.com\"},"
	    "\"Action\":\"sts:AssumeRole\"}]}\n"
	    "# and have the managed policy\n#   " MANAGED_POLICY "\n#\n",
	    j->sub[0] ? "/../.." : "", chk, ca,
	    sni ? "" : "check ", sni ? "" : vrel, sni ? "" : " ",
	    sni ? "" : ver, sni ? "" : "\n", trel, tpl,
	    sni ? "\t" REGISTER_SNI " \\\n" : "\t--verification-cert file://",
	    sni ? "" : vrel, sni ? "" : " \\\n", trel, j->region) == -1)
		return NULL;
	return s;
}

char *
register_all_script(const char *cadir, const char *caname,
    const struct region_reg *v, size_t n)
{
	char chk[sizeof(check_fn) + 16], dir[REGION_DIR_MAX], rel[256];
	char path[512], hex[65], prof[64], *list = NULL, *checks = NULL;
	char *runs = NULL, *s = NULL, *t;
	size_t i;

	snprintf(chk, sizeof(chk), check_fn, REGISTER_ALL);
	for (i = 0; i < n; i++) {
		if (region_dir(&v[i], dir, sizeof(dir)) == -1)
			goto out;
		snprintf(rel, sizeof(rel), "%s/" REGISTER_FILE, dir);
		if (at(cadir, rel, path, sizeof(path)) == -1 ||
		    sha256_file_hex(path, hex) == -1) {
			warnf("%s: cannot read it to pin its SHA-256", path);
			goto out;
		}
		if (v[i].account[0])
			snprintf(prof, sizeof(prof), "\"${PROFILE_%s:-}\"",
			    v[i].account);
		else
			snprintf(prof, sizeof(prof), "\"\"");
		t = list;
		if (asprintf(&list, "%s#   %-16s %-12s %-8s  %s\n",
			t ? t : "", v[i].region,
			v[i].account[0] ? v[i].account : "-",
			region_mode(&v[i]), rel) == -1)
			list = NULL;
		free(t);
		t = checks;
		if (list == NULL || asprintf(&checks, "%scheck %s %s\n",
			t ? t : "", rel, hex) == -1)
			checks = NULL;
		free(t);
		t = runs;
		if (checks == NULL || asprintf(&runs, "%sregister %s %s %s "
			"\"$@\"\n", t ? t : "", v[i].region, rel, prof) == -1)
			runs = NULL;
		free(t);
		if (runs == NULL)
			goto out;
	}
	if (asprintf(&s,
	    "#!/bin/sh\n"
	    "# Registers the ceremony's %s%s%s with AWS IoT Core in every\n"
	    "# region and account below, one after the other, and stops at the\n"
	    "# first failure, naming its region. Run on the online machine, in\n"
	    "# the unpacked bundle. Arguments go to every aws call (e.g.\n"
	    "# --profile NAME); PROFILE_<ACCOUNT>=NAME in the environment picks\n"
	    "# the AWS profile for that account's registrations.\n"
	    "# Written by ceremony " CEREMONY_VERSION ".\n"
	    "#\n"
	    "#   region           account      mode      script\n"
	    "%s"
	    "set -eu\n"
	    "cd \"$(dirname \"$0\")\"\n"
	    "%s"
	    "%s"
	    "register() {\n"
	    "\tregion=$1 script=$2 profile=$3\n"
	    "\tshift 3\n"
	    "\techo \"" REGISTER_ALL ": registering in $region ($script)\" >&2\n"
	    "\tif [ -n \"$profile\" ]; then\n"
	    "\t\tAWS_PROFILE=$profile sh \"$script\" \"$@\" && return 0\n"
	    "\telse\n"
	    "\t\tsh \"$script\" \"$@\" && return 0\n"
	    "\tfi\n"
	    "\techo \"" REGISTER_ALL ": registration in region $region failed"
	    " ($script); the regions above it are registered, the rest are"
	    " not\" >&2\n"
	    "\texit 1\n"
	    "}\n"
	    "%s"
	    "echo \"" REGISTER_ALL ": all %zu registrations done\" >&2\n",
	    caname[0] ? "issuing CA '" : "root CA", caname, caname[0] ? "'" :
	    "", list, chk, checks, runs, n) == -1)
		s = NULL;
out:
	free(list);
	free(checks);
	free(runs);
	return s;
}
