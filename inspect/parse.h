/* SPDX-License-Identifier: MIT */
/*
 * Packet header parser.
 *
 * pkt_parse() reads an Ethernet frame in place (a pcap buffer or a UMEM
 * frame), never past @len, and fills a struct pkt_info with offsets and the
 * few fields the metrics and later peeks need. It allocates nothing, copies
 * no payload, and has no output-format branches: one parse serves the
 * summary, JSON and any future exporter.
 *
 * A header that is cut short or inconsistent sets pi->malformed to the first
 * reason found; everything parsed before that point stays valid, so metrics
 * can still count the frame at the layers it reached.
 *
 * Error convention: the parser cannot fail; malformed input is a result, not
 * an error.
 */
#ifndef XDPI_INSPECT_PARSE_H
#define XDPI_INSPECT_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* The parser accepts at most this many VLAN tags; a third makes l3 "other". */
#define PKT_MAX_VLANS 2

enum pkt_l3 {
	PKT_L3_OTHER = 0,
	PKT_L3_IPV4,
	PKT_L3_IPV6,
	PKT_L3_ARP,
	PKT_L3__MAX,
};

/* PKT_L4_NONE: not an IP packet. Every IP packet gets exactly one of the
 * others, so the l4 counters sum to ipv4 + ipv6. */
enum pkt_l4 {
	PKT_L4_NONE = 0,
	PKT_L4_TCP,
	PKT_L4_UDP,
	PKT_L4_ICMP,
	PKT_L4_ICMPV6,
	PKT_L4_OTHER,
	PKT_L4__MAX,
};

/* Order is the JSON order; names live in pkt_malformed_name(). */
enum pkt_malformed {
	PKT_OK = 0,
	PKT_MAL_ETH_TRUNCATED,
	PKT_MAL_VLAN_TRUNCATED,
	PKT_MAL_ARP_TRUNCATED,
	PKT_MAL_IPV4_TRUNCATED,
	PKT_MAL_IPV4_VERSION,
	PKT_MAL_IPV4_HEADER_LENGTH,
	PKT_MAL_IPV4_TOTAL_LENGTH,
	PKT_MAL_IPV6_TRUNCATED,
	PKT_MAL_IPV6_VERSION,
	PKT_MAL_IPV6_PAYLOAD_LENGTH,
	PKT_MAL_IPV6_EXT_TRUNCATED,
	PKT_MAL_TCP_TRUNCATED,
	PKT_MAL_TCP_DATA_OFFSET,
	PKT_MAL_TCP_OPTIONS,
	PKT_MAL_UDP_TRUNCATED,
	PKT_MAL_UDP_LENGTH,
	PKT_MAL_ICMP_TRUNCATED,
	PKT_MAL_ICMPV6_TRUNCATED,
	PKT_MAL__MAX,
};

/* TCP flag bits as on the wire (byte 13 of the header). */
enum {
	PKT_TCP_FIN = 0x01,
	PKT_TCP_SYN = 0x02,
	PKT_TCP_RST = 0x04,
	PKT_TCP_PSH = 0x08,
	PKT_TCP_ACK = 0x10,
	PKT_TCP_URG = 0x20,
	PKT_TCP_ECE = 0x40,
	PKT_TCP_CWR = 0x80,
};

/* Which TCP options were present (pkt_tcp_opts.present bits). */
enum {
	PKT_TCPOPT_MSS = 1 << 0,
	PKT_TCPOPT_WSCALE = 1 << 1,
	PKT_TCPOPT_SACK_PERM = 1 << 2,
	PKT_TCPOPT_TIMESTAMP = 1 << 3,
};

struct pkt_tcp_opts {
	uint8_t present;
	uint8_t wscale;
	uint16_t mss;
	uint32_t ts_val;
	uint32_t ts_ecr;
};

/*
 * Offsets are from the start of the frame. Fields are in host order.
 * Addresses are not copied: src_addr/dst_addr point into the frame (4 bytes
 * for IPv4, 16 for IPv6) and are valid while the frame is.
 */
struct pkt_info {
	uint8_t l3;	   /* enum pkt_l3 */
	uint8_t l4;	   /* enum pkt_l4 */
	uint8_t malformed; /* enum pkt_malformed, PKT_OK if none */
	uint8_t vlan_count;
	uint16_t vlan_id[PKT_MAX_VLANS]; /* 0 past vlan_count */
	uint16_t ethertype; /* after the VLAN tags */
	uint8_t ip_proto;   /* L4 protocol number (after IPv6 extensions) */
	bool ip_fragment;   /* any IPv4/IPv6 fragment, first or not */
	bool l4_complete;   /* the L4 header was read in full */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint16_t sport, dport; /* TCP and UDP */

	const uint8_t *src_addr; /* NULL unless an IP base header was read */
	const uint8_t *dst_addr;

	uint32_t l3_off;
	uint32_t l4_off; /* valid when l4 != NONE and the header was reached */
	uint32_t payload_off;
	uint32_t ip_len;      /* IPv4 total length, IPv6 40 + payload length */
	uint32_t l4_len;      /* ip_len minus IP header and extensions */
	uint32_t payload_len; /* L4 payload by the headers (padding excluded) */

	/* TCP only: zero unless l4 is TCP and l4_complete. */
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_window;
	struct pkt_tcp_opts tcp_opts;
} __attribute__((aligned(16)));

/*
 * Parses a frame of @wire_len bytes on the wire of which @cap_len are at
 * @data (a pcap snap length may cut it; live frames are whole). Reads stay
 * within @cap_len; length fields are checked against @wire_len, so a frame
 * cut by the capture is not malformed unless a header it needs is cut.
 * Always fills *pi.
 */
void pkt_parse_wire(const uint8_t *data, uint32_t cap_len, uint32_t wire_len, struct pkt_info *pi);

/*
 * The same for a frame whose outermost VLAN tag (TCI @tci) the NIC stripped
 * and handed over beside it (struct xdpi_rx_meta): the result is the one
 * pkt_parse_wire() gives for the frame with the tag put back, except that
 * offsets stay those of @data, which has no tag. @wire is @data's length on
 * the wire, without the tag (the frame was 4 bytes longer).
 */
void pkt_parse_stripped(const uint8_t *data, uint32_t cap_len, uint32_t wire_len, uint16_t tci,
			struct pkt_info *pi);
/* Parses a whole frame of @len bytes. */
static inline void pkt_parse(const uint8_t *data, uint32_t len, struct pkt_info *pi)
{
	pkt_parse_wire(data, len, len, pi);
}

/* Stable lower-case names for JSON keys and tables. */
const char *pkt_l3_name(enum pkt_l3 l3);
const char *pkt_l4_name(enum pkt_l4 l4);
const char *pkt_malformed_name(enum pkt_malformed reason);

#endif /* XDPI_INSPECT_PARSE_H */
