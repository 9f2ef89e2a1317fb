/* SPDX-License-Identifier: MIT */
/*
 * The generator's loop (`xdpi gen --method loop`, bpf/gen.bpf.c says how it
 * works): a veth pair of its own in the generator's network namespace,
 * named after the process (xdpi-l<pid>a and b), with no address, no IPv6
 * and one queue a side. The frames that go round it are seeded through its
 * far end with a packet socket.
 *
 * One owner: gen_loop_pair_create() makes the pair, gen_loop_pair_destroy()
 * deletes it, also after a failed create. A process killed in between
 * leaves the pair, idle: no program stays attached to it (the generator
 * attaches its program through a BPF link, which the kernel removes with
 * the process), and `ip link del xdpi-l<pid>a` removes it.
 *
 * Errors: 0 or a negative errno, with a one-line reason in @err.
 */
#ifndef XDPI_BENCH_GENLOOP_H
#define XDPI_BENCH_GENLOOP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gen_loop_pair {
	char a[IF_NAMESIZE]; /* the program's end */
	char b[IF_NAMESIZE]; /* the far end: seeds go in here, rounds come back through it */
	int a_index, b_index;
	bool made;
};

/* Makes the pair, both ends up with MTU @mtu (0: the default). */
int gen_loop_pair_create(struct gen_loop_pair *p, uint32_t mtu, char *err, size_t err_len);
void gen_loop_pair_destroy(struct gen_loop_pair *p);

/* Sends @frame (@len bytes, no FCS) @n times out of the far end, so that
 * it arrives at the program's end: returns how many went, or -errno. */
int gen_loop_seed(const struct gen_loop_pair *p, const uint8_t *frame, size_t len, int n);

#endif /* XDPI_BENCH_GENLOOP_H */
