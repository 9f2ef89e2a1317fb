// SPDX-License-Identifier: MIT
#include "testhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A queue or worker index, -1 when unset or empty. */
static int env_index(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : -1;
}

/* "Q:N": the queue, and N times @unit_ns; the queue -1 when unset. */
static int env_queue_time(const char *name, uint64_t unit_ns, uint64_t *ns)
{
	const char *v = getenv(name);
	unsigned q, n;

	if (!v || sscanf(v, "%u:%u", &q, &n) != 2)
		return -1;
	*ns = (uint64_t)n * unit_ns;
	return (int)q;
}

void capture_test_hooks_read(struct capture_test_hooks *h)
{
	const char *v;

	memset(h, 0, sizeof(*h));
	h->fail_worker = env_index("XDPI_TEST_FAIL_WORKER");
	h->stall_queue = env_queue_time("XDPI_TEST_STALL_QUEUE", 1000000, &h->stall_ns);
	h->slow_queue = env_queue_time("XDPI_TEST_SLOW_QUEUE", 1000, &h->delay_ns);
	h->sandbox_fails_queue = env_index("XDPI_TEST_SANDBOX_FAILS");
	v = getenv("XDPI_TEST_CONN_SLOTS");
	h->conn_slots = v && *v ? (uint32_t)atoi(v) : 0;
	v = getenv("XDPI_TEST_NO_TCX");
	h->no_tcx = v && !strcmp(v, "1");
	v = getenv("XDPI_TEST_META_IN_HEAD");
	h->meta_in_head = v && !strcmp(v, "1");
}
