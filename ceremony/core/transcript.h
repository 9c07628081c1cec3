/* transcript.log: hash-chained JSON lines, one per command. */
#ifndef TRANSCRIPT_H
#define TRANSCRIPT_H

#include <jansson.h>

#define TRANSCRIPT_FILE "transcript.log"

/* Opens and locks transcript.log (when present) before a command writes
 * anything, so that one that cannot be appended (a symbolic link, not a
 * regular file) stops the command first. The next transcript_append uses
 * and releases it; a second call before that append does nothing. -1 with
 * a message. */
int transcript_begin(void);

/* Appends one line. args is a JSON object of non-secret arguments (stolen,
 * may be NULL). inputs and outputs are NULL-terminated path lists (may be
 * NULL); each file's SHA-256 is recorded. extra (stolen, may be NULL) is
 * merged into the line (e.g. counts, fingerprints). */
int transcript_append(const char *command, json_t *args, const char **inputs,
    const char **outputs, json_t *extra);

/* Checks the chain and every listed file that is present. Prints the head
 * hash on success. Returns 0 ok, 1 check failed, 2 I/O error. */
int transcript_verify(const char *path, int quiet, char head[65]);
#define TRANSCRIPT_QUIET 1 /* no "ok" line per file */
#define TRANSCRIPT_FLAT 2  /* check only files inside the current folder:
			    * relative paths without '..' */
int transcript_verify_flags(const char *path, int flags, char head[65]);

/* Head hash of the current transcript (64 zeros if empty/missing). */
int transcript_head(const char *path, char head[65]);

/* The last entry for a command (new reference), or NULL. */
json_t *transcript_last(const char *path, const char *command);
/* The last entry (of command, or of any when NULL) for which match
 * returns non-zero (new reference), or NULL. */
json_t *transcript_last_match(const char *path, const char *command,
    int (*match)(json_t *line, void *arg), void *arg);
/* Every entry for a command, in order: a JSON array (new reference, empty
 * when the transcript is missing), or NULL when it cannot be read. */
json_t *transcript_all(const char *path, const char *command);

#endif
