/* SPDX-License-Identifier: MIT */
/*
 * Test hooks of a live run (docs/testing.md): faults a test asks for
 * through the environment, read once when the capture opens, so that the
 * rest of the capture takes them as plain settings:
 *   XDPI_TEST_FAIL_WORKER=I     worker I's start fails with EAGAIN, as a
 *                               failed pthread_create would
 *   XDPI_TEST_STALL_QUEUE=Q:MS  queue Q's worker pauses MS ms after its
 *                               first batch, as a descheduled thread would
 *   XDPI_TEST_SLOW_QUEUE=Q:US   queue Q's worker pauses US us after every
 *                               batch: slower than its traffic, as on a
 *                               NIC at line rate (veth's sender is slower
 *                               than a worker)
 *   XDPI_TEST_SANDBOX_FAILS=Q   queue Q's worker fails to enter its sandbox
 *   XDPI_TEST_CONN_SLOTS=N      --connections' queue holds N records (a
 *                               power of two), to fill it on purpose
 *   XDPI_TEST_NO_TCX=1          the egress hook takes the clsact path where
 *                               the kernel has tcx
 *   XDPI_TEST_META_IN_HEAD=1    the XDP program puts each frame's struct
 *                               xdpi_rx_meta in the frame's head, as on a
 *                               kernel that refuses bpf_xdp_adjust_meta()
 * None changes anything when unset.
 */
#ifndef XDPI_CAPTURE_TESTHOOKS_H
#define XDPI_CAPTURE_TESTHOOKS_H

#include <stdbool.h>
#include <stdint.h>

struct capture_test_hooks {
	int fail_worker;	 /* -1: none */
	int stall_queue;	 /* -1: none */
	uint64_t stall_ns;	 /* once, after the first batch */
	int slow_queue;		 /* -1: none */
	uint64_t delay_ns;	 /* after every batch */
	int sandbox_fails_queue; /* -1: none */
	uint32_t conn_slots;	 /* 0: the capture's own */
	bool no_tcx;
	bool meta_in_head;
};

/* Reads the variables above into @h (all off when unset). */
void capture_test_hooks_read(struct capture_test_hooks *h);

#endif /* XDPI_CAPTURE_TESTHOOKS_H */
