/* The batch pipeline's two passes (--strict): a pre-pass that finds one bad
 * CSR writes nothing (no ledger, no output files); one that finds none
 * leaves no trace either, so the signing pass signs every CSR; the results
 * are reset between the passes, every counter (rewritten too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "sign/batch.h"
#include "ca/pki.h"
#include "core/util.h"

#define NCSR 5

static const struct template_info howto = {
	TP_COMMONNAME | TP_COUNTRY | TP_ID, 1, NULL, NULL, NULL};

static struct {
	char dir[64];
	EVP_PKEY *cakey;
	X509 *ca;
	char *inputs[NCSR + 1];
} F;

/* A PEM CSR file for subject, with a new P-256 key. */
static char *
csr_file(const char *file, const char *subject)
{
	char err[256];
	X509_NAME *n = pki_subject_parse(subject, err, sizeof(err));
	EVP_PKEY *k = pki_keygen(KEY_P256);
	X509_REQ *r = X509_REQ_new();
	FILE *f = fopen(file, "w");

	assert_non_null(n);
	assert_non_null(k);
	assert_non_null(f);
	assert_true(X509_REQ_set_subject_name(r, n));
	assert_true(X509_REQ_set_pubkey(r, k));
	assert_true(X509_REQ_sign(r, k, EVP_sha256()) > 0);
	assert_true(PEM_write_X509_REQ(f, r));
	assert_int_equal(fclose(f), 0);
	X509_REQ_free(r);
	EVP_PKEY_free(k);
	X509_NAME_free(n);
	return strdup(file);
}

static int
setup(void **state)
{
	char err[256];
	X509_NAME *n = pki_subject_parse("/C=IN/CN=Batch CA", err,
	    sizeof(err));

	snprintf(F.dir, sizeof(F.dir), "/tmp/test_batch.XXXXXX");
	if (n == NULL || mkdtemp(F.dir) == NULL || chdir(F.dir) == -1 ||
	    (F.cakey = pki_keygen(KEY_P256)) == NULL ||
	    (F.ca = pki_cert_issue(PROFILE_CA, n, F.cakey, NULL, F.cakey,
		365)) == NULL)
		return -1;
	X509_NAME_free(n);
	return 0;
}

static int
teardown(void **state)
{
	dir_remove("out");
	if (chdir("/") == 0)
		dir_remove(F.dir);
	X509_free(F.ca);
	EVP_PKEY_free(F.cakey);
	return 0;
}

/* Fresh CSRs dev0 ... dev4; bad names one without a country. */
static void
csrs_make(int bad)
{
	char file[32], subject[64];
	int i;

	for (i = 0; i < NCSR; i++) {
		free(F.inputs[i]);
		snprintf(file, sizeof(file), "dev%d.pem", i);
		snprintf(subject, sizeof(subject), i == bad ? "/CN=dev%d" :
		    "/C=US/CN=dev%d", i);
		F.inputs[i] = csr_file(file, subject);
	}
	F.inputs[NCSR] = NULL;
}

/* A batch as 'ceremony sign' sets one up, over a fresh ledger read. */
static void
batch_setup(struct batch *b, struct ledger *led)
{
	char err[256];

	memset(b, 0, sizeof(*b));
	assert_int_equal(ledger_open(led, LEDGER_FILE), 0);
	assert_int_equal(pki_issuer_init(&b->is, PROFILE_DEVICE, F.ca,
	    F.cakey, 30, err, sizeof(err)), 0);
	b->tpl = &howto;
	b->led = led;
	b->inputs = F.inputs;
	snprintf(b->batch, sizeof(b->batch), "0123456789abcdef");
	b->outdir = "out";
	b->outfd = open("out", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	b->jobs = 2;
	b->total = NCSR;
}

static void
batch_done(struct batch *b, struct ledger *led)
{
	if (b->outfd != -1)
		close(b->outfd);
	pki_issuer_free(&b->is);
	ledger_close(led);
}

static void
counts_zero(const struct batch *b)
{
	assert_int_equal(b->seen, 0);
	assert_int_equal(b->issued, 0);
	assert_int_equal(b->have, 0);
	assert_int_equal(b->rewritten, 0);
	assert_int_equal(b->rejected, 0);
}

static void
test_reset(void **state)
{
	struct batch b;

	memset(&b, 0, sizeof(b));
	b.seen = b.issued = b.have = b.rewritten = b.rejected = 7;
	b.jobs = 3;
	batch_reset(&b);
	counts_zero(&b);
	assert_int_equal(b.jobs, 3); /* inputs stay */
}

static void
test_one_bad_writes_nothing(void **state)
{
	struct ledger led;
	struct batch b;
	struct stat st;

	csrs_make(2);
	batch_setup(&b, &led);
	assert_int_equal(b.outfd, -1);
	assert_int_equal(batch_precheck(&b), RC_CHECK);
	assert_int_equal(b.seen, NCSR);
	assert_int_equal(b.rejected, 1);
	assert_int_equal(b.issued, NCSR - 1); /* would be signed */
	assert_int_equal(b.check_only, 0);
	assert_int_equal(led.count, 0);
	assert_int_equal(stat(LEDGER_FILE, &st), -1);
	assert_int_equal(stat("out", &st), -1);
	batch_done(&b, &led);
}

static int
out_has(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "out/%s", name);
	return access(path, F_OK) == 0;
}

static void
test_all_good_signs_all(void **state)
{
	struct ledger led;
	struct batch b;
	char name[32];
	int i;

	csrs_make(-1);
	batch_setup(&b, &led);
	assert_int_equal(batch_precheck(&b), 0);
	/* the pre-pass leaves nothing behind: no counts, no marks */
	counts_zero(&b);
	assert_int_equal(led.count, 0);
	assert_false(out_has(""));
	assert_int_equal(dir_make("out", 0755), 0);
	b.outfd = open("out", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(b.outfd != -1);
	assert_int_equal(batch_run(&b), 0);
	assert_int_equal(b.seen, NCSR);
	assert_int_equal(b.issued, NCSR);
	assert_int_equal(b.rejected, 0);
	assert_int_equal(b.have, 0);
	assert_int_equal(led.count, NCSR);
	for (i = 0; i < NCSR; i++) {
		snprintf(name, sizeof(name), "dev%d.crt", i);
		assert_true(out_has(name));
		snprintf(name, sizeof(name), "dev%d-chain.crt", i);
		assert_true(out_has(name));
	}
	batch_done(&b, &led);

	/* the same batch again, one certificate lost: the pre-pass counts
	 * the issued ones and is reset; the signing pass writes one again */
	assert_int_equal(unlink("out/dev3.crt"), 0);
	batch_setup(&b, &led);
	assert_int_equal(batch_precheck(&b), 0);
	counts_zero(&b);
	assert_int_equal(batch_run(&b), 0);
	assert_int_equal(b.seen, NCSR);
	assert_int_equal(b.have, NCSR);
	assert_int_equal(b.issued, 0);
	assert_int_equal(b.rewritten, 1);
	assert_true(out_has("dev3.crt"));
	assert_int_equal(led.count, NCSR);
	batch_done(&b, &led);

	/* and once more with nothing lost: nothing written */
	batch_setup(&b, &led);
	assert_int_equal(batch_precheck(&b), 0);
	assert_int_equal(batch_run(&b), 0);
	assert_int_equal(b.have, NCSR);
	assert_int_equal(b.rewritten, 0);
	batch_done(&b, &led);
	for (i = 0; i < NCSR; i++) {
		unlink(F.inputs[i]);
		free(F.inputs[i]);
		F.inputs[i] = NULL;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_one_bad_writes_nothing),
		cmocka_unit_test(test_all_good_signs_all),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
