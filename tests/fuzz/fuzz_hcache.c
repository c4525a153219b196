/*
 * fuzz_hcache.c - libFuzzer target for the header cache's file parser.
 *
 * A cache file starts with the SHA-256 of the rest, which random bytes
 * never match; so the input is taken as the part after the first line,
 * and the target puts a correct first line in front of it (and, with an
 * odd first byte, also tries the bytes exactly as they came).  The parser
 * must not crash or read past the data (the buffers are exactly its size,
 * for ASan), and a file it accepts must be of the folder asked for.
 */
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIR "/fuzz/versions"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	static const char magic[] = "retort-hcache 2 ";
	uint8_t md[SHA256_DIGEST_SIZE];
	struct sha256_ctx sha;
	size_t head = sizeof(magic) - 1 + 2 * SHA256_DIGEST_SIZE + 1, i;
	char *file;
	long n;

	if (size && (data[0] & 1)) {
		/* as it came: a copy, so that reading past the end is caught */
		char *raw = malloc(size);
		if (!raw)
			return 0;
		memcpy(raw, data, size);
		(void)rt_hcache_check(raw, size, DIR);
		free(raw);
	}
	if (!(file = malloc(head + size)))
		return 0;
	sha256_init(&sha);
	sha256_update(&sha, size, data);
	sha256_digest(&sha, sizeof(md), md);
	memcpy(file, magic, sizeof(magic) - 1);
	for (i = 0; i < sizeof(md); i++) {
		file[sizeof(magic) - 1 + 2 * i] = hex[md[i] >> 4];
		file[sizeof(magic) - 1 + 2 * i + 1] = hex[md[i] & 15];
	}
	file[head - 1] = '\n';
	memcpy(file + head, data, size);
	n = rt_hcache_check(file, head + size, DIR);
	/* an accepted file names its folder on its first line after the sum */
	if (n >= 0 && (size < sizeof(DIR) || memcmp(data, DIR "\n", sizeof(DIR))))
		abort();
	free(file);
	return 0;
}
