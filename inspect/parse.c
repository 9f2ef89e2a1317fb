// SPDX-License-Identifier: MIT
/*
 * Header parser: Ethernet, two VLAN tags, ARP, IPv4, IPv6 with its extension
 * header chain, TCP with options, UDP, ICMP, ICMPv6.
 *
 * Design notes:
 * - Every read is bounded by the captured length; above the IP layer, the
 *   IP packet's own end (total or payload length, checked against the wire
 *   length) bounds the headers and gives the payload, so Ethernet padding is
 *   never taken for payload and a frame cut by a pcap snap length still
 *   counts by its headers.
 * - The IPv6 extension walk has no fixed iteration limit: each header advances
 *   the cursor by at least 8 bytes, so the packet length bounds it. Real
 *   captures chain hundreds of fragment headers; a fixed cap would misclassify
 *   them.
 * - Fields are read byte by byte (util/bytes.h): frames are not aligned in pcap
 *   buffers, and the compiler turns these into a load and a bswap.
 */
#include "parse.h"

#include <stddef.h>
#include <string.h>

#include "../util/bytes.h"

#define ETH_HLEN 14
#define ETH_P_IPV4 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_IPV6 0x86dd
#define ARP_FIXED_HLEN 8
#define IPV4_MIN_HLEN 20
#define IPV6_HLEN 40
#define IPV6_EXT_MIN 8
#define TCP_MIN_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define ICMPV6_HLEN 4

enum {
	IPPROTO_HOPOPTS_ = 0,
	IPPROTO_ICMP_ = 1,
	IPPROTO_TCP_ = 6,
	IPPROTO_UDP_ = 17,
	IPPROTO_ROUTING_ = 43,
	IPPROTO_FRAGMENT_ = 44,
	IPPROTO_ICMPV6_ = 58,
	IPPROTO_DSTOPTS_ = 60,
};

enum {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOPT_WSCALE = 3,
	TCPOPT_SACK_PERM = 4,
	TCPOPT_TIMESTAMP = 8,
};

/* Clears *pi with a few vector stores: a plain memset() of this size
 * becomes `rep stos`, which costs more than everything else in the Ethernet
 * and IPv4 parse together. */
typedef uint8_t pkt_zero_vec __attribute__((vector_size(16), may_alias));

static inline void pkt_info_clear(struct pkt_info *pi)
{
	_Static_assert(sizeof(*pi) == 6 * sizeof(pkt_zero_vec), "pkt_info is 96 bytes");
	pkt_zero_vec *v = (pkt_zero_vec *)pi;

	/* Written out: as a loop the compiler turns it back into memset(). */
	v[0] = (pkt_zero_vec){0};
	v[1] = (pkt_zero_vec){0};
	v[2] = (pkt_zero_vec){0};
	v[3] = (pkt_zero_vec){0};
	v[4] = (pkt_zero_vec){0};
	v[5] = (pkt_zero_vec){0};
}

static void parse_tcp_options(const uint8_t *opt, uint32_t opt_len, struct pkt_info *pi)
{
	struct pkt_tcp_opts *o = &pi->tcp_opts;
	uint32_t i = 0;

	while (i < opt_len) {
		uint8_t kind = opt[i];
		uint8_t olen;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (opt_len - i < 2)
			goto bad;
		olen = opt[i + 1];
		if (olen < 2 || olen > opt_len - i)
			goto bad;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen != 4)
				goto bad;
			o->present |= PKT_TCPOPT_MSS;
			o->mss = xdpi_get_be16(opt + i + 2);
			break;
		case TCPOPT_WSCALE:
			if (olen != 3)
				goto bad;
			o->present |= PKT_TCPOPT_WSCALE;
			o->wscale = opt[i + 2];
			break;
		case TCPOPT_SACK_PERM:
			if (olen != 2)
				goto bad;
			o->present |= PKT_TCPOPT_SACK_PERM;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen != 10)
				goto bad;
			o->present |= PKT_TCPOPT_TIMESTAMP;
			o->ts_val = xdpi_get_be32(opt + i + 2);
			o->ts_ecr = xdpi_get_be32(opt + i + 6);
			break;
		default:
			break;
		}
		i += olen;
	}
	return;
bad:
	pi->malformed = PKT_MAL_TCP_OPTIONS;
}

/*
 * @off is the L4 header, @end the end of the IP packet by its length fields
 * (<= wire length), @cap_end where the captured bytes stop (<= @end).
 */
static inline __attribute__((always_inline)) void parse_l4(const uint8_t *d, uint32_t off,
							   uint32_t end, uint32_t cap_end,
							   uint8_t proto, struct pkt_info *pi)
{
	uint32_t avail = end - off;
	uint32_t cap = cap_end > off ? cap_end - off : 0;
	const uint8_t *h = d + off;

	pi->ip_proto = proto;
	pi->l4_off = off;
	pi->l4_len = avail;

	switch (proto) {
	case IPPROTO_TCP_: {
		uint32_t doff;

		pi->l4 = PKT_L4_TCP;
		if (cap < TCP_MIN_HLEN) {
			pi->malformed = PKT_MAL_TCP_TRUNCATED;
			return;
		}
		pi->sport = xdpi_get_be16(h);
		pi->dport = xdpi_get_be16(h + 2);
		doff = (uint32_t)(h[12] >> 4) * 4;
		if (doff < TCP_MIN_HLEN) {
			pi->malformed = PKT_MAL_TCP_DATA_OFFSET;
			return;
		}
		if (doff > cap) {
			pi->malformed = PKT_MAL_TCP_TRUNCATED;
			return;
		}
		pi->tcp_seq = xdpi_get_be32(h + 4);
		pi->tcp_ack = xdpi_get_be32(h + 8);
		pi->tcp_flags = h[13];
		pi->tcp_window = xdpi_get_be16(h + 14);
		pi->payload_off = off + doff;
		pi->payload_len = avail - doff;
		pi->l4_complete = true;
		/* Most segments of a connection carry exactly NOP, NOP,
		 * timestamps (RFC 7323 appendix A): take it without the walk. */
		if (doff == TCP_MIN_HLEN + 12 && xdpi_get_be32(h + TCP_MIN_HLEN) == 0x0101080a) {
			pi->tcp_opts.present = PKT_TCPOPT_TIMESTAMP;
			pi->tcp_opts.ts_val = xdpi_get_be32(h + TCP_MIN_HLEN + 4);
			pi->tcp_opts.ts_ecr = xdpi_get_be32(h + TCP_MIN_HLEN + 8);
		} else if (doff > TCP_MIN_HLEN) {
			parse_tcp_options(h + TCP_MIN_HLEN, doff - TCP_MIN_HLEN, pi);
		}
		return;
	}
	case IPPROTO_UDP_: {
		uint32_t ulen;

		pi->l4 = PKT_L4_UDP;
		if (cap < UDP_HLEN) {
			pi->malformed = PKT_MAL_UDP_TRUNCATED;
			return;
		}
		pi->sport = xdpi_get_be16(h);
		pi->dport = xdpi_get_be16(h + 2);
		ulen = xdpi_get_be16(h + 4);
		/* A first fragment carries only part of the datagram that the
		 * UDP length describes: its payload is its own bytes. */
		if (pi->ip_fragment)
			ulen = avail;
		if (ulen < UDP_HLEN || ulen > avail) {
			pi->malformed = PKT_MAL_UDP_LENGTH;
			return;
		}
		pi->payload_off = off + UDP_HLEN;
		pi->payload_len = ulen - UDP_HLEN;
		pi->l4_complete = true;
		return;
	}
	case IPPROTO_ICMP_:
		pi->l4 = PKT_L4_ICMP;
		if (cap < ICMP_HLEN) {
			pi->malformed = PKT_MAL_ICMP_TRUNCATED;
			return;
		}
		pi->icmp_type = h[0];
		pi->icmp_code = h[1];
		pi->payload_off = off + ICMP_HLEN;
		pi->payload_len = avail - ICMP_HLEN;
		pi->l4_complete = true;
		return;
	case IPPROTO_ICMPV6_:
		pi->l4 = PKT_L4_ICMPV6;
		if (cap < ICMPV6_HLEN) {
			pi->malformed = PKT_MAL_ICMPV6_TRUNCATED;
			return;
		}
		pi->icmp_type = h[0];
		pi->icmp_code = h[1];
		pi->payload_off = off + ICMPV6_HLEN;
		pi->payload_len = avail - ICMPV6_HLEN;
		pi->l4_complete = true;
		return;
	default:
		pi->l4 = PKT_L4_OTHER;
		return;
	}
}

static void parse_ipv4(const uint8_t *d, uint32_t len, uint32_t wire, uint32_t off,
		       struct pkt_info *pi)
{
	const uint8_t *ip = d + off;
	uint32_t ihl, total, frag;

	/* An IP packet always gets an l4 class; "other" until proven. */
	pi->l4 = PKT_L4_OTHER;
	if (len - off < IPV4_MIN_HLEN) {
		pi->malformed = PKT_MAL_IPV4_TRUNCATED;
		return;
	}
	if (ip[0] >> 4 != 4) {
		pi->malformed = PKT_MAL_IPV4_VERSION;
		return;
	}
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < IPV4_MIN_HLEN) {
		pi->malformed = PKT_MAL_IPV4_HEADER_LENGTH;
		return;
	}
	pi->src_addr = ip + 12;
	pi->dst_addr = ip + 16;
	pi->ip_proto = ip[9];
	total = xdpi_get_be16(ip + 2);
	pi->ip_len = total;
	if (ihl > len - off) {
		pi->malformed = PKT_MAL_IPV4_TRUNCATED;
		return;
	}
	if (total < ihl || total > wire - off) {
		pi->malformed = PKT_MAL_IPV4_TOTAL_LENGTH;
		return;
	}
	frag = xdpi_get_be16(ip + 6);
	pi->ip_fragment = (frag & 0x3fff) != 0; /* MF or an offset */
	pi->l4_off = off + ihl;
	pi->l4_len = total - ihl;
	/* A later fragment carries no L4 header: it stays "other". */
	if (frag & 0x1fff)
		return;
	parse_l4(d, off + ihl, off + total, off + total < len ? off + total : len, ip[9], pi);
}

static void parse_ipv6(const uint8_t *d, uint32_t len, uint32_t wire, uint32_t off,
		       struct pkt_info *pi)
{
	const uint8_t *ip = d + off;
	uint32_t end, cap_end, cur;
	uint8_t next;

	pi->l4 = PKT_L4_OTHER;
	if (len - off < IPV6_HLEN) {
		pi->malformed = PKT_MAL_IPV6_TRUNCATED;
		return;
	}
	if (ip[0] >> 4 != 6) {
		pi->malformed = PKT_MAL_IPV6_VERSION;
		return;
	}
	pi->src_addr = ip + 8;
	pi->dst_addr = ip + 24;
	pi->ip_len = IPV6_HLEN + (uint32_t)xdpi_get_be16(ip + 4);
	next = ip[6];
	pi->ip_proto = next;
	if (pi->ip_len > wire - off) {
		pi->malformed = PKT_MAL_IPV6_PAYLOAD_LENGTH;
		return;
	}
	end = off + pi->ip_len;
	cap_end = end < len ? end : len;
	cur = off + IPV6_HLEN;
	for (;;) {
		const uint8_t *ext = d + cur;
		uint32_t ext_len;

		switch (next) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
			if (cap_end < cur + IPV6_EXT_MIN)
				goto truncated;
			ext_len = ((uint32_t)ext[1] + 1) * 8;
			if (ext_len > end - cur)
				goto truncated;
			next = ext[0];
			cur += ext_len;
			continue;
		case IPPROTO_FRAGMENT_:
			if (cap_end < cur + IPV6_EXT_MIN)
				goto truncated;
			pi->ip_fragment = true;
			next = ext[0];
			cur += IPV6_EXT_MIN;
			/* Only the first fragment (offset 0) has the L4 header. */
			if (xdpi_get_be16(ext + 2) & 0xfff8) {
				pi->ip_proto = next;
				pi->l4_off = cur;
				pi->l4_len = end - cur;
				return;
			}
			continue;
		default:
			break;
		}
		break;
	}
	parse_l4(d, cur, end, cap_end, next, pi);
	return;
truncated:
	pi->ip_proto = next;
	pi->malformed = PKT_MAL_IPV6_EXT_TRUNCATED;
}

/* @outer_vid: the VLAN id of a tag the NIC stripped before the frame
 * reached us (it was the outermost), or -1. */
static void parse_frame(const uint8_t *data, uint32_t len, uint32_t wire, int outer_vid,
			struct pkt_info *pi)
{
	uint32_t off = ETH_HLEN;
	uint16_t type;

	pkt_info_clear(pi);
	if (outer_vid >= 0)
		pi->vlan_id[pi->vlan_count++] = (uint16_t)(outer_vid & 0x0fff);
	/* A record that claims fewer bytes on the wire than it holds is
	 * broken; the captured bytes are the better guess. */
	if (wire < len)
		wire = len;
	if (len < ETH_HLEN) {
		pi->malformed = PKT_MAL_ETH_TRUNCATED;
		return;
	}
	type = xdpi_get_be16(data + 12);
	while (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		/* A third tag: not a frame we classify; l3 stays "other". */
		if (pi->vlan_count == PKT_MAX_VLANS)
			break;
		if (len - off < 4) {
			pi->malformed = PKT_MAL_VLAN_TRUNCATED;
			pi->ethertype = type;
			return;
		}
		pi->vlan_id[pi->vlan_count++] = xdpi_get_be16(data + off) & 0x0fff;
		type = xdpi_get_be16(data + off + 2);
		off += 4;
	}
	pi->ethertype = type;
	pi->l3_off = off;

	switch (type) {
	case ETH_P_IPV4:
		pi->l3 = PKT_L3_IPV4;
		parse_ipv4(data, len, wire, off, pi);
		return;
	case ETH_P_IPV6:
		pi->l3 = PKT_L3_IPV6;
		parse_ipv6(data, len, wire, off, pi);
		return;
	case ETH_P_ARP:
		pi->l3 = PKT_L3_ARP;
		/* Fixed part, then two (hardware, protocol) address pairs. */
		if (len - off < ARP_FIXED_HLEN ||
		    len - off - ARP_FIXED_HLEN < 2u * ((uint32_t)data[off + 4] + data[off + 5]))
			pi->malformed = PKT_MAL_ARP_TRUNCATED;
		return;
	default:
		return;
	}
}

void pkt_parse_wire(const uint8_t *data, uint32_t len, uint32_t wire, struct pkt_info *pi)
{
	parse_frame(data, len, wire, -1, pi);
}

void pkt_parse_stripped(const uint8_t *data, uint32_t len, uint32_t wire, uint16_t tci,
			struct pkt_info *pi)
{
	parse_frame(data, len, wire, tci, pi);
}

const char *pkt_l3_name(enum pkt_l3 l3)
{
	static const char *const names[PKT_L3__MAX] = {
		[PKT_L3_OTHER] = "other",
		[PKT_L3_IPV4] = "ipv4",
		[PKT_L3_IPV6] = "ipv6",
		[PKT_L3_ARP] = "arp",
	};
	return (unsigned)l3 < PKT_L3__MAX ? names[l3] : "invalid";
}

const char *pkt_l4_name(enum pkt_l4 l4)
{
	static const char *const names[PKT_L4__MAX] = {
		[PKT_L4_NONE] = "none", [PKT_L4_TCP] = "tcp",	    [PKT_L4_UDP] = "udp",
		[PKT_L4_ICMP] = "icmp", [PKT_L4_ICMPV6] = "icmpv6", [PKT_L4_OTHER] = "other",
	};
	return (unsigned)l4 < PKT_L4__MAX ? names[l4] : "invalid";
}

const char *pkt_malformed_name(enum pkt_malformed reason)
{
	static const char *const names[PKT_MAL__MAX] = {
		[PKT_OK] = "ok",
		[PKT_MAL_ETH_TRUNCATED] = "eth_truncated",
		[PKT_MAL_VLAN_TRUNCATED] = "vlan_truncated",
		[PKT_MAL_ARP_TRUNCATED] = "arp_truncated",
		[PKT_MAL_IPV4_TRUNCATED] = "ipv4_truncated",
		[PKT_MAL_IPV4_VERSION] = "ipv4_bad_version",
		[PKT_MAL_IPV4_HEADER_LENGTH] = "ipv4_bad_header_length",
		[PKT_MAL_IPV4_TOTAL_LENGTH] = "ipv4_bad_total_length",
		[PKT_MAL_IPV6_TRUNCATED] = "ipv6_truncated",
		[PKT_MAL_IPV6_VERSION] = "ipv6_bad_version",
		[PKT_MAL_IPV6_PAYLOAD_LENGTH] = "ipv6_bad_payload_length",
		[PKT_MAL_IPV6_EXT_TRUNCATED] = "ipv6_ext_truncated",
		[PKT_MAL_TCP_TRUNCATED] = "tcp_truncated",
		[PKT_MAL_TCP_DATA_OFFSET] = "tcp_bad_data_offset",
		[PKT_MAL_TCP_OPTIONS] = "tcp_bad_options",
		[PKT_MAL_UDP_TRUNCATED] = "udp_truncated",
		[PKT_MAL_UDP_LENGTH] = "udp_bad_length",
		[PKT_MAL_ICMP_TRUNCATED] = "icmp_truncated",
		[PKT_MAL_ICMPV6_TRUNCATED] = "icmpv6_truncated",
	};
	return (unsigned)reason < PKT_MAL__MAX ? names[reason] : "invalid";
}
