/* The JITP template: what template_build writes is the AWS how-to's three
 * templates (compared as JSON, every nested level parsed); what
 * template_check_text refuses; what template_preview shows for a device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ca/pki.h"
#include "ca/template.h"

#define ROLE "arn:aws:iam::123456789012:role/JITPRole"
#define P "AWS::IoT::Certificate::"

/* The three registration configs of the AWS how-to, verbatim, with
 * <ACCOUNT_ID> replaced by 123456789012. */
static const char howto_scoped[] =
    "{ \"templateBody\":\"{ \\\"Parameters\\\" : { \\\"AWS::IoT::Cert"
    "ificate::CommonName\\\" : { \\\"Type\\\" : \\\"String\\\" },\\\""
    "AWS::IoT::Certificate::Country\\\" : { \\\"Type\\\" : \\\"String"
    "\\\" }, \\\"AWS::IoT::Certificate::Id\\\" : { \\\"Type\\\" : \\\""
    "String\\\" }}, \\\"Resources\\\" : { \\\"thing\\\" : { \\\"Type\\"
    "\" : \\\"AWS::IoT::Thing\\\", \\\"Properties\\\" : { \\\"ThingNa"
    "me\\\" : {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::CommonName\\\""
    "}, \\\"AttributePayload\\\" : { \\\"version\\\" : \\\"v1\\\", \\"
    "\"country\\\" : {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::Countr"
    "y\\\"}} } }, \\\"certificate\\\" : { \\\"Type\\\" : \\\"AWS::IoT"
    "::Certificate\\\", \\\"Properties\\\" : { \\\"CertificateId\\\":"
    " {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::Id\\\"}, \\\"Status\\"
    "\" : \\\"ACTIVE\\\" } }, \\\"policy\\\" : {\\\"Type\\\" : \\\"AW"
    "S::IoT::Policy\\\", \\\"Properties\\\" : { \\\"PolicyDocument\\\""
    " : \\\"{ \\\\\\\"Version\\\\\\\": \\\\\\\"2012-10-17\\\\\\\", \\"
    "\\\\\"Statement\\\\\\\": [ { \\\\\\\"Effect\\\\\\\": \\\\\\\"All"
    "ow\\\\\\\", \\\\\\\"Action\\\\\\\": [ \\\\\\\"iot:Connect\\\\\\\""
    " ], \\\\\\\"Resource\\\\\\\": [ \\\\\\\"arn:aws:iot:us-east-2:12"
    "3456789012:client\\\\\\/${iot:Connection.Thing.ThingName}\\\\\\\""
    " ] }, { \\\\\\\"Effect\\\\\\\": \\\\\\\"Allow\\\\\\\", \\\\\\\"A"
    "ction\\\\\\\": [ \\\\\\\"iot:Publish\\\\\\\", \\\\\\\"iot:Receiv"
    "e\\\\\\\" ], \\\\\\\"Resource\\\\\\\": [ \\\\\\\"arn:aws:iot:us-"
    "east-2:123456789012:topic\\\\\\/${iot:Connection.Thing.ThingName"
    "}\\\\\\/*\\\\\\\" ] }, { \\\\\\\"Effect\\\\\\\": \\\\\\\"Allow\\"
    "\\\\\", \\\\\\\"Action\\\\\\\": [ \\\\\\\"iot:Subscribe\\\\\\\" "
    "], \\\\\\\"Resource\\\\\\\": [ \\\\\\\"arn:aws:iot:us-east-2:123"
    "456789012:topicfilter\\\\\\/${iot:Connection.Thing.ThingName}\\\\"
    "\\/*\\\\\\\" ] } ] }\\\" } } } }\", \"roleArn\":\"arn:aws:iam::1"
    "23456789012:role/JITPRole\" }";

static const char howto_admin[] =
    "{ \"templateBody\":\"{ \\\"Parameters\\\" : { \\\"AWS::IoT::Cert"
    "ificate::CommonName\\\" : { \\\"Type\\\" : \\\"String\\\" },\\\""
    "AWS::IoT::Certificate::Country\\\" : { \\\"Type\\\" : \\\"String"
    "\\\" }, \\\"AWS::IoT::Certificate::Id\\\" : { \\\"Type\\\" : \\\""
    "String\\\" }}, \\\"Resources\\\" : { \\\"thing\\\" : { \\\"Type\\"
    "\" : \\\"AWS::IoT::Thing\\\", \\\"Properties\\\" : { \\\"ThingNa"
    "me\\\" : {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::CommonName\\\""
    "}, \\\"AttributePayload\\\" : { \\\"version\\\" : \\\"v1\\\", \\"
    "\"country\\\" : {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::Countr"
    "y\\\"}} } }, \\\"certificate\\\" : { \\\"Type\\\" : \\\"AWS::IoT"
    "::Certificate\\\", \\\"Properties\\\" : { \\\"CertificateId\\\":"
    " {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::Id\\\"}, \\\"Status\\"
    "\" : \\\"ACTIVE\\\" } }, \\\"policy\\\" : {\\\"Type\\\" : \\\"AW"
    "S::IoT::Policy\\\", \\\"Properties\\\" : { \\\"PolicyDocument\\\""
    " : \\\"{\\\\\\\"Version\\\\\\\":\\\\\\\"2012-10-17\\\\\\\",\\\\\\"
    "\"Statement\\\\\\\":[{\\\\\\\"Effect\\\\\\\":\\\\\\\"Allow\\\\\\"
    "\",\\\\\\\"Action\\\\\\\":\\\\\\\"iot:*\\\\\\\",\\\\\\\"Resource"
    "\\\\\\\":\\\\\\\"*\\\\\\\"}]}\\\" } } } }\", \"roleArn\":\"arn:a"
    "ws:iam::123456789012:role/JITPRole\" }";

static const char howto_named[] =
    "{ \"templateBody\":\"{ \\\"Parameters\\\" : { \\\"AWS::IoT::Cert"
    "ificate::CommonName\\\" : { \\\"Type\\\" : \\\"String\\\" },\\\""
    "AWS::IoT::Certificate::Country\\\" : { \\\"Type\\\" : \\\"String"
    "\\\" }, \\\"AWS::IoT::Certificate::Id\\\" : { \\\"Type\\\" : \\\""
    "String\\\" }}, \\\"Resources\\\" : { \\\"thing\\\" : { \\\"Type\\"
    "\" : \\\"AWS::IoT::Thing\\\", \\\"Properties\\\" : { \\\"ThingNa"
    "me\\\" : {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::CommonName\\\""
    "}, \\\"AttributePayload\\\" : { \\\"version\\\" : \\\"v1\\\", \\"
    "\"country\\\" : {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::Countr"
    "y\\\"}} } }, \\\"certificate\\\" : { \\\"Type\\\" : \\\"AWS::IoT"
    "::Certificate\\\", \\\"Properties\\\" : { \\\"CertificateId\\\":"
    " {\\\"Ref\\\" : \\\"AWS::IoT::Certificate::Id\\\"}, \\\"Status\\"
    "\" : \\\"ACTIVE\\\" } }, \\\"policy\\\" : {\\\"Type\\\" : \\\"AW"
    "S::IoT::Policy\\\", \\\"Properties\\\" : { \\\"PolicyName\\\" : "
    "\\\"Policy_Name\\\"} } } }\", \"roleArn\":\"arn:aws:iam::1234567"
    "89012:role/JITPRole\" }";

/* A registration config with templateBody and PolicyDocument parsed in
 * place, so configs compare as data whatever their spacing. */
static json_t *
norm(const char *text)
{
	json_t *cfg, *body, *props, *doc;
	json_error_t e;

	cfg = json_loads(text, JSON_REJECT_DUPLICATES, &e);
	if (cfg == NULL)
		print_error("config: %s\n", e.text);
	assert_non_null(cfg);
	if (json_object_get(cfg, "templateBody") == NULL)
		return cfg;
	body = json_loads(json_string_value(json_object_get(cfg,
	    "templateBody")), JSON_REJECT_DUPLICATES, &e);
	assert_non_null(body);
	props = json_object_get(json_object_get(json_object_get(body,
	    "Resources"), "policy"), "Properties");
	assert_non_null(props);
	if (json_object_get(props, "PolicyDocument") != NULL) {
		doc = json_loads(json_string_value(json_object_get(props,
		    "PolicyDocument")), JSON_REJECT_DUPLICATES, &e);
		assert_non_null(doc);
		assert_int_equal(json_object_set_new(props, "PolicyDocument",
		    doc), 0);
	}
	assert_int_equal(json_object_set_new(cfg, "templateBody", body), 0);
	return cfg;
}

static char *
build(const char *region, const char *account, const char *policy,
    const char *name)
{
	struct template_opts o = {region, account, ROLE, policy, name};
	char *out = NULL, err[256] = "";
	size_t len = 0;

	if (template_build(&o, &out, &len, err, sizeof(err)) != 0)
		print_error("template_build: %s\n", err);
	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	return out;
}

static void
assert_same_config(const char *ours, const char *theirs)
{
	json_t *a = norm(ours), *b = norm(theirs);

	if (!json_equal(a, b)) {
		char *sa = json_dumps(a, JSON_SORT_KEYS | JSON_INDENT(1));
		char *sb = json_dumps(b, JSON_SORT_KEYS | JSON_INDENT(1));
		print_error("ours:\n%s\nhow-to:\n%s\n", sa, sb);
		free(sa);
		free(sb);
	}
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
}

static void
check_ok(const char *text, struct template_info *t)
{
	char err[512] = "";
	int rv = template_check_text(text, strlen(text), t, err, sizeof(err));

	if (rv != 0)
		print_error("check: %s\n", err);
	assert_int_equal(rv, 0);
}

static void
check_bad(const char *text, const char *want)
{
	struct template_info t;
	char err[512] = "";
	int rv = template_check_text(text, strlen(text), &t, err, sizeof(err));

	if (rv != -1 || strstr(err, want) == NULL)
		print_error("check: rv %d, '%s'; want '%s'\n", rv, err, want);
	assert_int_equal(rv, -1);
	assert_non_null(strstr(err, want));
	/* nothing is left allocated on failure */
	assert_null(t.body);
	assert_null(t.role_arn);
	assert_null(t.template_name);
}

/* The scoped template body, parsed (new reference). */
static json_t *
scoped_body(void)
{
	char *cfg = build("us-east-2", "123456789012", "scoped", NULL);
	json_t *c = json_loads(cfg, 0, NULL), *b;

	assert_non_null(c);
	b = json_loads(json_string_value(json_object_get(c, "templateBody")),
	    0, NULL);
	assert_non_null(b);
	json_decref(c);
	free(cfg);
	return b;
}

/* {"templateBody": <body as a string>, "roleArn": role}; steals body. */
static char *
config(json_t *body, const char *role)
{
	char *b = json_dumps(body, JSON_COMPACT), *out;
	json_t *c;

	assert_non_null(b);
	c = json_pack("{s:s,s:s}", "templateBody", b, "roleArn", role);
	assert_non_null(c);
	out = json_dumps(c, JSON_INDENT(2));
	assert_non_null(out);
	json_decref(c);
	json_decref(body);
	free(b);
	return out;
}

static json_t *
resource(json_t *body, const char *name)
{
	return json_object_get(json_object_get(body, "Resources"), name);
}

static json_t *
props(json_t *body, const char *name)
{
	return json_object_get(resource(body, name), "Properties");
}

static void
bad_body(json_t *body, const char *want)
{
	char *c = config(body, ROLE);

	check_bad(c, want);
	free(c);
}

/* --- template_build ---------------------------------------------------- */

static void
test_build_scoped_is_howto(void **state)
{
	char *c = build("us-east-2", "123456789012", "scoped", NULL);
	struct template_info t;

	assert_same_config(c, howto_scoped);
	check_ok(c, &t);
	assert_int_equal(t.params, TP_COMMONNAME | TP_COUNTRY | TP_ID);
	assert_true(t.thing_from_cn);
	assert_string_equal(t.role_arn, ROLE);
	assert_null(t.template_name);
	assert_non_null(t.body);
	template_info_free(&t);
	free(c);
}

static void
test_build_admin_is_howto(void **state)
{
	char *c = build("us-east-2", NULL, "admin", NULL);
	struct template_info t;

	assert_same_config(c, howto_admin);
	check_ok(c, &t);
	template_info_free(&t);
	free(c);
}

static void
test_build_named_policy_is_howto(void **state)
{
	char *c = build("us-east-2", "123456789012", "name:Policy_Name", NULL);
	struct template_info t;

	assert_same_config(c, howto_named);
	check_ok(c, &t);
	template_info_free(&t);
	free(c);
}

static void
test_build_substitutes_region_account(void **state)
{
	char *c = build("ap-southeast-1", "210987654321", "scoped", NULL);
	json_t *n = norm(c), *st;
	const char *kinds[] = {"client/", "topic/", "topicfilter/"};
	char want[160];
	size_t i;

	st = json_object_get(json_object_get(json_object_get(json_object_get(
	    json_object_get(json_object_get(n, "templateBody"), "Resources"),
	    "policy"), "Properties"), "PolicyDocument"), "Statement");
	assert_int_equal(json_array_size(st), 3);
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "arn:aws:iot:ap-southeast-1:"
		    "210987654321:%s${iot:Connection.Thing.ThingName}%s",
		    kinds[i], i == 0 ? "" : "/*");
		assert_string_equal(json_string_value(json_array_get(
		    json_object_get(json_array_get(st, i), "Resource"), 0)),
		    want);
	}
	assert_null(strstr(c, "us-east-2"));
	assert_null(strstr(c, "123456789012:client"));
	json_decref(n);
	free(c);
}

static void
test_build_scoped_needs_account(void **state)
{
	struct template_opts o = {"us-east-2", NULL, ROLE, "scoped", NULL};
	char *out = (char *)"x", err[256] = "";
	size_t len;

	assert_int_equal(template_build(&o, &out, &len, err, sizeof(err)), -1);
	assert_null(out);
	assert_non_null(strstr(err, "give --account ID"));
}

static void
test_build_template_name(void **state)
{
	char *c = build("us-east-2", NULL, "scoped", "My_JITP-template1");
	json_t *j = json_loads(c, 0, NULL);
	struct template_info t;

	assert_non_null(j);
	assert_int_equal(json_object_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(j,
	    "templateName")), "My_JITP-template1");
	check_ok(c, &t);
	assert_string_equal(t.template_name, "My_JITP-template1");
	assert_null(t.body);
	assert_null(t.role_arn);
	template_info_free(&t);
	json_decref(j);
	free(c);
}

/* --- template_check_text ----------------------------------------------- */

static void
test_check_body_size(void **state)
{
	json_t *b = scoped_body();
	char *text = json_dumps(b, JSON_COMPACT), *pad, *c;
	size_t base = strlen(text) + strlen(",\"pad\":\"\"");
	struct template_info t;

	assert_true(base < TEMPLATE_BODY_MAX);
	pad = calloc(1, TEMPLATE_BODY_MAX);
	assert_non_null(pad);
	/* exactly 10240 characters: accepted */
	memset(pad, 'x', TEMPLATE_BODY_MAX - base);
	json_object_set_new(props(b, "thing"), "pad", json_string(pad));
	c = config(json_incref(b), ROLE);
	check_ok(c, &t);
	template_info_free(&t);
	free(c);
	/* one more: refused */
	pad[TEMPLATE_BODY_MAX - base] = 'x';
	json_object_set_new(props(b, "thing"), "pad", json_string(pad));
	c = config(b, ROLE);
	check_bad(c, "templateBody is 10241 characters; AWS allows at most "
		     "10240");
	free(c);
	free(pad);
	free(text);
}

static void
test_check_unknown_parameter(void **state)
{
	json_t *b = scoped_body();

	json_object_set_new(json_object_get(b, "Parameters"), P "Email",
	    json_pack("{s:s}", "Type", "String"));
	bad_body(b, "templateBody: unknown parameter '" P "Email'");
	b = scoped_body();
	json_object_set_new(json_object_get(b, "Parameters"), "DeviceKind",
	    json_pack("{s:s}", "Type", "String"));
	bad_body(b, "unknown parameter 'DeviceKind'");
	/* case matters to AWS */
	b = scoped_body();
	json_object_set_new(json_object_get(b, "Parameters"), P "commonName",
	    json_pack("{s:s}", "Type", "String"));
	bad_body(b, "unknown parameter '" P "commonName'");
}

static void
test_check_all_known_parameters(void **state)
{
	const char *names[] = {"CommonName", "Country", "Organization",
	    "OrganizationalUnit", "DistinguishedNameQualifier", "StateName",
	    "SerialNumber", "Id"};
	json_t *b = scoped_body();
	struct template_info t;
	char key[96], *c;
	size_t i;

	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), P "%s", names[i]);
		json_object_set_new(json_object_get(b, "Parameters"), key,
		    json_pack("{s:s}", "Type", "String"));
	}
	c = config(b, ROLE);
	check_ok(c, &t);
	assert_int_equal(t.params, (1u << TP_COUNT) - 1);
	template_info_free(&t);
	free(c);
}

static void
test_check_undeclared_ref(void **state)
{
	json_t *b = scoped_body();

	json_object_del(json_object_get(b, "Parameters"), P "Country");
	bad_body(b, "templateBody: Ref to '" P "Country', which is not a "
		    "declared parameter");
	b = scoped_body();
	json_object_set_new(props(b, "thing"), "ThingName",
	    json_pack("{s:s}", "Ref", P "Organization"));
	bad_body(b, "Ref to '" P "Organization'");
	b = scoped_body();
	json_object_set_new(props(b, "certificate"), "Extra",
	    json_pack("[{s:s}]", "Ref", "Nowhere"));
	bad_body(b, "Ref to 'Nowhere'");
	b = scoped_body();
	json_object_set_new(props(b, "thing"), "ThingName",
	    json_pack("{s:i}", "Ref", 5));
	bad_body(b, "which is not a declared parameter");
}

static void
test_check_policy_document(void **state)
{
	json_t *b = scoped_body();

	json_object_set_new(props(b, "policy"), "PolicyDocument",
	    json_string("{\"Version\": \"2012-10-17\", \"Statement\": ["));
	bad_body(b, "PolicyDocument does not parse as a policy");
	b = scoped_body();
	json_object_set_new(props(b, "policy"), "PolicyDocument",
	    json_string("{\"Version\": \"2012-10-17\"}"));
	bad_body(b, "PolicyDocument does not parse as a policy");
	b = scoped_body();
	json_object_set_new(props(b, "policy"), "PolicyDocument",
	    json_string("{\"Version\": \"2012-10-17\", \"Statement\": []}"));
	bad_body(b, "PolicyDocument does not parse as a policy");
	b = scoped_body();
	json_object_set_new(props(b, "policy"), "PolicyDocument",
	    json_pack("{s:s,s:[]}", "Version", "2012-10-17", "Statement"));
	bad_body(b, "PolicyDocument must be a JSON string");
	b = scoped_body();
	json_object_del(props(b, "policy"), "PolicyDocument");
	bad_body(b, "the policy has neither PolicyDocument nor PolicyName");
}

static void
check_role(const char *role, int good)
{
	char *c = config(scoped_body(), role), want[256];
	struct template_info t;

	if (good) {
		check_ok(c, &t);
		assert_string_equal(t.role_arn, role);
		template_info_free(&t);
	} else {
		snprintf(want, sizeof(want), "roleArn '%s' is not "
		    "arn:aws:iam::<12 digits>:role/<name>", role);
		check_bad(c, want);
	}
	free(c);
}

static void
test_check_role_arn(void **state)
{
	check_role(ROLE, 1);
	check_role("arn:aws-cn:iam::123456789012:role/JITPRole", 1);
	check_role("arn:aws-us-gov:iam::123456789012:role/a", 1);
	check_role("arn:aws:iam::123456789012:role/service-role/J+=,.@_-", 1);
	check_role("", 0);
	check_role("JITPRole", 0);
	check_role("arn:aws:iam::12345678901:role/JITPRole", 0);
	check_role("arn:aws:iam::1234567890123:role/JITPRole", 0);
	check_role("arn:aws:iam::12345678901x:role/JITPRole", 0);
	check_role("arn:aws:iam::123456789012:role/", 0);
	check_role("arn:aws:iam::123456789012:user/JITPRole", 0);
	check_role("arn:aws:iot::123456789012:role/JITPRole", 0);
	check_role("arn:aws:iam::123456789012:role/bad name", 0);
	check_role("arn:aws:iam::123456789012:role/x\"y", 0);
}

static void
test_check_template_name(void **state)
{
	struct template_info t;
	char name36[37], text[128];

	memset(name36, 'a', 36);
	name36[36] = 0;
	snprintf(text, sizeof(text), "{\"templateName\": \"%s\"}", name36);
	check_ok(text, &t);
	assert_string_equal(t.template_name, name36);
	template_info_free(&t);
	snprintf(text, sizeof(text), "{\"templateName\": \"%sa\"}", name36);
	check_bad(text, "templateName must be 1-36 of [0-9A-Za-z_-]");
	check_bad("{\"templateName\": \"\"}", "templateName must be 1-36");
	check_bad("{\"templateName\": \"bad name\"}", "templateName must be");
	check_bad("{\"templateName\": \"a.b\"}", "templateName must be");
	check_bad("{\"templateName\": \"caf\\u00e9\"}", "templateName must be");
}

/* A named-template config has nothing but templateName; AWS's CLI refuses
 * unknown keys in --registration-config. */
static void
test_check_template_name_extra_key(void **state)
{
	struct template_info t;
	char err[512] = "";
	const char *text = "{\"templateName\": \"ok\", \"Foo\": \"bar\"}";

	assert_int_equal(template_check_text(text, strlen(text), &t, err,
	    sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_null(t.template_name);
}

static void
test_check_shape(void **state)
{
	json_t *b;

	check_bad("", "not a JSON object");
	check_bad("[]", "not a JSON object");
	check_bad("\"templateName=x\"", "not a JSON object");
	check_bad("{\"templateBody\": \"{}\"}", "expected {\"templateBody\"");
	check_bad("{\"roleArn\": \"" ROLE "\"}", "expected {\"templateBody\"");
	check_bad("{\"templateBody\": {}, \"roleArn\": \"" ROLE "\"}",
	    "expected {\"templateBody\"");
	check_bad("{\"templateBody\": \"{}\", \"roleArn\": \"" ROLE "\", "
		  "\"templateName\": \"x\"}", "expected {\"templateBody\"");
	check_bad("{\"templateBody\": \"{}\", \"roleArn\": \"" ROLE "\", "
		  "\"roleArn\": \"" ROLE "\"}", "not a JSON object");
	check_bad("{\"templateBody\": \"{\", \"roleArn\": \"" ROLE "\"}",
	    "templateBody does not parse as a JSON object");
	check_bad("{\"templateBody\": \"[]\", \"roleArn\": \"" ROLE "\"}",
	    "templateBody does not parse as a JSON object");
	check_bad("{\"templateBody\": \"{}\", \"roleArn\": \"" ROLE "\"}",
	    "templateBody has no Resources object");
	b = scoped_body();
	json_object_del(resource(b, "thing"), "Type");
	bad_body(b, "resource 'thing' has no Type");
	/* a duplicate key inside the body */
	check_bad("{\"templateBody\": \"{\\\"Resources\\\": {}, "
		  "\\\"Resources\\\": {}}\", \"roleArn\": \"" ROLE "\"}",
	    "templateBody does not parse as a JSON object");
}

static void
test_load_file(void **state)
{
	char dir[] = "/tmp/test_template.XXXXXX", path[64], err[512] = "";
	char *c = build("us-east-2", "123456789012", "scoped", NULL);
	struct template_info t;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, TEMPLATE_FILE);
	assert_int_equal(template_load(path, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(c, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(template_load(path, &t, err, sizeof(err)), 0);
	assert_true(t.thing_from_cn);
	template_info_free(&t);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(c);
}

/* --- template_preview --------------------------------------------------- */

static X509_NAME *
subject(const char *s)
{
	char err[256];
	X509_NAME *n = pki_subject_parse(s, err, sizeof(err));

	assert_non_null(n);
	return n;
}

static void
load(const char *cfg, struct template_info *t)
{
	check_ok(cfg, t);
}

static void
test_preview_substitutes(void **state)
{
	char *c = build("us-east-2", "123456789012", "scoped", NULL), err[256];
	X509_NAME *s = subject("/C=IN/CN=thing1");
	struct template_info t;
	json_t *r, *want, *doc;
	const char *pd;

	load(c, &t);
	r = template_preview(&t, s, err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(err, "");
	want = json_pack("{s:s,s:{s:s,s:s}}", "ThingName", "thing1",
	    "AttributePayload", "version", "v1", "country", "IN");
	assert_true(json_equal(json_object_get(json_object_get(r, "thing"),
	    "Properties"), want));
	json_decref(want);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(r, "certificate"), "Properties"), "CertificateId")),
	    "<certificate id, generated by AWS>");
	pd = json_string_value(json_object_get(json_object_get(json_object_get(
	    r, "policy"), "Properties"), "PolicyDocument"));
	assert_non_null(pd);
	assert_null(strstr(pd, "${iot:"));
	doc = json_loads(pd, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_array_get(json_object_get(doc, "Statement"), 0), "Resource"),
	    0)), "arn:aws:iot:us-east-2:123456789012:client/thing1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_array_get(json_object_get(doc, "Statement"), 2), "Resource"),
	    0)), "arn:aws:iot:us-east-2:123456789012:topicfilter/thing1/*");
	json_decref(doc);
	json_decref(r);
	X509_NAME_free(s);
	template_info_free(&t);
	free(c);
}

static void
preview_bad(const struct template_info *t, const char *subj,
    const char *want)
{
	X509_NAME *s = subject(subj);
	char err[512] = "";
	json_t *r = template_preview(t, s, err, sizeof(err));

	if (r != NULL || strcmp(err, want) != 0)
		print_error("preview '%s': '%s'; want '%s'\n", subj, err, want);
	assert_null(r);
	assert_string_equal(err, want);
	X509_NAME_free(s);
}

static void
test_preview_missing(void **state)
{
	char *c = build("us-east-2", "123456789012", "scoped", NULL);
	struct template_info t;

	load(c, &t);
	preview_bad(&t, "/CN=thing1", P "Country");
	preview_bad(&t, "/O=AMZ/OU=x", P "CommonName, " P "Country");
	preview_bad(&t, "/C=IN/CN=thing 1", "CommonName 'thing 1' is not a "
	    "valid thing name (1-128 of [a-zA-Z0-9:_-])");
	template_info_free(&t);
	free(c);
}

static void
test_preview_every_parameter(void **state)
{
	const char *names[] = {"Organization", "OrganizationalUnit",
	    "DistinguishedNameQualifier", "StateName", "SerialNumber"};
	json_t *b = scoped_body(), *attrs, *r, *a;
	struct template_info t;
	X509_NAME *s;
	char key[96], *c, err[512] = "";
	size_t i;

	attrs = json_object_get(props(b, "thing"), "AttributePayload");
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), P "%s", names[i]);
		json_object_set_new(json_object_get(b, "Parameters"), key,
		    json_pack("{s:s}", "Type", "String"));
		json_object_set_new(attrs, names[i], json_pack("{s:s}", "Ref",
		    key));
	}
	c = config(b, ROLE);
	load(c, &t);
	s = subject("/C=DE/ST=Bavaria/O=Acme/OU=Sensors/dnQualifier=q1"
		    "/serialNumber=SN-7/CN=thing-7");
	r = template_preview(&t, s, err, sizeof(err));
	assert_non_null(r);
	a = json_object_get(json_object_get(json_object_get(r, "thing"),
	    "Properties"), "AttributePayload");
	assert_string_equal(json_string_value(json_object_get(a,
	    "Organization")), "Acme");
	assert_string_equal(json_string_value(json_object_get(a,
	    "OrganizationalUnit")), "Sensors");
	assert_string_equal(json_string_value(json_object_get(a,
	    "DistinguishedNameQualifier")), "q1");
	assert_string_equal(json_string_value(json_object_get(a,
	    "StateName")), "Bavaria");
	assert_string_equal(json_string_value(json_object_get(a,
	    "SerialNumber")), "SN-7");
	assert_string_equal(json_string_value(json_object_get(a, "country")),
	    "DE");
	json_decref(r);
	X509_NAME_free(s);
	preview_bad(&t, "/C=DE/O=Acme/CN=t", P "OrganizationalUnit, " P
	    "DistinguishedNameQualifier, " P "StateName, " P "SerialNumber");
	template_info_free(&t);
	free(c);
}

static void
test_preview_small_buffer(void **state)
{
	char *c = build("us-east-2", "123456789012", "scoped", NULL);
	struct template_info t;
	X509_NAME *s = subject("/O=x");
	char err[20];

	load(c, &t);
	memset(err, 'Z', sizeof(err));
	assert_null(template_preview(&t, s, err, 16));
	assert_int_equal(strlen(err), 15);
	assert_memory_equal(err, P, 15);
	assert_int_equal(err[16], 'Z');
	X509_NAME_free(s);
	template_info_free(&t);
	free(c);
}

static void
test_preview_named_template(void **state)
{
	struct template_info t;

	load("{\"templateName\": \"MyTemplate\"}", &t);
	preview_bad(&t, "/C=IN/CN=thing1", "named template 'MyTemplate': its "
	    "body is stored at AWS, so it cannot be previewed offline");
	template_info_free(&t);
}

/* --- names -------------------------------------------------------------- */

static void
test_thing_names(void **state)
{
	char s[130];

	assert_true(template_thing_name_ok("thing1"));
	assert_true(template_thing_name_ok("a:b_c-D9"));
	assert_false(template_thing_name_ok(""));
	assert_false(template_thing_name_ok("thing 1"));
	assert_false(template_thing_name_ok("a/b"));
	assert_false(template_thing_name_ok("th\xc3\xafng"));
	memset(s, 'a', 128);
	s[128] = 0;
	assert_true(template_thing_name_ok(s));
	s[128] = 'a';
	s[129] = 0;
	assert_false(template_thing_name_ok(s));
}

static void
test_param_names(void **state)
{
	assert_string_equal(template_param_name(TP_COMMONNAME), "CommonName");
	assert_string_equal(template_param_name(TP_DNQUALIFIER),
	    "DistinguishedNameQualifier");
	assert_string_equal(template_param_name(TP_ID), "Id");
	assert_null(template_param_name(1 << TP_COUNT));
	assert_int_equal(template_param_nid(TP_COUNTRY), NID_countryName);
	assert_int_equal(template_param_nid(TP_SERIALNUMBER), NID_serialNumber);
	assert_int_equal(template_param_nid(TP_STATENAME),
	    NID_stateOrProvinceName);
	assert_int_equal(template_param_nid(TP_ID), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_scoped_is_howto),
		cmocka_unit_test(test_build_admin_is_howto),
		cmocka_unit_test(test_build_named_policy_is_howto),
		cmocka_unit_test(test_build_substitutes_region_account),
		cmocka_unit_test(test_build_scoped_needs_account),
		cmocka_unit_test(test_build_template_name),
		cmocka_unit_test(test_check_body_size),
		cmocka_unit_test(test_check_unknown_parameter),
		cmocka_unit_test(test_check_all_known_parameters),
		cmocka_unit_test(test_check_undeclared_ref),
		cmocka_unit_test(test_check_policy_document),
		cmocka_unit_test(test_check_role_arn),
		cmocka_unit_test(test_check_template_name),
		cmocka_unit_test(test_check_template_name_extra_key),
		cmocka_unit_test(test_check_shape),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_preview_substitutes),
		cmocka_unit_test(test_preview_missing),
		cmocka_unit_test(test_preview_every_parameter),
		cmocka_unit_test(test_preview_small_buffer),
		cmocka_unit_test(test_preview_named_template),
		cmocka_unit_test(test_thing_names),
		cmocka_unit_test(test_param_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
