// SPDX-License-Identifier: MIT
/*
 * Unit tests of util/u64json.c: counters at and past 2^63 written
 * exactly and read back through jansson's text, and every value the
 * reader refuses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/u64json.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

/* @v written, dumped to text, loaded and read back. */
static uint64_t round_trip(uint64_t v, char *text, size_t len)
{
	json_t *o = json_pack("{s:o}", "n", u64_to_json(v)), *back;
	uint64_t got = 0;
	char *s;

	assert_non_null(o);
	s = json_dumps(o, JSON_COMPACT);
	assert_non_null(s);
	snprintf(text, len, "%s", s);
	back = json_loads(s, 0, NULL);
	assert_non_null(back);
	assert_int_equal(u64_from_json(json_object_get(back, "n"), &got), 0);
	free(s);
	json_decref(back);
	json_decref(o);
	return got;
}

TEST(test_round_trip)
{
	static const struct {
		uint64_t v;
		const char *text;
	} cases[] = {
		{0, "{\"n\":0}"},
		{1, "{\"n\":1}"},
		{INT64_MAX, "{\"n\":9223372036854775807}"},
		{(uint64_t)INT64_MAX + 1, "{\"n\":\"9223372036854775808\"}"},
		{UINT64_MAX - 1, "{\"n\":\"18446744073709551614\"}"},
		{UINT64_MAX, "{\"n\":\"18446744073709551615\"}"},
	};
	char text[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(round_trip(cases[i].v, text, sizeof(text)) == cases[i].v);
		assert_string_equal(text, cases[i].text);
	}
}

/* What the reader refuses, and that it leaves the output alone. */
TEST(test_refused)
{
	static const char *const bad[] = {
		"",
		"-1",
		"+9223372036854775808",
		" 9223372036854775808",
		"9223372036854775808 ",
		"0",
		"5",
		"9223372036854775807",
		"09223372036854775808",
		"18446744073709551616",
		"1e19",
		"0x8000000000000000",
		"99999999999999999999999",
	};
	uint64_t out = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *v = json_string(bad[i]);

		assert_int_equal(u64_from_json(v, &out), -EINVAL);
		json_decref(v);
	}
	/* a NUL inside the string */
	{
		json_t *v = json_stringn("9223372036854775808\0"
					 "1",
					 21);

		assert_int_equal(u64_from_json(v, &out), -EINVAL);
		json_decref(v);
	}
	{
		json_t *v[] = {json_integer(-1), json_integer(INT64_MIN),
			       json_real(1e19),	 json_real(5.0),
			       json_true(),	 json_null(),
			       json_object()};

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			assert_int_equal(u64_from_json(v[i], &out), -EINVAL);
			json_decref(v[i]);
		}
	}
	assert_int_equal(u64_from_json(NULL, &out), -EINVAL);
	assert_true(out == 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
