/* Share sheets: text and printable HTML pages for SLIP-39 shares, and
 * reading mnemonics back from sheets, files and the terminal. */
#ifndef SHEET_H
#define SHEET_H

#include <stddef.h>

#include "backup/slip39.h"

/* What every sheet of one backup says. */
struct sheet_info {
	const char *ceremony;    /* the CA certificate's subject CN */
	const char *fingerprint; /* CA certificate SHA-256, colon hex */
	const char *created;     /* UTC, ISO 8601 */
	const char *scheme;      /* slip39_scheme_format() */
	const char *vault;       /* vault file name */
	const char *paper;       /* shares.html: "A4" (NULL too) or "Letter" */
	int group_sizes[SLIP39_MAX_GROUPS]; /* shares made per group */
};

/* One share's text sheet (header, numbered words, how to restore), in
 * sodium_malloc'd memory. custodian may be NULL. */
int sheet_txt(const struct sheet_info *si, const struct slip39_share *sh,
    const char *mnemonic, const char *custodian, char **out, size_t *len);
/* The QR text of a share: the mnemonic in upper case (alphanumeric). */
int sheet_qr_text(const char *mnemonic, char *out, size_t outlen);
/* shares.html: one page per share with QR code, word grid, fingerprint
 * and restore steps; sodium_malloc'd. custodians[i] may be NULL. */
int sheet_html(const struct sheet_info *si, const struct slip39_share *sh,
    char *const *mnemonics, const char *const *custodians, size_t n,
    char **out, size_t *len);
void sheet_free(char *text);
/* share-G-M.txt (sheet_txt), .png and .svg (a QR code of sheet_qr_text)
 * in dir, each a secret file (0600, never over an existing one). 0, or -1
 * with a message. */
int sheet_write_share(const char *dir, const struct sheet_info *si,
    const struct slip39_share *sh, const char *mn, const char *custodian);

/* Reads a file ("-" for stdin) into sodium_malloc'd memory, NUL added. */
int sheet_read(const char *path, char **text, size_t *len, size_t max);
/* Mnemonics from text: a share sheet gives its numbered words (after a
 * "Words:" line); any other text gives one mnemonic per line, skipping
 * blank lines and # comments. Each is appended to mn[*n] as a
 * sodium_malloc'd string. name labels errors. */
int sheet_parse(const char *text, const char *name, char **mn, size_t max,
    size_t *n);
/* The same, and line[i] (when line is not NULL) the line number, from 1,
 * of mnemonic i; 0 for the one a sheet's word grid gives. */
int sheet_parse_lines(const char *text, const char *name, char **mn,
    size_t *line, size_t max, size_t *n);
void sheet_free_all(char **mn, size_t n);

#endif
