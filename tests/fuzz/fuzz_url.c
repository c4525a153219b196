/*
 * fuzz_url.c - libFuzzer target for database URLs and password masking.
 *
 * Odd first byte: any bytes go to rt_url_parse() and rt_mask_secrets(),
 * which must not crash, and a URL that parses must make sense.
 * Even first byte: the bytes build "SCHEME://USER:PASSWORD@REST" around a
 * marked password with any characters but '@' in it ('/', '?', spaces,
 * '%' ...); the marker must then show neither in `masked`, nor in an error
 * message, nor in rt_mask_secrets()'s output when that can know it is a
 * password (a "://" before it, and no whitespace in it, which free text
 * cannot tell from the end of the URL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define MARKER "S3CR3T"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parsed(const rt_url *u)
{
	if (!u->masked || !u->scheme)
		abort();
	if (strcmp(u->scheme, "sqlite") && strcmp(u->scheme, "postgresql"))
		abort();
	if (!strcmp(u->scheme, "sqlite") && (u->memory ? u->path != NULL : u->path[0] != '/'))
		abort();
	if (u->nparams && !u->params)
		abort();
}

static void raw(const char *text)
{
	rt_url u;
	rt_buf err = RT_BUF_INIT, masked = RT_BUF_INIT;

	if (rt_url_parse(&u, text, "/base", &err) == 0) {
		check_parsed(&u);
		/* an empty password is not shown as *** */
		if (u.password && !strstr(u.masked, "***"))
			abort();
		rt_url_release(&u);
	} else if (!err.len) {
		abort();
	}
	rt_mask_secrets(&masked, text);
	if (rt_buf_oom(&masked))
		abort();
	rt_buf_release(&masked);
	rt_buf_release(&err);
}

static const char *const schemes[] = {
	"postgresql://", "postgres://", "postgresql+asyncpg://", "sqlite://", "mysql://",
	"postgresql:/", "postgresql//", "", "postgresql:", "http://",
};

/* Take bytes up to the next 0xff; drop those `bad` forbids. */
static void take(rt_buf *out, const uint8_t **p, const uint8_t *end, const char *bad)
{
	while (*p < end && **p != 0xff) {
		char c = (char)**p;

		if (c && !strchr(bad, c))
			rt_buf_putc(out, c);
		(*p)++;
	}
	if (*p < end)
		(*p)++;
}

static void structured(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size;
	rt_buf url = RT_BUF_INIT, user = RT_BUF_INIT, secret = RT_BUF_INIT, rest = RT_BUF_INIT;
	rt_buf err = RT_BUF_INIT, masked = RT_BUF_INIT;
	rt_url u;

	const char *scheme = schemes[(data[0] >> 1) % (sizeof(schemes) / sizeof(schemes[0]))];

	rt_buf_puts(&url, scheme);
	take(&user, &p, end, ":/?@ \t\r\n\f\v");
	take(&secret, &p, end, "@");
	take(&rest, &p, end, "");
	if (strstr(user.ptr, MARKER) || strstr(rest.ptr, MARKER))
		goto done;
	/* "user" + "://..." is a scheme and an authority: no password there */
	if (!scheme[0] && !strncmp(secret.ptr, "//", 2))
		goto done;
	rt_buf_printf(&url, "%s:%s" MARKER "%s@%s", user.ptr, secret.ptr, secret.ptr, rest.ptr);
	if (rt_buf_oom(&url))
		goto done;

	if (rt_url_parse(&u, url.ptr, "/base", &err) == 0) {
		check_parsed(&u);
		if (strstr(u.masked, MARKER))
			abort();
		rt_url_release(&u);
	} else if (strstr(err.ptr, MARKER) || !err.len) {
		abort();
	}
	/* free text: only scheme://, and a password without whitespace */
	if (strstr(scheme, "://") && !strpbrk(secret.ptr, " \t\r\n\f\v")) {
		rt_mask_secrets(&masked, url.ptr);
		if (strstr(masked.ptr, MARKER))
			abort();
	}
done:
	rt_buf_release(&url);
	rt_buf_release(&user);
	rt_buf_release(&secret);
	rt_buf_release(&rest);
	rt_buf_release(&err);
	rt_buf_release(&masked);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (!size)
		return 0;
	if (!(data[0] & 1)) {
		structured(data, size);
		return 0;
	}
	if (!(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	raw(text);
	free(text);
	return 0;
}
