/* SPDX-License-Identifier: MIT */
/*
 * A live run driven from its options to its end (`xdpi live`): what the
 * command leaves to the engine once it has the options, so that it only
 * fills them in and renders. capture_run() does, in order:
 *
 *   the stop signals blocked and read from a signalfd (util/signals.h);
 *   the privileges checked (capture/privdrop.h); the outputs written later
 *   (--record, -w) looked at; passive mode's snap-length warnings;
 *   capture_open(), hooks->open, capture_start(), "ready:";
 *   the loop: --connections drained, the duration and the count, the live
 *   table's rows every --interval (hooks->row), the JSON lines flushed,
 *   --prometheus published once a second (hooks->publish), the sandbox
 *   and capture_tick() watched, the signals: a stop signal ends the run,
 *   SIGHUP reloads where there is something to reload (capture/reload.h;
 *   with --config the options are built again by hooks->rebuild);
 *   capture_stop(), --connections' last lines, capture_result(), the final
 *   figures published, hooks->report, what the run gave up said, the
 *   ledger's verdict; capture_close().
 *
 * The renderers (export/) sit above the engine and are reached only
 * through the hooks the command passes in.
 *
 * Concurrency: the calling thread owns the run and calls every hook.
 * Errors: 0, or a negative errno after saying why: -GUARD_REFUSED for an
 * interface refused by policy (capture/capture.h), -EPROTO when the ledger
 * does not close, the fault that stopped the run (-ENODEV: the interface
 * went away, -EPERM: a sandbox failed, -EPIPE/-EIO: --connections could not
 * write) once the report is out.
 */
#ifndef XDPI_CAPTURE_RUN_H
#define XDPI_CAPTURE_RUN_H

#include <stddef.h>

#include "capture.h"
#include "config.h"

struct prom_server;

/* Every hook is required but publish. */
struct capture_run_hooks {
	void *ctx; /* the first argument of ctx-taking hooks */
	/* After capture_open(), before the workers start: the renderer's
	 * set-up; 0, or a negative errno (said) that ends the run. */
	int (*open)(void *ctx, struct capture *c);
	/* The workers started at @started (the live table's clock). */
	void (*begin)(void *ctx, double started);
	/* The live table, with --interval: its header before the first row
	 * (again when a reload turns the table on), then a row each interval. */
	void (*header)(void *ctx);
	void (*row)(void *ctx, const struct capture *c, double now);
	/* --prometheus: renders the figures for the server, once a second
	 * and at the end with @res (export/prom_publish.h's
	 * prom_publish_capture() fits); NULL: not published. */
	int (*publish)(struct prom_server *s, const struct capture *c, const char *ifname,
		       const struct capture_result *res);
	/* SIGHUP with --config: the options built again from the file and
	 * the command line into @n, the file's values into *@store; 0, or a
	 * negative errno with the reason in @err. */
	int (*rebuild)(void *ctx, struct capture_opts *n, struct capture_config **store, char *err,
		       size_t err_len);
	/* The end: renders the result (@stop_reason as the run says it:
	 * "SIGINT", "duration reached", ...); 0 or a negative errno (said). */
	int (*report)(void *ctx, struct capture *c, const struct capture_result *res,
		      const char *stop_reason);
};

struct capture_run_config {
	/* The run's options; a reload updates what it applies. */
	struct capture_opts *o;
	const char *config; /* --config FILE: SIGHUP re-reads it; NULL: none */
	/* The file's values the options point into; a reload adopts the
	 * new generation here (capture_config_adopt()). */
	struct capture_config **store;
	const struct capture_run_hooks *hooks;
};

int capture_run(const struct capture_run_config *cfg);

#endif /* XDPI_CAPTURE_RUN_H */
