// SPDX-License-Identifier: MIT
/*
 * Binds an AF_XDP socket to a queue, closes it and binds again at once, N
 * times, in one process: the fastest a receiver can be restarted. The
 * kernel releases a closed socket's queue asynchronously; the engine must
 * wait for it (xdpi_xsk_create()) instead of failing with EBUSY.
 *   tool_rebind IFACE QUEUE N [BIND_TIMEOUT_MS]
 * Prints "binds B failed F retried R" and exits 1 if any bind failed.
 *   tool_rebind IFACE QUEUE hold
 * Binds once, prints "held", and keeps the queue until stdin closes: a
 * queue another process owns, for set-up failures halfway through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xsk/xsk.h"

int main(int argc, char **argv)
{
	struct xdpi_xsk_opts o;
	unsigned binds = 0, failed = 0, retried = 0;
	char err[256];
	int n;

	if (argc < 4) {
		fprintf(stderr, "usage: %s IFACE QUEUE N [BIND_TIMEOUT_MS]\n", argv[0]);
		return 2;
	}
	xdpi_xsk_opts_defaults(&o);
	o.ifname = argv[1];
	o.queue_id = (uint32_t)atoi(argv[2]);
	o.mode = XDPI_XSK_MODE_COPY;
	o.fill_size = 256; /* small: the test is about binding */
	o.rx_size = 256;
	if (argc > 4)
		o.bind_timeout_ms = (uint32_t)atoi(argv[4]);
	if (!strcmp(argv[3], "hold")) {
		struct xdpi_xsk *x = xdpi_xsk_create(&o, err, sizeof(err));
		char c;

		if (!x) {
			fprintf(stderr, "hold: %s\n", err);
			return 1;
		}
		printf("held\n");
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
		xdpi_xsk_destroy(x);
		return 0;
	}
	n = atoi(argv[3]);
	for (int i = 0; i < n; i++) {
		struct xdpi_xsk *x = xdpi_xsk_create(&o, err, sizeof(err));

		if (!x) {
			failed++;
			fprintf(stderr, "bind %d: %s\n", i, err);
			continue;
		}
		binds++;
		retried += x->bind_retries;
		xdpi_xsk_destroy(x);
	}
	printf("binds %u failed %u retried %u\n", binds, failed, retried);
	return failed ? 1 : 0;
}
