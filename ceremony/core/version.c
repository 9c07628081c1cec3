/* The version and the source commit the binary was built from. The
 * Makefile passes the commit (with "-dirty" for uncommitted changes). */
#include "core/util.h"

#ifndef CEREMONY_COMMIT
#define CEREMONY_COMMIT "unknown"
#endif

const char ceremony_commit[] = CEREMONY_COMMIT;
const char ceremony_version[] = CEREMONY_VERSION "+" CEREMONY_COMMIT;
