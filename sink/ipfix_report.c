// SPDX-License-Identifier: MIT
#include "ipfix_report.h"

#include <inttypes.h>

#include "../util/log.h"

json_t *ipfix_report_json(struct ipfix_exporter *x)
{
	struct ipfix_stats s;

	ipfix_exporter_stats(x, &s);
	return json_pack("{s:s, s:I, s:I, s:I, s:I}", "collector", ipfix_exporter_collector(x),
			 "records", (json_int_t)s.records, "dropped", (json_int_t)s.dropped,
			 "send_errors", (json_int_t)s.send_errors, "unsent", (json_int_t)s.unsent);
}

void ipfix_report_print(FILE *out, struct ipfix_exporter *x)
{
	struct ipfix_stats s;

	ipfix_exporter_stats(x, &s);
	fprintf(out,
		"ipfix              %" PRIu64 " records to %s (dropped %" PRIu64
		", send errors %" PRIu64 ", unsent %" PRIu64 ")\n",
		s.records, ipfix_exporter_collector(x), s.dropped, s.send_errors, s.unsent);
}

void ipfix_report_warn(struct ipfix_exporter *x)
{
	struct ipfix_stats s;

	ipfix_exporter_stats(x, &s);
	if (s.dropped || s.send_errors)
		xdpi_warn("IPFIX to %s: %" PRIu64 " records dropped (queue full), %" PRIu64
			  " sends failed (%" PRIu64 " records unsent)",
			  ipfix_exporter_collector(x), s.dropped, s.send_errors, s.unsent);
}
