/* SPDX-License-Identifier: MIT */
/*
 * Offline source: runs each frame of a pcap or pcapng file, read through
 * libpcap (both formats, any number of interfaces of one link type),
 * through the same pipeline as the live workers (inspect/pipeline.h).
 * Link types: Ethernet, Linux cooked captures (SLL, SLL2: `tcpdump -i
 * any`) and raw IP; a cooked or raw frame is given an Ethernet header in
 * place of its own, so its lengths count as if it had been Ethernet.
 *
 * Frames whose pcap header says they end with an FCS (the FCS bits of its
 * link-type field) are inspected without it: lengths and bytes are the
 * frame's as a capture without FCS would give them. pcapng's if_fcslen is
 * not honoured (libpcap does not pass it on).
 *
 * Errors: returns 0, or a negative errno with a one-line message in @err.
 * A file cut off mid-record is not an error: the metrics so far stand and
 * result->truncated says so. Cut or corrupt is told by where reading
 * stopped (the end of the file or not), not by libpcap's message.
 */
#ifndef XDPI_INSPECT_CAPFILE_H
#define XDPI_INSPECT_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline.h"

struct capfile_result {
	uint64_t frames;
	uint64_t snapped;	/* frames whose capture is shorter than the wire */
	uint64_t filtered_out;	/* frames the filter did not select */
	bool truncated;		/* the file ended inside a record */
	uint32_t fcs;		/* bytes of FCS per frame, left out of every length */
	const char *link;	/* libpcap's name of the link type ("EN10MB", ...) */
	bool counted_out;	/* stopped at opts->count, before the end */
	double first_s, last_s; /* the first and last record's time (0: none) */
	/* last - first, from the seconds and nanoseconds apart: the two
	 * doubles above are ~0.24 us apart at today's epoch, which a span of
	 * a tenth of a second shows in its seventh digit. */
	double span_s;
	char warning[256];
};

struct capfile_opts {
	uint64_t count; /* stop once @p counted this many frames (0: read all) */
	bool progress;	/* a progress line on stderr after a few seconds */
	FILE *fp;	/* read this stream, named path, instead of opening path;
			 * capfile_read() closes it */
};

/* Runs every frame of @path through @p (its filter, and its write stage
 * if p->tap is set, included). */
int capfile_read(const char *path, struct pipeline *p, const struct capfile_opts *o,
		 struct capfile_result *res, char *err, size_t err_len);
/* capfile_read() with no count and no progress. */
int capfile_inspect(const char *path, struct pipeline *p, struct capfile_result *res, char *err,
		    size_t err_len);

#endif /* XDPI_INSPECT_CAPFILE_H */
