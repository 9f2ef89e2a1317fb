// SPDX-License-Identifier: MIT
#include "gen_report.h"

#include <inttypes.h>

#include "report.h"

json_t *gen_report_json(const struct gen_opts *o, const struct gen_result *res, uint64_t refused)
{
	double end = report_wall_now();
	struct report_span span = {
		.start = end - res->seconds,
		.end = end,
		.duration = res->seconds,
		.packets = res->sent,
		.bytes = res->sent * o->size,
		.no_bytes = gen_size_name(o->size) != NULL, /* imix: not counted per frame */
	};
	json_t *obj = json_pack("{s:I, s:f, s:f, s:I, s:I, s:s, s:i, s:s, s:s, s:I, s:I}", "sent",
				(json_int_t)res->sent, "seconds", res->seconds, "pps",
				gen_result_pps(res), "requested_pps", (json_int_t)o->rate,
				"fell_behind", (json_int_t)res->fell_behind, "method",
				gen_method_name(res->method), "threads", res->threads, "proto",
				gen_proto_name(o->proto), "stamp", gen_stamp_name(o->stamp), "size",
				(json_int_t)o->size, "iface_xdp_xmit_errors", (json_int_t)refused);

	/* "pps" stays the generator's own figure */
	if (!obj || json_object_set_new(obj, "flows", json_integer(o->flows)) ||
	    json_object_set_new(obj, "src_ips", json_integer(o->src_ips ? o->src_ips : 1)) ||
	    json_object_set_new(obj, "distinct_tuples",
				json_integer((json_int_t)gen_distinct_tuples(o))) ||
	    report_source_json(obj, "interface", o->ifname, NULL) || report_span_json(obj, &span) ||
	    json_object_set_new(obj, "pps", json_real(gen_result_pps(res)))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

void gen_report_print(FILE *out, const struct gen_opts *o, const struct gen_result *res,
		      uint64_t refused)
{
	char size[16];

	snprintf(size, sizeof(size), "%u", o->size);
	fprintf(out,
		"sent %" PRIu64 " frames in %.2f s: %.0f pps (%s, %d thread%s, %s%s, %s "
		"bytes)\n",
		res->sent, res->seconds, gen_result_pps(res), gen_method_name(res->method),
		res->threads, res->threads == 1 ? "" : "s", gen_proto_name(o->proto),
		o->stamp == GEN_STAMP_PKTGEN ? " with pktgen headers" : "",
		gen_size_name(o->size) ? gen_size_name(o->size) : size);
	if (o->src_ips > 1)
		fprintf(out,
			"%u source ports x %u source addresses: %" PRIu64
			" distinct 4-tuples: each of the first %" PRIu64
			" frames opens a new flow\n",
			o->flows, o->src_ips, gen_distinct_tuples(o), gen_distinct_tuples(o));
	if (res->fell_behind)
		fprintf(out,
			"fell behind the requested %" PRIu64 " pps by %" PRIu64
			" frames (a sender thread could not run in time; the "
			"schedule restarted rather than burst)\n",
			o->rate, res->fell_behind);
	if (refused)
		fprintf(out,
			"the interface counted %" PRIu64 " frames its peer refused "
			"(xdp_xmit_errors): count what arrives on the receive side\n",
			refused);
}
