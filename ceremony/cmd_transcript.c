/* ceremony transcript verify|show: the hash-chained record of the ceremony. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "transcript.h"
#include "util.h"

static const char usage_text[] =
    "usage: ceremony transcript verify [--quiet] [FILE]\n"
    "       ceremony transcript show [FILE]\n\n"
    "transcript.log holds one JSON line per command; each line records the\n"
    "SHA-256 of the line before it, so an edited, deleted or reordered line\n"
    "breaks the chain. The head hash (SHA-256 of the last line) is what\n"
    "witnesses write down.\n\n"
    "  verify   check the chain and that every file it lists, where\n"
    "           present, still has its recorded SHA-256 (exit 1 if not);\n"
    "           prints the head hash\n"
    "  show     print the entries readably\n";

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

int
cmd_transcript(int argc, char **argv)
{
	static const struct option opts[] = {
		{"quiet", 0, NULL, 'q'}, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = TRANSCRIPT_FILE, *verb;
	char head[65];
	int c, quiet = 0, rv;

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
		return show(path);
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
