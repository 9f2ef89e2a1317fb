/* SPDX-License-Identifier: MIT */
/*
 * The TCP state machine of a flow record (flow_tcp.c; the rules are
 * docs/flows.md's "Connection tracking"): private to the flow table's
 * files. The worker's per-packet tests are inline here, so that
 * flow_worker_account() keeps them inline.
 */
#ifndef XDPI_INSPECT_FLOW_TCP_H
#define XDPI_INSPECT_FLOW_TCP_H

#include "flows_int.h"

/* The handshake, one segment of it: called by the worker that accounts
 * the segment, after the counters. */
__attribute__((noinline)) void flow_tcp_step(struct flow_worker *w, struct flow *f,
					     const struct pkt_info *pi, unsigned sender);

/* Whether a SYN (no ACK) starts a new connection on @f's addresses and
 * ports: a new ISN after the handshake completed, or once either end
 * closed (FIN, RST). Suricata, Zeek and tshark split there too. */
static inline bool flow_tcp_reused(const struct flow *f, const struct pkt_info *pi, unsigned sender)
{
	uint8_t st = __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) & ~FLOW_TCP_BUSY;
	bool closing = __atomic_load_n(&f->fin_seen, __ATOMIC_RELAXED) ||
		       __atomic_load_n(&f->rst_seen, __ATOMIC_RELAXED);

	if (st != FLOW_TCP_ESTABLISHED && st != FLOW_TCP_RESET && !closing)
		return false;
	if (st == FLOW_TCP_NONE || st == FLOW_TCP_SYN_ACK_FIRST)
		return true; /* no ISN of this end to compare with */
	return pi->tcp_seq != (sender == __atomic_load_n(&f->initiator, __ATOMIC_RELAXED)
				       ? f->client_isn
				       : f->server_isn);
}

/* The half-open gauge: a lone SYN counts only where its answer would
 * have been seen (flow_config.one_direction). */
static inline void flow_count_open(const struct flow_table *ft, uint8_t st, uint64_t *half_open,
				   uint64_t *syn_only)
{
	if (st == FLOW_TCP_SYN_SENT && ft->cfg.one_direction)
		(*syn_only)++;
	else
		*half_open += st == FLOW_TCP_SYN_SENT || st == FLOW_TCP_SYN_RCVD;
}

#endif /* XDPI_INSPECT_FLOW_TCP_H */
