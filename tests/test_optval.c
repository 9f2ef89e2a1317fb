// SPDX-License-Identifier: MIT
/*
 * Unit tests of the option value parsers (util/optval.c): valid values,
 * each bound and one past it, every kind of malformed input the parsers
 * refuse (signs, spaces, hex, octal-looking, nan, inf, exponents, empty
 * items, repeats, reversed ranges, items past the limit, too many items),
 * that a refused value writes nothing, and the option name an invalid
 * value is reported under, after a real getopt_long() on a test argv.
 */
#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/optval.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

#define SENTINEL (-7)

/* Parses @s with room for @max items and checks the result against @want
 * (@n items), or -EINVAL when @n is -EINVAL; nothing is written past @max
 * (a refused list may have written items before it). */
static void check_list(const char *s, int max, int limit, int n, const int *want)
{
	int out[64];

	assert_true(max < 64);
	for (int i = 0; i < 64; i++)
		out[i] = SENTINEL;
	if (n != xdpi_parse_list(s, out, max, limit))
		fail_msg("list \"%s\" (max %d, limit %d): got %d, want %d", s, max, limit,
			 xdpi_parse_list(s, out, max, limit), n);
	EQ(out[max], SENTINEL);
	for (int i = 0; i < n; i++)
		EQ(out[i], want[i]);
}

#define LIST_OK(s, max, limit, ...)                                                     \
	do {                                                                            \
		static const int w_[] = {__VA_ARGS__};                                  \
		check_list((s), (max), (limit), (int)(sizeof(w_) / sizeof(w_[0])), w_); \
	} while (0)
#define LIST_BAD(s, max, limit) check_list((s), (max), (limit), -EINVAL, NULL)

TEST(test_list_valid)
{
	LIST_OK("0", 8, 8, 0);
	LIST_OK("5", 8, 8, 5);
	LIST_OK("0,2,4-7", 8, 8, 0, 2, 4, 5, 6, 7);
	LIST_OK("3-3", 8, 8, 3);
	LIST_OK("7,1", 8, 8, 7, 1); /* order kept */
	LIST_OK("6-7,0-1", 8, 8, 6, 7, 0, 1);
	LIST_OK("010", 16, 16, 10); /* decimal, not octal 8 */
	LIST_OK("00", 8, 8, 0);
	LIST_OK("1023", 1, 1024, 1023);
}

TEST(test_list_bounds)
{
	/* items below @limit */
	LIST_OK("7", 8, 8, 7);
	LIST_BAD("8", 8, 8);
	LIST_BAD("9", 8, 8);
	LIST_OK("0-7", 8, 8, 0, 1, 2, 3, 4, 5, 6, 7);
	LIST_BAD("0-8", 8, 8);
	LIST_BAD("7-8", 8, 8);
	LIST_BAD("1,8", 8, 8);
	LIST_BAD("0", 8, 0); /* nothing is below 0 */
	/* at most @max items */
	LIST_OK("0,1,2", 3, 8, 0, 1, 2);
	LIST_BAD("0,1,2,3", 3, 8);
	LIST_OK("0-2", 3, 8, 0, 1, 2);
	LIST_BAD("0-3", 3, 8);
	LIST_BAD("0-1,5-6", 3, 8);
	LIST_OK("4", 1, 8, 4);
	LIST_BAD("4,5", 1, 8);
	/* numbers past long and int */
	LIST_BAD("2147483647", 8, 8);
	LIST_BAD("2147483648", 8, 2147483647);
	LIST_BAD("99999999999999999999", 8, 2147483647);
	LIST_BAD("0-99999999999999999999", 3, 2147483647);
}

TEST(test_list_malformed)
{
	static const char *const bad[] = {
		"",    ",",	"1,",	 ",1",	    "1,,2",		    /* empty items */
		" 1",  "1 ",	"1, 2",	 "1 ,2",    "1- 2",  "\t1", "1\n",  /* spaces */
		"+1",  "-1",	"1-+2",	 "1--2",    "-",     "1-",  "-1-2", /* signs, open ranges */
		"3-1", "7-0",	"2-1",	 "5,2-1",   "1-0,5",		    /* reversed ranges */
		"1,1", "0-3,2", "2,0-3", "1-2,2-3",			    /* repeats */
		"0x1", "0x10",	"1e2",	 "1.5",	    "1.",    "nan", "inf",  "a", "1-2-3", "1;2",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		LIST_BAD(bad[i], 16, 16);
}

static void u32_ok(const char *s, uint32_t min, uint32_t max, uint32_t want)
{
	uint32_t v = 12345;

	if (xdpi_parse_u32(s, min, max, &v) != 0)
		fail_msg("u32 \"%s\" [%u, %u] refused", s, min, max);
	EQ(v, want);
}

static void u32_bad(const char *s, uint32_t min, uint32_t max)
{
	uint32_t v = 12345;

	if (xdpi_parse_u32(s, min, max, &v) != -EINVAL)
		fail_msg("u32 \"%s\" [%u, %u] accepted", s, min, max);
	EQ(v, 12345);
}

TEST(test_u32)
{
	static const char *const bad[] = {
		"",    "+1",  "-1",  "-0", " 1", "1 ",	  "\t1", "0x10", "0X10", "1e3",
		"nan", "inf", "1.0", "1.", ".5", "1,000", "1_0", "one",	 "1-2",
	};

	u32_ok("0", 0, 10, 0);
	u32_ok("5", 0, 10, 5);
	u32_ok("010", 0, 100, 10); /* decimal, not octal 8 */
	u32_ok("0000000010", 0, 100, 10);
	/* [1, 4096] */
	u32_ok("1", 1, 4096, 1);
	u32_bad("0", 1, 4096);
	u32_ok("4096", 1, 4096, 4096);
	u32_bad("4097", 1, 4096);
	u32_ok("7", 7, 7, 7);
	u32_bad("6", 7, 7);
	u32_bad("8", 7, 7);
	/* the type's own bound */
	u32_ok("4294967295", 0, UINT32_MAX, UINT32_MAX);
	u32_bad("4294967296", 0, UINT32_MAX);
	u32_bad("9999999999", 0, UINT32_MAX);
	u32_bad("04294967295", 0, UINT32_MAX); /* 11 digits */
	u32_bad("18446744073709551616", 0, UINT32_MAX);
	u32_bad("99999999999999999999999", 0, UINT32_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		u32_bad(bad[i], 0, UINT32_MAX);
}

static void seconds_ok(const char *s, double want)
{
	double v = -1;

	if (xdpi_parse_seconds(s, &v) != 0)
		fail_msg("seconds \"%s\" refused", s);
	if (v != want)
		fail_msg("seconds \"%s\": %g, want %g", s, v, want);
}

static void seconds_bad(const char *s)
{
	double v = -1;

	if (xdpi_parse_seconds(s, &v) != -EINVAL)
		fail_msg("seconds \"%s\" accepted as %g", s, v);
	if (v != -1)
		fail_msg("seconds \"%s\" refused but wrote %g", s, v);
}

TEST(test_seconds)
{
	static const char *const bad[] = {
		"",    ".",    "..",   "1.2.3", "1..2", "+1",	    "-1",      "-0",
		" 1",  "1 ",   "1 s",  "1s",	"\t1",	"0x10",	    "0x1p-60", "0X1P-60",
		"nan", "NaN",  "-nan", "inf",	"INF",	"infinity", "1e-13",   "1E-13",
		"1e3", "1e+3", "1,5",  "1/2",	"one",
	};
	char tiny[512], huge[512];

	seconds_ok("0", 0);
	seconds_ok("0.0", 0);
	seconds_ok("000", 0);
	seconds_ok("10", 10);
	seconds_ok("010", 10); /* decimal */
	seconds_ok("0.5", 0.5);
	seconds_ok(".5", 0.5);
	seconds_ok("1.", 1);
	seconds_ok("2.25", 2.25);
	/* at least a millisecond, at most 10^7 s */
	seconds_ok("0.001", 0.001);
	seconds_bad("0.0009");
	seconds_bad("0.000999");
	seconds_bad("0.0000000000001"); /* 1e-13 written out */
	seconds_ok("10000000", 1e7);
	seconds_ok("10000000.0", 1e7);
	seconds_bad("10000000.5");
	seconds_bad("10000001");
	/* past what a double holds: 1 and 400 zeros is inf, 0.(400 zeros)1
	 * reads as 0, which would mean "off" */
	memset(huge, '0', sizeof(huge));
	huge[0] = '1';
	huge[401] = '\0';
	seconds_bad(huge);
	memset(tiny, '0', sizeof(tiny));
	tiny[1] = '.';
	tiny[402] = '1';
	tiny[403] = '\0';
	seconds_bad(tiny);
	tiny[402] = '0'; /* and 0.(401 zeros) is 0 */
	seconds_ok(tiny, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		seconds_bad(bad[i]);
}

TEST(test_choice)
{
	static const char *const names[] = {"auto", "native", "skb"};

	EQ(xdpi_parse_choice("auto", names, 3), 0);
	EQ(xdpi_parse_choice("native", names, 3), 1);
	EQ(xdpi_parse_choice("skb", names, 3), 2);
	EQ(xdpi_parse_choice("skb", names, 2), -EINVAL); /* only the first n */
	EQ(xdpi_parse_choice("", names, 3), -EINVAL);
	EQ(xdpi_parse_choice("AUTO", names, 3), -EINVAL);
	EQ(xdpi_parse_choice("nat", names, 3), -EINVAL); /* no prefixes */
	EQ(xdpi_parse_choice("natives", names, 3), -EINVAL);
	EQ(xdpi_parse_choice("auto ", names, 3), -EINVAL);
	EQ(xdpi_parse_choice(" auto", names, 3), -EINVAL);
	EQ(xdpi_parse_choice("1", names, 3), -EINVAL);
	EQ(xdpi_parse_choice("auto", names, 0), -EINVAL);
}

/* Parses @s as a choice list of names[1..] into at most 3 entries, with a
 * guard after them, and checks the result against @want (@n entries, or
 * -EINVAL). */
static void check_choices(const char *s, int n, const int *want)
{
	static const char *const names[] = {"auto", "busy-poll", "threaded", "sender"};
	int out[4] = {-1, -1, -1, -1};

	EQ(xdpi_parse_choice_list(s, names, 4, 1, out, 3), n);
	for (int i = 0; i < n; i++)
		EQ(out[i], want[i]);
	EQ(out[3], -1); /* nothing written past @max */
}

TEST(test_choice_list)
{
	check_choices("busy-poll", 1, (int[]){1});
	check_choices("sender,busy-poll", 2, (int[]){3, 1});
	check_choices("threaded,sender,busy-poll", 3, (int[]){2, 3, 1});
	/* strtok() would take each of these for a shorter valid list */
	check_choices("busy-poll,,sender", -EINVAL, NULL);
	check_choices("busy-poll,", -EINVAL, NULL);
	check_choices(",busy-poll", -EINVAL, NULL);
	check_choices(",", -EINVAL, NULL);
	check_choices("", -EINVAL, NULL);
	/* below @first, repeated, one too many, prefixes, blanks, case */
	check_choices("auto", -EINVAL, NULL);
	check_choices("sender,auto", -EINVAL, NULL);
	check_choices("sender,sender", -EINVAL, NULL);
	check_choices("busy-poll,threaded,sender,busy-poll", -EINVAL, NULL);
	check_choices("busy", -EINVAL, NULL);
	check_choices("senders", -EINVAL, NULL);
	check_choices("sender ,threaded", -EINVAL, NULL);
	check_choices(" sender", -EINVAL, NULL);
	check_choices("Sender", -EINVAL, NULL);
}

/* Runs getopt_long() over @argv as a subcommand does and returns the name
 * xdpi_opt_name() gives the value of -s/--size. */
static const char *opt_name_for(char **argv)
{
	static const struct option opts[] = {
		{"size", required_argument, NULL, 's'},
		{"verbose", no_argument, NULL, 'v'},
		{0},
	};
	int argc = 0, c;

	while (argv[argc])
		argc++;
	optind = 0; /* glibc: start over */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:v", opts, NULL)) != -1)
		if (c == 's')
			return xdpi_opt_name(argv, optarg);
	fail_msg("getopt_long() never returned -s");
	return NULL;
}

#define NAME_IS(want, ...)                                      \
	do {                                                    \
		char *argv_[] = {"xdpi", __VA_ARGS__, NULL};    \
		assert_string_equal(opt_name_for(argv_), want); \
	} while (0)

TEST(test_opt_name)
{
	NAME_IS("--size", "--size", "10");
	NAME_IS("--size", "--size=10");
	NAME_IS("--size", "--size=");
	NAME_IS("--size", "--size=a=b");
	NAME_IS("-s", "-s", "10");
	NAME_IS("-s", "-s10");
	NAME_IS("-s", "-s=10"); /* the value is "=10" */
	NAME_IS("-s", "-vs10");
	NAME_IS("-s", "-vs", "10");
	/* abbreviations are named as typed */
	NAME_IS("--si", "--si", "10");
	NAME_IS("--si", "--si=10");
	/* other words around it */
	NAME_IS("--size", "-v", "--size", "10");
	NAME_IS("--size", "--verbose", "--size=10", "eth0");
	NAME_IS("--size", "eth0", "--size", "10");
	NAME_IS("-s", "eth0", "-v", "-s", "10", "eth1");
	NAME_IS("-s", "eth0", "-s10");
	/* a value that looks like an option */
	NAME_IS("--size", "--size", "--size");
	NAME_IS("-s", "-s", "-s");
	NAME_IS("-s", "-s", "--size=1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_valid),     cmocka_unit_test(test_list_bounds),
		cmocka_unit_test(test_list_malformed), cmocka_unit_test(test_u32),
		cmocka_unit_test(test_seconds),	       cmocka_unit_test(test_choice),
		cmocka_unit_test(test_choice_list),    cmocka_unit_test(test_opt_name),
	};

	return cmocka_run_group_tests_name("optval", tests, NULL, NULL);
}
