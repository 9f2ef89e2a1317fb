// SPDX-License-Identifier: MIT
#include "read_report.h"

#include <inttypes.h>

#include "flow_report.h"
#include "report.h"
#include "../inspect/detect.h"
#include "../sink/ipfix_report.h"

/* The capture's own span: from its first frame to its last. */
static struct report_span read_span(const struct offline_run *run)
{
	return (struct report_span){.start = run->res.first_s,
				    .end = run->res.last_s,
				    .duration = run->res.span_s,
				    .packets = run->pipe.m.c.packets,
				    .bytes = run->pipe.m.c.bytes};
}

static struct flow_report read_flows(const struct offline_run *run)
{
	return (struct flow_report){.fc = &run->pipe.fw.c,
				    .s = &run->fs.summary,
				    .mc = &run->pipe.m.c,
				    .span_s = run->res.span_s};
}

/* The detection's line of the summary, when it raised any alert. */
static void read_alerts_print(FILE *out, const struct flow_stage *fs)
{
	const struct detect_stats *d = &fs->detect_final;
	uint64_t raised = 0;

	for (int k = 0; k < DETECT__KINDS; k++)
		raised += d->alerts[k];
	if (!fs->detect || !raised)
		return;
	fprintf(out, "alerts             %" PRIu64 " raised:", raised);
	for (int k = 0; k < DETECT__KINDS; k++)
		if (d->alerts[k])
			fprintf(out, " %s %" PRIu64, detect_kind_name((enum detect_kind)k),
				d->alerts[k]);
	fprintf(out, "\n");
}

void read_report_print(FILE *out, const struct read_report *r)
{
	const struct offline_run *run = r->run;
	const struct report_span span = read_span(run);
	const struct flow_report fr = read_flows(run);

	fprintf(out, "file               %s%s\n", r->file,
		run->res.truncated ? " (truncated)" : "");
	fprintf(out, "filter             %s\n", r->filter ? r->filter : "none (every frame)");
	if (r->write)
		fprintf(out, "written            %" PRIu64 " frames to %s\n", run->written,
			r->write);
	report_span_print(out, &span);
	report_metrics_print(out, &run->pipe.m);
	if (run->fs.ft)
		flow_report_print(out, &fr);
	if (run->fs.sinks.ipfix)
		ipfix_report_print(out, run->fs.sinks.ipfix);
	read_alerts_print(out, &run->fs);
}

json_t *read_report_json(const struct read_report *r)
{
	const struct offline_run *run = r->run;
	const struct report_span span = read_span(run);
	const struct flow_report fr = read_flows(run);
	json_t *obj = report_metrics_json(&run->pipe.m);

	if (!obj || report_source_json(obj, "file", r->file, r->filter) ||
	    report_span_json(obj, &span)) {
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "truncated_file", json_boolean(run->res.truncated));
	if (r->write)
		json_object_set_new(obj, "written",
				    json_pack("{s:s, s:I}", "file", r->write, "frames",
					      (json_int_t)run->written));
	if (run->fs.ft)
		json_object_set_new(obj, "connections", flow_report_json(&fr));
	if (run->fs.sinks.ipfix)
		json_object_set_new(obj, "ipfix", ipfix_report_json(run->fs.sinks.ipfix));
	return obj;
}
