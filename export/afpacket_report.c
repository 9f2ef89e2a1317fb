// SPDX-License-Identifier: MIT
#include "afpacket_report.h"

#include <inttypes.h>

#include "report.h"
#include "../util/u64json.h"

static struct report_span afpacket_span(const struct afpacket_report *r)
{
	return (struct report_span){.start = r->start,
				    .end = r->end,
				    .duration = r->seconds,
				    .packets = r->packets,
				    .bytes = r->bytes};
}

json_t *afpacket_report_json(const struct afpacket_report *r)
{
	struct report_span span = afpacket_span(r);
	json_t *o = json_pack("{s:o, s:o, s:I, s:I, s:I, s:f, s:s, s:s?}", "packets",
			      u64_to_json(r->packets), "bytes", u64_to_json(r->bytes), "ps_recv",
			      (json_int_t)r->ps_recv, "ps_drop", (json_int_t)r->ps_drop,
			      "ps_ifdrop", (json_int_t)r->ps_ifdrop, "seconds", r->seconds,
			      "stop_reason", r->stop_reason, "signal", r->signal);

	if (!o || report_source_json(o, "interface", r->ifname, NULL) ||
	    report_span_json(o, &span)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void afpacket_report_print(FILE *out, const struct afpacket_report *r)
{
	struct report_span span = afpacket_span(r);

	fprintf(out,
		"captured %" PRIu64 " frames (%" PRIu64 " bytes) on %s; libpcap: received %u, "
		"dropped %u, interface dropped %u\n",
		r->packets, r->bytes, r->ifname, r->ps_recv, r->ps_drop, r->ps_ifdrop);
	report_span_print(out, &span);
}
