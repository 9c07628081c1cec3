/* The transcript chain: appended lines verify; an edited byte, a deleted,
 * swapped or truncated line, and a changed file are each detected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/transcript.h"
#include "core/util.h"

#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"
#define MAXLINES 16

static char dir[] = "/tmp/test_transcript.XXXXXX";
static char cwd[4096];

static void
put(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
puts_file(const char *path, const char *s)
{
	put(path, s, strlen(s));
}

static char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf;

	assert_int_equal(file_read(path, &buf, len, 1 << 20), 0);
	return (char *)buf;
}

/* Fresh directory content: three files and a four-line transcript. */
static int
setup(void **state)
{
	const char *out1[] = {"a.pem", "a.key", NULL};
	const char *in2[] = {"a.pem", NULL}, *out2[] = {"b.crt", NULL};
	const char *out3[] = {"c.json", NULL};
	const char *in4[] = {"a.pem", "b.crt", "c.json", NULL};

	if (chdir(dir) == -1)
		return -1;
	unlink(TRANSCRIPT_FILE);
	puts_file("a.pem", "certificate A\n");
	puts_file("a.key", "key A\n");
	puts_file("b.crt", "certificate B\n");
	puts_file("c.json", "{\"c\": 1}\n");
	if (transcript_append("root", json_pack("{s:s}", "key", "ec-p256"),
		NULL, out1, NULL) ||
	    transcript_append("verification", json_pack("{s:s}", "code",
		"ab"), in2, out2, NULL) ||
	    transcript_append("template", NULL, NULL, out3,
		json_pack("{s:i}", "count", 3)) ||
	    transcript_append("bundle", NULL, in4, NULL, NULL))
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	return 0;
}

static int
group_setup(void **state)
{
	if (getcwd(cwd, sizeof(cwd)) == NULL || mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	const char *f[] = {TRANSCRIPT_FILE, "a.pem", "a.key", "b.crt",
	    "c.json", "d.txt", NULL};
	int i;

	for (i = 0; f[i] != NULL; i++)
		unlink(f[i]);
	if (chdir(cwd) == -1 || rmdir(dir) == -1)
		return -1;
	return 0;
}

/* Splits the transcript into lines (without newlines); returns the count. */
static int
lines(char *text, char **l)
{
	int n = 0;
	char *p, *nl;

	for (p = text; *p && n < MAXLINES; p = nl + 1, n++) {
		l[n] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = 0;
	}
	return n;
}

/* Writes lines back, each followed by a newline. */
static void
unlines(char **l, int n)
{
	FILE *f = fopen(TRANSCRIPT_FILE, "wb");
	int i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", l[i]);
	assert_int_equal(fclose(f), 0);
}

static int
verify(void)
{
	char head[65];

	return transcript_verify(TRANSCRIPT_FILE, 1, head);
}

static void
head_of(char head[65])
{
	assert_int_equal(transcript_head(TRANSCRIPT_FILE, head), 0);
}

/* --- the good chain ------------------------------------------------------ */

static void
test_chain_verifies(void **state)
{
	char head[65], head2[65], *text, *l[MAXLINES] = {0}, h[65];
	size_t len;
	int n, i;

	assert_int_equal(transcript_verify(TRANSCRIPT_FILE, 1, head), 0);
	head_of(head2);
	assert_string_equal(head, head2);
	text = slurp(TRANSCRIPT_FILE, &len);
	assert_int_equal(text[len - 1], '\n');
	n = lines(text, l);
	assert_int_equal(n, 4);
	/* head is the SHA-256 of the last line */
	sha256_hex(l[3], strlen(l[3]), h);
	assert_string_equal(h, head);
	/* each line names its predecessor's hash; the first names zeros */
	for (i = 0; i < n; i++) {
		json_t *j = json_loads(l[i], 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "seq")),
		    i + 1);
		if (i == 0)
			assert_string_equal(json_string_value(json_object_get(j,
			    "prev")), ZERO);
		else {
			sha256_hex(l[i - 1], strlen(l[i - 1]), h);
			assert_string_equal(json_string_value(json_object_get(j,
			    "prev")), h);
		}
		assert_string_equal(json_string_value(json_object_get(j,
		    "version")), ceremony_version);
		json_decref(j);
	}
	free(text);
}

static void
test_line_contents(void **state)
{
	json_t *j = transcript_last(TRANSCRIPT_FILE, "verification"), *o;
	char h[65];
	const char *t;

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "command")),
	    "verification");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "args"), "code")), "ab");
	assert_int_equal(sha256_file_hex("a.pem", h), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "inputs"), "a.pem")), h);
	assert_int_equal(sha256_file_hex("b.crt", h), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "outputs"), "b.crt")), h);
	t = json_string_value(json_object_get(j, "time"));
	assert_non_null(t);
	assert_int_equal(strlen(t), 20);
	assert_int_equal(t[10], 'T');
	assert_int_equal(t[19], 'Z');
	json_decref(j);
	/* extra fields merged; no args means an empty object */
	j = transcript_last(TRANSCRIPT_FILE, "template");
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
	o = json_object_get(j, "args");
	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), 0);
	json_decref(j);
	assert_null(transcript_last(TRANSCRIPT_FILE, "restore"));
}

static void
test_append_after_verify(void **state)
{
	char before[65], after[65], *text, *l[MAXLINES] = {0}, h[65];
	json_t *j;
	size_t len;

	head_of(before);
	puts_file("d.txt", "d\n");
	assert_int_equal(transcript_append("sign", NULL, (const char *[]){
	    "d.txt", NULL}, NULL, NULL), 0);
	assert_int_equal(verify(), 0);
	head_of(after);
	assert_string_not_equal(before, after);
	text = slurp(TRANSCRIPT_FILE, &len);
	assert_int_equal(lines(text, l), 5);
	j = json_loads(l[4], 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "prev")),
	    before);
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 5);
	sha256_hex(l[4], strlen(l[4]), h);
	assert_string_equal(h, after);
	json_decref(j);
	free(text);
}

static void
test_missing_and_empty(void **state)
{
	char head[65];

	head_of(head);
	assert_string_not_equal(head, ZERO);
	assert_int_equal(unlink(TRANSCRIPT_FILE), 0);
	assert_int_equal(transcript_verify(TRANSCRIPT_FILE, 1, head), 2);
	head_of(head);
	assert_string_equal(head, ZERO);
	puts_file(TRANSCRIPT_FILE, "");
	assert_int_equal(verify(), 1);
	head_of(head);
	assert_string_equal(head, ZERO);
}

/* --- tampering ----------------------------------------------------------- */

/* Changes one byte of line i (0-based) at the first occurrence of from. */
static void
edit_line(int i, const char *from, const char *to)
{
	char *text, *l[MAXLINES] = {0}, *p;
	size_t len;
	int n;

	text = slurp(TRANSCRIPT_FILE, &len);
	n = lines(text, l);
	p = strstr(l[i], from);
	assert_non_null(p);
	memcpy(p, to, strlen(to));
	unlines(l, n);
	free(text);
}

static void
test_edit_byte(void **state)
{
	edit_line(0, "ec-p256", "ec-p384");
	assert_int_equal(verify(), 1);
}

static void
test_edit_hash_in_line(void **state)
{
	/* a recorded file hash edited to match a changed file */
	char h[65], *text, *l[MAXLINES] = {0}, *p;
	size_t len;
	int n;

	puts_file("b.crt", "certificate B, replaced\n");
	assert_int_equal(verify(), 1);
	assert_int_equal(sha256_file_hex("b.crt", h), 0);
	text = slurp(TRANSCRIPT_FILE, &len);
	n = lines(text, l);
	p = strstr(l[1], "\"b.crt\":\"");
	assert_non_null(p);
	memcpy(p + 9, h, 64);
	p = strstr(l[3], "\"b.crt\":\"");
	assert_non_null(p);
	memcpy(p + 9, h, 64);
	unlines(l, n);
	free(text);
	assert_int_equal(verify(), 1);
}

static void
test_edit_last_line_changes_head(void **state)
{
	/* the last line has no successor: its hash is the head witnesses
	 * wrote down, and that changes */
	char before[65], after[65];

	head_of(before);
	edit_line(3, "bundle", "bundlf");
	head_of(after);
	assert_string_not_equal(before, after);
	assert_int_equal(verify(), 0);
}

static void
test_delete_line(void **state)
{
	char *text, *l[MAXLINES] = {0};
	size_t len;
	int n;

	text = slurp(TRANSCRIPT_FILE, &len);
	n = lines(text, l);
	memmove(&l[1], &l[2], (size_t)(n - 2) * sizeof(l[0]));
	unlines(l, n - 1);
	assert_int_equal(verify(), 1);
	unlines(l + 1, n - 2); /* the first line deleted too */
	assert_int_equal(verify(), 1);
	free(text);
}

static void
test_delete_first_line(void **state)
{
	char *text, *l[MAXLINES] = {0};
	size_t len;
	int n;

	text = slurp(TRANSCRIPT_FILE, &len);
	n = lines(text, l);
	unlines(l + 1, n - 1);
	assert_int_equal(verify(), 1);
	free(text);
}

static void
test_delete_last_line_changes_head(void **state)
{
	char before[65], after[65], *text, *l[MAXLINES] = {0};
	size_t len;
	int n;

	head_of(before);
	text = slurp(TRANSCRIPT_FILE, &len);
	n = lines(text, l);
	unlines(l, n - 1);
	head_of(after);
	assert_string_not_equal(before, after);
	free(text);
}

static void
test_swap_lines(void **state)
{
	char *text, *l[MAXLINES] = {0}, *t;
	size_t len;
	int n;

	text = slurp(TRANSCRIPT_FILE, &len);
	n = lines(text, l);
	t = l[1];
	l[1] = l[2];
	l[2] = t;
	unlines(l, n);
	assert_int_equal(verify(), 1);
	free(text);
}

static void
test_swap_renumbered(void **state)
{
	/* reordered and renumbered: the chain still breaks */
	char *text, *l[MAXLINES] = {0}, *t;
	size_t len;
	int n;

	text = slurp(TRANSCRIPT_FILE, &len);
	n = lines(text, l);
	t = l[2];
	l[2] = l[3];
	l[3] = t;
	assert_non_null(strstr(l[2], "\"seq\":4"));
	memcpy(strstr(l[2], "\"seq\":4"), "\"seq\":3", 7);
	memcpy(strstr(l[3], "\"seq\":3"), "\"seq\":4", 7);
	unlines(l, n);
	assert_int_equal(verify(), 1);
	free(text);
}

static void
test_truncate_last_line(void **state)
{
	char *text;
	size_t len;

	text = slurp(TRANSCRIPT_FILE, &len);
	put(TRANSCRIPT_FILE, text, len - 1); /* only the newline */
	assert_int_equal(verify(), 1);
	put(TRANSCRIPT_FILE, text, len - 20); /* inside the last line */
	assert_int_equal(verify(), 1);
	/* appending refuses to extend a damaged transcript */
	assert_int_equal(transcript_append("sign", NULL, NULL, NULL, NULL), -1);
	free(text);
}

static void
test_not_an_entry(void **state)
{
	char *text;
	size_t len;
	FILE *f;

	text = slurp(TRANSCRIPT_FILE, &len);
	f = fopen(TRANSCRIPT_FILE, "ab");
	assert_non_null(f);
	fputs("\n", f); /* an empty line */
	assert_int_equal(fclose(f), 0);
	assert_int_equal(verify(), 1);
	put(TRANSCRIPT_FILE, text, len);
	f = fopen(TRANSCRIPT_FILE, "ab");
	assert_non_null(f);
	fputs("{\"seq\": 5, \"command\": \"x\"}\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(verify(), 1);
	free(text);
}

/* A NUL byte inside a line: a transcript line never holds one. */
static void
test_nul_byte_in_line(void **state)
{
	char *text;
	size_t len, i;

	text = slurp(TRANSCRIPT_FILE, &len);
	for (i = 0; i < len && text[i] != '\n'; i++)
		;
	text[i + 10] = 0; /* inside line 2 */
	put(TRANSCRIPT_FILE, text, len);
	assert_int_equal(verify(), 1);
	free(text);
}

/* A NUL byte at the start of a line must not hide the lines after it. */
static void
test_nul_byte_hides_lines(void **state)
{
	char *text;
	size_t len, i;

	text = slurp(TRANSCRIPT_FILE, &len);
	for (i = 0; i < len && text[i] != '\n'; i++)
		;
	text[i + 1] = 0; /* first byte of line 2 */
	put(TRANSCRIPT_FILE, text, len);
	assert_int_equal(verify(), 1);
	free(text);
}

/* --- files listed in the transcript -------------------------------------- */

static void
test_changed_file(void **state)
{
	puts_file("a.key", "key A, changed\n");
	assert_int_equal(verify(), 1);
	puts_file("a.key", "key A\n");
	assert_int_equal(verify(), 0);
	puts_file("c.json", "{\"c\": 2}\n");
	assert_int_equal(verify(), 1);
}

static void
test_input_changed(void **state)
{
	/* a.pem is input of the last line, output of the first */
	puts_file("a.pem", "certificate A\r\n");
	assert_int_equal(verify(), 1);
}

/* An unpacked bundle: paths inside it (folders too, as regions/ and
 * intermediate/ are carried) are checked; paths outside it are not. */
static void
test_flat_skips_outside(void **state)
{
	char head[65], outside[64], rel[80];
	const char *out[] = {"sub/x.txt", outside, rel, NULL};

	/* absolute, and relative with '..': both outside the folder */
	snprintf(outside, sizeof(outside), "%s.out", dir);
	snprintf(rel, sizeof(rel), "../%s.out", dir + strlen("/tmp/"));
	mkdir("sub", 0700);
	puts_file("sub/x.txt", "x\n");
	puts_file(outside, "o\n");
	assert_int_equal(transcript_append("restore", NULL, out, NULL, NULL), 0);
	assert_int_equal(transcript_verify_flags(TRANSCRIPT_FILE,
	    TRANSCRIPT_QUIET | TRANSCRIPT_FLAT, head), 0);
	puts_file(outside, "another file of the same name\n");
	assert_int_equal(verify(), 1);
	assert_int_equal(transcript_verify_flags(TRANSCRIPT_FILE,
	    TRANSCRIPT_QUIET | TRANSCRIPT_FLAT, head), 0);
	puts_file("sub/x.txt", "x, changed\n");
	assert_int_equal(transcript_verify_flags(TRANSCRIPT_FILE,
	    TRANSCRIPT_QUIET | TRANSCRIPT_FLAT, head), 1);
	puts_file("sub/x.txt", "x\n");
	puts_file("a.pem", "certificate A, changed\n");
	assert_int_equal(transcript_verify_flags(TRANSCRIPT_FILE,
	    TRANSCRIPT_QUIET | TRANSCRIPT_FLAT, head), 1);
	unlink(outside);
	unlink("sub/x.txt");
	rmdir("sub");
}

static void
test_absent_file_is_skipped(void **state)
{
	/* the online machine does not hold the CA key */
	assert_int_equal(unlink("a.key"), 0);
	assert_int_equal(verify(), 0);
}

static void
test_newest_mention_wins(void **state)
{
	/* a later step that rewrites a file records its new hash */
	puts_file("c.json", "{\"c\": 3}\n");
	assert_int_equal(verify(), 1);
	assert_int_equal(transcript_append("template", NULL, NULL,
	    (const char *[]){"c.json", NULL}, NULL), 0);
	assert_int_equal(verify(), 0);
}

static void
test_unreadable_input_refused(void **state)
{
	char before[65], after[65];

	head_of(before);
	assert_int_equal(transcript_append("sign", NULL, (const char *[]){
	    "no-such-file", NULL}, NULL, NULL), -1);
	head_of(after);
	assert_string_equal(before, after);
	assert_int_equal(verify(), 0);
}

/* A symbolic link or a directory in its place is refused, before and at
 * the append; the link's target keeps its bytes and its mode. */
static void
test_not_a_regular_file(void **state)
{
	struct stat st;
	char *text;
	size_t len;

	assert_int_equal(rename(TRANSCRIPT_FILE, "d.txt"), 0);
	assert_int_equal(chmod("d.txt", 0600), 0);
	assert_int_equal(symlink("d.txt", TRANSCRIPT_FILE), 0);
	text = slurp("d.txt", &len);
	assert_int_equal(transcript_begin(), -1);
	assert_int_equal(transcript_append("sign", NULL, NULL, NULL, NULL), -1);
	assert_int_equal(transcript_verify(TRANSCRIPT_FILE, 1, NULL), 2);
	assert_null(transcript_last(TRANSCRIPT_FILE, "root"));
	assert_int_equal(stat("d.txt", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((size_t)st.st_size, len);
	free(text);
	assert_int_equal(unlink(TRANSCRIPT_FILE), 0);
	assert_int_equal(unlink("d.txt"), 0);

	assert_int_equal(mkdir(TRANSCRIPT_FILE, 0700), 0);
	assert_int_equal(transcript_begin(), -1);
	assert_int_equal(transcript_append("sign", NULL, NULL, NULL, NULL), -1);
	assert_int_equal(rmdir(TRANSCRIPT_FILE), 0);

	/* absent: begin holds nothing, the append makes it 0644 */
	assert_int_equal(transcript_begin(), 0);
	assert_int_equal(transcript_append("root", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(stat(TRANSCRIPT_FILE, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* present: begin holds it for the append */
	assert_int_equal(transcript_begin(), 0);
	assert_int_equal(transcript_append("sign", NULL, NULL, NULL, NULL), 0);
	assert_int_equal(transcript_verify(TRANSCRIPT_FILE, 1, NULL), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_chain_verifies),
		T(test_line_contents),
		T(test_append_after_verify),
		T(test_missing_and_empty),
		T(test_edit_byte),
		T(test_edit_hash_in_line),
		T(test_edit_last_line_changes_head),
		T(test_delete_line),
		T(test_delete_first_line),
		T(test_delete_last_line_changes_head),
		T(test_swap_lines),
		T(test_swap_renumbered),
		T(test_truncate_last_line),
		T(test_not_an_entry),
		T(test_changed_file),
		T(test_input_changed),
		T(test_absent_file_is_skipped),
		T(test_flat_skips_outside),
		T(test_newest_mention_wins),
		T(test_unreadable_input_refused),
		T(test_not_a_regular_file),
		/* last: a crash here must not hide the results above */
		T(test_nul_byte_hides_lines),
		T(test_nul_byte_in_line),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
