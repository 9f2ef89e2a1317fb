// SPDX-License-Identifier: MIT
/* The flow table: see flows.h for the concurrency contract, docs/flows.md
 * for the definitions. */
#define _LGPL_SOURCE /* the QSBR fast paths inline */
#include "flows.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <urcu-qsbr.h>

#include "../util/clock.h"
#include "../util/hash.h"
#include "detect.h"
#include "topn.h"

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
static int flow_grace_token, flow_barrier_token;

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

/* The per-pass sums of flow_agg hold at most half this many sources, then
 * go into the sketches early: a pass that ends a million flows of a
 * million sources (a flood of spoofed ones; offline, a capture whose time
 * stands still, where passes never come) must not grow it past a fixed
 * size. */
#define FLOW_AGG_SLOTS_MAX 8192u
/* Space-saving over names (hosts, SNIs): counted once per flow, by the
 * maintainer only, so a linear scan of a few dozen entries is cheap. */
#define FLOW_NAMES_TRACKED 64
/* Keys each top-N list tracks for the FLOW_TOP_N it reports: the more,
 * the smaller the error of its counts (inspect/topn.h). */
#define FLOW_TOP_TRACKED 128
/* How stale the top-N lists of a live summary may be. */
#define FLOW_TOP_FEED_NS (10ull * 1000000000u)
/* The expiry thread's passes take at most 1/this of a CPU (live). */
#define FLOW_MAINTAIN_SHARE 20
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

static const char *const end_reason_names[FLOW_END__MAX] = {
	[FLOW_END_FIN] = "fin",		[FLOW_END_RST] = "rst", [FLOW_END_TIMEOUT] = "timeout",
	[FLOW_END_EVICTED] = "evicted", [FLOW_END_EOF] = "eof", [FLOW_END_REUSE] = "reuse",
};

const char *flow_end_reason_name(enum flow_end_reason r)
{
	return (unsigned)r < FLOW_END__MAX ? end_reason_names[r] : "unknown";
}

const char *flow_tcp_state_name(enum flow_tcp_state s)
{
	static const char *const names[FLOW_TCP__MAX] = {
		[FLOW_TCP_NONE] = "none",
		[FLOW_TCP_SYN_SENT] = "syn_sent",
		[FLOW_TCP_SYN_RCVD] = "syn_received",
		[FLOW_TCP_ESTABLISHED] = "established",
		[FLOW_TCP_SYN_ACK_FIRST] = "syn_ack_first",
		[FLOW_TCP_RESET] = "reset",
	};
	return (unsigned)s < FLOW_TCP__MAX ? names[s] : "unknown";
}

const char *flow_proto_name(uint8_t proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmpv6";
	case 132:
		return "sctp";
	default:
		return NULL;
	}
}

/* Everything a flow may hold: its record, its share of the index (at most
 * one bucket a record: buckets are the power of two at or above half the
 * records), and its extension (peek, active report), which it holds from
 * the pool too. */
uint64_t flow_bytes_per_flow(void)
{
	return sizeof(struct flow) + sizeof(struct flow_bucket) + sizeof(struct flow_ext);
}

/* The index for @max_flows records: the power of two at or above half of
 * them, at least FLOW_PROBE_MAX. */
static uint64_t flow_index_buckets(uint64_t max_flows)
{
	uint64_t n = FLOW_PROBE_MAX;

	while (n < (max_flows + 1) / 2)
		n <<= 1;
	return n;
}

uint64_t flow_max_flows_default(void)
{
	return FLOW_MEMORY_DEFAULT / flow_bytes_per_flow();
}

void flows_thread_register(void)
{
	rcu_register_thread();
}

void flows_thread_unregister(void)
{
	FLOW_TSAN_RELEASE(&flow_grace_token);
	rcu_unregister_thread();
}

void flows_thread_online(void)
{
	rcu_thread_online();
}

void flows_thread_offline(void)
{
	FLOW_TSAN_RELEASE(&flow_grace_token);
	rcu_thread_offline();
}

void flows_quiescent(void)
{
	FLOW_TSAN_RELEASE(&flow_grace_token);
	rcu_quiescent_state();
}

static inline struct flow *flow_at(const struct flow_table *ft, uint64_t idx)
{
	/* A slab's pointer is published before any of its records is. */
	return __atomic_load_n(&ft->slabs[idx >> ft->slab_shift].rec, __ATOMIC_RELAXED) +
	       (idx & (ft->slab_len - 1));
}

/* @f's extension: the same place in its slab's extensions. */
static inline struct flow_ext *flow_ext_of(const struct flow_table *ft, const struct flow *f)
{
	return __atomic_load_n(&ft->slabs[f->idx >> ft->slab_shift].ext, __ATOMIC_RELAXED) +
	       (f->idx & (ft->slab_len - 1));
}

static inline uint64_t flow_slot_of(const struct flow *f)
{
	return (f->hash >> FLOW_IDX_BITS) << FLOW_IDX_BITS | (f->idx + 1);
}

/* The record of key @k, or NULL. Reads the home bucket, and the next ones
 * only if keys homed there overflowed. */
static inline __attribute__((always_inline)) struct flow *
flow_lookup(const struct flow_table *ft, const struct flow_key *k, uint64_t hash)
{
	uint64_t mask = ft->nbuckets - 1, home = hash & mask;
	uint64_t tag = hash >> FLOW_IDX_BITS;

	for (unsigned d = 0; d < FLOW_PROBE_MAX; d++) {
		const struct flow_bucket *b = &ft->bucket[(home + d) & mask];

#pragma GCC unroll 8
		for (unsigned i = 0; i < FLOW_BUCKET_SLOTS; i++) {
			uint64_t v = __atomic_load_n(&b->slot[i], __ATOMIC_ACQUIRE);
			struct flow *f;

			if (!v || v >> FLOW_IDX_BITS != tag)
				continue;
			f = flow_at(ft, (v & FLOW_IDX_MASK) - 1);
			FLOW_TSAN_ACQUIRE(f);
			if (k->family == 4 ? flow_key_eq(&f->key, k, FLOW_KEY_LEN4)
					   : flow_key_eq(&f->key, k, FLOW_KEY_LEN6))
				return f;
		}
		if (d == 0 && !__atomic_load_n(&b->overflow, __ATOMIC_ACQUIRE))
			return NULL;
	}
	return NULL;
}

/* Publishes @f in an empty slot of its home bucket or one of the next
 * (the caller holds the home's lock). False: no room within reach. */
static bool flow_index_put(struct flow_table *ft, struct flow *f)
{
	uint64_t mask = ft->nbuckets - 1, home = f->hash & mask, v = flow_slot_of(f);

	for (unsigned d = 0; d < FLOW_PROBE_MAX; d++) {
		struct flow_bucket *b = &ft->bucket[(home + d) & mask];

		for (unsigned i = 0; i < FLOW_BUCKET_SLOTS; i++) {
			uint64_t empty = 0;

			if (__atomic_load_n(&b->slot[i], __ATOMIC_RELAXED))
				continue;
			/* A lookup that finds the slot must find the count
			 * that sends it there first. */
			if (d)
				__atomic_fetch_add(&ft->bucket[home].overflow, 1, __ATOMIC_RELEASE);
			if (__atomic_compare_exchange_n(&b->slot[i], &empty, v, false,
							__ATOMIC_RELEASE, __ATOMIC_RELAXED))
				return true;
			/* Another home's insert took it first. */
			if (d)
				__atomic_fetch_sub(&ft->bucket[home].overflow, 1, __ATOMIC_RELAXED);
		}
	}
	return false;
}

/* Moves @f's slot to @to: 0 empties it (the maintainer), another record's
 * slot value puts that record in its place (flow_reuse(), under the home
 * bucket's lock). False if @f was not there. */
static bool flow_index_move(struct flow_table *ft, const struct flow *f, uint64_t to)
{
	uint64_t mask = ft->nbuckets - 1, home = f->hash & mask, v = flow_slot_of(f);

	for (unsigned d = 0; d < FLOW_PROBE_MAX; d++) {
		struct flow_bucket *b = &ft->bucket[(home + d) & mask];

		for (unsigned i = 0; i < FLOW_BUCKET_SLOTS; i++) {
			uint64_t want = v;

			if (__atomic_load_n(&b->slot[i], __ATOMIC_RELAXED) != v)
				continue;
			if (!__atomic_compare_exchange_n(&b->slot[i], &want, to, false,
							 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
				return false;
			if (d && !to)
				__atomic_fetch_sub(&ft->bucket[home].overflow, 1, __ATOMIC_RELAXED);
			return true;
		}
	}
	return false;
}

static bool flow_index_del(struct flow_table *ft, const struct flow *f)
{
	return flow_index_move(ft, f, 0);
}

static bool flow_bucket_trylock(struct flow_bucket *b, bool single_thread)
{
	for (unsigned n = 0; n < (single_thread ? 1 : FLOW_LOCK_SPINS); n++) {
		uint32_t free_ = 0;

		if (!__atomic_load_n(&b->lock, __ATOMIC_RELAXED) &&
		    __atomic_compare_exchange_n(&b->lock, &free_, 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
		caa_cpu_relax();
	}
	return false;
}

static void flow_bucket_unlock(struct flow_bucket *b)
{
	__atomic_store_n(&b->lock, 0, __ATOMIC_RELEASE);
}

/* Fills @k from the packet, as far as flow_key_len() (the rest is never
 * read); returns the sender's endpoint index. */
static inline unsigned flow_key_build(struct flow_key *k, const struct pkt_info *pi)
{
	uint32_t alen = pi->l3 == PKT_L3_IPV4 ? 4 : 16;
	uint16_t sport = 0, dport = 0;
	int cmp;

	k->zero = 0;
	if ((pi->l4 == PKT_L4_TCP || pi->l4 == PKT_L4_UDP) && pi->l4_complete) {
		sport = pi->sport;
		dport = pi->dport;
	}
	k->family = alen == 4 ? 4 : 6;
	k->proto = pi->ip_proto;
	k->vlan = pi->vlan_count ? pi->vlan_id[0] : 0;
	k->vlan_inner = pi->vlan_count > 1 ? pi->vlan_id[1] : 0;
	if (alen == 4) { /* fixed sizes: moves, not calls */
		uint32_t a, b;

		memcpy(&a, pi->src_addr, 4);
		memcpy(&b, pi->dst_addr, 4);
		/* memcmp()'s order: network byte order's */
		cmp = a == b ? 0 : be32toh(a) < be32toh(b) ? -1 : 1;
		if (cmp < 0 || (cmp == 0 && sport <= dport)) {
			memcpy(k->addr, &a, 4);
			memcpy(k->addr + 4, &b, 4);
			k->port[0] = sport;
			k->port[1] = dport;
			return 0;
		}
		memcpy(k->addr, &b, 4);
		memcpy(k->addr + 4, &a, 4);
		k->port[0] = dport;
		k->port[1] = sport;
		return 1;
	}
	{ /* memcmp()'s order, as two big-endian words: no call */
		uint64_t s[2], d[2];

		memcpy(s, pi->src_addr, 16);
		memcpy(d, pi->dst_addr, 16);
		s[0] = be64toh(s[0]), s[1] = be64toh(s[1]);
		d[0] = be64toh(d[0]), d[1] = be64toh(d[1]);
		cmp = s[0] != d[0]   ? (s[0] < d[0] ? -1 : 1)
		      : s[1] != d[1] ? (s[1] < d[1] ? -1 : 1)
				     : 0;
	}
	if (cmp < 0 || (cmp == 0 && sport <= dport)) {
		memcpy(k->addr, pi->src_addr, 16);
		memcpy(k->addr + 16, pi->dst_addr, 16);
		k->port[0] = sport;
		k->port[1] = dport;
		return 0;
	}
	memcpy(k->addr, pi->dst_addr, 16);
	memcpy(k->addr + 16, pi->src_addr, 16);
	k->port[0] = dport;
	k->port[1] = sport;
	return 1;
}

/* ---- The pool ---------------------------------------------------------- */

static void flow_record_fill(const struct flow_table *ft, const struct flow *f,
			     struct flow_record *r, struct peek_result *peek);

/* Pushes the list @head..@tail on the free stack. Workers only ever take
 * the whole stack (flow_take_freed()), so a compare-and-swap on the top
 * cannot be fooled by a record that left and came back (no ABA). */
static void flow_free_push(struct flow_table *ft, struct flow *head, struct flow *tail)
{
	struct flow *top = __atomic_load_n(&ft->free_top, __ATOMIC_RELAXED);

	do
		tail->next = top;
	while (!__atomic_compare_exchange_n(&ft->free_top, &top, head, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
}

/* Every record the free stack holds, for this worker alone. A read first:
 * while the stack is empty (a flood at a full table) workers do not write
 * its cache line. */
static struct flow *flow_take_freed(struct flow_table *ft)
{
	if (!__atomic_load_n(&ft->free_top, __ATOMIC_RELAXED))
		return NULL;
	return __atomic_exchange_n(&ft->free_top, NULL, __ATOMIC_ACQUIRE);
}

/* @sl's extensions, mapped if they are not yet: false if they cannot be. */
static bool flow_map_ext(struct flow_slab *sl)
{
	void *ext;

	if (__atomic_load_n(&sl->ext, __ATOMIC_RELAXED))
		return true;
	/* Never read before written: its pages come in as records use
	 * them, a page a peek or a report at most. */
	ext = mmap(NULL, (size_t)sl->len * sizeof(struct flow_ext), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ext == MAP_FAILED)
		return false;
	__atomic_store_n(&sl->ext, (struct flow_ext *)ext, __ATOMIC_RELEASE);
	return true;
}

/* A slab of its own for @w: maps the next one, if the pool has one left.
 * Two mmap() per slab (up to 65,536 new flows: the records, their
 * extensions); one that fails leaves its slab unused, and its flows
 * untracked, as malloc() failing did. */
static bool flow_take_slab(struct flow_worker *w)
{
	struct flow_table *ft = w->table;
	struct flow_slab *sl;
	uint32_t k;
	void *mem;

	if (__atomic_load_n(&ft->slabs_taken, __ATOMIC_RELAXED) >= ft->nslabs)
		return false;
	k = __atomic_fetch_add(&ft->slabs_taken, 1, __ATOMIC_RELAXED);
	if (k >= ft->nslabs)
		return false;
	sl = &ft->slabs[k];
	/* Before any of the slab's records can be published. */
	if (!flow_map_ext(sl))
		return false;
	mem = __atomic_load_n(&sl->rec, __ATOMIC_RELAXED); /* the first, mapped at start */
	if (!mem) {
		mem = mmap(NULL, (size_t)sl->len * sizeof(struct flow), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return false;
		__atomic_store_n(&sl->rec, (struct flow *)mem, __ATOMIC_RELEASE);
	}
	w->slab = k;
	w->slab_next = mem;
	w->slab_end = (struct flow *)mem + sl->len;
	return true;
}

/* A zeroed record, or NULL when the pool is spent: first what this worker
 * took back, then its slab, then the free stack, then a new slab. No
 * allocator call, no shared write but the rare stack or slab take. */
static inline struct flow *flow_alloc(struct flow_worker *w)
{
	struct flow *f = w->free;

	if (!f) {
		if (w->slab_next == w->slab_end && !(f = flow_take_freed(w->table)) &&
		    !flow_take_slab(w))
			return NULL;
		if (!f) {
			struct flow_slab *sl = &w->table->slabs[w->slab];

			f = w->slab_next++;
			f->idx = ((uint64_t)w->slab << w->table->slab_shift) +
				 (uint64_t)(f - sl->rec);
			/* The maintainer walks a slab up to here. */
			__atomic_store_n(&w->table->slab_used[w->slab].n,
					 (uint32_t)(f - sl->rec) + 1, __ATOMIC_RELEASE);
		} else {
			FLOW_TSAN_ACQUIRE(f);
			w->free = f->next;
		}
	} else {
		w->free = f->next;
	}
	memset((char *)f + FLOW_INIT, 0, sizeof(*f) - FLOW_INIT);
	return f;
}

/* A record back on this worker's list: it lost an insert race, so nobody
 * saw it. */
static void flow_unalloc(struct flow_worker *w, struct flow *f)
{
	f->next = w->free;
	w->free = f;
}

/* The figures of the ended records to their hook, then the records back
 * to the pool; after a grace period live, at once offline. */
static void flow_ended_release(struct flow_table *ft, struct flow *head)
{
	struct flow *tail = NULL;
	struct peek_result peek;
	struct flow_record r;

	for (struct flow *f = head; f; f = f->next) {
		FLOW_TSAN_ACQUIRE(f);
		if (ft->cfg.on_end) {
			flow_record_fill(ft, f, &r, &peek);
			ft->cfg.on_end(ft->cfg.on_end_ctx, &r);
		}
		FLOW_TSAN_RELEASE(f);
		tail = f;
	}
	/* From here a worker may take them: @head's rcu is not read again. */
	if (tail)
		flow_free_push(ft, head, tail);
}

/* After the grace period: no worker can reach the batch's records any
 * more, so their figures are final. */
static void flow_batch_cb(struct rcu_head *rcu)
{
	struct flow *head = caa_container_of(rcu, struct flow, rcu);

	/* Before the first read: TSan cannot see liburcu's grace period. */
	FLOW_TSAN_ACQUIRE(&flow_grace_token);
	flow_ended_release(head->table, head);
	FLOW_TSAN_RELEASE(&flow_barrier_token);
}

/* The records this pass took out, on their way back: one call_rcu() for
 * them all, carried by the first of them. Offline (one thread, no other
 * reader) at once, so that the next new flow finds room: a read stays
 * deterministic. Live, records that wait (for the grace period, then
 * for the on_end hook: a slow --json-lines reader holds up the call_rcu
 * thread) are records of the pool: while they wait, new flows find it
 * spent and are counted untracked; nothing grows. */
static void flow_ended_flush(struct flow_table *ft)
{
	struct flow *head = ft->ended_head;

	if (!head)
		return;
	ft->ended_head = ft->ended_tail = NULL;
	if (ft->cfg.single_thread) {
		flow_ended_release(ft, head);
		return;
	}
	head->table = ft;
	ft->batches = true;
	call_rcu(&head->rcu, flow_batch_cb);
}

static void flow_evict_idlest(struct flow_table *ft, uint64_t need);

/* A packet of a flow the table does not hold: a new record, unless the
 * pool is spent. Another worker may be inserting the same key: the home
 * bucket's lock makes one of them insert and the other find its record. */
static __attribute__((noinline)) struct flow *
flow_insert(struct flow_worker *w, const struct flow_key *k, uint64_t hash, unsigned sender)
{
	struct flow_table *ft = w->table;
	struct flow_bucket *home = &ft->bucket[hash & (ft->nbuckets - 1)];
	struct flow *f = flow_alloc(w), *got;

	/* The record first: a flood at a full table then costs no write to
	 * the bucket. */
	if (!f && ft->cfg.single_thread) {
		flow_evict_idlest(ft, ft->cfg.max_flows - ft->cfg.max_flows / 8 * 7);
		flow_ended_flush(ft);
		f = flow_alloc(w);
	}
	if (!f) {
		w->c.untracked++;
		return NULL;
	}
	if (!flow_bucket_trylock(home, ft->cfg.single_thread)) {
		flow_unalloc(w, f);
		w->c.untracked++;
		return NULL;
	}
	/* Alone on the table, nothing can have added the key since the
	 * caller's lookup (an eviction above only removes). */
	got = ft->cfg.single_thread ? NULL : flow_lookup(ft, k, hash);
	if (got) {
		flow_bucket_unlock(home);
		flow_unalloc(w, f);
		return got;
	}
	f->hash = hash;
	f->key = *k;
	f->first_ns = w->now_ns;
	f->last_ns = w->now_ns;
	f->initiator = (uint8_t)sender;
	f->rtt_ns = -1;
	FLOW_TSAN_RELEASE(f);
	if (!flow_index_put(ft, f)) {
		flow_bucket_unlock(home);
		flow_unalloc(w, f);
		w->c.untracked++;
		return NULL;
	}
	__atomic_store_n(&f->live, 1, __ATOMIC_RELEASE);
	flow_bucket_unlock(home);
	w->c.created++;
	if (ft->cfg.single_thread)
		ft->count++;
	return f;
}

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
static __attribute__((noinline)) void flow_tcp_step(struct flow_worker *w, struct flow *f,
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

/* Port reuse: a new record takes @f's key from this SYN on, and @f leaves
 * the index, retired, for the maintainer to end ("reuse"). NULL when that
 * cannot be done now (the bucket busy, the pool spent, @f already out):
 * the SYN then counts in @f, as before the rule. */
static __attribute__((noinline)) struct flow *flow_reuse(struct flow_worker *w, struct flow *f,
							 unsigned sender)
{
	struct flow_table *ft = w->table;
	struct flow_bucket *home = &ft->bucket[f->hash & (ft->nbuckets - 1)];
	struct flow *g = flow_alloc(w);

	if (!g)
		return NULL;
	if (!flow_bucket_trylock(home, ft->cfg.single_thread)) {
		flow_unalloc(w, g);
		return NULL;
	}
	g->hash = f->hash;
	g->key = f->key;
	g->first_ns = w->now_ns;
	g->last_ns = w->now_ns;
	g->initiator = (uint8_t)sender;
	g->rtt_ns = -1;
	FLOW_TSAN_RELEASE(g);
	if (!flow_index_move(ft, f, flow_slot_of(g))) {
		flow_bucket_unlock(home);
		flow_unalloc(w, g);
		return NULL;
	}
	__atomic_store_n(&f->retired, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&g->live, 1, __ATOMIC_RELEASE);
	flow_bucket_unlock(home);
	w->c.created++;
	if (ft->cfg.single_thread)
		ft->count++;
	return g;
}

/* The first payload each endpoint sends: a request line or a ClientHello?
 * One look per endpoint and flow; the first endpoint whose look finds one
 * keeps it, in the record's extension (no allocation). */
static __attribute__((noinline)) void flow_peek(struct flow_worker *w, struct flow *f,
						const uint8_t *payload, uint32_t len,
						unsigned sender)
{
	uint8_t bit = (uint8_t)(1u << sender), none = FLOW_PEEK_NONE;
	struct peek_result r;

	if (__atomic_fetch_or(&f->peeked, bit, __ATOMIC_RELAXED) & bit)
		return;
	w->c.peeked++;
	if (!peek_candidate(payload, len) || peek_payload(payload, len, &r) == PEEK_NONE)
		return;
	if (!__atomic_compare_exchange_n(&f->peek_state, &none, FLOW_PEEK_BUSY, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return; /* the other endpoint's was first */
	peek_pack(&r, &flow_ext_of(w->table, f)->peek);
	__atomic_store_n(&f->peek_state, FLOW_PEEK_KEPT, __ATOMIC_RELEASE);
}

bool flow_worker_account(struct flow_worker *w, const struct pkt_info *pi, const uint8_t *frame,
			 uint32_t caplen, uint32_t wire_len)
{
	struct flow_table *ft = w->table;
	struct flow_key k;
	struct flow *f;
	unsigned sender;
	uint64_t hash, last;
	uint8_t flags_seen;
	bool seen;

	if (!pi->src_addr)
		return false;
	sender = flow_key_build(&k, pi);
	hash = flow_key_hash(ft->seed, &k);
	f = flow_lookup(ft, &k, hash);
	if (!f) {
		f = flow_insert(w, &k, hash, sender);
		if (!f)
			return false;
	} else if (__builtin_expect((pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST)) ==
					    PKT_TCP_SYN,
				    0) &&
		   pi->l4 == PKT_L4_TCP && pi->l4_complete && flow_tcp_reused(f, pi, sender)) {
		struct flow *g = flow_reuse(w, f, sender);

		if (g)
			f = g;
	}
	seen = __atomic_fetch_add(&f->packets[sender], 1, __ATOMIC_RELAXED) != 0;
	__atomic_fetch_add(&f->bytes[sender], wire_len, __ATOMIC_RELAXED);
	__atomic_fetch_add(&f->ip_bytes[sender], pi->ip_len, __ATOMIC_RELAXED);
	last = __atomic_load_n(&f->last_ns, __ATOMIC_RELAXED);
	if (w->now_ns > last)
		__atomic_store_n(&f->last_ns, w->now_ns, __ATOMIC_RELAXED);

	if (pi->l4 != PKT_L4_TCP || !pi->l4_complete)
		return seen;
	flags_seen = __atomic_load_n(&f->tcp_flags, __ATOMIC_RELAXED);
	if ((flags_seen | pi->tcp_flags) != flags_seen) /* a locked op only for news */
		__atomic_fetch_or(&f->tcp_flags, pi->tcp_flags, __ATOMIC_RELAXED);
	/* A handshake under way: its ACK (of a SYN-ACK seen or not) moves it. */
	if (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_FIN | PKT_TCP_RST) ||
	    (uint8_t)(__atomic_load_n(&f->state, __ATOMIC_RELAXED) - FLOW_TCP_SYN_SENT) <= 1)
		flow_tcp_step(w, f, pi, sender);
	if (ft->cfg.peeks && pi->payload_len && caplen > pi->payload_off &&
	    !(__atomic_load_n(&f->peeked, __ATOMIC_RELAXED) & (1u << sender))) {
		uint32_t len = caplen - pi->payload_off;

		if (len > pi->payload_len)
			len = pi->payload_len;
		flow_peek(w, f, frame + pi->payload_off, len, sender);
	}
	return seen;
}

uint64_t flow_worker_prefetch(const struct flow_worker *w, const uint8_t *frame, uint32_t len)
{
	const struct flow_table *ft = w->table;
	uint32_t off = 14, alen, l4;
	uint16_t type, sport = 0, dport = 0, vlan[2] = {0, 0};
	const uint8_t *src, *dst;
	struct flow_key k;
	uint64_t hash;
	uint8_t proto;
	int cmp;

	if (len < 18)
		return 0;
	type = (uint16_t)(frame[12] << 8 | frame[13]);
	/* Two tags at most, as the parser takes them. */
	for (unsigned t = 0; t < 2 && (type == 0x8100 || type == 0x88a8) && len >= off + 4; t++) {
		vlan[t] = (uint16_t)((frame[off] << 8 | frame[off + 1]) & 0x0fff);
		type = (uint16_t)(frame[off + 2] << 8 | frame[off + 3]);
		off += 4;
	}
	if (type == 0x0800 && len >= off + 20 && frame[off] >> 4 == 4) {
		alen = 4;
		proto = frame[off + 9];
		src = frame + off + 12;
		dst = frame + off + 16;
		l4 = off + (frame[off] & 15u) * 4;
		/* A fragment after the first has no ports. */
		if ((frame[off + 6] & 0x1f) | frame[off + 7])
			proto = proto == 6 || proto == 17 ? 0xff : proto;
	} else if (type == 0x86dd && len >= off + 40) {
		alen = 16;
		proto = frame[off + 6];
		src = frame + off + 8;
		dst = frame + off + 24;
		l4 = off + 40;
	} else {
		return 0;
	}
	memset(&k, 0, sizeof(k));
	if ((proto == 6 && len >= l4 + 20) || (proto == 17 && len >= l4 + 8)) {
		sport = (uint16_t)(frame[l4] << 8 | frame[l4 + 1]);
		dport = (uint16_t)(frame[l4 + 2] << 8 | frame[l4 + 3]);
	}
	k.family = alen == 4 ? 4 : 6;
	k.proto = proto == 0xff ? frame[off + 9] : proto;
	k.vlan = vlan[0];
	k.vlan_inner = vlan[1];
	cmp = memcmp(src, dst, alen);
	if (cmp < 0 || (cmp == 0 && sport <= dport)) {
		memcpy(k.addr, src, alen);
		memcpy(k.addr + alen, dst, alen);
		k.port[0] = sport;
		k.port[1] = dport;
	} else {
		memcpy(k.addr, dst, alen);
		memcpy(k.addr + alen, src, alen);
		k.port[0] = dport;
		k.port[1] = sport;
	}
	hash = flow_key_hash(ft->seed, &k);
	__builtin_prefetch(&ft->bucket[hash & (ft->nbuckets - 1)]);
	return hash;
}

uint64_t flow_worker_hash(const struct flow_worker *w, const struct pkt_info *pi)
{
	struct flow_key k;

	if (!pi->src_addr)
		return 0;
	flow_key_build(&k, pi);
	return flow_key_hash(w->table->seed, &k);
}

void flow_worker_init(struct flow_worker *w, struct flow_table *ft)
{
	memset(w, 0, sizeof(*w));
	w->table = ft;
}

/* ---- The maintainer ---------------------------------------------------- */

/* @f as a record; its peek, if it has one, unpacked into @peek. */
static void flow_record_fill(const struct flow_table *ft, const struct flow *f,
			     struct flow_record *r, struct peek_result *peek)
{
	const struct flow_ext *ext = flow_ext_of(ft, f);
	unsigned src = __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);
	unsigned dst = src ^ 1;
	uint8_t st = __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) & ~FLOW_TCP_BUSY;

	memset(r, 0, sizeof(*r));
	r->family = f->key.family;
	r->proto = f->key.proto;
	r->has_vlan = f->key.vlan != 0;
	r->vlan = f->key.vlan;
	r->vlan_inner = f->key.vlan_inner;
	memcpy(r->src_addr, flow_key_addr(&f->key, src), f->key.family == 4 ? 4 : 16);
	memcpy(r->dst_addr, flow_key_addr(&f->key, dst), f->key.family == 4 ? 4 : 16);
	r->src_port = f->key.port[src];
	r->dst_port = f->key.port[dst];
	r->packets_toserver = __atomic_load_n(&f->packets[src], __ATOMIC_RELAXED);
	r->packets_toclient = __atomic_load_n(&f->packets[dst], __ATOMIC_RELAXED);
	r->bytes_toserver = __atomic_load_n(&f->bytes[src], __ATOMIC_RELAXED);
	r->bytes_toclient = __atomic_load_n(&f->bytes[dst], __ATOMIC_RELAXED);
	r->ip_bytes_toserver = __atomic_load_n(&f->ip_bytes[src], __ATOMIC_RELAXED);
	r->ip_bytes_toclient = __atomic_load_n(&f->ip_bytes[dst], __ATOMIC_RELAXED);
	if (f->has_rep) {
		r->prev_packets_toserver = ext->rep.packets[src];
		r->prev_packets_toclient = ext->rep.packets[dst];
		r->prev_bytes_toserver = ext->rep.bytes[src];
		r->prev_bytes_toclient = ext->rep.bytes[dst];
		r->prev_ip_bytes_toserver = ext->rep.ip_bytes[src];
		r->prev_ip_bytes_toclient = ext->rep.ip_bytes[dst];
		r->prev_end_ns = ext->rep.end_ns;
	}
	r->start_ns = f->first_ns;
	r->end_ns = __atomic_load_n(&f->last_ns, __ATOMIC_RELAXED);
	r->tcp_flags = __atomic_load_n(&f->tcp_flags, __ATOMIC_RELAXED);
	r->state = st;
	r->end_reason = f->end_reason;
	r->rtt_ns = st == FLOW_TCP_ESTABLISHED ? __atomic_load_n(&f->rtt_ns, __ATOMIC_RELAXED) : -1;
	r->one_way = !r->packets_toserver || !r->packets_toclient;
	r->peek = NULL;
	if (__atomic_load_n(&f->peek_state, __ATOMIC_ACQUIRE) == FLOW_PEEK_KEPT) {
		peek_unpack(&ext->peek, peek);
		r->peek = peek;
	}
}

/* The highest version a ClientHello offers, into its summary bucket. */
static void flow_count_tls_version(struct flow_summary *s, const struct peek_packed *pk)
{
	unsigned n = pk->tls_version_count < PEEK_TLS_VERSIONS_MAX ? pk->tls_version_count
								   : PEEK_TLS_VERSIONS_MAX;
	uint16_t max = 0;

	if (!n)
		return;
	for (unsigned i = 0; i < n; i++)
		if (pk->u.tls.versions[i] > max)
			max = pk->u.tls.versions[i];
	s->tls_max_version[max >= 0x0300 && max <= 0x0304 ? max - 0x0300 : FLOW_TLS_OTHER]++;
}

static void flow_names_add(struct flow_names *t, const char *name)
{
	size_t len = strlen(name);
	uint64_t h = xdpi_hash64(0, name, (uint32_t)len);
	unsigned min = 0;

	if (!*name)
		return;
	/* The hashes first, on lines of their own: an entry is 280 bytes.
	 * Most names are new: none held with this low byte skips the scan. */
	for (unsigned i = 0; t->held[h & 255] && i < t->n; i++) {
		if (t->hash[i] == h && strcmp(t->e[i].name, name) == 0) {
			t->e[i].flows++;
			t->least &= ~(1ull << i);
			return;
		}
	}
	if (t->n < FLOW_NAMES_TRACKED) {
		min = t->n++;
		t->e[min].flows = 0;
		t->e[min].error = 0;
	} else {
		/* Space-saving: the newcomer inherits the minimum's count
		 * (the first of the least). */
		if (!t->least) {
			uint64_t least = t->e[0].flows;

			for (unsigned i = 1; i < t->n; i++)
				least = t->e[i].flows < least ? t->e[i].flows : least;
			for (unsigned i = 0; i < t->n; i++)
				t->least |= (uint64_t)(t->e[i].flows == least) << i;
		}
		min = (unsigned)__builtin_ctzll(t->least);
		t->least &= ~(1ull << min);
		t->e[min].error = t->e[min].flows;
		t->held[t->hash[min] & 255]--;
	}
	t->held[h & 255]++;
	/* Peek strings are NUL-terminated within this size (peek.h). */
	memcpy(t->e[min].name, name, strnlen(name, sizeof(t->e[min].name) - 1) + 1);
	t->e[min].name[sizeof(t->e[min].name) - 1] = 0;
	t->hash[min] = h;
	t->e[min].flows++;
}

static int flow_name_cmp(const void *a, const void *b)
{
	const struct flow_top_name *x = a, *y = b;

	if (x->flows != y->flows)
		return x->flows < y->flows ? 1 : -1;
	return strcmp(x->name, y->name);
}

static uint8_t flow_names_top(const struct flow_names *t, struct flow_top_name *out)
{
	struct flow_top_name sorted[FLOW_NAMES_TRACKED];
	uint64_t count[FLOW_TOP_N], error[FLOW_TOP_N];
	unsigned n = t->n < FLOW_TOP_N ? t->n : FLOW_TOP_N;
	uint32_t ranked;

	memcpy(sorted, t->e, t->n * sizeof(sorted[0]));
	qsort(sorted, t->n, sizeof(sorted[0]), flow_name_cmp);
	for (unsigned i = 0; i < n; i++) {
		count[i] = sorted[i].flows;
		error[i] = sorted[i].error;
	}
	/* A name not tracked weighs no more than the least tracked one,
	 * which is no more than the (n+1)th. */
	ranked = topn_ranked(count, error, n, t->n > n ? sorted[n].flows : 0);
	memcpy(out, sorted, n * sizeof(sorted[0]));
	for (unsigned i = 0; i < n; i++)
		out[i].ranked = i < ranked;
	return (uint8_t)n;
}

static void flow_agg_free(struct flow_agg *a)
{
	free(a->key);
	free(a->packets);
	free(a->bytes);
	free(a->used);
	memset(a, 0, sizeof(*a));
}

static inline __attribute__((always_inline)) uint32_t flow_agg_slot(const struct flow_agg *a,
								    const uint8_t key[16])
{
	uint32_t i = (uint32_t)xdpi_hash64(0, key, 16) & (a->cap - 1);

	while (a->packets[i] && memcmp(a->key[i], key, 16))
		i = (i + 1) & (a->cap - 1);
	return i;
}

/* Doubles the table (from 1024 slots). 0, or -ENOMEM with @a unchanged. */
static int flow_agg_grow(struct flow_agg *a)
{
	struct flow_agg b = {.cap = a->cap ? a->cap * 2 : 1024, .n = a->n};

	b.key = malloc(sizeof(*b.key) * b.cap);
	b.packets = calloc(b.cap, sizeof(*b.packets));
	b.bytes = malloc(sizeof(*b.bytes) * b.cap);
	b.used = malloc(sizeof(*b.used) * b.cap);
	if (!b.key || !b.packets || !b.bytes || !b.used) {
		flow_agg_free(&b);
		return -ENOMEM;
	}
	for (uint32_t k = 0; k < a->n; k++) {
		uint32_t from = a->used[k], to = flow_agg_slot(&b, a->key[from]);

		memcpy(b.key[to], a->key[from], 16);
		b.packets[to] = a->packets[from];
		b.bytes[to] = a->bytes[from];
		b.used[k] = to;
	}
	flow_agg_free(a);
	*a = b;
	return 0;
}

static void flow_agg_flush(struct flow_table *ft);

static inline __attribute__((always_inline)) void
flow_agg_add(struct flow_table *ft, const uint8_t key[16], uint64_t packets, uint64_t bytes)
{
	struct flow_agg *a = &ft->agg;
	uint32_t i;

	if (2 * (a->n + 1) > a->cap && a->cap >= FLOW_AGG_SLOTS_MAX)
		flow_agg_flush(ft); /* full: what it holds into the sketches now */
	if (2 * (a->n + 1) > a->cap && flow_agg_grow(a)) {
		/* Out of memory: straight into the sketches, only slower. */
		topn_add(ft->top_src_packets, key, 16, packets);
		topn_add(ft->top_src_bytes, key, 16, bytes);
		return;
	}
	i = flow_agg_slot(a, key);
	if (!a->packets[i]) {
		memcpy(a->key[i], key, 16);
		a->bytes[i] = 0;
		a->used[a->n++] = i;
	}
	a->packets[i] += packets;
	a->bytes[i] += bytes;
}

/* The pass's sums into the sketches, in the order sources first came. */
static void flow_agg_flush(struct flow_table *ft)
{
	struct flow_agg *a = &ft->agg;

	for (uint32_t k = 0; k < a->n; k++) {
		uint32_t i = a->used[k];

		topn_add(ft->top_src_packets, a->key[i], 16, a->packets[i]);
		topn_add(ft->top_src_bytes, a->key[i], 16, a->bytes[i]);
		a->packets[i] = 0;
	}
	a->n = 0;
}

/* An endpoint's address as a 16-byte key: IPv4 mapped into IPv6
 * (::ffff:a.b.c.d), so both families share one top-N list. */
static void flow_addr_key(const struct flow *f, unsigned endpoint, uint8_t key[16])
{
	if (f->key.family == 6) {
		memcpy(key, flow_key_addr(&f->key, endpoint), 16);
		return;
	}
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	memcpy(key + 12, flow_key_addr(&f->key, endpoint), 4);
}

/* Adds what @f sent since it was last fed to the top-N lists (@top), and
 * its peek once it is there. A space-saving add costs ~100 instructions:
 * a flow is fed when it ends and on the passes of every
 * FLOW_TOP_FEED_NS, not on each pass. */
static inline __attribute__((always_inline)) void flow_feed(struct flow_table *ft, struct flow *f,
							    bool top)
{
	const struct peek_packed *pk;

	for (unsigned d = 0; top && d < 2; d++) {
		uint64_t p = __atomic_load_n(&f->packets[d], __ATOMIC_RELAXED);
		uint64_t b = __atomic_load_n(&f->bytes[d], __ATOMIC_RELAXED);
		uint64_t dp = p - f->fed_packets[d], db = b - f->fed_bytes[d];
		uint8_t key[16];
		uint16_t port = f->key.port[d ^ 1];

		if (!dp)
			continue;
		flow_addr_key(f, d, key);
		flow_agg_add(ft, key, dp, db);
		if (f->key.proto == 6 || f->key.proto == 17) {
			if (!ft->port_packets[port])
				ft->ports_used[ft->n_ports_used++] = port;
			ft->port_packets[port] += dp;
			ft->port_bytes[port] += db;
		}
		f->fed_packets[d] = p;
		f->fed_bytes[d] = b;
	}
	if ((f->mflags & FLOW_M_PEEK_COUNTED) ||
	    __atomic_load_n(&f->peek_state, __ATOMIC_ACQUIRE) != FLOW_PEEK_KEPT)
		return;
	pk = &flow_ext_of(ft, f)->peek;
	f->mflags |= FLOW_M_PEEK_COUNTED;
	if (pk->kind == PEEK_HTTP) {
		ft->work.http_methods[pk->http_method < PEEK_HTTP__MAX ? pk->http_method : 0]++;
		flow_names_add(&ft->hosts, pk->u.http.host);
	} else if (pk->kind == PEEK_TLS) {
		ft->work.tls_hellos++;
		flow_names_add(&ft->sni, pk->u.tls.sni);
		flow_count_tls_version(&ft->work, pk);
	}
}

/* An active-timeout record for @f if it is due: active_timeout_ns since
 * the flow started or was last reported, and packets since. Its figures so far are a snapshot
 * (workers may still add). */
static void flow_report_active(struct flow_table *ft, struct flow *f, uint64_t now_ns)
{
	struct flow_reported *rep = &flow_ext_of(ft, f)->rep;
	uint64_t since = f->has_rep ? rep->at_ns : f->first_ns;
	unsigned src = __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);
	struct peek_result peek;
	struct flow_record r;

	if (now_ns < since || now_ns - since < ft->cfg.active_timeout_ns)
		return;
	if (!f->has_rep) {
		memset(rep, 0, sizeof(*rep));
		f->has_rep = true;
	}
	flow_record_fill(ft, f, &r, &peek);
	if (r.packets_toserver == r.prev_packets_toserver &&
	    r.packets_toclient == r.prev_packets_toclient)
		return;
	ft->cfg.on_active(ft->cfg.on_end_ctx, &r);
	/* Exactly what the record said: packets that arrived since are in
	 * the next one. */
	rep->packets[src] = r.packets_toserver;
	rep->packets[src ^ 1] = r.packets_toclient;
	rep->bytes[src] = r.bytes_toserver;
	rep->bytes[src ^ 1] = r.bytes_toclient;
	rep->ip_bytes[src] = r.ip_bytes_toserver;
	rep->ip_bytes[src ^ 1] = r.ip_bytes_toclient;
	rep->end_ns = r.end_ns;
	rep->at_ns = now_ns;
}

/* Hands @f to the detection (ft->cfg.detect) as it is at this pass:
 * what its initiator sent since the last look, and its handshake. A pass
 * (and a record's end) skips a record the detection called quiet that
 * sent nothing either way since (its state moves only with a packet), so
 * that a pass costs the flows that changed, not all of them. */
static inline __attribute__((always_inline)) void flow_detect(struct flow_table *ft, struct flow *f,
							      bool ending)
{
	unsigned src = __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);
	uint32_t p = (uint32_t)__atomic_load_n(&f->packets[src], __ATOMIC_RELAXED);
	uint32_t r = (uint32_t)__atomic_load_n(&f->packets[src ^ 1], __ATOMIC_RELAXED);
	uint8_t st = __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) & ~FLOW_TCP_BUSY;
	uint32_t b;
	uint64_t now;
	bool done;

	/* Counts only grow: both equal to the last look's (in either order,
	 * should the initiator have changed) means no packet since. Live, a
	 * worker counts a packet before it moves the state: the state is
	 * compared too. Its end changes nothing either: an end decides only
	 * an outcome still to take, and a half-open attempt. */
	if ((f->mflags & FLOW_M_DET_QUIET) && p == f->det_packets && r == f->det_replies &&
	    st == f->mflags >> FLOW_M_DET_STATE)
		return;
	b = (uint32_t)__atomic_load_n(&f->bytes[src], __ATOMIC_RELAXED);
	now = ft->det_now_ns;
	struct detect_obs o = {
		.family = f->key.family,
		.proto = f->key.proto,
		.src = flow_key_addr(&f->key, src),
		.dst = flow_key_addr(&f->key, src ^ 1),
		.sport = f->key.port[src],
		.dport = f->key.port[src ^ 1],
		.syn = st != FLOW_TCP_NONE && st != FLOW_TCP_SYN_ACK_FIRST,
		.new_attempt = !(f->mflags & FLOW_M_DET_SEEN),
		.half_open = st == FLOW_TCP_SYN_SENT || st == FLOW_TCP_SYN_RCVD,
		.established = st == FLOW_TCP_ESTABLISHED,
		.reset = st == FLOW_TCP_RESET,
		.outcome_done = f->mflags & FLOW_M_DET_OUTCOME,
		.ending = ending,
		.answered = __atomic_load_n(&f->packets[src ^ 1], __ATOMIC_RELAXED) != 0,
		.age_ns = now > f->first_ns ? now - f->first_ns : 0,
		.pk_to_dst = (uint32_t)(p - f->det_packets),
		.by_to_dst = (uint32_t)(b - f->det_bytes),
	};

	f->det_packets = p;
	f->det_replies = r;
	f->det_bytes = b;
	f->mflags |= FLOW_M_DET_SEEN;
	if (detect_observe(ft->cfg.detect, &o, now))
		f->mflags |= FLOW_M_DET_OUTCOME;
	done = f->mflags & FLOW_M_DET_OUTCOME;
	f->mflags &= (uint8_t)(~FLOW_M_DET_QUIET & ((1u << FLOW_M_DET_STATE) - 1));
	if (detect_quiet(ft->cfg.detect, &o, done))
		f->mflags |= (uint8_t)(FLOW_M_DET_QUIET | st << FLOW_M_DET_STATE);
}

/* Takes @f out of the table, onto this pass's ended list: its hook runs
 * once the list is flushed (flow_ended_flush()). */
static void flow_remove(struct flow_table *ft, struct flow *f, enum flow_end_reason reason)
{
	/* A retired record is out of the index already (flow_reuse()). */
	if (__atomic_load_n(&f->retired, __ATOMIC_ACQUIRE))
		reason = FLOW_END_REUSE;
	else if (!flow_index_del(ft, f))
		return; /* already removed */
	flow_feed(ft, f, true);
	if (ft->cfg.detect)
		flow_detect(ft, f, true);
	f->end_reason = (uint8_t)reason;
	ft->work.ended[reason]++;
	ft->work.one_way += !__atomic_load_n(&f->packets[0], __ATOMIC_RELAXED) ||
			    !__atomic_load_n(&f->packets[1], __ATOMIC_RELAXED);
	ft->count--;
	__atomic_store_n(&f->live, 0, __ATOMIC_RELAXED);
	f->next = NULL;
	if (ft->ended_tail)
		ft->ended_tail->next = f;
	else
		ft->ended_head = f;
	ft->ended_tail = f;
}

/* A walk over the records in the table, slab by slab in memory order: the
 * maintainer's, which reads each record once, in the order the hardware
 * prefetcher follows, where the hash table's list would jump. */
struct flow_walk {
	uint32_t slab, i, used;
	struct flow *rec;
};

static struct flow *flow_walk_next(struct flow_table *ft, struct flow_walk *it)
{
	for (;;) {
		while (it->i < it->used) {
			struct flow *f = &it->rec[it->i++];

			if (__atomic_load_n(&f->live, __ATOMIC_ACQUIRE)) {
				FLOW_TSAN_ACQUIRE(f);
				return f;
			}
		}
		if (it->slab >= ft->nslabs)
			return NULL;
		it->rec = __atomic_load_n(&ft->slabs[it->slab].rec, __ATOMIC_ACQUIRE);
		it->used =
			it->rec ? __atomic_load_n(&ft->slab_used[it->slab].n, __ATOMIC_ACQUIRE) : 0;
		it->slab++;
		it->i = 0;
	}
}

static enum flow_end_reason flow_idle_reason(const struct flow *f)
{
	if (__atomic_load_n(&f->rst_seen, __ATOMIC_RELAXED))
		return FLOW_END_RST;
	if (__atomic_load_n(&f->fin_seen, __ATOMIC_RELAXED))
		return FLOW_END_FIN;
	return FLOW_END_TIMEOUT;
}

/* Evicts the @need flows seen least recently: one pass for the range of
 * last-seen times, one to count them in 64 slices of it, one to remove the
 * oldest slices (and part of the slice where @need is reached). */
#define FLOW_EVICT_SLICES 64
static void flow_evict_range(struct flow_table *ft, uint64_t need, uint64_t lo, uint64_t hi);

static void flow_evict_idlest(struct flow_table *ft, uint64_t need)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	struct flow_walk it = {0};
	struct flow *f;

	if (!need)
		return;
	while ((f = flow_walk_next(ft, &it))) {
		uint64_t t = __atomic_load_n(&f->last_ns, __ATOMIC_RELAXED);

		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	flow_evict_range(ft, need, lo, hi);
}

/* The same, the range of last-seen times known (the maintainer's pass
 * found it): a flow seen after @hi since is in the newest slice. */
static void flow_evict_range(struct flow_table *ft, uint64_t need, uint64_t lo, uint64_t hi)
{
	uint64_t hist[FLOW_EVICT_SLICES] = {0};
	uint64_t width, below = 0, in_edge;
	struct flow_walk it = {0};
	struct flow *f;
	unsigned edge = 0;

	if (!need || lo > hi)
		return;
	width = (hi - lo) / FLOW_EVICT_SLICES + 1;
	while ((f = flow_walk_next(ft, &it))) {
		uint64_t sl = (__atomic_load_n(&f->last_ns, __ATOMIC_RELAXED) - lo) / width;

		hist[sl < FLOW_EVICT_SLICES ? sl : FLOW_EVICT_SLICES - 1]++;
	}
	while (edge < FLOW_EVICT_SLICES - 1 && below + hist[edge] < need)
		below += hist[edge++];
	in_edge = need - below; /* how many to take from the edge slice */
	it = (struct flow_walk){0};
	while ((f = flow_walk_next(ft, &it))) {
		uint64_t sl = (__atomic_load_n(&f->last_ns, __ATOMIC_RELAXED) - lo) / width;

		if (sl > FLOW_EVICT_SLICES - 1)
			sl = FLOW_EVICT_SLICES - 1;
		if (sl < edge) {
			flow_remove(ft, f, FLOW_END_EVICTED);
		} else if (sl == edge && in_edge) {
			in_edge--;
			flow_remove(ft, f, FLOW_END_EVICTED);
		}
	}
}

/* Whether @port with @count ranks before @e: by count, ties by port. */
static inline bool flow_port_before(uint64_t count, uint32_t port, const struct flow_top_entry *e)
{
	return count > e->count || (count == e->count && port < e->port);
}

/* The FLOW_TOP_N largest of the exact port counts, ties by port, among the
 * @n_used ports counted (in any order: the ranking orders them). */
static uint8_t flow_top_ports(const uint64_t *count, const uint16_t *used, uint32_t n_used,
			      struct flow_top_entry *out)
{
	unsigned n = 0;

	for (uint32_t u = 0; u < n_used; u++) {
		uint32_t port = used[u];
		unsigned i;

		if (!count[port] ||
		    (n == FLOW_TOP_N && !flow_port_before(count[port], port, &out[n - 1])))
			continue;
		i = n < FLOW_TOP_N ? n++ : n - 1;
		for (; i > 0 && flow_port_before(count[port], port, &out[i - 1]); i--)
			out[i] = out[i - 1];
		memset(&out[i], 0, sizeof(out[i]));
		out[i].port = (uint16_t)port;
		out[i].count = count[port];
		out[i].ranked = true; /* exact counts */
	}
	return (uint8_t)n;
}

static uint8_t flow_top_export(struct topn *t, struct flow_top_entry *out)
{
	struct topn_entry e[FLOW_TOP_N + 1];
	uint64_t count[FLOW_TOP_N], error[FLOW_TOP_N];
	/* One more than reported: its count bounds every key left out (a key
	 * not monitored weighs no more than the least monitored one). */
	uint32_t n = topn_top(t, e, FLOW_TOP_N + 1), ranked;
	uint64_t next = 0;

	static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (n > FLOW_TOP_N) {
		next = e[FLOW_TOP_N].count;
		n = FLOW_TOP_N;
	}
	for (uint32_t i = 0; i < n; i++) {
		count[i] = e[i].count;
		error[i] = e[i].error;
	}
	ranked = topn_ranked(count, error, n, next);
	for (uint32_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (!memcmp(e[i].key, v4_mapped, sizeof(v4_mapped))) {
			out[i].family = 4;
			memcpy(out[i].addr, e[i].key + 12, 4);
		} else {
			out[i].family = 6;
			memcpy(out[i].addr, e[i].key, 16);
		}
		out[i].count = e[i].count;
		out[i].error = e[i].error;
		out[i].ranked = i < ranked;
	}
	return (uint8_t)n;
}

static void flow_publish(struct flow_table *ft)
{
	struct flow_summary *s = &ft->work;

	flow_agg_flush(ft);
	s->max_flows = ft->cfg.max_flows;
	s->n_src_packets = flow_top_export(ft->top_src_packets, s->top_src_packets);
	s->n_src_bytes = flow_top_export(ft->top_src_bytes, s->top_src_bytes);
	s->n_port_packets = flow_top_ports(ft->port_packets, ft->ports_used, ft->n_ports_used,
					   s->top_port_packets);
	s->n_port_bytes =
		flow_top_ports(ft->port_bytes, ft->ports_used, ft->n_ports_used, s->top_port_bytes);
	s->n_hosts = flow_names_top(&ft->hosts, s->top_hosts);
	s->n_sni = flow_names_top(&ft->sni, s->top_sni);
	pthread_mutex_lock(&ft->lock);
	ft->published = *s;
	pthread_mutex_unlock(&ft->lock);
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

void flow_table_maintain(struct flow_table *ft, uint64_t now_ns)
{
	struct flow_walk it = {0};
	uint64_t active = 0, half_open = 0, syn_only = 0, high, low, lo = UINT64_MAX, hi = 0;
	bool top = now_ns >= ft->next_feed_ns;
	bool view = ft->cfg.on_view && now_ns >= ft->next_view_ns;
	struct flow *f;

	if (top)
		ft->next_feed_ns = now_ns + FLOW_TOP_FEED_NS;
	/* A little early, so that a pass that comes a few ms short of the
	 * period (the expiry thread's timer) is not skipped for a whole one. */
	if (view)
		ft->next_view_ns = now_ns + ft->cfg.view_period_ns - ft->cfg.view_period_ns / 8;
	ft->det_now_ns = now_ns;

	while ((f = flow_walk_next(ft, &it))) {
		uint64_t last = __atomic_load_n(&f->last_ns, __ATOMIC_RELAXED);
		enum flow_end_reason why = flow_idle_reason(f);
		uint64_t timeout =
			why == FLOW_END_TIMEOUT ? ft->cfg.timeout_ns : ft->cfg.closed_timeout_ns;
		uint8_t st;

		if ((now_ns > last && now_ns - last >= timeout) ||
		    __atomic_load_n(&f->retired, __ATOMIC_ACQUIRE)) {
			flow_remove(ft, f, why);
			continue;
		}
		lo = last < lo ? last : lo;
		hi = last > hi ? last : hi;
		flow_feed(ft, f, top);
		if (ft->cfg.detect)
			flow_detect(ft, f, false);
		if (ft->cfg.on_active)
			flow_report_active(ft, f, now_ns);
		if (view) {
			struct peek_result peek;
			struct flow_record r;

			flow_record_fill(ft, f, &r, &peek);
			ft->cfg.on_view(ft->cfg.view_ctx, f->idx, &r);
		}
		active++;
		st = __atomic_load_n(&f->state, __ATOMIC_RELAXED) & ~FLOW_TCP_BUSY;
		flow_count_open(ft, st, &half_open, &syn_only);
	}
	/* Records a worker published after the walk passed their place are
	 * counted on the next pass. */
	ft->count = active;
	/* Live, workers refuse new flows at max_flows: keep room ahead. */
	high = ft->cfg.max_flows - ft->cfg.max_flows / 16;
	low = ft->cfg.max_flows / 8 * 7;
	if (!ft->cfg.single_thread && active >= high && active > low) {
		flow_evict_range(ft, active - low, lo, hi);
		active = ft->count;
	}
	flow_ended_flush(ft);
	if (ft->cfg.detect)
		detect_pass_end(ft->cfg.detect, now_ns);
	ft->work.active = active;
	ft->work.half_open = half_open;
	ft->work.syn_only = syn_only;
	flow_publish(ft);
	if (view && ft->cfg.on_view_done)
		ft->cfg.on_view_done(ft->cfg.view_ctx, now_ns);
}

uint64_t flow_table_maintain_period(const struct flow_table *ft)
{
	/* A pass walks every flow: as rarely as the timeouts allow, so that
	 * no flow outlives its timeout by more than half of it. */
	uint64_t p = ft->cfg.closed_timeout_ns / 2;

	/* Active-timeout records are due on passes too. */
	if (ft->cfg.on_active && ft->cfg.active_timeout_ns / 2 < p)
		p = ft->cfg.active_timeout_ns / 2;
	/* A rate view is only as fresh as its passes. */
	if (ft->cfg.on_view && ft->cfg.view_period_ns && ft->cfg.view_period_ns < p)
		p = ft->cfg.view_period_ns;
	return p ? p : 1;
}

void flow_table_set_view(struct flow_table *ft,
			 void (*on_view)(void *, uint64_t, const struct flow_record *),
			 void (*on_view_done)(void *, uint64_t), void *ctx, uint64_t period_ns)
{
	ft->cfg.on_view = on_view;
	ft->cfg.on_view_done = on_view_done;
	ft->cfg.view_ctx = ctx;
	ft->cfg.view_period_ns = period_ns;
	ft->next_view_ns = 0;
}

void flow_table_summary(struct flow_table *ft, struct flow_summary *out)
{
	pthread_mutex_lock(&ft->lock);
	*out = ft->published;
	pthread_mutex_unlock(&ft->lock);
}

void flow_table_finish(struct flow_table *ft, enum flow_end_reason reason)
{
	struct flow_walk it = {0};
	struct flow *f;

	uint64_t active = 0, half_open = 0, syn_only = 0;

	if (!ft)
		return;
	/* The gauges keep what was open at the end: that is what a final
	 * summary reports, not the empty table this leaves. */
	while ((f = flow_walk_next(ft, &it))) {
		uint8_t st = __atomic_load_n(&f->state, __ATOMIC_RELAXED) & ~FLOW_TCP_BUSY;

		active++;
		flow_count_open(ft, st, &half_open, &syn_only);
		flow_remove(ft, f, reason);
	}
	flow_ended_flush(ft);
	ft->work.active = active;
	ft->work.half_open = half_open;
	ft->work.syn_only = syn_only;
	flow_publish(ft);
	/* The hooks run in the call_rcu thread after a grace period, which
	 * this (registered) thread must not hold up while it waits. */
	flows_thread_offline();
	rcu_barrier();
	FLOW_TSAN_ACQUIRE(&flow_barrier_token);
	flows_thread_online();
}

/* The pool's shape for @max_flows: slabs of a power of two records, at
 * most FLOW_SLAB_MAX, a sixteenth of the table where that is less (a
 * worker's unused rest of a slab is what the bound can leave unused), and
 * at most FLOW_SLABS_MAX of them; then the index. */
static int flow_pool_init(struct flow_table *ft)
{
	uint64_t max = ft->cfg.max_flows, want = (max + 15) / 16, len = 1;
	uint32_t shift = 0;
	size_t index_bytes;
	int populate;

	if (want > FLOW_SLAB_MAX)
		want = FLOW_SLAB_MAX;
	if (want < (max + FLOW_SLABS_MAX - 1) / FLOW_SLABS_MAX)
		want = (max + FLOW_SLABS_MAX - 1) / FLOW_SLABS_MAX;
	while (len < want) {
		len <<= 1;
		shift++;
	}
	if (max > FLOW_IDX_MASK - 1 || len > (1ull << 31))
		return -EINVAL;
	ft->slab_len = (uint32_t)len;
	ft->slab_shift = shift;
	ft->nslabs = (uint32_t)((max + len - 1) / len);
	ft->slabs = calloc(ft->nslabs, sizeof(*ft->slabs));
	ft->slab_used = xdpi_cacheline_alloc((size_t)ft->nslabs * sizeof(*ft->slab_used));
	if (!ft->slabs || !ft->slab_used)
		return -ENOMEM;
	memset(ft->slab_used, 0, (size_t)ft->nslabs * sizeof(*ft->slab_used));
	for (uint32_t k = 0; k < ft->nslabs; k++) {
		uint64_t left = max - (uint64_t)k * len;

		ft->slabs[k].len = (uint32_t)(left < len ? left : len);
	}
	/* Mapped whole at start: no resize, ever. Live, its pages and the
	 * first slab's are faulted in now, during set-up: otherwise the
	 * first frames of every new flow would each take a page fault or
	 * two (a read of the zero page, then the copy) in the worker, and a
	 * burst of new flows at start loses frames (10,000 flows: 20 ms of
	 * faults). Offline, pages come in as buckets are first written. */
	ft->nbuckets = flow_index_buckets(max);
	index_bytes = (size_t)ft->nbuckets * sizeof(struct flow_bucket);
	populate = ft->cfg.single_thread ? 0 : MAP_POPULATE;
	ft->bucket = mmap(NULL, index_bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | populate, -1, 0);
	if (ft->bucket == MAP_FAILED) {
		ft->bucket = NULL;
		return -ENOMEM;
	}
	if (populate) {
		void *mem =
			mmap(NULL, (size_t)ft->slabs[0].len * sizeof(struct flow),
			     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | populate, -1, 0);

		/* Its extensions mapped too, not faulted in: the address
		 * space a run needs to track its first flows is taken during
		 * set-up (tests/t_faults.sh's out-of-memory case). */
		if (mem != MAP_FAILED && flow_map_ext(&ft->slabs[0]))
			ft->slabs[0].rec = mem; /* before any worker runs */
		else if (mem != MAP_FAILED)
			munmap(mem, (size_t)ft->slabs[0].len * sizeof(struct flow));
	}
	return 0;
}

static void flow_pool_free(struct flow_table *ft)
{
	for (uint32_t k = 0; ft->slabs && k < ft->nslabs; k++) {
		if (ft->slabs[k].rec)
			munmap(ft->slabs[k].rec, (size_t)ft->slabs[k].len * sizeof(struct flow));
		if (ft->slabs[k].ext)
			munmap(ft->slabs[k].ext,
			       (size_t)ft->slabs[k].len * sizeof(struct flow_ext));
	}
	free(ft->slabs);
	free(ft->slab_used);
	if (ft->bucket)
		munmap(ft->bucket, (size_t)ft->nbuckets * sizeof(struct flow_bucket));
}

struct flow_table *flow_table_new(const struct flow_config *cfg)
{
	struct flow_table *ft = calloc(1, sizeof(*ft));
	int err = ENOMEM;

	if (!ft)
		goto fail;
	ft->cfg = *cfg;
	if (!ft->cfg.max_flows)
		ft->cfg.max_flows = flow_max_flows_default();
	if (!ft->cfg.timeout_ns)
		ft->cfg.timeout_ns = FLOW_TIMEOUT_DEFAULT_NS;
	if (!ft->cfg.closed_timeout_ns)
		ft->cfg.closed_timeout_ns = FLOW_CLOSED_TIMEOUT_DEFAULT_NS;
	if (ft->cfg.closed_timeout_ns > ft->cfg.timeout_ns)
		ft->cfg.closed_timeout_ns = ft->cfg.timeout_ns;
	if (!ft->cfg.active_timeout_ns)
		ft->cfg.on_active = NULL;
	/* Offline, a fixed seed: the same file gives the same output (the
	 * order of a pass decides ties in the top-N sketches). A crafted
	 * capture could then aim at one chain: it costs the read time, never
	 * a wrong figure. Live, traffic must not know the seed. */
	ft->seed = cfg->single_thread ? 0x9e3779b97f4a7c15ull : xdpi_hash_seed();
	pthread_mutex_init(&ft->lock, NULL);
	pthread_mutex_init(&ft->stop_lock, NULL);
	pthread_cond_init(&ft->stop_cond, NULL);
	ft->top_src_packets = topn_create(FLOW_TOP_TRACKED);
	ft->top_src_bytes = topn_create(FLOW_TOP_TRACKED);
	ft->port_packets = calloc(65536, sizeof(*ft->port_packets));
	ft->port_bytes = calloc(65536, sizeof(*ft->port_bytes));
	ft->ports_used = malloc(65536 * sizeof(*ft->ports_used));
	if (flow_pool_init(ft))
		goto fail;
	if (!ft->top_src_packets || !ft->top_src_bytes || !ft->port_packets || !ft->port_bytes ||
	    !ft->ports_used)
		goto fail;
	/* Grows with the flows (resized by liburcu's call_rcu thread) from a
	 * small start, so a run with few flows keeps little memory. A bound
	 * on the buckets makes liburcu reserve their address space now (its
	 * mmap allocator, PROT_NONE: 16 bytes a bucket, not resident) and
	 * map it in as the table grows: its other allocator asserts when a
	 * resize cannot allocate, which would abort a run short of memory
	 * instead of counting the flows it cannot track. */
	flow_publish(ft);
	return ft;
fail:
	flow_table_free(ft);
	errno = err;
	return NULL;
}

void flow_table_free(struct flow_table *ft)
{
	if (!ft)
		return;
	flow_table_stop_expiry(ft);
	if (ft->bucket) {
		/* The batches still in call_rcu must run before their slabs
		 * go: not from an online QSBR reader. */
		int online = urcu_qsbr_read_ongoing();

		if (online)
			flows_thread_offline();
		if (ft->batches) {
			rcu_barrier();
			FLOW_TSAN_ACQUIRE(&flow_barrier_token);
		}
		if (online)
			rcu_thread_online();
		/* Without flow_table_finish() (a failed start) no hook runs:
		 * what records hold is in the slabs, unmapped with them. */
	}
	flow_pool_free(ft);
	flow_agg_free(&ft->agg);
	topn_destroy(ft->top_src_packets);
	topn_destroy(ft->top_src_bytes);
	free(ft->port_packets);
	free(ft->port_bytes);
	free(ft->ports_used);
	pthread_mutex_destroy(&ft->lock);
	pthread_mutex_destroy(&ft->stop_lock);
	pthread_cond_destroy(&ft->stop_cond);
	free(ft);
}

/* The timeouts of flow_table_new(), and the period that keeps them. */
static void flow_set_timeouts(struct flow_table *ft, uint64_t timeout_ns, uint64_t closed_ns,
			      uint64_t active_ns)
{
	uint64_t p;

	ft->cfg.timeout_ns = timeout_ns ? timeout_ns : FLOW_TIMEOUT_DEFAULT_NS;
	ft->cfg.closed_timeout_ns = closed_ns ? closed_ns : FLOW_CLOSED_TIMEOUT_DEFAULT_NS;
	if (ft->cfg.closed_timeout_ns > ft->cfg.timeout_ns)
		ft->cfg.closed_timeout_ns = ft->cfg.timeout_ns;
	if (ft->cfg.on_active && active_ns)
		ft->cfg.active_timeout_ns = active_ns;
	/* Only ever shorter: the period the caller chose is an upper bound. */
	p = flow_table_maintain_period(ft);
	if (p < ft->period_ns)
		ft->period_ns = p;
}

void flow_table_set_timeouts(struct flow_table *ft, uint64_t timeout_ns, uint64_t closed_ns,
			     uint64_t active_ns)
{
	pthread_mutex_lock(&ft->stop_lock);
	if (ft->thread_started) {
		ft->retune = true;
		ft->retune_timeout_ns = timeout_ns;
		ft->retune_closed_ns = closed_ns;
		ft->retune_active_ns = active_ns;
		pthread_cond_signal(&ft->stop_cond);
	} else {
		flow_set_timeouts(ft, timeout_ns, closed_ns, active_ns);
	}
	pthread_mutex_unlock(&ft->stop_lock);
}

static uint64_t flow_thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *flow_expiry_main(void *arg)
{
	struct flow_table *ft = arg;
	uint64_t pass_ns = 0;
	bool stop;

	pthread_setname_np(pthread_self(), "xdpi-flows");
	if (ft->cfg.thread_enter && ft->cfg.thread_enter())
		return NULL;
	rcu_register_thread();
	for (;;) {
		struct timespec until;
		uint64_t t, wait = ft->period_ns, stretched = FLOW_MAINTAIN_SHARE * pass_ns;
		uint64_t bound = flow_table_maintain_period(ft);

		/* A pass walks every record: a big table is walked less often,
		 * so that the walk takes at most 1/FLOW_MAINTAIN_SHARE of a
		 * CPU, but never so rarely that a flow outlives its timeout
		 * by more than half of it. */
		if (stretched > wait)
			wait = stretched < bound ? stretched : bound;
		flows_thread_offline();
		clock_gettime(CLOCK_REALTIME, &until);
		t = (uint64_t)until.tv_nsec + wait;
		until.tv_sec += (time_t)(t / 1000000000u);
		until.tv_nsec = (long)(t % 1000000000u);
		pthread_mutex_lock(&ft->stop_lock);
		while (!ft->stop && !ft->retune &&
		       pthread_cond_timedwait(&ft->stop_cond, &ft->stop_lock, &until) == 0)
			;
		stop = ft->stop;
		if (ft->retune) {
			flow_set_timeouts(ft, ft->retune_timeout_ns, ft->retune_closed_ns,
					  ft->retune_active_ns);
			ft->retune = false;
		}
		pthread_mutex_unlock(&ft->stop_lock);
		rcu_thread_online();
		if (stop)
			break;
		/* The pass's own CPU time: on a busy CPU its wall time is
		 * mostly waiting, which the stretch must not count. */
		t = flow_thread_cpu_ns();
		flow_table_maintain(ft, xdpi_wall_ns());
		/* A moving average: one long pass (the top-N feed, every
		 * FLOW_TOP_FEED_NS) must not space out the evictions after it. */
		pass_ns = (3 * pass_ns + (flow_thread_cpu_ns() - t)) / 4;
	}
	flows_thread_unregister();
	return NULL;
}

int flow_table_start_expiry(struct flow_table *ft, uint64_t period_ns)
{
	int ret;

	ft->period_ns = period_ns;
	ft->stop = false;
	ret = pthread_create(&ft->thread, NULL, flow_expiry_main, ft);
	if (ret)
		return -ret;
	ft->thread_started = true;
	return 0;
}

void flow_table_stop_expiry(struct flow_table *ft)
{
	if (!ft->thread_started)
		return;
	pthread_mutex_lock(&ft->stop_lock);
	ft->stop = true;
	pthread_cond_signal(&ft->stop_cond);
	pthread_mutex_unlock(&ft->stop_lock);
	pthread_join(ft->thread, NULL);
	ft->thread_started = false;
}
