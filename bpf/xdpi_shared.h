/* SPDX-License-Identifier: MIT */
/*
 * Types shared by the XDP program (bpf/xdpi.bpf.c) and userspace: the
 * traffic filter (a built-in classification, or a pcap-filter expression
 * compiled to classic BPF for the program's interpreter) and the per-queue
 * kernel-side counters the drop ledger compares against.
 */
#ifndef XDPI_BPF_SHARED_H
#define XDPI_BPF_SHARED_H

#include <linux/types.h>

/* XSKMAP and counter slots: queue ids at or above this are passed. */
#define XDPI_MAX_QUEUES 256

/* Which frames are steered to the sockets; the rest pass to the kernel. */
enum xdpi_filter_kind {
	XDPI_FILTER_TCP = 0, /* IP protocol (after IPv6 extensions) TCP */
	XDPI_FILTER_UDP,     /* likewise UDP */
	XDPI_FILTER_IP,	     /* any IPv4 or IPv6 packet */
	XDPI_FILTER_ALL,     /* every frame */
	XDPI_FILTER_EXPR,    /* a classic BPF program (libpcap's), interpreted */
	XDPI_FILTER__MAX,
};
/* The kinds before this one are built in and named by a keyword. */
#define XDPI_FILTER__BUILTIN XDPI_FILTER_EXPR

/* One classic BPF instruction, laid out as the kernel's struct sock_filter
 * and libpcap's struct bpf_insn (neither header can be included beside the
 * other, nor in the BPF program). */
struct xdpi_cbpf_insn {
	__u16 code;
	__u8 jt;
	__u8 jf;
	__u32 k;
};

/* The most instructions the XDP program's interpreter holds (and so runs:
 * jumps only go forward). libpcap's programs for common expressions take
 * 10 to 40. */
#define XDPI_CBPF_MAX_INSNS 256
/* Scratch memory words, M[0..15], as in classic BPF. */
#define XDPI_CBPF_MEMWORDS 16

/* IPv6 extension headers the program walks before giving up (and passing);
 * the userspace filter applies the same limit so both agree. */
#define XDPI_FILTER_IPV6_EXT_MAX 8

/* Per queue, per CPU; userspace sums the CPUs. */
struct xdpi_queue_stats {
	__u64 seen;
	__u64 seen_bytes;
	__u64 passed;	  /* not wanted: to the kernel untouched */
	__u64 redirected; /* bpf_redirect_map() said XDP_REDIRECT */
	__u64 redirected_bytes;
	__u64 redirect_failed; /* wanted, but no socket on the queue: passed */
	__u64 dropped;	       /* wanted, dropped in count-and-drop mode */
	__u64 stopping_passed; /* wanted, passed while xdpi shuts down */
	/* Passive mode: wanted frames are copied, and every frame passes. */
	__u64 copied;	   /* a record in the queue's ring */
	__u64 copy_failed; /* the ring was full: not copied */
	/* Passive, frames sent (the tc egress program, --direction out or
	 * inout), counted under the queue whose ring takes their copies. */
	__u64 seen_out;
	__u64 copied_out;
	__u64 copy_out_failed;
};

/*
 * What the NIC knew of a frame beyond its bytes (docs/live.md, "Metadata"),
 * written by the XDP program's metadata variant in front of each redirected
 * frame: the VLAN tag the NIC stripped, its RSS hash and its hardware
 * receive time, asked of the driver through the bpf_xdp_metadata_rx_*
 * kfuncs (Linux 6.3; the VLAN tag 6.8). A field the driver did not give has
 * its flag clear. The worker reads it at the frame's address minus its size
 * and clears magic, so a later frame without metadata in the same UMEM
 * frame cannot pass for one with it.
 */
enum {
	XDPI_META_VLAN = 1 << 0,
	XDPI_META_HASH = 1 << 1,
	XDPI_META_TIMESTAMP = 1 << 2,
	/* No hardware time: rx_timestamp_ns is the program's own
	 * bpf_ktime_get_ns() (CLOCK_MONOTONIC) when it saw the frame. */
	XDPI_META_MONO_TIME = 1 << 3,
};
#define XDPI_META_MAGIC 0x7864
struct xdpi_rx_meta {
	__u64 rx_timestamp_ns; /* the NIC's clock (usually PHC, TAI or UTC), or
				* CLOCK_MONOTONIC with XDPI_META_MONO_TIME */
	__u32 rx_hash;
	__u32 rx_hash_type; /* the kernel's enum xdp_rss_hash_type */
	__u16 vlan_tci;	    /* host order */
	__u16 vlan_proto;   /* host order: 0x8100 or 0x88a8 */
	__u16 flags;	    /* XDPI_META_* */
	__u16 magic;	    /* XDPI_META_MAGIC */
};
/* Per queue, per CPU: how often each field came with a redirected frame,
 * and how often there was no room for the metadata at all. */
struct xdpi_meta_stats {
	__u64 vlan;
	__u64 hash;
	__u64 timestamp;
	__u64 no_room;	    /* no room in front of the frame: it went without (passed
			     * to the kernel where the struct goes in its head) */
	__u64 multi_buffer; /* wanted frames longer than their first buffer */
};
/*
 * Passive mode: a record per wanted frame in the BPF ring buffer of its RX
 * queue: the first cap_len bytes (at most the snap length), the length on
 * the wire (all fragments of a multi-buffer frame; a frame sent may be a
 * GSO packet the NIC cuts into several, as tcpdump sees it) and when the
 * program saw it (bpf_ktime_get_ns(): CLOCK_MONOTONIC). Frames sent come
 * from the tc egress program into the ring bpf/xdpi.bpf.c's out_queue
 * picks for their TX queue, flagged XDPI_COPY_OUT.
 */
enum {
	XDPI_COPY_OUT = 1 << 0,
};
struct xdpi_copy_rec {
	__u64 ts_ns;
	__u32 wire_len;
	__u16 cap_len;
	__u16 flags; /* XDPI_COPY_* */
	__u8 data[];
};

/*
 * The largest snap length: the largest frame xdpi takes (--max-frame's
 * bound, 65,535 bytes: a 64 KiB IP datagram's frame, split into XDP
 * fragments), which is also what cap_len and bpf_xdp_load_bytes() (a
 * length above 0xffff fails) hold. A record may be longer than a page:
 * the kernel and the reader (xsk/copyring.h) see a ring's data pages
 * mapped twice in a row, so a record that wraps is contiguous; what bounds
 * it is the ring, which must hold a whole record
 * (XDPI_COPY_REC_SIZE(snaplen) < --ring-size: the kernel keeps the producer
 * less than the ring ahead; checked by userspace).
 */
#define XDPI_SNAPLEN_MAX 65535
/* Bytes a record of @snap bytes of frame takes in a ring: the kernel's
 * 8-byte header, struct xdpi_copy_rec, rounded up to 8. */
#define XDPI_COPY_REC_SIZE(snap) ((((snap) + 16u + 8u) + 7u) & ~7u)
/* Ring sizes are a power of two and a multiple of the page size. */
#define XDPI_COPY_RING_MIN 4096

#endif /* XDPI_BPF_SHARED_H */
