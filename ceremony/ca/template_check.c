/* Reading jitp_template.json back: the checks AWS would make, and what
 * JITP would create for a given device subject. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "ca/template.h"
#include "core/util.h"

#define PREFIX "AWS::IoT::Certificate::"
#define THING_VAR "${iot:Connection.Thing.ThingName}"

static int
param_bit(const char *name)
{
	int b;

	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
		return 0;
	for (b = 1; b < (1 << TP_COUNT); b <<= 1)
		if (strcmp(name + strlen(PREFIX), template_param_name(b)) == 0)
			return b;
	return 0;
}

/* Every {"Ref": X} must name a declared parameter. */
static int
check_refs(json_t *v, unsigned declared, char *err, size_t errlen)
{
	const char *key;
	json_t *r, *c;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			if (check_refs(c, declared, err, errlen) == -1)
				return -1;
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	r = json_object_get(v, "Ref");
	if (r != NULL) {
		if (!json_is_string(r) ||
		    !(param_bit(json_string_value(r)) & declared))
			return errf(err, errlen, "templateBody: Ref to '%s', "
			    "which is not a declared parameter",
			    json_is_string(r) ? json_string_value(r) : "?");
	}
	json_object_foreach(v, key, c)
		if (check_refs(c, declared, err, errlen) == -1)
			return -1;
	return 0;
}

static int
is_ref(json_t *v, const char *param)
{
	json_t *r = json_object_get(v, "Ref");

	return json_is_string(r) &&
	    strncmp(json_string_value(r), PREFIX, strlen(PREFIX)) == 0 &&
	    strcmp(json_string_value(r) + strlen(PREFIX), param) == 0;
}

static int
check_policy(json_t *res, char *err, size_t errlen)
{
	json_t *doc, *pd = json_object_get(json_object_get(res, "Properties"),
	    "PolicyDocument");
	int rv = -1;

	if (pd == NULL)
		return json_is_string(json_object_get(json_object_get(res,
		    "Properties"), "PolicyName")) ? 0 : errf(err, errlen,
		    "templateBody: the policy has neither PolicyDocument nor "
		    "PolicyName");
	if (!json_is_string(pd))
		return errf(err, errlen,
		    "PolicyDocument must be a JSON string");
	doc = json_loads(json_string_value(pd), JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc) ||
	    !json_is_string(json_object_get(doc, "Version")) ||
	    !json_is_array(json_object_get(doc, "Statement")) ||
	    json_array_size(json_object_get(doc, "Statement")) == 0)
		errf(err, errlen, "PolicyDocument does not parse as a "
		    "policy (a JSON object with Version and Statement)");
	else
		rv = 0;
	json_decref(doc);
	return rv;
}

int
template_role_arn_ok(const char *s)
{
	const char *p = s;
	size_t i;

	if (strlen(s) < 20)
		return 0;
	if (strncmp(p, "arn:aws:iam::", 13) == 0)
		p += 13;
	else if (strncmp(p, "arn:aws-cn:iam::", 16) == 0)
		p += 16;
	else if (strncmp(p, "arn:aws-us-gov:iam::", 20) == 0)
		p += 20;
	else
		return 0;
	for (i = 0; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	p += 12;
	if (strncmp(p, ":role/", 6) != 0 || p[6] == 0)
		return 0;
	return str_only(p + 6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
			       "UVWXYZ0123456789+=,.@_-/");
}

int
template_check_text(const char *text, size_t len, struct template_info *t,
    char *err, size_t errlen)
{
	json_t *cfg, *tb, *ra, *tn, *p, *res, *r;
	const char *key, *body;
	int rv = -1, bit;

	memset(t, 0, sizeof(*t));
	cfg = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(cfg)) {
		errf(err, errlen, "not a JSON object");
		goto out;
	}
	tb = json_object_get(cfg, "templateBody");
	ra = json_object_get(cfg, "roleArn");
	tn = json_object_get(cfg, "templateName");
	if (json_is_string(tn) && json_object_size(cfg) == 1) {
		if (!str_only(json_string_value(tn), "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ||
		    json_string_length(tn) < 1 || json_string_length(tn) > 36) {
			errf(err, errlen,
			    "templateName must be 1-36 of [0-9A-Za-z_-]");
			goto out;
		}
		t->template_name = strdup(json_string_value(tn));
		rv = t->template_name ? 0 : -1;
		goto out;
	}
	if (!json_is_string(tb) || !json_is_string(ra) ||
	    json_object_size(cfg) != 2) {
		errf(err, errlen, "expected {\"templateBody\": \"...\", "
		    "\"roleArn\": \"...\"} or {\"templateName\": \"...\"}");
		goto out;
	}
	body = json_string_value(tb);
	if (json_string_length(tb) > TEMPLATE_BODY_MAX) {
		errf(err, errlen,
		    "templateBody is %zu characters; AWS allows at most %d",
		    json_string_length(tb), TEMPLATE_BODY_MAX);
		goto out;
	}
	if (!template_role_arn_ok(json_string_value(ra))) {
		errf(err, errlen,
		    "roleArn '%s' is not arn:aws:iam::<12 digits>:role/<name>",
		    json_string_value(ra));
		goto out;
	}
	t->role_arn = strdup(json_string_value(ra));
	t->body = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(t->body)) {
		errf(err, errlen,
		    "templateBody does not parse as a JSON object");
		goto out;
	}
	p = json_object_get(t->body, "Parameters");
	res = json_object_get(t->body, "Resources");
	if (!json_is_object(res)) {
		errf(err, errlen, "templateBody has no Resources object");
		goto out;
	}
	json_object_foreach(p, key, r) {
		if ((bit = param_bit(key)) == 0) {
			errf(err, errlen, "templateBody: unknown parameter "
			    "'%s'; JITP fills only " PREFIX "CommonName, "
			    "Country, Organization, OrganizationalUnit, "
			    "DistinguishedNameQualifier, StateName, "
			    "SerialNumber and Id", key);
			goto out;
		}
		t->params |= (unsigned)bit;
	}
	if (check_refs(res, t->params, err, errlen) == -1)
		goto out;
	json_object_foreach(res, key, r) {
		const char *type = json_string_value(json_object_get(r, "Type"));
		json_t *props = json_object_get(r, "Properties");
		if (type == NULL) {
			errf(err, errlen, "resource '%s' has no Type", key);
			goto out;
		}
		if (strcmp(type, "AWS::IoT::Thing") == 0 &&
		    is_ref(json_object_get(props, "ThingName"), "CommonName"))
			t->thing_from_cn = 1;
		if (strcmp(type, "AWS::IoT::Policy") == 0 &&
		    check_policy(r, err, errlen) == -1)
			goto out;
	}
	rv = 0;
out:
	json_decref(cfg);
	if (rv != 0)
		template_info_free(t);
	return rv;
}

int
template_load(const char *path, struct template_info *t, char *err,
    size_t errlen)
{
	unsigned char *text;
	size_t len;
	int rv;

	memset(t, 0, sizeof(*t));
	if (file_read(path, &text, &len, 1 << 20) == -1)
		return errf(err, errlen, "cannot read %s", path);
	rv = template_check_text((char *)text, len, t, err, errlen);
	free(text);
	return rv;
}

void
template_info_free(struct template_info *t)
{
	json_decref(t->body);
	free(t->template_name);
	free(t->role_arn);
	memset(t, 0, sizeof(*t));
}

/* Value of a parameter in the subject, or NULL. */
static const char *
subject_value(const X509_NAME *s, int bit, char *buf, size_t len)
{
	int i = X509_NAME_get_index_by_NID(s, template_param_nid(bit), -1);

	if (bit == TP_ID)
		return "<certificate id, generated by AWS>";
	if (i < 0 || X509_NAME_get_text_by_NID((X509_NAME *)s,
	    template_param_nid(bit), buf, (int)len) < 0)
		return NULL;
	return buf;
}

/* The string with the thing-name policy variable replaced, for reading. */
static json_t *
replace_var(const char *src, const char *thing)
{
	size_t vl = strlen(THING_VAR), tl = strlen(thing);
	char *dst = malloc(strlen(src) * (tl + 1) + 1), *w = dst;
	json_t *out;

	if (dst == NULL)
		return json_string(src);
	while (*src) {
		if (strncmp(src, THING_VAR, vl) == 0) {
			memcpy(w, thing, tl);
			w += tl;
			src += vl;
		} else
			*w++ = *src++;
	}
	*w = 0;
	out = json_string(dst);
	free(dst);
	return out;
}

/* Replaces Refs in v (recursively); returns a new reference. */
static json_t *
substitute(json_t *v, const X509_NAME *s, const char *thing)
{
	const char *key;
	json_t *out, *c, *r;
	char buf[256];
	size_t i;

	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, c)
			json_array_append_new(out, substitute(c, s, thing));
		return out;
	}
	if (json_is_string(v) && thing != NULL &&
	    strstr(json_string_value(v), THING_VAR) != NULL)
		return replace_var(json_string_value(v), thing);
	if (!json_is_object(v))
		return json_incref(v);
	r = json_object_get(v, "Ref");
	if (json_is_string(r)) {
		const char *val = subject_value(s, param_bit(json_string_value(r)),
		    buf, sizeof(buf));
		return json_string(val ? val : "");
	}
	out = json_object();
	json_object_foreach(v, key, c)
		json_object_set_new(out, key, substitute(c, s, thing));
	return out;
}

json_t *
template_preview(const struct template_info *t, const X509_NAME *subject,
    char *err, size_t errlen)
{
	char buf[256], thing[256] = "";
	size_t used = 0;
	int b;

	err[0] = 0;
	if (t->body == NULL) {
		snprintf(err, errlen, "named template '%s': its body is stored "
		    "at AWS, so it cannot be previewed offline",
		    t->template_name ? t->template_name : "?");
		return NULL;
	}
	for (b = 1; b < (1 << TP_COUNT); b <<= 1) {
		if (!(t->params & (unsigned)b) ||
		    subject_value(subject, b, buf, sizeof(buf)) != NULL)
			continue;
		used += (size_t)snprintf(err + used, used < errlen ?
		    errlen - used : 0, "%s" PREFIX "%s", used ? ", " : "",
		    template_param_name(b));
		if (used >= errlen)
			used = errlen - 1;
	}
	if (err[0] != 0)
		return NULL;
	if (t->thing_from_cn &&
	    subject_value(subject, TP_COMMONNAME, thing, sizeof(thing)) &&
	    !template_thing_name_ok(thing)) {
		snprintf(err, errlen, "CommonName '%s' is not a valid thing "
		    "name (1-128 of [a-zA-Z0-9:_-])", thing);
		return NULL;
	}
	return substitute(json_object_get(t->body, "Resources"), subject,
	    thing[0] ? thing : NULL);
}
