/* Air-gap checks: network interfaces, routes, RNG, memory locking. */
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>

#include "core/airgap.h"
#include "core/util.h"

static int
default_route(void)
{
	char line[256], ifn[64];
	unsigned long dest;
	FILE *f = fopen("/proc/net/route", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %lx", ifn, &dest) == 2 && dest == 0)
			found = 1;
	fclose(f);
	return found;
}

int
airgap_check(json_t **report, int verbose)
{
	struct ifaddrs *ifa = NULL, *i;
	struct rlimit rl;
	json_t *up = json_array();
	unsigned char b;
	int problems = 0, route, rng, locked;

	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL; i = i->ifa_next) {
			size_t k;
			int dup = 0;
			json_t *v;
			if (!(i->ifa_flags & IFF_UP) ||
			    (i->ifa_flags & IFF_LOOPBACK))
				continue;
			json_array_foreach(up, k, v)
				if (strcmp(json_string_value(v), i->ifa_name) == 0)
					dup = 1;
			if (!dup)
				json_array_append_new(up,
				    json_string(i->ifa_name));
		}
		freeifaddrs(ifa);
	}
	route = default_route();
	rng = getrandom(&b, 1, GRND_NONBLOCK) == 1;
	locked = getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
	    rl.rlim_cur == RLIM_INFINITY &&
	    mlockall(MCL_CURRENT | MCL_FUTURE) == 0;
	problems = (json_array_size(up) > 0) + route + !rng;
	if (verbose) {
		size_t k;
		json_t *v;
		json_array_foreach(up, k, v)
			warnf("air gap: network interface %s is up",
			    json_string_value(v));
		if (route)
			warnf("air gap: a default route is configured");
		if (!rng)
			warnf("air gap: the kernel RNG is not initialised yet");
		if (!locked)
			warnf("memory not locked (RLIMIT_MEMLOCK); keys stay in "
			      "libsodium's locked pages");
	}
	*report = json_pack("{s:o,s:b,s:b,s:b}", "interfaces_up", up,
	    "default_route", route, "rng_ready", rng, "memory_locked", locked);
	return problems;
}
