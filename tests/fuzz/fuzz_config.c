/* libFuzzer: the run config parser (NCONF plus the line index). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "run/config.h"
#include "run/run.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct config c;
	FILE *f;

	if (path[0] == 0)
		snprintf(path, sizeof(path), "/tmp/fuzz-config-%d.cnf",
		    (int)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (config_load(path, run_schema, &c) == 0) {
		config_get(&c, "root", "subject");
		config_free(&c);
	}
	return 0;
}
