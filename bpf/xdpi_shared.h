/* SPDX-License-Identifier: MIT */
/*
 * Types shared by the XDP program (bpf/xdpi.bpf.c) and userspace: the
 * traffic filter and the per-queue kernel-side counters the drop ledger
 * compares against.
 */
#ifndef XDPI_BPF_SHARED_H
#define XDPI_BPF_SHARED_H

#include <linux/types.h>

/* XSKMAP and counter slots: queue ids at or above this are passed. */
#define XDPI_MAX_QUEUES 256

/* Which frames are steered to the sockets; the rest pass to the kernel. */
enum xdpi_filter {
	XDPI_FILTER_TCP = 0, /* IP protocol (after IPv6 extensions) TCP */
	XDPI_FILTER_UDP,     /* likewise UDP */
	XDPI_FILTER_IP,	     /* any IPv4 or IPv6 packet */
	XDPI_FILTER_ALL,     /* every frame */
	XDPI_FILTER__MAX,
};

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
};

/*
 * Passive mode: a record per wanted frame in the BPF ring buffer of its RX
 * queue: the first cap_len bytes (at most the snap length), the length on
 * the wire (all fragments of a multi-buffer frame) and when the XDP program
 * saw it (bpf_ktime_get_ns(): CLOCK_MONOTONIC).
 */
struct xdpi_copy_rec {
	__u64 ts_ns;
	__u32 wire_len;
	__u32 cap_len;
	__u8 data[];
};

/* The largest snap length: one page less the record and ring headers. */
#define XDPI_SNAPLEN_MAX 4064
/* Ring sizes are a power of two and a multiple of the page size. */
#define XDPI_COPY_RING_MIN 4096

#endif /* XDPI_BPF_SHARED_H */
