// SPDX-License-Identifier: MIT
#include "flow_report.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "report.h"

static json_t *top_addr_json(const struct flow_top_entry *e, unsigned n, const char *count_key)
{
	json_t *a = json_array();
	char ip[INET6_ADDRSTRLEN];

	for (unsigned i = 0; a && i < n; i++) {
		flow_addr_str(e[i].family, e[i].addr, ip, sizeof(ip));
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:b}", "ip", ip, count_key,
						   (json_int_t)e[i].count, "error",
						   (json_int_t)e[i].error, "ranked", e[i].ranked));
	}
	return a;
}

static json_t *top_port_json(const struct flow_top_entry *e, unsigned n, const char *count_key)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:I, s:I, s:b}", "port", (int)e[i].port,
						   count_key, (json_int_t)e[i].count, "error",
						   (json_int_t)e[i].error, "ranked", e[i].ranked));
	return a;
}

static json_t *top_name_json(const struct flow_top_name *e, unsigned n, const char *name_key)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:b}", name_key, e[i].name,
						   "flows", (json_int_t)e[i].flows, "error",
						   (json_int_t)e[i].error, "ranked", e[i].ranked));
	return a;
}

/* Of the flows that ended, the share seen in one direction only; null
 * before any ended. */
static json_t *flow_one_way_ratio(const struct flow_summary *s)
{
	uint64_t ended = 0;

	for (int i = 0; i < FLOW_END__MAX; i++)
		ended += s->ended[i];
	return ended ? json_real((double)s->one_way / (double)ended) : json_null();
}

json_t *flow_report_json(const struct flow_report *r)
{
	const struct flow_summary *s = r->s;
	json_t *o, *ended, *methods;

	ended = json_object();
	methods = json_object();
	for (int i = 0; ended && i < FLOW_END__MAX; i++)
		json_object_set_new(ended, flow_end_reason_name(i),
				    json_integer((json_int_t)s->ended[i]));
	for (int i = 0; methods && i < PEEK_HTTP__MAX; i++)
		if (s->http_methods[i])
			json_object_set_new(methods, peek_http_method_name(i),
					    json_integer((json_int_t)s->http_methods[i]));
	o = json_object();
	if (!o || !ended || !methods) {
		json_decref(o);
		json_decref(ended);
		json_decref(methods);
		return NULL;
	}
#define SET_INT(k, v) json_object_set_new(o, k, json_integer((json_int_t)(v)))
	SET_INT("syn", r->mc->tcp_flags[METRICS_TCP_SYN]);
	SET_INT("synack", r->mc->tcp_flags[METRICS_TCP_SYNACK]);
	SET_INT("established", r->fc->established);
	json_object_set_new(o, "established_per_sec",
			    r->span_s > 0 ? json_real((double)r->fc->established / r->span_s)
					  : json_null());
	SET_INT("half_open", s->half_open);
	SET_INT("syn_only", s->syn_only);
	SET_INT("one_way", s->one_way);
	json_object_set_new(o, "one_way_ratio", flow_one_way_ratio(s));
	SET_INT("active", s->active);
	json_object_set_new(o, "ended", ended);
	SET_INT("flows", r->fc->created);
	SET_INT("untracked", r->fc->untracked);
	SET_INT("max_flows", s->max_flows);
	SET_INT("peeked", r->fc->peeked);
	json_object_set_new(o, "http_methods", methods);
	SET_INT("tls_client_hellos", s->tls_hellos);
#undef SET_INT
	json_object_set_new(o, "top_http_hosts", top_name_json(s->top_hosts, s->n_hosts, "host"));
	json_object_set_new(o, "top_tls_sni", top_name_json(s->top_sni, s->n_sni, "sni"));
	json_object_set_new(o, "top_sources_by_packets",
			    top_addr_json(s->top_src_packets, s->n_src_packets, "packets"));
	json_object_set_new(o, "top_sources_by_bytes",
			    top_addr_json(s->top_src_bytes, s->n_src_bytes, "bytes"));
	json_object_set_new(o, "top_dst_ports_by_packets",
			    top_port_json(s->top_port_packets, s->n_port_packets, "packets"));
	json_object_set_new(o, "top_dst_ports_by_bytes",
			    top_port_json(s->top_port_bytes, s->n_port_bytes, "bytes"));
	return o;
}

/* A ranked entry: its count, or where the count is an upper bound, the
 * range the true count is in ("9962..10000"). */
static void top_count_str(char *buf, size_t len, const char *key, uint64_t count, uint64_t error)
{
	if (error)
		snprintf(buf, len, "%s %" PRIu64 "..%" PRIu64, key, count - error, count);
	else
		snprintf(buf, len, "%s %" PRIu64, key, count);
}

/* What stands for the entries that do not rank (topn_ranked()): their
 * counts are estimates that cannot tell them from keys left out. */
static void top_unranked_str(char *buf, size_t len, unsigned n, uint64_t most)
{
	snprintf(buf, len, "(%u more unranked: estimates of at most %" PRIu64 " each)", n, most);
}

/* Names are sanitized (printable ASCII): safe on a terminal. */
static void top_names_print(FILE *out, const char *label, const struct flow_top_name *e,
			    unsigned count)
{
	char items[FLOW_TOP_N + 1][128];
	const char *ptr[FLOW_TOP_N + 1];
	char name[84];
	unsigned n = 0;

	for (unsigned i = 0; i < count && e[i].ranked; i++) {
		snprintf(name, sizeof(name), "%.80s", e[i].name);
		top_count_str(items[n], sizeof(items[n]), name, e[i].flows, e[i].error);
		ptr[n] = items[n];
		n++;
	}
	if (n < count) {
		top_unranked_str(items[n], sizeof(items[n]), count - n, e[n].flows);
		ptr[n] = items[n];
		n++;
	}
	if (n)
		report_items_print(out, label, ptr, (int)n);
}

void flow_report_print(FILE *out, const struct flow_report *r)
{
	const struct flow_summary *s = r->s;
	char items[FLOW_TOP_N + PEEK_HTTP__MAX][96];
	const char *ptr[FLOW_TOP_N + PEEK_HTTP__MAX];
	char ip[INET6_ADDRSTRLEN];
	int n = 0;

	fprintf(out, "connections        syn %" PRIu64 "  synack %" PRIu64 "  established %" PRIu64,
		r->mc->tcp_flags[METRICS_TCP_SYN], r->mc->tcp_flags[METRICS_TCP_SYNACK],
		r->fc->established);
	if (r->span_s > 0)
		fprintf(out, " (%.1f/s)", (double)r->fc->established / r->span_s);
	fprintf(out, "  half-open %" PRIu64, s->half_open);
	if (s->syn_only)
		fprintf(out, "  lone SYNs %" PRIu64, s->syn_only);
	fputc('\n', out);
	{
		uint64_t ended = 0;

		for (int i = 0; i < FLOW_END__MAX; i++)
			ended += s->ended[i];
		/* Most flows one-sided: say that the handshake and size
		 * figures above cover one direction. */
		if (ended && s->one_way * 2 > ended)
			fprintf(out,
				"one-sided          %" PRIu64 " of %" PRIu64
				" flows ended were seen "
				"in one direction only:\n"
				"                   the connection figures cover that direction\n",
				s->one_way, ended);
	}
	fprintf(out,
		"flows (2-way)      %" PRIu64 " (active %" PRIu64 ", untracked packets %" PRIu64
		", max %" PRIu64 ")\n",
		r->fc->created, s->active, r->fc->untracked, s->max_flows);
	for (int i = 0; i < FLOW_END__MAX; i++) {
		snprintf(items[n], sizeof(items[n]), "%s %" PRIu64, flow_end_reason_name(i),
			 s->ended[i]);
		ptr[n] = items[n];
		n++;
	}
	report_items_print(out, "flows ended", ptr, n);
	n = 0;
	for (int i = 0; i < PEEK_HTTP__MAX; i++) {
		if (!s->http_methods[i])
			continue;
		snprintf(items[n], sizeof(items[n]), "%s %" PRIu64, peek_http_method_name(i),
			 s->http_methods[i]);
		ptr[n] = items[n];
		n++;
	}
	if (n)
		report_items_print(out, "http methods", ptr, n);
	/* The name beside the number the JSON records carry (tls_versions). */
	n = 0;
	for (int i = FLOW_TLS_OTHER - 1; i >= 0; i--) {
		char name[16];

		if (!s->tls_max_version[i])
			continue;
		snprintf(items[n], sizeof(items[n]), "%s (%d) %" PRIu64,
			 peek_tls_version_name((uint16_t)(0x0300 + i), name, sizeof(name)),
			 0x0300 + i, s->tls_max_version[i]);
		ptr[n] = items[n];
		n++;
	}
	if (s->tls_max_version[FLOW_TLS_OTHER]) {
		snprintf(items[n], sizeof(items[n]), "other %" PRIu64,
			 s->tls_max_version[FLOW_TLS_OTHER]);
		ptr[n] = items[n];
		n++;
	}
	if (n)
		report_items_print(out, "tls max version", ptr, n);
	n = 0;
	for (unsigned i = 0; i < s->n_src_packets && s->top_src_packets[i].ranked; i++) {
		const struct flow_top_entry *e = &s->top_src_packets[i];

		flow_addr_str(e->family, e->addr, ip, sizeof(ip));
		top_count_str(items[n], sizeof(items[n]), ip, e->count, e->error);
		ptr[n] = items[n];
		n++;
	}
	if (n < s->n_src_packets) {
		top_unranked_str(items[n], sizeof(items[n]), s->n_src_packets - n,
				 s->top_src_packets[n].count);
		ptr[n] = items[n];
		n++;
	}
	if (n)
		report_items_print(out, "top sources (pkts)", ptr, n);
	n = 0;
	for (unsigned i = 0; i < s->n_port_packets; i++) {
		snprintf(items[n], sizeof(items[n]), "%u %" PRIu64, s->top_port_packets[i].port,
			 s->top_port_packets[i].count);
		ptr[n] = items[n];
		n++;
	}
	if (n)
		report_items_print(out, "top dst ports", ptr, n);
	top_names_print(out, "top http hosts", s->top_hosts, s->n_hosts);
	top_names_print(out, "top tls sni", s->top_sni, s->n_sni);
}
