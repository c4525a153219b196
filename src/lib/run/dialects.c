/*
 * dialects.c - the dialects a project deploys to (the `dialects` key of
 * retort.ini and the URL's), which `retort lint` checks plain sections
 * against and `retort test` runs the migrations on.
 */
#include <string.h>

#include "ctx.h"

int rt_ctx_dialects(unsigned *out, retort *ctx)
{
	const char *listed = rt_config_get(&ctx->cfg, "retort", "dialects");
	const char *ini = ctx->cfg.path ? ctx->cfg.path : "retort.ini";
	rt_strlist words = { 0 };
	rt_buf names = RT_BUF_INIT;
	const rt_driver *d;
	rt_url url;
	size_t i, k;
	int rc = 0;

	*out = 0;
	if (listed && rt_strlist_split(&words, listed) < 0)
		return rt_ctx_error(ctx, RETORT_ERROR, "out of memory");
	for (i = 0; i < words.count; i++) {
		const char *word = words.items[i], *name = rt_dialect_canonical(word);

		for (k = 0; (d = rt_driver_at(k)) != NULL; k++)
			if (name && !strcmp(d->name, name))
				break;
		if (d) {
			*out |= 1u << k;
			continue;
		}
		if (name) {
			rc = rt_ctx_error(ctx, RETORT_ECONFIG, "%s: dialects: '%s' is not built into "
					  "this retort", ini, word);
			goto done;
		}
		for (k = 0; (d = rt_driver_at(k)) != NULL; k++)
			rt_buf_printf(&names, "%s%s", k ? ", " : "", d->name);
		rc = rt_ctx_error(ctx, RETORT_ECONFIG, "%s: dialects: unknown dialect '%s' (%s)", ini,
				  word, names.ptr);
		goto done;
	}
	/* lint works without a URL: then the list alone */
	if (rt_ctx_url(&url, ctx) == 0) {
		for (k = 0; (d = rt_driver_at(k)) != NULL; k++)
			if (!strcmp(d->scheme, url.scheme))
				*out |= 1u << k;
	}
	rt_url_release(&url);
	rt_buf_clear(&ctx->err);
done:
	rt_strlist_release(&words);
	rt_buf_release(&names);
	return rc;
}
