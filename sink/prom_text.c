// SPDX-License-Identifier: MIT
/*
 * The text exposition format 0.0.4 and xdpi's figures in it.
 *
 * Design: the builder appends to one growing buffer; every write first
 * makes room, and a failure (or a bad name) sets t->err once, after which
 * every call returns at once. So a renderer is a flat list of families and
 * samples with one check at the end, and a half-written text is never
 * handed out. Label values are escaped straight into the buffer: room for
 * twice their length is made first (every escape is two bytes for one), so
 * a value is never cut, however long.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom_text.h"
#include "../inspect/metrics.h"
#include "../inspect/parse.h"
#include "../inspect/peek.h"
#include "../util/version.h"

void prom_text_init(struct prom_text *t)
{
	memset(t, 0, sizeof(*t));
}

void prom_text_free(struct prom_text *t)
{
	free(t->buf);
	free(t->seen);
	prom_text_init(t);
}

static void fail(struct prom_text *t, int err)
{
	if (!t->err)
		t->err = err;
}

/* Room for @n more bytes and a NUL; false (and t->err) when there is none. */
static bool reserve(char **buf, size_t *cap, size_t len, size_t n, struct prom_text *t)
{
	size_t want = len + n + 1, c = *cap ? *cap : 4096;
	char *nb;

	if (t->err)
		return false;
	if (want <= *cap)
		return true;
	while (c < want)
		c *= 2;
	nb = realloc(*buf, c);
	if (!nb) {
		fail(t, -ENOMEM);
		return false;
	}
	*buf = nb;
	*cap = c;
	return true;
}

static void put(struct prom_text *t, const char *s, size_t n)
{
	if (!reserve(&t->buf, &t->cap, t->len, n, t))
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void puts_(struct prom_text *t, const char *s)
{
	put(t, s, strlen(s));
}

static bool name_ok(const char *s, bool colon)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			     (colon && c == ':');

		if (!alpha && (p == s || c < '0' || c > '9'))
			return false;
	}
	return true;
}

/* HELP text: the format escapes backslash and newline there (not quotes). */
static void put_help(struct prom_text *t, const char *s)
{
	for (; *s && !t->err; s++) {
		if (*s == '\\')
			puts_(t, "\\\\");
		else if (*s == '\n')
			puts_(t, "\\n");
		else
			put(t, s, 1);
	}
}

void prom_text_family(struct prom_text *t, const char *name, enum prom_type type, const char *help)
{
	size_t n = strlen(name);
	char key[sizeof(t->family) + 2];

	if (t->err)
		return;
	if (!name_ok(name, true) || n >= sizeof(t->family)) {
		fail(t, -EINVAL);
		return;
	}
	/* Families are few (tens): a linear search of "\nname\n" is enough. */
	snprintf(key, sizeof(key), "\n%s\n", name);
	if (t->seen && strstr(t->seen, key)) {
		fail(t, -EINVAL);
		return;
	}
	if (!reserve(&t->seen, &t->seen_cap, t->seen_len, n + 2, t))
		return;
	/* Each entry ends in the newline the next one starts with. */
	memcpy(t->seen + t->seen_len, key + (t->seen_len ? 1 : 0), n + (t->seen_len ? 1 : 2));
	t->seen_len += n + (t->seen_len ? 1 : 2);
	t->seen[t->seen_len] = '\0';
	memcpy(t->family, name, n + 1);

	puts_(t, "# HELP ");
	puts_(t, name);
	puts_(t, " ");
	put_help(t, help);
	puts_(t, "\n# TYPE ");
	puts_(t, name);
	puts_(t, type == PROM_COUNTER ? " counter\n" : " gauge\n");
}

static void put_labels(struct prom_text *t, const struct prom_label *labels, int n)
{
	if (!*t->family) {
		fail(t, -EINVAL); /* a sample before any family */
		return;
	}
	puts_(t, t->family);
	if (n <= 0)
		return;
	puts_(t, "{");
	for (int i = 0; i < n && !t->err; i++) {
		size_t vlen = strlen(labels[i].value);

		if (!name_ok(labels[i].name, false) || !strncmp(labels[i].name, "__", 2)) {
			fail(t, -EINVAL);
			return;
		}
		if (i)
			puts_(t, ",");
		puts_(t, labels[i].name);
		puts_(t, "=\"");
		if (!reserve(&t->buf, &t->cap, t->len, 2 * vlen, t))
			return;
		t->len += peek_prom_label_escape(t->buf + t->len, 2 * vlen + 1, labels[i].value);
		puts_(t, "\"");
	}
	puts_(t, "}");
}

void prom_text_u64(struct prom_text *t, const struct prom_label *labels, int n, uint64_t v)
{
	char num[32];

	put_labels(t, labels, n);
	snprintf(num, sizeof(num), " %" PRIu64 "\n", v);
	puts_(t, num);
}

void prom_text_double(struct prom_text *t, const struct prom_label *labels, int n, double v)
{
	char num[40];

	put_labels(t, labels, n);
	if (isnan(v))
		snprintf(num, sizeof(num), " NaN\n");
	else if (isinf(v))
		snprintf(num, sizeof(num), " %cInf\n", v > 0 ? '+' : '-');
	/* An integral value prints as one, never as 1e+06. */
	else if (v == trunc(v) && fabs(v) < 0x1p63)
		snprintf(num, sizeof(num), " %" PRId64 "\n", (int64_t)v);
	else
		snprintf(num, sizeof(num), " %.17g\n", v);
	puts_(t, num);
}

char *prom_text_finish(struct prom_text *t, size_t *len)
{
	char *out;

	if (!t->err && !t->buf)
		put(t, "", 0); /* an empty text is still a string */
	if (t->err) {
		int err = t->err;

		prom_text_free(t);
		errno = -err;
		return NULL;
	}
	out = t->buf;
	*len = t->len;
	t->buf = NULL;
	prom_text_free(t);
	return out;
}

/* ------------------------------------------------------------------ */
/* xdpi's figures                                                      */
/* ------------------------------------------------------------------ */

/* A family of one unlabelled sample. */
static void one(struct prom_text *t, const char *name, enum prom_type type, const char *help,
		uint64_t v)
{
	prom_text_family(t, name, type, help);
	prom_text_u64(t, NULL, 0, v);
}

/* A family with one label, from a table of counts indexed by @names. */
static void by_name(struct prom_text *t, const char *name, const char *help, const char *label,
		    const uint64_t *v, int n, int from, const char *(*label_of)(int))
{
	prom_text_family(t, name, PROM_COUNTER, help);
	for (int i = from; i < n; i++) {
		const struct prom_label l = {label, label_of(i)};

		prom_text_u64(t, &l, 1, v[i]);
	}
}

static const char *l4_name(int i)
{
	return pkt_l4_name(i);
}

static const char *l3_name(int i)
{
	return pkt_l3_name(i);
}

static const char *malformed_name(int i)
{
	return pkt_malformed_name(i);
}

static const char *vlan_name(int i)
{
	return metrics_vlan_name(i);
}

static const char *tcp_flag_name(int i)
{
	return metrics_tcp_flag_name(i);
}

static const char *end_name(int i)
{
	return flow_end_reason_name(i);
}

static const char *method_name(int i)
{
	return peek_http_method_name(i);
}

/* Per queue (live) or one sample without a label (a file). */
static void per_queue(struct prom_text *t, const struct prom_figures *f, const char *name,
		      const char *help, bool bytes)
{
	prom_text_family(t, name, PROM_COUNTER, help);
	if (!f->queues) {
		prom_text_u64(t, NULL, 0, bytes ? f->total->c.bytes : f->total->c.packets);
		return;
	}
	for (int i = 0; i < f->nqueues; i++) {
		const struct prom_queue *q = &f->queues[i];
		char id[16];
		const struct prom_label l = {"queue", id};

		snprintf(id, sizeof(id), "%u", q->queue_id);
		prom_text_u64(t, &l, 1, bytes ? q->bytes : q->packets);
	}
}

static void drops(struct prom_text *t, const struct prom_figures *f)
{
	if (!f->queues)
		return;
	prom_text_family(t, "xdpi_drops_total", PROM_COUNTER,
			 "Frames the AF_XDP socket of a queue dropped or could not take, by "
			 "reason (XDP_STATISTICS; fill_ring_empty counts failed fill-ring "
			 "reads, not frames).");
	for (int i = 0; i < f->nqueues; i++) {
		const struct prom_queue *q = &f->queues[i];
		const struct xdp_statistics *s = q->sock;
		const struct {
			const char *reason;
			uint64_t v;
		} r[] = {
			{"rx_dropped", s ? s->rx_dropped : 0},
			{"rx_ring_full", s ? s->rx_ring_full : 0},
			{"rx_invalid", s ? s->rx_invalid_descs : 0},
			{"fill_ring_empty", s ? s->rx_fill_ring_empty_descs : 0},
		};
		char id[16];

		if (!s)
			continue;
		snprintf(id, sizeof(id), "%u", q->queue_id);
		for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++) {
			const struct prom_label l[2] = {{"queue", id}, {"reason", r[k].reason}};

			prom_text_u64(t, l, 2, r[k].v);
		}
	}
}

static void top_names(struct prom_text *t, const char *name, const char *help, const char *label,
		      const struct flow_top_name *top, int n)
{
	prom_text_family(t, name, PROM_GAUGE, help);
	/* Only the names whose count ranks them (topn_ranked()): a series
	 * per estimate would chart noise as if it were a measure. */
	for (int i = 0; i < n && top[i].ranked; i++) {
		const struct prom_label l = {label, top[i].name};

		prom_text_u64(t, &l, 1, top[i].flows);
	}
}

static void connections(struct prom_text *t, const struct prom_figures *f)
{
	const struct flow_summary *s = f->flows;
	const struct flow_counters *fc = &f->total->flows;
	const uint64_t *flags = f->total->c.tcp_flags;

	one(t, "xdpi_tcp_syn_total", PROM_COUNTER, "TCP SYN segments (without ACK).",
	    flags[METRICS_TCP_SYN]);
	one(t, "xdpi_tcp_synack_total", PROM_COUNTER, "TCP SYN-ACK segments.",
	    flags[METRICS_TCP_SYNACK]);
	one(t, "xdpi_tcp_handshakes_total", PROM_COUNTER,
	    "TCP three-way handshakes completed (SYN, SYN-ACK, ACK seen).", fc->established);
	one(t, "xdpi_tcp_half_open", PROM_GAUGE,
	    "TCP flows in the table that saw a SYN but no completed handshake.", s->half_open);
	one(t, "xdpi_tcp_syn_only", PROM_GAUGE,
	    "TCP flows of a lone SYN in a capture of one direction (its answer may be unseen).",
	    s->syn_only);
	one(t, "xdpi_flows_one_way_total", PROM_COUNTER,
	    "Flows ended that were seen in one direction only.", s->one_way);
	one(t, "xdpi_flows_active", PROM_GAUGE, "Flows in the flow table.", s->active);
	one(t, "xdpi_flows_max", PROM_GAUGE, "Flows the table holds at most (--max-flows).",
	    s->max_flows);
	one(t, "xdpi_flows_created_total", PROM_COUNTER, "Flows inserted into the flow table.",
	    fc->created);
	by_name(t, "xdpi_flows_ended_total", "Flows that ended, by reason.", "reason", s->ended,
		FLOW_END__MAX, 0, end_name);
	one(t, "xdpi_flows_untracked_packets_total", PROM_COUNTER,
	    "Packets of new flows the full flow table could not take.", fc->untracked);
	one(t, "xdpi_flows_peeked_total", PROM_COUNTER,
	    "First client payloads looked into for HTTP and TLS.", fc->peeked);
	by_name(t, "xdpi_http_requests_total",
		"HTTP/1.x request lines seen at the start of a flow, by method.", "method",
		s->http_methods, PEEK_HTTP__MAX, 0, method_name);
	one(t, "xdpi_tls_client_hellos_total", PROM_COUNTER,
	    "TLS ClientHellos seen at the start of a flow.", s->tls_hellos);
	top_names(t, "xdpi_http_host_flows",
		  "Flows per HTTP Host, for the top hosts only (at most 10; only those "
		  "the space-saving counts rank; a count may exceed the truth).",
		  "host", s->top_hosts, s->n_hosts);
	top_names(t, "xdpi_tls_sni_flows",
		  "Flows per TLS SNI, for the top names only (at most 10; only those the "
		  "space-saving counts rank; a count may exceed the truth).",
		  "sni", s->top_sni, s->n_sni);
}

static void alerts(struct prom_text *t, const struct detect_stats *d)
{
	struct prom_label l = {"kind", NULL};

	prom_text_family(t, "xdpi_alerts_total", PROM_COUNTER,
			 "Alerts raised by the detection, by kind (docs/detect.md).");
	for (int k = 0; k < DETECT__KINDS; k++) {
		l.value = detect_kind_name((enum detect_kind)k);
		prom_text_u64(t, &l, 1, d->alerts[k]);
	}
	prom_text_family(t, "xdpi_alerts_active", PROM_GAUGE, "Alerts open now, by kind.");
	for (int k = 0; k < DETECT__KINDS; k++) {
		l.value = detect_kind_name((enum detect_kind)k);
		prom_text_u64(t, &l, 1, d->active[k]);
	}
	one(t, "xdpi_detect_entries", PROM_GAUGE,
	    "Destinations and scanners the detection tracks (its tables' used entries).",
	    d->entries);
	one(t, "xdpi_detect_entries_max", PROM_GAUGE,
	    "Entries the detection's tables hold at most (--detect-max-entries, two tables).",
	    d->max_entries);
	one(t, "xdpi_detect_untracked_total", PROM_COUNTER,
	    "Observations the detection's full tables could not keep.", d->untracked);
	one(t, "xdpi_detect_alerts_dropped_total", PROM_COUNTER,
	    "Alert records lost because their queue was full.", d->dropped);
}

char *prom_render(const struct prom_figures *f, size_t *len)
{
	const struct metrics_counters *c = &f->total->c;
	const struct prom_label info[3] = {
		{"version", xdpi_version()}, {"mode", f->mode}, {"source", f->source}};
	struct prom_text t;

	prom_text_init(&t);
	prom_text_family(&t, "xdpi_info", PROM_GAUGE,
			 "Always 1; the labels say which xdpi and what it inspects.");
	prom_text_u64(&t, info, 3, 1);
	per_queue(&t, f, "xdpi_packets_total",
		  "Frames inspected (live: per RX queue, as its worker last published).", false);
	per_queue(&t, f, "xdpi_bytes_total", "Bytes on the wire of the frames inspected.", true);
	drops(&t, f);
	by_name(&t, "xdpi_l3_packets_total", "Frames by network layer.", "proto", c->l3,
		PKT_L3__MAX, 0, l3_name);
	by_name(&t, "xdpi_l4_packets_total", "Frames by transport protocol (none: not IP).",
		"proto", c->l4, PKT_L4__MAX, 0, l4_name);
	by_name(&t, "xdpi_tcp_flags_total", "TCP segments by flag (syn: SYN without ACK).", "flag",
		c->tcp_flags, METRICS_TCP__MAX, 0, tcp_flag_name);
	one(&t, "xdpi_tcp_payload_bytes_total", PROM_COUNTER, "TCP payload bytes.",
	    c->tcp_payload_bytes);
	by_name(&t, "xdpi_vlan_packets_total",
		"Frames by their VLAN tags on the wire (in the frame or stripped by the NIC).",
		"tags", c->vlan, METRICS_VLAN__MAX, 0, vlan_name);
	by_name(&t, "xdpi_malformed_total", "Malformed frames, by the first fault found.", "reason",
		c->malformed, PKT_MAL__MAX, 1, malformed_name);
	one(&t, "xdpi_unique_src_ips", PROM_GAUGE,
	    "Distinct source IP addresses (during a live run summed over queues: an upper "
	    "bound).",
	    f->total->unique_src_ips);
	one(&t, "xdpi_tcp_directions", PROM_GAUGE,
	    "Distinct one-way TCP 4-tuples: each direction of a connection counts apart "
	    "(xdpi_flows_created_total counts connections, both ways; during a live run "
	    "summed over queues: an upper bound).",
	    f->total->tcp_directions);
	if (f->flows)
		connections(&t, f);
	if (f->detect)
		alerts(&t, f->detect);
	return prom_text_finish(&t, len);
}
