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
};

#endif /* XDPI_BPF_SHARED_H */
