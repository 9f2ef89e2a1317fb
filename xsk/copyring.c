// SPDX-License-Identifier: MIT
#include "copyring.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

struct xdpi_copyring *xdpi_copyring_create(uint32_t queue_id, uint32_t size, char *err,
					   size_t err_len)
{
	struct xdpi_copyring *r;
	void *cons, *prod;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, err_len, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->fd = -1;
	r->queue_id = queue_id;
	r->size = size;
	r->mask = size - 1;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xdpi_copy", 0, 0, size, NULL);
	if (r->fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "queue %u: cannot create a %u-byte ring buffer: %s",
			 queue_id, size, strerror(-ret));
		goto err;
	}
	cons = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (cons == MAP_FAILED) {
		ret = -errno;
		snprintf(err, err_len, "queue %u: cannot map the ring's consumer page: %s",
			 queue_id, strerror(-ret));
		goto err;
	}
	r->consumer_pos = cons;
	/* The producer page, then the data twice: a wrapped record reads on. */
	prod = mmap(NULL, r->page + 2 * r->size, PROT_READ, MAP_SHARED, r->fd, (off_t)r->page);
	if (prod == MAP_FAILED) {
		ret = -errno;
		snprintf(err, err_len, "queue %u: cannot map the ring's data: %s", queue_id,
			 strerror(-ret));
		goto err;
	}
	r->producer_pos = prod;
	r->data = (const uint8_t *)prod + r->page;
	r->cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	return r;
err:
	xdpi_copyring_destroy(r);
	errno = -ret;
	return NULL;
}

void xdpi_copyring_destroy(struct xdpi_copyring *r)
{
	if (!r)
		return;
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page + 2 * r->size);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

int xdpi_copyring_wait(struct xdpi_copyring *r, int timeout_ms)
{
	struct pollfd pfd = {.fd = r->fd, .events = POLLIN};

	return poll(&pfd, 1, timeout_ms) < 0 ? -errno : 0;
}
