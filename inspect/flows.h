/* SPDX-License-Identifier: MIT */
/*
 * The flow table: one record per connection (both directions), shared by
 * every worker of a run: a pool of --max-flows records, an index of
 * cache-line buckets that lookups read without a lock (inspect/flows.c),
 * and liburcu's QSBR flavour of RCU for reclaiming records.
 *
 * Key: IP version, protocol, VLAN id (the outer tag, 0 untagged), and the two
 * endpoints (address, port; ports 0 for protocols without them) ordered so
 * that both directions of a connection build the same key. Endpoint 0 is the
 * lower (address, port): per-direction figures are indexed by the sending
 * endpoint and turned into "to server"/"to client" only when a record is
 * handed out (struct flow_record).
 *
 * Two workers may update one record at once: RSS hashes each direction on
 * its own, and veth picks a queue by the sending CPU, so even one direction
 * can arrive on two queues. Per-direction halves would not make that safe,
 * so every field written after a record is published is an atomic: counters
 * are relaxed fetch-adds, flags fetch-ors, and the handshake is a small
 * state machine advanced by compare-and-swap, its time stamps written before
 * the transition that publishes them (release) and read after (acquire).
 * The worker whose CAS completes the handshake alone counts it.
 *
 * Threads and RCU (docs/flows.md):
 * - Workers (flow_worker_account()) look up and insert per packet. They are
 *   registered QSBR readers: flows_thread_register() at start,
 *   flows_quiescent() once per batch, flows_thread_offline()/online()
 *   around blocking waits, flows_thread_unregister() at exit.
 * - One maintainer (the expiry thread live, the reader itself offline)
 *   calls flow_table_maintain(): it removes idle flows (--flow-timeout, a
 *   shorter timeout once a FIN or RST was seen), evicts the idlest when the
 *   table nears --max-flows, and computes the summary (gauges, top-N,
 *   peeks). The records one pass removed go to one call_rcu(): after the
 *   grace period, when no worker can hold them any more, the callback
 *   hands each final record to the on_end hook (JSON lines) and returns
 *   the records to the pool. flow_table_free() waits for them
 *   (rcu_barrier()).
 * - Nothing else walks the table: the reporter, the HTTP server of the
 *   Prometheus exporter and the JSON writer read flow_table_summary()
 *   copies and records handed over by the maintainer.
 *
 * Memory is bounded: at most max_flows records, mapped a slab at a time,
 * each with an extension beside it for what it may hold besides (its peek,
 * its last active report): max_flows * flow_bytes_per_flow() in all, plus
 * a fixed part for the summary, whatever the traffic (docs/flows.md). A
 * new flow that finds the pool spent is counted in `untracked` (its
 * packets still count in every other metric) until the maintainer has
 * evicted the idlest and a grace period has passed, and the on_end hook
 * has run for them: ended records waiting for either are records of the
 * pool, so a slow hook holds up new flows, never more memory. Offline the
 * reader evicts and reclaims at once, so a read is deterministic.
 *
 * Errors: int functions return 0 or a negative errno.
 */
#ifndef XDPI_INSPECT_FLOWS_H
#define XDPI_INSPECT_FLOWS_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/defs.h"
#include "parse.h"
#include "peek.h"

#define FLOW_TIMEOUT_DEFAULT_NS (60ull * 1000000000u)
#define FLOW_CLOSED_TIMEOUT_DEFAULT_NS (5ull * 1000000000u)
/* How much memory the default --max-flows fills (flow_max_flows_default()). */
#define FLOW_MEMORY_DEFAULT (1ull << 30)
/* Entries kept by each top-N list of the summary. */
#define FLOW_TOP_N 10

enum flow_end_reason {
	FLOW_END_FIN = 0, /* FIN seen (either side), then idle for the closed timeout */
	FLOW_END_RST,
	FLOW_END_TIMEOUT,
	FLOW_END_EVICTED,
	FLOW_END_EOF, /* still open when the capture ended */
	/* A new handshake (a SYN with a new ISN) on the same addresses and
	 * ports after this one was established or closing: the next record
	 * takes the packets from that SYN on (port reuse). */
	FLOW_END_REUSE,
	FLOW_END__MAX,
};

enum flow_tcp_state {
	FLOW_TCP_NONE = 0,    /* no handshake seen (not TCP, or joined mid-stream) */
	FLOW_TCP_SYN_SENT,    /* SYN */
	FLOW_TCP_SYN_RCVD,    /* SYN, then the SYN-ACK that acknowledges it */
	FLOW_TCP_ESTABLISHED, /* ... then the ACK of the SYN-ACK */
	/* A SYN-ACK before any SYN (each direction on its own queue, or a
	 * capture in that order): its numbers wait for the SYN they answer. */
	FLOW_TCP_SYN_ACK_FIRST,
	FLOW_TCP_RESET, /* an RST ended the handshake before it completed */
	FLOW_TCP__MAX,
};

struct flow_record;
struct detect;

struct flow_config {
	uint64_t max_flows;	    /* 0: flow_max_flows_default() */
	uint64_t timeout_ns;	    /* idle time after which a flow ends */
	uint64_t closed_timeout_ns; /* the same after a FIN or RST */
	bool peeks;		    /* HTTP request line and TLS ClientHello */
	/* Offline: one thread reads and maintains; the table evicts at once
	 * when full instead of counting the flow untracked. */
	bool single_thread;
	/* Called once per ended flow with its final record, from the
	 * call_rcu thread live (so it must be thread-safe), from the caller
	 * of flow_table_maintain()/flow_table_finish() offline. NULL: none. */
	void (*on_end)(void *ctx, const struct flow_record *r);
	void *on_end_ctx;
	/* Called by the maintainer for a flow still open that sent packets
	 * and has not been reported for active_timeout_ns (counting from its
	 * start): its record so far (end_reason unset), with what earlier
	 * reports covered in the prev_ fields. Same ctx as on_end; the same
	 * threads. NULL or 0: none. */
	void (*on_active)(void *ctx, const struct flow_record *r);
	uint64_t active_timeout_ns;
	/* A view of the current rates (inspect/flowrate.h, `xdpi top`): on a
	 * pass at least view_period_ns after the last one that called it,
	 * the maintainer calls on_view once for every flow still in the
	 * table, with its record so far (end_reason unset) and its place in
	 * the pool (below max_flows, stable while it is in the table), then
	 * on_view_done once with the pass's time. Its thread, never a
	 * worker's; the passes come at least that often. NULL: none. */
	void (*on_view)(void *ctx, uint64_t slot, const struct flow_record *r);
	void (*on_view_done)(void *ctx, uint64_t now_ns);
	void *view_ctx;
	uint64_t view_period_ns;
	/* Called first by the maintainer thread of flow_table_start_expiry(),
	 * before it touches a record (a live run's sandbox, util/sandbox.h);
	 * non-zero: the thread ends at once, and the table is maintained by
	 * nobody until flow_table_finish(). NULL: none. */
	int (*thread_enter)(void);
	/* Whether the capture can see both directions (false: --direction
	 * in or out): without, a SYN alone is no sign of a half-open
	 * connection (its answer may have gone the other way), so it is
	 * counted apart (flow_summary.syn_only). */
	bool one_direction;
	/* The detection stage (inspect/detect.h), borrowed: the maintainer
	 * hands it every record of each pass and the records it removes,
	 * then ends the pass with detect_pass_end(). NULL: none. */
	struct detect *detect;
};

/* A flow as handed out: directions resolved, plain fields. */
struct flow_record {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;	/* IP protocol number */
	uint8_t tcp_flags;
	uint8_t state;	    /* enum flow_tcp_state */
	uint8_t end_reason; /* enum flow_end_reason */
	bool has_vlan;
	uint16_t vlan;
	uint16_t vlan_inner;		    /* QinQ's inner tag (0: none): part of the key too */
	uint8_t src_addr[16], dst_addr[16]; /* the source is the initiator (SYN sender) */
	uint16_t src_port, dst_port;	    /* or the first packet's sender */
	uint64_t packets_toserver, packets_toclient;
	uint64_t bytes_toserver, bytes_toclient;       /* wire (layer 2) lengths */
	uint64_t ip_bytes_toserver, ip_bytes_toclient; /* IP header and payload */
	/* What earlier on_active records reported (0 before the first): a
	 * delta exporter sends the totals minus these. */
	uint64_t prev_packets_toserver, prev_packets_toclient;
	uint64_t prev_bytes_toserver, prev_bytes_toclient;
	uint64_t prev_ip_bytes_toserver, prev_ip_bytes_toclient;
	uint64_t prev_end_ns;	   /* the last report's end; 0: none */
	uint64_t start_ns, end_ns; /* capture time (wall clock live) */
	int64_t rtt_ns;		   /* SYN to handshake-completing ACK; -1: none */
	/* Packets seen in one direction only (a capture of one side, or
	 * asymmetric routing): its connection metrics are one-sided. */
	bool one_way;
	/* NULL: no request line or ClientHello. Like the record itself,
	 * valid only during the hook call that hands it out. */
	const struct peek_result *peek;
};

/* What one worker counted; published with its pipeline counters. */
struct flow_counters {
	uint64_t created;     /* records this worker inserted */
	uint64_t established; /* handshakes this worker completed */
	uint64_t untracked;   /* packets of new flows the full table refused */
	uint64_t peeked;      /* payloads this worker looked into */
};

struct flow_top_entry {
	uint8_t family; /* 4, 6; 0 for a port entry */
	uint8_t addr[16];
	uint16_t port;
	uint64_t count; /* packets or bytes, as the list says */
	uint64_t error; /* count may exceed the truth by at most this */
	bool ranked;	/* certainly among the heaviest (topn_ranked()) */
};

/* flow_summary's tls_max_version: SSLv3 .. TLSv1.3, then any other. */
#define FLOW_TLS_OTHER 5

struct flow_top_name {
	char name[PEEK_HOST_LEN];
	uint64_t flows;
	uint64_t error;
	bool ranked; /* as flow_top_entry's */
};

/* The maintainer's view, as of its last pass; after flow_table_finish()
 * the gauges describe the table as it was at the end. */
struct flow_summary {
	uint64_t active;    /* records in the table */
	uint64_t half_open; /* TCP flows in SYN_SENT or SYN_RCVD */
	/* With one_direction: TCP flows of a lone SYN, whose answer may have
	 * gone unseen (not in half_open). */
	uint64_t syn_only;
	uint64_t one_way; /* ended flows seen in one direction only */
	uint64_t max_flows;
	uint64_t ended[FLOW_END__MAX];
	uint64_t http_methods[PEEK_HTTP__MAX];
	uint64_t tls_hellos;
	/* The ClientHellos by the highest version each offers (its
	 * supported_versions, else its legacy version; GREASE left out):
	 * 0x0300 (SSLv3) to 0x0304 (TLSv1.3) at v - 0x0300, any other at
	 * FLOW_TLS_OTHER. A hello cut before its version is in none. */
	uint64_t tls_max_version[FLOW_TLS_OTHER + 1];
	struct flow_top_entry top_src_packets[FLOW_TOP_N], top_src_bytes[FLOW_TOP_N];
	struct flow_top_entry top_port_packets[FLOW_TOP_N], top_port_bytes[FLOW_TOP_N];
	struct flow_top_name top_hosts[FLOW_TOP_N], top_sni[FLOW_TOP_N];
	uint8_t n_src_packets, n_src_bytes, n_port_packets, n_port_bytes, n_hosts, n_sni;
};

struct flow_table;
struct flow;

/* One worker's handle: its counters and its records not yet in use, on
 * its own cache lines. */
struct flow_worker {
	struct flow_table *table;
	struct flow_counters c;
	uint64_t now_ns; /* capture time of the current batch (or frame offline) */
	/* Where this worker's new records come from (docs/flows.md): records
	 * it took back from the table's free stack, then the rest of the
	 * slab it mapped last. */
	struct flow *free;
	struct flow *slab_next, *slab_end;
	uint32_t slab; /* the table's index of that slab */
} XDPI_CACHE_ALIGNED;

/* --max-flows without a value: as many as FLOW_MEMORY_DEFAULT holds. */
uint64_t flow_max_flows_default(void);
/* The most a flow takes: its record, its share of the index, and its
 * extension (peek, active report), so a table bounded at N takes at most
 * N times this, plus a fixed part (docs/flows.md). */
uint64_t flow_bytes_per_flow(void);

/* The calling thread must be registered (flows_thread_register()).
 * Returns NULL with errno set. */
struct flow_table *flow_table_new(const struct flow_config *cfg);
/* Removes every remaining record with reason @reason (FLOW_END_EOF at the
 * end of a capture), hands them to on_end, and waits until every hook ran.
 * The caller must be registered; no worker may be running. */
void flow_table_finish(struct flow_table *ft, enum flow_end_reason reason);
/* Frees the table (flow_table_finish() first). Accepts NULL. */
void flow_table_free(struct flow_table *ft);

/* The maintainer: expiry, eviction, summary (see the file comment). The
 * caller is a registered, online thread; @now_ns is capture time. */
void flow_table_maintain(struct flow_table *ft, uint64_t now_ns);
/* How often the maintainer should run: half the closed timeout, or of the
 * active timeout when that is shorter and reported. */
uint64_t flow_table_maintain_period(const struct flow_table *ft);
/* Any thread: a copy of the summary as of the last maintenance. */
void flow_table_summary(struct flow_table *ft, struct flow_summary *out);

/* Sets the view hooks of struct flow_config (on_view, on_view_done, their
 * ctx and period) on a table made without them: before the expiry thread
 * starts, or offline between two passes. */
void flow_table_set_view(struct flow_table *ft,
			 void (*on_view)(void *, uint64_t, const struct flow_record *),
			 void (*on_view_done)(void *, uint64_t), void *ctx, uint64_t period_ns);

/* Starts/stops a thread that maintains every @period_ns on the wall clock
 * (live runs). */
int flow_table_start_expiry(struct flow_table *ft, uint64_t period_ns);
void flow_table_stop_expiry(struct flow_table *ft);
/* New timeouts (0: the default; @active_ns only where active records are
 * reported), from any thread: handed to the expiry thread, which applies
 * them before its next pass (directly when it does not run). Workers never
 * read the timeouts. */
void flow_table_set_timeouts(struct flow_table *ft, uint64_t timeout_ns, uint64_t closed_ns,
			     uint64_t active_ns);

void flow_worker_init(struct flow_worker *w, struct flow_table *ft);
/* Starts loading the index bucket of @frame's flow, a few frames before
 * flow_worker_account() needs it: a lookup's one cache miss (a new flow's
 * every time) then overlaps the frames in between. Reads the common
 * headers only (Ethernet, one VLAN tag, IPv4 or IPv6, TCP or UDP ports);
 * anything else, or a key it builds wrong, costs a useless prefetch and
 * never a wrong count. Returns the key's hash, 0 when it built none. */
uint64_t flow_worker_prefetch(const struct flow_worker *w, const uint8_t *frame, uint32_t len);
/* The hash flow_worker_account() looks @pi's flow up by (0: not IP). */
uint64_t flow_worker_hash(const struct flow_worker *w, const struct pkt_info *pi);
/* Accounts one parsed frame (@frame of @caplen bytes, @wire_len on the
 * wire) at w->now_ns. Non-IP frames are ignored. Returns true if the
 * frame's direction of its flow had packets before (in this record). */
bool flow_worker_account(struct flow_worker *w, const struct pkt_info *pi, const uint8_t *frame,
			 uint32_t caplen, uint32_t wire_len);

/* QSBR registration of the threads that touch the table. */
void flows_thread_register(void);
void flows_thread_unregister(void);
void flows_thread_online(void);
void flows_thread_offline(void);
void flows_quiescent(void);

const char *flow_end_reason_name(enum flow_end_reason r);
const char *flow_tcp_state_name(enum flow_tcp_state s);
/* "tcp", "udp", "icmp", "icmpv6", "sctp", ... or NULL. */
const char *flow_proto_name(uint8_t proto);

#endif /* XDPI_INSPECT_FLOWS_H */
