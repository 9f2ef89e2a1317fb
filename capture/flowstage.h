/* SPDX-License-Identifier: MIT */
/*
 * A run's flow stage, assembled in one place for `xdpi live` (capture.c)
 * and `xdpi read`: the flow table, the detection it feeds, and where their
 * output goes (the sinks: JSON lines, IPFIX, --connections, --on-alert).
 *
 * Order: flow_stage_open_jsonl() (before anything is attached: a refused
 * path costs nothing to undo), flow_stage_open(), then frames;
 * flow_stage_start() starts a deferred IPFIX thread; flow_stage_finish()
 * after the last frame ends every flow left ("eof") and makes the summary
 * final; flow_stage_flush() sends what the finish queued, once its alerts
 * are out; flow_stage_close() releases everything, from any state.
 *
 * Concurrency: every call from the thread that owns the run. Live, the
 * sinks are fed by the flow table's threads (sink/flow_sinks.h) and the
 * alerts drained by the owner (flow_stage_alert()); offline, the owner
 * maintains the table and writes each alert as it is raised.
 *
 * Errors: int functions return 0 or a negative errno, after saying why.
 */
#ifndef XDPI_CAPTURE_FLOWSTAGE_H
#define XDPI_CAPTURE_FLOWSTAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "../inspect/detect.h"
#include "../inspect/flows.h"
#include "../sink/alert_hook.h"
#include "../sink/flow_sinks.h"
#include "../sink/jsonl.h"
#include "options.h"

struct flow_stage_config {
	const struct capture_flow_opts *fo;
	/* Why there is no flow table, as the options that turn it off
	 * ("--no-flows"); NULL: there is one. --ipfix is refused then. */
	const char *off_by;
	/* Offline: the owner maintains the table (and is its one QSBR
	 * reader, registered from open to close); alerts are written as
	 * they are raised. Live: an expiry thread maintains it, and the
	 * owner drains the alerts. */
	bool single_thread;
	bool one_direction;	   /* a lone SYN's answer cannot be seen */
	int (*thread_enter)(void); /* the maintainer's first step; NULL: none */
	bool ipfix_sandbox;	   /* the IPFIX thread enters its sandbox */
	bool ipfix_deferred;	   /* its thread starts at flow_stage_start() */
	bool connections;	   /* --connections on stdout */
	bool verbose;		   /* with it: every column */
	uint32_t conn_slots;	   /* queued through a ring of this many; 0: direct */
};

struct flow_stage {
	struct flow_stage_config cfg;
	struct flow_table *ft; /* NULL: no table */
	struct jsonl *jsonl;   /* NULL: no --json-lines */
	const char *jsonl_path;
	struct flow_sinks sinks;
	struct detect *detect; /* NULL: --no-detect or no table */
	struct alert_hook hook;
	bool registered;
	bool finished;
	struct flow_summary summary;	  /* after flow_stage_finish() */
	struct detect_stats detect_final; /* the same */
};

/* --json-lines (@path NULL: nothing to open); with @owner a file made
 * here is that user's. */
int flow_stage_open_jsonl(struct flow_stage *s, const char *path, const struct jsonl_owner *owner);
int flow_stage_open(struct flow_stage *s, const struct flow_stage_config *cfg);
int flow_stage_start(struct flow_stage *s);
/* An alert: a JSON line and the --on-alert command's input, and a line on
 * standard error. @lost: frames the ledger counted lost in its window
 * (ALERT_LOST_UNKNOWN: not known); @ledger: whether the run has one to
 * say so against. */
void flow_stage_alert(struct flow_stage *s, const struct detect_alert *a, uint64_t lost,
		      bool ledger);
/* Every flow left ends, every open alert ends at @now_ns; the summary and
 * the detection's counts are final. Once; later calls do nothing. */
void flow_stage_finish(struct flow_stage *s, uint64_t now_ns);
/* After the finish and its alerts (live: once the owner drained them):
 * the IPFIX records sent, direct --connections lines written. */
void flow_stage_flush(struct flow_stage *s);
/* Accepts a stage never opened (zeroed). -EIO when the JSON lines could
 * not all be written (said). */
int flow_stage_close(struct flow_stage *s);

#endif /* XDPI_CAPTURE_FLOWSTAGE_H */
