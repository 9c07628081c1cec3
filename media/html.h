/* Printable HTML pages built in memory: headings, text, kept-together
 * blocks, and pages of QR codes (inline SVG) laid out so that a printed
 * module is never smaller than asked; A4 or Letter CSS. */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

struct html {
	char *buf;
	size_t len, cap;
	int failed; /* an allocation failed; html_finish reports it */
	int grid;   /* inside html_grid_begin .. html_grid_end */
};

/* Paper geometry, mm. Every page has margins of HTML_MARGIN_MM; a page
 * of codes starts with a head of HTML_HEAD_MM (html_page_head), and
 * each code has a label line of HTML_LABEL_MM under it. */
#define HTML_MARGIN_MM 10.0
#define HTML_HEAD_MM 19.0
#define HTML_LABEL_MM 4.5
#define HTML_GAP_MM 2.0
#define HTML_MODULE_MIN_MM 0.6 /* smallest printed module to plan for */

/* How codes sit on a page. */
struct html_layout {
	int cols, rows;   /* codes per row, rows per page */
	double module_mm; /* printed side of one module (0.01 mm steps) */
	double code_mm;   /* printed side of a code, quiet zone included */
};

/* The layout for square codes `modules` wide (quiet zone included) on
 * paper ("A4" or "Letter"; anything else: A4): the most codes per page
 * whose modules are at least min_mm, and of those the largest module.
 * -1 if not even one code per page reaches min_mm. */
int html_layout_plan(const char *paper, int modules, double min_mm,
    struct html_layout *l);

/* A --paper argument: "A4" or "Letter" into *paper, 0; or -1 with a
 * message in err. */
int html_paper_parse(const char *arg, const char **paper, char *err,
    size_t errlen);
/* paper: "A4" or "Letter" (anything else: A4). title is escaped. */
void html_begin(struct html *h, const char *title, const char *paper);
void html_heading(struct html *h, const char *text); /* <h1>, escaped */
void html_text(struct html *h, const char *text);    /* <p>, escaped */
void html_pre(struct html *h, const char *text); /* <pre>: commands, hashes;
						    never split across pages */
/* A block printed whole on one page (it moves to the next page rather
 * than split); blocks do not nest. */
void html_keep_begin(struct html *h);
void html_keep_end(struct html *h);
/* A page of codes: html_page_begin, then its head (a bold title line and
 * up to four lines of monospace text, clipped to HTML_HEAD_MM), then one
 * grid; html_page_end breaks the page (except after the last). */
void html_page_begin(struct html *h);
void html_page_head(struct html *h, const char *title, const char *text);
void html_page_end(struct html *h);
/* Codes in rows of l->cols, each l->code_mm wide; a code never splits
 * across pages. */
void html_grid_begin(struct html *h, const struct html_layout *l);
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
