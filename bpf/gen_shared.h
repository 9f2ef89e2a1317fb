/* SPDX-License-Identifier: MIT */
/*
 * The generator's frame stamp, shared by bpf/gen.bpf.c and bench/ (which
 * write it with xdpi_gen_stamp(): the BPF program in every live frame,
 * userspace in the pcap sample and on the AF_XDP path) and the receiver's
 * --check-seq (which reads it). Every generated frame says which flow it
 * belongs to, its sequence number within the flow, and when it was sent:
 *
 *   flow   = source port - XDPI_GEN_SPORT_BASE
 *   TCP:   sequence number field = flow sequence, ack field = send time
 *   UDP:   payload starts with magic, flow sequence, send time (be32 each)
 *
 * TCP keeps the stamp in header fields because a 64-byte TCP frame has six
 * payload bytes. Send time is the low 32 bits of CLOCK_MONOTONIC in
 * nanoseconds (bpf_ktime_get_ns), so one-way latency on one host is
 * (receive - send) mod 2^32, valid below 4.29 s.
 *
 * The second stamp (`xdpi gen --stamp pktgen`, UDP only) is the kernel
 * pktgen's own: struct pktgen_hdr of net/core/pktgen.c, first in the UDP
 * payload, four big-endian words: magic, sequence number (a pktgen device
 * numbers its frames from 1), send time as the seconds (low 32 bits) and
 * microseconds of CLOCK_REALTIME; the rest of the payload is zero, as the
 * kernel writes it. The flow is still the source port, as above.
 */
#ifndef XDPI_BPF_GEN_SHARED_H
#define XDPI_BPF_GEN_SHARED_H

#include <linux/types.h>

#define XDPI_GEN_SPORT_BASE 10000
#define XDPI_GEN_MAX_FLOWS 50000
#define XDPI_GEN_DPORT 5201
#define XDPI_GEN_UDP_MAGIC 0x58445049 /* "XDPI" */
#define XDPI_GEN_UDP_STAMP 12	      /* bytes of UDP payload it takes */

#define XDPI_PKTGEN_MAGIC 0xbe9be955
#define XDPI_PKTGEN_HLEN 16	/* struct pktgen_hdr */
#define XDPI_PKTGEN_FIRST_SEQ 1 /* pktgen_clear_counters(): seq_num = 1 */

/* Which stamp the generator writes (the rodata `stamp` of gen.bpf.c). */
enum xdpi_gen_stamp_kind {
	XDPI_STAMP_XDPI = 0,
	XDPI_STAMP_PKTGEN,
};

/* Per CPU: which sender thread runs there, and its progress. Frame n of
 * thread t of T goes to flow t + T * (n % mine) with sequence n / mine,
 * mine = ceil((flows - t) / T); the program steps slot and seq instead of
 * dividing per frame. */
struct xdpi_gen_cpu {
	__u64 frames; /* frames this CPU's thread has generated */
	__u32 thread; /* index of the sender thread pinned to this CPU */
	__u32 threads;
	__u32 mine; /* flows this thread owns, set by userspace */
	__u32 slot; /* n % mine */
	__u32 seq;  /* n / mine */
};

/* The loop's control and counters (bpf/gen.bpf.c, `--method loop`):
 * userspace sets the first four before it sends the seed frames and
 * `stop` at the end; the program keeps the rest. */
struct xdpi_gen_loop {
	__u64 count;		  /* frames to send; 0: until the deadline */
	__u64 deadline_ns;	  /* bpf_ktime_get_ns(): no frame sent from then on */
	__u64 rate;		  /* frames per second; 0: as fast as the loop goes */
	__u64 lag_max;		  /* paced: the most frames a schedule catches up */
	__u64 rounds;		  /* frames of ours the program saw */
	__u64 retired;		  /* of those, dropped: the loop is over */
	__u64 base_ns, base_sent; /* paced: frames due = base_sent + rate * (now - base_ns) */
	__u64 fell_behind;	  /* paced: frames never sent, the schedule restarted */
	__u32 stop;
	__u32 pad;
};

/* Big-endian stores, byte by byte: the same code compiles for BPF and for
 * userspace (no bpf_htonl() or htonl()). */
static inline __attribute__((always_inline)) void xdpi_gen_put16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static inline __attribute__((always_inline)) void xdpi_gen_put32(__u8 *p, __u32 v)
{
	xdpi_gen_put16(p, (__u16)(v >> 16));
	xdpi_gen_put16(p + 2, (__u16)v);
}

/* Stamps the frame whose L4 header is at @l4 (TCP, or UDP if @udp) as
 * above: 20 bytes from @l4 must be there (TCP header fields up to the ack
 * number, or the UDP header and its 12 bytes of stamp). */
static inline __attribute__((always_inline)) void xdpi_gen_stamp(__u8 *l4, int udp, __u32 flow,
								 __u32 seq, __u32 now)
{
	xdpi_gen_put16(l4, (__u16)(XDPI_GEN_SPORT_BASE + flow));
	if (udp) {
		xdpi_gen_put32(l4 + 8, XDPI_GEN_UDP_MAGIC);
		xdpi_gen_put32(l4 + 12, seq);
		xdpi_gen_put32(l4 + 16, now);
	} else {
		xdpi_gen_put32(l4 + 4, seq);
		xdpi_gen_put32(l4 + 8, now);
	}
}

/* Stamps the UDP frame whose L4 header is at @l4 as pktgen does: source
 * port of @flow, then the pktgen header for the @seq-th frame of the flow
 * (from 0; pktgen's number is @seq + 1) sent at @sec.@usec (CLOCK_REALTIME;
 * 0.0 is pktgen's NO_TIMESTAMP). 24 bytes from @l4 must be there. */
static inline __attribute__((always_inline)) void
xdpi_gen_stamp_pktgen(__u8 *l4, __u32 flow, __u32 seq, __u32 sec, __u32 usec)
{
	xdpi_gen_put16(l4, (__u16)(XDPI_GEN_SPORT_BASE + flow));
	xdpi_gen_put32(l4 + 8, XDPI_PKTGEN_MAGIC);
	xdpi_gen_put32(l4 + 12, seq + XDPI_PKTGEN_FIRST_SEQ);
	xdpi_gen_put32(l4 + 16, sec);
	xdpi_gen_put32(l4 + 20, usec);
}

/* --src-ips N: the IPv4 source of frame @seq of @flow is the @n addresses
 * from @base, round robin over (seq, flow), so a run of F flows offers up
 * to F * n five-tuples (a flow table under churn, spoofed sources). @ip is
 * the IPv4 header (20 bytes, no options); its checksum is updated from the
 * address in the frame (RFC 1624), whatever an earlier run left there. */
static inline __attribute__((always_inline)) void xdpi_gen_spoof(__u8 *ip, __u32 base, __u32 n,
								 __u32 flows, __u32 flow, __u32 seq)
{
	__u32 src = base + (__u32)(((__u64)seq * flows + flow) % n);
	__u32 sum = (__u32)(__u16) ~(((__u32)ip[10] << 8) | ip[11]);

	for (int i = 0; i < 4; i += 2) {
		sum += (__u16) ~(((__u32)ip[12 + i] << 8) | ip[13 + i]);
		sum += (__u16)(src >> (16 - 8 * i));
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	xdpi_gen_put32(ip + 12, src);
	xdpi_gen_put16(ip + 10, (__u16)~sum);
}

#endif /* XDPI_BPF_GEN_SHARED_H */
