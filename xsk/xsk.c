// SPDX-License-Identifier: MIT
#include "xsk.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../util/clock.h"
#include "../util/defs.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

#define HUGEPAGE_SIZE (2u << 20)

void xdpi_xsk_opts_defaults(struct xdpi_xsk_opts *o)
{
	memset(o, 0, sizeof(*o));
	/* 2 KiB frames hold a 1518-byte frame after the kernel's 256 bytes
	 * of headroom; 16384 of them (32 MiB) absorb a worker that does not
	 * run for 16 ms at 1 Mpps: a burst after idle meets a wake-up that
	 * long while ordinary work shares its CPU (docs/live.md, "Bursts
	 * after idle"; 8192 lost frames in 2 of 5 such bursts). */
	o->frame_size = XDPI_XSK_DEFAULT_FRAME_SIZE;
	o->fill_size = XDPI_XSK_DEFAULT_RING;
	o->comp_size = XDPI_XSK_DEFAULT_COMP_RING;
	o->rx_size = XDPI_XSK_DEFAULT_RING;
	o->mode = XDPI_XSK_MODE_AUTO;
	o->need_wakeup = true;
	o->busy_poll = true;
	o->busy_poll_usecs = XDPI_XSK_DEFAULT_BUSY_POLL_USECS;
	o->busy_poll_budget = 64;
	o->bind_timeout_ms = XDPI_XSK_BIND_TIMEOUT_MS;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int xdpi_xsk_opts_validate(const struct xdpi_xsk_opts *o, char *err, size_t err_len)
{
	if (!o->ifname || !*o->ifname) {
		snprintf(err, err_len, "no interface given");
		return -EINVAL;
	}
	if (!is_pow2(o->frame_size) || o->frame_size < 2048 ||
	    o->frame_size > (uint32_t)getpagesize()) {
		snprintf(err, err_len, "frame size %u is invalid: a power of two from 2048 to %d",
			 o->frame_size, getpagesize());
		return -EINVAL;
	}
#define CHECK_RING(field, min)                                                                   \
	if ((o->field || (min)) && (!is_pow2(o->field) || o->field < 64 || o->field > 32768)) {  \
		snprintf(err, err_len, #field " %u is invalid: a power of two from 64 to 32768", \
			 o->field);                                                              \
		return -EINVAL;                                                                  \
	}
	CHECK_RING(fill_size, 1)
	CHECK_RING(comp_size, 1)
	CHECK_RING(rx_size, 0)
	CHECK_RING(tx_size, 0)
#undef CHECK_RING
	if (!o->rx_size && !o->tx_size) {
		snprintf(err, err_len, "a socket needs an RX or a TX ring");
		return -EINVAL;
	}
	if (o->mode > XDPI_XSK_MODE_COPY) {
		snprintf(err, err_len, "unknown socket mode %d", o->mode);
		return -EINVAL;
	}
	return 0;
}

/* Hugepages cut TLB misses on the per-packet UMEM accesses; use them only
 * when some are reserved, and say so (xdpi_xsk.hugepages). */
static void *umem_map(size_t size, bool *huge, int *huge_errno)
{
	void *p;

	*huge = false;
	*huge_errno = 0;
	if (size % HUGEPAGE_SIZE == 0) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
		if (p != MAP_FAILED) {
			*huge = true;
			return p;
		}
		*huge_errno = errno; /* for the caller to say why, not to fail */
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
		 0);
	return p == MAP_FAILED ? NULL : p;
}

static int socket_create(struct xdpi_xsk *x, const struct xdpi_xsk_opts *o, bool zerocopy)
{
	struct xsk_socket_config cfg = {
		.rx_size = o->rx_size,
		.tx_size = o->tx_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = (zerocopy ? XDP_ZEROCOPY : XDP_COPY) |
			      (o->need_wakeup ? XDP_USE_NEED_WAKEUP : 0) |
			      (o->multi_buffer ? XDP_USE_SG : 0),
	};

	return xsk_socket__create(&x->xsk, o->ifname, o->queue_id, x->umem,
				  o->rx_size ? &x->rx : NULL, o->tx_size ? &x->tx : NULL, &cfg);
}

/*
 * Registers the UMEM and binds the socket, zero-copy first when asked for
 * auto. A socket that was bound to this queue and has just been closed (the
 * previous receiver of a benchmark, a restarted run) keeps the queue until
 * the kernel's deferred release has run, and bind() says EBUSY meanwhile; so
 * EBUSY is retried with a fresh UMEM registration until o->bind_timeout_ms
 * has passed. A queue still held after that belongs to a live socket.
 */
static int umem_and_socket_create(struct xdpi_xsk *x, const struct xdpi_xsk_opts *o,
				  bool *umem_failed)
{
	const struct xsk_umem_config ucfg = {
		.fill_size = o->fill_size * 2, /* see xdpi_xsk_rx_done() */
		.comp_size = o->comp_size,
		.frame_size = o->frame_size,
		.frame_headroom = 0,
		.flags = 0,
	};
	uint64_t deadline = (xdpi_mono_ns() / 1000000) + o->bind_timeout_ms;
	uint32_t backoff_us = 1000;
	int ret;

	for (;;) {
		ret = xsk_umem__create(&x->umem, x->umem_area, x->umem_size, &x->fill, &x->comp,
				       &ucfg);
		*umem_failed = ret != 0;
		if (ret)
			return ret; /* x->umem is not set: nothing to undo */
		if (o->mode == XDPI_XSK_MODE_COPY) {
			ret = socket_create(x, o, false);
		} else {
			ret = socket_create(x, o, true);
			/* EOPNOTSUPP: the driver has no zero-copy (veth,
			 * most virtual NICs); EINVAL on some older drivers
			 * for the same reason. */
			if (ret && o->mode == XDPI_XSK_MODE_AUTO &&
			    (ret == -EOPNOTSUPP || ret == -EINVAL))
				ret = socket_create(x, o, false);
		}
		if (!ret)
			return 0;
		xsk_umem__delete(x->umem);
		x->umem = NULL;
		if (ret != -EBUSY || (xdpi_mono_ns() / 1000000) >= deadline)
			return ret;
		x->bind_retries++;
		usleep(backoff_us);
		if (backoff_us < 50000)
			backoff_us *= 2;
	}
}

static void busy_poll_setup(struct xdpi_xsk *x, const struct xdpi_xsk_opts *o)
{
	int one = 1, usecs = (int)o->busy_poll_usecs, budget = (int)o->busy_poll_budget;

	/* Best effort: a kernel without it still receives, only without
	 * pulling the NAPI work onto this core; the caller reports it. */
	x->busy_poll_set =
		!setsockopt(x->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) &&
		!setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) &&
		!setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget));
	x->busy_poll = x->busy_poll_set;
}

static int fill_ring_populate(struct xdpi_xsk *x, uint32_t frames)
{
	uint32_t idx, i;

	if (xsk_ring_prod__reserve(&x->fill, frames, &idx) != frames)
		return -ENOSPC;
	for (i = 0; i < frames; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) = (uint64_t)i * x->frame_size;
	xsk_ring_prod__submit(&x->fill, frames);
	return 0;
}

/* Frames the fill ring owns; the TX frames follow them in the UMEM. */
static uint32_t rx_frames_of(const struct xdpi_xsk_opts *o)
{
	return o->rx_size ? o->fill_size : 0;
}

/* Rings' cached indexes are written per batch by the owning worker: the
 * context is kept off lines another worker's allocation could share. */
static struct xdpi_xsk *xsk_ctx_alloc(const struct xdpi_xsk_opts *o)
{
	struct xdpi_xsk *x = xdpi_cacheline_alloc(sizeof(*x));

	if (!x)
		return NULL;
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->frame_size = o->frame_size;
	x->queue_id = o->queue_id;
	x->need_wakeup = o->need_wakeup;
	return x;
}

static int umem_alloc(struct xdpi_xsk *x, const struct xdpi_xsk_opts *o, char *err, size_t err_len)
{
	uint32_t rx_frames = rx_frames_of(o);

	x->num_frames = o->num_frames ? o->num_frames : rx_frames + o->tx_size;
	if (x->num_frames < rx_frames + o->tx_size) {
		snprintf(err, err_len, "%u UMEM frames cannot cover the fill and TX rings",
			 x->num_frames);
		return -EINVAL;
	}
	x->umem_size = (size_t)x->num_frames * o->frame_size;
	x->umem_area = umem_map(x->umem_size, &x->hugepages, &x->hugepages_errno);
	if (!x->umem_area) {
		int ret = -errno;

		snprintf(err, err_len,
			 "cannot map %zu bytes of UMEM for queue %u: %s (the address space "
			 "limit, ulimit -v, or memory; smaller --fill-size or --frame-size "
			 "need less)",
			 x->umem_size, o->queue_id, strerror(errno));
		return ret;
	}
	return 0;
}

/* Why umem_and_socket_create() failed, in the user's terms. */
static void bind_error(const struct xdpi_xsk *x, const struct xdpi_xsk_opts *o, int ret,
		       bool umem_failed, char *err, size_t err_len)
{
	if (umem_failed && ret != -EAFNOSUPPORT)
		snprintf(err, err_len, "cannot register UMEM (%zu bytes): %s", x->umem_size,
			 strerror(-ret));
	else if (ret == -EOPNOTSUPP && o->mode == XDPI_XSK_MODE_ZEROCOPY)
		snprintf(err, err_len,
			 "%s queue %u: the driver has no AF_XDP zero-copy "
			 "(use --mode copy or auto)",
			 o->ifname, o->queue_id);
	else if (ret == -EAFNOSUPPORT)
		snprintf(err, err_len,
			 "this kernel has no AF_XDP sockets "
			 "(CONFIG_XDP_SOCKETS)");
	else if (ret == -EINVAL && o->multi_buffer)
		snprintf(err, err_len,
			 "cannot bind a multi-buffer AF_XDP socket to %s queue %u: this kernel "
			 "(before Linux 6.6) or driver has no AF_XDP multi-buffer, so a frame "
			 "is limited to one %u-byte UMEM frame (lower the MTU or --max-frame)",
			 o->ifname, o->queue_id, o->frame_size);
	else if (ret == -EBUSY)
		snprintf(err, err_len,
			 "%s queue %u is still held by another AF_XDP socket after "
			 "%u ms (another xdpi or AF_XDP program on this queue?)",
			 o->ifname, o->queue_id, o->bind_timeout_ms);
	else
		snprintf(err, err_len, "cannot bind an AF_XDP socket to %s queue %u: %s", o->ifname,
			 o->queue_id, strerror(-ret));
}

/* What the bound socket really got: zero-copy or not, busy polling. */
static void socket_setup(struct xdpi_xsk *x, const struct xdpi_xsk_opts *o)
{
	struct xdp_options xopts;
	socklen_t optlen = sizeof(xopts);

	x->fd = xsk_socket__fd(x->xsk);
	x->multi_buffer = o->multi_buffer;
	if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &xopts, &optlen) == 0)
		x->zerocopy = xopts.flags & XDP_OPTIONS_ZEROCOPY;
	if (o->busy_poll)
		busy_poll_setup(x, o);
}

/* Hands the RX frames to the kernel and stacks the TX frames. */
static int frames_init(struct xdpi_xsk *x, const struct xdpi_xsk_opts *o, char *err, size_t err_len)
{
	uint32_t rx_frames = rx_frames_of(o);

	if (rx_frames && fill_ring_populate(x, rx_frames)) {
		snprintf(err, err_len, "cannot fill the fill ring");
		return -ENOSPC;
	}
	if (!o->tx_size)
		return 0;
	x->free_frames = calloc(o->tx_size, sizeof(*x->free_frames));
	if (!x->free_frames) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < o->tx_size; i++)
		x->free_frames[i] = (uint64_t)(rx_frames + i) * o->frame_size;
	x->free_count = o->tx_size;
	x->tx_frames = o->tx_size;
	return 0;
}

struct xdpi_xsk *xdpi_xsk_create(const struct xdpi_xsk_opts *o, char *err, size_t err_len)
{
	bool umem_failed = false;
	struct xdpi_xsk *x;
	int ret;

	ret = xdpi_xsk_opts_validate(o, err, err_len);
	if (ret)
		goto err_out;
	x = xsk_ctx_alloc(o);
	if (!x) {
		ret = -ENOMEM;
		snprintf(err, err_len, "out of memory");
		goto err_out;
	}
	ret = umem_alloc(x, o, err, err_len);
	if (ret)
		goto err_free;
	ret = umem_and_socket_create(x, o, &umem_failed);
	if (ret) {
		bind_error(x, o, ret, umem_failed, err, err_len);
		goto err_unmap;
	}
	socket_setup(x, o);
	ret = frames_init(x, o, err, err_len);
	if (ret)
		goto err_socket;
	return x;

err_socket:
	xsk_socket__delete(x->xsk);
	xsk_umem__delete(x->umem);
err_unmap:
	munmap(x->umem_area, x->umem_size);
err_free:
	free(x);
err_out:
	errno = -ret;
	return NULL;
}

void xdpi_xsk_destroy(struct xdpi_xsk *x)
{
	if (!x)
		return;
	xsk_socket__delete(x->xsk);
	xsk_umem__delete(x->umem);
	munmap(x->umem_area, x->umem_size);
	free(x->free_frames);
	free(x);
}

int xdpi_xsk_update_xskmap(struct xdpi_xsk *x, int xskmap_fd)
{
	int ret = xsk_socket__update_xskmap(x->xsk, xskmap_fd);

	return ret < 0 ? ret : 0;
}

int xdpi_xsk_stats(const struct xdpi_xsk *x, struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, st, &len))
		return -errno;
	return 0;
}

void xdpi_xsk_kick_rx(struct xdpi_xsk *x)
{
	/* A zero-length recvfrom() runs the NAPI poll (busy polling) or wakes
	 * the driver; EAGAIN is its normal answer. */
	(void)recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

void xdpi_xsk_kick_tx(struct xdpi_xsk *x)
{
	(void)sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
}

uint32_t xdpi_xsk_napi_id(const struct xdpi_xsk *x)
{
	uint32_t id = 0;
	socklen_t len = sizeof(id);

	if (getsockopt(x->fd, SOL_SOCKET, SO_INCOMING_NAPI_ID, &id, &len))
		return 0;
	return id;
}

int xdpi_xsk_wait_rx(struct xdpi_xsk *x, int timeout_ms)
{
	struct pollfd pfd = {.fd = x->fd, .events = POLLIN};
	int ret = poll(&pfd, 1, timeout_ms);

	return ret < 0 ? -errno : ret;
}
