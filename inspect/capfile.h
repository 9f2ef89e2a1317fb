/* SPDX-License-Identifier: MIT */
/*
 * Offline source: runs the parser and metrics over a pcap or pcapng file,
 * read through libpcap (both formats, any number of Ethernet interfaces).
 *
 * Errors: returns 0, or a negative errno with a one-line message in @err.
 * A file cut off mid-record is not an error: the metrics so far stand and
 * result->truncated says so.
 */
#ifndef XDPI_INSPECT_CAPFILE_H
#define XDPI_INSPECT_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "metrics.h"

struct capfile_result {
	uint64_t frames;
	uint64_t snapped;      /* frames whose capture is shorter than the wire */
	uint64_t filtered_out; /* frames the filter did not select */
	bool truncated;	       /* the file ended inside a record */
	char warning[256];
};

/* Accounts the frames of @path that @filter selects (XDPI_FILTER_ALL: every
 * frame) into @m. */
int capfile_inspect(const char *path, enum xdpi_filter filter, struct metrics *m,
		    struct capfile_result *res, char *err, size_t err_len);

#endif /* XDPI_INSPECT_CAPFILE_H */
