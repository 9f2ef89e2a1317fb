// SPDX-License-Identifier: MIT
/* The flow table's summary: what the maintainer counts on its passes and
 * publishes (struct flow_summary): the top sources (space-saving sketches,
 * inspect/topn.h, fed from per-pass sums), the exact destination-port
 * counts, the top HTTP hosts and TLS SNIs (space-saving over names), the
 * peeks' counts. One thread (the maintainer) writes all of it; other
 * threads read the copy flow_publish() makes, under a mutex the workers
 * never take. */
#define _LGPL_SOURCE /* the QSBR fast paths inline */
#include "flow_summary.h"

#include <errno.h>
#include <stdlib.h>

#include "topn.h"

/* The per-pass sums of flow_agg hold at most half this many sources, then
 * go into the sketches early: a pass that ends a million flows of a
 * million sources (a flood of spoofed ones; offline, a capture whose time
 * stands still, where passes never come) must not grow it past a fixed
 * size. */
#define FLOW_AGG_SLOTS_MAX 8192u
/* Keys each top-N list tracks for the FLOW_TOP_N it reports: the more,
 * the smaller the error of its counts (inspect/topn.h). */
#define FLOW_TOP_TRACKED 128

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
void flow_feed_changed(struct flow_table *ft, struct flow *f, bool top)
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

void flow_publish(struct flow_table *ft)
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

void flow_table_summary(struct flow_table *ft, struct flow_summary *out)
{
	pthread_mutex_lock(&ft->lock);
	*out = ft->published;
	pthread_mutex_unlock(&ft->lock);
}

int flow_summary_init(struct flow_table *ft)
{
	ft->top_src_packets = topn_create(FLOW_TOP_TRACKED);
	ft->top_src_bytes = topn_create(FLOW_TOP_TRACKED);
	ft->port_packets = calloc(65536, sizeof(*ft->port_packets));
	ft->port_bytes = calloc(65536, sizeof(*ft->port_bytes));
	ft->ports_used = malloc(65536 * sizeof(*ft->ports_used));
	if (!ft->top_src_packets || !ft->top_src_bytes || !ft->port_packets || !ft->port_bytes ||
	    !ft->ports_used)
		return -ENOMEM;
	return 0;
}

void flow_summary_free(struct flow_table *ft)
{
	flow_agg_free(&ft->agg);
	topn_destroy(ft->top_src_packets);
	topn_destroy(ft->top_src_bytes);
	free(ft->port_packets);
	free(ft->port_bytes);
	free(ft->ports_used);
}
