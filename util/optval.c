// SPDX-License-Identifier: MIT
#include "optval.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xdpi_parse_list(const char *s, int *out, int max, int limit)
{
	int n = 0;

	while (*s) {
		char *end;
		long lo, hi;

		if (*s < '0' || *s > '9') /* no spaces, signs or empty items */
			return -EINVAL;
		lo = hi = strtol(s, &end, 10);
		s = end;
		if (*s == '-') {
			if (s[1] < '0' || s[1] > '9')
				return -EINVAL;
			hi = strtol(s + 1, &end, 10);
			if (hi < lo)
				return -EINVAL;
			s = end;
		}
		if (*s == ',' && s[1]) /* "1," ends in an empty item */
			s++;
		else if (*s)
			return -EINVAL;
		for (long v = lo; v <= hi; v++) {
			if (v >= limit || n == max)
				return -EINVAL;
			for (int i = 0; i < n; i++)
				if (out[i] == v)
					return -EINVAL;
			out[n++] = (int)v;
		}
	}
	return n ? n : -EINVAL;
}

/* Plain decimal only: digits with at most one point for seconds, digits
 * for integers. strtod() and strtoul() would also take leading spaces, a
 * sign, hex ("0x1p-60"), octal ("010" is 8), "nan" and "inf". */
static bool plain_decimal(const char *s, bool point)
{
	bool digit = false;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == '.' && point)
			point = false;
		else
			return false;
	}
	return digit;
}

int xdpi_parse_seconds(const char *s, double *out)
{
	double v;

	if (!plain_decimal(s, true))
		return -EINVAL;
	v = strtod(s, NULL);
	/* Zero means off; anything else is at least a millisecond, so that a
	 * loop that waits this long still reads its signals. A value too small
	 * for a double reads as 0: not zero, so not off either. */
	if (v > 1e7 || (v > 0 && v < 1e-3) || (v == 0 && strpbrk(s, "123456789")))
		return -EINVAL;
	*out = v;
	return 0;
}

int xdpi_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;

	/* 19 digits always fit: 20 may not, and strtoull would saturate. */
	if (!plain_decimal(s, false) || strlen(s) > 19)
		return -EINVAL;
	v = strtoull(s, NULL, 10);
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int xdpi_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	/* At most the digits of UINT32_MAX: "04294967295" is not a u32. */
	if (strlen(s) > 10 || xdpi_parse_u64(s, min, max, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

const char *xdpi_opt_name(char **argv, const char *arg)
{
	static char name[64];
	/* after getopt_long(), argv[optind - 1] holds the value: alone, or
	 * inside the option's own word ("--size=10", "-s10") */
	bool apart = optind >= 2 && argv[optind - 1] == arg;
	const char *opt = apart ? argv[optind - 2] : argv[optind - 1];

	if (opt[0] == '-' && opt[1] == '-') /* "--size 10", "--size=10" */
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(opt, "="), opt);
	else /* "-s 10", "-s10", "-vs10": the letter before the value */
		snprintf(name, sizeof(name), "-%c", apart ? opt[strlen(opt) - 1] : arg[-1]);
	return name;
}

int xdpi_parse_choice(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -EINVAL;
}

int xdpi_parse_choice_list(const char *s, const char *const *names, int n, int first, int *out,
			   int max)
{
	int count = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		int v = -EINVAL;

		/* strtok() would pass "a,,b" and "a," as "a,b" and "a" */
		for (int i = first; i < n; i++)
			if (len && strlen(names[i]) == len && !strncmp(s, names[i], len))
				v = i;
		if (v < 0 || count == max)
			return -EINVAL;
		for (int i = 0; i < count; i++)
			if (out[i] == v)
				return -EINVAL;
		out[count++] = v;
		if (!s[len])
			return count;
		s += len + 1;
	}
}
