/* ceremony transcript verify|show: the hash-chained record of the ceremony. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "media/html.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony transcript verify [--quiet] [FILE]\n"
    "       ceremony transcript show [--html [--out F] [--paper A4|Letter]]"
    " [FILE]\n\n"
    "transcript.log holds one JSON line per command; each line records the\n"
    "SHA-256 of the line before it, so an edited, deleted or reordered line\n"
    "breaks the chain. The head hash (SHA-256 of the last line) is what\n"
    "witnesses write down.\n\n"
    "  verify   check the chain and that every file it lists, where\n"
    "           present, still has its recorded SHA-256 (exit 1 if not);\n"
    "           prints the head hash\n"
    "  show     print the entries readably; --html writes a printable\n"
    "           page for the witnesses: one block per step, never split\n"
    "           across pages, and on the last page the head hash as hex\n"
    "           and words beside lines for their signatures\n\n"
    "  --quiet    (verify) list only problems and the head hash\n"
    "  --out F    (show --html) the page to write (transcript.html)\n"
    "  --paper P  (show --html) A4 (default) or Letter\n";

static void
show_files(const char *label, json_t *files)
{
	const char *path;
	json_t *v;

	json_object_foreach(files, path, v)
		printf("    %-7s %s  %s\n", label, json_string_value(v), path);
}

static int
show(const char *path)
{
	unsigned char *text;
	char *p, *nl, head[65];
	const char *key;
	json_t *j, *v;
	size_t len;

	if (file_read(path, &text, &len, 64u << 20) == -1)
		return EXIT_USAGE;
	for (p = (char *)text; *p && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		if ((j = json_loads(p, 0, NULL)) == NULL) {
			printf("  (line does not parse)\n");
			continue;
		}
		printf("#%lld  %s  %s\n",
		    (long long)json_integer_value(json_object_get(j, "seq")),
		    json_string_value(json_object_get(j, "time")),
		    json_string_value(json_object_get(j, "command")));
		json_object_foreach(json_object_get(j, "args"), key, v) {
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			printf("    %-18s %s\n", key, s ? s : "?");
			free(s);
		}
		show_files("in", json_object_get(j, "inputs"));
		show_files("out", json_object_get(j, "outputs"));
		json_decref(j);
	}
	free(text);
	if (transcript_head(path, head) == 0)
		printf("head %s\n", head);
	return 0;
}

/* One <pre> block per entry: time, command, arguments, file hashes. */
static void
html_entry(struct html *h, json_t *j)
{
	const char *key, *labels[] = {"inputs", "outputs"};
	char *text = NULL, *arg;
	json_t *v;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	if (f == NULL)
		return;
	fprintf(f, "#%lld  %s  %s\n",
	    (long long)json_integer_value(json_object_get(j, "seq")),
	    json_string_value(json_object_get(j, "time")),
	    json_string_value(json_object_get(j, "command")));
	json_object_foreach(json_object_get(j, "args"), key, v) {
		arg = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		fprintf(f, "  %-18s %s\n", key, arg ? arg : "?");
		free(arg);
	}
	for (i = 0; i < 2; i++)
		json_object_foreach(json_object_get(j, labels[i]), key, v)
			fprintf(f, "  %-7s %s  %s\n", i ? "out" : "in",
			    json_string_value(v), key);
	fclose(f);
	html_pre(h, text);
	free(text);
}

static int
show_html(const char *path, const char *out, const char *paper)
{
	unsigned char *text, sha[32];
	char *p, *nl, head[65], words[400], *page = NULL, line[300];
	struct html h;
	size_t len, plen;
	json_t *j;
	int rv = EXIT_USAGE;

	if (transcript_verify(path, 1, head) != 0) {
		warnf("%s: does not verify; not printing it", path);
		return EXIT_CHECK;
	}
	if (file_read(path, &text, &len, 64u << 20) == -1)
		return EXIT_USAGE;
	html_begin(&h, "Ceremony transcript", paper);
	html_heading(&h, "Ceremony transcript");
	snprintf(line, sizeof(line), "File %s, %s.", path,
	    "every entry holds the SHA-256 of the one before it");
	html_text(&h, line);
	for (p = (char *)text; *p && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		if ((j = json_loads(p, 0, NULL)) != NULL)
			html_entry(&h, j);
		json_decref(j);
	}
	hex_decode(head, sha, 32);
	fingerprint_words(sha, words, sizeof(words));
	/* one block, so the head hash and the signatures share a page */
	html_keep_begin(&h);
	html_heading(&h, "Head hash");
	html_pre(&h, head);
	html_text(&h, words);
	html_heading(&h, "Witnesses");
	html_text(&h, "We watched this ceremony and recorded the head hash "
		      "above.");
	for (int i = 0; i < 3; i++)
		html_pre(&h, "Name ______________________  Signature "
			     "______________________  Date ____________");
	html_keep_end(&h);
	if (html_finish(&h, &page, &plen) == -1) {
		warnf("%s: out of memory", out);
		goto done;
	}
	if (file_write(out, page, plen, 0644, 1) == -1)
		goto done;
	printf("wrote %s (head %s)\n", out, head);
	rv = 0;
done:
	free(page);
	free(text);
	return rv;
}

int
cmd_transcript(int argc, char **argv)
{
	static const struct option opts[] = {
		{"quiet", 0, NULL, 'q'}, {"html", 0, NULL, 'H'},
		{"out", 1, NULL, 'o'}, {"paper", 1, NULL, 'P'},
		{"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = TRANSCRIPT_FILE, *verb, *out = "transcript.html";
	const char *paper = "A4";
	char head[65], err[128];
	int c, quiet = 0, html = 0, rv;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	verb = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'H':
			html = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'P':
			if (html_paper_parse(optarg, &paper, err, sizeof(err))) {
				warnf("%s", err);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind != argc) {
		warnf("transcript: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (strcmp(verb, "show") == 0)
		return html ? show_html(path, out, paper) : show(path);
	if (strcmp(verb, "verify") != 0) {
		warnf("transcript: unknown subcommand '%s'; use verify or show",
		    verb);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	rv = transcript_verify(path, quiet, head);
	if (rv == 0)
		printf("%s: chain intact\nhead %s\n", path, head);
	else if (rv == 1)
		warnf("%s: verification FAILED", path);
	return rv;
}
