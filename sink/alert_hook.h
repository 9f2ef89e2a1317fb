/* SPDX-License-Identifier: MIT */
/*
 * --on-alert CMD: each alert record handed to `/bin/sh -c CMD` as one JSON
 * line on its standard input (FastNetMon's notify script). The command
 * runs without any capability and with no_new_privs (util/child.h), after
 * the run's privilege drop, and is never waited for while the run goes on:
 * finished ones are reaped at each alert_hook_reap(). At most
 * ALERT_HOOK_MAX run at once; an alert beyond is not handed over, and
 * counted (said once).
 *
 * Concurrency: one thread (the one that drains the alerts).
 * Errors: alert_hook_run() returns 0 or a negative errno.
 */
#ifndef XDPI_EXPORT_ALERT_HOOK_H
#define XDPI_EXPORT_ALERT_HOOK_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define ALERT_HOOK_MAX 8
/* How long alert_hook_finish() waits for the commands still running. */
#define ALERT_HOOK_FINISH_MS 5000

struct alert_hook {
	const char *cmd; /* NULL: none */
	pid_t pids[ALERT_HOOK_MAX];
	uint64_t skipped; /* alerts not handed over: too many still running */
	uint64_t failed;  /* commands that could not start or exited non-zero */
};

/* Starts the command with @obj (not taken) as one line on its stdin. */
int alert_hook_run(struct alert_hook *h, const json_t *obj);
/* Reaps the commands that ended. */
void alert_hook_reap(struct alert_hook *h);
/* At the end of the run: waits up to ALERT_HOOK_FINISH_MS for the rest
 * and says what was lost. */
void alert_hook_finish(struct alert_hook *h);

#endif /* XDPI_EXPORT_ALERT_HOOK_H */
