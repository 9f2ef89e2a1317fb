// SPDX-License-Identifier: MIT
#include "filter.h"

#include <errno.h>
#include <string.h>

#define ETH_HLEN 14

static int l4_proto(const uint8_t *d, uint32_t len, uint16_t type, uint32_t off)
{
	const uint8_t *ip = d + off;
	uint32_t cur;
	uint8_t next, hdr;

	if (type == 0x0800) {
		if (len < off + 20 || ip[0] >> 4 != 4)
			return -1;
		return ip[9];
	}
	if (len < off + 40 || ip[0] >> 4 != 6)
		return -1;
	next = ip[6];
	cur = off + 40;
	for (int i = 0; i < XDPI_FILTER_IPV6_EXT_MAX; i++) {
		if (next != 0 && next != 43 && next != 44 && next != 60)
			return next;
		if (len < cur + 8)
			return -1;
		hdr = next;
		next = d[cur];
		/* Past a fragment header with a non-zero offset comes fragment
		 * payload, not headers (bpf/xdpi.bpf.c does the same). */
		if (hdr == 44 && ((d[cur + 2] << 8 | d[cur + 3]) >> 3))
			return next;
		/* The fragment header has no length field: always 8 bytes. */
		cur += hdr == 44 ? 8 : ((uint32_t)d[cur + 1] + 1) * 8;
	}
	return -1;
}

bool xdpi_filter_match(enum xdpi_filter f, const uint8_t *d, uint32_t len)
{
	uint32_t off = ETH_HLEN;
	uint16_t type;
	int proto;

	if (f == XDPI_FILTER_ALL)
		return true;
	if (len < ETH_HLEN)
		return false;
	type = (uint16_t)(d[12] << 8 | d[13]);
	for (int i = 0; i < 2; i++) {
		if (type != 0x8100 && type != 0x88a8)
			break;
		if (len < off + 4)
			return false;
		type = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
		off += 4;
	}
	if (type != 0x0800 && type != 0x86dd)
		return false;
	if (f == XDPI_FILTER_IP)
		return true;
	proto = l4_proto(d, len, type, off);
	return proto == (f == XDPI_FILTER_TCP ? 6 : 17);
}

const char *xdpi_filter_name(enum xdpi_filter f)
{
	static const char *const names[XDPI_FILTER__MAX] = {"tcp", "udp", "ip", "all"};

	return (unsigned)f < XDPI_FILTER__MAX ? names[f] : "invalid";
}

int xdpi_filter_parse(const char *name)
{
	for (int f = 0; f < XDPI_FILTER__MAX; f++)
		if (!strcmp(name, xdpi_filter_name(f)))
			return f;
	return -EINVAL;
}
