/* SPDX-License-Identifier: MIT */
/*
 * The flow table's insides, shared by its four files and by nothing else
 * (inspect/flows.h is the API):
 * - flows.c: the table itself: the record pool, the cache-line index, the
 *   workers' lookups and inserts (flow_worker_account()), set-up and
 *   teardown, QSBR registration;
 * - flow_tcp.c: the TCP state machine a worker runs on a record
 *   (handshake, RTT, port reuse), flow_tcp.h;
 * - flow_summary.c: the maintainer's top-N lists and summary,
 *   flow_summary.h;
 * - flow_maint.c: the maintainer: passes, expiry, eviction, feeding the
 *   detection, the records handed out, the expiry thread, flow_maint.h.
 * The threads and what each may call are flows.h's contract; who writes
 * which field of a record, and how, is said beside it in struct flow
 * below. Each file defines _LGPL_SOURCE before its first include, for
 * liburcu's inline fast paths.
 */
#ifndef XDPI_INSPECT_FLOWS_INT_H
#define XDPI_INSPECT_FLOWS_INT_H

#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <urcu-qsbr.h>

#include "../util/hash.h"
#include "flows.h"

struct topn;

/* ThreadSanitizer cannot see liburcu's grace periods: tell it about the
 * orderings the table relies on (a quiescent state before a reclaim, and
 * the reclaim before rcu_barrier() returns). The index's own atomics are
 * compiler builtins, which it sees. */
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define FLOW_TSAN_RELEASE(a) __tsan_release(a)
#define FLOW_TSAN_ACQUIRE(a) __tsan_acquire(a)
#else
#define FLOW_TSAN_RELEASE(a) ((void)(a))
#define FLOW_TSAN_ACQUIRE(a) ((void)(a))
#endif
/* Defined in flows.c; only their addresses matter. */
extern int flow_grace_token, flow_barrier_token;

/* Both endpoints, lower first (flows.h): the one key of both directions. */
struct flow_key {
	uint16_t port[2];
	uint16_t vlan, vlan_inner; /* the outer tag's id, and QinQ's inner one */
	uint8_t proto;
	uint8_t family;
	uint16_t zero;
	/* The two endpoints' addresses back to back: 4 bytes each for IPv4
	 * (the rest zero), 16 for IPv6. The hash and the comparison cover
	 * only what the family uses (flow_key_len()): an IPv4 key is 20
	 * bytes, three rounds of the hash where a fixed layout took six. */
	uint8_t addr[32];
};

static inline uint32_t flow_key_len(const struct flow_key *k)
{
	return (uint32_t)offsetof(struct flow_key, addr) + (k->family == 4 ? 8u : 32u);
}

#define FLOW_KEY_LEN4 ((uint32_t)offsetof(struct flow_key, addr) + 8u)
#define FLOW_KEY_LEN6 ((uint32_t)offsetof(struct flow_key, addr) + 32u)

/* The key's hash, its length a constant in each branch so that the hash
 * unrolls (the same value as xdpi_hash64() of flow_key_len() bytes). */
static inline uint64_t flow_key_hash(uint64_t seed, const struct flow_key *k)
{
	return k->family == 4 ? xdpi_hash64(seed, k, FLOW_KEY_LEN4)
			      : xdpi_hash64(seed, k, FLOW_KEY_LEN6);
}

/* Whether @a and @b, of length @len (flow_key_len(), a multiple of 4),
 * are one key: 8 bytes at a time, inline (libc's memcmp() costs a call
 * and a dispatch on the length for 20 bytes). */
static inline bool flow_key_eq(const struct flow_key *a, const struct flow_key *b, uint32_t len)
{
	const uint8_t *p = (const uint8_t *)a, *q = (const uint8_t *)b;
	uint64_t diff = 0, x, y;
	uint32_t i = 0;

#pragma GCC unroll 4
	for (; i + 8 <= len; i += 8) {
		memcpy(&x, p + i, 8);
		memcpy(&y, q + i, 8);
		diff |= x ^ y;
	}
	if (i < len) {
		uint32_t s, t;

		memcpy(&s, p + i, 4);
		memcpy(&t, q + i, 4);
		diff |= s ^ t;
	}
	return !diff;
}

/* Endpoint @i's address in @k (4 or 16 bytes, as its family has). */
static inline const uint8_t *flow_key_addr(const struct flow_key *k, unsigned i)
{
	return k->addr + i * (k->family == 4 ? 4u : 16u);
}

/* A state that one thread has claimed and is filling in: others treat the
 * record as if it were still in the state before. */
#define FLOW_TCP_BUSY 0x80

/* What on_active records reported of a flow: only flows open longer
 * than the active timeout have one, so it lives apart from the record. */
struct flow_reported {
	uint64_t packets[2], bytes[2], ip_bytes[2];
	uint64_t end_ns; /* the last report's last packet */
	uint64_t at_ns;	 /* when it was made */
};

/* What a record may hold beyond its 256 bytes: its peek and its last
 * active report. One per record, in a slab of its own beside the
 * record's (struct flow_slab), at the same place: no allocation, ever,
 * and no pointer to follow. Its pages are written, so resident, only as
 * records use it (a flood without payload never touches them), but the
 * bound counts it whole for every record (flow_bytes_per_flow()). */
struct flow_ext {
	struct flow_reported rep; /* the maintainer's, while has_rep */
	struct peek_packed peek;  /* written once, while peek_state is BUSY */
};

/* flow.peek_state: the extension's peek is ... */
enum {
	FLOW_PEEK_NONE = 0, /* not there */
	FLOW_PEEK_BUSY,	    /* being written by the worker that claimed it */
	FLOW_PEEK_KEPT,	    /* there, read-only (published by a release store) */
};

/* A record lives in a slab of the table's pool (see flow_alloc()) from the
 * table's making to its freeing; it is in the table (`live`) or waiting to
 * be used again. */
struct flow {
	/* Only atomics: the maintainer walks the slabs and reads it of every
	 * record, in use or not. Set by the worker that published the record,
	 * cleared by the maintainer that took it out. */
	uint8_t live;
	/* Set when the record is made, fixed while it is in the table: its
	 * place in the pool and its key's hash (which bucket, which tag). */
	uint64_t idx;
	uint64_t hash;
	/* From here on, zeroed when a worker takes the record (FLOW_INIT). */
	struct flow_key key;
	/* The maintainer's: what the responder had sent at the detection's
	 * last look (with det_packets: whether anything came since). In the
	 * key's padding, on the line of the counters each pass reads. */
	uint32_t det_replies;
	/* Written by the workers once published: atomics only. */
	uint64_t packets[2], bytes[2]; /* [endpoint that sent them] */
	uint64_t ip_bytes[2];
	uint64_t last_ns;
	uint64_t syn_ns;
	int64_t rtt_ns;
	uint32_t client_isn, server_isn;
	uint32_t syn_len; /* the SYN's payload (TCP Fast Open): the SYN-ACK acks it too */
	uint8_t tcp_flags;
	uint8_t fin_seen; /* bit per endpoint */
	uint8_t rst_seen;
	uint8_t state;	   /* enum flow_tcp_state, FLOW_TCP_BUSY while claimed */
	uint8_t initiator; /* endpoint index */
	uint8_t peeked;	   /* bit per endpoint: its first payload was looked at */
	uint8_t mflags;	   /* the maintainer's: FLOW_M_* */
	uint8_t end_reason;
	uint8_t simultaneous; /* both ends sent a SYN: no RTT to time */
	/* Out of the index since a new handshake on its key took its place
	 * (flow_reuse()): the maintainer's next pass ends it; atomic. */
	uint8_t retired;
	uint8_t peek_state; /* FLOW_PEEK_*: the extension's peek; atomic */
	bool has_rep;	    /* the maintainer's: the extension's rep is in use */
	/* Set at creation, read-only after. */
	uint64_t first_ns;
	/* The maintainer's. What the initiator had sent at the detection's
	 * last look (inspect/detect.h): deltas of one pass fit 32 bits. On
	 * the third cache line, which each pass reads anyway (the state),
	 * where the fourth is read only every FLOW_TOP_FEED_NS. */
	uint32_t det_packets, det_bytes;
	uint64_t fed_packets[2], fed_bytes[2]; /* already counted in the top-N */
	/* The list the record is on once out of the table: the maintainer's
	 * ended records, then the free stack, then a worker's free list. */
	struct flow *next;
	/* The first record of a pass's ended list carries the list through
	 * its grace period (flow_ended_flush()): nothing allocated a pass. */
	struct rcu_head rcu;
	struct flow_table *table;
} XDPI_CACHE_ALIGNED;
#define FLOW_INIT offsetof(struct flow, key)
_Static_assert(offsetof(struct flow, det_bytes) / 64 == offsetof(struct flow, state) / 64,
	       "the detection's deltas share a line with the state each pass reads");
/* flow.mflags */
#define FLOW_M_PEEK_COUNTED 1u /* its peek is in the summary */
#define FLOW_M_DET_SEEN 2u     /* the detection saw it */
#define FLOW_M_DET_OUTCOME 4u  /* the detection took its outcome */
#define FLOW_M_DET_QUIET 8u    /* a look with nothing new since changes nothing */
#define FLOW_M_DET_STATE 4     /* shift: the TCP state at the detection's last look */
_Static_assert(FLOW_TCP__MAX <= 16, "a state fits in the 4 bits above FLOW_M_DET_STATE");
_Static_assert(sizeof(struct flow) == 256, "a record is four cache lines (docs/flows.md)");

/* Records of a slab: a pool of --max-flows records, mapped a slab at a
 * time as workers need them, so that a small run maps little and a run
 * that cannot map more counts its new flows untracked. Slabs hold a power
 * of two records, so a record's index splits into slab and place. */
#define FLOW_SLAB_MAX (1u << 16)
/* At most this many slabs: larger tables have larger slabs. */
#define FLOW_SLABS_MAX 4096u

/*
 * The index: open addressing over cache-line buckets, in the manner of
 * DPDK's rte_hash and VPP's bihash. A bucket holds FLOW_BUCKET_SLOTS
 * slots of (tag, record index): a lookup reads one line and touches a
 * record only when the tag (23 bits of the hash the bucket index did not
 * use) matches, so a miss, every frame of a flood, costs one cache line
 * where a linked hash chain costs one a node. A key lives in its home
 * bucket or, when that is full, in one of the next FLOW_PROBE_MAX - 1;
 * the home counts those (`overflow`) so that a miss reads further only
 * then. Buckets: a power of two, at least half the records, so a full
 * table fills two slots of seven on average and overflows rarely.
 *
 * Concurrency: readers take nothing. A slot is published by a release
 * compare-and-swap once its record is filled in, and emptied by the
 * maintainer alone; the record is reused only after a grace period. Two
 * workers inserting one new key must not both succeed: an insert holds its
 * home bucket's `lock` (a try-lock bit, only for the few instructions of
 * the insert; lookups never take it) and looks again under it. A worker
 * that cannot get it in FLOW_LOCK_SPINS tries (the holder was preempted)
 * counts the packet untracked rather than wait.
 */
#define FLOW_BUCKET_SLOTS 7
#define FLOW_PROBE_MAX 8
#define FLOW_LOCK_SPINS 256
#define FLOW_IDX_BITS 41 /* slot: tag << 41 | (record index + 1) */
#define FLOW_IDX_MASK ((1ull << FLOW_IDX_BITS) - 1)

struct flow_bucket {
	uint32_t lock;			  /* atomic: an insert is under way */
	uint32_t overflow;		  /* atomic: keys homed here in a later bucket */
	uint64_t slot[FLOW_BUCKET_SLOTS]; /* atomic: 0, or tag and index */
} XDPI_CACHE_ALIGNED;

/* Read by every lookup that finds a record (flow_at()): written once. */
struct flow_slab {
	struct flow *rec;     /* NULL until a worker maps it; atomic */
	struct flow_ext *ext; /* the records' extensions, mapped before rec; atomic */
	uint32_t len;	      /* records it holds */
};

/* Written by the slab's worker at each new record, read by the maintainer:
 * a line of its own, apart from the pointers lookups read, so that one
 * worker's new flows do not take another's lookups a cache miss. */
struct flow_slab_used {
	uint32_t n; /* handed out, from the start; atomic */
} XDPI_CACHE_ALIGNED;

/* Space-saving over names (hosts, SNIs): counted once per flow, by the
 * maintainer only, so a linear scan of a few dozen entries is cheap. */
#define FLOW_NAMES_TRACKED 64
struct flow_names {
	struct flow_top_name e[FLOW_NAMES_TRACKED];
	uint64_t hash[FLOW_NAMES_TRACKED]; /* of each name: one compare per entry */
	uint8_t held[256];		   /* names held per low byte of their hash: 0, none */
	unsigned n;
	/* Once full: a bit per entry whose count is the least, so that a
	 * newcomer finds the first of them without a scan (counts grow by
	 * one, so the set empties before the least changes); 0: not known. */
	uint64_t least;
};
_Static_assert(FLOW_NAMES_TRACKED <= 64, "a bit per name in flow_names.least");

/* What the flows of one pass sent, per source address, summed before it
 * goes into the top-source sketches: a pass ends many flows of few
 * sources, and a sketch update costs ~500 instructions where a sum costs
 * a probe. Open addressing, the maintainer's only, emptied by each flush. */
struct flow_agg {
	uint8_t (*key)[16];
	uint64_t *packets, *bytes; /* packets 0: an empty slot */
	uint32_t *used;		   /* the slots in use */
	uint32_t cap, n;	   /* cap: a power of two, or 0 */
};

struct flow_table {
	struct flow_bucket *bucket; /* the index: nbuckets, mapped at start */
	uint64_t nbuckets;	    /* a power of two */
	struct flow_config cfg;
	uint64_t seed;

	/* The pool: slabs, and records back from a grace period. */
	struct flow_slab *slabs;
	struct flow_slab_used *slab_used;	  /* [nslabs] */
	uint32_t nslabs, slab_len, slab_shift;	  /* slab_len = 1 << slab_shift */
	uint32_t slabs_taken;			  /* atomic: the next slab a worker maps */
	struct flow *free_top XDPI_CACHE_ALIGNED; /* atomic: a stack of record lists */
	/* The maintainer's: records it took out this pass, oldest first. */
	struct flow *ended_head XDPI_CACHE_ALIGNED, *ended_tail;
	uint64_t count; /* records in the table, as of the maintainer's last count */
	bool batches;	/* some went to call_rcu: flow_table_free() waits for them */

	/* The maintainer's. */
	uint64_t det_now_ns; /* the pass's time, for the detection */
	struct topn *top_src_packets, *top_src_bytes;
	struct flow_agg agg;
	/* Destination ports are few enough to count exactly: 1 MiB. */
	uint64_t *port_packets, *port_bytes; /* [65536] */
	/* The ports counted so far, in the order they came: a summary
	 * ranks these, not all 65536 (counts never go back to 0). */
	uint16_t *ports_used;
	uint32_t n_ports_used;
	struct flow_names hosts, sni;
	struct flow_summary work;
	uint64_t next_feed_ns; /* capture time of the next top-N feed */
	uint64_t next_view_ns; /* capture time of the next on_view pass */

	pthread_mutex_t lock; /* guards `published` */
	struct flow_summary published;

	/* The expiry thread, live. */
	pthread_t thread;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stop, thread_started;
	uint64_t period_ns;
	/* flow_table_set_timeouts() while the expiry thread runs: the new
	 * timeouts wait here, under stop_lock, for that thread, the only
	 * reader of the cfg timeouts, to take them between two passes. */
	bool retune;
	uint64_t retune_timeout_ns, retune_closed_ns, retune_active_ns;
};

/* @f's extension: the same place in its slab's extensions. */
static inline struct flow_ext *flow_ext_of(const struct flow_table *ft, const struct flow *f)
{
	return __atomic_load_n(&ft->slabs[f->idx >> ft->slab_shift].ext, __ATOMIC_RELAXED) +
	       (f->idx & (ft->slab_len - 1));
}

/* flows.c, for the maintainer: the list @head..@tail back to the pool's
 * free stack; @f's slot out of the index (false: it was not there). */
void flow_free_push(struct flow_table *ft, struct flow *head, struct flow *tail);
bool flow_index_del(struct flow_table *ft, const struct flow *f);

#endif /* XDPI_INSPECT_FLOWS_INT_H */
