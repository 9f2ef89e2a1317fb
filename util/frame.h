/* SPDX-License-Identifier: MIT */
/*
 * The frame builder: Ethernet (with VLAN tags), ARP, IPv4, IPv6 and its
 * extension headers, TCP, UDP and ICMP/ICMPv6, and the Internet checksum.
 * Everything that makes frames uses it: the unit tests (tests/frames.h), the
 * pcap generators of the tests and of the offline benchmark
 * (tests/tool_pcapgen.c, bench/mkcapture.c) and the live generator's
 * template frame (bench/generator.c).
 *
 * Each writer puts one header at @p, in a buffer the caller owns, and
 * returns its length; the caller chains them in wire order:
 *
 *	const struct frame_ipv4 ip4 = {
 *		.src = 0x0a000001, .dst = 0x0a000002, .ttl = 64,
 *		.proto = IPPROTO_UDP, .payload_len = FRAME_UDP_HLEN + 4,
 *	};
 *	uint8_t buf[64], *ip, *udp;
 *	size_t n, l4len;
 *
 *	n = frame_eth(buf, dst_mac, src_mac, NULL, 0, ETH_P_IP);
 *	ip = buf + n;
 *	n += frame_ipv4(ip, &ip4);
 *	udp = buf + n;
 *	l4len = frame_udp(udp, 1234, 53, "abcd", 4);
 *	frame_l4_csum(udp, l4len, IPPROTO_UDP,
 *		      frame_pseudo4(ip + 12, ip + 16, IPPROTO_UDP, l4len));
 *	n += l4len;
 *
 * Multi-byte values are in host order and written big-endian, IPv4
 * addresses included; MAC and IPv6 addresses are byte arrays as on the
 * wire. A writer sets every byte of the header it returns, whatever the
 * buffer held. The L4 writers count a payload after their header: given,
 * they copy it there; NULL leaves those bytes as they are (the caller
 * writes them, before or after), and the returned length still counts them.
 *
 * No allocation and no state: any thread may call any function.
 * Errors: the writers that can be given an impossible header (options that
 * do not fit) return 0 and write nothing; the others cannot fail.
 */
#ifndef XDPI_UTIL_FRAME_H
#define XDPI_UTIL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define FRAME_ETH_HLEN 14
#define FRAME_VLAN_HLEN 4
#define FRAME_ARP_LEN 28 /* Ethernet/IPv4 ARP */
#define FRAME_IPV4_HLEN 20
#define FRAME_IPV6_HLEN 40
#define FRAME_IPV6_FRAG_HLEN 8
#define FRAME_TCP_HLEN 20
#define FRAME_UDP_HLEN 8
#define FRAME_ICMP_HLEN 8 /* ICMP and ICMPv6: type, code, checksum, 4 more */
#define FRAME_OPTS_MAX 40 /* IPv4 or TCP options a header can hold */

/* The IPv4 flags and fragment offset field. */
#define FRAME_IP_DF 0x4000
#define FRAME_IP_MF 0x2000

/* TCP flags: byte 13, and the AE (formerly NS) bit of byte 12 as bit 8. */
#define FRAME_TCP_FIN 0x01
#define FRAME_TCP_SYN 0x02
#define FRAME_TCP_RST 0x04
#define FRAME_TCP_PSH 0x08
#define FRAME_TCP_ACK 0x10
#define FRAME_TCP_URG 0x20
#define FRAME_TCP_ECE 0x40
#define FRAME_TCP_CWR 0x80
#define FRAME_TCP_AE 0x100

/* ---- checksums (RFC 1071) ---- */

/* Adds @len bytes at @data to the partial sum @sum (an odd last byte is
 * padded with zero) and returns the new partial sum, folded to 16 bits so
 * that the caller may add to it. Start with 0. */
uint32_t frame_csum_add(uint32_t sum, const void *data, size_t len);
/* The checksum field of a partial sum: folded and complemented. */
uint16_t frame_csum_fold(uint32_t sum);
/* The checksum of @len bytes: what an IPv4 header's checksum field holds
 * when it was 0 in the bytes summed. */
uint16_t frame_csum(const void *data, size_t len);
/* Partial sums of the pseudo-headers of TCP, UDP and ICMPv6: source and
 * destination address (4 or 16 bytes), protocol, @len bytes of L4 header
 * and payload. */
uint32_t frame_pseudo4(const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t len);
uint32_t frame_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t len);
/* Sets the checksum field of the TCP, UDP, ICMP or ICMPv6 message at @l4
 * (@len bytes, header and payload), over the message and the partial sum
 * @pseudo (frame_pseudo4() or frame_pseudo6(); ICMP over IPv4 has no
 * pseudo-header, @pseudo is ignored). A UDP checksum that comes out 0 is
 * sent as 0xffff (RFC 768). Other protocols are left as they are. */
void frame_l4_csum(uint8_t *l4, size_t len, uint8_t proto, uint32_t pseudo);

/* ---- link layer ---- */

struct frame_vlan {
	uint16_t tpid; /* ETH_P_8021Q, ETH_P_8021AD (a QinQ outer tag), ... */
	uint16_t tci;  /* priority, DEI, VLAN id */
};

/* Destination and source MAC, @ntags VLAN tags (@tags[0] outermost), then
 * @type. Returns FRAME_ETH_HLEN + @ntags * FRAME_VLAN_HLEN. */
size_t frame_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, const struct frame_vlan *tags,
		 size_t ntags, uint16_t type);
/* One VLAN tag for a builder that goes field by field: its TPID is the
 * type field just written; @tci, then the type of what follows. Returns
 * FRAME_VLAN_HLEN. */
size_t frame_vlan(uint8_t *p, uint16_t tci, uint16_t type);
/* An Ethernet/IPv4 ARP message: operation @op (1 request, 2 reply), sender
 * and target hardware and protocol addresses (@tha NULL: zero). Returns
 * FRAME_ARP_LEN. */
size_t frame_arp(uint8_t *p, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
		 uint32_t tpa);

/* ---- IP ---- */

struct frame_ipv4 {
	uint32_t src, dst;
	size_t payload_len; /* what follows the header; total length = header + this */
	uint16_t id;
	uint16_t frag; /* FRAME_IP_DF, FRAME_IP_MF | offset in 8-byte units */
	uint8_t ttl;
	uint8_t proto;
	const uint8_t *opts; /* raw options, padded with EOL (0) to a multiple of 4 */
	size_t opts_len;     /* at most FRAME_OPTS_MAX */
};

/* An IPv4 header with its options and checksum. Returns its length (20 to
 * 60), or 0 if the options do not fit. */
size_t frame_ipv4(uint8_t *p, const struct frame_ipv4 *ip);
/* Sets the total length of the IPv4 header at @ip to @len (header
 * included) and computes its checksum again, over the header length it
 * states. For builders that know the length only at the end. */
void frame_ipv4_set_len(uint8_t *ip, size_t len);

struct frame_ipv6 {
	const uint8_t *src, *dst; /* 16 bytes each */
	size_t payload_len;	  /* what follows the header, extension headers included */
	uint32_t flow;		  /* flow label, 20 bits */
	uint8_t next;
	uint8_t hops;
};

/* An IPv6 header. Returns FRAME_IPV6_HLEN. */
size_t frame_ipv6(uint8_t *p, const struct frame_ipv6 *ip);
/* Sets the payload length of the IPv6 header at @ip for a packet of @len
 * bytes, header included. */
void frame_ipv6_set_len(uint8_t *ip, size_t len);
/* An extension header of (@len8 + 1) * 8 bytes: @next, @len8, then zeros
 * for the caller to fill (in an options header, zeros are Pad1 options).
 * Returns its length. */
size_t frame_ipv6_ext(uint8_t *p, uint8_t next, uint8_t len8);
/* A hop-by-hop or destination options header of (@len8 + 1) * 8 bytes:
 * the TLV options @opts, then Pad1 or PadN to the end. Returns its length,
 * or 0 if the options do not fit. */
size_t frame_ipv6_opts(uint8_t *p, uint8_t next, uint8_t len8, const uint8_t *opts,
		       size_t opts_len);
/* A fragment header: offset in 8-byte units, @more the M flag. Returns
 * FRAME_IPV6_FRAG_HLEN. */
size_t frame_ipv6_frag(uint8_t *p, uint8_t next, uint16_t offset8, bool more, uint32_t id);

/* ---- L4: each returns its header and @len bytes of payload ---- */

struct frame_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t flags; /* FRAME_TCP_* */
	uint16_t window;
	const uint8_t *opts; /* raw options, padded with EOL (0) to a multiple of 4 */
	size_t opts_len;     /* at most FRAME_OPTS_MAX */
};

/* A TCP header with its options (checksum 0), then the payload. Returns 0
 * if the options do not fit. */
size_t frame_tcp(uint8_t *p, const struct frame_tcp *tcp, const void *payload, size_t len);
/* A UDP header (length: header and @len, checksum 0), then the payload. */
size_t frame_udp(uint8_t *p, uint16_t sport, uint16_t dport, const void *payload, size_t len);
/* An ICMP or ICMPv6 header: type, code, checksum 0, then @rest (an echo's
 * identifier and sequence, an error's unused word or MTU), then the
 * payload. */
size_t frame_icmp(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest, const void *payload,
		  size_t len);

#endif /* XDPI_UTIL_FRAME_H */
