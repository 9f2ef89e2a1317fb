// SPDX-License-Identifier: MIT
/*
 * Design note (docs/detect.md has the definitions and defaults).
 *
 * Two tables, fixed at set-up, so that one kind's flood of keys cannot
 * starve the other: `rate` holds SYN-flood entries (destination host and
 * port) and volumetric entries (destination host); `scan` holds port-scan
 * entries (source, destination host) and address-scan entries (source,
 * port). A spoofed SYN flood makes a scan entry per forged source, each
 * with one attempt: the scan table replaces such one-attempt entries
 * first, so a real scanner (many attempts quickly) keeps its entry.
 *
 * Open addressing with linear probing over at most DET_PROBE slots. A
 * slot is never emptied, only given to another key (an idle one, or one
 * not worth keeping), so a lookup may stop at the first empty slot.
 * Every slot ever used is on the `used` list, which detect_pass_end()
 * walks: its cost is the entries in use, not the table's size.
 *
 * Windows are measured in capture time (the time the maintainer is given),
 * so `xdpi read` of a file gives the same alerts every time:
 * - rates: counts since the window's start, evaluated at each pass once a
 *   quarter of the window has gone by, the window restarted once it is
 *   whole;
 * - scans: distinct values since the entry's first failed attempt, forgotten
 *   after the scan window (Zeek's epochs).
 *
 * Evidence of an open alert (top sources and ports, sample flows) lives in
 * one of DET_EVIDENCE slots made at set-up; an alert beyond them carries
 * the entry's own sample only.
 */
#include "detect.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/hash.h"
#include "detect_groups.h"
#include "topn.h"

#define DET_PROBE 8
#define DET_EVIDENCE 64
#define DET_TOPN_CAP 64
#define DET_BITS 512 /* linear counting beyond the exact list */
#define DET_UPDATE_NS (10ull * 1000000000u)
#define NS 1e9

struct det_key {
	uint8_t kind; /* enum detect_kind + 1; 0: empty slot */
	uint8_t family;
	uint16_t port;
	uint8_t a[16], b[16];
	uint8_t proto; /* scans: 6 (TCP) or 17 (UDP); 0 otherwise */
	uint8_t zero;  /* no padding: keys are hashed and compared whole */
};

_Static_assert(sizeof(struct det_key) == 38, "a key has no padding");

struct det_entry {
	struct det_key key;
	uint32_t ev;   /* evidence slot + 1 while alerting and one was free */
	int32_t group; /* rate entries: the destination's host group; -1 none */
	uint64_t first_ns, last_ns, win_start_ns;
	uint64_t alert_id, alert_start_ns, above_ns, update_ns;
	uint64_t alert_window_ns; /* the start of the window that raised it */
	bool alerting, by_baseline;
	/* Rates: SYN flood attempts, completed; volumetric packets, bytes,
	 * flows. Scans: attempts. */
	uint64_t c[3];
	uint64_t half_open, half_open_pass;
	double mean, var; /* volumetric baseline (packets per second) */
	uint32_t samples;
	uint64_t baseline_since_ns;
	/* Scans: the distinct ports (port scan) or host hashes (address
	 * scan), exact up to DETECT_EXACT, then linear counting. */
	uint32_t n;
	uint32_t vals[DETECT_EXACT];
	uint64_t bits[DET_BITS / 64];
	struct detect_flow_key sample;
};

#define DET_CACHE_BITS 12

struct det_table {
	struct det_entry *e;
	uint32_t *used;
	uint32_t n_used, size; /* size: a power of two */
	/* Entries found lately, by a cheap mix of their key: entry + 1, 0
	 * none. A key is in the table once at most and no entry is ever
	 * emptied, so an entry holding the key is the one det_get() finds;
	 * a slot whose entry went to another key is only a miss. */
	uint32_t cache[1u << DET_CACHE_BITS];
};

struct det_evidence {
	bool busy;
	struct topn *src, *port;
	struct detect_flow_key samples[DETECT_SAMPLES];
	uint8_t n_samples;
};

/* The thresholds' times in ns, as ns_of() gives them: worked out when the
 * thresholds change, not on every observation. */
struct det_ns {
	uint64_t window, scan_window, attempt_timeout, hold;
	uint64_t idle_rate; /* det_idle_ns() of the rate kinds */
};

struct detect {
	struct detect_config cfg;
	struct det_ns ns;
	struct det_table rate, scan;
	struct det_evidence ev[DET_EVIDENCE];
	uint64_t next_id;
	uint64_t last_pass_ns;
	uint64_t untracked;
	uint64_t alerts[DETECT__KINDS], active[DETECT__KINDS];
	/* Shared with other threads, under lock. */
	pthread_mutex_t lock;
	struct detect_alert *queue;
	uint32_t q_head, q_len;
	uint64_t dropped;
	bool retune;
	struct detect_thresholds next_th;
	struct detect_groups *groups;	   /* the maintainer's; NULL none */
	struct detect_groups *next_groups; /* detect_set_groups(), under lock */
	bool regroup;
	struct detect_stats shown; /* as of the last pass */
};

_Static_assert(sizeof(((struct detect_alert *)0)->group) == DETECT_GROUP_NAME,
	       "an alert holds a group's name");

static const char *const kind_names[DETECT__KINDS] = {"syn_flood", "port_scan", "address_scan",
						      "volumetric"};
static const char *const state_names[] = {"start", "update", "end"};

const char *detect_kind_name(enum detect_kind k)
{
	return k < DETECT__KINDS ? kind_names[k] : "?";
}

const char *detect_state_name(enum detect_state s)
{
	return s <= DETECT_END ? state_names[s] : "?";
}

void detect_thresholds_defaults(struct detect_thresholds *th)
{
	memset(th, 0, sizeof(*th));
	th->window_s = DETECT_DEFAULT_WINDOW_S;
	th->hold_s = DETECT_DEFAULT_HOLD_S;
	th->syn_rate = DETECT_DEFAULT_SYN_RATE;
	th->syn_ratio = DETECT_DEFAULT_SYN_RATIO;
	th->syn_half_open = DETECT_DEFAULT_SYN_HALF_OPEN;
	th->scan_window_s = DETECT_DEFAULT_SCAN_WINDOW_S;
	th->port_scan_ports = DETECT_DEFAULT_PORT_SCAN_PORTS;
	th->addr_scan_hosts = DETECT_DEFAULT_ADDR_SCAN_HOSTS;
	th->attempt_timeout_s = DETECT_DEFAULT_ATTEMPT_TIMEOUT_S;
	th->vol_pps = DETECT_DEFAULT_VOL_PPS;
	th->vol_bps = DETECT_DEFAULT_VOL_MBPS * 1e6;
	th->vol_flows = DETECT_DEFAULT_VOL_FLOWS;
	th->vol_deviations = DETECT_DEFAULT_VOL_DEVIATIONS;
	th->vol_warmup_s = DETECT_DEFAULT_VOL_WARMUP_S;
	th->vol_baseline_min_pps = DETECT_DEFAULT_VOL_MIN_PPS;
}

int detect_thresholds_check(const struct detect_thresholds *th)
{
	if (!(th->window_s >= 0.01 && th->window_s <= 3600) || !(th->hold_s >= 0) ||
	    !(th->syn_rate > 0) || !(th->syn_ratio >= 0 && th->syn_ratio <= 1) ||
	    !th->syn_half_open || !(th->scan_window_s > 0) || th->port_scan_ports < 2 ||
	    th->addr_scan_hosts < 2 || !(th->attempt_timeout_s >= 0) || !(th->vol_pps >= 0) ||
	    !(th->vol_bps >= 0) || !(th->vol_flows >= 0) || !(th->vol_deviations >= 0) ||
	    !(th->vol_warmup_s >= 0) || !(th->vol_baseline_min_pps >= 0))
		return -EINVAL;
	return 0;
}

uint64_t detect_bytes_per_entry(void)
{
	/* The entry and its place on the used list. */
	return sizeof(struct det_entry) + sizeof(uint32_t);
}

static int det_table_init(struct det_table *t, uint32_t entries)
{
	uint32_t size = 1;

	while (size < entries)
		size <<= 1;
	t->size = size;
	t->n_used = 0;
	t->e = calloc(size, sizeof(*t->e));
	t->used = calloc(size, sizeof(*t->used));
	return t->e && t->used ? 0 : -ENOMEM;
}

static void det_table_free(struct det_table *t)
{
	free(t->e);
	free(t->used);
}

static uint64_t ns_of(double s)
{
	return (uint64_t)(s * NS);
}

static void det_ns_set(struct detect *d)
{
	const struct detect_thresholds *th = &d->cfg.th;

	d->ns.window = ns_of(th->window_s);
	d->ns.scan_window = ns_of(th->scan_window_s);
	d->ns.attempt_timeout = ns_of(th->attempt_timeout_s);
	d->ns.hold = ns_of(th->hold_s);
	d->ns.idle_rate = ns_of(2 * (th->window_s > th->hold_s ? th->window_s : th->hold_s));
}

struct detect *detect_new(const struct detect_config *cfg)
{
	struct detect *d = calloc(1, sizeof(*d));
	uint32_t n;

	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->cfg.groups = NULL;
	if (detect_thresholds_check(&d->cfg.th)) {
		free(d);
		errno = EINVAL;
		return NULL;
	}
	det_ns_set(d);
	if (cfg->groups) {
		d->groups = malloc(sizeof(*d->groups));
		if (!d->groups) {
			free(d);
			errno = ENOMEM;
			return NULL;
		}
		*d->groups = *cfg->groups;
	}
	n = cfg->max_entries ? cfg->max_entries : DETECT_MAX_ENTRIES_DEFAULT;
	if (n < DET_PROBE)
		n = DET_PROBE;
	pthread_mutex_init(&d->lock, NULL);
	d->queue = calloc(DETECT_QUEUE, sizeof(*d->queue));
	if (!d->queue || det_table_init(&d->rate, n) || det_table_init(&d->scan, n))
		goto fail;
	for (unsigned i = 0; i < DET_EVIDENCE; i++) {
		d->ev[i].src = topn_create(DET_TOPN_CAP);
		d->ev[i].port = topn_create(DET_TOPN_CAP);
		if (!d->ev[i].src || !d->ev[i].port)
			goto fail;
	}
	d->shown.max_entries = (uint64_t)d->rate.size + d->scan.size;
	return d;
fail:
	detect_free(d);
	errno = ENOMEM;
	return NULL;
}

void detect_free(struct detect *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < DET_EVIDENCE; i++) {
		topn_destroy(d->ev[i].src);
		topn_destroy(d->ev[i].port);
	}
	det_table_free(&d->rate);
	det_table_free(&d->scan);
	free(d->groups);
	free(d->next_groups);
	free(d->queue);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* ---- Tables -------------------------------------------------------------- */

static inline void det_addr(uint8_t out[16], const uint8_t *a, uint8_t family)
{
	/* Constant sizes: a few stores, where a variable one calls memcpy
	 * (each observation makes several keys and samples). */
	if (family == 4) {
		memcpy(out, a, 4);
		memset(out + 4, 0, 12);
	} else {
		memcpy(out, a, 16);
	}
}

/* How long an entry of @kind must have been idle before its slot may go
 * to another key. */
static uint64_t det_idle_ns(const struct detect *d, uint8_t kind)
{
	if (kind == DETECT_PORT_SCAN || kind == DETECT_ADDRESS_SCAN)
		return d->ns.scan_window;
	return d->ns.idle_rate;
}

/* What an entry is worth keeping: its attempts (scans: distinct values). */
static uint64_t det_weight(const struct det_entry *e)
{
	if (e->key.kind - 1 == DETECT_PORT_SCAN || e->key.kind - 1 == DETECT_ADDRESS_SCAN)
		return e->n;
	return e->c[0];
}

/* How readily @e's slot goes to another key: 2 idle (oldest first), 1 a
 * key seen once (a forged source: oldest first), 0 never (an open alert,
 * or a key worth keeping). */
static int det_give_way(const struct detect *d, const struct det_entry *e, uint64_t now_ns)
{
	if (e->alerting)
		return 0;
	if (now_ns - e->last_ns >= det_idle_ns(d, e->key.kind - 1))
		return 2;
	return det_weight(e) <= 1;
}

/* The entry of @k, made if need be; NULL when the probe range is full of
 * entries worth keeping (counted untracked). */
static __attribute__((noinline)) struct det_entry *det_get_slow(struct detect *d,
								struct det_table *t,
								const struct det_key *k,
								uint64_t now_ns, uint64_t since_ns)
{
	uint64_t h = xdpi_hash64(0x5ca1ab1e, k, sizeof(*k));
	struct det_entry *victim = NULL, *e;
	uint32_t mask = t->size - 1;
	int rank = 0, r;

	for (uint32_t i = 0; i < DET_PROBE; i++) {
		e = &t->e[(h + i) & mask];
		if (!e->key.kind) {
			t->used[t->n_used++] = (uint32_t)(e - t->e);
			victim = e;
			break;
		}
		if (!memcmp(&e->key, k, sizeof(*k)))
			return e;
		r = det_give_way(d, e, now_ns);
		if (r > rank || (r && r == rank && e->last_ns < victim->last_ns)) {
			victim = e;
			rank = r;
		}
	}
	if (!victim) {
		d->untracked++;
		return NULL;
	}
	memset(victim, 0, sizeof(*victim));
	victim->key = *k;
	victim->first_ns = victim->last_ns = now_ns;
	/* What this pass counts began after the last pass, and no earlier
	 * than the record that brought the key (the first pass of a run). */
	victim->win_start_ns =
		d->last_pass_ns && d->last_pass_ns < now_ns ? d->last_pass_ns : now_ns;
	if (since_ns < victim->win_start_ns && since_ns > d->last_pass_ns)
		victim->win_start_ns = since_ns;
	victim->baseline_since_ns = now_ns;
	victim->group = t == &d->rate ? detect_groups_lookup(d->groups, k->family, k->a) : -1;
	return victim;
}

/* The words of a key (38 bytes: four words, a half and a quarter). */
struct det_key_words {
	uint64_t w[4];
	uint32_t h;
	uint16_t q;
};

static inline void det_key_load(struct det_key_words *x, const struct det_key *k)
{
	memcpy(x->w, k, 32);
	memcpy(&x->h, (const uint8_t *)k + 32, 4);
	memcpy(&x->q, (const uint8_t *)k + 36, 2);
}

/* det_get_slow(), with a look in the table's cache first: most
 * observations are of destinations seen before, and the key's full hash
 * and probe cost several times the cache's mix and one compare. */
static inline struct det_entry *det_get(struct detect *d, struct det_table *t,
					const struct det_key *k, uint64_t now_ns, uint64_t since_ns)
{
	struct det_key_words x, y;
	uint64_t mix;
	uint32_t c, j;
	struct det_entry *e;

	det_key_load(&x, k);
	mix = x.w[0] ^ x.w[1] ^ x.w[2] ^ x.w[3] ^ ((uint64_t)x.h << 16 | x.q);
	c = (uint32_t)((mix * 0x9e3779b97f4a7c15ull) >> (64 - DET_CACHE_BITS));
	j = t->cache[c];
	if (j) {
		e = &t->e[j - 1];
		det_key_load(&y, &e->key);
		if (!((x.w[0] ^ y.w[0]) | (x.w[1] ^ y.w[1]) | (x.w[2] ^ y.w[2]) |
		      (x.w[3] ^ y.w[3]) | (x.h ^ y.h) | (uint64_t)(x.q ^ y.q)))
			return e;
	}
	e = det_get_slow(d, t, k, now_ns, since_ns);
	if (e)
		t->cache[c] = (uint32_t)(e - t->e) + 1;
	return e;
}

/* The thresholds of @e: its host group's, or the run's. */
static const struct detect_thresholds *det_th(const struct detect *d, const struct det_entry *e)
{
	return e->group >= 0 && d->groups ? &d->groups->g[e->group].th : &d->cfg.th;
}

static inline void det_sample(struct detect_flow_key *s, const struct detect_obs *o)
{
	s->family = o->family;
	s->proto = o->proto;
	det_addr(s->src, o->src, o->family);
	det_addr(s->dst, o->dst, o->family);
	s->sport = o->sport;
	s->dport = o->dport;
}

/* Evidence of an open alert: the flow's source and port, a sample. */
static __attribute__((noinline)) void det_evidence_put(struct detect *d, struct det_entry *e,
						       const struct detect_obs *o, uint64_t weight)
{
	struct det_evidence *ev = &d->ev[e->ev - 1];
	uint8_t key[16];

	det_addr(key, o->src, o->family);
	topn_add(ev->src, key, o->family == 4 ? 4 : 16, weight);
	topn_add(ev->port, &o->dport, sizeof(o->dport), weight);
	if (ev->n_samples < DETECT_SAMPLES)
		det_sample(&ev->samples[ev->n_samples++], o);
}

/* Most entries have no open alert: no call for them. */
static inline void det_evidence_add(struct detect *d, struct det_entry *e,
				    const struct detect_obs *o, uint64_t weight)
{
	if (e->ev && weight)
		det_evidence_put(d, e, o, weight);
}

/* ---- Observations -------------------------------------------------------- */

static void det_scan_add(struct det_entry *e, uint32_t v, uint64_t now_ns)
{
	uint64_t h = xdpi_hash64(0x9e3779b9, &v, sizeof(v));
	bool known = false;

	e->c[0]++;
	e->last_ns = now_ns;
	e->bits[(h % DET_BITS) / 64] |= 1ull << (h % 64);
	for (uint32_t i = 0; i < e->n && i < DETECT_EXACT; i++)
		known |= e->vals[i] == v;
	if (e->n < DETECT_EXACT) {
		if (!known)
			e->vals[e->n++] = v;
	} else {
		/* Beyond the exact list: the bitmap's estimate, never less. */
		unsigned zeros = 0;
		double est;

		for (unsigned i = 0; i < DET_BITS / 64; i++)
			zeros += 64 - (unsigned)__builtin_popcountll(e->bits[i]);
		est = zeros ? -DET_BITS * log((double)zeros / DET_BITS) : DET_BITS * 4.0;
		if (est > e->n)
			e->n = (uint32_t)est;
	}
}

/* A rate entry back after a quiet spell starts a new window. */
static void det_rate_touch(struct detect *d, struct det_entry *e, uint64_t now_ns)
{
	uint64_t win = d->ns.window;

	if (!e->alerting && now_ns - e->last_ns > win) {
		memset(e->c, 0, sizeof(e->c));
		e->win_start_ns =
			d->last_pass_ns && d->last_pass_ns < now_ns ? d->last_pass_ns : now_ns;
	}
	e->last_ns = now_ns;
}

static void det_observe_scans(struct detect *d, const struct detect_obs *o, uint64_t now_ns)
{
	struct det_key k = {.kind = DETECT_PORT_SCAN + 1, .family = o->family, .proto = o->proto};
	struct det_entry *e;
	uint32_t hh;

	det_addr(k.a, o->src, o->family);
	det_addr(k.b, o->dst, o->family);
	e = det_get(d, &d->scan, &k, now_ns, now_ns - o->age_ns);
	if (e) {
		if (!e->alerting && now_ns - e->win_start_ns >= d->ns.scan_window) {
			/* A new epoch: what came before is forgotten. */
			e->n = 0;
			e->c[0] = 0;
			memset(e->bits, 0, sizeof(e->bits));
			e->win_start_ns = now_ns;
		}
		det_scan_add(e, o->dport, now_ns);
		det_sample(&e->sample, o);
		det_evidence_add(d, e, o, 1);
	}
	memset(k.b, 0, sizeof(k.b));
	k.kind = DETECT_ADDRESS_SCAN + 1;
	k.port = o->dport;
	hh = (uint32_t)xdpi_hash64(7, o->dst, o->family == 4 ? 4 : 16);
	e = det_get(d, &d->scan, &k, now_ns, now_ns - o->age_ns);
	if (e) {
		if (!e->alerting && now_ns - e->win_start_ns >= d->ns.scan_window) {
			e->n = 0;
			e->c[0] = 0;
			memset(e->bits, 0, sizeof(e->bits));
			e->win_start_ns = now_ns;
		}
		det_scan_add(e, hh, now_ns);
		det_sample(&e->sample, o);
		det_evidence_add(d, e, o, 1);
	}
}

/* Multicast and the limited broadcast: nobody answers from that
 * address, so unanswered says nothing there. */
static bool det_group_addr(uint8_t family, const uint8_t *a)
{
	if (family == 4)
		return (a[0] & 0xf0) == 0xe0 ||
		       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
	return a[0] == 0xff;
}

/* A UDP attempt fails unanswered; with one direction captured an answer
 * may be unseen, so UDP never counts there. */
static bool det_udp_attempt(const struct detect *d, const struct detect_obs *o)
{
	return o->proto == 17 && !d->cfg.one_direction && !det_group_addr(o->family, o->dst);
}

bool detect_quiet(const struct detect *d, const struct detect_obs *o, bool outcome_done)
{
	/* What detect_observe() does with no packet since (pk_to_dst 0, not
	 * new, the state unchanged): a SYN attempt's outcome may still come
	 * of its age, a half-open one counts each pass, a UDP attempt's
	 * outcome may still come of its age; nothing else. */
	if (o->proto == 6 && o->syn)
		return outcome_done && !o->half_open;
	return outcome_done || !det_udp_attempt(d, o);
}

bool detect_observe(struct detect *d, const struct detect_obs *o, uint64_t now_ns)
{
	struct det_key k = {.family = o->family};
	bool tcp = o->proto == 6 && o->syn, completed = false, failed = false;
	bool udp = det_udp_attempt(d, o);
	struct det_entry *e;

	if (tcp && !o->outcome_done) {
		completed = o->established;
		failed = !completed &&
			 (o->reset ||
			  (o->half_open && (o->ending || o->age_ns >= d->ns.attempt_timeout)));
	} else if (udp && !o->outcome_done) {
		completed = o->answered;
		failed = !completed && (o->ending || o->age_ns >= d->ns.attempt_timeout);
	}
	if (tcp && (o->new_attempt || completed || o->half_open)) {
		k.kind = DETECT_SYN_FLOOD + 1;
		k.port = o->dport;
		det_addr(k.a, o->dst, o->family);
		e = det_get(d, &d->rate, &k, now_ns, now_ns - o->age_ns);
		if (e) {
			det_rate_touch(d, e, now_ns);
			e->c[0] += o->new_attempt;
			e->c[1] += completed;
			if (o->half_open && !o->ending) {
				if (e->half_open_pass != now_ns) {
					e->half_open_pass = now_ns;
					e->half_open = 0;
				}
				e->half_open++;
			}
			if (o->new_attempt) {
				det_sample(&e->sample, o);
				det_evidence_add(d, e, o, 1);
			}
		}
	}
	if (failed)
		det_observe_scans(d, o, now_ns);
	if (o->pk_to_dst || o->new_attempt) {
		memset(&k, 0, sizeof(k));
		k.family = o->family;
		k.kind = DETECT_VOLUMETRIC + 1;
		det_addr(k.a, o->dst, o->family);
		e = det_get(d, &d->rate, &k, now_ns, now_ns - o->age_ns);
		if (e) {
			det_rate_touch(d, e, now_ns);
			e->c[0] += o->pk_to_dst;
			e->c[1] += o->by_to_dst;
			e->c[2] += o->new_attempt;
			det_sample(&e->sample, o);
			det_evidence_add(d, e, o, o->pk_to_dst);
		}
	}
	return completed || failed;
}

/* ---- Alerts -------------------------------------------------------------- */

static void det_top(struct topn *t, struct detect_top *out, uint8_t *n, bool port)
{
	struct topn_entry te[DETECT_TOP];
	uint32_t got = topn_top(t, te, DETECT_TOP);

	for (uint32_t i = 0; i < got; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (port) {
			memcpy(&out[i].port, te[i].key, sizeof(uint16_t));
		} else {
			out[i].family = te[i].len == 4 ? 4 : 6;
			memcpy(out[i].addr, te[i].key, te[i].len);
		}
		out[i].count = te[i].count;
		out[i].error = te[i].error;
	}
	*n = (uint8_t)got;
}

static void det_emit(struct detect *d, struct det_entry *e, enum detect_state st,
		     const struct detect_alert *fig)
{
	enum detect_kind kind = (enum detect_kind)(e->key.kind - 1);
	struct detect_alert a = *fig;

	a.kind = kind;
	a.state = st;
	a.id = e->alert_id;
	a.family = e->key.family;
	a.start_ns = e->alert_start_ns;
	a.answers_unseen = d->cfg.one_direction;
	a.proto = e->key.proto ? e->key.proto : 6;
	if (e->group >= 0 && d->groups)
		snprintf(a.group, sizeof(a.group), "%s", d->groups->g[e->group].name);
	switch (kind) {
	case DETECT_SYN_FLOOD:
		a.has_dst = a.has_port = true;
		memcpy(a.dst, e->key.a, 16);
		a.port = e->key.port;
		break;
	case DETECT_VOLUMETRIC:
		a.has_dst = true;
		memcpy(a.dst, e->key.a, 16);
		break;
	case DETECT_PORT_SCAN:
		a.has_src = a.has_dst = true;
		memcpy(a.src, e->key.a, 16);
		memcpy(a.dst, e->key.b, 16);
		break;
	case DETECT_ADDRESS_SCAN:
		a.has_src = a.has_port = true;
		memcpy(a.src, e->key.a, 16);
		a.port = e->key.port;
		break;
	default:
		break;
	}
	if (e->ev) {
		struct det_evidence *ev = &d->ev[e->ev - 1];

		det_top(ev->src, a.top_src, &a.n_top_src, false);
		det_top(ev->port, a.top_port, &a.n_top_port, true);
		memcpy(a.samples, ev->samples, sizeof(a.samples));
		a.n_samples = ev->n_samples;
	}
	if (!a.n_samples && e->sample.family) {
		a.samples[0] = e->sample;
		a.n_samples = 1;
	}
	if (d->cfg.emit) {
		d->cfg.emit(d->cfg.emit_ctx, &a);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (d->q_len < DETECT_QUEUE) {
		d->queue[(d->q_head + d->q_len) % DETECT_QUEUE] = a;
		d->q_len++;
	} else {
		d->dropped++;
	}
	pthread_mutex_unlock(&d->lock);
}

static void det_start(struct detect *d, struct det_entry *e, uint64_t now_ns,
		      const struct detect_alert *fig)
{
	enum detect_kind kind = (enum detect_kind)(e->key.kind - 1);

	e->alerting = true;
	e->alert_id = ++d->next_id;
	e->alert_start_ns = e->above_ns = e->update_ns = now_ns;
	e->alert_window_ns = fig->window_start_ns;
	d->alerts[kind]++;
	d->active[kind]++;
	for (unsigned i = 0; i < DET_EVIDENCE; i++) {
		struct det_evidence *ev = &d->ev[i];

		if (ev->busy)
			continue;
		ev->busy = true;
		topn_reset(ev->src);
		topn_reset(ev->port);
		ev->n_samples = 0;
		if (e->sample.family)
			ev->samples[ev->n_samples++] = e->sample;
		e->ev = i + 1;
		break;
	}
	det_emit(d, e, DETECT_START, fig);
}

static void det_end(struct detect *d, struct det_entry *e, const struct detect_alert *fig)
{
	struct detect_alert last = *fig;

	/* The end covers the whole alert: from the window that raised it. */
	last.window_start_ns = e->alert_window_ns;
	det_emit(d, e, DETECT_END, &last);
	d->active[e->key.kind - 1]--;
	e->alerting = false;
	if (e->ev)
		d->ev[e->ev - 1].busy = false;
	e->ev = 0;
	if (e->key.kind - 1 == DETECT_PORT_SCAN || e->key.kind - 1 == DETECT_ADDRESS_SCAN) {
		/* Another alert needs the threshold again. */
		e->n = 0;
		e->c[0] = 0;
		memset(e->bits, 0, sizeof(e->bits));
		e->win_start_ns = e->last_ns;
	}
}

/* Start, update or end @e's alert as @above says at @now_ns. */
static void det_decide(struct detect *d, struct det_entry *e, bool above, uint64_t now_ns,
		       const struct detect_alert *fig)
{
	if (above) {
		if (!e->alerting) {
			det_start(d, e, now_ns, fig);
			return;
		}
		e->above_ns = now_ns;
		if (now_ns - e->update_ns >= DET_UPDATE_NS) {
			e->update_ns = now_ns;
			det_emit(d, e, DETECT_UPDATE, fig);
		}
	} else if (e->alerting && now_ns - e->above_ns >= d->ns.hold) {
		det_end(d, e, fig);
	}
}

/* Whether det_decide() would make a record (start, update or end): a
 * pass evaluates every entry in use, and a record's figures (struct
 * detect_alert, some 750 bytes) are made only then. */
static bool det_decide_emits(const struct detect *d, const struct det_entry *e, bool above,
			     uint64_t now_ns)
{
	if (above)
		return !e->alerting || now_ns - e->update_ns >= DET_UPDATE_NS;
	return e->alerting && now_ns - e->above_ns >= d->ns.hold;
}

/* det_decide() when it makes no record. */
static void det_decide_quiet(struct det_entry *e, bool above, uint64_t now_ns)
{
	if (above && e->alerting)
		e->above_ns = now_ns;
}

static void det_fig_init(struct detect_alert *fig, uint64_t now_ns, uint64_t window_start_ns)
{
	memset(fig, 0, sizeof(*fig));
	fig->now_ns = now_ns;
	fig->window_start_ns = window_start_ns;
}

static void det_eval_rate(struct detect *d, struct det_entry *e, uint64_t now_ns)
{
	const struct detect_thresholds *th = det_th(d, e);
	uint64_t win = ns_of(th->window_s), dur = now_ns - e->win_start_ns, half = 0;
	bool syn = e->key.kind - 1 == DETECT_SYN_FLOOD, above, by_baseline = false;
	double secs = dur / NS, rate, bps = 0, fps = 0, baseline_pps = 0;
	struct detect_alert fig;

	if (dur < win / 4 || !dur) {
		/* Too short to be a rate; an alert may still run out. */
		if (e->alerting && now_ns - e->above_ns >= ns_of(th->hold_s)) {
			det_fig_init(&fig, now_ns, e->win_start_ns);
			det_end(d, e, &fig);
		}
		return;
	}
	if (syn) {
		half = e->half_open_pass == now_ns ? e->half_open : 0;
		rate = e->c[0] / secs;
		above = e->c[0] && ((rate >= th->syn_rate &&
				     (double)e->c[1] <= th->syn_ratio * (double)e->c[0]) ||
				    half >= th->syn_half_open);
	} else {
		double pps = e->c[0] / secs, dev = sqrt(e->var);
		bool warm = now_ns - e->baseline_since_ns >= ns_of(th->vol_warmup_s);
		bool base = th->vol_deviations > 0 && warm && pps >= th->vol_baseline_min_pps &&
			    pps > e->mean + th->vol_deviations * dev;

		rate = pps;
		bps = e->c[1] * 8 / secs;
		fps = e->c[2] / secs;
		above = (th->vol_pps > 0 && pps >= th->vol_pps) ||
			(th->vol_bps > 0 && bps >= th->vol_bps) ||
			(th->vol_flows > 0 && fps >= th->vol_flows);
		if (!above && base) {
			above = true;
			by_baseline = true;
			baseline_pps = e->mean;
		}
		if (dur >= win && !above) {
			/* The baseline learns from quiet windows only, so that
			 * an attack does not become the norm: an EWMA of the
			 * rate and of its squared deviation over ~60 windows. */
			double a = 1.0 / 60, diff = pps - e->mean;

			if (!e->samples++) {
				e->mean = pps;
			} else {
				e->mean += a * diff;
				e->var = (1 - a) * (e->var + a * diff * diff);
			}
		}
	}
	if (det_decide_emits(d, e, above, now_ns)) {
		det_fig_init(&fig, now_ns, e->win_start_ns);
		fig.rate = rate;
		if (syn) {
			fig.attempts = e->c[0];
			fig.completed = e->c[1];
			fig.half_open = half;
		} else {
			fig.bps = bps;
			fig.flows_per_s = fps;
			fig.by_baseline = by_baseline;
			fig.baseline_pps = baseline_pps;
		}
		det_decide(d, e, above, now_ns, &fig);
	} else {
		det_decide_quiet(e, above, now_ns);
	}
	if (dur >= win) {
		e->win_start_ns = now_ns;
		memset(e->c, 0, sizeof(e->c));
	}
}

/* A scan entry's figures as of @now_ns. */
static void det_scan_figures(const struct detect *d, const struct det_entry *e, uint64_t now_ns,
			     struct detect_alert *fig)
{
	bool port = e->key.kind - 1 == DETECT_PORT_SCAN;
	double secs = (now_ns - e->win_start_ns) / NS;

	det_fig_init(fig, now_ns, e->win_start_ns);
	fig->distinct = e->n;
	fig->attempts = e->c[0];
	fig->threshold_distinct = port ? d->cfg.th.port_scan_ports : d->cfg.th.addr_scan_hosts;
	fig->rate = secs > 0 ? e->c[0] / secs : 0;
}

static void det_eval_scan(struct detect *d, struct det_entry *e, uint64_t now_ns)
{
	uint32_t threshold = e->key.kind - 1 == DETECT_PORT_SCAN ? d->cfg.th.port_scan_ports
								 : d->cfg.th.addr_scan_hosts;
	/* An open scan goes on while failed attempts keep coming. */
	bool above = e->last_ns == now_ns;
	struct detect_alert fig;

	if (!e->alerting) {
		if (e->n >= threshold) {
			det_scan_figures(d, e, now_ns, &fig);
			det_start(d, e, now_ns, &fig);
		}
		return;
	}
	if (!det_decide_emits(d, e, above, now_ns)) {
		det_decide_quiet(e, above, now_ns);
		return;
	}
	det_scan_figures(d, e, now_ns, &fig);
	det_decide(d, e, above, now_ns, &fig);
}

static void det_table_pass(struct detect *d, struct det_table *t, uint64_t now_ns)
{
	for (uint32_t i = 0; i < t->n_used; i++) {
		struct det_entry *e = &t->e[t->used[i]];
		enum detect_kind kind = (enum detect_kind)(e->key.kind - 1);

		/* Idle and quiet: nothing to decide (the rate entries' windows
		 * restart when a key comes back). */
		if (!e->alerting && now_ns - e->last_ns > det_idle_ns(d, kind))
			continue;
		if (kind == DETECT_PORT_SCAN || kind == DETECT_ADDRESS_SCAN)
			det_eval_scan(d, e, now_ns);
		else
			det_eval_rate(d, e, now_ns);
	}
}

void detect_pass_end(struct detect *d, uint64_t now_ns)
{
	struct detect_stats s;
	bool regrouped = false;

	pthread_mutex_lock(&d->lock);
	if (d->retune) {
		d->cfg.th = d->next_th;
		det_ns_set(d);
		d->retune = false;
	}
	if (d->regroup) {
		struct detect_groups *old = d->groups;

		d->groups = d->next_groups;
		d->next_groups = old;
		d->regroup = false;
		regrouped = true;
	}
	pthread_mutex_unlock(&d->lock);
	/* Outside the lock: a walk of every destination over every prefix. */
	for (uint32_t i = 0; regrouped && i < d->rate.n_used; i++) {
		struct det_entry *e = &d->rate.e[d->rate.used[i]];

		e->group = detect_groups_lookup(d->groups, e->key.family, e->key.a);
	}
	det_table_pass(d, &d->rate, now_ns);
	det_table_pass(d, &d->scan, now_ns);
	d->last_pass_ns = now_ns;
	memcpy(s.alerts, d->alerts, sizeof(s.alerts));
	memcpy(s.active, d->active, sizeof(s.active));
	s.untracked = d->untracked;
	s.entries = (uint64_t)d->rate.n_used + d->scan.n_used;
	s.max_entries = (uint64_t)d->rate.size + d->scan.size;
	pthread_mutex_lock(&d->lock);
	s.dropped = d->dropped;
	d->shown = s;
	pthread_mutex_unlock(&d->lock);
}

static void det_table_finish(struct detect *d, struct det_table *t, uint64_t now_ns)
{
	for (uint32_t i = 0; i < t->n_used; i++) {
		struct det_entry *e = &t->e[t->used[i]];
		enum detect_kind kind = (enum detect_kind)(e->key.kind - 1);
		struct detect_alert fig;

		if (!e->alerting)
			continue;
		/* Made only here: the figures are 744 bytes, most entries quiet. */
		fig = (struct detect_alert){.now_ns = now_ns, .window_start_ns = e->win_start_ns};
		/* Scans: what the scan reached; rates: the last window's
		 * figures were in the records before (the end says 0/s). */
		if (kind == DETECT_PORT_SCAN || kind == DETECT_ADDRESS_SCAN)
			det_scan_figures(d, e, now_ns, &fig);
		det_end(d, e, &fig);
	}
}

void detect_finish(struct detect *d, uint64_t now_ns)
{
	detect_pass_end(d, now_ns);
	det_table_finish(d, &d->rate, now_ns);
	det_table_finish(d, &d->scan, now_ns);
	memset(d->active, 0, sizeof(d->active));
	pthread_mutex_lock(&d->lock);
	memset(d->shown.active, 0, sizeof(d->shown.active));
	pthread_mutex_unlock(&d->lock);
}

void detect_set_thresholds(struct detect *d, const struct detect_thresholds *th)
{
	pthread_mutex_lock(&d->lock);
	d->next_th = *th;
	d->retune = true;
	pthread_mutex_unlock(&d->lock);
}

int detect_set_groups(struct detect *d, const struct detect_groups *gs)
{
	struct detect_groups *copy = NULL, *old;

	if (gs) {
		copy = malloc(sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		*copy = *gs;
	}
	pthread_mutex_lock(&d->lock);
	old = d->next_groups;
	d->next_groups = copy;
	d->regroup = true;
	pthread_mutex_unlock(&d->lock);
	free(old);
	return 0;
}

unsigned detect_drain(struct detect *d, void (*fn)(void *ctx, const struct detect_alert *a),
		      void *ctx)
{
	struct detect_alert a;
	unsigned n = 0;

	for (;;) {
		pthread_mutex_lock(&d->lock);
		if (!d->q_len) {
			pthread_mutex_unlock(&d->lock);
			return n;
		}
		a = d->queue[d->q_head];
		d->q_head = (d->q_head + 1) % DETECT_QUEUE;
		d->q_len--;
		pthread_mutex_unlock(&d->lock);
		fn(ctx, &a);
		n++;
	}
}

void detect_stats(struct detect *d, struct detect_stats *out)
{
	pthread_mutex_lock(&d->lock);
	*out = d->shown;
	out->dropped = d->dropped;
	pthread_mutex_unlock(&d->lock);
}
