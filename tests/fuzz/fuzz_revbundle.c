/* libFuzzer: the checks import makes of a revocation bundle's revoke.sh
 * and revoked.txt (untrusted until verified, and checked line by line
 * after), and of a ledger revocation line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/revbundle.h"
#include "sign/ledger.h"

static int
count(const char *serial, const char *id, void *arg)
{
	if (strlen(id) != 64 || strlen(serial) > 40)
		abort();
	(*(size_t *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct revb_script s;
	struct ledger_revocation r;
	char err[256], *line;
	size_t n = 0, seen = 0, len, i;

	if (revb_script_check((const char *)data, size, &s, err,
	    sizeof(err)) == 0) {
		if (s.n != s.revoke + s.deactivate + s.list)
			abort();
		for (i = 0; i < s.n; i++)
			if (strncmp(s.cmd[i], "aws iot ", 8) != 0)
				abort();
	}
	revb_script_free(&s);
	if (revb_list_check((const char *)data, size, &n, count, &seen, err,
	    sizeof(err)) == 0 && n != seen)
		abort();
	/* a revocation line that parses formats back to one that parses */
	if (ledger_parse_revocation((const char *)data, size, &r, err,
	    sizeof(err)) == 0) {
		if ((line = ledger_format_revocation(&r, &len)) == NULL ||
		    ledger_parse_revocation(line, len - 1, &r, err,
		    sizeof(err)) != 0)
			abort();
		free(line);
	}
	return 0;
}
