/* SPDX-License-Identifier: MIT */
/*
 * Rendering a run's figures for the Prometheus server (sink/prometheus.h):
 * called by the reporter, which reads the snapshots anyway.
 *
 * Concurrency: the thread that owns the server (the reporter).
 */
#ifndef XDPI_EXPORT_PROM_PUBLISH_H
#define XDPI_EXPORT_PROM_PUBLISH_H

#include "../capture/capture.h"
#include "../inspect/pipeline.h"
#include "../sink/prometheus.h"

/* The reporter's side: renders and publishes. Both return 0 or -ENOMEM
 * (then the previous text stays). */

/* A live run: each queue's last snapshot (capture_queue_read()) and the
 * flow summary as of the table's last maintenance; after capture_result(),
 * pass @res for the exact merged distinct counts, else NULL. */
int prom_publish_capture(struct prom_server *s, const struct capture *c, const char *ifname,
			 const struct capture_result *res);
/* A file: the reader's pipeline after the last frame, and the flow summary
 * (NULL with --no-flows). */
int prom_publish_pipeline(struct prom_server *s, const struct pipeline *p,
			  const struct flow_summary *fs, const struct detect_stats *ds,
			  const char *file);

#endif /* XDPI_EXPORT_PROM_PUBLISH_H */
