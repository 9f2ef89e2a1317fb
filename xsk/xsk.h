/* SPDX-License-Identifier: MIT */
/*
 * The AF_XDP engine: one socket with its own UMEM and rings, bound to one
 * queue of one interface. Used by the inspector's workers and by the
 * generator's AF_XDP TX fallback; there is no other ring code in xdpi.
 *
 * Setup (xdpi_xsk_create) maps the UMEM (hugepages when the kernel has them
 * reserved, else normal pages), creates the socket through libxdp's xsk API
 * without letting it load a program (xdpi owns its XDP program), tries
 * zero-copy first when asked for auto, and reads back the mode in force.
 *
 * The per-packet functions are inline below. Each ring has one producer and
 * one consumer; libxdp's ring helpers carry the barriers (acquire on the
 * consumer's peek, release on the producer's submit).
 *
 * Errors: int functions return 0 or a negative errno; xdpi_xsk_create returns
 * NULL, sets errno and writes a one-line reason into @err.
 * Concurrency: a context belongs to one thread, except xdpi_xsk_stats(),
 * which any thread may call (it is a getsockopt()).
 */
#ifndef XDPI_XSK_H
#define XDPI_XSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/if_xdp.h>
#include <xdp/xsk.h>

/* Multi-buffer AF_XDP (Linux 6.6); Debian 12's headers predate it. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif

enum xdpi_xsk_mode {
	XDPI_XSK_MODE_AUTO = 0, /* zero-copy if the driver has it, else copy */
	XDPI_XSK_MODE_ZEROCOPY,
	XDPI_XSK_MODE_COPY,
};

struct xdpi_xsk_opts {
	const char *ifname;
	uint32_t queue_id;
	uint32_t frame_size; /* power of two, 2048..4096 */
	uint32_t num_frames; /* UMEM frames; 0: fill_size + tx_size */
	uint32_t fill_size;  /* RX frames; the fill ring gets twice this; powers of two */
	uint32_t comp_size;
	uint32_t rx_size; /* 0: no RX ring */
	uint32_t tx_size; /* 0: no TX ring */
	enum xdpi_xsk_mode mode;
	bool need_wakeup;
	/* Multi-buffer (XDP_USE_SG): a frame longer than a UMEM frame comes
	 * (or goes) as a chain of descriptors, each but the last flagged
	 * XDP_PKT_CONTD. Without it the kernel drops such a frame. */
	bool multi_buffer;
	bool busy_poll;
	uint32_t busy_poll_usecs;
	uint32_t busy_poll_budget;
	/* How long an EBUSY bind is retried while the kernel releases a socket
	 * that was just closed on the queue (xdpi_xsk_create). */
	uint32_t bind_timeout_ms;
};

#define XDPI_XSK_BIND_TIMEOUT_MS 2000
#define XDPI_XSK_DEFAULT_FRAME_SIZE 2048
#define XDPI_XSK_DEFAULT_RING 16384
#define XDPI_XSK_DEFAULT_COMP_RING 2048
#define XDPI_XSK_DEFAULT_BUSY_POLL_USECS 20 /* SO_BUSY_POLL */

/* Fills @o with xdpi's defaults for a receive socket. */
void xdpi_xsk_opts_defaults(struct xdpi_xsk_opts *o);
/* Checks sizes and modes. Returns 0 or -EINVAL with a reason in @err. */
int xdpi_xsk_opts_validate(const struct xdpi_xsk_opts *o, char *err, size_t err_len);

struct xdpi_xsk {
	/* Hot: touched per batch by the owning thread. */
	struct xsk_ring_cons rx;
	struct xsk_ring_prod fill;
	struct xsk_ring_prod tx;
	struct xsk_ring_cons comp;
	uint8_t *umem_area;
	int fd;
	bool need_wakeup;
	bool busy_poll;
	uint32_t frame_size;

	/* Cold: setup and reporting. */
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	size_t umem_size;
	uint32_t num_frames;
	uint32_t queue_id;
	bool zerocopy;	       /* read back with XDP_OPTIONS */
	bool multi_buffer;     /* bound with XDP_USE_SG */
	bool hugepages;	       /* the UMEM is on hugepages */
	int hugepages_errno;   /* why not, when they were tried (0: not tried) */
	bool busy_poll_set;    /* busy-poll socket options accepted */
	uint32_t bind_retries; /* EBUSY binds before the queue was free */
	/* Frames not in a ring, for TX: a stack of free frame addresses. */
	uint64_t *free_frames;
	uint32_t free_count;
	uint32_t tx_frames; /* size of the free stack: frames reserved for TX */
};

struct xdpi_xsk *xdpi_xsk_create(const struct xdpi_xsk_opts *o, char *err, size_t err_len);
/* Closes the socket and frees the UMEM. Accepts NULL. */
void xdpi_xsk_destroy(struct xdpi_xsk *x);
/* Puts the socket into slot queue_id of an XSKMAP. */
int xdpi_xsk_update_xskmap(struct xdpi_xsk *x, int xskmap_fd);
/* XDP_STATISTICS of the socket. */
int xdpi_xsk_stats(const struct xdpi_xsk *x, struct xdp_statistics *st);
/* Kicks the kernel: on RX when the fill ring asks for a wakeup (or with busy
 * polling, to run the NAPI poll on this core); on TX to start sending. */
void xdpi_xsk_kick_rx(struct xdpi_xsk *x);
void xdpi_xsk_kick_tx(struct xdpi_xsk *x);
/* Waits up to @timeout_ms for RX descriptors (poll()). */
int xdpi_xsk_wait_rx(struct xdpi_xsk *x, int timeout_ms);
/* The NAPI instance the kernel recorded for the socket (SO_INCOMING_NAPI_ID),
 * 0 when it has none. A busy-poll syscall polls that NAPI; without one it
 * polls nothing. The kernel records it when the socket receives its first
 * frame, and not at all where the driver registers its XDP receive queue
 * before its NAPI has an id (veth on Linux 6.13+). */
uint32_t xdpi_xsk_napi_id(const struct xdpi_xsk *x);

static inline void *xdpi_xsk_frame(const struct xdpi_xsk *x, uint64_t addr)
{
	return xsk_umem__get_data(x->umem_area, addr);
}

/* Any thread: descriptors the kernel has put in the RX ring that its owner
 * has not released yet. A racy but consistent-enough view for a watchdog:
 * each index is one aligned 32-bit load. */
static inline uint32_t xdpi_xsk_rx_pending(const struct xdpi_xsk *x)
{
	return __atomic_load_n(x->rx.producer, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(x->rx.consumer, __ATOMIC_RELAXED);
}

/* Takes up to @max RX descriptors; returns how many, first at *@idx. */
static inline uint32_t xdpi_xsk_rx_peek(struct xdpi_xsk *x, uint32_t max, uint32_t *idx)
{
	return xsk_ring_cons__peek(&x->rx, max, idx);
}

/* Puts the last @n descriptors taken back, unread: the next peek returns
 * them again (a multi-buffer frame whose last part has not arrived). */
static inline void xdpi_xsk_rx_unpeek(struct xdpi_xsk *x, uint32_t n)
{
	xsk_ring_cons__cancel(&x->rx, n);
}

static inline const struct xdp_desc *xdpi_xsk_rx_desc(const struct xdpi_xsk *x, uint32_t idx)
{
	return xsk_ring_cons__rx_desc(&x->rx, idx);
}

/*
 * Gives the @n frames taken at @rx_idx back to the kernel's fill ring and
 * releases the RX slots. The kernel publishes how far it has read the fill
 * ring lazily, so a ring sized to the frame count can look full while its
 * frames are already back in RX; the fill ring is therefore made twice the
 * number of RX frames (xdpi_xsk_create), and the reserve cannot come up
 * short. The loop is a guard, not a path.
 */
static inline void xdpi_xsk_rx_done(struct xdpi_xsk *x, uint32_t rx_idx, uint32_t n)
{
	uint32_t fill_idx, i;

	while (xsk_ring_prod__reserve(&x->fill, n, &fill_idx) != n)
		xdpi_xsk_kick_rx(x);
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, fill_idx + i) =
			xsk_umem__extract_addr(xsk_ring_cons__rx_desc(&x->rx, rx_idx + i)->addr);
	xsk_ring_prod__submit(&x->fill, n);
	xsk_ring_cons__release(&x->rx, n);
	if (x->need_wakeup && xsk_ring_prod__needs_wakeup(&x->fill))
		xdpi_xsk_kick_rx(x);
}

/* TX side, for the generator's AF_XDP fallback. The UMEM frames not owned
 * by the fill ring sit on a free stack; a frame goes from the stack to the
 * TX ring and comes back through the completion ring. */

/* Takes a free frame; false when all are in flight. */
static inline bool xdpi_xsk_tx_frame_get(struct xdpi_xsk *x, uint64_t *addr)
{
	if (!x->free_count)
		return false;
	*addr = x->free_frames[--x->free_count];
	return true;
}

/* Reserves up to @n TX descriptors; returns how many, first at *@idx. */
static inline uint32_t xdpi_xsk_tx_reserve(struct xdpi_xsk *x, uint32_t n, uint32_t *idx)
{
	return xsk_ring_prod__reserve(&x->tx, n, idx);
}

static inline struct xdp_desc *xdpi_xsk_tx_desc(struct xdpi_xsk *x, uint32_t idx)
{
	return xsk_ring_prod__tx_desc(&x->tx, idx);
}

/*
 * Gives back the last @n reserved TX descriptors, unfilled, so that the
 * next reserve hands them out again. libxdp (1.3) has a cancel for consumer
 * rings only; a reservation moves nothing but the producer's cached index,
 * which the kernel never reads, so rewinding it is the whole undo.
 */
static inline void xdpi_xsk_tx_cancel(struct xdpi_xsk *x, uint32_t n)
{
	x->tx.cached_prod -= n;
}

/* Queues @n descriptors (already filled at @idx..) and kicks the kernel
 * when it asks for it (copy mode always needs the sendto()). */
static inline void xdpi_xsk_tx_submit(struct xdpi_xsk *x, uint32_t n)
{
	xsk_ring_prod__submit(&x->tx, n);
	if (!x->need_wakeup || xsk_ring_prod__needs_wakeup(&x->tx))
		xdpi_xsk_kick_tx(x);
}

/* Returns sent frames to the free stack; how many completed. */
static inline uint32_t xdpi_xsk_tx_complete(struct xdpi_xsk *x)
{
	uint32_t idx, n = xsk_ring_cons__peek(&x->comp, 64, &idx);

	for (uint32_t i = 0; i < n; i++)
		x->free_frames[x->free_count++] = *xsk_ring_cons__comp_addr(&x->comp, idx + i);
	xsk_ring_cons__release(&x->comp, n);
	return n;
}

/* TX frames handed to the kernel and not yet completed. */
static inline uint32_t xdpi_xsk_tx_in_flight(const struct xdpi_xsk *x)
{
	return x->tx_frames - x->free_count;
}

#endif /* XDPI_XSK_H */
