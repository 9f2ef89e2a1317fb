/* SPDX-License-Identifier: MIT */
/*
 * A tap: copies of the frames a pipeline inspected, handed from the thread
 * that owns the pipeline (a worker, or `xdpi read`) to a writer thread
 * (sink/pcapng.h, `-w FILE`). A single-producer single-consumer
 * byte ring of variable-size records: the producer writes a record and
 * publishes its head with a release store; the consumer reads records up
 * to that head and gives the space back with a release store of its tail.
 * No lock, no syscall, no allocation on either side.
 *
 * A full ring: a live producer drops the copy and counts it (the frame is
 * still inspected: the tap never slows the worker); a lossless producer
 * (`xdpi read -w`, where nothing is lost by waiting) waits for space.
 *
 * Concurrency: one producer thread, one consumer thread per tap.
 * Errors: tap_init returns 0 or -ENOMEM/-EINVAL.
 */
#ifndef XDPI_INSPECT_TAP_H
#define XDPI_INSPECT_TAP_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../util/defs.h"

struct tap_rec {
	uint64_t ts_ns; /* CLOCK_MONOTONIC live, capture time offline */
	uint32_t wire_len;
	uint32_t cap_len;
	uint32_t size; /* the whole record, header and padding: TAP_REC_ALIGN */
	uint32_t pad;  /* 1: a filler to the end of the ring, skip it */
	uint8_t data[];
};

struct tap {
	/* The producer's line. */
	uint64_t head XDPI_CACHE_ALIGNED;
	uint64_t tail_cached;
	uint64_t dropped; /* copies a full ring refused (live) */
	uint64_t taken;	  /* copies written */
	/* The consumer's line. */
	uint64_t tail XDPI_CACHE_ALIGNED;
	/* Read-only after init. */
	uint8_t *buf XDPI_CACHE_ALIGNED;
	uint64_t size; /* a power of two */
	uint32_t snaplen;
	uint32_t queue; /* what the writer names the records' interface after */
	bool lossless;
};

/* A ring of @size bytes (a power of two, at least 64 KiB). Copies are cut
 * at @snaplen bytes. */
int tap_init(struct tap *t, uint64_t size, uint32_t snaplen, uint32_t queue, bool lossless);
void tap_destroy(struct tap *t);

/* Records start on 32-byte boundaries, so the room left before the end of
 * the ring is never less than a record header: a filler always fits. */
#define TAP_REC_ALIGN 32
_Static_assert(sizeof(struct tap_rec) <= TAP_REC_ALIGN, "a header fits one unit");

static inline uint32_t tap_rec_size(uint32_t cap)
{
	return (uint32_t)((sizeof(struct tap_rec) + cap + TAP_REC_ALIGN - 1) &
			  ~(size_t)(TAP_REC_ALIGN - 1));
}

/* Producer: a copy of @frame. False if a live ring was full (counted). */
static inline bool tap_push(struct tap *t, const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
			    uint64_t ts_ns)
{
	uint32_t cap = caplen < t->snaplen ? caplen : t->snaplen;
	uint32_t need = tap_rec_size(cap);
	uint64_t at = t->head & (t->size - 1), room_to_end = t->size - at;
	uint64_t want = need + (room_to_end < need ? room_to_end : 0);
	struct tap_rec *r;

	while (t->head + want - t->tail_cached > t->size) {
		t->tail_cached = __atomic_load_n(&t->tail, __ATOMIC_ACQUIRE);
		if (t->head + want - t->tail_cached <= t->size)
			break;
		if (!t->lossless) {
			t->dropped++;
			return false;
		}
		sched_yield();
	}
	if (room_to_end < need) { /* a filler, then the record at the start */
		r = (struct tap_rec *)(t->buf + at);
		r->size = (uint32_t)room_to_end;
		r->pad = 1;
		t->head += room_to_end;
		at = 0;
	}
	r = (struct tap_rec *)(t->buf + at);
	r->ts_ns = ts_ns;
	r->wire_len = wire_len;
	r->cap_len = cap;
	r->size = need;
	r->pad = 0;
	memcpy(r->data, frame, cap);
	t->taken++;
	__atomic_store_n(&t->head, t->head + need, __ATOMIC_RELEASE);
	return true;
}

/* Consumer: the next record, or NULL when none is ready. */
static inline const struct tap_rec *tap_next(struct tap *t, uint64_t *pos)
{
	uint64_t head = __atomic_load_n(&t->head, __ATOMIC_ACQUIRE);

	while (*pos < head) {
		const struct tap_rec *r = (const struct tap_rec *)(t->buf + (*pos & (t->size - 1)));

		*pos += r->size;
		if (!r->pad)
			return r;
	}
	return NULL;
}

/* Consumer: the records before @pos are written out; their space is free. */
static inline void tap_release(struct tap *t, uint64_t pos)
{
	__atomic_store_n(&t->tail, pos, __ATOMIC_RELEASE);
}

#endif /* XDPI_INSPECT_TAP_H */
