/*
 * rt_test.h - what every cmocka unit test includes: cmocka itself and
 * assertions that print the library's error message when they fail.
 */
#ifndef RT_TEST_H
#define RT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rt.h"

/* An internal call that takes an rt_buf *err must succeed. */
#define assert_rt_ok_err(expr, errbuf) do { \
	int rt_test_rc_ = (expr); \
	if (rt_test_rc_ < 0) \
		fail_msg("%s failed with %d: %s", #expr, rt_test_rc_, (errbuf)->ptr); \
} while (0)

/* A public API call must succeed; prints retort_errmsg(ctx) if not. */
#define assert_rt_ok(expr, ctx) do { \
	int rt_test_rc_ = (expr); \
	if (rt_test_rc_ < 0) \
		fail_msg("%s failed with %d: %s", #expr, rt_test_rc_, retort_errmsg(ctx)); \
} while (0)

/* A call must fail with `code`. */
#define assert_rt_fails(expr, code) assert_int_equal((expr), (code))

#endif
