/*
 * fuzz_tenants.c - libFuzzer target for the fleet's tenants file
 * (`retort fleet --tenants FILE`: "NAME URL" lines, '#' comments, ${VAR}
 * in URLs).  Any bytes: no crash, and every tenant read has a name and a
 * URL without blanks at either end of the name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "retort.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[] = "/tmp/retort-fuzz-tenants.XXXXXX";
	static retort *ctx;
	retort_tenant_list list;
	size_t i;
	FILE *f;

	if (!ctx) {
		retort_options o = RETORT_OPTIONS_INIT;
		int fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		o.config_optional = 1;
		o.start_dir = "/";
		if (retort_new(&ctx) < 0 || retort_open(ctx, &o) < 0)
			abort();
	}
	if (!(f = fopen(path, "wb")))
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (retort_fleet_tenants(&list, ctx, path, NULL) < 0)
		return 0;
	for (i = 0; i < list.count; i++) {
		const char *name = list.tenants[i].name;
		if (!name || !*name || !list.tenants[i].url || strchr(name, ' ') || strchr(name, '\t'))
			abort();
	}
	retort_tenant_list_release(&list);
	return 0;
}
