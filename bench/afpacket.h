/* SPDX-License-Identifier: MIT */
/*
 * The AF_PACKET receiver `xdpi bench` compares with, behind `xdpi
 * afpacket` too: libpcap (TPACKET_V3 ring on Linux) set up the way tcpdump
 * sets it up, counting frames. The caller owns the loop: it polls
 * afp_rx_fd() and calls afp_rx_dispatch() until it decides to stop.
 *
 * Concurrency: one thread per receiver.
 * Errors: afp_rx_open() returns NULL after logging why (util/log.h).
 */
#ifndef XDPI_BENCH_AFPACKET_H
#define XDPI_BENCH_AFPACKET_H

#include <stdint.h>

struct afp_rx;

struct afp_counts {
	uint64_t packets, bytes;
	unsigned int ps_recv, ps_drop, ps_ifdrop; /* libpcap's pcap_stats() */
};

/* A non-blocking capture of @ifname: 64 MiB ring, full snap length. */
struct afp_rx *afp_rx_open(const char *ifname);
/* The descriptor to poll for frames. */
int afp_rx_fd(const struct afp_rx *a);
/* One batch, never past @count frames in all (0: no limit): frames taken,
 * 0 when none was waiting, or negative on an error. */
int afp_rx_dispatch(struct afp_rx *a, uint64_t count);
/* Everything still waiting, up to @count (0: no limit). */
void afp_rx_drain(struct afp_rx *a, uint64_t count);
/* Frames and bytes counted, and the kernel's counts (pcap_stats()). */
void afp_rx_counts(struct afp_rx *a, struct afp_counts *out);
/* libpcap's version string, for the "ready" line. */
const char *afp_rx_lib_version(void);
/* Accepts NULL. */
void afp_rx_close(struct afp_rx *a);

#endif /* XDPI_BENCH_AFPACKET_H */
