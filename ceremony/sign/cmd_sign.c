/* ceremony sign: batch-sign device CSRs against the JITP template's rules,
 * recording each certificate in ledger.jsonl before it is put in place. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "sign/batch.h"
#include "sign/batch_tar.h"
#include "ca/batchfile.h"
#include "cmd.h"
#include "ca/cakey.h"
#include "ca/caref.h"
#include "ca/intermediate.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "core/transcript.h"
#include "core/util.h"

#define STDIN_MAX (1ul << 30)

static const char usage_text[] =
    "usage: ceremony sign [options] CSR... | --csr-dir DIR | -\n\n"
    "Signs device certificate requests with the CA key, in one batch.\n"
    "Each CSR is checked first, and skipped with its reason when it would\n"
    "fail at AWS: its signature (proof of possession), its key (RSA 2048+\n"
    "or EC P-256/P-384), the subject attributes jitp_template.json reads,\n"
    "the CN as a thing name, duplicate CNs or keys in the batch or in the\n"
    "ledger. A file may hold one DER CSR or many PEM CSRs; '-' is stdin.\n"
    "Paths are relative to the ceremony directory.\n\n"
    "  --ca NAME          sign with intermediate CA NAME ('ceremony\n"
    "                     intermediate'): its key, its template; the chain\n"
    "                     files hold it; refused when it is expired, not\n"
    "                     yet valid, not a CA, lacks keyCertSign, or the\n"
    "                     root's pathLenConstraint forbids it\n"
    "  --csr-dir DIR      every file in DIR (not dot files), by name; links,\n"
    "                     FIFOs, folders are not read (in rejected.txt)\n"
    "  --days N           validity (default 365; never past the CA's end)\n"
    "  --format F         dir (default): two files per device in --out DIR;\n"
    "                     tar: one signed archive for the factory,\n"
    "                     issued/<batch-id>.tar.gz (or --out FILE), its\n"
    "                     MANIFEST signed with ceremony.key; checked there\n"
    "                     by 'ceremony import --batch'\n"
    "  --jobs N           signing threads (default: the number of cores)\n"
    "  --out DIR          output directory (default issued/<batch-id>);\n"
    "                     with --format tar the archive's path\n"
    "  --strict           all or nothing: one bad CSR and none is signed\n"
    "  --allow-duplicate-cn  sign a CN that is already issued\n"
    "  --template FILE    template to check against (default " TEMPLATE_FILE
    ",\n"
    "                     with --ca intermediate/NAME/" TEMPLATE_FILE ")\n"
    "  --quiet            no progress line and no summary\n" PASS_HELP
    "                     (for the CA key, when it is encrypted)\n"
    PIN_HELP "                     (the key in a token: " CA_URI ")\n"
    "  --sigkey-passphrase-file F, --sigkey-passphrase-fd N\n"
    "                     the passphrase of ceremony.key for --format tar\n"
    "                     (default: --passphrase-file, as 'ceremony root'\n"
    "                     gives both keys one passphrase)\n\n"
    "Writes, per device, <CN>.crt and <CN>-chain.crt (device then the CA\n"
    "that signed it, the how-to's deviceCertAndCACert.crt), plus\n"
    "rejected.txt and summary.txt; with --format tar all of them, MANIFEST\n"
    "and MANIFEST.minisig in one archive, made from the ledger once it is\n"
    "synced (a rerun makes the same bytes).\n"
    "Every certificate is linted and verified, then recorded in\n"
    "ledger.jsonl (fsynced) before its files are written. After a crash,\n"
    "run the same command again: CSRs already in the ledger are not signed\n"
    "again, their files are written again if missing or cut short.\n\n"
    "Exit status: 0 all signed, 1 some CSR rejected, 2 usage or I/O error.\n";

struct inputs {
	char **v;
	size_t n, cap;
};

static int
inputs_add(struct inputs *in, const char *path)
{
	char **nv;

	if (in->n + 2 > in->cap) {
		in->cap = in->cap ? in->cap * 2 : 64;
		if ((nv = realloc(in->v, in->cap * sizeof(*nv))) == NULL)
			return -1;
		in->v = nv;
	}
	if ((in->v[in->n] = strdup(path)) == NULL)
		return -1;
	in->v[++in->n] = NULL;
	return 0;
}

static void
inputs_free(struct inputs *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		free(in->v[i]);
	free(in->v);
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every entry of dir but dot files: what is not a regular file is
 * reported when read (csr_in_open), never followed or opened. */
static int
add_dir(struct inputs *in, const char *dir)
{
	struct dirent **list = NULL;
	char *path, q[300];
	int i, n, rv = 0;

	if ((n = scandir(dir, &list, NULL, name_cmp)) == -1) {
		warnf("%s: cannot read the directory: %s", str_safe(dir,
		    (size_t)-1, q, sizeof(q)), strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rv == 0 && list[i]->d_name[0] != '.') {
			if (asprintf(&path, "%s/%s", dir,
			    list[i]->d_name) == -1)
				rv = -1;
			else
				rv = inputs_add(in, path);
			free(path);
		}
		free(list[i]);
	}
	free(list);
	return rv;
}

/* A CSR named on the command line: a regular file, not a link to one. */
static int
check_input(const char *path, int *nstdin)
{
	struct stat st;
	char q[300];

	if (strcmp(path, "-") == 0) {
		if (++*nstdin > 1) {
			warnf("'-' (stdin) given twice");
			return -1;
		}
		return 0;
	}
	str_safe(path, (size_t)-1, q, sizeof(q));
	if (lstat(path, &st) == -1) {
		warnf("%s: %s", q, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		warnf("%s: a directory; use --csr-dir %s", q, q);
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		warnf("%s: a symbolic link; name the file it points to",
		    q);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		warnf("%s: not a regular file", q);
		return -1;
	}
	return 0;
}

/* stdin is read twice (to name the batch, then to sign): keep a copy. */
static FILE *
stdin_spool(void)
{
	char buf[65536];
	size_t n, total = 0;
	FILE *f = tmpfile();

	if (f == NULL) {
		warnf("cannot create a temporary file for stdin: %s",
		    strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		total += n;
		if (total > STDIN_MAX || fwrite(buf, 1, n, f) != n) {
			warnf("stdin: more than %lu bytes, or cannot be "
			      "copied; give the CSRs as files", STDIN_MAX);
			fclose(f);
			return NULL;
		}
	}
	if (ferror(stdin)) {
		warnf("stdin: read error");
		fclose(f);
		return NULL;
	}
	rewind(f);
	return f;
}

/* Refuses a validity that would outlive the CA certificate. */
static int
days_check(const X509 *ca, const char *path, long days)
{
	time_t end = time(NULL) + days * 86400;
	ASN1_TIME *now = ASN1_TIME_set(NULL, time(NULL));
	int pday = 0, psec = 0;

	if (X509_cmp_time(X509_get0_notAfter(ca), &end) >= 0) {
		ASN1_TIME_free(now);
		return 0;
	}
	if (now != NULL)
		ASN1_TIME_diff(&pday, &psec, now, X509_get0_notAfter(ca));
	ASN1_TIME_free(now);
	warnf("--days %ld: the certificates would outlive the CA (%s ends in "
	      "%d days); use --days %d or less", days, path, pday,
	    pday > 0 ? pday : 0);
	return -1;
}

/* Removes temp files an interrupted run left in the output directory. */
static void
clean_temps(int dfd)
{
	struct dirent *d;
	DIR *dir;
	size_t n;
	int fd = dup(dfd);

	if (fd == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((d = readdir(dir)) != NULL) {
		n = strlen(d->d_name);
		if (d->d_name[0] == '.' && n > 8 &&
		    strcmp(d->d_name + n - 8, ".crt.tmp") == 0)
			unlinkat(dfd, d->d_name, 0);
	}
	closedir(dir);
}

static int
summary_write(struct batch *b, const char *set_hex, const char *led_hex,
    double secs, int quiet, int file)
{
	char *text = NULL, *path = NULL, why[80] = "";
	int rv = -1, n;

	if (b->notfiles > 0)
		snprintf(why, sizeof(why), "; %lu not regular files, not read",
		    b->notfiles);
	n = asprintf(&text,
	    "batch            %s\n"
	    "csr_set_sha256   %s\n"
	    "csrs             %lu\n"
	    "signed           %lu\n"
	    "already_issued   %lu (files written again: %lu)\n"
	    "rejected         %lu%s%s%s\n"
	    "days             %ld\n"
	    "out              %s\n"
	    "ledger           %s (%lu certificates, sha256 %s)\n"
	    "seconds          %.2f (%.0f certs/s, %d jobs)\n",
	    b->batch, set_hex, b->seen, b->issued, b->have, b->rewritten,
	    b->rejected, b->rejected ? " (see rejected.txt" : "", why,
	    b->rejected ? ")" : "", b->is.days,
	    b->outdir, LEDGER_FILE, b->led->count, led_hex, secs,
	    secs > 0 ? b->issued / secs : 0.0, b->jobs);
	if (n == -1 || asprintf(&path, "%s/summary.txt", b->outdir) == -1)
		goto out;
	if (file && file_write(path, text, strlen(text), 0644, 1) == -1)
		goto out;
	if (!quiet)
		fputs(text, stdout);
	rv = 0;
out:
	free(text);
	free(path);
	return rv;
}

static int
rejects_open(struct batch *b)
{
	int fd = openat(b->outfd, ".rejected.txt.tmp", O_WRONLY | O_CREAT |
	    O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd == -1 || fchmod(fd, 0644) == -1 ||
	    (b->rejects = fdopen(fd, "w")) == NULL) {
		warnf("%s/rejected.txt: cannot create: %s", b->outdir,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return 0;
}

static int
rejects_close(struct batch *b)
{
	int bad = fflush(b->rejects) != 0 || fsync(fileno(b->rejects)) == -1;

	bad |= fclose(b->rejects) != 0;
	b->rejects = NULL;
	if (bad || renameat(b->outfd, ".rejected.txt.tmp", b->outfd,
	    "rejected.txt") == -1) {
		warnf("%s/rejected.txt: cannot write: %s", b->outdir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
record(struct batch *b, const char *capath, const char *tpath,
    const char *set_hex, const char *led_hex, int strict, json_t *key,
    const struct batch_tar_info *tar)
{
	const char *inputs[] = {capath, tpath, NULL};
	json_t *args, *extra;

	args = json_pack("{s:s,s:I,s:I,s:b,s:b,s:s}", "batch", b->batch,
	    "days", (json_int_t)b->is.days, "jobs", (json_int_t)b->jobs,
	    "strict", strict, "allow_duplicate_cn", b->allow_dup_cn, "out",
	    b->outdir);
	extra = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I}", "csrs",
	    (json_int_t)b->seen, "signed", (json_int_t)b->issued,
	    "already_issued", (json_int_t)b->have, "rewritten",
	    (json_int_t)b->rewritten, "rejected", (json_int_t)b->rejected,
	    "not_regular_files", (json_int_t)b->notfiles,
	    "csr_set_sha256", set_hex, "ledger_sha256", led_hex,
	    "ledger_certificates", (json_int_t)b->led->count);
	if (key != NULL && json_object_set_new(extra, "ca_key", key) == -1)
		return -1;
	if (b->ca[0] != 0 && json_object_set_new(args, "ca",
	    json_string(b->ca)) == -1)
		return -1;
	if (tar != NULL && (json_object_set_new(args, "format",
	    json_string("tar")) == -1 || json_object_set_new(extra,
	    "archive_sha256", json_string(tar->sha)) == -1 ||
	    json_object_set_new(extra, "archive_bytes",
	    json_integer((json_int_t)tar->bytes)) == -1))
		return -1;
	return transcript_append("sign", args, inputs, NULL, extra);
}

/* Everything one sign command holds, so its steps read straight. */
struct sign {
	struct pass_src src;
	struct key_src ksrc;
	struct cakey ck;
	struct template_info tpl;
	struct inputs in;
	struct ledger led;
	struct batch b;
	struct caref ref;
	struct pass_src ssrc;  /* ceremony.key, --format tar */
	struct sigkey sk;
	struct batch_tar *bt;
	const char *tpath, *out, *caname;
	char set_hex[65], led_hex[65], *outdir, tbuf[CAREF_PATH_MAX];
	X509 *ca;
	FILE *spool;
	long days, jobs;
	int strict, quiet, nstdin, tar;
};

/* 0 to go on, 1 after --help, -1 on a usage error (reported). */
static int
sign_options(struct sign *S, int argc, char **argv)
{
	static const struct option opts[] = {
		{"csr-dir", 1, NULL, 'D'}, {"days", 1, NULL, 'd'},
		{"jobs", 1, NULL, 'j'}, {"out", 1, NULL, 'o'},
		{"strict", 0, NULL, 's'}, {"allow-duplicate-cn", 0, NULL, 'a'},
		{"template", 1, NULL, 't'}, {"quiet", 0, NULL, 'q'},
		{"ca", 1, NULL, 'C'}, PASS_LONGOPTS, PIN_LONGOPTS,
		{"format", 1, NULL, 'F'},
		{"sigkey-passphrase-file", 1, NULL, 'P'},
		{"sigkey-passphrase-fd", 1, NULL, 'N'},
		{"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c, r = 0;

	/* "-": CSRs and --csr-dir files keep their command-line order */
	while ((c = getopt_long(argc, argv, "-hq", opts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (check_input(optarg, &S->nstdin) == -1 ||
			    inputs_add(&S->in, optarg) == -1)
				return -1;
			break;
		case 'D':
			if (add_dir(&S->in, optarg) == -1)
				return -1;
			break;
		case 'd':
			if (parse_days(optarg, &S->days) == -1)
				return -1;
			break;
		case 'j':
			S->jobs = strtol(optarg, &end, 10);
			if (*optarg == 0 || *end != 0 || S->jobs < 1 ||
			    S->jobs > 256) {
				warnf("--jobs: '%s' is not a number from 1 to "
				      "256", optarg);
				return -1;
			}
			break;
		case 'o':
			S->out = optarg;
			break;
		case 's':
			S->strict = 1;
			break;
		case 'a':
			S->b.allow_dup_cn = 1;
			break;
		case 't':
			S->tpath = optarg;
			break;
		case 'q':
			S->quiet = 1;
			break;
		case 'C':
			S->caname = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "dir") != 0 &&
			    strcmp(optarg, "tar") != 0) {
				warnf("--format: '%s' is not dir or tar",
				    optarg);
				return -1;
			}
			S->tar = strcmp(optarg, "tar") == 0;
			break;
		case 'P':
		case 'N':
			if (pass_option(&S->ssrc, c == 'P' ? PASS_OPT_FILE :
			    PASS_OPT_FD, optarg) != 0)
				return -1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			if (pass_option(&S->src, c, optarg) == 0 ||
			    (r = key_src_option(&S->ksrc, c, optarg)) == 0)
				break;
			if (r != RC_USAGE)
				fputs(usage_text, stderr);
			return -1;
		}
	}
	if (S->in.n == 0) {
		warnf("sign: no CSRs given: name CSR files, --csr-dir DIR, or "
		      "'-' for stdin");
		fputs(usage_text, stderr);
		return -1;
	}
	if (S->jobs < 1)
		S->jobs = 1;
	if (!S->tar && (S->ssrc.file != NULL || S->ssrc.fd != -1)) {
		warnf("--sigkey-passphrase-file, --sigkey-passphrase-fd: only "
		      "with --format tar");
		return -1;
	}
	return 0;
}

/* The CA signs: the root as a root; an intermediate usable under the
 * root. 0, or an exit status. */
static int
sign_ca_check(struct sign *S)
{
	X509 *root;
	char err[256], label[100];
	int rv = EXIT_CHECK;

	if (S->ref.name[0] == 0) {
		if (pki_lint(S->ca, NULL, PROFILE_CA, err, sizeof(err)) == 0)
			return 0;
		warnf("%s: not a usable CA certificate: %s", CA_CERT, err);
		return EXIT_CHECK;
	}
	if ((root = pki_cert_load(CA_CERT)) == NULL) {
		warnf("--ca %s: the root's %s is needed to check the chain",
		    S->ref.name, CA_CERT);
		return EXIT_USAGE;
	}
	if (intermediate_usable(S->ca, root, err, sizeof(err)) == 0)
		rv = 0;
	else
		warnf("%s: %s cannot sign: %s; nothing signed", S->ref.cert,
		    caref_label(&S->ref, label, sizeof(label)), err);
	X509_free(root);
	return rv;
}

/* The CA's jitp_template.json; registered in several regions, the first
 * registration's (they differ only in the policy's region and account). */
static int
default_template(const struct caref *ref, char *out, size_t outlen)
{
	struct region_reg v[REGIONS_MAX];
	char path[CAREF_PATH_MAX + 16], dir[REGION_DIR_MAX], rel[160], e[160];
	unsigned char *text;
	size_t len, n = 0;
	int r;

	if (caref_path(ref, TEMPLATE_FILE, out, outlen) == -1 ||
	    caref_path(ref, REGIONS_FILE, path, sizeof(path)) == -1)
		return -1;
	if (file_exists(out) || !file_exists(path))
		return 0;
	if (file_read(path, &text, &len, 1u << 20) == -1)
		return -1;
	r = regions_parse((char *)text, len, v, REGIONS_MAX, &n, e, sizeof(e));
	free(text);
	if (r == -1 || n == 0)
		return 0;
	if (region_dir(&v[0], dir, sizeof(dir)) == -1 ||
	    snprintf(rel, sizeof(rel), "%s/%s", dir, TEMPLATE_FILE) >=
		(int)sizeof(rel))
		return -1;
	return caref_path(ref, rel, out, outlen);
}

/* --format tar: ceremony.key, the archive's path (issued/<batch-id>.tar.gz
 * or --out), the batch within one archive's bounds. Nothing written. 0,
 * or an exit status. */
static int
sign_tar_prepare(struct sign *S)
{
	struct batch *b = &S->b;
	struct stat st;

	if (b->total > BATCHFILE_DEVICES_MAX) {
		warnf("--format tar: %lu CSRs, more than the %d certificates "
		      "one archive holds; split the batch or use --format dir",
		    b->total, BATCHFILE_DEVICES_MAX);
		return EXIT_USAGE;
	}
	if (S->out != NULL && stat(S->out, &st) == 0 && S_ISDIR(st.st_mode)) {
		warnf("--out %s: a folder; with --format tar --out names the "
		      "archive file", S->out);
		return EXIT_USAGE;
	}
	if (batch_tar_key(&S->sk, &S->ssrc, &S->src) == -1)
		return EXIT_USAGE;
	if (S->out == NULL) {
		free(S->outdir);
		if (asprintf(&S->outdir, "issued/%s.tar.gz", b->batch) == -1) {
			S->outdir = NULL;
			return EXIT_USAGE;
		}
		b->outdir = S->outdir;
	}
	return 0;
}

/* The template, the CA certificate, the CSR set's id, the ledger, the CA
 * key and the issuer. 0, or an exit status. */
static int
sign_prepare(struct sign *S)
{
	struct batch *b = &S->b;
	unsigned char set[32];
	unsigned long count;
	char err[256];
	int r;

	if ((S->caname ? caref_open(&S->ref, S->caname, err, sizeof(err)) :
	    caref_init(&S->ref, NULL, err, sizeof(err))) == -1) {
		warnf("--ca: %s", err);
		return EXIT_USAGE;
	}
	b->ca = S->ref.name;
	if (S->tpath == NULL) {
		if (default_template(&S->ref, S->tbuf, sizeof(S->tbuf)) == -1)
			return EXIT_USAGE;
		S->tpath = S->tbuf;
	}
	if (template_load(S->tpath, &S->tpl, err, sizeof(err)) == -1) {
		warnf("%s: %s%s%s%s", S->tpath, err, file_exists(S->tpath) ?
		    "" : " (run 'ceremony template", file_exists(S->tpath) ||
		    S->caname == NULL ? "" : " --ca NAME", file_exists(
		    S->tpath) ? "" : "' first, or give --template)");
		return EXIT_USAGE;
	}
	if (S->tpl.body == NULL) {
		/* a named template lives at AWS: check the how-to's rules */
		warnf("%s: named template '%s' cannot be read offline; "
		      "checking the how-to's parameters (CommonName as thing "
		      "name, Country)", S->tpath, S->tpl.template_name);
		S->tpl.params = TP_COMMONNAME | TP_COUNTRY;
		S->tpl.thing_from_cn = 1;
	}
	if ((S->ca = pki_cert_load(S->ref.cert)) == NULL)
		return EXIT_USAGE;
	if ((r = sign_ca_check(S)) != 0)
		return r;
	if (days_check(S->ca, S->ref.cert, S->days) == -1)
		return EXIT_USAGE;
	if (S->nstdin && (S->spool = stdin_spool()) == NULL)
		return EXIT_USAGE;
	if (batch_scan(S->in.v, S->spool, set, &count) == -1)
		return EXIT_USAGE;
	hex_encode(set, 32, S->set_hex);
	memcpy(b->batch, S->set_hex, 16);
	b->batch[16] = 0;
	if (ledger_open(&S->led, LEDGER_FILE) == -1)
		return EXIT_USAGE;
	if ((r = cakey_load_ca(&S->ck, &S->ref, &S->ksrc, &S->src, S->ca)) !=
	    0)
		return CAKEY_EXIT(r);
	if (pki_issuer_init(&b->is, PROFILE_DEVICE, S->ca, S->ck.pkey,
	    S->days, err, sizeof(err)) == -1) {
		warnf("%s: cannot prepare the device certificate profile",
		    S->ref.cert);
		return EXIT_USAGE;
	}
	b->tpl = &S->tpl;
	b->led = &S->led;
	b->inputs = S->in.v;
	b->stdin_copy = S->spool;
	b->jobs = (int)S->jobs;
	b->total = count;
	b->progress = !S->quiet && isatty(STDERR_FILENO);
	if (S->out == NULL &&
	    asprintf(&S->outdir, "issued/%s", b->batch) == -1) {
		S->outdir = NULL;
		return EXIT_USAGE;
	}
	b->outdir = S->out ? S->out : S->outdir;
	return S->tar ? sign_tar_prepare(S) : 0;
}

/* --strict: a check pass over every CSR first; one rejected, none
 * signed. 0, or an exit status. */
static int
sign_strict(struct sign *S)
{
	struct batch *b = &S->b;
	int r;

	/* files already in an existing --out count in the check */
	b->outfd = S->tar ? -1 : open(b->outdir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (b->outfd == -1 && !S->tar && errno != ENOENT) {
		warnf("%s: cannot open: %s", b->outdir, strerror(errno));
		return EXIT_USAGE;
	}
	r = batch_precheck(b);
	if (b->outfd != -1)
		close(b->outfd);
	b->outfd = -1;
	if (r == RC_CHECK) {
		warnf("--strict: %lu of %lu CSRs rejected; nothing signed",
		    b->rejected, b->seen);
		return EXIT_CHECK;
	}
	return r == -1 ? EXIT_USAGE : 0;
}

/* After the run: the ledger's hash, summary.txt (dir) or the summary on
 * stdout, and the transcript line (with the archive for tar). */
static int
sign_finish(struct sign *S, const struct batch_tar_info *tar)
{
	struct batch *b = &S->b;

	if (file_exists(LEDGER_FILE) &&
	    sha256_file_hex(LEDGER_FILE, S->led_hex) == -1) {
		warnf("%s: cannot read: %s", LEDGER_FILE, strerror(errno));
		return -1;
	}
	if (summary_write(b, S->set_hex, S->led_hex, b->finished - b->started,
	    S->quiet, tar == NULL) == -1 ||
	    record(b, S->ref.cert, S->tpath, S->set_hex, S->led_hex, S->strict,
	    cakey_json(&S->ck), tar) == -1)
		return -1;
	return 0;
}

/* The signing pass into the output folder, then summary.txt and the
 * transcript. The exit status. */
static int
sign_write(struct sign *S)
{
	struct batch *b = &S->b;

	if (dir_make(b->outdir, 0755) == -1)
		return EXIT_USAGE;
	if ((b->outfd = open(b->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warnf("%s: cannot open: %s", b->outdir, strerror(errno));
		return EXIT_USAGE;
	}
	clean_temps(b->outfd);
	if (rejects_open(b) == -1)
		return EXIT_USAGE;
	b->report = 1;
	if (batch_run(b) == -1)
		return EXIT_USAGE;
	if (rejects_close(b) == -1 || syncfs(b->outfd) == -1 ||
	    fsync(b->outfd) == -1)
		return EXIT_USAGE;
	if (sign_finish(S, NULL) == -1)
		return EXIT_USAGE;
	return b->rejected > 0 ? EXIT_CHECK : 0;
}

/* --format tar: the batch into a spool, then one archive. */
static int
sign_write_tar(struct sign *S)
{
	struct batch *b = &S->b;
	struct batch_tar_info info = {.set_hex = S->set_hex, .ca = b->ca,
	    .key = &S->sk};
	char b64[57];

	if ((S->out == NULL && dir_make("issued", 0755) == -1) ||
	    (S->bt = batch_tar_new(b->outdir)) == NULL)
		return EXIT_USAGE;
	if ((b->rejects = tmpfile()) == NULL) {
		warnf("cannot create a temporary file for rejected.txt: %s",
		    strerror(errno));
		return EXIT_USAGE;
	}
	b->collect = batch_tar_collect;
	b->collect_arg = S->bt;
	b->report = 1;
	if (batch_run(b) == -1)
		return EXIT_USAGE;
	info.rejects = b->rejects;
	if (batch_tar_write(S->bt, b, &info) == -1)
		return EXIT_USAGE;
	if (sign_finish(S, &info) == -1)
		return EXIT_USAGE;
	if (!S->quiet) {
		sigkey_public_b64(&S->sk, b64);
		printf("archive          %s (%llu bytes, %lu certificates%s)\n"
		       "archive_sha256   %s\n"
		       "At the factory:  ceremony import --batch %s --pubkey %s\n",
		    b->outdir, (unsigned long long)info.bytes, info.certs,
		    info.same ? ", unchanged" : info.replaced ?
		    ", replaced" : "", info.sha, b->outdir, b64);
	}
	return b->rejected > 0 ? EXIT_CHECK : 0;
}

int
cmd_sign(int argc, char **argv)
{
	struct sign S = {.src = PASS_SRC_INIT, .ksrc = KEY_SRC_INIT,
	    .ssrc = PASS_SRC_INIT, .days = 365};
	int rv;

	S.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	S.led.fd = -1;
	S.b.outfd = -1;
	if ((rv = sign_options(&S, argc, argv)) != 0)
		rv = rv == 1 ? 0 : EXIT_USAGE;
	else if ((rv = sign_prepare(&S)) == 0 &&
	    (!S.strict || (rv = sign_strict(&S)) == 0))
		rv = S.tar ? sign_write_tar(&S) : sign_write(&S);
	if (S.b.rejects != NULL)
		fclose(S.b.rejects);
	if (S.b.outfd != -1)
		close(S.b.outfd);
	if (S.led.path != NULL)
		ledger_close(&S.led);
	pki_issuer_free(&S.b.is);
	template_info_free(&S.tpl);
	inputs_free(&S.in);
	if (S.spool != NULL)
		fclose(S.spool);
	free(S.outdir);
	batch_tar_free(S.bt);
	sigkey_free(&S.sk);
	X509_free(S.ca);
	cakey_free(&S.ck);
	return rv;
}
