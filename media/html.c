/* Printable HTML pages with QR codes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
html_begin(struct html *h, const char *title, const char *paper)
{
	int letter = paper && strcmp(paper, "Letter") == 0;

	memset(h, 0, sizeof(*h));
	puts_(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	esc(h, title);
	puts_(h, "</title>\n<style>\n");
	puts_(h, letter ? "@page { size: Letter; margin: 12mm; }\n" :
	    "@page { size: A4; margin: 12mm; }\n");
	puts_(h, "body { font-family: sans-serif; font-size: 10pt; "
	    "color: #000; background: #fff; }\n"
	    "h1 { font-size: 14pt; margin: 0 0 4mm; }\n"
	    "pre { font-size: 9pt; white-space: pre-wrap; "
	    "word-break: break-all; }\n"
	    ".grid { display: grid; gap: 4mm; margin: 4mm 0; }\n"
	    ".code { break-inside: avoid; page-break-inside: avoid; "
	    "text-align: center; }\n"
	    ".code svg { width: 100%; height: auto; display: block; }\n"
	    ".label { font-family: monospace; font-size: 11pt; "
	    "margin-top: 1mm; }\n"
	    ".break { break-after: page; page-break-after: always; }\n"
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
html_grid_begin(struct html *h, int cols)
{
	char s[96];

	if (cols < 1)
		cols = 1;
	if (cols > 6)
		cols = 6;
	snprintf(s, sizeof(s), "<div class=\"grid\" style=\""
	    "grid-template-columns: repeat(%d, 1fr);\">\n", cols);
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
