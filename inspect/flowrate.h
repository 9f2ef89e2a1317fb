/* SPDX-License-Identifier: MIT */
/*
 * Current rates of the flows in a flow table, for `xdpi top`: what each
 * connection, each source and each destination sent over the last
 * interval (about a second), not since it started.
 *
 * Fed by the flow table's maintainer (flow_config.on_view and
 * on_view_done, inspect/flows.h): on a view pass it hands over every flow
 * still in the table with its place in the pool; this keeps, per place,
 * the counters of the previous view pass and subtracts. So the work is
 * one subtraction per flow and pass in the maintainer's thread, never a
 * worker's, and the ranking runs once per pass there too. Connections
 * that ended during the interval are no longer in the table: their last
 * packets are not in any rate.
 *
 * Memory: FLOWRATE_SLOT_BYTES per flow the table can hold, reserved at
 * creation and resident only as flows use their places (docs/flows.md),
 * plus a fixed part for the ranking.
 *
 * Sources and destinations: the flows' deltas are summed per address
 * exactly in a table of FLOWRATE_HOSTS_EXACT addresses; past that, the
 * sums go into space-saving sketches (inspect/topn.h) whose error bound
 * each entry carries (approx).
 *
 * Concurrency: the hooks run in the maintainer's thread only;
 * flowrate_read() and flowrate_set_filter() from any thread (a mutex the
 * workers never see). Errors: pointer functions return NULL with errno.
 */
#ifndef XDPI_INSPECT_FLOWRATE_H
#define XDPI_INSPECT_FLOWRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "flows.h"

#define FLOWRATE_TOP 24
#define FLOWRATE_FILTER_LEN 64
#define FLOWRATE_NAME_LEN 64
#define FLOWRATE_HOSTS_EXACT 8192
#define FLOWRATE_SLOT_BYTES 48

enum flowrate_sort {
	FLOWRATE_BY_PPS = 0,
	FLOWRATE_BY_BPS,
	FLOWRATE_BY_RTT, /* connections with a handshake RTT, the longest first */
	FLOWRATE__SORTS,
};

struct flowrate_conn {
	uint8_t family, proto, state;
	uint8_t src_addr[16], dst_addr[16]; /* the source is the initiator */
	uint16_t src_port, dst_port;
	double pps, bps;	 /* both directions, over the interval */
	double bps_up, bps_down; /* to server, to client */
	int64_t rtt_ns;		 /* -1: none */
	char name_kind;		 /* 'S' a TLS SNI, 'H' an HTTP Host, 0 none */
	char name[FLOWRATE_NAME_LEN];
};

struct flowrate_host {
	uint8_t family;
	uint8_t addr[16];
	double pps, bps; /* upper bounds when approx */
	double pps_min, bps_min;
	bool approx; /* a sketch's count: pps_min..pps holds the truth */
};

struct flowrate_view {
	uint64_t passes;   /* view passes so far; rates from the second on */
	double interval_s; /* of the last pass */
	uint64_t flows;	   /* in the table at the last pass */
	uint64_t active;   /* of those, with packets in the interval */
	uint64_t matched;  /* of those, matching the filter */
	double pps, bps;   /* of the matched flows */
	char filter[FLOWRATE_FILTER_LEN];
	struct flowrate_conn conn[FLOWRATE__SORTS][FLOWRATE_TOP];
	uint8_t nconn[FLOWRATE__SORTS];
	/* [0] by pps, [1] by bps: what addresses sent, what they received. */
	struct flowrate_host src[2][FLOWRATE_TOP], dst[2][FLOWRATE_TOP];
	uint8_t nsrc[2], ndst[2];
};

struct flowrate;

/* For a table of @max_flows records (0: flow_max_flows_default()). */
struct flowrate *flowrate_new(uint64_t max_flows);
/* Accepts NULL. After the maintainer stopped. */
void flowrate_free(struct flowrate *fr);

/* flow_config hooks, @ctx the struct flowrate. */
void flowrate_on_view(void *ctx, uint64_t slot, const struct flow_record *r);
void flowrate_on_view_done(void *ctx, uint64_t now_ns);

/* Only flows whose endpoints ("198.18.0.1:443", "[2001:db8::1]:443") or
 * SNI/Host contain @substr count, from the next pass ("" or NULL: all). */
void flowrate_set_filter(struct flowrate *fr, const char *substr);
/* The last pass's view. */
void flowrate_read(struct flowrate *fr, struct flowrate_view *out);

/* "198.18.0.1:443" or "[2001:db8::1]:443" (port 0: the address alone). */
void flowrate_endpoint_str(uint8_t family, const uint8_t *addr, uint16_t port, char *buf,
			   unsigned len);

#endif /* XDPI_INSPECT_FLOWRATE_H */
