/* SPDX-License-Identifier: MIT */
/*
 * The passive mode's source: one BPF ring buffer per RX queue, into which
 * the XDP program copies the first bytes of each wanted frame (struct
 * xdpi_copy_rec, bpf/xdpi_shared.h) while the frame itself passes to the
 * kernel. The consumer reads the ring in place through its mmap()ed pages,
 * like the AF_XDP RX ring: take up to a batch of records, run them through
 * the pipeline, then release them all with one store of the consumer
 * position. No syscall while records are there; poll() to sleep.
 *
 * The layout is the kernel's (kernel/bpf/ringbuf.c): a consumer position
 * page the consumer writes, a producer position page, then the data pages
 * mapped twice in a row so that a record that wraps reads contiguously.
 * Each record has an 8-byte header whose length word carries a busy bit
 * (still being written) and a discard bit (skipped).
 *
 * Concurrency: one consumer thread per ring (single consumer, as the
 * kernel requires); the producer is the XDP program on any CPU.
 * Errors: int functions return 0 or a negative errno; create returns NULL
 * and writes a reason into @err.
 */
#ifndef XDPI_XSK_COPYRING_H
#define XDPI_XSK_COPYRING_H

#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include "../bpf/xdpi_shared.h"

struct xdpi_copyring {
	/* Hot: the consumer's. */
	unsigned long *consumer_pos;
	const unsigned long *producer_pos;
	const uint8_t *data;
	uint64_t mask;	    /* size - 1 */
	unsigned long cons; /* records taken up to here, not yet released */
	/* Cold. */
	int fd;
	uint32_t queue_id;
	size_t size;
	size_t page;
};

/* A ring of @size bytes (a power of two, at least a page) for @queue_id. */
struct xdpi_copyring *xdpi_copyring_create(uint32_t queue_id, uint32_t size, char *err,
					   size_t err_len);
/* Accepts NULL. */
void xdpi_copyring_destroy(struct xdpi_copyring *r);
/* Waits up to @timeout_ms for a record (poll()). */
int xdpi_copyring_wait(struct xdpi_copyring *r, int timeout_ms);

/* The next record, or NULL when the ring is empty (or the next record is
 * still being written). Records stay valid until xdpi_copyring_release(). */
static inline const struct xdpi_copy_rec *xdpi_copyring_next(struct xdpi_copyring *r,
							     unsigned long prod)
{
	while (r->cons < prod) {
		const uint8_t *hdr = r->data + (r->cons & r->mask);
		uint32_t len = __atomic_load_n((const uint32_t *)hdr, __ATOMIC_ACQUIRE);
		unsigned long at = r->cons;

		if (len & BPF_RINGBUF_BUSY_BIT)
			return NULL;
		r->cons += ((len & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		if (!(len & BPF_RINGBUF_DISCARD_BIT))
			return (const struct xdpi_copy_rec *)(r->data + (at & r->mask) +
							      BPF_RINGBUF_HDR_SZ);
	}
	return NULL;
}

/* How far the producer has written: read once per batch. */
static inline unsigned long xdpi_copyring_producer(const struct xdpi_copyring *r)
{
	return __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
}

/* Gives every record taken so far back to the producer. */
static inline void xdpi_copyring_release(struct xdpi_copyring *r)
{
	__atomic_store_n(r->consumer_pos, r->cons, __ATOMIC_RELEASE);
}

#endif /* XDPI_XSK_COPYRING_H */
