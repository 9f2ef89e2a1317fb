/* SPDX-License-Identifier: MIT */
/*
 * SIGHUP, what a reload of a live run changes and how:
 * (a) the JSON-lines file is reopened (log rotation: the lines to come go
 *     to a file of that name, created if it was moved away);
 * (b) with --config, the options the command built again from the file and
 *     the command line are compared with the run's, and what changed is
 *     applied where it can be mid-run (the interval, the flow timeouts, the
 *     detection's thresholds, the JSON-lines path, the Prometheus address);
 *     the rest is named as not applied.
 *
 * Concurrency: the thread that owns the run (capture/capture.h).
 */
#ifndef XDPI_CAPTURE_RELOAD_H
#define XDPI_CAPTURE_RELOAD_H

#include <stdbool.h>

#include "capture.h"

/* Whether a SIGHUP reloads anything for a run of @o (with --config when
 * @config): if not, it stops the run, as a hang-up always did (a terminal
 * closed under it). */
bool capture_reload_wanted(const struct capture_opts *o, bool config);
/* (a): said on stderr either way. */
void capture_reload_reopen(struct capture *c, const struct capture_opts *o);
/* (b): @o is the run's options as applied so far, updated with what is
 * applied from @n; @config names the file in the messages. Returns true
 * when @n's strings must outlive the run (a path or address now in use). */
bool capture_reload_apply(struct capture *c, struct capture_opts *o, const struct capture_opts *n,
			  const char *config);

#endif /* XDPI_CAPTURE_RELOAD_H */
