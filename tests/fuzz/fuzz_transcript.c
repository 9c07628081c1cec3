/* libFuzzer: transcript.log verification (a bundle carries one). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/transcript.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char head[65];
	json_t *j;
	FILE *f;

	if (path[0] == 0)
		snprintf(path, sizeof(path), "/tmp/fuzz-transcript-%d.log",
		    (int)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	transcript_verify(path, 1, head);
	transcript_head(path, head);
	j = transcript_last(path, "root");
	json_decref(j);
	return 0;
}
