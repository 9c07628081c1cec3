/* media's error message helper. */
#include <stdarg.h>
#include <stdio.h>

#include "media/err.h"

int
media_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
