// SPDX-License-Identifier: MIT
/*
 * The reporter's side of the Prometheus exporter: a live run's snapshots or
 * a file's pipeline, rendered (sink/prom_text.h) and handed to the server
 * (sink/prometheus.h), which only serves text.
 */
#include "prom_publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sink/prom_text.h"

static void counters_of(const struct pipeline *p, struct pipeline_counters *out)
{
	memset(out, 0, sizeof(*out));
	out->c = p->m.c;
	out->unique_src_ips = metrics_unique_src_ips(&p->m);
	out->tcp_directions = metrics_tcp_directions(&p->m);
	out->filtered_out = p->filtered_out;
	out->snapped = p->snapped;
	out->flows = p->fw.c;
}

static void counters_add(struct pipeline_counters *sum, const struct pipeline_counters *q)
{
	const uint64_t *src = (const uint64_t *)q;
	uint64_t *dst = (uint64_t *)sum;

	/* Every field is a u64 count (inspect/pipeline.h), as the live
	 * table's sum assumes too. */
	_Static_assert(sizeof(*sum) % sizeof(uint64_t) == 0, "pipeline_counters: u64 only");
	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

static int publish(struct prom_server *s, const struct prom_figures *f)
{
	size_t len;
	char *text = prom_render(f, &len);

	if (!text)
		return -ENOMEM;
	prom_server_publish(s, text, len);
	return 0;
}

int prom_publish_capture(struct prom_server *s, const struct capture *c, const char *ifname,
			 const struct capture_result *res)
{
	int n = capture_queue_count(c);
	struct prom_queue *pq = calloc(n > 0 ? (size_t)n : 1, sizeof(*pq));
	struct xdp_statistics *sock = calloc(n > 0 ? (size_t)n : 1, sizeof(*sock));
	struct pipeline_counters total = {0};
	struct flow_summary *fs = malloc(sizeof(*fs));
	struct detect_stats ds;
	struct prom_figures f = {
		.mode = "live", .source = ifname, .total = &total, .queues = pq, .nqueues = n};
	int ret = -ENOMEM;

	if (!pq || !sock || !fs)
		goto out;
	for (int i = 0; i < n; i++) {
		struct capture_queue q;

		capture_queue_read(c, i, &q);
		counters_add(&total, &q.counters);
		sock[i] = q.sock;
		pq[i] = (struct prom_queue){.queue_id = q.queue_id,
					    .packets = q.counters.c.packets,
					    .bytes = q.counters.c.bytes,
					    .sock = q.passive ? NULL : &sock[i]};
	}
	if (res) {
		counters_of(&res->total, &total);
		if (res->flows)
			*fs = *res->flows;
		f.flows = res->flows ? fs : NULL;
	} else {
		f.flows = capture_flow_summary(c, fs) ? fs : NULL;
	}
	if (capture_detect_stats(c, &ds))
		f.detect = &ds;
	ret = publish(s, &f);
out:
	free(fs);
	free(sock);
	free(pq);
	return ret;
}

int prom_publish_pipeline(struct prom_server *s, const struct pipeline *p,
			  const struct flow_summary *fs, const struct detect_stats *ds,
			  const char *file)
{
	struct pipeline_counters total;
	const struct prom_figures f = {
		.mode = "file", .source = file, .total = &total, .flows = fs, .detect = ds};

	counters_of(p, &total);
	return publish(s, &f);
}
