/* shares.html: one printable page per share, on A4 or Letter; and each
 * share's own files: its text sheet and its QR code as PNG and SVG. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "media/qr.h"
#include "backup/sheet.h"
#include "core/util.h"

#define QR_SCALE 6 /* pixels per module of share-G-M.png */

/* A growing buffer in secure memory. */
struct sbuf {
	char *b;
	size_t len, cap;
	int failed;
};

static void
grow(struct sbuf *s, size_t need)
{
	size_t cap = s->cap ? s->cap : 65536;
	char *nb;

	while (cap < s->len + need + 1)
		cap *= 2;
	if (cap == s->cap)
		return;
	if ((nb = sodium_malloc(cap)) == NULL) {
		s->failed = 1;
		return;
	}
	if (s->b != NULL) {
		memcpy(nb, s->b, s->len);
		sodium_free(s->b);
	}
	s->b = nb;
	s->cap = cap;
}

#define ADD(s, lit) add((s), (lit), sizeof(lit) - 1)

static void
add(struct sbuf *s, const char *text, size_t n)
{
	if (s->failed)
		return;
	grow(s, n);
	if (s->failed)
		return;
	memcpy(s->b + s->len, text, n);
	s->len += n;
	s->b[s->len] = 0;
}

static void
addf(struct sbuf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
addf(struct sbuf *s, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		s->failed = 1;
	else
		add(s, tmp, (size_t)n);
	sodium_memzero(tmp, sizeof(tmp));
}

/* Text with &, <, >, " and ' escaped. */
static void
esc(struct sbuf *s, const char *t)
{
	for (; *t != 0 && !s->failed; t++) {
		switch (*t) {
		case '&':
			ADD(s, "&amp;");
			break;
		case '<':
			ADD(s, "&lt;");
			break;
		case '>':
			ADD(s, "&gt;");
			break;
		case '"':
			ADD(s, "&quot;");
			break;
		case '\'':
			ADD(s, "&#39;");
			break;
		default:
			add(s, t, 1);
		}
	}
}

static const char style[] =
    "body { font-family: sans-serif; color: #000; margin: 0; }\n"
    ".page { max-width: 185mm; break-after: page; "
    "page-break-after: always; }\n"
    ".page:last-child { break-after: auto; page-break-after: auto; }\n"
    "h1 { font-size: 17pt; margin: 0 0 1mm; }\n"
    ".secret { color: #a00; font-weight: bold; margin: 0 0 3mm; }\n"
    ".top { display: flex; gap: 6mm; align-items: flex-start; }\n"
    ".qr svg { width: 58mm; height: 58mm; display: block; }\n"
    "table.meta { border-collapse: collapse; font-size: 10pt; }\n"
    "table.meta th { text-align: left; padding: 0.6mm 3mm 0.6mm 0; "
    "vertical-align: top; white-space: nowrap; }\n"
    "table.meta td { padding: 0.6mm 0; }\n"
    ".mono { font-family: monospace; font-size: 8.5pt; "
    "word-break: break-all; }\n"
    "table.words { border-collapse: collapse; margin: 5mm 0; "
    "font-family: monospace; font-size: 13pt; }\n"
    "table.words td { border: 0.3mm solid #888; padding: 1.4mm 3mm; "
    "width: 50mm; }\n"
    "table.words .n { color: #555; font-size: 9pt; display: inline-block; "
    "width: 7mm; }\n"
    ".steps { font-size: 9.5pt; }\n"
    ".steps code { font-size: 9pt; }\n";

static int
page(struct sbuf *s, const struct sheet_info *si,
    const struct slip39_share *sh, const char *mnemonic,
    const char *custodian)
{
	const char *w[SLIP39_MAX_MNEMONIC_WORDS];
	char *copy = NULL, *qrtext = NULL, *svg = NULL;
	char *save = NULL, *t;
	struct qr q = {0};
	size_t svglen, n = strlen(mnemonic);
	int nw = 0, rows, r, c, k, rv = -1;

	copy = sodium_malloc(n + 1);
	qrtext = sodium_malloc(n + 1);
	if (copy == NULL || qrtext == NULL ||
	    sheet_qr_text(mnemonic, qrtext, n + 1) == -1 ||
	    qr_encode(qrtext, 0, 'M', &q) == -1 ||
	    qr_svg(&q, &svg, &svglen) == -1)
		goto out;
	memcpy(copy, mnemonic, n + 1);
	for (t = strtok_r(copy, " ", &save);
	     t != NULL && nw < SLIP39_MAX_MNEMONIC_WORDS;
	     t = strtok_r(NULL, " ", &save))
		w[nw++] = t;
	ADD(s, "<div class=\"page\">\n<h1>");
	if (sh->group_count == 1)
		addf(s, "Backup share %d of %d", sh->member_index + 1,
		    si->group_sizes[sh->group_index]);
	else
		addf(s, "Backup share: group %d, member %d of %d",
		    sh->group_index + 1, sh->member_index + 1,
		    si->group_sizes[sh->group_index]);
	ADD(s, "</h1>\n<p class=\"secret\">SECRET. Only its custodian may "
	       "hold this page. Never photograph or type it anywhere but "
	       "the ceremony machine.</p>\n<div class=\"top\">\n"
	       "<div class=\"qr\">");
	add(s, svg, svglen);
	ADD(s, "</div>\n<table class=\"meta\">\n<tr><th>Ceremony</th><td>");
	esc(s, si->ceremony);
	ADD(s, "</td></tr>\n<tr><th>Custodian</th><td>");
	esc(s, custodian != NULL ? custodian : "(not named)");
	addf(s, "</td></tr>\n<tr><th>Scheme</th><td>%s</td></tr>\n",
	    si->scheme);
	if (sh->group_count == 1)
		addf(s, "<tr><th>This share</th><td>member %d of %d; any %d "
		        "shares restore</td></tr>\n",
		    sh->member_index + 1, si->group_sizes[sh->group_index],
		    sh->member_threshold);
	else
		addf(s, "<tr><th>This share</th><td>group %d (any %d of its "
		        "%d shares), member %d; %d of %d groups restore"
		        "</td></tr>\n",
		    sh->group_index + 1, sh->member_threshold,
		    si->group_sizes[sh->group_index], sh->member_index + 1,
		    sh->group_threshold, sh->group_count);
	addf(s, "<tr><th>Identifier</th><td>%u (shares of this backup begin "
	        "<b>%s %s</b>)</td></tr>\n",
	    sh->id, nw > 0 ? w[0] : "", nw > 1 ? w[1] : "");
	addf(s, "<tr><th>Vault</th><td>%s, created %s</td></tr>\n",
	    si->vault, si->created);
	addf(s, "<tr><th>CA SHA-256</th><td class=\"mono\">%s</td></tr>\n"
	        "</table>\n</div>\n<table class=\"words\">\n",
	    si->fingerprint);
	rows = (nw + 2) / 3;
	for (r = 0; r < rows; r++) {
		ADD(s, "<tr>");
		for (c = 0; c < 3; c++) {
			k = c * rows + r;
			if (k < nw)
				addf(s, "<td><span class=\"n\">%d</span>%s</td>",
				    k + 1, w[k]);
			else
				ADD(s, "<td></td>");
		}
		ADD(s, "</tr>\n");
	}
	ADD(s, "</table>\n<div class=\"steps\"><b>To restore</b> (needs enough "
	       "shares; see Scheme):\n<ol>\n<li>On the air-gapped ceremony "
	       "machine, with <code>backup/deviceRootCA.vault</code> and "
	       "<code>deviceRootCA.pem</code>, run <code>ceremony "
	       "restore</code> and type the numbered words when asked "
	       "(the first 4 letters of each word are enough).</li>\n"
	       "<li>Check that the CA SHA-256 it prints is the one above.</li>\n"
	       "<li>The yearly drill: <code>ceremony restore --check</code> "
	       "proves the shares work and writes no key.</li>\n"
	       "<li>Without this tool: any SLIP-39 implementation recovers the "
	       "32-byte vault key from the words (no passphrase unless one "
	       "was set); the vault is XChaCha20-Poly1305, its header the "
	       "associated data (README, \"Restoring without "
	       "ceremony\").</li>\n</ol></div>\n</div>\n");
	rv = s->failed ? -1 : 0;
out:
	qr_free(&q);
	if (svg != NULL) {
		sodium_memzero(svg, svglen);
		free(svg);
	}
	sodium_free(copy);
	sodium_free(qrtext);
	return rv;
}

int
sheet_html(const struct sheet_info *si, const struct slip39_share *sh,
    char *const *mnemonics, const char *const *custodians, size_t n,
    char **out, size_t *len)
{
	struct sbuf s = {0};
	size_t i;

	*out = NULL;
	ADD(&s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	        "charset=\"utf-8\">\n<title>Backup shares: ");
	esc(&s, si->ceremony);
	ADD(&s, "</title>\n<style>\n");
	addf(&s, "@page { size: %s; margin: 12mm; }\n",
	    si->paper != NULL && strcmp(si->paper, "Letter") == 0 ? "Letter" :
	    "A4");
	add(&s, style, sizeof(style) - 1);
	ADD(&s, "</style>\n</head>\n<body>\n");
	for (i = 0; i < n && !s.failed; i++)
		if (page(&s, si, &sh[i], mnemonics[i],
		        custodians != NULL ? custodians[i] : NULL) == -1)
			s.failed = 1;
	ADD(&s, "</body>\n</html>\n");
	if (s.failed) {
		sodium_free(s.b);
		return -1;
	}
	*out = s.b;
	*len = s.len;
	return 0;
}

int
sheet_write_share(const char *dir, const struct sheet_info *si,
    const struct slip39_share *sh, const char *mn, const char *custodian)
{
	char path[4096], *text = NULL, *svg = NULL, *qrtext = NULL;
	unsigned char *png = NULL;
	size_t len, pnglen = 0, svglen = 0;
	struct qr q = {0};
	int rv = -1;

	snprintf(path, sizeof(path), "%s/share-%d-%d.txt", dir,
	    sh->group_index + 1, sh->member_index + 1);
	if (sheet_txt(si, sh, mn, custodian, &text, &len) == -1) {
		warnf("%s: cannot make the share sheet", path);
		goto out;
	}
	if (file_write_secret(path, text, len, 0) == -1)
		goto out;
	if ((qrtext = sodium_malloc(strlen(mn) + 1)) == NULL ||
	    sheet_qr_text(mn, qrtext, strlen(mn) + 1) == -1 ||
	    qr_encode(qrtext, 0, 'M', &q) == -1 ||
	    qr_png(&q, QR_SCALE, &png, &pnglen) == -1 ||
	    qr_svg(&q, &svg, &svglen) == -1) {
		warnf("%s: cannot make the QR code", path);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/share-%d-%d.png", dir,
	    sh->group_index + 1, sh->member_index + 1);
	if (file_write_secret(path, png, pnglen, 0) == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/share-%d-%d.svg", dir,
	    sh->group_index + 1, sh->member_index + 1);
	if (file_write_secret(path, svg, svglen, 0) == -1)
		goto out;
	rv = 0;
out:
	qr_free(&q);
	if (png != NULL)
		sodium_memzero(png, pnglen);
	if (svg != NULL)
		sodium_memzero(svg, svglen);
	free(png);
	free(svg);
	sodium_free(qrtext);
	sheet_free(text);
	return rv;
}
