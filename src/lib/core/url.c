/*
 * url.c - database URLs as SQLAlchemy writes them (so an Alembic project's
 * URL works as it is), and the masking of passwords in any text that may
 * reach a user, a terminal or a log.
 *
 * A password must never be shown, not even when the URL is malformed, so
 * every message quotes the URL through mask_text(), which finds the
 * password the same way the parser does and also masks what only looks
 * like one.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rt.h"

#define MASK "***"
#define NPOS ((size_t)-1)

/* mask_text() flags: the text is one URL, whitespace does not end a part */
#define MASK_URL 1
/* no guessing that "a:b" without '@' is a user and a password */
#define MASK_NO_BARE 2

static const char spaces[] = " \t\r\n\f\v";

static size_t find_char(const char *s, size_t from, size_t to, char c)
{
	const char *p = memchr(s + from, c, to - from);

	return p ? (size_t)(p - s) : NPOS;
}

static size_t find_last(const char *s, size_t from, size_t to, char c)
{
	while (to > from)
		if (s[--to] == c)
			return to;
	return NPOS;
}

/* 1 to 5 digits: a port, not a password. */
static int is_port(const char *s, size_t from, size_t to)
{
	size_t i;

	if (to == from || to - from > 5)
		return 0;
	for (i = from; i < to; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * "scheme://user:pw" with no '@' at all (and "scheme://user:pw/db",
 * "...:pw:5432"): to a parser a host with a bad port, but most likely a
 * password whose "@host" was left out, and the error about it must not
 * show it.  A host entry whose part after ':' is not a port makes the rest
 * of the URL secret: to its end, or in free text to the end of the word
 * and before a closing quote matching `open` (the character before the
 * scheme), so "'postgresql://u:pw': timeout" keeps its quote.
 */
static int bare_secret_span(size_t *from, size_t *to, const char *s, size_t start, char open,
			    int flags)
{
	size_t end = (flags & MASK_URL) ? strlen(s) : start + strcspn(s + start, spaces);
	size_t auth, i = start;

	if (!(flags & MASK_URL) && (open == '\'' || open == '"')) {
		size_t quote = find_last(s, start, end, open);

		if (quote != NPOS)
			end = quote;
	}
	auth = start + strcspn(s + start, "/?");
	if (auth > end)
		auth = end;
	while (i < auth) {
		size_t e = find_char(s, i, auth, ','), colon;

		if (e == NPOS)
			e = auth;
		if (s[i] == '[') {
			/* "[::1]:5432": the colons inside the brackets are the host's */
			colon = find_char(s, i, e, ']');
			colon = colon == NPOS ? e : colon + 1;
		} else {
			colon = find_char(s, i, e, ':');
		}
		if (colon != NPOS && colon + 1 < e && s[colon] == ':' && !is_port(s, colon + 1, e)) {
			*from = colon + 1;
			*to = end;
			return 1;
		}
		i = e + 1;
	}
	return 0;
}

/*
 * The password of the URL whose authority starts at `start`, as [*from, *to).
 * The user info ends at the last '@' before the first '/' or '?' (a password
 * may hold a literal '@'); in free text whitespace ends it too.  A
 * password holding a literal '/' or '?' is guessed as well: then the '@'
 * comes after the authority, and masking too much beats showing a secret.
 */
static int secret_span(size_t *from, size_t *to, const char *s, size_t start, char open,
		       int flags)
{
	const char *stop = (flags & MASK_URL) ? "/?" : "/? \t\r\n\f\v";
	size_t end = start + strcspn(s + start, stop), at, colon;

	at = find_last(s, start, end, '@');
	if (at == NPOS) {
		size_t word = (flags & MASK_URL) ? strlen(s) : start + strcspn(s + start, spaces);
		size_t first = find_char(s, end, word, '@');

		if (first == NPOS)
			return !(flags & MASK_NO_BARE) &&
			       bare_secret_span(from, to, s, start, open, flags);
		at = find_last(s, first, first + strcspn(s + first, stop), '@');
	}
	if (at == NPOS)
		return 0;
	colon = find_char(s, start, at, ':');
	if (colon == NPOS || colon + 1 == at)
		return 0;
	*from = colon + 1;
	*to = at;
	return 1;
}

/*
 * A libpq keyword "password=VALUE" at s + i, or any name ending so
 * (PGPASSWORD=, sslpassword=): the value as [*from, *to).  A quoted value
 * ('a b', "a b") ends at its closing quote, a bare one at whitespace or an
 * unescaped "'", and in a query string ("?password=x&...") at '&'.
 */
static int keyword_span(size_t *from, size_t *to, const char *s, size_t i, int flags)
{
	size_t p = i + 8, end;
	int query = i > 0 && (s[i - 1] == '?' || s[i - 1] == '&');

	if (strncasecmp(s + i, "password", 8))
		return 0;
	while (s[p] == ' ' || s[p] == '\t')
		p++;
	if (s[p] != '=')
		return 0;
	p++;
	while (s[p] == ' ' || s[p] == '\t')
		p++;
	if (s[p] == '\'' || s[p] == '"') {
		char quote = s[p++];

		for (end = p; s[end] && s[end] != quote; end++)
			if (s[end] == '\\' && s[end + 1])
				end++;
	} else if (query) {
		end = p + strcspn(s + p, (flags & MASK_URL) ? "&" : "& \t\r\n\f\v");
	} else if (flags & MASK_URL) {
		end = p + strlen(s + p);
	} else {
		/* libpq has a bare value escape its single quotes, so an
		 * unescaped one ends it: "... 'host=h password=***': ..." */
		for (end = p; s[end] && !strchr(spaces, s[end]) && s[end] != '\''; end++)
			if (s[end] == '\\' && s[end + 1])
				end++;
	}
	if (end == p)
		return 0;
	*from = p;
	*to = end;
	return 1;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_scheme_char(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* The length of a leading "scheme://", 0 if there is none. */
size_t rt_url_scheme_len(const char *s)
{
	size_t n = 0;

	if (!is_alpha(s[0]))
		return 0;
	while (is_scheme_char(s[n]))
		n++;
	return strncmp(s + n, "://", 3) ? 0 : n + 3;
}

/* The character before the scheme that ends at s + i ("://"), or 0. */
static char before_scheme(const char *s, size_t i)
{
	while (i > 0 && is_scheme_char(s[i - 1]))
		i--;
	return i > 0 ? s[i - 1] : '\0';
}

/* Overwrite s[from, to) with '*' when `wipe` (the same string, writable)
 * is given: the caller wants the secret gone from memory, not just from
 * the output. */
static void wipe_span(char *wipe, size_t from, size_t to)
{
	if (wipe && to > from)
		memset(wipe + from, '*', to - from);
}

static void mask_text(rt_buf *out, char *wipe, const char *s, int flags)
{
	size_t n = strlen(s), i = 0, from = 0, to = 0, first = NPOS;
	int have = 0;

	if (flags & MASK_URL) {
		/* one URL: its authority follows "scheme://" or, when the
		 * scheme is missing or mistyped, starts the text (no guess at
		 * a bare "user:pw" then: "sqlite:data.db" is no password) */
		size_t start = rt_url_scheme_len(s);

		first = start ? start - 3 : NPOS;
		have = secret_span(&from, &to, s, start, '\0', start ? flags : flags | MASK_NO_BARE);
	}
	while (i < n) {
		size_t vfrom, vto;

		if (have && i >= from) {
			rt_buf_puts(out, MASK);
			if (i < to) {
				wipe_span(wipe, i, to);
				i = to;
			}
			have = 0;
		} else if (!have && i != first && !strncmp(s + i, "://", 3)) {
			have = secret_span(&from, &to, s, i + 3, before_scheme(s, i), flags);
			rt_buf_put(out, s + i, 3);
			i += 3;
		} else if (keyword_span(&vfrom, &vto, s, i, flags)) {
			rt_buf_put(out, s + i, vfrom - i);
			rt_buf_puts(out, MASK);
			wipe_span(wipe, vfrom, vto);
			i = vto;
			/* a value that ran into a URL's password covers it */
			if (have && i > from) {
				if (i < to) {
					wipe_span(wipe, i, to);
					i = to;
				}
				have = 0;
			}
		} else {
			rt_buf_putc(out, s[i++]);
		}
	}
}

void rt_mask_secrets(rt_buf *out, const char *text)
{
	mask_text(out, NULL, text, 0);
}

void rt_mask_url(rt_buf *out, const char *url)
{
	mask_text(out, NULL, url, MASK_URL);
}

void retort_wipe_secrets(char *url)
{
	rt_buf ignored = RT_BUF_INIT;

	if (url)
		mask_text(&ignored, url, url, MASK_URL);
	rt_buf_release(&ignored);
}

char *retort_mask_secrets(const char *text)
{
	rt_buf b = RT_BUF_INIT;

	if (!text)
		return NULL;
	rt_mask_secrets(&b, text);
	if (rt_buf_oom(&b)) {
		rt_buf_release(&b);
		return NULL;
	}
	return rt_buf_detach(&b);
}

/* ---- parsing ---------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) into a new string.  RETORT_EINVALID on a bad
 * escape or an encoded NUL (it would cut the C string short), RETORT_ERROR
 * when out of memory.
 */
static int decode(char **out, const char *s, size_t n)
{
	char *d = malloc(n + 1);
	size_t i, j = 0;

	*out = NULL;
	if (!d)
		return RETORT_ERROR;
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(d);
				return RETORT_EINVALID;
			}
			d[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	*out = d;
	return 0;
}

static int oom(rt_buf *err)
{
	return rt_error(err, RETORT_ERROR, "out of memory");
}

/* Decode a part; NULL (not "") when empty, so absent and empty agree. */
static int decode_part(char **out, const char *s, size_t n, const rt_url *u, rt_buf *err)
{
	int rc;

	*out = NULL;
	if (!n)
		return 0;
	if ((rc = decode(out, s, n)) == RETORT_EINVALID)
		return rt_error(err, rc, "invalid percent escape in database URL '%s'", u->masked);
	return rc < 0 ? oom(err) : 0;
}

/* "a=1&b=%20" into u->params; a name without '=' has the value "". */
static int parse_params(rt_url *u, const char *q, rt_buf *err)
{
	while (*q) {
		size_t n = strcspn(q, "&"), eq = strcspn(q, "=&");
		rt_kv kv = { NULL, NULL };
		int rc;

		if (n) {
			rt_kv *grown = realloc(u->params, (u->nparams + 1) * sizeof(*grown));

			if (!grown)
				return oom(err);
			u->params = grown;
			if ((rc = decode_part(&kv.key, q, eq, u, err)) < 0)
				return rc;
			if ((rc = decode_part(&kv.value, q + eq + 1, eq < n ? n - eq - 1 : 0, u, err)) < 0) {
				free(kv.key);
				return rc;
			}
			if (!kv.key)
				kv.key = rt_strdup("");
			if (!kv.value)
				kv.value = rt_strdup("");
			u->params[u->nparams++] = kv;
			if (!kv.key || !kv.value)
				return oom(err);
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return 0;
}

static int bad_host(const rt_url *u, rt_buf *err, const char *what)
{
	/* an '@' after the host part: most likely a password holding a
	 * literal '/' or '?', which the user has to percent-encode */
	const char *rest = strstr(u->masked, "://");
	const char *hint = "";

	if (rest && strchr(rest + 3, '@'))
		hint = "; write '/', '?' and '@' in a password as %2F, %3F and %40";
	else if (rest && strstr(rest + 3, ":" MASK))
		/* "user:pw" with the "@host" left out: masked whole */
		hint = "; a password needs '@host' after it (user:password@host)";
	return rt_error(err, RETORT_EINVALID, "%s in database URL '%s'%s", what, u->masked, hint);
}

/*
 * The host list: "host", "host:port", "[v6]:port", or libpq's
 * "h1:p1,h2:p2", which becomes host "h1,h2" and port "p1,p2" as libpq's
 * keywords spell it.
 */
static int parse_hosts(rt_url *u, const char *s, size_t n, rt_buf *err)
{
	rt_buf hosts = RT_BUF_INIT, ports = RT_BUF_INIT;
	size_t i = 0;
	int rc = 0, any_port = 0;

	while (1) {
		size_t end = i + strcspn(s + i, ","), hs, he, ps = 0, pe = 0, k;
		char *host = NULL;

		if (end > n)
			end = n;
		if (s[i] == '[' && i < end) {
			size_t close = find_char(s, i, end, ']');

			if (close == NPOS) {
				rc = bad_host(u, err, "unterminated '['");
				break;
			}
			hs = i + 1;
			he = close;
			if (close + 1 < end) {
				if (s[close + 1] != ':') {
					rc = bad_host(u, err, "invalid host");
					break;
				}
				ps = close + 2;
				pe = end;
			}
		} else {
			size_t colon = find_char(s, i, end, ':');

			hs = i;
			he = colon == NPOS ? end : colon;
			if (colon != NPOS) {
				ps = colon + 1;
				pe = end;
			}
		}
		if (pe > ps) {
			long port = 0;

			for (k = ps; k < pe && pe - ps <= 5; k++) {
				if (s[k] < '0' || s[k] > '9')
					break;
				port = port * 10 + (s[k] - '0');
			}
			if (k != pe || pe - ps > 5 || port < 1 || port > 65535) {
				rc = bad_host(u, err, "invalid port");
				break;
			}
			any_port = 1;
		}
		if ((rc = decode_part(&host, s + hs, he - hs, u, err)) < 0)
			break;
		if (i) {
			rt_buf_putc(&hosts, ',');
			rt_buf_putc(&ports, ',');
		}
		if (host)
			rt_buf_puts(&hosts, host);
		free(host);
		rt_buf_put(&ports, s + ps, pe - ps);
		if (end >= n)
			break;
		i = end + 1;
	}
	if (!rc && rt_buf_oom(&hosts) + rt_buf_oom(&ports))
		rc = oom(err);
	/* no host at all (a Unix socket, libpq's default) is NULL, not "" */
	if (!rc && strspn(hosts.ptr, ",") != hosts.len && !(u->host = rt_buf_detach(&hosts)))
		rc = oom(err);
	if (!rc && any_port && !(u->port = rt_buf_detach(&ports)))
		rc = oom(err);
	rt_buf_release(&hosts);
	rt_buf_release(&ports);
	return rc;
}

/* postgresql://user:password@host:port/dbname?key=value&... */
int rt_url_parse_server(rt_url *u, const char *rest, rt_buf *err)
{
	size_t end = strcspn(rest, "/?"), at = find_last(rest, 0, end, '@'), hp = 0;
	const char *p;
	int rc;

	if (at != NPOS) {
		size_t colon = find_char(rest, 0, at, ':');

		if ((rc = decode_part(&u->user, rest, colon == NPOS ? at : colon, u, err)) < 0)
			return rc;
		if (colon != NPOS &&
		    (rc = decode_part(&u->password, rest + colon + 1, at - colon - 1, u, err)) < 0)
			return rc;
		hp = at + 1;
	}
	if ((rc = parse_hosts(u, rest + hp, end - hp, err)) < 0)
		return rc;
	p = rest + end;
	if (*p == '/') {
		size_t n = strcspn(p + 1, "?");

		if ((rc = decode_part(&u->path, p + 1, n, u, err)) < 0)
			return rc;
		p += 1 + n;
	}
	return *p == '?' ? parse_params(u, p + 1, err) : 0;
}

/*
 * sqlite:///relative.db, sqlite:////absolute.db, sqlite:// and
 * sqlite:///:memory: (in memory).  The path is not percent-decoded:
 * SQLAlchemy hands it to SQLite as written.
 */
int rt_url_parse_file(rt_url *u, const char *rest, const char *base_dir, rt_buf *err)
{
	const char *p = rest, *path = NULL;
	size_t n = 0;
	int rc;

	if (strcspn(rest, "/?") > 0)
		return rt_error(err, RETORT_EINVALID,
				"database URL '%s' names a host, which SQLite has not; "
				"write sqlite:///relative.db or sqlite:////absolute.db", u->masked);
	if (*p == '/') {
		n = strcspn(p + 1, "?");
		path = p + 1;
		p += 1 + n;
	}
	if (*p == '?' && (rc = parse_params(u, p + 1, err)) < 0)
		return rc;
	if (!n || (n == 8 && !strncmp(path, ":memory:", 8))) {
		u->memory = 1;
		return 0;
	}
	if (path[0] == '/') {
		u->path = rt_strndup(path, n);
	} else {
		char *rel = rt_strndup(path, n), *cwd = base_dir ? NULL : getcwd(NULL, 0);

		if (!rel || (!base_dir && !cwd)) {
			free(rel);
			free(cwd);
			return rt_error(err, RETORT_ERROR,
					"cannot resolve the database path of '%s': no current folder",
					u->masked);
		}
		u->path = rt_path_join(base_dir ? base_dir : cwd, rel);
		free(rel);
		free(cwd);
	}
	return u->path ? 0 : oom(err);
}

void rt_url_release(rt_url *u)
{
	size_t i;

	if (!u)
		return;
	free(u->scheme);
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->port);
	free(u->path);
	for (i = 0; i < u->nparams; i++) {
		free(u->params[i].key);
		free(u->params[i].value);
	}
	free(u->params);
	free(u->masked);
	memset(u, 0, sizeof(*u));
}
