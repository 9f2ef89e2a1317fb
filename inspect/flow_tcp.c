// SPDX-License-Identifier: MIT
/* The TCP state machine of a flow record: the handshake (SYN, SYN-ACK,
 * the ACK that completes it, and the cases real traffic adds: SYN-ACK
 * first, retries, Fast Open, simultaneous open, one direction seen) and
 * its RTT. Workers run it on a shared record, so every step claims the
 * state by compare-and-swap (FLOW_TCP_BUSY), writes what the next step
 * needs, and releases the new state (flows.h). The rules and where they
 * differ from tshark's: docs/flows.md, "Connection tracking". */
#define _LGPL_SOURCE /* the QSBR fast paths inline */
#include "flow_tcp.h"

/* Claims the handshake in state @from: 1 if this thread now owns it (then
 * it must flow_tcp_release() it), 0 if another state or another owner. */
static inline int flow_tcp_claim(struct flow *f, uint8_t from)
{
	uint8_t expect = from;

	return __atomic_compare_exchange_n(&f->state, &expect, from | FLOW_TCP_BUSY, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void flow_tcp_release(struct flow *f, uint8_t to)
{
	__atomic_store_n(&f->state, to, __ATOMIC_RELEASE);
}

/* A SYN: the first of a handshake, a retransmission, a retry with a new
 * ISN, the other end's own (simultaneous open), or the one a SYN-ACK seen
 * first answers. */
static void flow_tcp_syn(struct flow_worker *w, struct flow *f, const struct pkt_info *pi,
			 unsigned sender, uint8_t st)
{
	bool from_initiator = sender == __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);

	if ((st == FLOW_TCP_SYN_SENT || st == FLOW_TCP_SYN_RCVD) && from_initiator &&
	    pi->tcp_seq == f->client_isn) {
		/* A retransmission restarts the clock, as in tshark's
		 * initial_rtt: the answer is to the SYN that got through. */
		__atomic_store_n(&f->syn_ns, w->now_ns, __ATOMIC_RELAXED);
		return;
	}
	if (st == FLOW_TCP_NONE || (st == FLOW_TCP_SYN_SENT && from_initiator)) {
		/* The first SYN, or a retry with a new ISN after the client
		 * gave up on the first: that one is answered, if any is. */
		if (!flow_tcp_claim(f, st))
			return;
		__atomic_store_n(&f->initiator, (uint8_t)sender, __ATOMIC_RELAXED);
		f->client_isn = pi->tcp_seq;
		f->syn_len = pi->payload_len;
		__atomic_store_n(&f->syn_ns, w->now_ns, __ATOMIC_RELAXED);
		flow_tcp_release(f, FLOW_TCP_SYN_SENT);
	} else if (st == FLOW_TCP_SYN_SENT) {
		/* Simultaneous open: each end's SYN, then each end's SYN-ACK. */
		if (!flow_tcp_claim(f, st))
			return;
		f->server_isn = pi->tcp_seq;
		f->simultaneous = 1;
		flow_tcp_release(f, FLOW_TCP_SYN_RCVD);
	} else if (st == FLOW_TCP_SYN_ACK_FIRST && from_initiator) {
		/* client_isn holds what the SYN-ACK acknowledged: this SYN's
		 * ISN + 1, + its payload with Fast Open. */
		if (!flow_tcp_claim(f, st))
			return;
		if (pi->tcp_seq + 1 != f->client_isn &&
		    pi->tcp_seq + 1 + pi->payload_len != f->client_isn) {
			flow_tcp_release(f, FLOW_TCP_SYN_ACK_FIRST);
			return;
		}
		f->client_isn = pi->tcp_seq;
		f->syn_len = pi->payload_len;
		__atomic_store_n(&f->syn_ns, w->now_ns, __ATOMIC_RELAXED);
		flow_tcp_release(f, FLOW_TCP_SYN_RCVD);
	}
}

/* A SYN-ACK: the answer to the initiator's SYN (with Fast Open it also
 * acknowledges the SYN's payload), the initiator's own in a simultaneous
 * open, or one seen before its SYN. */
static void flow_tcp_syn_ack(struct flow_worker *w, struct flow *f, const struct pkt_info *pi,
			     unsigned sender, uint8_t st)
{
	bool from_initiator = sender == __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);

	if (st == FLOW_TCP_NONE) {
		/* Its receiver initiated; the SYN may follow (another queue,
		 * or a capture in that order), or never (joined here). */
		if (!flow_tcp_claim(f, st))
			return;
		__atomic_store_n(&f->initiator, (uint8_t)(sender ^ 1), __ATOMIC_RELAXED);
		f->server_isn = pi->tcp_seq;
		f->client_isn = pi->tcp_ack;
		flow_tcp_release(f, FLOW_TCP_SYN_ACK_FIRST);
	} else if (st == FLOW_TCP_SYN_SENT && !from_initiator) {
		if (!flow_tcp_claim(f, st))
			return;
		if (pi->tcp_ack == f->client_isn + 1 ||
		    (f->syn_len && pi->tcp_ack == f->client_isn + 1 + f->syn_len)) {
			f->server_isn = pi->tcp_seq;
			flow_tcp_release(f, FLOW_TCP_SYN_RCVD);
		} else {
			flow_tcp_release(f, FLOW_TCP_SYN_SENT);
		}
	} else if (st == FLOW_TCP_SYN_RCVD && from_initiator && f->simultaneous &&
		   pi->tcp_ack == f->server_isn + 1) {
		if (!flow_tcp_claim(f, st))
			return;
		flow_tcp_release(f, FLOW_TCP_ESTABLISHED);
		w->c.established++;
	}
}

/* The ACK that completes the handshake: from the initiator, of the
 * responder's ISN. The RTT runs from the SYN's timestamp (null for a
 * simultaneous open, or when the SYN is stamped after the ACK). */
static void flow_tcp_ack(struct flow_worker *w, struct flow *f, const struct pkt_info *pi,
			 unsigned sender)
{
	uint64_t syn_ns;

	if (!flow_tcp_claim(f, FLOW_TCP_SYN_RCVD))
		return;
	if (sender != __atomic_load_n(&f->initiator, __ATOMIC_RELAXED) ||
	    pi->tcp_ack != f->server_isn + 1) {
		flow_tcp_release(f, FLOW_TCP_SYN_RCVD);
		return;
	}
	syn_ns = __atomic_load_n(&f->syn_ns, __ATOMIC_RELAXED);
	if (!f->simultaneous && w->now_ns >= syn_ns)
		__atomic_store_n(&f->rtt_ns, (int64_t)(w->now_ns - syn_ns), __ATOMIC_RELAXED);
	flow_tcp_release(f, FLOW_TCP_ESTABLISHED);
	w->c.established++;
}

/* The initiator's ACK of a SYN-ACK this capture did not see (it went
 * another way: a capture of one direction, asymmetric routing, or lost
 * before the capture point): the sequence number says the SYN was
 * answered, so the handshake completed. The RTT still runs from the SYN
 * to this ACK, as on the initiator's side of a capture of both ways. */
static void flow_tcp_ack_unseen(struct flow_worker *w, struct flow *f, const struct pkt_info *pi,
				unsigned sender)
{
	uint64_t syn_ns;

	if (!flow_tcp_claim(f, FLOW_TCP_SYN_SENT))
		return;
	/* Only where the responder was never heard: a SYN-ACK seen that did
	 * not acknowledge the SYN leaves the handshake where it was. */
	if (sender != __atomic_load_n(&f->initiator, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&f->packets[sender ^ 1], __ATOMIC_RELAXED) ||
	    (pi->tcp_seq != f->client_isn + 1 && pi->tcp_seq != f->client_isn + 1 + f->syn_len)) {
		flow_tcp_release(f, FLOW_TCP_SYN_SENT);
		return;
	}
	f->server_isn = pi->tcp_ack - 1;
	syn_ns = __atomic_load_n(&f->syn_ns, __ATOMIC_RELAXED);
	if (w->now_ns >= syn_ns)
		__atomic_store_n(&f->rtt_ns, (int64_t)(w->now_ns - syn_ns), __ATOMIC_RELAXED);
	flow_tcp_release(f, FLOW_TCP_ESTABLISHED);
	w->c.established++;
}

/* The handshake, one segment of it (the rules, and where they differ from
 * tshark's, are docs/flows.md's "Connection tracking"). Only SYN, SYN-ACK,
 * RST and the ACK that completes it move it; retransmissions and
 * anything out of order do not. */
__attribute__((noinline)) void flow_tcp_step(struct flow_worker *w, struct flow *f,
					     const struct pkt_info *pi, unsigned sender)
{
	uint8_t fl = pi->tcp_flags;
	uint8_t syn_ack = fl & (PKT_TCP_SYN | PKT_TCP_ACK);
	uint8_t st;

	if (fl & PKT_TCP_FIN)
		__atomic_fetch_or(&f->fin_seen, (uint8_t)(1u << sender), __ATOMIC_RELAXED);
	st = __atomic_load_n(&f->state, __ATOMIC_ACQUIRE);
	if (fl & PKT_TCP_RST) {
		__atomic_store_n(&f->rst_seen, 1, __ATOMIC_RELAXED);
		/* An RST ends a handshake under way: no later ACK completes it. */
		if (st == FLOW_TCP_SYN_SENT || st == FLOW_TCP_SYN_RCVD ||
		    st == FLOW_TCP_SYN_ACK_FIRST) {
			if (flow_tcp_claim(f, st))
				flow_tcp_release(f, FLOW_TCP_RESET);
			return;
		}
		/* Else only a SYN with it (a crafted frame) names the
		 * initiator, as it would alone. */
	}
	if (syn_ack == PKT_TCP_SYN)
		flow_tcp_syn(w, f, pi, sender, st);
	else if (syn_ack == (PKT_TCP_SYN | PKT_TCP_ACK))
		flow_tcp_syn_ack(w, f, pi, sender, st);
	else if (syn_ack == PKT_TCP_ACK && st == FLOW_TCP_SYN_RCVD)
		flow_tcp_ack(w, f, pi, sender);
	else if (syn_ack == PKT_TCP_ACK && st == FLOW_TCP_SYN_SENT)
		flow_tcp_ack_unseen(w, f, pi, sender);
}
