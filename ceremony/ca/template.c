/* The JITP template: built with jansson, so the three levels of JSON
 * escaping (policy in template body in registration config) are right by
 * construction; and checked the way AWS would, offline. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "ca/template.h"
#include "core/util.h"

#define PREFIX "AWS::IoT::Certificate::"

static const struct {
	int bit;
	const char *name;
	int nid;
} params[TP_COUNT] = {
	{TP_COMMONNAME, "CommonName", NID_commonName},
	{TP_COUNTRY, "Country", NID_countryName},
	{TP_ORGANIZATION, "Organization", NID_organizationName},
	{TP_ORGUNIT, "OrganizationalUnit", NID_organizationalUnitName},
	{TP_DNQUALIFIER, "DistinguishedNameQualifier", NID_dnQualifier},
	{TP_STATENAME, "StateName", NID_stateOrProvinceName},
	{TP_SERIALNUMBER, "SerialNumber", NID_serialNumber},
	{TP_ID, "Id", 0},
};

const char *
template_param_name(int bit)
{
	int i;

	for (i = 0; i < TP_COUNT; i++)
		if (params[i].bit == bit)
			return params[i].name;
	return NULL;
}

int
template_param_nid(int bit)
{
	int i;

	for (i = 0; i < TP_COUNT; i++)
		if (params[i].bit == bit)
			return params[i].nid;
	return 0;
}

int
template_thing_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 128 &&
	    str_only(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789:_-");
}

static json_t *
ref(const char *param)
{
	char buf[64];

	snprintf(buf, sizeof(buf), PREFIX "%s", param);
	return json_pack("{s:s}", "Ref", buf);
}

static json_t *
statement(const char *action, const char *region, const char *account,
    const char *kind)
{
	char res[256];

	snprintf(res, sizeof(res), "arn:aws:iot:%s:%s:%s/"
	    "${iot:Connection.Thing.ThingName}%s", region, account, kind,
	    strcmp(kind, "client") == 0 ? "" : "/*");
	if (strcmp(action, "pubrecv") == 0)
		return json_pack("{s:s,s:[s,s],s:[s]}", "Effect", "Allow",
		    "Action", "iot:Publish", "iot:Receive", "Resource", res);
	return json_pack("{s:s,s:[s],s:[s]}", "Effect", "Allow", "Action",
	    action, "Resource", res);
}

/* The policy resource for scoped, admin or name:POLICY. */
static json_t *
policy_resource(const struct template_opts *o, char *err, size_t errlen)
{
	json_t *doc = NULL, *res = NULL;
	char *text;

	if (strncmp(o->policy, "name:", 5) == 0)
		return json_pack("{s:s,s:{s:s}}", "Type", "AWS::IoT::Policy",
		    "Properties", "PolicyName", o->policy + 5);
	if (strcmp(o->policy, "admin") == 0)
		doc = json_pack("{s:s,s:[{s:s,s:s,s:s}]}", "Version",
		    "2012-10-17", "Statement", "Effect", "Allow", "Action",
		    "iot:*", "Resource", "*");
	else if (strcmp(o->policy, "scoped") == 0) {
		if (o->account == NULL) {
			snprintf(err, errlen, "the scoped policy names the "
			    "account: give --account ID");
			return NULL;
		}
		doc = json_pack("{s:s,s:[o,o,o]}", "Version", "2012-10-17",
		    "Statement",
		    statement("iot:Connect", o->region, o->account, "client"),
		    statement("pubrecv", o->region, o->account, "topic"),
		    statement("iot:Subscribe", o->region, o->account,
			"topicfilter"));
	}
	if (doc == NULL || (text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		json_decref(doc);
		snprintf(err, errlen, "cannot build the policy document");
		return NULL;
	}
	res = json_pack("{s:s,s:{s:s}}", "Type", "AWS::IoT::Policy",
	    "Properties", "PolicyDocument", text);
	free(text);
	json_decref(doc);
	return res;
}

int
template_build(const struct template_opts *o, char **out, size_t *len,
    char *err, size_t errlen)
{
	json_t *body = NULL, *cfg = NULL, *pol;
	char *text = NULL;
	int rv = -1;

	*out = NULL;
	if (o->template_name != NULL) {
		cfg = json_pack("{s:s}", "templateName", o->template_name);
		goto dump;
	}
	if ((pol = policy_resource(o, err, errlen)) == NULL)
		goto out;
	body = json_pack("{s:{s:{s:s},s:{s:s},s:{s:s}},s:{s:{s:s,s:{s:o,s:{s:s,"
			 "s:o}}},s:{s:s,s:{s:o,s:s}},s:o}}",
	    "Parameters", PREFIX "CommonName", "Type", "String",
	    PREFIX "Country", "Type", "String", PREFIX "Id", "Type", "String",
	    "Resources", "thing", "Type", "AWS::IoT::Thing", "Properties",
	    "ThingName", ref("CommonName"), "AttributePayload", "version", "v1",
	    "country", ref("Country"), "certificate", "Type",
	    "AWS::IoT::Certificate", "Properties", "CertificateId", ref("Id"),
	    "Status", "ACTIVE", "policy", pol);
	if (body == NULL || (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		errf(err, errlen, "cannot build the template body");
		goto out;
	}
	cfg = json_pack("{s:s,s:s}", "templateBody", text, "roleArn",
	    o->role_arn);
dump:
	if (cfg == NULL ||
	    (*out = json_dumps(cfg, JSON_INDENT(2))) == NULL) {
		errf(err, errlen, "cannot build the registration config");
		goto out;
	}
	*len = strlen(*out);
	rv = 0;
out:
	free(text);
	json_decref(body);
	json_decref(cfg);
	return rv;
}
