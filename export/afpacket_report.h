/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi afpacket` prints after a capture: one JSON object (--json;
 * `xdpi bench` reads its "packets", "ps_recv", "ps_drop", "ps_ifdrop" and
 * "seconds"), or a few lines.
 *
 * Errors: json functions return NULL on allocation failure.
 */
#ifndef XDPI_EXPORT_AFPACKET_REPORT_H
#define XDPI_EXPORT_AFPACKET_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct afpacket_report {
	const char *ifname;
	uint64_t packets, bytes;
	unsigned int ps_recv, ps_drop, ps_ifdrop; /* libpcap's pcap_stats() */
	double start, end;			  /* wall clock (report_wall_now()) */
	double seconds;				  /* measured on the monotonic clock */
	const char *stop_reason;		  /* "duration", "count", "signal" */
	const char *signal;			  /* "SIGINT" when stopped by a signal, else NULL */
};

json_t *afpacket_report_json(const struct afpacket_report *r);
void afpacket_report_print(FILE *out, const struct afpacket_report *r);

#endif /* XDPI_EXPORT_AFPACKET_REPORT_H */
