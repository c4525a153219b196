/*
 * report.c - what the HTML pages of `report` and `fleet report` share:
 * escaping, the page's head with its style, SVG from Graphviz's `dot`, and
 * writing the page whole or not at all.
 *
 * A page is one file that needs nothing else: its style is inline, it has
 * no script, and its Content-Security-Policy forbids loading anything, so
 * that it opens the same from a CI artefact, a mail or a disk with no
 * network (and a browser reports anything that tries, which the test
 * catches).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* Read all of `f` from its start into a string (caller frees). */
static char *slurp(FILE *f)
{
	char *text = NULL;
	size_t len = 0, n;
	char chunk[8192];

	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		text = cli_realloc(text, len + n + 1);
		memcpy(text + len, chunk, n);
		len += n;
	}
	text = cli_realloc(text, len + 1);
	text[len] = '\0';
	return text;
}

/* Graphviz takes seconds on thousands of nodes; past this the section
 * falls back rather than keep the report waiting. */
#define DOT_TIMEOUT_MS 60000

static char *why_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *why_printf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = cli_realloc(NULL, (size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* Wait for `pid`, killing it after DOT_TIMEOUT_MS; its wait status, or
 * -1 when it was killed. */
static int wait_dot(pid_t pid)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status, waited = 0;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (waited >= DOT_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&tick, NULL);
		waited += 10;
	}
	return status;
}

int cli_dot_svg(char **svg, char **why, const char *source)
{
	FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	char *text = NULL, *start;
	pid_t pid;
	int status = 0;

	*svg = *why = NULL;
	if (!in || !out || !err) {
		*why = why_printf("cannot make a temporary file for dot: %s", strerror(errno));
		goto done;
	}
	fputs(source, in);
	if (fflush(in) || lseek(fileno(in), 0, SEEK_SET) < 0) {
		*why = why_printf("cannot write dot's input: %s", strerror(errno));
		goto done;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		*why = why_printf("cannot start dot: %s", strerror(errno));
		goto done;
	}
	if (pid == 0) {
		/* no shell: the program and its arguments are fixed */
		char *argv[] = { "dot", "-Tsvg", NULL };
		if (dup2(fileno(in), 0) < 0 || dup2(fileno(out), 1) < 0 || dup2(fileno(err), 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	status = wait_dot(pid);
	if (status == -1) {
		*why = why_printf("dot did not finish within %d s", DOT_TIMEOUT_MS / 1000);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		*why = why_printf("Graphviz's dot is not installed (not found on PATH)");
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *msg = slurp(err);
		msg[strcspn(msg, "\n")] = '\0';
		*why = why_printf("dot failed: %s", *msg ? msg : "no message");
		free(msg);
	} else {
		text = slurp(out);
		/* the element alone: an XML prolog and DOCTYPE have no place
		 * inside an HTML page */
		if (!(start = strstr(text, "<svg"))) {
			*why = why_printf("dot wrote no SVG");
		} else {
			memmove(text, start, strlen(start) + 1);
			*svg = text;
			text = NULL;
		}
	}
done:
	free(text);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	return *svg ? 0 : -1;
}

int cli_write_page(const char *path, const char *html, size_t len)
{
	char *tmp;
	size_t n;
	mode_t mask;
	int fd, saved;
	FILE *f;

	if (!path)
		return fwrite(html, 1, len, stdout) == len ? 0 : 1;
	/* beside the target, so that rename() replaces it in one step: a
	 * reader sees the old page or the new one, never half of one */
	n = strlen(path) + 16;
	tmp = cli_realloc(NULL, n);
	snprintf(tmp, n, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		saved = errno;
		free(tmp);
		cli_error("cannot write the report '%s': %s", path, strerror(saved));
		return 1;
	}
	/* mkstemp's 0600 would make the page private; a file as any other */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || !(f = fdopen(fd, "w"))) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (fwrite(html, 1, len, f) != len || fflush(f) || fsync(fd)) {
		saved = errno;
		fclose(f);
		goto fail;
	}
	if (fclose(f) || rename(tmp, path) < 0) {
		saved = errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	cli_error("cannot write the report '%s': %s", path, strerror(saved));
	return 1;
}
