/* SPDX-License-Identifier: MIT */
/*
 * What the steering XDP program costs per frame in the kernel, with and
 * without the time stamp it puts in front of each frame (issue 27): both
 * variants loaded (not attached) and run on the same 64-byte TCP SYN
 * through BPF_PROG_TEST_RUN, one frame per call so that each run starts
 * from a fresh frame (a repeated run would find the metadata of the one
 * before), alternating between the two. The kernel times each run; the
 * timer's own cost is in both figures and cancels in their difference.
 *
 * Errors: 0 or -errno, with the reason in @err.
 */
#ifndef XDPI_BENCH_XDPCOST_H
#define XDPI_BENCH_XDPCOST_H

#include <stddef.h>

struct xdp_cost {
	double plain_ns;   /* the plain program, no time stamp */
	double stamped_ns; /* the same with a time stamp per frame */
	unsigned runs;	   /* per variant */
};

int xdp_cost_measure(struct xdp_cost *out, unsigned runs, char *err, size_t err_len);

#endif /* XDPI_BENCH_XDPCOST_H */
