/*
 * report.c - what the HTML pages of `report` and `fleet report` share:
 * escaping, the page's head with its style, and writing the page whole or
 * not at all (retort_write_file).  The drawings are the library's
 * retort_dot_svg.
 *
 * A page is one file that needs nothing else: its style is inline, it has
 * no script, and its Content-Security-Policy forbids loading anything, so
 * that it opens the same from a CI artefact, a mail or a disk with no
 * network (and a browser reports anything that tries, which the test
 * catches).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void cli_html(FILE *f, const char *text)
{
	const char *p;

	for (p = text ? text : ""; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			putc(*p, f);
		}
	}
}

void cli_html_error(FILE *f, struct cli *cli)
{
	/* as cli_fail: a password the message quotes stays out of the page */
	char *masked = retort_mask_secrets(retort_errmsg(cli->ctx));

	cli_html(f, masked ? masked : "out of memory");
	free(masked);
}

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:0 auto;max-width:78em;padding:1em 2em;"
	"color:#1b1f24;background:#fff;line-height:1.4}\n"
	"h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .5em;"
	"border-bottom:1px solid #d0d7de;padding-bottom:.2em}\n"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;"
	"padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f3f5f7}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"code,pre,.rev{font-family:ui-monospace,monospace;font-size:.9em}\n"
	"pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.8em;overflow:auto}\n"
	".figure{overflow:auto;border:1px solid #d0d7de;padding:.5em}\n"
	".figure svg{max-width:100%;height:auto}\n"
	"td.chart{width:22em}.note{color:#57606a}\n"
	".bar{display:inline-block;height:.9em;background:#4c8bd6;min-width:1px}\n"
	".bar.down{background:#d6a04c}.bar.failed{background:#d64c4c}\n"
	".ok{color:#1a7f37}.warn{color:#9a6700}.bad{color:#cf222e}td.ok,td.warn,td.bad{white-space:nowrap}\n"
	".missing{background:#fff8c5;border:1px solid #d4a72c;padding:.5em .8em}\n"
	"dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}"
	"dl.meta dt{font-weight:600}dl.meta dd{margin:0}\n"
	"nav a{margin-right:1em}\n";

void cli_html_head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>", f);
	cli_html(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
	cli_html(f, title);
	fputs("</h1>\n", f);
}

void cli_html_meta(FILE *f, const char *name, const char *value)
{
	fputs("<dt>", f);
	cli_html(f, name);
	fputs("</dt><dd>", f);
	cli_html(f, value);
	fputs("</dd>\n", f);
}

void cli_html_generated(FILE *f)
{
	char when[64], by[64];
	time_t t = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	snprintf(by, sizeof(by), "retort %s", retort_version());
	cli_html_meta(f, "generated", when);
	cli_html_meta(f, "by", by);
}

void cli_html_tail(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

int cli_write_page(struct cli *cli, const char *path, const char *html, size_t len)
{
	if (!path)
		return fwrite(html, 1, len, stdout) == len ? 0 : 1;
	if (retort_write_file(cli->ctx, path, html, len) < 0) {
		cli_error("cannot write the report '%s': %s", path, retort_errmsg(cli->ctx));
		return 1;
	}
	return 0;
}
