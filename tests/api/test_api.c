/*
 * test_api.c - libretort as a program sees it: this test includes only
 * retort.h and links the shared library, so it can call nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "retort.h"

static void version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", RETORT_VERSION_MAJOR, RETORT_VERSION_MINOR,
		 RETORT_VERSION_PATCH);
	assert_string_equal(RETORT_VERSION, want);
	assert_string_equal(retort_version(), want);
	assert_int_equal(retort_version_number(), RETORT_VERSION_NUMBER);
	assert_int_equal(RETORT_VERSION_NUMBER, RETORT_VERSION_MAJOR * 10000 +
			 RETORT_VERSION_MINOR * 100 + RETORT_VERSION_PATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
