// SPDX-License-Identifier: MIT
/*
 * Unit tests of the option descriptor tables (util/opttab.c), on a table
 * of every type written here: the getopt tables it derives (and a real
 * getopt_long() over them), the defaults, each type's parse with its
 * bounds and one past them, choices and lists, custom rows, the usage
 * error's valid values, --help's layout (columns, wrapping, defaults,
 * headings, hidden rows), the man section, the comparison row by row, and
 * that what opttab_write() writes parses back to an equal struct, at the
 * defaults and with every row changed. The expected values are written by
 * hand from the table, not taken from the code under test.
 */
#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/opttab.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

enum color { RED, GREEN, BLUE };

struct sub {
	double timeout;
	const char *path;
};

struct demo {
	bool on;
	bool busy; /* --no-busy */
	uint32_t batch;
	uint32_t ring;
	uint64_t count;
	double interval;
	double mbps; /* stored in bit/s */
	const char *name;
	const char *iface;
	int color; /* enum color */
	int dir;   /* 0 "auto" is not a value to give */
	int cpus[8];
	int ncpus;
	int odd; /* --odd: "x" repeated, stored as the count */
	struct sub sub;
};

static const char *const colors[] = {"red", "green", "blue"};
static const char *const dirs[] = {"auto", "in", "out"};

static int odd_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	int *p = (int *)(void *)((char *)obj + r->off);
	size_t n = strlen(arg);

	if (!n || strspn(arg, "x") != n)
		return -EINVAL;
	*p = (int)n;
	return 0;
}

static int odd_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	int n = *(const int *)(const void *)((const char *)obj + r->off);

	if (!n || (size_t)n >= len)
		return 0;
	memset(buf, 'x', (size_t)n);
	buf[n] = 0;
	return 1;
}

static int odd_explain(const char *arg, char *err, size_t len)
{
	snprintf(err, len, "only x, not '%s'", arg);
	return 1;
}

#define F(m) offsetof(struct demo, m)

static const struct opttab_row sub_rows[] = {
	{OPTTAB_GROUP, .name = "Sub (a table included):"},
	{OPTTAB_SECONDS, "timeout", .off = offsetof(struct sub, timeout), .def_d = 60,
	 .flags = OPTTAB_GT_MIN, .metavar = "SEC", .help = "idle this long ends it"},
	{OPTTAB_STRING, "path", .off = offsetof(struct sub, path), .metavar = "FILE",
	 .help = "where"},
	{OPTTAB_END},
};

static const struct opttab_row demo_rows[] = {
	{OPTTAB_GROUP, .name = "Main:"},
	{OPTTAB_FLAG, "on", 'o', .off = F(on), .help = "turn it on"},
	{OPTTAB_NOFLAG, "no-busy", .off = F(busy), .help = "do not busy-poll"},
	{OPTTAB_U32, "batch", 'b', .off = F(batch), .def_u = 64, .min = 1, .max = 4096,
	 .valid = "1..4096", .metavar = "N",
	 .help = "descriptors per batch, and a long text that has to wrap over the end of "
		 "the line at eighty columns"},
	{OPTTAB_U32, "ring", .off = F(ring), .def_u = 4096, .min = 4096, .max = 1u << 30,
	 .flags = OPTTAB_POW2 | OPTTAB_USER0, .metavar = "N", .help = "ring bytes"},
	{OPTTAB_U64, "count", 'c', .off = F(count), .min = 1, .def_doc = "no limit", .metavar = "N",
	 .help = "stop after N"},
	{OPTTAB_SECONDS, "interval", .off = F(interval), .def_d = 1, .fmax = 3600, .metavar = "S",
	 .help = "every S seconds"},
	{OPTTAB_SECONDS, "mbps", .off = F(mbps), .def_d = 1000, .scale = 1e6, .metavar = "N",
	 .help = "megabits"},
	{OPTTAB_STRING, "name", .off = F(name), .def_s = "x0", .flags = OPTTAB_NONEMPTY,
	 .metavar = "NAME", .help = "a name"},
	{OPTTAB_CHOICE, "color", .off = F(color), .def_u = GREEN, .choices = colors, .nchoices = 3,
	 .metavar = "C", .help = "a colour"},
	{OPTTAB_CHOICE, "dir", .off = F(dir), .choices = dirs, .nchoices = 3, .choice_first = 1,
	 .metavar = "D", .help = "a direction", .flags = OPTTAB_NO_DEFAULT},
	{OPTTAB_LIST, "cpus", .off = F(cpus), .off2 = F(ncpus), .max = 8, .limit = 64,
	 .metavar = "LIST", .help = "CPUs", .flags = OPTTAB_NO_CONFIG},
	{OPTTAB_CUSTOM, "odd", .off = F(odd), .parse = odd_parse, .fmt = odd_fmt,
	 .explain = odd_explain, .metavar = "XS", .help = "x's"},
	{OPTTAB_INCLUDE, .off = F(sub), .include = sub_rows},
	{OPTTAB_STRING, "interface", 'i', .off = F(iface), .flags = OPTTAB_POSITIONAL,
	 .metavar = "IFACE", .help = "the interface"},
	{OPTTAB_ACTION, "secret", .id = 0x2000, .flags = OPTTAB_HIDDEN, .help = "not shown"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};

static struct opttab tab;

static int setup(void **state __attribute__((unused)))
{
	return opttab_init(&tab, demo_rows);
}

static void defaults(struct demo *d)
{
	memset(d, 0x5a, sizeof(*d));
	opttab_defaults(&tab, d);
}

/* Parses @s (the option's getopt value by name) into @d. */
static int set(struct demo *d, const char *name, const char *arg)
{
	for (const struct option *lo = tab.longs; lo->name; lo++)
		if (!strcmp(lo->name, name))
			return opttab_parse_opt(&tab, d, lo->val, arg);
	fail_msg("no option %s", name);
	return 0;
}

TEST(test_getopt_tables)
{
	size_t n = 0;

	EQ(strcmp(tab.shorts, ":ob:c:i:h"), 0);
	for (const struct option *lo = tab.longs; lo->name; lo++)
		n++;
	EQ(n, 17); /* every option row, groups out */
	/* A real getopt_long() over the tables. */
	{
		char *argv[] = {"x",	 "-ob", "8",  "--no-busy", "--cpus=0-2", "--timeout", "2",
				"--odd", "xxx", "-i", "eth9",	   "--secret",	 NULL};
		struct demo d;
		int c, secret = 0;

		defaults(&d);
		optind = 1;
		opterr = 0;
		while ((c = getopt_long(12, argv, tab.shorts, tab.longs, NULL)) != -1) {
			if (c == 0x2000) {
				secret++;
				EQ(opttab_parse_opt(&tab, &d, c, optarg), 0); /* the command's */
				continue;
			}
			EQ(opttab_parse_opt(&tab, &d, c, optarg), 1);
		}
		EQ(secret, 1);
		assert_true(d.on);
		assert_false(d.busy);
		EQ(d.batch, 8);
		EQ(d.ncpus, 3);
		EQ(d.cpus[2], 2);
		assert_true(d.sub.timeout == 2);
		EQ(d.odd, 3);
		assert_string_equal(d.iface, "eth9");
	}
}

TEST(test_duplicates_refused)
{
	static const struct opttab_row dup_name[] = {
		{OPTTAB_FLAG, "a", .off = 0}, {OPTTAB_FLAG, "a", .off = 1}, {OPTTAB_END}};
	static const struct opttab_row dup_letter[] = {
		{OPTTAB_FLAG, "a", 'x'}, {OPTTAB_FLAG, "b", 'x'}, {OPTTAB_END}};
	struct opttab *t = malloc(sizeof(*t));

	assert_non_null(t);
	EQ(opttab_init(t, dup_name), -EINVAL);
	EQ(opttab_init(t, dup_letter), -EINVAL);
	free(t);
}

TEST(test_include_only)
{
	static const char *const pick[] = {"interval", "batch", NULL};
	static const struct opttab_row rows[] = {
		{OPTTAB_INCLUDE, .include = demo_rows, .only = pick},
		{OPTTAB_ACTION, "help", 'h'},
		{OPTTAB_END},
	};
	struct opttab *t = malloc(sizeof(*t));
	struct demo d;

	assert_non_null(t);
	EQ(opttab_init(t, rows), 0);
	EQ(t->n, 3); /* batch, interval (the table's order), help; no heading */
	assert_string_equal(t->ents[0].row->name, "batch");
	assert_string_equal(t->ents[1].row->name, "interval");
	EQ(strcmp(t->shorts, ":b:h"), 0);
	memset(&d, 0, sizeof(d));
	opttab_defaults(t, &d);
	EQ(d.batch, 64);
	assert_true(d.interval == 1);
	EQ(d.ring, 0); /* not picked: untouched */
	free(t);
}

TEST(test_defaults)
{
	struct demo d;

	defaults(&d);
	assert_false(d.on);
	assert_true(d.busy);
	EQ(d.batch, 64);
	EQ(d.ring, 4096);
	EQ(d.count, 0);
	assert_true(d.interval == 1);
	assert_true(d.mbps == 1e9);
	assert_string_equal(d.name, "x0");
	assert_null(d.iface);
	EQ(d.color, GREEN);
	EQ(d.dir, 0);
	EQ(d.ncpus, 0);
	assert_true(d.sub.timeout == 60);
	assert_null(d.sub.path);
}

TEST(test_ranges)
{
	struct demo d;

	defaults(&d);
	EQ(set(&d, "batch", "1"), 1);
	EQ(set(&d, "batch", "4096"), 1);
	EQ(set(&d, "batch", "0"), -EINVAL);
	EQ(set(&d, "batch", "4097"), -EINVAL);
	EQ(set(&d, "batch", "+5"), -EINVAL);
	EQ(d.batch, 4096); /* a refused value writes nothing */
	EQ(set(&d, "ring", "8192"), 1);
	EQ(set(&d, "ring", "12288"), -EINVAL); /* not a power of two */
	EQ(set(&d, "ring", "2048"), -EINVAL);
	EQ(d.ring, 8192);
	EQ(set(&d, "count", "9999999999999999999"), 1); /* 19 digits at most */
	EQ(set(&d, "count", "0"), -EINVAL);
	EQ(set(&d, "interval", "3600"), 1);
	EQ(set(&d, "interval", "3600.5"), -EINVAL);
	EQ(set(&d, "interval", "-1"), -EINVAL);
	EQ(set(&d, "timeout", "0"), -EINVAL); /* strictly more than 0 */
	EQ(set(&d, "timeout", "0.001"), 1);
	EQ(set(&d, "mbps", "2.5"), 1);
	assert_true(d.mbps == 2.5e6);
	EQ(set(&d, "name", ""), -EINVAL);
	EQ(set(&d, "path", ""), 1); /* no OPTTAB_NONEMPTY */
}

TEST(test_choices)
{
	struct demo d;
	char err[128];

	defaults(&d);
	EQ(set(&d, "color", "blue"), 1);
	EQ(d.color, BLUE);
	EQ(set(&d, "color", "Blue"), -EINVAL);
	EQ(set(&d, "dir", "out"), 1);
	EQ(d.dir, 2);
	EQ(set(&d, "dir", "auto"), -EINVAL); /* before choice_first */
	EQ(d.dir, 2);
	EQ(opttab_explain(&tab, opttab_key(&tab, "dir", NULL)->val, "x", err, sizeof(err)), 1);
	assert_string_equal(err, "in, out");
	EQ(opttab_explain(&tab, opttab_key(&tab, "color", NULL)->val, "x", err, sizeof(err)), 1);
	assert_string_equal(err, "red, green, blue");
	EQ(opttab_explain(&tab, 'b', "0", err, sizeof(err)), 1);
	assert_string_equal(err, "1..4096");
	EQ(opttab_explain(&tab, opttab_key(&tab, "odd", NULL)->val, "y", err, sizeof(err)), 1);
	assert_string_equal(err, "only x, not 'y'");
	EQ(opttab_explain(&tab, opttab_key(&tab, "mbps", NULL)->val, "y", err, sizeof(err)), 0);
	EQ(opttab_explain(&tab, 'z', "y", err, sizeof(err)), 0);
}

TEST(test_lists)
{
	struct demo d;

	defaults(&d);
	EQ(set(&d, "cpus", "0,2,4-6"), 1);
	EQ(d.ncpus, 5);
	EQ(d.cpus[0], 0);
	EQ(d.cpus[1], 2);
	EQ(d.cpus[4], 6);
	EQ(set(&d, "cpus", "1,1"), -EINVAL);
	EQ(set(&d, "cpus", "0-8"), -EINVAL);   /* nine values, room for eight */
	EQ(set(&d, "cpus", "63,64"), -EINVAL); /* 64 is the limit */
	EQ(set(&d, "cpus", "3-"), -EINVAL);
	EQ(d.ncpus, 5);
}

TEST(test_keys)
{
	size_t i = 99;

	assert_non_null(opttab_key(&tab, "batch", &i));
	EQ(i, 3);					    /* the group row counts */
	assert_non_null(opttab_key(&tab, "timeout", NULL)); /* included */
	assert_null(opttab_key(&tab, "cpus", NULL));	    /* OPTTAB_NO_CONFIG */
	assert_null(opttab_key(&tab, "help", NULL));	    /* an action */
	assert_null(opttab_key(&tab, "Main:", NULL));	    /* a heading */
	assert_null(opttab_key(&tab, "nope", NULL));
}

static char *capture(void (*fn)(const struct opttab *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(&tab, f);
	fclose(f);
	return buf;
}

TEST(test_help_layout)
{
	static const char want[] =
		"Main:\n"
		"  -o, --on              turn it on\n"
		"      --no-busy         do not busy-poll\n"
		"  -b, --batch N         descriptors per batch, and a long text that has to wrap\n"
		"                        over the end of the line at eighty columns (default 64)\n"
		"      --ring N          ring bytes (default 4096)\n"
		"  -c, --count N         stop after N (default: no limit)\n"
		"      --interval S      every S seconds (default 1)\n"
		"      --mbps N          megabits (default 1000)\n"
		"      --name NAME       a name (default x0)\n"
		"      --color C         a colour (default green)\n"
		"      --dir D           a direction\n"
		"      --cpus LIST       CPUs\n"
		"      --odd XS          x's\n"
		"Sub (a table included):\n"
		"      --timeout SEC     idle this long ends it (default 60)\n"
		"      --path FILE       where\n"
		"  -i, --interface IFACE\n"
		"                        the interface\n"
		"  -h, --help            this text\n";
	char *got = capture(opttab_help);

	assert_string_equal(got, want);
	free(got);
}

TEST(test_man_section)
{
	char *got = capture(opttab_man);

	assert_non_null(strstr(got, "## MAIN\n\n*-o*, *--on*\n\tturn it on\n\n"));
	assert_non_null(strstr(got, "*-b*, *--batch* _N_\n\tdescriptors per batch"));
	assert_non_null(strstr(got, "## SUB\n\n*--timeout* _SEC_\n\tidle this long ends it "
				    "(default 60)\n\n"));
	assert_non_null(strstr(got, "*--odd* _XS_\n\tx's\n\n"));
	assert_null(strstr(got, "secret")); /* hidden */
	free(got);
}

struct names {
	char s[512];
};

static void collect(void *ctx, const char *name)
{
	struct names *n = ctx;

	strcat(n->s, name);
	strcat(n->s, " ");
}

TEST(test_diff)
{
	struct demo a, b;
	struct names n = {""};

	defaults(&a);
	defaults(&b);
	opttab_diff(&tab, &a, &b, collect, &n);
	assert_string_equal(n.s, "");
	EQ(set(&b, "no-busy", NULL), 1);
	EQ(set(&b, "cpus", "1"), 1);
	EQ(set(&b, "timeout", "5"), 1);
	EQ(set(&b, "odd", "x"), 1);
	EQ(set(&b, "interface", "eth0"), 1);
	b.cpus[5] = 77; /* past the count: not a difference */
	opttab_diff(&tab, &a, &b, collect, &n);
	assert_string_equal(n.s, "no-busy cpus odd timeout interface ");
}

struct argv {
	char *v[64];
	int n;
	char joined[1024];
};

static void push(void *ctx, const char *arg)
{
	struct argv *a = ctx;

	assert_true(a->n < 62);
	a->v[++a->n] = strdup(arg);
	strcat(a->joined, " ");
	strcat(a->joined, arg);
}

/* Writes @in back, parses that with getopt_long(), compares. */
static void round_trip(const struct demo *in, unsigned always, const char *want)
{
	struct argv a = {.v = {"x"}};
	struct demo out;
	struct names n = {""};
	int c;

	opttab_write(&tab, in, always, push, &a);
	if (want)
		assert_string_equal(a.joined, want);
	defaults(&out);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(a.n + 1, a.v, tab.shorts, tab.longs, NULL)) != -1)
		EQ(opttab_parse_opt(&tab, &out, c, optarg), 1);
	if (optind < a.n + 1)
		EQ(opttab_parse_opt(&tab, &out, 'i', a.v[optind]), 1);
	opttab_diff(&tab, in, &out, collect, &n);
	assert_string_equal(n.s, "");
	for (int i = 1; i <= a.n; i++)
		free(a.v[i]);
}

TEST(test_write_back)
{
	struct demo d;

	defaults(&d);
	round_trip(&d, 0, "");
	round_trip(&d, OPTTAB_USER0, " --ring 4096"); /* @always */
	EQ(set(&d, "on", NULL), 1);
	EQ(set(&d, "no-busy", NULL), 1);
	EQ(set(&d, "batch", "8"), 1);
	EQ(set(&d, "count", "12"), 1);
	EQ(set(&d, "interval", "0.25"), 1);
	EQ(set(&d, "mbps", "2.5"), 1);
	EQ(set(&d, "name", "n"), 1);
	EQ(set(&d, "color", "red"), 1);
	EQ(set(&d, "dir", "in"), 1);
	EQ(set(&d, "cpus", "0-3,5,7"), 1);
	EQ(set(&d, "odd", "xx"), 1);
	EQ(set(&d, "timeout", "1.5"), 1);
	EQ(set(&d, "path", "/tmp/a b"), 1);
	EQ(set(&d, "interface", "-eth"), 1);
	round_trip(&d, 0,
		   " --on --no-busy --batch 8 --count 12 --interval 0.25 --mbps 2.5 --name n"
		   " --color red --dir in --cpus 0-3,5,7 --odd xx --timeout 1.5 --path /tmp/a b"
		   " -- -eth");
}

/* OPTTAB_OBJ_DEFAULT: the struct's owner sets the default (a memset-and-
 * assign function elsewhere); opttab_defaults() leaves the field, and
 * --help and the man page show the value of the object they are given. */
struct owned {
	uint32_t size;
	uint32_t own;
};

static const struct opttab_row owned_rows[] = {
	{OPTTAB_U32, "size", .off = offsetof(struct owned, size), .min = 64, .max = 9018,
	 .flags = OPTTAB_OBJ_DEFAULT, .metavar = "N", .help = "bytes"},
	{OPTTAB_U32, "own", .off = offsetof(struct owned, own), .def_u = 7, .metavar = "N",
	 .help = "its own"},
	{OPTTAB_END},
};

TEST(test_obj_default)
{
	struct owned o = {.size = 64, .own = 0};
	struct opttab t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	EQ(opttab_init(&t, owned_rows), 0);
	opttab_defaults(&t, &o);
	EQ(o.size, 64); /* left as the owner set it */
	EQ(o.own, 7);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	opttab_help_obj(&t, &o, f);
	opttab_help(&t, f); /* no object: no default for it */
	opttab_man_obj(&t, &o, f);
	fclose(f);
	assert_string_equal(buf, "      --size N          bytes (default 64)\n"
				 "      --own N           its own (default 7)\n"
				 "      --size N          bytes\n"
				 "      --own N           its own (default 7)\n"
				 "*--size* _N_\n\tbytes (default 64)\n\n"
				 "*--own* _N_\n\tits own (default 7)\n\n");
	free(buf);
	EQ(opttab_parse_opt(&t, &o, OPTTAB_VAL_BASE, "1500"), 1);
	EQ(o.size, 1500);
	EQ(opttab_parse_opt(&t, &o, OPTTAB_VAL_BASE, "63"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getopt_tables), cmocka_unit_test(test_duplicates_refused),
		cmocka_unit_test(test_include_only),  cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ranges),	      cmocka_unit_test(test_choices),
		cmocka_unit_test(test_lists),	      cmocka_unit_test(test_keys),
		cmocka_unit_test(test_help_layout),   cmocka_unit_test(test_man_section),
		cmocka_unit_test(test_diff),	      cmocka_unit_test(test_write_back),
		cmocka_unit_test(test_obj_default),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
