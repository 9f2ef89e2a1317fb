// SPDX-License-Identifier: MIT
/*
 * The flow stage of a run, for live and offline alike: what differs
 * between the two (who maintains the table, how alerts and --connections
 * lines reach their output, when the IPFIX thread starts) is in the
 * config, not in a second copy of the assembly.
 */
#include "flowstage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sink/alert_report.h"
#include "../sink/conn_log.h"
#include "../sink/ipfix.h"
#include "../sink/ipfix_alert.h"
#include "../sink/ipfix_report.h"
#include "../util/log.h"

int flow_stage_open_jsonl(struct flow_stage *s, const char *path, const struct jsonl_owner *owner)
{
	char err[512];

	if (!path)
		return 0;
	if (jsonl_open(&s->jsonl, path, owner, err, sizeof(err))) {
		xdpi_err("%s", err);
		return -EIO;
	}
	s->jsonl_path = path;
	return 0;
}

void flow_stage_alert(struct flow_stage *s, const struct detect_alert *a, uint64_t lost,
		      bool ledger)
{
	char line[256];

	if (s->jsonl || s->hook.cmd) {
		json_t *o = alert_json(a, lost);

		if (o)
			alert_hook_run(&s->hook, o);
		if (o && s->jsonl)
			jsonl_write(s->jsonl, o);
		else
			json_decref(o);
	}
	if (s->sinks.ipfix && s->cfg.fo->ipfix_alerts)
		ipfix_alert(s->sinks.ipfix, a, lost);
	alert_text(a, line, sizeof(line));
	xdpi_warn("%s%s", line,
		  !ledger		       ? ""
		  : lost == ALERT_LOST_UNKNOWN ? " (frames lost in its window: not known)"
		  : lost		       ? " (frames were lost in its window)"
					       : "");
}

/* Offline: an alert as it is raised (the owner maintains the table). */
static void flow_stage_emit(void *ctx, const struct detect_alert *a)
{
	flow_stage_alert(ctx, a, ALERT_LOST_UNKNOWN, false);
}

static int flow_stage_open_ipfix(struct flow_stage *s, struct flow_config *fc)
{
	const struct capture_flow_opts *fo = s->cfg.fo;
	const struct ipfix_config ic = {.collector = fo->ipfix,
					.domain = fo->ipfix_domain,
					.sandbox = s->cfg.ipfix_sandbox,
					.deferred = s->cfg.ipfix_deferred};
	char err[256];
	int ret = ipfix_exporter_start(&s->sinks.ipfix, &ic, err, sizeof(err));

	if (ret) {
		xdpi_err("%s", err);
		return ret;
	}
	fc->active_timeout_ns = (uint64_t)(fo->ipfix_active_timeout * 1e9);
	fc->on_active = flow_sinks_active;
	return 0;
}

static int flow_stage_open_detect(struct flow_stage *s, struct flow_config *fc)
{
	const struct capture_flow_opts *fo = s->cfg.fo;
	struct detect_config dc = {
		.th = fo->detect,
		.max_entries = fo->detect_max_entries,
		.one_direction = s->cfg.one_direction,
		.emit = s->cfg.single_thread ? flow_stage_emit : NULL,
		.emit_ctx = s,
	};
	struct detect_groups *gs;
	char err[256];
	int e;

	if (capture_host_groups(fo, &gs, err, sizeof(err))) {
		xdpi_err("--host-groups: %s", err);
		return -EINVAL;
	}
	dc.groups = gs;
	s->hook.cmd = fo->on_alert;
	s->detect = detect_new(&dc);
	e = errno ? errno : ENOMEM;
	free(gs);
	if (!s->detect) {
		xdpi_err("cannot set up the detection: %s", strerror(e));
		return -e;
	}
	fc->detect = s->detect;
	return 0;
}

int flow_stage_open(struct flow_stage *s, const struct flow_stage_config *cfg)
{
	const struct capture_flow_opts *fo = cfg->fo;
	struct flow_config fc = {
		.max_flows = fo->max_flows,
		.timeout_ns = (uint64_t)(fo->timeout * 1e9),
		.closed_timeout_ns = (uint64_t)(fo->closed_timeout * 1e9),
		.peeks = !fo->no_peeks,
		.one_direction = cfg->one_direction,
		.single_thread = cfg->single_thread,
		.thread_enter = cfg->thread_enter,
	};
	int ret;

	s->cfg = *cfg;
	if (fo->ipfix_alerts && (!fo->ipfix || fo->no_detect || cfg->off_by)) {
		xdpi_err("--ipfix-alerts sends the detection's alerts to the --ipfix collector: "
			 "it needs --ipfix and the detection (not --no-detect%s%s)",
			 cfg->off_by ? ", " : "", cfg->off_by ? cfg->off_by : "");
		return -EINVAL;
	}
	if (cfg->off_by) {
		if (fo->ipfix) {
			xdpi_err("--ipfix exports flows: it needs the flow table (not %s)",
				 cfg->off_by);
			return -EINVAL;
		}
		return 0;
	}
	if (fo->ipfix) {
		ret = flow_stage_open_ipfix(s, &fc);
		if (ret)
			return ret;
	}
	if (cfg->connections) {
		ret = cfg->conn_slots ? conn_log_open_queued(&s->sinks.conn, stdout, cfg->verbose,
							     cfg->conn_slots)
				      : conn_log_open(&s->sinks.conn, stdout, cfg->verbose);
		if (ret) {
			xdpi_err("--connections: %s", strerror(-ret));
			return ret;
		}
	}
	if (!fo->no_detect) {
		ret = flow_stage_open_detect(s, &fc);
		if (ret)
			return ret;
	}
	s->sinks.jsonl = s->jsonl;
	if (flow_sinks_any(&s->sinks)) {
		fc.on_end = flow_sinks_end;
		fc.on_end_ctx = &s->sinks;
	}
	if (cfg->single_thread) {
		flows_thread_register();
		s->registered = true;
	}
	s->ft = flow_table_new(&fc);
	if (!s->ft) {
		int e = errno ? errno : ENOMEM;

		xdpi_err("cannot make the flow table: %s", strerror(e));
		return -e;
	}
	return 0;
}

int flow_stage_start(struct flow_stage *s)
{
	int ret;

	if (!s->sinks.ipfix || !s->cfg.ipfix_deferred)
		return 0;
	ret = ipfix_exporter_run(s->sinks.ipfix);
	if (ret)
		xdpi_err("cannot start the IPFIX thread: %s", strerror(-ret));
	return ret;
}

void flow_stage_finish(struct flow_stage *s, uint64_t now_ns)
{
	if (!s->ft || s->finished)
		return;
	if (!s->cfg.single_thread) {
		flow_table_stop_expiry(s->ft);
		flows_thread_register();
	}
	flow_table_finish(s->ft, FLOW_END_EOF);
	if (s->detect) {
		detect_finish(s->detect, now_ns);
		detect_stats(s->detect, &s->detect_final);
	}
	if (!s->cfg.single_thread)
		flows_thread_unregister();
	flow_table_summary(s->ft, &s->summary);
	s->finished = true;
}

void flow_stage_flush(struct flow_stage *s)
{
	/* Every record is queued, the alerts of the finish too: send them,
	 * so the summary has the counts. */
	ipfix_exporter_stop(s->sinks.ipfix);
	/* Direct lines: every one written, before the summary. Queued ones
	 * are the consumer's to drain until the close. */
	if (!s->cfg.conn_slots) {
		conn_log_close(s->sinks.conn);
		s->sinks.conn = NULL;
	}
}

int flow_stage_close(struct flow_stage *s)
{
	int ret = 0;

	/* A run that failed half-way still ends (and writes) its flows:
	 * only an empty table can be freed. */
	if (s->ft && !s->finished)
		flow_table_finish(s->ft, FLOW_END_EOF);
	flow_table_free(s->ft);
	s->ft = NULL;
	detect_free(s->detect);
	s->detect = NULL;
	alert_hook_finish(&s->hook);
	if (s->registered)
		flows_thread_unregister();
	s->registered = false;
	if (s->sinks.ipfix)
		ipfix_report_warn(s->sinks.ipfix);
	ipfix_exporter_free(s->sinks.ipfix);
	s->sinks.ipfix = NULL;
	if (jsonl_close(s->jsonl)) {
		xdpi_err("cannot write %s", s->jsonl_path);
		ret = -EIO;
	}
	s->jsonl = NULL;
	/* What is still queued (a run that failed before its stop) is
	 * written; a failed write is the run's to say (capture/run.c). */
	conn_log_close(s->sinks.conn);
	s->sinks.conn = NULL;
	return ret;
}
