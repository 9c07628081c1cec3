/* Shared helpers: exit codes, files, hashing, hex. */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CEREMONY_VERSION "0.1.0"
/* The source commit, and CEREMONY_VERSION "+" that commit (core/version.c). */
extern const char ceremony_commit[];
extern const char ceremony_version[];

#define EXIT_CHECK 1 /* a verification or check failed */
#define EXIT_USAGE 2 /* usage or I/O error */

#define INPUT_MAX (16u << 20) /* default bound for any file we read */

/* What a module returns: 0 or -1, and where a caller must tell failures
 * apart, one of these named codes (never a bare -2). */
#define RC_ERR -1   /* failed: I/O, memory, a bad file */
#define RC_USAGE -2 /* a value the user gave is bad (exit 2) */
#define RC_CHECK -3 /* a verification or check failed (exit 1) */
#define RC_SHORT -4 /* not enough yet (too few shares, frames) */

/* Formats a message into err (as snprintf) and returns -1, so that a
 * module says `return errf(err, errlen, "...", ...);`. */
int errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report to stderr as "ceremony: ...". */
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file (or stdin for "-") into malloc'd memory, NUL-terminated.
 * Fails (with a message naming the file) if larger than max. */
int file_read(const char *path, unsigned char **buf, size_t *len, size_t max);
/* The same from fd's offset to its end (fd stays open). */
int fd_read_all(int fd, const char *path, unsigned char **buf, size_t *len,
    size_t max);
int file_exists(const char *path);
/* Fails with "PATH exists; use --force to replace it" unless force. */
int file_check_new(const char *path, int force);
/* Temp file, fsync, rename; directory fsynced. mode applied before data. */
int file_write(const char *path, const void *buf, size_t len, mode_t mode,
    int force);
/* Secret: O_CREAT|O_EXCL|O_NOFOLLOW 0600 temp, fsync, then link (no
 * overwrite) or rename (force). */
int file_write_secret(const char *path, const void *buf, size_t len,
    int force);
/* The tool's own state files (transcript.log, ledger.jsonl): never a
 * symbolic link, always a regular file, and never given a mode unless just
 * made. Opens path with flags plus O_NOFOLLOW|O_CLOEXEC and checks it with
 * fstat; with O_CREAT an absent file is made O_EXCL and given mode (past
 * the umask) by fchmod, that new file only. Returns the fd, or -1 with a
 * message naming path; an absent file without O_CREAT gives -1 and errno
 * ENOENT, silently. */
int file_open_state(const char *path, int flags, mode_t mode);
/* file_read of a state file, opened by file_open_state (absent: an error). */
int file_read_state(const char *path, unsigned char **buf, size_t *len,
    size_t max);
/* The ceremony directory (path, shown as name) must belong to the user and
 * be writable by nobody else: -1 with a message naming it otherwise. */
int dir_check_state(const char *path, const char *name);
/* write() until done, retrying EINTR; -1 on error. */
int fd_write_all(int fd, const void *buf, size_t len);
/* read() into buf until EOF or room bytes, retrying EINTR: the count, less
 * than room only at EOF, or -1 with "PATH: read error: ..." */
ssize_t fd_read_max(int fd, const char *path, void *buf, size_t room);
int dir_make(const char *path, mode_t mode); /* mkdir -p */
int dir_sync(const char *path);              /* fsync the dir holding path */
/* Empties and removes a folder of plain files (a message if it stays). */
void dir_remove(const char *path);

/* UTC as 2026-11-29T18:35:35Z; UTC_ISO_FMT for strftime and strptime. */
#define UTC_ISO_FMT "%Y-%m-%dT%H:%M:%SZ"
void utc_iso(time_t t, char out[21]);

void sha256_hex(const void *buf, size_t len, char out[65]);
int sha256_file_hex(const char *path, char out[65]);
void hex_encode(const unsigned char *in, size_t len, char *out);
int hex_decode(const char *in, unsigned char *out, size_t outlen);

/* Disable core dumps (rlimit and PR_SET_DUMPABLE) and set umask 077. */
void secure_init(void);

/* Untrusted text made safe to quote in a message or a file line:
 * printable ASCII as is, a backslash as "\\", every other byte
 * (control characters, ESC, DEL, bytes >= 0x80) as "\xNN"; cut with
 * "..." when out is too small. len (size_t)-1: up to the NUL. Returns out. */
const char *str_safe(const char *in, size_t len, char *out, size_t outlen);

/* True when the string is empty or made only of chars in set. */
int str_only(const char *s, const char *set);
char *str_trim(char *s);
/* --days value: 1 to 36500, with a message otherwise. */
int parse_days(const char *s, long *days);

#endif
