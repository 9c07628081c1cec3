/* Printable HTML pages with QR codes, laid out in mm. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/err.h"
#include "media/html.h"

static void
put(struct html *h, const char *s, size_t n)
{
	char *nb;
	size_t cap;

	if (h->failed)
		return;
	if (n + 1 > h->cap - h->len) {
		cap = h->cap ? h->cap : 4096;
		while (n + 1 > cap - h->len)
			cap *= 2;
		if ((nb = realloc(h->buf, cap)) == NULL) {
			h->failed = 1;
			return;
		}
		h->buf = nb;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

static void
puts_(struct html *h, const char *s)
{
	put(h, s, strlen(s));
}

static void
esc(struct html *h, const char *s)
{
	const char *r;

	for (; *s; s++) {
		switch (*s) {
		case '&': r = "&amp;"; break;
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '"': r = "&quot;"; break;
		case '\'': r = "&#39;"; break;
		default:
			put(h, s, 1);
			continue;
		}
		puts_(h, r);
	}
}

int
html_paper_parse(const char *arg, const char **paper, char *err,
    size_t errlen)
{
	if (strcmp(arg, "A4") != 0 && strcmp(arg, "Letter") != 0)
		return media_errf(err, errlen,
		    "--paper: '%s' is not A4 or Letter", arg);
	*paper = arg;
	return 0;
}

/* Paper sizes, mm. */
static void
paper_mm(const char *paper, double *w, double *hgt)
{
	int letter = paper && strcmp(paper, "Letter") == 0;

	*w = letter ? 215.9 : 210;
	*hgt = letter ? 279.4 : 297;
}

int
html_layout_plan(const char *paper, int modules, double min_mm,
    struct html_layout *l)
{
	double pw, ph, w, hgt, side, m;
	int c, r, found = 0;

	memset(l, 0, sizeof(*l));
	if (modules < 1)
		return -1;
	paper_mm(paper, &pw, &ph);
	w = pw - 2 * HTML_MARGIN_MM;
	/* 2 mm kept free for the browser's rounding */
	hgt = ph - 2 * HTML_MARGIN_MM - HTML_HEAD_MM - 2;
	for (c = 1; c <= 6; c++) {
		for (r = 1; r <= 12; r++) {
			side = (w - (c - 1) * HTML_GAP_MM) / c;
			m = (hgt - r * HTML_LABEL_MM - (r - 1) * HTML_GAP_MM) /
			    r;
			if (m < side)
				side = m;
			/* whole hundredths of a mm, rounded down */
			m = (double)(long)(side / modules * 100 + 1e-9) / 100;
			if (m < min_mm - 1e-9)
				continue;
			if (found && (c * r < l->cols * l->rows ||
					 (c * r == l->cols * l->rows &&
					     m <= l->module_mm)))
				continue;
			l->cols = c;
			l->rows = r;
			l->module_mm = m;
			l->code_mm = m * modules;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

void
html_begin(struct html *h, const char *title, const char *paper)
{
	char s[128];

	memset(h, 0, sizeof(*h));
	puts_(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	esc(h, title);
	puts_(h, "</title>\n<style>\n");
	snprintf(s, sizeof(s), "@page { size: %s; margin: %.0fmm; }\n",
	    paper && strcmp(paper, "Letter") == 0 ? "Letter" : "A4",
	    HTML_MARGIN_MM);
	puts_(h, s);
	puts_(h, "body { font-family: sans-serif; font-size: 10pt; "
	    "color: #000; background: #fff; margin: 0; }\n"
	    "h1 { font-size: 14pt; margin: 0 0 4mm; }\n"
	    "pre { font-size: 9pt; white-space: pre-wrap; "
	    "word-break: break-all; break-inside: avoid; "
	    "page-break-inside: avoid; }\n"
	    ".keep { break-inside: avoid; page-break-inside: avoid; }\n"
	    ".page { break-after: page; page-break-after: always; }\n"
	    ".page:last-child { break-after: auto; "
	    "page-break-after: auto; }\n");
	snprintf(s, sizeof(s), ".head { height: %.1fmm; overflow: hidden; "
	    "margin: 0 0 1mm; }\n", HTML_HEAD_MM - 1);
	puts_(h, s);
	puts_(h, ".head b { display: block; font-size: 10pt; "
	    "line-height: 5mm; white-space: nowrap; overflow: hidden; "
	    "text-overflow: ellipsis; }\n"
	    ".head pre { font-size: 7pt; line-height: 3.2mm; margin: 0; "
	    "white-space: pre; }\n"
	    ".grid { display: grid; justify-content: center; }\n"
	    ".code { break-inside: avoid; page-break-inside: avoid; "
	    "text-align: center; }\n"
	    ".code svg { width: 100%; height: auto; display: block; }\n");
	snprintf(s, sizeof(s), ".label { font-family: monospace; "
	    "font-size: 8pt; height: %.1fmm; line-height: %.1fmm; }\n",
	    HTML_LABEL_MM, HTML_LABEL_MM);
	puts_(h, s);
	puts_(h, ".break { break-after: page; page-break-after: always; }\n"
	    "</style>\n</head>\n<body>\n");
}

void
html_heading(struct html *h, const char *text)
{
	puts_(h, "<h1>");
	esc(h, text);
	puts_(h, "</h1>\n");
}

void
html_text(struct html *h, const char *text)
{
	puts_(h, "<p>");
	esc(h, text);
	puts_(h, "</p>\n");
}

void
html_pre(struct html *h, const char *text)
{
	puts_(h, "<pre>");
	esc(h, text);
	puts_(h, "</pre>\n");
}

void
html_keep_begin(struct html *h)
{
	puts_(h, "<div class=\"keep\">\n");
}

void
html_keep_end(struct html *h)
{
	puts_(h, "</div>\n");
}

void
html_page_begin(struct html *h)
{
	puts_(h, "<div class=\"page\">\n");
}

void
html_page_head(struct html *h, const char *title, const char *text)
{
	puts_(h, "<div class=\"head\"><b>");
	esc(h, title);
	puts_(h, "</b><pre>");
	esc(h, text);
	puts_(h, "</pre></div>\n");
}

void
html_page_end(struct html *h)
{
	if (h->grid)
		html_grid_end(h);
	puts_(h, "</div>\n");
}

void
html_grid_begin(struct html *h, const struct html_layout *l)
{
	char s[128];
	int cols = l->cols < 1 ? 1 : l->cols > 6 ? 6 : l->cols;

	snprintf(s, sizeof(s), "<div class=\"grid\" style=\""
	    "grid-template-columns: repeat(%d, %.2fmm); gap: %.1fmm;\">\n",
	    cols, l->code_mm, HTML_GAP_MM);
	puts_(h, s);
	h->grid = 1;
}

void
html_grid_code(struct html *h, const char *svg, const char *label)
{
	puts_(h, "<div class=\"code\">");
	puts_(h, svg);
	puts_(h, "<div class=\"label\">");
	esc(h, label);
	puts_(h, "</div></div>\n");
}

void
html_grid_end(struct html *h)
{
	puts_(h, "</div>\n");
	h->grid = 0;
}

void
html_page_break(struct html *h)
{
	puts_(h, "<div class=\"break\"></div>\n");
}

int
html_finish(struct html *h, char **out, size_t *len)
{
	if (h->grid)
		html_grid_end(h);
	puts_(h, "</body>\n</html>\n");
	*out = NULL;
	*len = 0;
	if (h->failed) {
		html_free(h);
		return -1;
	}
	*out = h->buf;
	*len = h->len;
	memset(h, 0, sizeof(*h));
	return 0;
}

void
html_free(struct html *h)
{
	free(h->buf);
	memset(h, 0, sizeof(*h));
}
