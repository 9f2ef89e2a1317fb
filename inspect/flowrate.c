// SPDX-License-Identifier: MIT
/*
 * Design: per place of the flow pool, the counters the previous view pass
 * saw (struct flowrate_slot, an anonymous mapping reserved whole and
 * faulted in as places are used, like the pool itself). A place is known
 * to hold the same flow when its start time and ports match; a flow new
 * in its place that started since the previous pass sent all it has in
 * the interval, any other is only a baseline. The record's direction may
 * turn once (a SYN-ACK seen before its SYN): the saved halves are then
 * swapped.
 *
 * A pass ranks into `work` (the maintainer's alone) and copies it to
 * `pub` under the mutex at its end, so a reader sees one pass whole.
 */
#include "flowrate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "topn.h"

struct flowrate_slot {
	uint64_t start_ns;
	uint32_t ports;		       /* src << 16 | dst, to tell a new flow in the place */
	uint32_t pass;		       /* the view pass that saw it last (low bits) */
	uint64_t packets[2], bytes[2]; /* to server, to client */
};
_Static_assert(sizeof(struct flowrate_slot) == FLOWRATE_SLOT_BYTES, "docs/flows.md");

/* Per-address sums of one pass: open addressing, twice the entries. */
struct flowrate_hosts {
	uint8_t (*key)[16];
	uint64_t *packets, *bytes; /* packets 0: empty */
	uint32_t n;
	bool spilled; /* some sums went to the sketches this pass */
	struct topn *sk_packets, *sk_bytes;
};
#define FLOWRATE_HOSTS_SLOTS (2 * FLOWRATE_HOSTS_EXACT)
/* Keys each sketch tracks: a top 24 within total / 1024 of the truth. */
#define FLOWRATE_SKETCH 1024

struct flowrate {
	struct flowrate_slot *slot;
	uint64_t nslots;
	/* The maintainer's. */
	uint64_t last_ns; /* the previous view pass; 0: none yet */
	uint32_t pass;
	bool in_pass;
	char filter[FLOWRATE_FILTER_LEN];
	uint64_t d_packets_total, d_bytes_total;
	struct flowrate_hosts src, dst;
	struct flowrate_view work;
	/* Shared. */
	pthread_mutex_t lock;
	char next_filter[FLOWRATE_FILTER_LEN];
	struct flowrate_view pub;
};

void flowrate_endpoint_str(uint8_t family, const uint8_t *addr, uint16_t port, char *buf,
			   unsigned len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	if (!port)
		snprintf(buf, len, "%s", ip);
	else if (family == 4)
		snprintf(buf, len, "%s:%u", ip, port);
	else
		snprintf(buf, len, "[%s]:%u", ip, port);
}

static int hosts_init(struct flowrate_hosts *h)
{
	h->key = calloc(FLOWRATE_HOSTS_SLOTS, sizeof(*h->key));
	h->packets = calloc(FLOWRATE_HOSTS_SLOTS, sizeof(*h->packets));
	h->bytes = calloc(FLOWRATE_HOSTS_SLOTS, sizeof(*h->bytes));
	h->sk_packets = topn_create(FLOWRATE_SKETCH);
	h->sk_bytes = topn_create(FLOWRATE_SKETCH);
	return h->key && h->packets && h->bytes && h->sk_packets && h->sk_bytes ? 0 : -ENOMEM;
}

static void hosts_free(struct flowrate_hosts *h)
{
	free(h->key);
	free(h->packets);
	free(h->bytes);
	topn_destroy(h->sk_packets);
	topn_destroy(h->sk_bytes);
}

static void hosts_flush(struct flowrate_hosts *h)
{
	for (uint32_t i = 0; i < FLOWRATE_HOSTS_SLOTS; i++) {
		if (!h->packets[i])
			continue;
		topn_add(h->sk_packets, h->key[i], 16, h->packets[i]);
		topn_add(h->sk_bytes, h->key[i], 16, h->bytes[i]);
		h->packets[i] = h->bytes[i] = 0;
	}
	h->n = 0;
	h->spilled = true;
}

static void hosts_add(struct flowrate_hosts *h, const uint8_t key[16], uint64_t p, uint64_t b)
{
	uint64_t x;
	uint32_t i;

	if (!p)
		return;
	memcpy(&x, key + 8, 8);
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	for (i = (uint32_t)x & (FLOWRATE_HOSTS_SLOTS - 1);;
	     i = (i + 1) & (FLOWRATE_HOSTS_SLOTS - 1)) {
		if (!h->packets[i]) {
			if (h->n == FLOWRATE_HOSTS_EXACT) {
				hosts_flush(h);
				hosts_add(h, key, p, b);
				return;
			}
			memcpy(h->key[i], key, 16);
			h->n++;
			break;
		}
		if (!memcmp(h->key[i], key, 16))
			break;
	}
	h->packets[i] += p;
	h->bytes[i] += b;
}

/* IPv4 as a v4-mapped IPv6 address: one key length for both. */
static void host_key(uint8_t family, const uint8_t *addr, uint8_t key[16])
{
	if (family == 6) {
		memcpy(key, addr, 16);
		return;
	}
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	memcpy(key + 12, addr, 4);
}

static void host_from_key(const uint8_t key[16], struct flowrate_host *e)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(e->addr, 0, sizeof(e->addr));
	if (!memcmp(key, mapped, sizeof(mapped))) {
		e->family = 4;
		memcpy(e->addr, key + 12, 4);
	} else {
		e->family = 6;
		memcpy(e->addr, key, 16);
	}
}

/* Inserts @e into @list of *@n, kept by @val descending, if it ranks. */
static void host_rank(struct flowrate_host *list, uint8_t *n, const struct flowrate_host *e,
		      bool by_bps)
{
	double v = by_bps ? e->bps : e->pps;
	unsigned i;

	if (*n == FLOWRATE_TOP && v <= (by_bps ? list[*n - 1].bps : list[*n - 1].pps))
		return;
	i = *n < FLOWRATE_TOP ? (*n)++ : *n - 1u;
	for (; i > 0 && (by_bps ? list[i - 1].bps : list[i - 1].pps) < v; i--)
		list[i] = list[i - 1];
	list[i] = *e;
}

/* The pass's per-address ranking, exact or from the sketches. */
static void hosts_rank(struct flowrate_hosts *h, double dt,
		       struct flowrate_host out[2][FLOWRATE_TOP], uint8_t nout[2])
{
	nout[0] = nout[1] = 0;
	if (h->spilled) {
		struct topn_entry e[FLOWRATE_TOP];
		struct topn *sk[2] = {h->sk_packets, h->sk_bytes};

		hosts_flush(h);
		for (int s = 0; s < 2; s++) {
			uint32_t n = topn_top(sk[s], e, FLOWRATE_TOP);

			for (uint32_t i = 0; i < n; i++) {
				struct flowrate_host *o = &out[s][i];
				double hi = (double)e[i].count / dt;
				double lo = (double)(e[i].count - e[i].error) / dt;

				memset(o, 0, sizeof(*o));
				host_from_key(e[i].key, o);
				o->approx = e[i].error != 0;
				if (s) {
					o->bps = hi * 8;
					o->bps_min = lo * 8;
				} else {
					o->pps = hi;
					o->pps_min = lo;
				}
			}
			nout[s] = (uint8_t)n;
			topn_reset(sk[s]);
		}
		h->spilled = false;
		return;
	}
	for (uint32_t i = 0; i < FLOWRATE_HOSTS_SLOTS; i++) {
		struct flowrate_host e = {0};

		if (!h->packets[i])
			continue;
		host_from_key(h->key[i], &e);
		e.pps = e.pps_min = (double)h->packets[i] / dt;
		e.bps = e.bps_min = (double)h->bytes[i] * 8 / dt;
		host_rank(out[0], &nout[0], &e, false);
		host_rank(out[1], &nout[1], &e, true);
		h->packets[i] = h->bytes[i] = 0;
	}
	h->n = 0;
}

struct flowrate *flowrate_new(uint64_t max_flows)
{
	struct flowrate *fr = calloc(1, sizeof(*fr));
	size_t bytes;

	if (!fr)
		return NULL;
	fr->nslots = max_flows ? max_flows : flow_max_flows_default();
	bytes = (size_t)fr->nslots * sizeof(*fr->slot);
	fr->slot = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (fr->slot == MAP_FAILED) {
		fr->slot = NULL;
		flowrate_free(fr);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&fr->lock, NULL);
	if (hosts_init(&fr->src) || hosts_init(&fr->dst)) {
		flowrate_free(fr);
		errno = ENOMEM;
		return NULL;
	}
	return fr;
}

void flowrate_free(struct flowrate *fr)
{
	if (!fr)
		return;
	if (fr->slot)
		munmap(fr->slot, (size_t)fr->nslots * sizeof(*fr->slot));
	hosts_free(&fr->src);
	hosts_free(&fr->dst);
	pthread_mutex_destroy(&fr->lock);
	free(fr);
}

void flowrate_set_filter(struct flowrate *fr, const char *substr)
{
	pthread_mutex_lock(&fr->lock);
	snprintf(fr->next_filter, sizeof(fr->next_filter), "%s", substr ? substr : "");
	pthread_mutex_unlock(&fr->lock);
}

void flowrate_read(struct flowrate *fr, struct flowrate_view *out)
{
	pthread_mutex_lock(&fr->lock);
	*out = fr->pub;
	pthread_mutex_unlock(&fr->lock);
}

static void pass_begin(struct flowrate *fr)
{
	pthread_mutex_lock(&fr->lock);
	memcpy(fr->filter, fr->next_filter, sizeof(fr->filter));
	pthread_mutex_unlock(&fr->lock);
	memset(&fr->work, 0, sizeof(fr->work));
	memcpy(fr->work.filter, fr->filter, sizeof(fr->filter));
	fr->d_packets_total = fr->d_bytes_total = 0;
	fr->pass++;
	fr->in_pass = true;
}

/* Case-insensitive substring: hosts and hex digits are typed either way. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return !n;
}

static bool matches(const struct flowrate *fr, const struct flow_record *r, const char *name)
{
	char a[64], b[64];

	if (!fr->filter[0])
		return true;
	flowrate_endpoint_str(r->family, r->src_addr, r->src_port, a, sizeof(a));
	flowrate_endpoint_str(r->family, r->dst_addr, r->dst_port, b, sizeof(b));
	return contains(a, fr->filter) || contains(b, fr->filter) ||
	       (name && contains(name, fr->filter));
}

static double conn_key(const struct flowrate_conn *c, enum flowrate_sort s)
{
	return s == FLOWRATE_BY_PPS ? c->pps : s == FLOWRATE_BY_BPS ? c->bps : (double)c->rtt_ns;
}

static void conn_rank(struct flowrate_view *v, enum flowrate_sort s, const struct flowrate_conn *c)
{
	struct flowrate_conn *list = v->conn[s];
	uint8_t *n = &v->nconn[s];
	double k = conn_key(c, s);
	unsigned i;

	if (s == FLOWRATE_BY_RTT && c->rtt_ns < 0)
		return;
	if (*n == FLOWRATE_TOP && k <= conn_key(&list[*n - 1], s))
		return;
	i = *n < FLOWRATE_TOP ? (*n)++ : *n - 1u;
	for (; i > 0 && conn_key(&list[i - 1], s) < k; i--)
		list[i] = list[i - 1];
	list[i] = *c;
}

void flowrate_on_view(void *ctx, uint64_t slot, const struct flow_record *r)
{
	struct flowrate *fr = ctx;
	struct flowrate_slot *s;
	uint64_t dp[2], db[2], cur_p[2], cur_b[2];
	uint32_t ports = (uint32_t)r->src_port << 16 | r->dst_port;
	const char *name = NULL;
	char kind = 0;

	if (!fr->in_pass)
		pass_begin(fr);
	if (slot >= fr->nslots)
		return;
	fr->work.flows++;
	s = &fr->slot[slot];
	cur_p[0] = r->packets_toserver;
	cur_p[1] = r->packets_toclient;
	cur_b[0] = r->bytes_toserver;
	cur_b[1] = r->bytes_toclient;
	if (s->start_ns == r->start_ns && s->ports == ports && s->pass + 1 == fr->pass) {
		if (cur_p[0] < s->packets[0] || cur_p[1] < s->packets[1]) {
			/* The direction turned (the SYN came after its answer). */
			uint64_t t = s->packets[0];

			s->packets[0] = s->packets[1];
			s->packets[1] = t;
			t = s->bytes[0];
			s->bytes[0] = s->bytes[1];
			s->bytes[1] = t;
		}
		for (int d = 0; d < 2; d++) {
			dp[d] = cur_p[d] >= s->packets[d] ? cur_p[d] - s->packets[d] : 0;
			db[d] = cur_b[d] >= s->bytes[d] ? cur_b[d] - s->bytes[d] : 0;
		}
	} else if (fr->last_ns && r->start_ns >= fr->last_ns) {
		/* New since the previous pass: all of it is in the interval. */
		memcpy(dp, cur_p, sizeof(dp));
		memcpy(db, cur_b, sizeof(db));
	} else {
		dp[0] = dp[1] = db[0] = db[1] = 0; /* a baseline */
	}
	s->start_ns = r->start_ns;
	s->ports = ports;
	s->pass = fr->pass;
	memcpy(s->packets, cur_p, sizeof(cur_p));
	memcpy(s->bytes, cur_b, sizeof(cur_b));
	if (!fr->last_ns || !(dp[0] + dp[1]))
		return;
	fr->work.active++;
	if (r->peek && r->peek->kind == PEEK_TLS && r->peek->tls_sni[0]) {
		name = r->peek->tls_sni;
		kind = 'S';
	} else if (r->peek && r->peek->kind == PEEK_HTTP && r->peek->http_host[0]) {
		name = r->peek->http_host;
		kind = 'H';
	}
	if (!matches(fr, r, name))
		return;
	fr->work.matched++;
	fr->d_packets_total += dp[0] + dp[1];
	fr->d_bytes_total += db[0] + db[1];
	{
		uint8_t ks[16], kd[16];

		host_key(r->family, r->src_addr, ks);
		host_key(r->family, r->dst_addr, kd);
		/* What each end sent, and what each received. */
		hosts_add(&fr->src, ks, dp[0], db[0]);
		hosts_add(&fr->src, kd, dp[1], db[1]);
		hosts_add(&fr->dst, kd, dp[0], db[0]);
		hosts_add(&fr->dst, ks, dp[1], db[1]);
	}
	{
		struct flowrate_conn c = {
			.family = r->family,
			.proto = r->proto,
			.state = r->state,
			.src_port = r->src_port,
			.dst_port = r->dst_port,
			/* Counts for now, ranked alike (one interval for
			 * all); made rates at the pass's end. */
			.pps = (double)(dp[0] + dp[1]),
			.bps = (double)(db[0] + db[1]) * 8,
			.bps_up = (double)db[0] * 8,
			.bps_down = (double)db[1] * 8,
			.rtt_ns = r->rtt_ns,
			.name_kind = kind,
		};

		memcpy(c.src_addr, r->src_addr, 16);
		memcpy(c.dst_addr, r->dst_addr, 16);
		if (name) /* a long name cut: the view shows less anyway */
			snprintf(c.name, sizeof(c.name), "%.*s", (int)sizeof(c.name) - 1, name);
		for (int k = 0; k < FLOWRATE__SORTS; k++)
			conn_rank(&fr->work, k, &c);
	}
}

void flowrate_on_view_done(void *ctx, uint64_t now_ns)
{
	struct flowrate *fr = ctx;
	struct flowrate_view *v = &fr->work;
	double dt;

	if (!fr->in_pass)
		pass_begin(fr); /* an empty table */
	fr->in_pass = false;
	if (!fr->last_ns || now_ns <= fr->last_ns) {
		fr->last_ns = now_ns;
		hosts_rank(&fr->src, 1, v->src, v->nsrc);
		hosts_rank(&fr->dst, 1, v->dst, v->ndst);
		v->nsrc[0] = v->nsrc[1] = v->ndst[0] = v->ndst[1] = 0;
		dt = 0;
	} else {
		dt = (double)(now_ns - fr->last_ns) / 1e9;
		fr->last_ns = now_ns;
		v->interval_s = dt;
		for (int k = 0; k < FLOWRATE__SORTS; k++)
			for (unsigned i = 0; i < v->nconn[k]; i++) {
				struct flowrate_conn *c = &v->conn[k][i];

				c->pps /= dt;
				c->bps /= dt;
				c->bps_up /= dt;
				c->bps_down /= dt;
			}
		v->pps = (double)fr->d_packets_total / dt;
		v->bps = (double)fr->d_bytes_total * 8 / dt;
		hosts_rank(&fr->src, dt, v->src, v->nsrc);
		hosts_rank(&fr->dst, dt, v->dst, v->ndst);
	}
	pthread_mutex_lock(&fr->lock);
	v->passes = fr->pub.passes + 1;
	fr->pub = *v;
	pthread_mutex_unlock(&fr->lock);
}
