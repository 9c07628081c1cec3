/* media's own error message helper (media uses nothing of ceremony/, so
 * not core's errf): formats into err and returns -1, so that a module
 * says `return media_errf(err, errlen, "...", ...);`. */
#ifndef MEDIA_ERR_H
#define MEDIA_ERR_H

#include <stddef.h>

int media_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
