/* Test driver for media/: QR frames to PNG files and back.
 *   qrpng split IN DIR VERSION LEVEL SCALE [PARITY]
 *       frames of file IN as DIR/frame-NNN.png and DIR/frames.txt;
 *       prints "k n payload id"
 *   qrpng text TEXT OUT.png VERSION LEVEL SCALE   one code of TEXT
 *   qrpng join <LINES >OUT   rebuild from scanned lines (exit 1 + message)
 *   qrpng bench IN           split at 15-M and 20-L, PNG every frame,
 *                            rebuild; prints the measurements */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "media/frames.h"
#include "media/qr.h"

static unsigned char *
slurp(FILE *f, size_t *len)
{
	unsigned char *b = NULL, *nb;
	size_t cap = 0, n;

	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(b, cap)) == NULL)
				exit(2);
			b = nb;
		}
		n = fread(b + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	return b;
}

static int
write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "qrpng: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int
png_text(const char *text, const char *path, int v, char l, int scale)
{
	struct qr q;
	unsigned char *png;
	size_t len;
	int rc;

	if (qr_encode(text, v, l, &q) < 0) {
		fprintf(stderr, "qrpng: cannot encode at %d-%c\n", v, l);
		return -1;
	}
	rc = qr_png(&q, scale, &png, &len);
	qr_free(&q);
	if (rc < 0)
		return -1;
	rc = write_file(path, png, len);
	free(png);
	return rc;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
bench_one(const unsigned char *in, size_t len, int v, char l)
{
	struct frames_info fi;
	struct frames_join *j;
	struct qr q;
	char **lines, err[512];
	unsigned char *png, *out;
	size_t plen, olen, pngbytes = 0;
	double t0, t1, t2, t3;
	unsigned i;

	printf("  %2d-%c: ", v, l);
	t0 = now();
	if (frames_split(in, len, v, l, -1, &lines, &fi, err,
	    sizeof(err)) < 0) {
		printf("does not fit: %s\n", err);
		return 0;
	}
	t1 = now();
	for (i = 0; i < fi.n; i++) {
		if (qr_encode(lines[i], v, l, &q) < 0 ||
		    qr_png(&q, 4, &png, &plen) < 0)
			return -1;
		pngbytes += plen;
		free(png);
		qr_free(&q);
	}
	t2 = now();
	/* rebuild from the last k frames: all parity used */
	if ((j = frames_join_new()) == NULL)
		return -1;
	for (i = fi.n; i-- > fi.n - fi.k;)
		if (frames_join_add(j, lines[i], strlen(lines[i]), err,
		    sizeof(err)) < 0)
			return -1;
	if (frames_join_finish(j, &out, &olen, err, sizeof(err)) < 0 ||
	    olen != len || memcmp(out, in, len) != 0)
		return -1;
	t3 = now();
	printf("%u frames (%u data + %u parity), %zu payload bytes per frame "
	    "against %d in byte mode (%.1f%%)\n", fi.n, fi.k, fi.n - fi.k,
	    fi.payload, qr_capacity_bytes(v, l),
	    100.0 * (double)fi.payload / qr_capacity_bytes(v, l));
	printf("        split %.1f ms, %u QR codes to PNG (scale 4, %zu KB) "
	    "%.1f ms, rebuild from %u frames (%u parity) %.1f ms\n",
	    (t1 - t0) * 1e3, fi.n, pngbytes / 1024, (t2 - t1) * 1e3, fi.k,
	    fi.n - fi.k < fi.k ? fi.n - fi.k : fi.k, (t3 - t2) * 1e3);
	free(out);
	frames_join_free(j);
	frames_lines_free(lines, fi.n);
	return 0;
}

int
main(int argc, char **argv)
{
	struct frames_info fi;
	struct frames_join *j;
	unsigned char *in, *out;
	size_t len, olen;
	char **lines, err[1024], path[4096];
	FILE *f;
	unsigned i;

	if (argc >= 7 && strcmp(argv[1], "split") == 0) {
		if ((f = fopen(argv[2], "rb")) == NULL)
			return 2;
		in = slurp(f, &len);
		fclose(f);
		if (frames_split(in, len, atoi(argv[4]), argv[5][0],
		    argc > 7 ? atoi(argv[7]) : -1, &lines, &fi, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "qrpng: %s\n", err);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/frames.txt", argv[3]);
		if ((f = fopen(path, "w")) == NULL)
			return 2;
		for (i = 0; i < fi.n; i++) {
			fprintf(f, "%s\n", lines[i]);
			snprintf(path, sizeof(path), "%s/frame-%03u.png",
			    argv[3], i + 1);
			if (png_text(lines[i], path, atoi(argv[4]), argv[5][0],
			    atoi(argv[6])) < 0)
				return 2;
		}
		if (fclose(f) != 0)
			return 2;
		printf("%u %u %zu %s\n", fi.k, fi.n, fi.payload, fi.idhex);
		frames_lines_free(lines, fi.n);
		free(in);
		return 0;
	}
	if (argc == 7 && strcmp(argv[1], "text") == 0)
		return png_text(argv[2], argv[3], atoi(argv[4]), argv[5][0],
		    atoi(argv[6])) < 0 ? 2 : 0;
	if (argc == 2 && strcmp(argv[1], "join") == 0) {
		in = slurp(stdin, &len);
		if ((j = frames_join_new()) == NULL)
			return 2;
		if (frames_join_feed(j, (char *)in, len, err,
		    sizeof(err)) < 0 ||
		    frames_join_finish(j, &out, &olen, err, sizeof(err)) < 0) {
			fprintf(stderr, "qrpng: %s\n", err);
			return 1;
		}
		fwrite(out, 1, olen, stdout);
		free(out);
		free(in);
		frames_join_free(j);
		return fflush(stdout) == 0 ? 0 : 2;
	}
	if (argc == 3 && strcmp(argv[1], "bench") == 0) {
		if ((f = fopen(argv[2], "rb")) == NULL)
			return 2;
		in = slurp(f, &len);
		fclose(f);
		printf("%zu bytes:\n", len);
		if (bench_one(in, len, 15, 'M') < 0 ||
		    bench_one(in, len, 20, 'L') < 0) {
			fprintf(stderr, "qrpng: bench failed\n");
			return 1;
		}
		free(in);
		return 0;
	}
	fprintf(stderr, "usage: qrpng split IN DIR VERSION LEVEL SCALE "
	    "[PARITY] | text TEXT OUT.png VERSION LEVEL SCALE | join | "
	    "bench IN\n");
	return 2;
}
