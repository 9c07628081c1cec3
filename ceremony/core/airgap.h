/* Host hygiene for the air-gapped machine. */
#ifndef AIRGAP_H
#define AIRGAP_H

#include <jansson.h>

/* Reports non-loopback interfaces that are up, a default route, the
 * kernel RNG state and whether memory is locked. Returns the number of
 * problems; *report (new reference) holds the findings. */
int airgap_check(json_t **report, int verbose);

#endif
