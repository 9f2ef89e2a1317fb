// SPDX-License-Identifier: MIT
/* The flow table: see flows.h for the concurrency contract, docs/flows.md
 * for the definitions. This file is the table itself: the record pool, the
 * cache-line index, the workers' per-packet lookup and insert
 * (flow_worker_account()), set-up and teardown. The TCP state machine is
 * flow_tcp.c, the summary flow_summary.c, the maintainer flow_maint.c;
 * flows_int.h is what they share. */
#define _LGPL_SOURCE /* the QSBR fast paths inline */
#include "flows_int.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow_maint.h"
#include "flow_summary.h"
#include "flow_tcp.h"

/* What FLOW_TSAN_RELEASE/ACQUIRE pair on across the files (flows_int.h). */
int flow_grace_token, flow_barrier_token;

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

bool flow_index_del(struct flow_table *ft, const struct flow *f)
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
	k->vlan = pi->vlan_id[0]; /* 0 past vlan_count */
	k->vlan_inner = pi->vlan_id[1];
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

/* Pushes the list @head..@tail on the free stack. Workers only ever take
 * the whole stack (flow_take_freed()), so a compare-and-swap on the top
 * cannot be fooled by a record that left and came back (no ABA). */
void flow_free_push(struct flow_table *ft, struct flow *head, struct flow *tail)
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
	if (flow_summary_init(ft) || flow_pool_init(ft))
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
	flow_summary_free(ft);
	pthread_mutex_destroy(&ft->lock);
	pthread_mutex_destroy(&ft->stop_lock);
	pthread_cond_destroy(&ft->stop_cond);
	free(ft);
}
