// SPDX-License-Identifier: MIT
#include "report.h"

#include <errno.h>
#include <inttypes.h>

#include "../util/version.h"

static double avg_size(const struct metrics_counters *c)
{
	return c->packets ? (double)c->bytes / (double)c->packets : 0.0;
}

json_t *report_metrics_json(const struct metrics *m)
{
	const struct metrics_counters *c = &m->c;
	json_t *o, *l3, *l4, *flags, *hist, *mal;
	int i;

	o = json_object();
	l3 = json_object();
	l4 = json_object();
	flags = json_object();
	hist = json_object();
	mal = json_object();
	if (!o || !l3 || !l4 || !flags || !hist || !mal)
		goto err;

	/* Display order: ipv4, ipv6, arp, other. */
	json_object_set_new(l3, "ipv4", json_integer((json_int_t)c->l3[PKT_L3_IPV4]));
	json_object_set_new(l3, "ipv6", json_integer((json_int_t)c->l3[PKT_L3_IPV6]));
	json_object_set_new(l3, "arp", json_integer((json_int_t)c->l3[PKT_L3_ARP]));
	json_object_set_new(l3, "other", json_integer((json_int_t)c->l3[PKT_L3_OTHER]));
	for (i = PKT_L4_NONE + 1; i < PKT_L4__MAX; i++)
		json_object_set_new(l4, pkt_l4_name(i), json_integer((json_int_t)c->l4[i]));
	for (i = 0; i < METRICS_TCP__MAX; i++)
		json_object_set_new(flags, metrics_tcp_flag_name(i),
				    json_integer((json_int_t)c->tcp_flags[i]));
	for (i = 0; i < METRICS_SIZE__MAX; i++)
		json_object_set_new(hist, metrics_size_bucket_name(i),
				    json_integer((json_int_t)c->size_hist[i]));
	json_object_set_new(mal, "total", json_integer((json_int_t)metrics_malformed_total(m)));
	for (i = PKT_OK + 1; i < PKT_MAL__MAX; i++)
		json_object_set_new(mal, pkt_malformed_name(i),
				    json_integer((json_int_t)c->malformed[i]));

	json_object_set_new(o, "version", json_string(xdpi_version()));
	json_object_set_new(o, "packets", json_integer((json_int_t)c->packets));
	json_object_set_new(o, "bytes", json_integer((json_int_t)c->bytes));
	json_object_set_new(o, "avg_packet_size", json_real(avg_size(c)));
	json_object_set_new(o, "l3", l3);
	json_object_set_new(o, "l4", l4);
	json_object_set_new(o, "tcp_flags", flags);
	json_object_set_new(o, "unique_src_ips",
			    json_integer((json_int_t)metrics_unique_src_ips(m)));
	json_object_set_new(o, "tcp_flows", json_integer((json_int_t)metrics_tcp_flows(m)));
	json_object_set_new(o, "tcp_payload_bytes", json_integer((json_int_t)c->tcp_payload_bytes));
	json_object_set_new(o, "size_histogram", hist);
	json_object_set_new(o, "malformed", mal);
	json_object_set_new(o, "distinct_untracked",
			    json_integer((json_int_t)c->distinct_untracked));
	return o;
err:
	json_decref(o);
	json_decref(l3);
	json_decref(l4);
	json_decref(flags);
	json_decref(hist);
	json_decref(mal);
	errno = ENOMEM;
	return NULL;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void report_metrics_print(FILE *out, const struct metrics *m)
{
	const struct metrics_counters *c = &m->c;
	uint64_t ip = c->l3[PKT_L3_IPV4] + c->l3[PKT_L3_IPV6];
	uint64_t mal = metrics_malformed_total(m);
	int i;

	fprintf(out, "packets            %" PRIu64 "\n", c->packets);
	fprintf(out, "bytes              %" PRIu64 " (avg %.1f per packet)\n", c->bytes,
		avg_size(c));
	fprintf(out,
		"l3                 ipv4 %" PRIu64 "  ipv6 %" PRIu64 "  arp %" PRIu64
		"  other %" PRIu64 "\n",
		c->l3[PKT_L3_IPV4], c->l3[PKT_L3_IPV6], c->l3[PKT_L3_ARP], c->l3[PKT_L3_OTHER]);
	fprintf(out, "l4 (of %" PRIu64 " IP)", ip);
	for (i = PKT_L4_NONE + 1; i < PKT_L4__MAX; i++)
		fprintf(out, "  %s %" PRIu64 " (%.1f%%)", pkt_l4_name(i), c->l4[i],
			pct(c->l4[i], ip));
	fprintf(out, "\ntcp flags         ");
	for (i = 0; i < METRICS_TCP__MAX; i++)
		fprintf(out, " %s %" PRIu64, metrics_tcp_flag_name(i), c->tcp_flags[i]);
	fprintf(out, "\nunique src ips     %" PRIu64 "\n", metrics_unique_src_ips(m));
	fprintf(out, "tcp flows          %" PRIu64 "\n", metrics_tcp_flows(m));
	fprintf(out, "tcp payload bytes  %" PRIu64 "\n", c->tcp_payload_bytes);
	fprintf(out, "sizes             ");
	for (i = 0; i < METRICS_SIZE__MAX; i++)
		fprintf(out, " %s:%" PRIu64, metrics_size_bucket_name(i), c->size_hist[i]);
	fprintf(out, "\nmalformed          %" PRIu64, mal);
	for (i = PKT_OK + 1; i < PKT_MAL__MAX; i++)
		if (c->malformed[i])
			fprintf(out, "  %s %" PRIu64, pkt_malformed_name(i), c->malformed[i]);
	fputc('\n', out);
	if (c->distinct_untracked)
		fprintf(out,
			"warning: %" PRIu64 " keys not tracked (out of memory): "
			"distinct counts are lower bounds\n",
			c->distinct_untracked);
}

int report_json_print(FILE *out, json_t *obj)
{
	if (json_dumpf(obj, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)))
		return -EIO;
	return fputc('\n', out) == EOF ? -EIO : 0;
}
