// SPDX-License-Identifier: MIT
/* Small helpers shared by the subcommands: option values, privileges. */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "cmd.h"
#include "../bench/gen.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

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
		if (*s == ',')
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
	 * loop that waits this long still reads its signals. */
	if (v > 1e7 || (v > 0 && v < 1e-3))
		return -EINVAL;
	*out = v;
	return 0;
}

int xdpi_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;

	if (!plain_decimal(s, false) || strlen(s) > 10)
		return -EINVAL;
	v = strtoull(s, NULL, 10);
	if (v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int xdpi_check_privileges(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (has_cap(data, CAP_NET_ADMIN) &&
	    (has_cap(data, CAP_BPF) || has_cap(data, CAP_SYS_ADMIN)))
		return 0;
	xdpi_err("needs CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach XDP "
		 "and bind AF_XDP sockets: run as root");
	return -EPERM;
}

int xdpi_parse_traffic_opt(int opt, const char *arg, struct gen_opts *o)
{
	uint32_t u;
	int v;

	switch (opt) {
	case 's':
		if (!strcmp(arg, "imix"))
			o->size = GEN_IMIX;
		else if (xdpi_parse_u32(arg, 64, 1518, &o->size))
			return -EINVAL;
		return 1;
	case 'p':
		v = gen_proto_parse(arg);
		if (v < 0)
			return -EINVAL;
		o->proto = (enum gen_proto)v;
		return 1;
	case 'F':
		return xdpi_parse_u32(arg, 1, XDPI_GEN_MAX_FLOWS, &o->flows) ? -EINVAL : 1;
	case 'r':
		if (xdpi_parse_u32(arg, 1, 1000000000, &u))
			return -EINVAL;
		o->rate = u;
		return 1;
	default:
		return 0;
	}
}

const char *xdpi_opt_name(char **argv, const char *arg)
{
	static char name[64];
	const char *opt =
		optind >= 2 && argv[optind - 1] == arg ? argv[optind - 2] : argv[optind - 1];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(opt, "="), opt);
	return name;
}
