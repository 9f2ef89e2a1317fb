/* SPDX-License-Identifier: MIT */
/*
 * Test frame builder (header-only), on util/frame.h.
 *
 * A struct fb is a frame under construction: each fb_*() call appends one
 * header at the end, in wire order (util/frame.h writes it), and fb_finish()
 * fills in the lengths that depend on what follows (IPv4 total length and
 * checksum, IPv6 payload length, UDP length). Anything appended after
 * fb_finish() (fb_pad(), fb_pad_to()) is Ethernet padding: it is in the
 * frame but outside every length field.
 *
 *	struct fb f;
 *
 *	fb_init(&f);
 *	fb_eth(&f, FB_ETH_IPV4);
 *	fb_ipv4(&f, FB_IPPROTO_TCP, FB_IP4(10, 0, 0, 1), FB_IP4(10, 0, 0, 2));
 *	fb_tcp(&f, 1234, 80, 1, 0, FB_TCP_SYN, 65535);
 *	fb_finish(&f);
 *	fb_pad_to(&f, 60);
 *
 * The frame is f.buf[0 .. f.len). f.l3 and f.l4 are the offsets of the last
 * IP and L4 headers appended, so that a test can corrupt a field after
 * fb_finish() with fb_wr16(f.buf + f.l3 + 2, ...). Multi-byte arguments are
 * in host order; the builder writes them big-endian.
 *
 * fb_dup() returns an exactly sized heap copy: parse it instead of f.buf so
 * that ASan reports any read past the end.
 *
 * Misuse (overflowing the buffer, too many length fix-ups, options after the
 * wrong header) aborts: a broken builder must not pass for a parser bug.
 */
#ifndef XDPI_TESTS_FRAMES_H
#define XDPI_TESTS_FRAMES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/frame.h"

/* Room for a jumbo IPv6 packet (40 + 65535) behind Ethernet and two tags. */
#define FB_MAX 65600
#define FB_MAX_FIX 16

#define FB_ETH_HLEN FRAME_ETH_HLEN
#define FB_IPV4_HLEN FRAME_IPV4_HLEN
#define FB_IPV6_HLEN FRAME_IPV6_HLEN
#define FB_TCP_HLEN FRAME_TCP_HLEN
#define FB_UDP_HLEN FRAME_UDP_HLEN
#define FB_ICMP_HLEN FRAME_ICMP_HLEN
#define FB_ICMP6_HLEN 4 /* type, code, checksum: the rest is the message */

enum {
	FB_ETH_IPV4 = 0x0800,
	FB_ETH_ARP = 0x0806,
	FB_ETH_8021Q = 0x8100,
	FB_ETH_8021AD = 0x88a8,
	FB_ETH_IPV6 = 0x86dd,
};

enum {
	FB_IPPROTO_HOPOPTS = 0,
	FB_IPPROTO_ICMP = 1,
	FB_IPPROTO_TCP = 6,
	FB_IPPROTO_UDP = 17,
	FB_IPPROTO_ROUTING = 43,
	FB_IPPROTO_FRAGMENT = 44,
	FB_IPPROTO_GRE = 47,
	FB_IPPROTO_ESP = 50,
	FB_IPPROTO_AH = 51,
	FB_IPPROTO_ICMPV6 = 58,
	FB_IPPROTO_NONE = 59,
	FB_IPPROTO_DSTOPTS = 60,
	FB_IPPROTO_MOBILITY = 135,
};

/* IPv4 flags and fragment offset field (bytes 6-7). */
enum {
	FB_IP_DF = FRAME_IP_DF,
	FB_IP_MF = FRAME_IP_MF,
};

enum {
	FB_TCP_FIN = FRAME_TCP_FIN,
	FB_TCP_SYN = FRAME_TCP_SYN,
	FB_TCP_RST = FRAME_TCP_RST,
	FB_TCP_PSH = FRAME_TCP_PSH,
	FB_TCP_ACK = FRAME_TCP_ACK,
	FB_TCP_URG = FRAME_TCP_URG,
	FB_TCP_ECE = FRAME_TCP_ECE,
	FB_TCP_CWR = FRAME_TCP_CWR,
};

#define FB_IP4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

enum fb_fix_kind {
	FB_FIX_IPV4,
	FB_FIX_IPV6,
	FB_FIX_UDP,
};

struct fb {
	uint32_t len;
	uint32_t l3; /* offset of the last IPv4/IPv6 header appended */
	uint32_t l4; /* offset of the last TCP/UDP/ICMP header appended */
	uint32_t nfix;
	struct {
		uint8_t kind; /* enum fb_fix_kind */
		uint32_t off;
	} fix[FB_MAX_FIX];
	uint8_t buf[FB_MAX];
};

static inline void fb_die(const char *what)
{
	fprintf(stderr, "frames.h: %s\n", what);
	abort();
}

/* For tests that change a field of a finished frame. */
static inline void fb_wr16(uint8_t *p, uint16_t v)
{
	xdpi_put_be16(p, v);
}

static inline void fb_init(struct fb *f)
{
	f->len = 0;
	f->l3 = 0;
	f->l4 = 0;
	f->nfix = 0;
}

/* Appends @n zero bytes and returns them. */
static inline uint8_t *fb_append(struct fb *f, uint32_t n)
{
	uint8_t *p;

	if (n > FB_MAX - f->len)
		fb_die("frame too long");
	p = f->buf + f->len;
	memset(p, 0, n);
	f->len += n;
	return p;
}

static inline void fb_bytes(struct fb *f, const void *data, uint32_t n)
{
	memcpy(fb_append(f, n), data, n);
}

/* @n payload bytes of a recognisable pattern. */
static inline void fb_payload(struct fb *f, uint32_t n)
{
	uint8_t *p = fb_append(f, n);

	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(0xa0 + i);
}

static inline void fb_add_fix(struct fb *f, enum fb_fix_kind kind, uint32_t off)
{
	if (f->nfix == FB_MAX_FIX)
		fb_die("too many length fix-ups");
	f->fix[f->nfix].kind = (uint8_t)kind;
	f->fix[f->nfix].off = off;
	f->nfix++;
}

/* Destination 02:00:00:00:00:02, source 02:00:00:00:00:01. */
static inline void fb_eth(struct fb *f, uint16_t ethertype)
{
	static const uint8_t dst[6] = {2, 0, 0, 0, 0, 2}, src[6] = {2, 0, 0, 0, 0, 1};

	frame_eth(fb_append(f, FB_ETH_HLEN), dst, src, NULL, 0, ethertype);
}

/* One tag: TCI (PCP, DEI, VLAN id) and the ethertype that follows it. The
 * tag's own TPID is the previous ethertype. */
static inline void fb_vlan(struct fb *f, uint16_t tci, uint16_t next_type)
{
	frame_vlan(fb_append(f, FRAME_VLAN_HLEN), tci, next_type);
}

/* Ethernet/IPv4 ARP (28 bytes) from the source MAC, target MAC zero. */
static inline void fb_arp(struct fb *f, uint16_t op, uint32_t sender, uint32_t target)
{
	static const uint8_t sha[6] = {2, 0, 0, 0, 0, 1};

	frame_arp(fb_append(f, FRAME_ARP_LEN), op, sha, sender, NULL, target);
}

/* A 20-byte IPv4 header; total length and checksum are set by fb_finish(). */
static inline void fb_ipv4(struct fb *f, uint8_t proto, uint32_t src, uint32_t dst)
{
	const struct frame_ipv4 ip = {
		.src = src,
		.dst = dst,
		.id = 0x1234,
		.ttl = 64,
		.proto = proto,
	};

	f->l3 = f->len;
	frame_ipv4(fb_append(f, FB_IPV4_HLEN), &ip);
	fb_add_fix(f, FB_FIX_IPV4, f->l3);
}

/* Grows the IPv4 header just appended by @words 32-bit words of options
 * (NOPs), up to IHL 15. Call right after fb_ipv4(). */
static inline void fb_ipv4_opts(struct fb *f, uint32_t words)
{
	uint8_t *ip = f->buf + f->l3;
	uint32_t ihl = ip[0] & 0x0fu;

	if (f->len != f->l3 + ihl * 4 || ihl + words > 15)
		fb_die("fb_ipv4_opts: not right after an IPv4 header, or IHL > 15");
	memset(fb_append(f, words * 4), 1, words * 4);
	ip[0] = (uint8_t)(0x40 | (ihl + words));
}

/* Sets the flags/fragment-offset field of the last IPv4 header: FB_IP_DF,
 * FB_IP_MF and the offset in 8-byte units. */
static inline void fb_ipv4_frag(struct fb *f, uint16_t flags, uint16_t offset8)
{
	fb_wr16(f->buf + f->l3 + 6, (uint16_t)(flags | (offset8 & 0x1fff)));
}

/* A 40-byte IPv6 header; NULL addresses mean 2001:db8::1 and 2001:db8::2.
 * The payload length is set by fb_finish(). */
static inline void fb_ipv6(struct fb *f, uint8_t next, const uint8_t *src, const uint8_t *dst)
{
	static const uint8_t def_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t def_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	const struct frame_ipv6 ip = {
		.src = src ? src : def_src,
		.dst = dst ? dst : def_dst,
		.next = next,
		.hops = 64,
	};

	f->l3 = f->len;
	frame_ipv6(fb_append(f, FB_IPV6_HLEN), &ip);
	fb_add_fix(f, FB_FIX_IPV6, f->l3);
}

/* A generic IPv6 extension header (hop-by-hop, routing, destination
 * options) of (hdr_ext_len + 1) * 8 bytes, filled with Pad1 options.
 * @next is the header that follows it. */
static inline void fb_ipv6_ext(struct fb *f, uint8_t next, uint8_t hdr_ext_len)
{
	frame_ipv6_ext(fb_append(f, ((uint32_t)hdr_ext_len + 1) * 8), next, hdr_ext_len);
}

/* An IPv6 fragment header: @offset8 in 8-byte units, @more the M flag. */
static inline void fb_ipv6_frag(struct fb *f, uint8_t next, uint16_t offset8, int more)
{
	frame_ipv6_frag(fb_append(f, FRAME_IPV6_FRAG_HLEN), next, offset8, more, 0xabcd0001);
}

/* A 20-byte TCP header (data offset 5). */
static inline void fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			  uint8_t flags, uint16_t window)
{
	const struct frame_tcp tcp = {
		.sport = sport,
		.dport = dport,
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.window = window,
	};

	f->l4 = f->len;
	frame_tcp(fb_append(f, FB_TCP_HLEN), &tcp, NULL, 0);
}

/* Appends @n bytes of raw TCP options to the TCP header just appended,
 * zero-padded (EOL) to a multiple of 4, and raises its data offset. */
static inline void fb_tcp_opts(struct fb *f, const uint8_t *opts, uint32_t n)
{
	uint8_t *tcp = f->buf + f->l4;
	uint32_t doff = (uint32_t)(tcp[12] >> 4) * 4;
	uint32_t padded = (n + 3) & ~3u;

	if (f->len != f->l4 + doff || doff + padded > 60)
		fb_die("fb_tcp_opts: not right after a TCP header, or options too long");
	memcpy(fb_append(f, padded), opts, n);
	tcp[12] = (uint8_t)(((doff + padded) / 4) << 4 | (tcp[12] & 0x0f));
}

/* Sets the data offset field (in 32-bit words) of the last TCP header. */
static inline void fb_tcp_doff(struct fb *f, uint8_t words)
{
	uint8_t *tcp = f->buf + f->l4;

	tcp[12] = (uint8_t)(words << 4 | (tcp[12] & 0x0f));
}

/* An 8-byte UDP header; the length is set by fb_finish(). */
static inline void fb_udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	f->l4 = f->len;
	frame_udp(fb_append(f, FB_UDP_HLEN), sport, dport, NULL, 0);
	fb_add_fix(f, FB_FIX_UDP, f->l4);
}

/* An 8-byte ICMP header: type, code, checksum (0), then @rest (identifier
 * and sequence for an echo, unused or MTU for errors). */
static inline void fb_icmp(struct fb *f, uint8_t type, uint8_t code, uint32_t rest)
{
	f->l4 = f->len;
	frame_icmp(fb_append(f, FB_ICMP_HLEN), type, code, rest, NULL, 0);
}

/* The 4-byte ICMPv6 header: type, code, checksum (0). The message body
 * (an echo's identifier and sequence, say) is payload. */
static inline void fb_icmp6(struct fb *f, uint8_t type, uint8_t code)
{
	uint8_t h[FRAME_ICMP_HLEN];

	f->l4 = f->len;
	frame_icmp(h, type, code, 0, NULL, 0);
	fb_bytes(f, h, FB_ICMP6_HLEN);
}

/* Sets every length field to reach the current end of the frame. */
static inline void fb_finish(struct fb *f)
{
	for (uint32_t i = 0; i < f->nfix; i++) {
		uint32_t off = f->fix[i].off;
		uint32_t n = f->len - off;
		uint8_t *p = f->buf + off;

		switch (f->fix[i].kind) {
		case FB_FIX_IPV4:
			frame_ipv4_set_len(p, n);
			break;
		case FB_FIX_IPV6:
			frame_ipv6_set_len(p, n);
			break;
		case FB_FIX_UDP:
			xdpi_put_be16(p + 4, (uint16_t)n); /* the UDP length field */
			break;
		}
	}
	f->nfix = 0;
}

/* Ethernet padding: @n zero bytes outside every length field. */
static inline void fb_pad(struct fb *f, uint32_t n)
{
	fb_append(f, n);
}

/* Pads the frame to at least @min bytes (60: the Ethernet minimum without
 * the FCS). */
static inline void fb_pad_to(struct fb *f, uint32_t min)
{
	if (f->len < min)
		fb_append(f, min - f->len);
}

/* Cuts the frame to its first @len bytes (a snap length, a runt). */
static inline void fb_trim(struct fb *f, uint32_t len)
{
	if (len > f->len)
		fb_die("fb_trim: longer than the frame");
	f->len = len;
}

/* An exactly sized heap copy of the first @len bytes; for @len 0 it is
 * malloc(0), which may be NULL. Free it with free(). */
static inline uint8_t *fb_dup_len(const struct fb *f, uint32_t len)
{
	uint8_t *p = malloc(len);

	if (!p && len)
		fb_die("out of memory");
	if (len)
		memcpy(p, f->buf, len);
	return p;
}

static inline uint8_t *fb_dup(const struct fb *f)
{
	return fb_dup_len(f, f->len);
}

#endif /* XDPI_TESTS_FRAMES_H */
