// SPDX-License-Identifier: MIT
#include "alert_report.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "flow_record.h"
#include "../util/isotime.h"

static json_t *addr_json(bool has, uint8_t family, const uint8_t *addr)
{
	char s[INET6_ADDRSTRLEN];

	if (!has)
		return json_null();
	flow_addr_str(family, addr, s, sizeof(s));
	return json_string(s);
}

static json_t *time_json(uint64_t ns)
{
	char s[40];

	xdpi_iso8601((double)ns / 1e9, s, sizeof(s));
	return json_string(s);
}

static json_t *top_json(const struct detect_top *t, uint8_t n, bool port)
{
	json_t *arr = json_array();

	for (uint8_t i = 0; arr && i < n; i++) {
		char s[INET6_ADDRSTRLEN];

		if (port) {
			json_array_append_new(arr,
					      json_pack("{s:i, s:I, s:I}", "port", (int)t[i].port,
							"count", (json_int_t)t[i].count, "error",
							(json_int_t)t[i].error));
			continue;
		}
		flow_addr_str(t[i].family, t[i].addr, s, sizeof(s));
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "addr", s, "count",
						     (json_int_t)t[i].count, "error",
						     (json_int_t)t[i].error));
	}
	return arr;
}

static json_t *samples_json(const struct detect_alert *a)
{
	json_t *arr = json_array();

	for (uint8_t i = 0; arr && i < a->n_samples; i++) {
		const struct detect_flow_key *k = &a->samples[i];
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		const char *p = flow_proto_name(k->proto);

		flow_addr_str(k->family, k->src, s, sizeof(s));
		flow_addr_str(k->family, k->dst, d, sizeof(d));
		json_array_append_new(arr,
				      json_pack("{s:s, s:i, s:s, s:i, s:s}", "src_ip", s,
						"src_port", (int)k->sport, "dst_ip", d, "dst_port",
						(int)k->dport, "proto", p ? p : "?"));
	}
	return arr;
}

static const char *lost_note(uint64_t lost)
{
	if (lost == ALERT_LOST_UNKNOWN)
		return "no drop ledger (a capture file)";
	return lost ? "frames were lost during the window: the rate may be higher than counted"
		    : "nothing was lost during the window";
}

json_t *alert_json(const struct detect_alert *a, uint64_t lost)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:f}", "type",
			      "alert", "kind", detect_kind_name(a->kind), "state",
			      detect_state_name(a->state), "id", (json_int_t)a->id, "src",
			      addr_json(a->has_src, a->family, a->src), "dst",
			      addr_json(a->has_dst, a->family, a->dst), "port",
			      a->has_port ? json_integer(a->port) : json_null(), "start",
			      time_json(a->start_ns), "time", time_json(a->now_ns), "window_start",
			      time_json(a->window_start_ns), "rate", a->rate);

	if (!o)
		return NULL;
	switch (a->kind) {
	case DETECT_SYN_FLOOD:
		json_object_set_new(o, "syns", json_integer((json_int_t)a->attempts));
		json_object_set_new(o, "completed", json_integer((json_int_t)a->completed));
		json_object_set_new(o, "half_open", json_integer((json_int_t)a->half_open));
		break;
	case DETECT_PORT_SCAN:
	case DETECT_ADDRESS_SCAN:
		json_object_set_new(o, a->kind == DETECT_PORT_SCAN ? "ports" : "hosts",
				    json_integer((json_int_t)a->distinct));
		json_object_set_new(o, "threshold", json_integer(a->threshold_distinct));
		json_object_set_new(o, "failed_attempts", json_integer((json_int_t)a->attempts));
		json_object_set_new(o, "proto", json_string(a->proto == 17 ? "udp" : "tcp"));
		break;
	case DETECT_VOLUMETRIC:
		json_object_set_new(o, "bps", json_real(a->bps));
		json_object_set_new(o, "flows_per_s", json_real(a->flows_per_s));
		json_object_set_new(o, "baseline_pps",
				    a->by_baseline ? json_real(a->baseline_pps) : json_null());
		break;
	default:
		break;
	}
	json_object_set_new(o, "top_sources", top_json(a->top_src, a->n_top_src, false));
	json_object_set_new(o, "top_ports", top_json(a->top_port, a->n_top_port, true));
	json_object_set_new(o, "sample_flows", samples_json(a));
	json_object_set_new(o, "answers_may_be_unseen", json_boolean(a->answers_unseen));
	json_object_set_new(o, "group", a->group[0] ? json_string(a->group) : json_null());
	json_object_set_new(o, "frames_lost",
			    lost == ALERT_LOST_UNKNOWN ? json_null()
						       : json_integer((json_int_t)lost));
	json_object_set_new(o, "lost_note", json_string(lost_note(lost)));
	return o;
}

void alert_text(const struct detect_alert *a, char *buf, size_t len)
{
	char src[INET6_ADDRSTRLEN] = "", dst[INET6_ADDRSTRLEN] = "", port[16] = "";

	if (a->has_src)
		flow_addr_str(a->family, a->src, src, sizeof(src));
	if (a->has_dst)
		flow_addr_str(a->family, a->dst, dst, sizeof(dst));
	if (a->has_port)
		snprintf(port, sizeof(port), " port %u", a->port);
	switch (a->kind) {
	case DETECT_SYN_FLOOD:
		snprintf(buf, len,
			 "alert %s syn_flood to %s%s: %.0f SYN/s, %llu completed of %llu, "
			 "%llu half-open",
			 detect_state_name(a->state), dst, port, a->rate,
			 (unsigned long long)a->completed, (unsigned long long)a->attempts,
			 (unsigned long long)a->half_open);
		break;
	case DETECT_PORT_SCAN:
		snprintf(buf, len, "alert %s port_scan from %s to %s: %llu %sports failed",
			 detect_state_name(a->state), src, dst, (unsigned long long)a->distinct,
			 a->proto == 17 ? "UDP " : "");
		break;
	case DETECT_ADDRESS_SCAN:
		snprintf(buf, len, "alert %s address_scan from %s%s%s: %llu hosts failed",
			 detect_state_name(a->state), src, port, a->proto == 17 ? "/udp" : "",
			 (unsigned long long)a->distinct);
		break;
	default:
		snprintf(buf, len,
			 "alert %s volumetric to %s: %.0f packets/s, %.1f Mbit/s, %.0f new "
			 "flows/s%s",
			 detect_state_name(a->state), dst, a->rate, a->bps / 1e6, a->flows_per_s,
			 a->by_baseline ? " (above its baseline)" : "");
		break;
	}
}
