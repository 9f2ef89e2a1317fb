/* SPDX-License-Identifier: MIT */
/*
 * The generator's frame stamp, shared by bpf/gen.bpf.c (which writes it),
 * bench/ (which builds the template) and the receiver's --check-seq (which
 * reads it). Every generated frame says which flow it belongs to, its
 * sequence number within the flow, and when it was sent:
 *
 *   flow   = source port - XDPI_GEN_SPORT_BASE
 *   TCP:   sequence number field = flow sequence, ack field = send time
 *   UDP:   payload starts with magic, flow sequence, send time (be32 each)
 *
 * TCP keeps the stamp in header fields because a 64-byte TCP frame has six
 * payload bytes. Send time is the low 32 bits of CLOCK_MONOTONIC in
 * nanoseconds (bpf_ktime_get_ns), so one-way latency on one host is
 * (receive - send) mod 2^32, valid below 4.29 s.
 */
#ifndef XDPI_BPF_GEN_SHARED_H
#define XDPI_BPF_GEN_SHARED_H

#include <linux/types.h>

#define XDPI_GEN_SPORT_BASE 10000
#define XDPI_GEN_MAX_FLOWS 50000
#define XDPI_GEN_DPORT 5201
#define XDPI_GEN_UDP_MAGIC 0x58445049 /* "XDPI" */
#define XDPI_GEN_UDP_STAMP 12	      /* bytes of UDP payload it takes */

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

#endif /* XDPI_BPF_GEN_SHARED_H */
