// SPDX-License-Identifier: MIT
#include "frame.h"

#include <string.h>

#include <linux/if_ether.h>
#include <netinet/in.h>

uint32_t frame_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	for (; len > 1; len -= 2, p += 2)
		s += xdpi_get_be16(p);
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t frame_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t frame_csum(const void *data, size_t len)
{
	return frame_csum_fold(frame_csum_add(0, data, len));
}

static uint32_t frame_pseudo(const uint8_t *src, const uint8_t *dst, size_t alen, uint8_t proto,
			     size_t len)
{
	uint32_t sum = frame_csum_add(0, src, alen);

	sum = frame_csum_add(sum, dst, alen);
	/* The length is 16 bits over IPv4, 32 over IPv6: either way its
	 * 16-bit words add up to this. */
	return sum + proto + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
}

uint32_t frame_pseudo4(const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t len)
{
	return frame_pseudo(src, dst, 4, proto, len);
}

uint32_t frame_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t len)
{
	return frame_pseudo(src, dst, 16, proto, len);
}

void frame_l4_csum(uint8_t *l4, size_t len, uint8_t proto, uint32_t pseudo)
{
	size_t at;
	uint16_t c;

	switch (proto) {
	case IPPROTO_TCP:
		at = 16;
		break;
	case IPPROTO_UDP:
		at = 6;
		break;
	case IPPROTO_ICMP:
		at = 2;
		pseudo = 0;
		break;
	case IPPROTO_ICMPV6:
		at = 2;
		break;
	default:
		return;
	}
	if (len < at + 2)
		return;
	xdpi_put_be16(l4 + at, 0);
	c = frame_csum_fold(frame_csum_add(pseudo, l4, len));
	if (proto == IPPROTO_UDP && !c)
		c = 0xffff;
	xdpi_put_be16(l4 + at, c);
}

size_t frame_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, const struct frame_vlan *tags,
		 size_t ntags, uint16_t type)
{
	size_t n = FRAME_ETH_HLEN;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	xdpi_put_be16(p + 12, ntags ? tags[0].tpid : type);
	for (size_t i = 0; i < ntags; i++)
		n += frame_vlan(p + n, tags[i].tci, i + 1 < ntags ? tags[i + 1].tpid : type);
	return n;
}

size_t frame_vlan(uint8_t *p, uint16_t tci, uint16_t type)
{
	xdpi_put_be16(p, tci);
	xdpi_put_be16(p + 2, type);
	return FRAME_VLAN_HLEN;
}

size_t frame_arp(uint8_t *p, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
		 uint32_t tpa)
{
	xdpi_put_be16(p, 1); /* Ethernet */
	xdpi_put_be16(p + 2, ETH_P_IP);
	p[4] = 6;
	p[5] = 4;
	xdpi_put_be16(p + 6, op);
	memcpy(p + 8, sha, 6);
	xdpi_put_be32(p + 14, spa);
	if (tha)
		memcpy(p + 18, tha, 6);
	else
		memset(p + 18, 0, 6);
	xdpi_put_be32(p + 24, tpa);
	return FRAME_ARP_LEN;
}

/* IPv4 or TCP options at @p: @len bytes, then EOL (0) up to @padded. */
static void frame_opts(uint8_t *p, const uint8_t *opts, size_t len, size_t padded)
{
	if (len)
		memcpy(p, opts, len);
	memset(p + len, 0, padded - len);
}

size_t frame_ipv4(uint8_t *p, const struct frame_ipv4 *ip)
{
	size_t opts = (ip->opts_len + 3) & ~(size_t)3, hlen = FRAME_IPV4_HLEN + opts;

	if (opts > FRAME_OPTS_MAX)
		return 0;
	p[0] = (uint8_t)(0x40 | hlen / 4);
	p[1] = 0;
	xdpi_put_be16(p + 2, (uint16_t)(hlen + ip->payload_len));
	xdpi_put_be16(p + 4, ip->id);
	xdpi_put_be16(p + 6, ip->frag);
	p[8] = ip->ttl;
	p[9] = ip->proto;
	xdpi_put_be16(p + 10, 0);
	xdpi_put_be32(p + 12, ip->src);
	xdpi_put_be32(p + 16, ip->dst);
	frame_opts(p + FRAME_IPV4_HLEN, ip->opts, ip->opts_len, opts);
	xdpi_put_be16(p + 10, frame_csum(p, hlen));
	return hlen;
}

void frame_ipv4_set_len(uint8_t *ip, size_t len)
{
	xdpi_put_be16(ip + 2, (uint16_t)len);
	xdpi_put_be16(ip + 10, 0);
	xdpi_put_be16(ip + 10, frame_csum(ip, (ip[0] & 0x0fu) * 4));
}

size_t frame_ipv6(uint8_t *p, const struct frame_ipv6 *ip)
{
	xdpi_put_be32(p, 0x60000000u | (ip->flow & 0xfffff));
	xdpi_put_be16(p + 4, (uint16_t)ip->payload_len);
	p[6] = ip->next;
	p[7] = ip->hops;
	memcpy(p + 8, ip->src, 16);
	memcpy(p + 24, ip->dst, 16);
	return FRAME_IPV6_HLEN;
}

void frame_ipv6_set_len(uint8_t *ip, size_t len)
{
	xdpi_put_be16(ip + 4, (uint16_t)(len - FRAME_IPV6_HLEN));
}

size_t frame_ipv6_ext(uint8_t *p, uint8_t next, uint8_t len8)
{
	size_t n = ((size_t)len8 + 1) * 8;

	p[0] = next;
	p[1] = len8;
	memset(p + 2, 0, n - 2);
	return n;
}

size_t frame_ipv6_opts(uint8_t *p, uint8_t next, uint8_t len8, const uint8_t *opts, size_t opts_len)
{
	size_t n = ((size_t)len8 + 1) * 8, pad;

	if (opts_len > n - 2)
		return 0;
	frame_ipv6_ext(p, next, len8);
	if (opts_len)
		memcpy(p + 2, opts, opts_len);
	pad = n - 2 - opts_len;
	if (pad >= 2) { /* PadN; a single byte left is Pad1, a zero */
		p[2 + opts_len] = 1;
		p[3 + opts_len] = (uint8_t)(pad - 2);
	}
	return n;
}

size_t frame_ipv6_frag(uint8_t *p, uint8_t next, uint16_t offset8, bool more, uint32_t id)
{
	p[0] = next;
	p[1] = 0;
	xdpi_put_be16(p + 2, (uint16_t)((offset8 & 0x1fff) << 3 | (more ? 1 : 0)));
	xdpi_put_be32(p + 4, id);
	return FRAME_IPV6_FRAG_HLEN;
}

/* Copies the payload after an L4 header, if the caller gave one. */
static size_t frame_l4_payload(uint8_t *p, size_t hlen, const void *payload, size_t len)
{
	if (payload && len)
		memcpy(p + hlen, payload, len);
	return hlen + len;
}

size_t frame_tcp(uint8_t *p, const struct frame_tcp *tcp, const void *payload, size_t len)
{
	size_t opts = (tcp->opts_len + 3) & ~(size_t)3, hlen = FRAME_TCP_HLEN + opts;

	if (opts > FRAME_OPTS_MAX)
		return 0;
	xdpi_put_be16(p, tcp->sport);
	xdpi_put_be16(p + 2, tcp->dport);
	xdpi_put_be32(p + 4, tcp->seq);
	xdpi_put_be32(p + 8, tcp->ack);
	p[12] = (uint8_t)(hlen / 4 << 4 | (tcp->flags >> 8 & 1));
	p[13] = (uint8_t)tcp->flags;
	xdpi_put_be16(p + 14, tcp->window);
	xdpi_put_be16(p + 16, 0);
	xdpi_put_be16(p + 18, 0);
	frame_opts(p + FRAME_TCP_HLEN, tcp->opts, tcp->opts_len, opts);
	return frame_l4_payload(p, hlen, payload, len);
}

size_t frame_udp(uint8_t *p, uint16_t sport, uint16_t dport, const void *payload, size_t len)
{
	xdpi_put_be16(p, sport);
	xdpi_put_be16(p + 2, dport);
	xdpi_put_be16(p + 4, (uint16_t)(FRAME_UDP_HLEN + len));
	xdpi_put_be16(p + 6, 0);
	return frame_l4_payload(p, FRAME_UDP_HLEN, payload, len);
}

size_t frame_icmp(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest, const void *payload,
		  size_t len)
{
	p[0] = type;
	p[1] = code;
	xdpi_put_be16(p + 2, 0);
	xdpi_put_be32(p + 4, rest);
	return frame_l4_payload(p, FRAME_ICMP_HLEN, payload, len);
}
