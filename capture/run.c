// SPDX-License-Identifier: MIT
/*
 * A live run from its options to its end (capture/run.h). The calling
 * thread is the reporter: it polls the signalfd with a timeout of at most
 * a tick, so that the table, the JSON lines, the Prometheus figures and
 * capture_tick() are served between two signals; nothing runs in signal
 * context.
 */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"
#include "reload.h"
#include "../bpf/xdpi_shared.h"
#include "../sink/conn_log.h"
#include "../sink/jsonl.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/outfile.h"
#include "../util/sandbox.h"
#include "../util/signals.h"

/* The loop's state: the run, its clock, and when each next thing is due. */
struct run_loop {
	const struct capture_run_config *cfg;
	const struct capture_run_hooks *h;
	struct capture *c;
	int sigfd;
	double deadline;  /* --duration; 0: none */
	double next;	  /* the next table row; 0: no table */
	double next_prom; /* --prometheus: once a second, whatever the table does */
};

/* SIGHUP (capture/reload.h): the JSON-lines file reopened; with --config,
 * the options built again from the file and the command line, and what
 * changed applied where it can be mid-run. A file that does not parse
 * changes nothing. */
static void run_reload(const struct capture_run_config *cfg, struct capture *c)
{
	struct capture_opts *o = cfg->o, *n;
	struct capture_config *store = NULL;
	char err[768];

	capture_reload_reopen(c, o);
	if (!cfg->config)
		return;
	n = malloc(sizeof(*n));
	if (!n) {
		xdpi_err("SIGHUP: out of memory; keeping the previous settings");
		return;
	}
	if (cfg->hooks->rebuild(cfg->hooks->ctx, n, &store, err, sizeof(err))) {
		xdpi_err("SIGHUP: %s; keeping the previous settings", err);
		goto out;
	}
	if (capture_reload_apply(c, o, n, cfg->config)) {
		capture_config_adopt(store, *cfg->store);
		*cfg->store = store;
		store = NULL;
	}
out:
	capture_config_free(store);
	free(n);
}

/* A signal: NULL when it was a SIGHUP that reloaded (the run goes on),
 * else the run's stop reason. */
static const char *run_signal(struct run_loop *l, int signo)
{
	const struct capture_opts *o = l->cfg->o;
	double interval = o->interval;

	/* A hang-up stops a run that has nothing to reload, as it always
	 * did: a terminal closed under it. */
	if (signo != SIGHUP || !capture_reload_wanted(o, l->cfg->config != NULL))
		return xdpi_signal_name(signo);
	run_reload(l->cfg, l->c);
	if (o->interval != interval) { /* the next row from now */
		if (o->interval > 0 && !l->next)
			l->h->header(l->h->ctx);
		l->next = o->interval > 0 ? xdpi_now() + o->interval : 0;
	}
	l->next_prom = 0; /* a new Prometheus server: its figures at once */
	return NULL;
}

/* What the run's own threads say of their health: NULL while it can go
 * on, else the stop reason, with *@fault set. */
static const char *run_health(struct run_loop *l, int *fault)
{
	const struct capture_opts *o = l->cfg->o;

	if (!o->keep_privileges && sandbox_failures()) {
		xdpi_err("a thread could not enter its sandbox: stopping the run; the "
			 "report covers it so far");
		*fault = -EPERM;
		return "sandbox failed";
	}
	*fault = capture_tick(l->c);
	if (*fault == -ENODEV) {
		xdpi_err("%s: the interface went away during the run (deleted?): "
			 "stopping; the report covers the run so far",
			 o->ifname);
		return "interface gone";
	}
	if (*fault) {
		xdpi_err("a worker stopped: stopping the run; the report covers it so far");
		return "worker failed";
	}
	return NULL;
}

/* Reports until the duration ends or a stop signal comes; returns why it
 * ended. *@fault is set when the run cannot go on (the interface went
 * away): the report still follows, and the exit status says it failed. */
static const char *run_loop(struct run_loop *l, int *fault)
{
	const struct capture_opts *o = l->cfg->o;
	struct capture *c = l->c;
	const char *why;

	if (l->next)
		l->h->header(l->h->ctx);
	for (;;) {
		struct pollfd pfd = {.fd = l->sigfd, .events = POLLIN};
		double now, wake;
		int timeout, signo;

		/* --connections: what ended since the last pass, at most a
		 * tick (CAPTURE_TICK_MS) after the call_rcu thread queued it. */
		conn_log_drain(capture_conn_log(c));
		if (conn_log_failed(capture_conn_log(c))) {
			/* `| head`: what would follow has nowhere to go. */
			xdpi_err("--connections: cannot write to standard output (%s): stopping",
				 strerror(errno ? errno : EIO));
			*fault = -EPIPE;
			return "output closed";
		}
		now = xdpi_now();

		if (l->deadline && now >= l->deadline)
			return "duration reached";
		if (capture_count_reached(c))
			return "count reached";
		if (l->next && now >= l->next) {
			l->h->row(l->h->ctx, c, now);
			l->next += o->interval;
			continue;
		}
		/* Flow records written between the stats lines (or with no
		 * table) reach the reader within JSONL_MAX_DELAY_S + a tick. */
		jsonl_flush_due(capture_jsonl(c), now);
		if (l->h->publish && capture_prometheus(c) && now >= l->next_prom) {
			l->h->publish(capture_prometheus(c), c, o->ifname, NULL);
			l->next_prom = now + 1;
		}
		why = run_health(l, fault);
		if (why)
			return why;
		wake = l->next;
		if (l->deadline && (!wake || l->deadline < wake))
			wake = l->deadline;
		timeout = wake ? (int)((wake - now) * 1000) + 1 : -1;
		if (timeout < 0 || timeout > CAPTURE_TICK_MS)
			timeout = CAPTURE_TICK_MS;
		if (poll(&pfd, 1, timeout) <= 0 || !(signo = xdpi_signals_read(l->sigfd)))
			continue;
		why = run_signal(l, signo);
		if (why)
			return why;
	}
}

/* What the run gave up for want of memory (or room), said on stderr once at
 * the end whatever the output format: the figures it concerns are lower
 * bounds, and a JSON reader may not look at those keys. */
static void run_warn_gave_up(const struct capture_result *res)
{
	if (res->total.fw.c.untracked)
		xdpi_warn("flow table: %" PRIu64 " packets of new flows not tracked (the table "
			  "full, its ended flows still waiting for their records to be written, "
			  "or out of memory): connection figures are lower bounds",
			  res->total.fw.c.untracked);
	if (res->total.m.c.distinct_untracked)
		xdpi_warn("distinct counts: %" PRIu64 " keys not stored (out of memory): the "
			  "distinct figures are lower bounds",
			  res->total.m.c.distinct_untracked);
}

/* --connections, after capture_stop(): every flow has ended and its record
 * is queued; the last lines before the summary, and what the queue refused
 * said. A failed write makes *@fault -EIO (said once). */
static void run_connections_end(struct capture *c, int *fault)
{
	struct conn_log *cl = capture_conn_log(c);

	if (!cl)
		return;
	conn_log_drain(cl);
	if (conn_log_refused(cl))
		xdpi_warn("--connections: %" PRIu64 " ended connections not printed: the queue "
			  "of %u was full (more ended within a tick, or were open at the end, "
			  "than it holds)",
			  conn_log_refused(cl), conn_log_slots(cl));
	if (conn_log_failed(cl) && !*fault) {
		xdpi_err("--connections: cannot write to standard output: lines lost");
		*fault = -EIO;
	}
}

/* The result, the final figures, the renderer's report and the ledger's
 * verdict. */
static int run_result(const struct capture_run_config *cfg, struct capture *c,
		      const char *stop_reason)
{
	const struct capture_run_hooks *h = cfg->hooks;
	struct capture_result res;
	int ret;

	ret = capture_result(c, &res);
	if (ret) {
		xdpi_err("cannot build the report: %s", strerror(-ret));
		return ret;
	}
	if (h->publish && capture_prometheus(c)) /* served until the command exits */
		h->publish(capture_prometheus(c), c, cfg->o->ifname, &res);
	ret = h->report(h->ctx, c, &res, stop_reason);
	run_warn_gave_up(&res);
	if (!ret && res.ledger.unexplained) {
		xdpi_err("the ledger does not close: %" PRId64 " packets unexplained",
			 res.ledger.unexplained);
		ret = -EPROTO;
	}
	capture_result_free(&res);
	return ret;
}

/* Before anything is attached: what would fail or surprise later is said
 * now. */
static int run_check(const struct capture_opts *o)
{
	const char *const paths[] = {o->record, o->write};
	char err[512];

	/* An output that would be refused at the end (the record) or once
	 * the sockets are bound (-w) is refused now; --json-lines is opened
	 * before the attach. */
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (paths[i] && strcmp(paths[i], "-") &&
		    xdpi_output_check(paths[i], err, sizeof(err))) {
			xdpi_err("%s", err);
			return -EINVAL;
		}
	/* Passive mode copies a snap length of each frame, not the frame:
	 * said before anything is written, not found out in the file. At the
	 * largest snap length no frame received is cut (none is longer than
	 * xdpi takes), but a packet sent can be: a GSO packet of 64 KiB of
	 * payload and its headers, before the NIC cuts it into frames. */
	if (o->passive && o->write && o->snaplen < XDPI_SNAPLEN_MAX)
		xdpi_warn("--passive copies at most the first %u bytes of each frame (-s N "
			  "raises it, up to %d: whole frames): -w writes longer frames cut to "
			  "that, each with its length on the wire",
			  o->snaplen, XDPI_SNAPLEN_MAX);
	else if (o->passive && o->write && capture_direction_of(o) != CAPTURE_DIR_IN)
		xdpi_warn("--passive -s %d copies whole frames, but a packet sent longer than "
			  "that (a GSO packet, before the NIC cuts it into frames) is written "
			  "cut to it, with its length",
			  XDPI_SNAPLEN_MAX);
	return 0;
}

/* From the open to the close, once the signals are read from @sigfd. */
static int run_capture(const struct capture_run_config *cfg, int sigfd)
{
	const struct capture_opts *o = cfg->o;
	const struct capture_run_hooks *h = cfg->hooks;
	struct run_loop l = {.cfg = cfg, .h = h, .sigfd = sigfd};
	const char *stop_reason;
	double started;
	int ret, fault = 0;

	/* Missing privileges fail here, at once; from here on the threads
	 * start with none effective (capture/privdrop.h). */
	ret = capture_privs_begin(o);
	if (!ret)
		ret = run_check(o);
	if (!ret)
		ret = capture_open(o, &l.c);
	if (ret)
		return ret;
	ret = h->open(h->ctx, l.c);
	if (!ret)
		ret = capture_start(l.c);
	if (ret) {
		capture_close(l.c);
		return ret;
	}
	if (o->ceiling)
		xdpi_info("ready: counting and dropping in the XDP program (ceiling mode, no "
			  "sockets)");
	else
		xdpi_info("ready: %d worker%s receiving", capture_queue_count(l.c),
			  capture_queue_count(l.c) == 1 ? "" : "s");
	started = xdpi_now();
	h->begin(h->ctx, started);
	l.deadline = o->duration > 0 ? started + o->duration : 0;
	l.next = o->interval > 0 ? started + o->interval : 0;
	stop_reason = run_loop(&l, &fault);
	capture_stop(l.c);
	run_connections_end(l.c, &fault);
	ret = run_result(cfg, l.c, stop_reason);
	if (!ret)
		ret = fault;
	capture_close(l.c);
	return ret;
}

int capture_run(const struct capture_run_config *cfg)
{
	/* Before any thread starts: they inherit the mask. */
	int sigfd = xdpi_signals_fd();
	int ret;

	if (sigfd < 0)
		return sigfd;
	ret = run_capture(cfg, sigfd);
	close(sigfd);
	return ret;
}
