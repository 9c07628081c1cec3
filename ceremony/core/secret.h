/* Passphrases: TTY prompt, --passphrase-file or --passphrase-fd. */
#ifndef SECRET_H
#define SECRET_H

#include <stddef.h>

struct pass_src {
	const char *file; /* --passphrase-file */
	int fd;           /* --passphrase-fd, -1 if unset */
	int none;         /* --no-passphrase */
};
#define PASS_SRC_INIT {NULL, -1, 0}

/* Shortest new passphrase, in characters (PASS_MIN_TEXT for --help). */
#define PASS_MIN 12
#define PASS_MIN_TEXT "12"

/* Returns a sodium_malloc'd NUL-terminated passphrase, or NULL with a
 * message. confirm: a new passphrase, for a key or shares being made:
 * asked twice at a TTY and refused under PASS_MIN characters (reading an
 * existing one has no minimum). what: "CA key" etc. An empty passphrase,
 * or one with a NUL byte (which would cut it short), is refused with the
 * file or descriptor named. */
char *pass_get(struct pass_src *src, const char *what, int confirm);
void pass_free(char *p);

/* getopt_long helper: 0 if opt was a passphrase option and consumed,
 * RC_USAGE (with a message) if its value is bad, -1 if opt is not one. */
int pass_option(struct pass_src *src, int opt, const char *arg);
#define PASS_OPT_FILE 0x1001
#define PASS_OPT_FD 0x1002
#define PASS_OPT_NONE 0x1003
#define PASS_LONGOPTS                                                      \
	{"passphrase-file", 1, NULL, PASS_OPT_FILE},                       \
	    {"passphrase-fd", 1, NULL, PASS_OPT_FD}
#define PASS_HELP                                                          \
	"  --passphrase-file F  read the passphrase from file F (first line)\n" \
	"  --passphrase-fd N    read the passphrase from file descriptor N\n"

#endif
