/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition format 0.0.4: a small builder, and xdpi's
 * figures rendered with it (prom_render()). Metric names and their
 * meaning: docs/exporting.md.
 *
 * The builder writes one family at a time: prom_text_family() gives its
 * name, type and help (written once, before its samples), then the samples
 * follow. The format wants a family's samples together and its header at
 * most once, so naming a family a second time is an error, not a second
 * header. Label values are escaped (peek_prom_label_escape(): backslash,
 * double quote, newline) and never cut; names are checked against the
 * format's grammar. Counters are unsigned 64-bit integers printed exactly;
 * gauges may be doubles.
 *
 * Errors: the first error sticks (a builder that failed writes nothing
 * more) and prom_text_finish() returns it; pointer-free functions return
 * nothing so that a renderer reads as a list of samples.
 * Concurrency: a builder belongs to one thread; prom_render() keeps no
 * state.
 */
#ifndef XDPI_EXPORT_PROM_TEXT_H
#define XDPI_EXPORT_PROM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/if_xdp.h>

#include "../inspect/detect.h"
#include "../inspect/flows.h"
#include "../inspect/pipeline.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
};

struct prom_label {
	const char *name;
	const char *value; /* any bytes but NUL; escaped on output */
};

struct prom_text {
	char *buf;
	size_t len, cap;
	int err;	  /* 0 or the first negative errno */
	char family[128]; /* the family being written ("" before the first) */
	char *seen;	  /* "\nname\n" for each family written so far */
	size_t seen_len, seen_cap;
};

void prom_text_init(struct prom_text *t);
/* Starts family @name (the format's metric name grammar) of @type with
 * @help (one line; '\' and newlines escaped). -EINVAL if @name is invalid
 * or was started before. */
void prom_text_family(struct prom_text *t, const char *name, enum prom_type type, const char *help);
/* A sample of the current family: name{labels} value. @n labels, 0 for
 * none; a label name must match [a-zA-Z_][a-zA-Z0-9_]*. */
void prom_text_u64(struct prom_text *t, const struct prom_label *labels, int n, uint64_t v);
/* Integral values below 2^63 in magnitude as integers, others with 17
 * significant digits; NaN and infinities as the format spells them. */
void prom_text_double(struct prom_text *t, const struct prom_label *labels, int n, double v);
/* Hands over the text (NUL-terminated, *@len without the NUL) and resets
 * @t; NULL with errno set after an error (everything is freed then). */
char *prom_text_finish(struct prom_text *t, size_t *len);
/* Frees what @t holds (after an early exit); prom_text_finish() does it
 * otherwise. */
void prom_text_free(struct prom_text *t);

/* One RX queue of a live run, as its worker last published it. */
struct prom_queue {
	uint32_t queue_id;
	uint64_t packets, bytes;
	const struct xdp_statistics *sock; /* NULL: no socket (passive) */
};

/* What a rendering shows: the same figures as the JSON output. */
struct prom_figures {
	const char *mode;   /* "live" or "file", xdpi_info's label */
	const char *source; /* the interface or the file */
	/* Every queue's (or the reader's) counters summed; the distinct
	 * counts are exact after a run, summed over queues during it. */
	const struct pipeline_counters *total;
	/* Live: per queue, which then labels packets, bytes and drops with
	 * queue="N". NULL (a file): no queue label and no drops. */
	const struct prom_queue *queues;
	int nqueues;
	/* The flow table's summary; NULL without a flow stage (--no-flows),
	 * then no connection families and total->flows is not read. */
	const struct flow_summary *flows;
	/* The detection's counts (inspect/detect.h); NULL: --no-detect, no
	 * alert families. */
	const struct detect_stats *detect;
};

/* The exposition text of @f, NUL-terminated (*@len without the NUL), to be
 * freed by the caller; NULL with errno set when out of memory. */
char *prom_render(const struct prom_figures *f, size_t *len);

#endif /* XDPI_EXPORT_PROM_TEXT_H */
