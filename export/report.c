// SPDX-License-Identifier: MIT
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "../util/version.h"
#include "../util/u64json.h"

static double avg_size(const struct metrics_counters *c)
{
	return c->packets ? (double)c->bytes / (double)c->packets : 0.0;
}

static const char *distinct_kind(bool estimated)
{
	return estimated ? "estimate" : "exact";
}

json_t *report_metrics_json(const struct metrics *m)
{
	const struct metrics_counters *c = &m->c;
	json_t *o, *l3, *l4, *flags, *hist, *vlan, *mal, *distinct;
	int i;

	o = json_object();
	l3 = json_object();
	l4 = json_object();
	flags = json_object();
	hist = json_object();
	vlan = json_object();
	mal = json_object();
	distinct = json_object();
	if (!o || !l3 || !l4 || !flags || !hist || !vlan || !mal || !distinct)
		goto err;

	/* Display order: ipv4, ipv6, arp, other. */
	json_object_set_new(l3, "ipv4", u64_to_json(c->l3[PKT_L3_IPV4]));
	json_object_set_new(l3, "ipv6", u64_to_json(c->l3[PKT_L3_IPV6]));
	json_object_set_new(l3, "arp", u64_to_json(c->l3[PKT_L3_ARP]));
	json_object_set_new(l3, "other", u64_to_json(c->l3[PKT_L3_OTHER]));
	for (i = PKT_L4_NONE + 1; i < PKT_L4__MAX; i++)
		json_object_set_new(l4, pkt_l4_name(i), u64_to_json(c->l4[i]));
	for (i = 0; i < METRICS_TCP__MAX; i++)
		json_object_set_new(flags, metrics_tcp_flag_name(i), u64_to_json(c->tcp_flags[i]));
	for (i = 0; i < METRICS_SIZE__MAX; i++)
		json_object_set_new(hist, metrics_size_bucket_name(i),
				    u64_to_json(c->size_hist[i]));
	for (i = 0; i < METRICS_VLAN__MAX; i++)
		json_object_set_new(vlan, metrics_vlan_name(i), u64_to_json(c->vlan[i]));
	json_object_set_new(mal, "total", u64_to_json(metrics_malformed_total(m)));
	for (i = PKT_OK + 1; i < PKT_MAL__MAX; i++)
		json_object_set_new(mal, pkt_malformed_name(i), u64_to_json(c->malformed[i]));

	json_object_set_new(o, "version", json_string(xdpi_version()));
	json_object_set_new(o, "packets", u64_to_json(c->packets));
	json_object_set_new(o, "bytes", u64_to_json(c->bytes));
	json_object_set_new(o, "avg_packet_size", json_real(avg_size(c)));
	json_object_set_new(o, "l3", l3);
	json_object_set_new(o, "l4", l4);
	json_object_set_new(o, "tcp_flags", flags);
	json_object_set_new(o, "unique_src_ips", u64_to_json(metrics_unique_src_ips(m)));
	json_object_set_new(o, "tcp_directions", u64_to_json(metrics_tcp_directions(m)));
	json_object_set_new(o, "tcp_payload_bytes", u64_to_json(c->tcp_payload_bytes));
	json_object_set_new(o, "size_histogram", hist);
	json_object_set_new(o, "vlan", vlan);
	json_object_set_new(o, "malformed", mal);
	json_object_set_new(o, "distinct_untracked", u64_to_json(c->distinct_untracked));
	/* Which distinct counts passed their bound and are estimates. */
	json_object_set_new(distinct, "limit", u64_to_json(metrics_distinct_limit(m)));
	json_object_set_new(distinct, "unique_src_ips",
			    json_string(distinct_kind(metrics_unique_src_ips_estimated(m))));
	json_object_set_new(distinct, "tcp_directions",
			    json_string(distinct_kind(metrics_tcp_directions_estimated(m))));
	json_object_set_new(distinct, "standard_error", json_real(HLL_STD_ERROR));
	json_object_set_new(o, "distinct", distinct);
	return o;
err:
	json_decref(o);
	json_decref(l3);
	json_decref(l4);
	json_decref(flags);
	json_decref(hist);
	json_decref(vlan);
	json_decref(mal);
	json_decref(distinct);
	errno = ENOMEM;
	return NULL;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Summary lines: a 19-column label, then the value; every line fits 80
 * columns (report_items_print() wraps the long ones). */
#define REPORT_LABEL 19
#define REPORT_WIDTH 80

void report_items_print(FILE *out, const char *label, const char *const *items, int n)
{
	int col = fprintf(out, "%-*s", REPORT_LABEL - 1, label);

	for (int i = 0; i < n; i++) {
		int len = (int)strlen(items[i]);

		if (i && col + 2 + len > REPORT_WIDTH) {
			fprintf(out, "\n%*s", REPORT_LABEL - 1, "");
			col = REPORT_LABEL - 1;
		}
		col += fprintf(out, "%s%s", i && col > REPORT_LABEL - 1 ? "  " : " ", items[i]);
	}
	fputc('\n', out);
}

/* After a distinct count past its bound: HLL_STD_ERROR in percent. */
#define DISTINCT_ESTIMATE " (estimate, +/-0.81%)"
/* gcc folds the floating comparison; clang (the fuzzers) refuses it as
 * not an integer constant expression, and the gcc build checks it. */
#ifndef __clang__
_Static_assert(HLL_STD_ERROR > 0.00805 && HLL_STD_ERROR < 0.00815, "the marker's figure");
#endif

/* Items of report_items_print(), each in a buffer of its own. */
#define ITEM_LEN 48
#define MAX_ITEMS 32

void report_metrics_print(FILE *out, const struct metrics *m)
{
	const struct metrics_counters *c = &m->c;
	uint64_t ip = c->l3[PKT_L3_IPV4] + c->l3[PKT_L3_IPV6];
	uint64_t mal = metrics_malformed_total(m);
	char buf[MAX_ITEMS][ITEM_LEN], label[32];
	const char *items[MAX_ITEMS];
	int i, n;

	for (i = 0; i < MAX_ITEMS; i++)
		items[i] = buf[i];
	fprintf(out, "packets            %" PRIu64 "\n", c->packets);
	fprintf(out, "bytes              %" PRIu64 " (avg %.1f per packet)\n", c->bytes,
		avg_size(c));
	snprintf(buf[0], ITEM_LEN, "ipv4 %" PRIu64, c->l3[PKT_L3_IPV4]);
	snprintf(buf[1], ITEM_LEN, "ipv6 %" PRIu64, c->l3[PKT_L3_IPV6]);
	snprintf(buf[2], ITEM_LEN, "arp %" PRIu64, c->l3[PKT_L3_ARP]);
	snprintf(buf[3], ITEM_LEN, "other %" PRIu64, c->l3[PKT_L3_OTHER]);
	report_items_print(out, "l3", items, 4);
	n = 0;
	for (i = PKT_L4_NONE + 1; i < PKT_L4__MAX && n < MAX_ITEMS; i++)
		snprintf(buf[n++], ITEM_LEN, "%s %" PRIu64 " (%.1f%%)", pkt_l4_name(i), c->l4[i],
			 pct(c->l4[i], ip));
	snprintf(label, sizeof(label), "l4 (of %" PRIu64 " IP)", ip);
	if (strlen(label) >= REPORT_LABEL) {
		fprintf(out, "%s\n", label);
		report_items_print(out, "", items, n);
	} else {
		report_items_print(out, label, items, n);
	}
	n = 0;
	for (i = 0; i < METRICS_TCP__MAX && n < MAX_ITEMS; i++)
		snprintf(buf[n++], ITEM_LEN, "%s %" PRIu64, metrics_tcp_flag_name(i),
			 c->tcp_flags[i]);
	report_items_print(out, "tcp flags", items, n);
	fprintf(out, "unique src ips     %" PRIu64 "%s\n", metrics_unique_src_ips(m),
		metrics_unique_src_ips_estimated(m) ? DISTINCT_ESTIMATE : "");
	fprintf(out, "tcp 1-way tuples   %" PRIu64 "%s\n", metrics_tcp_directions(m),
		metrics_tcp_directions_estimated(m) ? DISTINCT_ESTIMATE : "");
	fprintf(out, "tcp payload bytes  %" PRIu64 "\n", c->tcp_payload_bytes);
	n = 0;
	for (i = 0; i < METRICS_SIZE__MAX && n < MAX_ITEMS; i++)
		snprintf(buf[n++], ITEM_LEN, "%s:%" PRIu64, metrics_size_bucket_name(i),
			 c->size_hist[i]);
	report_items_print(out, "sizes", items, n);
	n = 0;
	for (i = 0; i < METRICS_VLAN__MAX && n < MAX_ITEMS; i++)
		snprintf(buf[n++], ITEM_LEN, "%s %" PRIu64, metrics_vlan_name(i), c->vlan[i]);
	report_items_print(out, "vlan", items, n);
	n = 0;
	snprintf(buf[n++], ITEM_LEN, "%" PRIu64, mal);
	for (i = PKT_OK + 1; i < PKT_MAL__MAX && n < MAX_ITEMS; i++)
		if (c->malformed[i])
			snprintf(buf[n++], ITEM_LEN, "%s %" PRIu64, pkt_malformed_name(i),
				 c->malformed[i]);
	report_items_print(out, "malformed", items, n);
	if (c->distinct_untracked)
		fprintf(out,
			"warning: %" PRIu64 " keys not tracked (out of memory): "
			"distinct counts are lower bounds\n",
			c->distinct_untracked);
}

double report_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double span_duration(const struct report_span *s)
{
	if (s->duration > 0)
		return s->duration;
	return s->end > s->start && s->start > 0 ? s->end - s->start : 0;
}

void report_span_print(FILE *out, const struct report_span *s)
{
	double d = span_duration(s);
	char t[40];

	fprintf(out, "span               %.3f s", d);
	if (d > 0) {
		fprintf(out, ", %.0f pps", (double)s->packets / d);
		if (!s->no_bytes)
			fprintf(out, ", %.1f Mbit/s", (double)s->bytes * 8 / d / 1e6);
	}
	fputc('\n', out);
	if (s->start > 0) {
		xdpi_iso8601(s->start, t, sizeof(t));
		fprintf(out, "start              %s\n", t);
	}
	if (s->end > 0) {
		xdpi_iso8601(s->end, t, sizeof(t));
		fprintf(out, "end                %s\n", t);
	}
}

static json_t *time_json(double t)
{
	char buf[40];

	if (t <= 0)
		return json_null();
	xdpi_iso8601(t, buf, sizeof(buf));
	return json_string(buf);
}

int report_span_json(json_t *obj, const struct report_span *s)
{
	double d = span_duration(s);
	int err = 0;

	err |= json_object_set_new(obj, "start", time_json(s->start));
	err |= json_object_set_new(obj, "end", time_json(s->end));
	err |= json_object_set_new(obj, "duration_s", json_real(d));
	err |= json_object_set_new(obj, "pps",
				   d > 0 ? json_real((double)s->packets / d) : json_null());
	err |= json_object_set_new(obj, "mbps",
				   d > 0 && !s->no_bytes ? json_real((double)s->bytes * 8 / d / 1e6)
							 : json_null());
	return err ? -ENOMEM : 0;
}

int report_source_json(json_t *obj, const char *key, const char *name, const char *filter)
{
	int err = 0;

	err |= json_object_set_new(obj, "version", json_string(xdpi_version()));
	err |= json_object_set_new(obj, key, name ? json_string(name) : json_null());
	err |= json_object_set_new(obj, "filter", filter ? json_string(filter) : json_null());
	return err ? -ENOMEM : 0;
}

int report_stamp_json(json_t *obj)
{
	int err = 0;

	err |= json_object_set_new(obj, "version", json_string(xdpi_version()));
	err |= json_object_set_new(obj, "time", time_json(report_wall_now()));
	return err ? -ENOMEM : 0;
}

int report_json_print(FILE *out, json_t *obj)
{
	if (json_dumpf(obj, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)))
		return -EIO;
	return fputc('\n', out) == EOF ? -EIO : 0;
}
