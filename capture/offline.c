// SPDX-License-Identifier: MIT
#include "offline.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sink/pcapng.h"
#include "../sink/prometheus.h"
#include "../util/log.h"
#include "../util/signals.h"
#include "../util/version.h"

/* What the write stage holds between the reader and the writer thread:
 * the reader waits for room (offline, nothing is lost by waiting). */
#define OFFLINE_TAP_SIZE (8u << 20)
#define OFFLINE_WRITE_SNAPLEN 262144
/* How long a pipe or FIFO may stay empty before the run says it waits. */
#define OFFLINE_WAIT_SAY_MS 1000

/* The flow stage of a read: the table (this thread maintains it at
 * capture time), the detection, and where their records go. */
static int offline_open_flows(struct offline_run *r, const struct offline_config *cfg,
			      struct pipeline_config *pc)
{
	const struct flow_stage_config fc = {
		.fo = cfg->flows,
		.off_by = cfg->flows->off ? "--no-flows" : NULL,
		.single_thread = true,
		.ipfix_sandbox = true,
		.connections = cfg->connections,
		.verbose = cfg->verbose,
	};
	int ret = flow_stage_open_jsonl(&r->fs, cfg->flows->json_lines, NULL);

	if (!ret)
		ret = flow_stage_open(&r->fs, &fc);
	pc->flows = r->fs.ft;
	pc->maintain_flows = r->fs.ft != NULL;
	return ret;
}

/* -w: the write stage's tap and its writer thread. */
static int offline_open_writer(struct offline_run *r, const struct offline_config *cfg)
{
	char err[256] = "", app[64];

	if (tap_init(&r->tap, OFFLINE_TAP_SIZE, OFFLINE_WRITE_SNAPLEN, 0, true)) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	snprintf(app, sizeof(app), "xdpi %s", xdpi_version());
	if (pcapng_writer_open(&r->writer, cfg->write, app, cfg->file, &r->tap, 1, err,
			       sizeof(err)) ||
	    pcapng_writer_start(r->writer, true)) {
		xdpi_err("%s", *err ? err : "cannot start the writer");
		return -EIO;
	}
	r->pipe.tap = &r->tap;
	return 0;
}

static void offline_warn(const struct capfile_result *res)
{
	if (res->truncated)
		xdpi_warn("%s; metrics cover the %" PRIu64 " complete frames before it",
			  res->warning, res->frames);
	if (res->snapped)
		xdpi_warn("%" PRIu64 " frames were captured shorter than on the wire "
			  "(snap length): they count by their headers; a header the "
			  "capture cut counts as malformed",
			  res->snapped);
}

/* Waits for @fd to have data or its writer to leave; signals still end
 * the wait (they may be blocked for the Prometheus thread). */
static void offline_poll(int fd, int timeout_ms, bool *ready)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
	sigset_t none;

	sigemptyset(&none);
	*ready = ppoll(&pfd, 1, timeout_ms < 0 ? NULL : &ts, &none) > 0;
}

/*
 * `read -` on a pipe, or a FIFO, with nothing in it yet: libpcap would
 * block reading the header (a FIFO's open() even blocks until a writer
 * comes) without a word. Wait as tcpdump -r does, but say so after a
 * second. A FIFO is opened here without blocking and handed over as
 * @*fp (capfile_read() closes it), so that a writer that comes and goes
 * is not waited for twice. 0, or -errno after saying why.
 */
static int offline_wait(const char *path, FILE **fp)
{
	bool is_stdin = !strcmp(path, "-"), ready;
	struct stat st;
	int fd;

	*fp = NULL;
	if (is_stdin) {
		if (fstat(STDIN_FILENO, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
			return 0;
		fd = STDIN_FILENO;
	} else {
		/* anything else, missing ones included, capfile_read() opens
		 * and names */
		if (stat(path, &st) || !S_ISFIFO(st.st_mode))
			return 0;
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;

			xdpi_err("%s: %s", path, strerror(e));
			return -e;
		}
	}
	offline_poll(fd, OFFLINE_WAIT_SAY_MS, &ready);
	if (!ready) {
		if (is_stdin)
			xdpi_info("waiting for data on stdin (a pipe with nothing in it yet)...");
		else
			xdpi_info("waiting for data on FIFO %s (no writer yet)...", path);
		offline_poll(fd, -1, &ready);
	}
	if (is_stdin)
		return 0;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) || !(*fp = fdopen(fd, "rb"))) {
		xdpi_err("%s: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	return 0;
}

int offline_run(struct offline_run *r, const struct offline_config *cfg)
{
	struct pipeline_config pc = {
		.inspect = true,
		.filter = cfg->filter,
		.distinct_limit = cfg->flows->distinct_limit,
		/* A fixed seed: the estimates above --distinct-limit are the
		 * same on every read of a file. */
		.distinct_seed = 0x243f6a8885a308d3ull,
	};
	struct capfile_opts co = {.count = cfg->count, .progress = cfg->progress};
	char err[512];
	int ret;

	r->cfg = *cfg;
	/* Before the read, so that a port in use fails at once; the signals
	 * are blocked first, as its thread inherits the mask. */
	if (cfg->flows->prometheus) {
		ret = xdpi_signals_block();
		if (ret)
			return ret;
		ret = prom_server_start(&r->prom, cfg->flows->prometheus, err, sizeof(err));
		if (ret) {
			xdpi_err("%s", err);
			return ret;
		}
	}
	ret = offline_open_flows(r, cfg, &pc);
	if (ret)
		return ret;
	if (pipeline_init(&r->pipe, &pc)) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	r->pipe_ok = true;
	if (cfg->write) {
		ret = offline_open_writer(r, cfg);
		if (ret)
			return ret;
	}
	ret = offline_wait(cfg->file, &co.fp);
	if (ret)
		return ret;
	ret = capfile_read(cfg->file, &r->pipe, &co, &r->res, err, sizeof(err));
	if (ret) {
		xdpi_err("%s", err);
		return ret;
	}
	if (r->writer) {
		ret = pcapng_writer_stop(r->writer, &r->written);
		r->writer = NULL;
		if (ret) {
			xdpi_err("cannot write %s", cfg->write);
			return ret;
		}
	}
	offline_warn(&r->res);
	flow_stage_finish(&r->fs, r->pipe.fw.now_ns);
	flow_stage_flush(&r->fs);
	return 0;
}

int offline_stats_line(struct offline_run *r, const json_t *obj)
{
	json_t *line;

	if (!r->fs.jsonl)
		return 0;
	line = json_deep_copy(obj);
	if (line)
		json_object_set_new(line, "type", json_string("stats"));
	return jsonl_write(r->fs.jsonl, line) ? -EIO : 0;
}

int offline_serve(struct offline_run *r)
{
	const struct flow_stage *fs = &r->fs;
	char where[64];

	if (!r->prom)
		return 0;
	if (r->cfg.publish(r->prom, &r->pipe, fs->ft ? &fs->summary : NULL,
			   fs->detect ? &fs->detect_final : NULL, r->cfg.file)) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	prom_server_address(r->prom, where, sizeof(where));
	fflush(stdout); /* the JSON or summary, for whoever waits on it */
	/* Not through the log: said even with -q, as where to scrape and why
	 * the command does not return. */
	fprintf(stderr, "xdpi: serving the metrics on http://%s/metrics until SIGINT/SIGTERM\n",
		where);
	xdpi_signals_wait();
	return 0;
}

int offline_close(struct offline_run *r)
{
	int ret;

	pcapng_writer_stop(r->writer, NULL);
	r->writer = NULL;
	tap_destroy(&r->tap);
	if (r->pipe_ok)
		pipeline_destroy(&r->pipe);
	r->pipe_ok = false;
	ret = flow_stage_close(&r->fs);
	/* Last: the figures were served until here. */
	prom_server_stop(r->prom);
	r->prom = NULL;
	return ret;
}
