// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: option parsing. The input, split at NUL bytes, is an
 * argv (at most 32 arguments) for the capture option table `xdpi live`
 * parses with (capture/options.c: capture_opttab(), the capture's and the
 * flow and exporter rows, through a real getopt_long()), and each of
 * its arguments is also a value for every number parser of util/optval.c.
 *
 * Invariants:
 * - optval: a value accepted is plain decimal as util/optval.h promises (no
 *   sign, blank, hex, octal, nan or inf spelling) and inside the bounds
 *   asked; a list is 1..max values, each below its limit, none repeated;
 *   seconds are finite and not negative; a choice is an index of the
 *   names. A refused number writes nothing; a list nothing past max.
 * - the table: an accepted command line whose options pass
 *   capture_opts_check() writes back (capture_opts_write()) arguments
 *   that parse, pass the check, and write back the same arguments.
 * Run by tests/t_fuzz.sh and `make fuzz`, seeded from tests/fuzz-corpus/
 * options and the command lines the build writes (tests/tests.mk).
 */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/options.h"
#include "util/optval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 32

static void fail(const char *what, const char *arg)
{
	fprintf(stderr, "fuzz_options: invariant broken: %s (argument '%s')\n", what, arg);
	abort();
}

/* Plain decimal digits, at least one. */
static int decimal(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static void check_optval(const char *s)
{
	static const char *const names[] = {"auto", "native", "skb"};
	int out[8], n;
	uint32_t u = 7;
	uint64_t v = 7;
	double d = -1;

	if (!xdpi_parse_u32(s, 3, 1000, &u)) {
		if (!decimal(s) || u < 3 || u > 1000 || u != strtoul(s, NULL, 10))
			fail("xdpi_parse_u32 took a value it should not", s);
	} else if (u != 7) {
		fail("xdpi_parse_u32 wrote a refused value", s);
	}
	if (!xdpi_parse_u64(s, 1, UINT64_MAX, &v)) {
		if (!decimal(s) || v < 1 || v != strtoull(s, NULL, 10))
			fail("xdpi_parse_u64 took a value it should not", s);
	} else if (v != 7) {
		fail("xdpi_parse_u64 wrote a refused value", s);
	}
	if (!xdpi_parse_seconds(s, &d)) {
		if (!isfinite(d) || d < 0 || strpbrk(s, "+- \t\n\vxXnNiI"))
			fail("xdpi_parse_seconds took a value it should not", s);
	} else if (d != -1) {
		fail("xdpi_parse_seconds wrote a refused value", s);
	}
	memset(out, 0x7f, sizeof(out));
	n = xdpi_parse_list(s, out, 4, 16);
	if (n > 4 || n == 0 || out[4] != 0x7f7f7f7f)
		fail("xdpi_parse_list: a wrong count or a write past it", s);
	for (int i = 0; i < n; i++) {
		if (out[i] < 0 || out[i] >= 16)
			fail("xdpi_parse_list: a value out of range", s);
		for (int j = 0; j < i; j++)
			if (out[i] == out[j])
				fail("xdpi_parse_list: a repeated value", s);
	}
	n = xdpi_parse_choice(s, names, 3);
	if (n >= 0 && (n >= 3 || strcmp(s, names[n])))
		fail("xdpi_parse_choice: not the name's index", s);
}

/* Parses @argv (NULL-terminated, argv[0] the command) as `xdpi live`
 * does; 0 if every option was taken and the check passed. */
static int parse(int argc, char **argv, struct capture_opts *o)
{
	const struct opttab *t = capture_opttab();
	char err[256];
	int c;

	capture_opts_defaults(o);
	optind = 0; /* a full reset: the previous input may end inside "-vq" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, t->shorts, t->longs, NULL)) != -1)
		if (c == '?' || c == ':' || capture_opts_parse_opt(o, c, optarg) <= 0)
			return -1;
	if (optind < argc)
		o->ifname = argv[optind];
	return capture_opts_check(o, err, sizeof(err)) ? -1 : 0;
}

struct args {
	char *v[160];
	int n;
};

static void push(void *ctx, const char *arg)
{
	struct args *a = ctx;

	if (a->n >= 158)
		fail("capture_opts_write: more than 158 arguments", arg);
	a->v[a->n++] = strdup(arg);
	a->v[a->n] = NULL;
}

static void args_free(struct args *a)
{
	for (int i = 1; i < a->n; i++)
		free(a->v[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct args a1 = {.v = {"xdpi live"}, .n = 1}, a2 = {.v = {"xdpi live"}, .n = 1};
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2] = {"xdpi live"};
	struct capture_opts o1, o2;
	int argc = 1;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = 0;
	for (char *p = buf; p < buf + size + 1 && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++)
		check_optval(argv[i]);

	if (!parse(argc, argv, &o1)) {
		capture_opts_write(&o1, 0, push, &a1);
		if (parse(a1.n, a1.v, &o2))
			fail("what capture_opts_write() wrote does not parse",
			     a1.n > 1 ? a1.v[1] : "");
		capture_opts_write(&o2, 0, push, &a2);
		if (a1.n != a2.n)
			fail("written twice, a different number of arguments", "");
		for (int i = 1; i < a1.n; i++)
			if (strcmp(a1.v[i], a2.v[i]))
				fail("written twice, a different argument", a1.v[i]);
	}
	args_free(&a1);
	args_free(&a2);
	free(buf);
	return 0;
}
