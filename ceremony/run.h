/* The config schema of `ceremony run` and the example `ceremony init`
 * writes, kept side by side so they cannot drift apart. */
#ifndef RUN_H
#define RUN_H

#include "config.h"

extern const struct cfg_key run_schema[];
extern const char run_example[];

/* Fingerprint as 8 groups of 8 hex digits, and as SLIP-39 words. */
void run_print_fingerprint(const char *label, const unsigned char sha[32]);

#endif
