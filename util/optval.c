// SPDX-License-Identifier: MIT
#include "optval.h"

#include <arpa/inet.h>
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

int xdpi_parse_listen(const char *s, const char *default_host, struct sockaddr_storage *sa,
		      char *err, size_t err_len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *orig = s, *port = s, *colon = strrchr(s, ':');
	struct sockaddr_storage check;
	struct sockaddr_in *in4;
	struct sockaddr_in6 *in6;
	unsigned long long p;
	char *end;
	bool v6 = false;

	if (!sa)
		sa = &check;
	in4 = (struct sockaddr_in *)sa;
	in6 = (struct sockaddr_in6 *)sa;
	snprintf(host, sizeof(host), "%s", default_host);
	if (colon) {
		size_t n = (size_t)(colon - s);

		/* An IPv6 address has colons of its own: only in brackets. */
		if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
			v6 = true;
			s++;
			n -= 2;
		}
		if (!n || n >= sizeof(host))
			goto bad_addr;
		memcpy(host, s, n);
		host[n] = '\0';
		port = colon + 1;
	}
	errno = 0;
	p = strtoull(port, &end, 10);
	if (!*port || *end || errno || p > 65535 || *port == '-' || *port == '+') {
		snprintf(
			err, err_len,
			"--prometheus: invalid port '%s' in '%s' (want [ADDR:]PORT, PORT 0..65535)",
			port, orig);
		return -EINVAL;
	}
	memset(sa, 0, sizeof(*sa));
	if (!v6 && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		return 0;
	}
bad_addr:
	snprintf(err, err_len,
		 "--prometheus: invalid address in '%s' (want PORT, IPV4:PORT or [IPV6]:PORT, "
		 "numeric)",
		 orig);
	return -EINVAL;
}
