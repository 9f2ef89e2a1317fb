/* SPDX-License-Identifier: MIT */
/*
 * An offline run (`xdpi read`): a capture file through the same pipeline
 * and flow stage as a live run, with the filter stage on (live, the XDP
 * program filters) and -w's writer. The command fills in the config and
 * renders the result; it assembles nothing.
 *
 *   offline_run() -> [the result: pipe, fs, res, written] -> offline_serve()
 *     -> offline_close()
 *
 * --prometheus: the server is bound first, so that a port in use fails
 * before the file is read (the stop signals blocked before its thread
 * starts); once the command rendered the result, offline_serve() has the
 * final figures rendered through cfg->publish and served until SIGINT or
 * SIGTERM; offline_close() stops it.
 *
 * A pipe or FIFO with nothing in it yet is waited for, said after a
 * second (tcpdump -r waits without a word).
 *
 * Concurrency: one thread; the writer thread is the run's own.
 * Errors: int functions return 0 or a negative errno, after saying why.
 */
#ifndef XDPI_CAPTURE_OFFLINE_H
#define XDPI_CAPTURE_OFFLINE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "../inspect/capfile.h"
#include "../inspect/filter.h"
#include "../inspect/pipeline.h"
#include "../inspect/tap.h"
#include "flowstage.h"
#include "options.h"

struct prom_server;

struct offline_config {
	const char *file;		  /* "-": standard input */
	const struct xdpi_filter *filter; /* borrowed for the run */
	const char *write;		  /* -w FILE; NULL: none */
	uint64_t count;			  /* stop after this many frames; 0: all */
	bool progress;			  /* a progress line on stderr */
	bool connections;		  /* --connections on stdout */
	bool verbose;			  /* with it: every column */
	const struct capture_flow_opts *flows;
	/* With --prometheus (flows->prometheus), required: renders the
	 * file's figures for the server (export/prom_publish.h's
	 * prom_publish_pipeline() fits); @fs and @ds NULL without a flow
	 * table or detection. */
	int (*publish)(struct prom_server *s, const struct pipeline *p,
		       const struct flow_summary *fs, const struct detect_stats *ds,
		       const char *file);
};

struct offline_run {
	/* The result, once offline_run() returned 0. */
	struct pipeline pipe;
	struct flow_stage fs; /* finished: its summary is final */
	struct capfile_result res;
	uint64_t written; /* frames -w wrote */
	/* The run's own. */
	struct offline_config cfg;
	struct prom_server *prom; /* --prometheus; NULL: none */
	struct tap tap;
	struct pcapng_writer *writer;
	bool pipe_ok;
};

/* @r zeroed by the caller. */
int offline_run(struct offline_run *r, const struct offline_config *cfg);
/* --json-lines: @obj, the result as the command renders it, written as
 * the one "stats" line (offline, the whole capture is one interval); @obj
 * itself is left as it was. 0 without JSON lines; -EIO when the line
 * could not be written or copied. */
int offline_stats_line(struct offline_run *r, const json_t *obj);
/* After the result is rendered: with --prometheus, the final figures
 * served until a stop signal (said on stderr); at once without. 0, or
 * -ENOMEM (said). */
int offline_serve(struct offline_run *r);
/* From any state. -EIO when the JSON lines could not all be written
 * (said). */
int offline_close(struct offline_run *r);

#endif /* XDPI_CAPTURE_OFFLINE_H */
