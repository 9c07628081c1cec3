/* Printable HTML pages built in memory: headings, text, and grids of QR
 * codes (inline SVG) with a label under each; A4 or Letter CSS. */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

struct html {
	char *buf;
	size_t len, cap;
	int failed; /* an allocation failed; html_finish reports it */
	int grid;   /* inside html_grid_begin .. html_grid_end */
};

/* paper: "A4" or "Letter" (anything else: A4). title is escaped. */
void html_begin(struct html *h, const char *title, const char *paper);
void html_heading(struct html *h, const char *text); /* <h1>, escaped */
void html_text(struct html *h, const char *text);    /* <p>, escaped */
void html_pre(struct html *h, const char *text); /* <pre>: commands, hashes */
/* Codes in rows of cols (1-6); a code never splits across pages. */
void html_grid_begin(struct html *h, int cols);
/* svg is inserted as is (from qr_svg); label is escaped, shown below in
 * a monospace font. */
void html_grid_code(struct html *h, const char *svg, const char *label);
void html_grid_end(struct html *h);
void html_page_break(struct html *h);
/* Closes the document; *out is malloc'd and NUL-terminated, h is reset.
 * Returns -1 (and frees) if any step ran out of memory. */
int html_finish(struct html *h, char **out, size_t *len);
void html_free(struct html *h);

#endif
