/*
 * url.c - rt_url_parse: which URL scheme names which database and takes
 * which form, known here beside the driver registry so that nothing below
 * it names a dialect.  The forms themselves are parsed in core/url.c.
 */
#include <string.h>
#include <strings.h>

#include "rt.h"

/* Every scheme retort reads, built in or not: a URL of a dialect this
 * build lacks parses, and rt_driver_for() then says the build has none. */
static const struct {
	const char *name;    /* as written, case-insensitive */
	const char *scheme;  /* the driver's scheme it stands for */
	int file;            /* a file database (else a server) */
} schemes[] = {
	{ "sqlite", "sqlite", 1 },
	{ "postgresql", "postgresql", 0 },
	{ "postgres", "postgresql", 0 },
};

static int parse(rt_url *u, const char *url, const char *base_dir, rt_buf *err)
{
	size_t n = rt_url_scheme_len(url), plus, i;
	const char *rest = url + n;

	if (n) {
		n -= 3;
		/* sqlite+aiosqlite, postgresql+asyncpg: the driver is Python's business */
		plus = strcspn(url, "+");
		if (plus < n)
			n = plus;
	}
	for (i = 0; n && i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i].name) != n || strncasecmp(url, schemes[i].name, n))
			continue;
		if (!(u->scheme = rt_strdup(schemes[i].scheme)))
			return rt_error(err, RETORT_ERROR, "out of memory");
		return schemes[i].file ? rt_url_parse_file(u, rest, base_dir, err)
				       : rt_url_parse_server(u, rest, err);
	}
	return rt_error(err, RETORT_EINVALID,
			"unsupported database URL '%s': expected sqlite:// or postgresql://",
			u->masked);
}

int rt_url_parse(rt_url *out, const char *url, const char *base_dir, rt_buf *err)
{
	rt_buf masked = RT_BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	/*
	 * Masked with guessing even when the URL parses: "u:123/abc@h/db" is
	 * a valid URL to libpq (host "u", port 123, database "abc@h/db"),
	 * but most likely a password with a literal '/'.  An '@' in a
	 * database name or a parameter is rarer than that mistake, and
	 * showing too little is the safe side.
	 */
	rt_mask_url(&masked, url);
	if (rt_buf_oom(&masked) || !(out->masked = rt_buf_detach(&masked)))
		return rt_error(err, RETORT_ERROR, "out of memory");
	if ((rc = parse(out, url, base_dir, err)) < 0)
		rt_url_release(out);
	return rc;
}
