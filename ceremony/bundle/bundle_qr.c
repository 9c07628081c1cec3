/* The bundle as QR frames: split, decoded again, written as PNG, SVG,
 * frames.txt and frames.html, or shown in the terminal; and the joining
 * of scanned lines that import and the self-check share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "media/html.h"
#include "media/qr.h"
#include "core/util.h"

int
bundle_qr_make(const struct bundle *b, struct bundle_qr *q)
{
	char err[512];
	size_t off = 0, cap = 1;
	unsigned i;

	if (frames_split(b->gz, b->gzlen, q->version, q->level, q->parity,
		&q->lines, &q->info, err, sizeof(err)) == -1) {
		q->lines = NULL;
		warnf("QR frames: %s", err);
		return -1;
	}
	for (i = 0; i < q->info.n; i++)
		cap += strlen(q->lines[i]) + 1;
	if ((q->text = malloc(cap)) == NULL)
		return -1;
	for (i = 0; i < q->info.n; i++)
		off += (size_t)snprintf(q->text + off, cap - off, "%s\n",
		    q->lines[i]);
	q->textlen = off;
	return 0;
}

int
bundle_qr_join(const char *text, size_t len, const char *report,
    unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	struct frames_join *j;
	struct frames_status st;
	int rv = -1;

	if ((j = frames_join_new()) == NULL)
		return errf(err, errlen, "out of memory");
	if (frames_join_feed(j, text, len, err, errlen))
		goto out;
	frames_join_status(j, &st);
	if (report != NULL && st.garbage + st.blank + st.dup > 0)
		fprintf(stderr,
		    "%s: skipped %u duplicate frame%s, %u foreign line%s, "
		    "%u blank line%s\n",
		    report, st.dup, st.dup == 1 ? "" : "s", st.garbage,
		    st.garbage == 1 ? "" : "s", st.blank,
		    st.blank == 1 ? "" : "s");
	if (!st.started) {
		errf(err, errlen, "no QR frame (a line starting with '%s') "
		    "found", FRAMES_TAG);
		goto out;
	}
	if (frames_join_finish(j, out, outlen, err, errlen) == -1)
		goto out;
	if (report != NULL)
		fprintf(stderr, "%s: bundle %s rebuilt from %u of %u frames\n",
		    report, st.info.idhex, st.have, st.info.n);
	rv = 0;
out:
	frames_join_free(j);
	return rv;
}

int
bundle_qr_self_check(const struct bundle *b, const struct bundle_qr *q)
{
	unsigned char *out = NULL;
	size_t outlen, off = 0;
	char err[1024];
	unsigned i;
	int pass, rv;

	/* the last k lines are the tail of frames.txt */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; pass == 1 && i < q->info.n - q->info.k; i++)
			off += strlen(q->lines[i]) + 1;
		rv = bundle_qr_join(q->text + off, q->textlen - off, NULL,
		    &out, &outlen, err, sizeof(err));
		if (rv == 0 && (outlen != b->gzlen ||
				   memcmp(out, b->gz, outlen) != 0))
			rv = errf(err, sizeof(err), "rebuilt bytes differ");
		free(out);
		out = NULL;
		if (rv != 0) {
			warnf("self-check: frames do not rebuild the bundle "
			      "(%s): %s",
			    pass ? "last k frames" : "frames.txt", err);
			return -1;
		}
	}
	return 0;
}

static int
frame_encode(const struct bundle_qr *q, unsigned i, struct qr *code)
{
	if (qr_encode(q->lines[i], q->version, q->level, code) == 0)
		return 0;
	warnf("frame %u does not fit QR version %d-%c", i + 1, q->version,
	    q->level);
	return -1;
}

/* frames.html: pages of codes laid out so that a printed module is at
 * least HTML_MODULE_MIN_MM, each page headed by what restores it. */
static int
html_sheet(const char *tmp, const struct bundle *b, char **svgs,
    const struct bundle_qr *q)
{
	struct html h;
	struct html_layout l;
	char *text = NULL, label[FRAMES_LABEL_MAX], *out, title[192];
	int modules = 17 + 4 * q->version + 2 * QR_QUIET;
	unsigned i, per, page, pages;
	size_t len;
	int rv;

	if (html_layout_plan(q->paper, modules, HTML_MODULE_MIN_MM, &l) == -1) {
		warnf("%s/frames.html: QR version %d does not fit the page",
		    BUNDLE_QR_DIR, q->version);
		return -1;
	}
	per = (unsigned)(l.cols * l.rows);
	pages = (q->info.n + per - 1) / per;
	snprintf(title, sizeof(title), "Ceremony bundle %s: QR frames",
	    b->name);
	html_begin(&h, title, q->paper);
	if (asprintf(&text,
		"SHA-256 %s  (id %s, %zu bytes)\n"
		"QR %d-%c, printed module %.2f mm, %u codes a page. Scan at "
		"300 dpi or more, then on the online machine:\n"
		"zbarimg --raw -q -Sdisable -Sqrcode.enable scan-*.png |\n"
		"    ceremony import --qr - --pubkey %s",
		b->sha, q->info.idhex, b->gzlen, q->version, q->level,
		l.module_mm, per, b->pub_b64) == -1)
		text = NULL;
	for (page = 0; page < pages; page++) {
		snprintf(title, sizeof(title), "Bundle %s: QR frames, page %u "
		    "of %u. Any %u of the %u codes rebuild it.", b->name,
		    page + 1, pages, q->info.k, q->info.n);
		html_page_begin(&h);
		html_page_head(&h, title, text ? text : "");
		html_grid_begin(&h, &l);
		for (i = page * per; i < q->info.n && i < (page + 1) * per;
		     i++) {
			frames_label(&q->info, i, FRAMES_LABEL_FULL, label);
			html_grid_code(&h, svgs[i], label);
		}
		html_page_end(&h);
	}
	free(text);
	if (html_finish(&h, &out, &len) == -1) {
		warnf("%s/frames.html: out of memory", BUNDLE_QR_DIR);
		return -1;
	}
	rv = bundle_dir_write(tmp, "frames.html", out, len, 0644);
	free(out);
	return rv;
}

/* frame-NNN.png and frame-NNN.svg of frame i; the SVG is kept in svg. */
static int
frame_files(const char *tmp, const struct bundle_qr *q, unsigned i,
    char **svg)
{
	char name[32];
	unsigned char *png = NULL;
	size_t len, svglen;
	struct qr code;
	int rv = -1;

	if (frame_encode(q, i, &code) == -1)
		return -1;
	if (qr_png(&code, q->scale, &png, &len) == -1 ||
	    qr_svg(&code, svg, &svglen) == -1) {
		warnf("frame %u: cannot render", i + 1);
		goto out;
	}
	snprintf(name, sizeof(name), "frame-%03u.png", i + 1);
	if (bundle_dir_write(tmp, name, png, len, 0644) == -1)
		goto out;
	snprintf(name, sizeof(name), "frame-%03u.svg", i + 1);
	rv = bundle_dir_write(tmp, name, *svg, svglen, 0644);
out:
	qr_free(&code);
	free(png);
	return rv;
}

int
bundle_qr_write(const struct bundle *b, const struct bundle_qr *q)
{
	char old[] = BUNDLE_QR_DIR ".old-XXXXXX", *tmp = NULL, **svgs;
	unsigned i;
	int rv = -1, moved = 0;

	if ((svgs = calloc(q->info.n, sizeof(*svgs))) == NULL)
		return -1;
	if (bundle_dir_temp(BUNDLE_QR_DIR, &tmp) == -1)
		goto out;
	for (i = 0; i < q->info.n; i++)
		if (frame_files(tmp, q, i, &svgs[i]) == -1)
			goto out;
	if (bundle_dir_write(tmp, "frames.txt", q->text, q->textlen, 0644) ||
	    html_sheet(tmp, b, svgs, q) == -1 || bundle_dir_seal(tmp) == -1)
		goto out;
	if (file_exists(BUNDLE_QR_DIR)) {
		if (mkdtemp(old) == NULL || rename(BUNDLE_QR_DIR, old) == -1) {
			warnf("%s: cannot move aside: %s", BUNDLE_QR_DIR,
			    strerror(errno));
			goto out;
		}
		moved = 1;
	}
	if (rename(tmp, BUNDLE_QR_DIR) == -1) {
		warnf("%s: cannot rename into place: %s", BUNDLE_QR_DIR,
		    strerror(errno));
		if (moved)
			rename(old, BUNDLE_QR_DIR);
		goto out;
	}
	dir_sync(BUNDLE_QR_DIR);
	if (moved)
		dir_remove(old);
	rv = 0;
out:
	if (rv != 0 && tmp != NULL)
		dir_remove(tmp);
	for (i = 0; i < q->info.n; i++)
		free(svgs[i]);
	free(svgs);
	free(tmp);
	return rv;
}

int
bundle_qr_show(const struct bundle_qr *q)
{
	char label[FRAMES_LABEL_MAX], buf[64];
	int tty_in = isatty(STDIN_FILENO), tty_out = isatty(STDOUT_FILENO);
	struct qr code;
	unsigned i;

	for (i = 0; i < q->info.n; i++) {
		if (frame_encode(q, i, &code) == -1)
			return -1;
		if (tty_in && tty_out) /* one code per screen */
			fputs("\033[2J\033[H", stdout);
		if (qr_term(&code, stdout) == -1) {
			qr_free(&code);
			return -1;
		}
		qr_free(&code);
		frames_label(&q->info, i, FRAMES_LABEL_FULL, label);
		printf("%s   (any %u of %u frames rebuild the bundle)\n", label,
		    q->info.k, q->info.n);
		if (tty_in && i + 1 < q->info.n) {
			printf("Enter: next frame, q Enter: stop ");
			fflush(stdout);
			if (fgets(buf, sizeof(buf), stdin) == NULL ||
			    buf[0] == 'q')
				break;
		}
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

void
bundle_qr_free(struct bundle_qr *q)
{
	if (q->lines != NULL)
		frames_lines_free(q->lines, q->info.n);
	q->lines = NULL;
	free(q->text);
	q->text = NULL;
}
