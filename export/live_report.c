// SPDX-License-Identifier: MIT
#include "live_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/ledger_report.h"
#include "flow_report.h"
#include "../sink/ipfix_report.h"
#include "../sink/jsonl.h"
#include "report.h"
#include "../util/log.h"
#include "../util/u64json.h"

int live_table_init(struct live_table *t, FILE *out, const struct capture *c, double started)
{
	t->out = out;
	t->started = t->prev_time = started;
	t->nqueues = capture_queue_count(c);
	t->prev_packets = calloc((size_t)t->nqueues + 1, sizeof(uint64_t));
	t->prev_bytes = calloc((size_t)t->nqueues + 1, sizeof(uint64_t));
	if (!t->prev_packets || !t->prev_bytes) {
		live_table_free(t);
		return -ENOMEM;
	}
	return 0;
}

void live_table_free(struct live_table *t)
{
	free(t->prev_packets);
	free(t->prev_bytes);
	t->prev_packets = t->prev_bytes = NULL;
}

static const char *live_mode_name(const struct capture_queue *q)
{
	return q->passive ? "passive" : q->zerocopy ? "zerocopy" : "copy";
}

void live_table_header(struct live_table *t)
{
	/* 76 columns with 12-digit rates and 10-digit counters */
	fprintf(t->out, "%6s %-5s %12s %8s %10s %10s %10s %s\n", "time", "queue", "pps", "Mbit/s",
		"rx_dropped", "ring_full", "fill_empty", "mode");
}

static json_t *live_alerts_json(const struct detect_stats *ds)
{
	json_t *o = json_object(), *open = json_object(), *raised = json_object();

	for (int k = 0; o && open && raised && k < DETECT__KINDS; k++) {
		json_object_set_new(open, detect_kind_name((enum detect_kind)k),
				    json_integer((json_int_t)ds->active[k]));
		json_object_set_new(raised, detect_kind_name((enum detect_kind)k),
				    json_integer((json_int_t)ds->alerts[k]));
	}
	json_object_set_new(o, "open", open);
	json_object_set_new(o, "raised", raised);
	return o;
}

/* The "stats" line of an interval: what the row shows, plus the counters
 * so far and the flow table's summary. */
static void live_stats_line(struct live_table *t, const struct capture *c, json_t *queues,
			    const struct pipeline_counters *sum, double dt, uint64_t tp,
			    uint64_t tb)
{
	struct flow_summary fs;
	struct detect_stats ds;
	char now[40];
	json_t *o;

	xdpi_iso8601(report_wall_now(), now, sizeof(now));
	o = json_pack("{s:s, s:s, s:f, s:o, s:o, s:f, s:f, s:o, s:o, s:o}", "type", "stats", "time",
		      now, "interval_s", dt, "packets", u64_to_json(tp), "bytes", u64_to_json(tb),
		      "pps", (double)tp / dt, "mbps", (double)tb * 8 / dt / 1e6, "total_packets",
		      u64_to_json(sum->c.packets), "total_bytes", u64_to_json(sum->c.bytes),
		      "queues", queues);
	if (o && capture_flow_summary(c, &fs)) {
		const struct flow_report fr = {.fc = &sum->flows, .s = &fs, .mc = &sum->c};
		json_t *conn = flow_report_json(&fr);

		/* The interval's rate, not the run's average. */
		if (conn)
			json_object_set_new(
				conn, "established_per_sec",
				json_real((double)(sum->flows.established - t->prev_established) /
					  dt));
		json_object_set_new(o, "connections", conn ? conn : json_null());
		t->prev_established = sum->flows.established;
	}
	if (o && capture_detect_stats(c, &ds))
		json_object_set_new(o, "alerts", live_alerts_json(&ds));
	jsonl_write(t->jsonl, o);
	/* The end of the interval's batch: on the pipe or disk now. */
	jsonl_flush(t->jsonl);
}

/* The detection's line of the table, once it raised an alert: what is
 * open now and what was raised so far, by kind. */
static void live_alerts_row(FILE *out, const struct capture *c, double since)
{
	struct detect_stats ds;
	uint64_t raised = 0, open = 0;
	char kinds[160] = "";
	size_t n = 0;

	if (!capture_detect_stats(c, &ds))
		return;
	for (int k = 0; k < DETECT__KINDS; k++) {
		raised += ds.alerts[k];
		open += ds.active[k];
		if (ds.active[k] && n < sizeof(kinds))
			n += (size_t)snprintf(kinds + n, sizeof(kinds) - n, " %s %" PRIu64,
					      detect_kind_name((enum detect_kind)k), ds.active[k]);
	}
	if (raised)
		fprintf(out, "%6.1f alerts %" PRIu64 " open%s%s, %" PRIu64 " raised\n", since, open,
			open ? ":" : "", kinds, raised);
}

static void counters_add(struct pipeline_counters *sum, const struct pipeline_counters *q)
{
	const uint64_t *src = (const uint64_t *)q;
	uint64_t *dst = (uint64_t *)sum;

	/* Every field is a u64 count (inspect/pipeline.h). */
	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

void live_table_row(struct live_table *t, const struct capture *c, double now)
{
	double dt = now - t->prev_time;
	struct pipeline_counters sum = {0};
	json_t *queues = t->jsonl ? json_array() : NULL;
	uint64_t tp = 0, tb = 0;

	if (dt <= 0) {
		json_decref(queues);
		return;
	}
	for (int i = 0; i < t->nqueues; i++) {
		struct capture_queue q;
		uint64_t p, b;

		capture_queue_read(c, i, &q);
		counters_add(&sum, &q.counters);
		if (queues)
			json_array_append_new(
				queues,
				json_pack("{s:i, s:o, s:o, s:I, s:I}", "queue", (int)q.queue_id,
					  "packets", u64_to_json(q.counters.c.packets), "bytes",
					  u64_to_json(q.counters.c.bytes), "rx_dropped",
					  (json_int_t)q.sock.rx_dropped, "rx_ring_full",
					  (json_int_t)q.sock.rx_ring_full));
		p = q.counters.c.packets - t->prev_packets[i];
		b = q.counters.c.bytes - t->prev_bytes[i];
		fprintf(t->out,
			"%6.1f q%-4u %12.0f %8.1f %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %s\n",
			now - t->started, q.queue_id, (double)p / dt, (double)b * 8 / dt / 1e6,
			(uint64_t)q.sock.rx_dropped, (uint64_t)q.sock.rx_ring_full,
			(uint64_t)q.sock.rx_fill_ring_empty_descs, live_mode_name(&q));
		tp += p;
		tb += b;
		t->prev_packets[i] = q.counters.c.packets;
		t->prev_bytes[i] = q.counters.c.bytes;
	}
	if (t->nqueues > 1)
		fprintf(t->out, "%6.1f total %12.0f %8.1f\n", now - t->started, (double)tp / dt,
			(double)tb * 8 / dt / 1e6);
	live_alerts_row(t->out, c, now - t->started);
	if (queues)
		live_stats_line(t, c, queues, &sum, dt, tp, tb);
	fflush(t->out);
	t->prev_time = now;
}

static json_t *seqcheck_latency_json(const struct seqcheck_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "p50", (json_int_t)seqcheck_latency(c, 0.5),
			 "p90", (json_int_t)seqcheck_latency(c, 0.9), "p99",
			 (json_int_t)seqcheck_latency(c, 0.99), "p999",
			 (json_int_t)seqcheck_latency(c, 0.999), "max", (json_int_t)c->lat_max);
}

static json_t *seqcheck_counts_json(const struct seqcheck_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I}", "flows",
			 (json_int_t)c->flows, "stamped", (json_int_t)c->stamped, "lost",
			 (json_int_t)c->lost, "duplicated", (json_int_t)c->duplicated, "reordered",
			 (json_int_t)c->reordered, "late", (json_int_t)c->late, "latency_ns",
			 seqcheck_latency_json(c), "timed", (json_int_t)seqcheck_timed(c),
			 "untimed", (json_int_t)c->untimed, "negative_latency",
			 (json_int_t)c->negative);
}

json_t *seqcheck_to_json(const struct seqcheck *s)
{
	struct seqcheck_counts t;
	json_t *obj, *pg;

	seqcheck_total(s, &t);
	obj = seqcheck_counts_json(&t);
	pg = seqcheck_counts_json(&s->k[SEQCHECK_PKTGEN]);
	if (!obj || !pg) {
		json_decref(obj);
		json_decref(pg);
		return NULL;
	}
	json_object_set_new(pg, "untracked", u64_to_json(s->pg_untracked));
	json_object_set_new(pg, "max_flows", json_integer(SEQCHECK_PG_MAX_FLOWS));
	json_object_set_new(obj, "clock", json_string(seqcheck_clock_name(s->clock)));
	json_object_set_new(obj, "latency_measured", json_boolean(seqcheck_timed(&t) > 0));
	json_object_set_new(obj, "stamps",
			    json_pack("{s:o, s:o}", "xdpi",
				      seqcheck_counts_json(&s->k[SEQCHECK_XDPI]), "pktgen", pg));
	return obj;
}

static void seqcheck_print_counts(FILE *out, const char *what, const struct seqcheck_counts *c)
{
	fprintf(out,
		"%s: %" PRIu64 " stamped frames in %" PRIu64 " flows: lost %" PRIu64
		", duplicated %" PRIu64 ", reordered %" PRIu64,
		what, c->stamped, c->flows, c->lost, c->duplicated, c->reordered);
	if (c->late)
		fprintf(out, ", late %" PRIu64 " (more than 64 behind)", c->late);
	fputc('\n', out);
}

/* Why no frame was timed. */
static const char *seqcheck_untimed_reason(const struct seqcheck *s)
{
	if (s->clock == SEQCHECK_CLOCK_UNSYNCED)
		return "the senders' clocks are not known to match this host's (a sender on "
		       "another host?): --sender-clock synced if they are synchronised, local "
		       "if the sender runs here";
	if (s->clock == SEQCHECK_CLOCK_SYNCED && s->k[SEQCHECK_XDPI].stamped)
		return "xdpi gen stamps CLOCK_MONOTONIC, which only a sender on this host shares "
		       "(--sender-clock local)";
	if (s->k[SEQCHECK_PKTGEN].untimed)
		return "the pktgen frames carried no send time (pktgen's NO_TIMESTAMP)";
	return "no stamped frame";
}

void seqcheck_print(FILE *out, const struct seqcheck *s)
{
	const struct seqcheck_counts *x = &s->k[SEQCHECK_XDPI], *pg = &s->k[SEQCHECK_PKTGEN];
	struct seqcheck_counts t;

	seqcheck_total(s, &t);
	fputc('\n', out);
	seqcheck_print_counts(out, "Sequence check", &t);
	if (x->stamped && pg->stamped) {
		seqcheck_print_counts(out, "  xdpi gen stamps", x);
		seqcheck_print_counts(out, "  pktgen headers", pg);
	} else if (pg->stamped) {
		fprintf(out, "  (pktgen headers, flows by addresses and ports)\n");
	}
	if (s->pg_untracked)
		fprintf(out,
			"  %" PRIu64 " pktgen frames were not checked: their flows came after the "
			"first %d\n",
			s->pg_untracked, SEQCHECK_PG_MAX_FLOWS);
	if (!seqcheck_timed(&t)) {
		fprintf(out, "one-way latency: not measured: %s\n", seqcheck_untimed_reason(s));
		return;
	}
	fprintf(out,
		"one-way latency: p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max "
		"%.1f us%s\n",
		(double)seqcheck_latency(&t, 0.5) / 1e3, (double)seqcheck_latency(&t, 0.9) / 1e3,
		(double)seqcheck_latency(&t, 0.99) / 1e3, (double)seqcheck_latency(&t, 0.999) / 1e3,
		(double)t.lat_max / 1e3,
		s->clock == SEQCHECK_CLOCK_SYNCED
			? " (synchronised clocks: give or take their offset)"
			: "");
	if (t.untimed)
		fprintf(out, "  %" PRIu64 " pktgen frames carried no send time (NO_TIMESTAMP)\n",
			t.untimed);
	if (t.negative)
		fprintf(out,
			"  %" PRIu64 " frames arrived before they were sent by this host's clock: "
			"the clocks differ by more than the latency\n",
			t.negative);
}

static json_t *live_queue_json_base(const struct capture_queue *q, const char *xdp_mode)
{
	return json_pack("{s:i, s:i, s:s, s:s, s:b, s:s, s:I, s:b, s:o, s:o, s:I, s:I, s:I, s:I}",
			 "queue", (int)q->queue_id, "cpu", q->cpu, "mode", live_mode_name(q),
			 "xdp_mode", xdp_mode, "busy_poll", q->busy_poll, "idle",
			 q->idle ? q->idle : "?", "napi_id", (json_int_t)q->napi_id, "hugepages",
			 q->hugepages, "packets", u64_to_json(q->counters.c.packets), "bytes",
			 u64_to_json(q->counters.c.bytes), "empty_polls",
			 (json_int_t)q->empty_polls, "sleeps", (json_int_t)q->sleeps, "spin_stops",
			 (json_int_t)q->spin_stops, "bind_retries", (json_int_t)q->bind_retries);
}

static json_t *live_queue_json(const struct capture_queue *q, const char *xdp_mode,
			       uint64_t total_packets)
{
	json_t *o = live_queue_json_base(q, xdp_mode);

	if (o)
		json_object_set_new(o, "share",
				    total_packets ? json_real((double)q->counters.c.packets /
							      (double)total_packets)
						  : json_null());
	return o;
}

/* Jumbo frames and NIC metadata: what the run could see (docs/live.md). */
static json_t *live_nic_json(const struct capture_nic *n)
{
	return json_pack("{s:I, s:I, s:b, s:b, s:b, s:I, s:s, s:{s:o, s:o, s:o, s:o}, s:o, s:o}",
			 "mtu", (json_int_t)n->mtu, "max_frame", (json_int_t)n->max_frame,
			 "multi_buffer", n->multi_buffer, "xdp_frags", n->frags, "rx_metadata",
			 n->rx_metadata, "meta_head_bytes", (json_int_t)n->meta_head, "vlan",
			 n->vlan ? n->vlan : "unknown", "metadata_frames", "vlan",
			 u64_to_json(n->meta.vlan), "hash", u64_to_json(n->meta.hash), "timestamp",
			 u64_to_json(n->meta.timestamp), "no_room", u64_to_json(n->meta.no_room),
			 "multi_buffer_frames", u64_to_json(n->meta.multi_buffer), "gathered",
			 u64_to_json(n->gathered));
}

void live_stop_reason(const char *text, const char **reason, const char **signal)
{
	*signal = NULL;
	if (!text)
		*reason = "error";
	else if (!strncmp(text, "SIG", 3)) {
		*reason = "signal";
		*signal = text;
	} else if (strstr(text, "duration"))
		*reason = "duration";
	else if (strstr(text, "count"))
		*reason = "count";
	else if (strstr(text, "interface gone"))
		*reason = "interface_gone";
	else if (strstr(text, "worker failed"))
		*reason = "worker_failed";
	else if (strstr(text, "sandbox failed"))
		*reason = "sandbox_failed";
	else if (strstr(text, "output closed"))
		*reason = "output_closed";
	else
		*reason = "error";
}

/* The run's span: dated by the wall clock, measured by the monotonic one. */
static struct report_span live_span(const struct capture_result *res)
{
	return (struct report_span){.start = res->start_wall,
				    .end = res->end_wall,
				    .duration = res->duration_s,
				    .packets = res->total.m.c.packets,
				    .bytes = res->total.m.c.bytes};
}

json_t *live_report_json(const struct capture_opts *o, const struct capture *c,
			 const struct capture_result *res, const char *stop_reason)
{
	json_t *obj = report_metrics_json(&res->total.m), *queues = json_array(),
	       *lj = ledger_to_json(&res->ledger);
	struct report_span span = live_span(res);
	const char *reason, *signal;
	char why[256];

	if (!obj || !queues || !lj) {
		json_decref(obj);
		json_decref(queues);
		json_decref(lj);
		return NULL;
	}
	for (int i = 0; i < capture_queue_count(c); i++) {
		struct capture_queue q;

		capture_queue_read(c, i, &q);
		json_array_append_new(queues,
				      live_queue_json(&q, res->xdp_mode, res->total.m.c.packets));
	}
	live_stop_reason(stop_reason, &reason, &signal);
	report_source_json(obj, "interface", o->ifname, o->filter);
	json_object_set_new(obj, "inspect", json_boolean(o->inspect));
	json_object_set_new(obj, "ceiling", json_boolean(o->ceiling));
	json_object_set_new(obj, "passive", json_boolean(o->passive));
	json_object_set_new(obj, "direction",
			    json_string(capture_direction_name(capture_direction_of(o))));
	json_object_set_new(obj, "egress_hook",
			    res->nic.egress_hook ? json_string(res->nic.egress_hook) : json_null());
	json_object_set_new(obj, "frame_times", json_boolean(res->nic.frame_times));
	json_object_set_new(obj, "nic", live_nic_json(&res->nic));
	report_span_json(obj, &span);
	json_object_set_new(obj, "stop_reason", json_string(reason));
	json_object_set_new(obj, "signal", signal ? json_string(signal) : json_null());
	json_object_set_new(obj, "nothing_steered",
			    ledger_nothing_steered(&res->ledger, o->filter, why, sizeof(why))
				    ? json_string(why)
				    : json_null());
	if (o->write)
		json_object_set_new(obj, "written",
				    json_pack("{s:s, s:I, s:I}", "file", o->write, "frames",
					      (json_int_t)res->written, "dropped",
					      (json_int_t)res->write_dropped));
	json_object_set_new(obj, "queues", queues);
	json_object_set_new(obj, "ledger", lj);
	if (res->total.seq)
		json_object_set_new(obj, "seq_check", seqcheck_to_json(res->total.seq));
	if (res->flows) {
		const struct flow_report fr = {.fc = &res->total.fw.c,
					       .s = res->flows,
					       .mc = &res->total.m.c,
					       .span_s = res->duration_s};

		json_object_set_new(obj, "connections", flow_report_json(&fr));
	}
	if (capture_ipfix(c))
		json_object_set_new(obj, "ipfix", ipfix_report_json(capture_ipfix(c)));
	return obj;
}

void live_report_print(FILE *out, const struct capture_opts *o, const struct capture_result *res,
		       const char *stop_reason)
{
	struct report_span span = live_span(res);
	char why[256];

	fprintf(out, "\nxdpi live %s: %.1f s, stopped by %s, filter %s%s\n", o->ifname,
		res->duration_s, stop_reason ?: "an error", o->filter,
		o->ceiling ? ", ceiling mode (dropped in XDP, nothing inspected)"
		: o->passive
			? (capture_direction_of(o) == CAPTURE_DIR_INOUT
				   ? ", passive both ways (copies inspected, the host kept every "
				     "frame)"
			   : capture_direction_of(o) == CAPTURE_DIR_IN
				   ? ", passive, frames received only (copies inspected)"
				   : ", passive, frames sent only (copies inspected)")
		: o->inspect ? ""
			     : ", inspection off (only packets and bytes count)");
	if (ledger_nothing_steered(&res->ledger, o->filter, why, sizeof(why)))
		fprintf(out, "nothing steered: %s\n", why);
	report_span_print(out, &span);
	if (o->write)
		fprintf(out, "wrote %" PRIu64 " frames to %s%s\n", res->written, o->write,
			res->write_dropped ? " (copies refused by a full buffer: see below)" : "");
	if (res->write_dropped)
		fprintf(out,
			"%" PRIu64 " inspected frames not written: the write buffer was full\n",
			res->write_dropped);
	report_metrics_print(out, &res->total.m);
	if (res->flows) {
		const struct flow_report fr = {.fc = &res->total.fw.c,
					       .s = res->flows,
					       .mc = &res->total.m.c,
					       .span_s = res->duration_s};

		flow_report_print(out, &fr);
	}
	if (res->total.seq)
		seqcheck_print(out, res->total.seq);
	ledger_print(out, &res->ledger);
}

static int live_view_open(void *ctx, struct capture *c)
{
	struct live_table_view *v = ctx;
	int ret = live_table_init(&v->t, v->out, c, 0);

	if (ret)
		xdpi_err("out of memory");
	v->t.jsonl = capture_jsonl(c);
	return ret;
}

static void live_view_begin(void *ctx, double started)
{
	struct live_table_view *v = ctx;

	v->t.started = v->t.prev_time = started;
}

static void live_view_header(void *ctx)
{
	live_table_header(&((struct live_table_view *)ctx)->t);
}

static void live_view_row(void *ctx, const struct capture *c, double now)
{
	live_table_row(&((struct live_table_view *)ctx)->t, c, now);
}

void live_table_hooks(struct capture_run_hooks *h)
{
	h->open = live_view_open;
	h->begin = live_view_begin;
	h->header = live_view_header;
	h->row = live_view_row;
}
