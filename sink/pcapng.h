/* SPDX-License-Identifier: MIT */
/*
 * `-w FILE`: what was inspected, as pcapng (the format tcpdump, tshark and
 * xdpdump read), one interface block per RX queue ("IFACE rx N", so that a
 * reader sees which queue each frame came through), nanosecond time
 * stamps, the wire length next to the captured one.
 *
 * libpcap writes only the older pcap format; pcapng's blocks are simple
 * (section header, interface description, enhanced packet: RFC draft
 * draft-ietf-opsawg-pcapng), so they are written here.
 *
 * The writer drains taps (inspect/tap.h) on a thread of its own, so the
 * threads that inspect never touch the file: pcapng_writer_start() with
 * the taps, pcapng_writer_stop() once their producers are done (it drains
 * what is left, then closes the file).
 *
 * Concurrency: the writer thread owns the file; the functions here are for
 * the one controlling thread.
 * Errors: 0 or a negative errno, with a reason in @err where there is one.
 */
#ifndef XDPI_EXPORT_PCAPNG_H
#define XDPI_EXPORT_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../inspect/tap.h"

struct pcapng_writer;

/* Opens @path ("-": stdout; a file through util/outfile.h: not through a
 * symbolic link, only a regular file, truncated once known to be one) and
 * writes the section header naming @application. One interface per tap,
 * named "@ifname rx @queue". */
int pcapng_writer_open(struct pcapng_writer **out, const char *path, const char *application,
		       const char *ifname, struct tap *taps, int ntaps, char *err, size_t err_len);
/* Starts draining the taps on the writer thread; with @sandbox it gives up
 * every privilege and enters its seccomp filter (util/sandbox.h) first. */
int pcapng_writer_start(struct pcapng_writer *w, bool sandbox);
/* Drains, stops, flushes and closes (also when never started); the frames
 * written in *@frames (if not NULL). Returns the first write error, or 0.
 * Frees @w; accepts NULL. */
int pcapng_writer_stop(struct pcapng_writer *w, uint64_t *frames);

#endif /* XDPI_EXPORT_PCAPNG_H */
