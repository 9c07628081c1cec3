/* The known answers of test_keyquality.c against keyquality built with
 * the portable 64 x 64-bit multiply (no __int128), as on 32-bit hosts. */
#define KEYQUALITY_PORTABLE
#define kq_small_factor kq_small_factor_portable
#define keyquality_check keyquality_check_portable
#define keyquality_cert keyquality_cert_portable
#define keyquality_rsa keyquality_rsa_portable
#define keyquality_ec keyquality_ec_portable
#include "ca/keyquality_small.c"
#include "ca/keyquality.c"
#include "test_keyquality.c"
