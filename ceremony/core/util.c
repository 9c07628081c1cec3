/* Messages, hashing, hex and small string helpers shared by every command
 * (files are in file.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "core/util.h"

int
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
warnf(const char *fmt, ...)
{
	va_list ap;

	fputs("ceremony: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * len] = 0;
}

int
hex_decode(const char *in, unsigned char *out, size_t outlen)
{
	size_t bin_len;

	if (strlen(in) != 2 * outlen)
		return -1;
	if (sodium_hex2bin(out, outlen, in, strlen(in), NULL, &bin_len,
	    NULL) != 0 || bin_len != outlen)
		return -1;
	return 0;
}

void
secure_init(void)
{
	struct rlimit rl = {0, 0};

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
}

const char *
str_safe(const char *in, size_t len, char *out, size_t outlen)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char ch;
	size_t i, o = 0, need;

	if (outlen == 0)
		return out;
	if (len == (size_t)-1)
		len = strlen(in);
	for (i = 0; i < len; i++) {
		ch = (unsigned char)in[i];
		need = ch == '\\' ? 2 : (ch < 0x20 || ch >= 0x7f) ? 4 : 1;
		if (o + need + 4 > outlen && i + 1 < len) {
			if (o + 4 <= outlen)
				memcpy(out + o, "...", 3), o += 3;
			break;
		}
		if (o + need + 1 > outlen)
			break;
		if (need == 1)
			out[o++] = (char)ch;
		else if (need == 2)
			out[o++] = '\\', out[o++] = '\\';
		else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hx[ch >> 4];
			out[o++] = hx[ch & 15];
		}
	}
	out[o] = 0;
	return out;
}

int
str_only(const char *s, const char *set)
{
	return s[strspn(s, set)] == 0;
}

char *
str_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

int
parse_days(const char *s, long *days)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == 0 || *end != 0 || v <= 0 || v > 36500) {
		warnf("--days: '%s' is not a number of days from 1 to 36500", s);
		return -1;
	}
	*days = v;
	return 0;
}

void
utc_iso(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, UTC_ISO_FMT, &tm);
}
