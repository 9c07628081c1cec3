/* ceremony preview: what JITP will create at AWS for one device, read from
 * its certificate or CSR and jitp_template.json, every parameter filled. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>

#include "cmd.h"
#include "sign/csr.h"
#include "ca/caref.h"
#include "ca/pki.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony preview [--ca NAME] [--template FILE] [--json]\n"
    "                        DEVICE-CERT|CSR\n\n"
    "Shows what just-in-time provisioning will create when this device\n"
    "first connects: the thing name and attributes, the certificate status\n"
    "and the policy document, with every AWS::IoT::Certificate::* parameter\n"
    "filled from the subject. Reports each parameter the subject lacks\n"
    "(AWS would fail silently). Runs offline: use it on the online machine\n"
    "before shipping devices. A CSR is also put through the checks of\n"
    "'ceremony sign'.\n\n"
    "  --ca NAME          the device belongs to intermediate CA NAME: its\n"
    "                     template, and a certificate must be signed by\n"
    "                     it (when intermediate/NAME/deviceRootCA.pem is\n"
    "                     here)\n"
    "  --template FILE    default " TEMPLATE_FILE ", with --ca\n"
    "                     intermediate/NAME/" TEMPLATE_FILE "\n"
    "  --json             print the resources as JSON\n\n"
    "Exit status: 0 provisioning would work, 1 it would fail, 2 usage or\n"
    "I/O error.\n";

/* Reads a certificate, or else a CSR (checked as 'sign' checks it). */
static int
load_subject(const char *path, const struct template_info *t, X509 **cert,
    struct csr *c, char *csr_err, size_t csr_errlen, char *err, size_t errlen)
{
	struct csr_in in;
	unsigned char *buf = NULL, *der = NULL;
	char label[600], q[300];
	size_t len;
	FILE *f = NULL;
	int r, rv = -1;

	if (file_read(path, &buf, &len, 1u << 20) == -1)
		return -1;
	if ((*cert = pki_cert_parse(buf, len)) != NULL) {
		rv = 0;
		goto out;
	}
	/* the bytes already read, not the path a second time */
	str_safe(path, (size_t)-1, q, sizeof(q));
	if (len == 0 || (f = fmemopen(buf, len, "rb")) == NULL) {
		warnf("%s: neither a certificate nor a CSR", q);
		goto out;
	}
	if (csr_in_open(&in, path, f) == -1)
		goto out;
	r = csr_in_next(&in, &der, &len, label, sizeof(label), err, errlen);
	csr_in_close(&in);
	if (r == 0)
		snprintf(err, errlen, "neither a certificate nor a CSR");
	if (r != 1 || csr_parse(der, len, c, err, errlen) == -1) {
		warnf("%s: %s", q, err);
		goto out;
	}
	csr_check(c, t, csr_err, csr_errlen);
	rv = 0;
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	free(der);
	return rv;
}

/* Values come from the subject: quoted, so no control character or
 * escape sequence reaches the terminal. */
static void
print_value(const char *key, json_t *v, int indent)
{
	char q[1024], *s;

	if (json_is_string(v)) {
		printf("%*s%-13s %s\n", indent, "", key, str_safe(
		    json_string_value(v), json_string_length(v), q, sizeof(q)));
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY |
	    JSON_ENSURE_ASCII);
	printf("%*s%-13s %s\n", indent, "", key, s ? s : "?");
	free(s);
}

static void
print_policy(json_t *props)
{
	json_t *doc, *pd = json_object_get(props, "PolicyDocument");
	char q[1024], *s;

	if (!json_is_string(pd)) {
		print_value("policy name", json_object_get(props, "PolicyName"),
		    2);
		return;
	}
	doc = json_loads(json_string_value(pd), 0, NULL);
	s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII) : NULL;
	printf("  policy document:\n%s\n", s ? s : str_safe(
	    json_string_value(pd), json_string_length(pd), q, sizeof(q)));
	free(s);
	json_decref(doc);
}

static void
print_resources(json_t *res)
{
	const char *name, *type, *k;
	json_t *r, *props, *v;

	json_object_foreach(res, name, r) {
		type = json_string_value(json_object_get(r, "Type"));
		props = json_object_get(r, "Properties");
		printf("%s (%s)\n", name, type ? type : "?");
		if (type != NULL && strcmp(type, "AWS::IoT::Policy") == 0) {
			print_policy(props);
			continue;
		}
		json_object_foreach(props, k, v) {
			if (strcmp(k, "AttributePayload") == 0 &&
			    json_is_object(v)) {
				const char *ak;
				json_t *av;

				printf("  attributes\n");
				json_object_foreach(v, ak, av)
					print_value(ak, av, 4);
			} else
				print_value(k, v, 2);
		}
	}
}

/* With --ca: a certificate the issuing CA did not sign fails at AWS. */
static int
issuer_check(const struct caref *ref, X509 *cert, const char *qpath)
{
	char label[100];
	X509 *ca;
	int ok;

	if (ref->name[0] == 0 || cert == NULL || !file_exists(ref->cert))
		return 0;
	if ((ca = pki_cert_load(ref->cert)) == NULL)
		return EXIT_USAGE;
	ok = X509_NAME_cmp(X509_get_issuer_name(cert),
	    X509_get_subject_name(ca)) == 0 &&
	    X509_verify(cert, X509_get0_pubkey(ca)) == 1;
	X509_free(ca);
	ERR_clear_error();
	if (ok)
		return 0;
	warnf("%s: JITP would fail: not signed by %s (%s)", qpath,
	    caref_label(ref, label, sizeof(label)), ref->cert);
	return EXIT_CHECK;
}

int
cmd_preview(int argc, char **argv)
{
	static const struct option opts[] = {
		{"template", 1, NULL, 't'}, {"json", 0, NULL, 'j'},
		{"ca", 1, NULL, 'C'}, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct template_info t = {0};
	struct csr c = {0};
	const char *tpath = NULL, *path, *caname = NULL;
	char tbuf[CAREF_PATH_MAX];
	struct caref ref;
	const X509_NAME *subject;
	char err[512] = "", csr_err[512] = "", qpath[300], qerr[2048], *s;
	X509 *cert = NULL;
	json_t *res = NULL;
	int ch, as_json = 0, rv = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			tpath = optarg;
			break;
		case 'j':
			as_json = 1;
			break;
		case 'C':
			caname = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		warnf("preview: give one device certificate or CSR");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	str_safe(path, (size_t)-1, qpath, sizeof(qpath));
	if (caref_init(&ref, caname, err, sizeof(err)) == -1) {
		warnf("--ca: %s", err);
		goto out;
	}
	if (tpath == NULL) {
		if (caref_path(&ref, TEMPLATE_FILE, tbuf, sizeof(tbuf)) == -1)
			goto out;
		tpath = tbuf;
	}
	if (template_load(tpath, &t, err, sizeof(err)) == -1) {
		warnf("%s: %s", tpath, err);
		goto out;
	}
	if (load_subject(path, &t, &cert, &c, csr_err, sizeof(csr_err), err,
	    sizeof(err)) == -1)
		goto out;
	if ((rv = issuer_check(&ref, cert, qpath)) != 0)
		goto out;
	rv = EXIT_USAGE;
	subject = cert != NULL ? X509_get_subject_name(cert) : c.subject;
	if ((s = pki_name_string(subject)) != NULL && !as_json)
		printf("%s %s\nsubject  %s\n\n", cert ? "certificate" : "CSR",
		    qpath, s);
	free(s);
	rv = EXIT_CHECK;
	if ((res = template_preview(&t, subject, err, sizeof(err))) == NULL) {
		if (t.body == NULL) {
			warnf("%s: %s", tpath, err);
			rv = EXIT_USAGE;
		} else if (strstr(err, "thing name") != NULL)
			warnf("%s: JITP would fail: %s", qpath, str_safe(err,
			    (size_t)-1, qerr, sizeof(qerr)));
		else
			warnf("%s: JITP would fail: the subject lacks %s, "
			      "which %s declares", qpath, err, tpath);
		goto out;
	}
	if (as_json) {
		if ((s = json_dumps(res, JSON_INDENT(2) | JSON_ENSURE_ASCII)) ==
		    NULL)
			goto out;
		puts(s);
		free(s);
	} else
		print_resources(res);
	if (csr_err[0] != 0) {
		warnf("%s: 'ceremony sign' would reject this CSR: %s", qpath,
		    csr_err);
		goto out;
	}
	rv = 0;
out:
	json_decref(res);
	X509_free(cert);
	csr_free(&c);
	template_info_free(&t);
	return rv;
}
