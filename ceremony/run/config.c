/* Config files: NCONF for the syntax and values; a line index of our own
 * so that unknown keys, duplicates and bad values name their line. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "run/config.h"
#include "ca/caref.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "core/util.h"

#define CONFIG_MAX (1u << 20)

/* Copies the token at p (identifier chars) into out. */
static const char *
word(const char *p, char *out, size_t len)
{
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	while ((isalnum((unsigned char)*p) || *p == '_' || *p == '.' ||
		   *p == '-') && n + 1 < len)
		out[n++] = *p++;
	out[n] = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The name in a section header "[ a b ]" (p at '['): "a b", as NCONF
 * keeps it. */
static void
section_name(const char *p, char *out, size_t len)
{
	size_t n = 0;

	for (p++; *p == ' ' || *p == '\t'; p++)
		;
	for (; *p != 0 && *p != ']' && *p != '\n'; p++)
		if (n + 1 < len)
			out[n++] = *p;
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = 0;
}

/* A schema section "family *" stands for every "[family NAME]". */
static int
section_match(const char *schema, const char *section)
{
	size_t n = strlen(schema);

	if (n > 2 && strcmp(schema + n - 2, " *") == 0)
		return strncmp(schema, section, n - 1) == 0 &&
		    section[n - 1] != 0;
	return strcmp(schema, section) == 0;
}

static const struct cfg_key *
schema_find(const struct cfg_key *s, const char *section, const char *key)
{
	for (; s->section != NULL; s++)
		if (section_match(s->section, section) &&
		    (key == NULL || strcmp(s->key, key) == 0))
			return s;
	return NULL;
}

/* Line where section/key is set (first occurrence; key NULL: the section
 * header), 0 if none. */
static int
line_of(const char *text, const char *section, const char *key)
{
	char sec[64] = "default", name[64];
	const char *p = text, *q;
	int line = 1;

	for (; *p; line++) {
		q = word(*p == '[' ? p + 1 : p, name, sizeof(name));
		if (*p == '[') {
			section_name(p, sec, sizeof(sec));
			if (key == NULL && strcmp(sec, section) == 0)
				return line;
		} else if (key != NULL && *q == '=' &&
		    strcmp(sec, section) == 0 &&
		    strcmp(name, key) == 0)
			return line;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	return 0;
}

/* Each item of a comma list: a region (R or R:ACCOUNT) or an account id,
 * none given twice. */
static int
list_ok(const struct cfg_key *k, const char *v, char *err, size_t errlen)
{
	char buf[1024], *items[64], *tok, *save, *colon;
	int i, n = 0;

	if (snprintf(buf, sizeof(buf), "%s", v) >= (int)sizeof(buf))
		return errf(err, errlen, "%s: too long", k->key);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*(tok = str_trim(tok)) == 0)
			return errf(err, errlen, "%s: a comma-separated list "
			    "with no empty items", k->key);
		if (n == 64)
			return errf(err, errlen, "%s: more than 64 items",
			    k->key);
		for (i = 0; i < n; i++)
			if (strcmp(items[i], tok) == 0)
				return errf(err, errlen, "%s: %s is given "
				    "twice", k->key, tok);
		items[n++] = tok;
		if (k->kind == V_ACCOUNTS) {
			if (!region_account_ok(tok))
				return errf(err, errlen, "%s: '%s' is not a "
				    "12-digit AWS account id", k->key, tok);
			continue;
		}
		if ((colon = strchr(tok, ':')) != NULL) {
			*colon = 0;
			if (!region_account_ok(colon + 1))
				return errf(err, errlen, "%s: '%s' in %s:%s is "
				    "not a 12-digit AWS account id", k->key,
				    colon + 1, tok, colon + 1);
		}
		if (!region_name_ok(tok))
			return errf(err, errlen, "%s: '%s' is not an AWS "
			    "region name (e.g. us-east-2)", k->key, tok);
		if (colon != NULL)
			*colon = ':';
	}
	return 0;
}

static int
value_ok(const struct cfg_key *k, const char *v, char *err, size_t errlen)
{
	char *end, buf[256], *tok, *save;
	const char *p;
	X509_NAME *n;
	long i;

	/* values go into command lines the plan prints */
	for (p = v; *p != 0; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return errf(err, errlen, "%s: control character \\x%02x "
			    "in the value", k->key, (unsigned char)*p);
	switch (k->kind) {
	case V_TEXT:
		if (*v == 0)
			return errf(err, errlen, "%s is empty", k->key);
		return 0;
	case V_ENUM:
		snprintf(buf, sizeof(buf), "%s", k->values);
		for (tok = strtok_r(buf, "|", &save); tok;
		     tok = strtok_r(NULL, "|", &save))
			if (strcmp(tok, v) == 0)
				return 0;
		return errf(err, errlen, "%s = %s: expected one of %s", k->key,
		    v, k->values);
	case V_INT:
		i = strtol(v, &end, 10);
		if (*v == 0 || *end != 0 || i < k->lo || i > k->hi)
			return errf(err, errlen,
			    "%s = %s: expected a number from %ld to %ld",
			    k->key, v, k->lo, k->hi);
		return 0;
	case V_REGION:
		if (region_name_ok(v))
			return 0;
		return errf(err, errlen, "%s = %s: not an AWS region name "
		    "(e.g. us-east-2)", k->key, v);
	case V_LIST:
	case V_REGIONS:
	case V_ACCOUNTS:
		if (*v == 0 || strstr(v, ",,") || v[strlen(v) - 1] == ',')
			return errf(err, errlen,
			    "%s: a comma-separated list with no empty items",
			    k->key);
		return k->kind == V_LIST ? 0 : list_ok(k, v, err, errlen);
	case V_SUBJECT:
		if ((n = pki_subject_parse(v, buf, sizeof(buf))) == NULL)
			return errf(err, errlen, "%s: %s", k->key, buf);
		X509_NAME_free(n);
		return 0;
	case V_CODE:
		if (strcmp(v, "ask") == 0 || (strlen(v) == 64 &&
		    str_only(v, "0123456789abcdefABCDEF")))
			return 0;
		return errf(err, errlen, "%s: expected the 64 hex characters "
		    "from 'aws iot get-registration-code', or ask", k->key);
	case V_DIGITS:
		if ((long)strlen(v) == k->lo && str_only(v, "0123456789"))
			return 0;
		return errf(err, errlen, "%s = %s: expected %ld digits", k->key,
		    v, k->lo);
	}
	return -1;
}

/* True when c occurs in the line starting at p. */
static int
strchr_line(const char *p, int c)
{
	for (; *p && *p != '\n'; p++)
		if (*p == c)
			return 1;
	return 0;
}

/* "[family NAME]": a NAME as the command takes it, given once. */
static int
instance_check(const struct config *c, const struct cfg_key *schema,
    const char *sec, int line)
{
	const char *name = strchr(sec, ' ');
	char err[256];
	int first;

	for (; schema->section != NULL; schema++)
		if (section_match(schema->section, sec))
			break;
	if (schema->section == NULL || strchr(schema->section, '*') == NULL)
		return 0;
	if (caref_name_check(name + 1, err, sizeof(err)) == -1) {
		warnf("%s:%d: [%s]: %s", c->path, line, sec, err);
		return -1;
	}
	if ((first = line_of(c->text, sec, NULL)) != line) {
		warnf("%s:%d: [%s] again (first at line %d)", c->path, line,
		    sec, first);
		return -1;
	}
	return 0;
}

/* Walks the raw text: directives, references, unknown sections and keys,
 * duplicates. */
static int
check_lines(const struct config *c, const struct cfg_key *schema)
{
	char sec[64] = "", name[64], seen[256][128];
	const char *p = c->text, *q;
	int line = 1, bad = 0, nseen = 0, i;

	for (; *p; line++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '.' || strchr_line(p, '$')) {
			warnf("%s:%d: %s are not allowed: the reviewed file "
			      "must hold the whole config", c->path, line,
			    *p == '.' ? "directives (.include, .pragma)" :
			    "'$' references");
			bad = 1;
		} else if (*p == '[') {
			section_name(p, sec, sizeof(sec));
			if (schema_find(schema, sec, NULL) == NULL) {
				warnf("%s:%d: unknown section [%s]", c->path,
				    line, sec);
				bad = 1;
			} else if (instance_check(c, schema, sec, line) == -1)
				bad = 1;
		} else if (*p != '#' && *p != '\n' && *p != 0) {
			q = word(p, name, sizeof(name));
			if (*q == '=' && *sec == 0) {
				warnf("%s:%d: '%s' is outside any section",
				    c->path, line, name);
				bad = 1;
			} else if (*q == '=' &&
			    schema_find(schema, sec, NULL) != NULL &&
			    schema_find(schema, sec, name) == NULL) {
				warnf("%s:%d: unknown key '%s' in [%s]",
				    c->path, line, name, sec);
				bad = 1;
			} else if (*q == '=') {
				char id[128];
				snprintf(id, sizeof(id), "%s.%s", sec, name);
				for (i = 0; i < nseen; i++)
					if (strcmp(seen[i], id) == 0) {
						warnf("%s:%d: duplicate key "
						      "'%s' in [%s] (first at "
						      "line %d)", c->path, line,
						    name, sec, line_of(c->text,
						    sec, name));
						bad = 1;
					}
				if (nseen < 256)
					snprintf(seen[nseen++], 128, "%s", id);
			}
		}
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	return bad ? -1 : 0;
}

int
config_load(const char *path, const struct cfg_key *schema, struct config *c)
{
	const struct cfg_key *k;
	unsigned char *text;
	const char *v;
	char err[300];
	size_t len;
	long eline = 0;
	BIO *b = NULL;
	int bad = 0;

	memset(c, 0, sizeof(*c));
	if (file_read(path, &text, &len, CONFIG_MAX) == -1)
		return -1;
	c->text = (char *)text;
	c->path = strdup(path);
	sha256_hex(text, len, c->sha256);
	if (memchr(text, 0, len) != NULL) {
		warnf("%s: not a text file", path);
		goto fail;
	}
	if ((c->conf = NCONF_new(NULL)) == NULL ||
	    (b = BIO_new_mem_buf(text, (int)len)) == NULL)
		goto fail;
	if (NCONF_load_bio(c->conf, b, &eline) <= 0) {
		warnf("%s:%ld: syntax error (%s)", path, eline,
		    ERR_reason_error_string(ERR_peek_last_error()) ?
		    ERR_reason_error_string(ERR_peek_last_error()) : "?");
		ERR_clear_error();
		goto fail;
	}
	BIO_free(b);
	b = NULL;
	if (check_lines(c, schema) == -1)
		bad = 1;
	for (k = schema; k->section != NULL; k++) {
		char names[CONFIG_INSTANCES][65], sec[128];
		int i, n = 1;

		if (strchr(k->section, '*') != NULL)
			n = config_instances(c, k->section, names,
			    CONFIG_INSTANCES);
		for (i = 0; i < n; i++) {
			if (strchr(k->section, '*') == NULL)
				snprintf(sec, sizeof(sec), "%s", k->section);
			else
				snprintf(sec, sizeof(sec), "%.*s%s",
				    (int)strlen(k->section) - 1, k->section,
				    names[i]);
			v = config_get(c, sec, k->key);
			if (v == NULL && k->required) {
				warnf("%s: [%s] needs '%s = ...'", path, sec,
				    k->key);
				bad = 1;
			} else if (v != NULL &&
			    value_ok(k, v, err, sizeof(err)) == -1) {
				warnf("%s:%d: %s", path, line_of(c->text, sec,
				    k->key), err);
				bad = 1;
			}
		}
	}
	if (!bad)
		return 0;
fail:
	BIO_free(b);
	config_free(c);
	return -1;
}

int
config_instances(const struct config *c, const char *family,
    char names[][65], int max)
{
	const char *p = c->text;
	char sec[128];
	size_t n = strlen(family) - 1; /* "family " */
	int count = 0, i, dup;

	for (; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 :
	    NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '[')
			continue;
		section_name(p, sec, sizeof(sec));
		if (strncmp(sec, family, n) != 0 || sec[n] == 0 ||
		    strlen(sec + n) > 64)
			continue;
		for (dup = 0, i = 0; i < count; i++)
			dup |= strcmp(names[i], sec + n) == 0;
		if (!dup && count < max)
			snprintf(names[count++], 65, "%s", sec + n);
	}
	return count;
}

const char *
config_get(const struct config *c, const char *section, const char *key)
{
	const char *v;

	if (c->conf == NULL)
		return NULL;
	v = NCONF_get_string(c->conf, section, key);
	ERR_clear_error();
	return v;
}

void
config_free(struct config *c)
{
	NCONF_free(c->conf);
	free(c->text);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
