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
#include "cmd.h"
#include "ca/cakey.h"
#include "ca/pki.h"
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
    "  --csr-dir DIR      every file in DIR (not dot files), by name; links,\n"
    "                     FIFOs, folders are not read (in rejected.txt)\n"
    "  --days N           validity (default 365; never past the CA's end)\n"
    "  --jobs N           signing threads (default: the number of cores)\n"
    "  --out DIR          output directory (default issued/<batch-id>)\n"
    "  --strict           all or nothing: one bad CSR and none is signed\n"
    "  --allow-duplicate-cn  sign a CN that is already issued\n"
    "  --template FILE    template to check against (default " TEMPLATE_FILE
    ")\n"
    "  --quiet            no progress line and no summary\n" PASS_HELP
    "                     (for the CA key, when it is encrypted)\n"
    PIN_HELP "                     (the key in a token: " CA_URI ")\n\n"
    "Writes, per device, <CN>.crt and <CN>-chain.crt (device then CA, the\n"
    "how-to's deviceCertAndCACert.crt), plus rejected.txt and summary.txt.\n"
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
days_check(const X509 *ca, long days)
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
	      "%d days); use --days %d or less", days, CA_CERT, pday,
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
    double secs, int quiet)
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
	if (file_write(path, text, strlen(text), 0644, 1) == -1)
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
record(struct batch *b, const char *tpath, const char *set_hex,
    const char *led_hex, int strict, json_t *key)
{
	const char *inputs[] = {CA_CERT, tpath, NULL};
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
	return transcript_append("sign", args, inputs, NULL, extra);
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{"csr-dir", 1, NULL, 'D'}, {"days", 1, NULL, 'd'},
		{"jobs", 1, NULL, 'j'}, {"out", 1, NULL, 'o'},
		{"strict", 0, NULL, 's'}, {"allow-duplicate-cn", 0, NULL, 'a'},
		{"template", 1, NULL, 't'}, {"quiet", 0, NULL, 'q'},
		PASS_LONGOPTS, PIN_LONGOPTS, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pass_src src = PASS_SRC_INIT;
	struct key_src ksrc = KEY_SRC_INIT;
	struct cakey ck = {0};
	struct template_info tpl = {0};
	struct inputs in = {0};
	struct ledger led;
	struct batch b;
	const char *tpath = TEMPLATE_FILE, *out = NULL;
	char err[256], set_hex[65], led_hex[65] = "", *outdir = NULL, *end;
	unsigned char set[32];
	unsigned long count;
	X509 *ca = NULL;
	FILE *spool = NULL;
	long days = 365, jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int c, r, strict = 0, quiet = 0, nstdin = 0, rv = EXIT_USAGE;

	memset(&b, 0, sizeof(b));
	memset(&led, 0, sizeof(led));
	led.fd = -1;
	b.outfd = -1;
	/* "-": CSRs and --csr-dir files keep their command-line order */
	while ((c = getopt_long(argc, argv, "-hq", opts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (check_input(optarg, &nstdin) == -1 ||
			    inputs_add(&in, optarg) == -1)
				goto out;
			break;
		case 'D':
			if (add_dir(&in, optarg) == -1)
				goto out;
			break;
		case 'd':
			if (parse_days(optarg, &days) == -1)
				goto out;
			break;
		case 'j':
			jobs = strtol(optarg, &end, 10);
			if (*optarg == 0 || *end != 0 || jobs < 1 ||
			    jobs > 256) {
				warnf("--jobs: '%s' is not a number from 1 to "
				      "256", optarg);
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			strict = 1;
			break;
		case 'a':
			b.allow_dup_cn = 1;
			break;
		case 't':
			tpath = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			rv = 0;
			goto out;
		default:
			if (pass_option(&src, c, optarg) == 0 ||
			    (r = key_src_option(&ksrc, c, optarg)) == 0)
				break;
			if (r != RC_USAGE)
				fputs(usage_text, stderr);
			goto out;
		}
	}
	if (in.n == 0) {
		warnf("sign: no CSRs given: name CSR files, --csr-dir DIR, or "
		      "'-' for stdin");
		fputs(usage_text, stderr);
		goto out;
	}
	if (jobs < 1)
		jobs = 1;
	if (template_load(tpath, &tpl, err, sizeof(err)) == -1) {
		warnf("%s: %s%s", tpath, err, file_exists(tpath) ? "" :
		    " (run 'ceremony template' first, or give --template)");
		goto out;
	}
	if (tpl.body == NULL) {
		/* a named template lives at AWS: check the how-to's rules */
		warnf("%s: named template '%s' cannot be read offline; "
		      "checking the how-to's parameters (CommonName as thing "
		      "name, Country)", tpath, tpl.template_name);
		tpl.params = TP_COMMONNAME | TP_COUNTRY;
		tpl.thing_from_cn = 1;
	}
	if ((ca = pki_cert_load(CA_CERT)) == NULL)
		goto out;
	if (pki_lint(ca, NULL, PROFILE_CA, err, sizeof(err)) == -1) {
		warnf("%s: not a usable CA certificate: %s", CA_CERT, err);
		rv = EXIT_CHECK;
		goto out;
	}
	if (days_check(ca, days) == -1)
		goto out;
	if (nstdin && (spool = stdin_spool()) == NULL)
		goto out;
	if (batch_scan(in.v, spool, set, &count) == -1)
		goto out;
	hex_encode(set, 32, set_hex);
	memcpy(b.batch, set_hex, 16);
	b.batch[16] = 0;
	if (ledger_open(&led, LEDGER_FILE) == -1)
		goto out;
	if ((r = cakey_load(&ck, &ksrc, &src, ca)) != 0) {
		rv = CAKEY_EXIT(r);
		goto out;
	}
	if (pki_issuer_init(&b.is, PROFILE_DEVICE, ca, ck.pkey, days, err,
	    sizeof(err)) == -1) {
		warnf("%s: cannot prepare the device certificate profile",
		    CA_CERT);
		goto out;
	}
	b.tpl = &tpl;
	b.led = &led;
	b.inputs = in.v;
	b.stdin_copy = spool;
	b.jobs = (int)jobs;
	b.total = count;
	b.progress = !quiet && isatty(STDERR_FILENO);
	if (out == NULL && asprintf(&outdir, "issued/%s", b.batch) == -1)
		goto out;
	b.outdir = out ? out : outdir;
	if (strict) {
		/* files already in an existing --out count in the check */
		b.outfd = open(b.outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (b.outfd == -1 && errno != ENOENT) {
			warnf("%s: cannot open: %s", b.outdir, strerror(errno));
			goto out;
		}
		r = batch_precheck(&b);
		if (b.outfd != -1)
			close(b.outfd);
		b.outfd = -1;
		if (r == RC_CHECK) {
			warnf("--strict: %lu of %lu CSRs rejected; nothing "
			      "signed", b.rejected, b.seen);
			rv = EXIT_CHECK;
			goto out;
		}
		if (r == -1)
			goto out;
	}
	if (dir_make(b.outdir, 0755) == -1)
		goto out;
	if ((b.outfd = open(b.outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warnf("%s: cannot open: %s", b.outdir, strerror(errno));
		goto out;
	}
	clean_temps(b.outfd);
	if (rejects_open(&b) == -1)
		goto out;
	b.report = 1;
	if (batch_run(&b) == -1)
		goto out;
	if (rejects_close(&b) == -1 || syncfs(b.outfd) == -1 ||
	    fsync(b.outfd) == -1)
		goto out;
	if (file_exists(LEDGER_FILE) &&
	    sha256_file_hex(LEDGER_FILE, led_hex) == -1) {
		warnf("%s: cannot read: %s", LEDGER_FILE, strerror(errno));
		goto out;
	}
	if (summary_write(&b, set_hex, led_hex, b.finished - b.started,
	    quiet) == -1 ||
	    record(&b, tpath, set_hex, led_hex, strict, cakey_json(&ck)) ==
		-1)
		goto out;
	rv = b.rejected > 0 ? EXIT_CHECK : 0;
out:
	if (b.rejects != NULL)
		fclose(b.rejects);
	if (b.outfd != -1)
		close(b.outfd);
	if (led.path != NULL)
		ledger_close(&led);
	pki_issuer_free(&b.is);
	template_info_free(&tpl);
	inputs_free(&in);
	if (spool != NULL)
		fclose(spool);
	free(outdir);
	X509_free(ca);
	cakey_free(&ck);
	return rv;
}
