/* SPDX-License-Identifier: MIT */
/*
 * Userspace side of the XDP steering program (bpf/xdpi.bpf.c): open the
 * embedded object, set its options, attach it through libxdp (bpf/attach.h:
 * shared with other XDP programs through libxdp's dispatcher when the
 * kernel allows it, else a single program), read its per-queue counters,
 * detach it, and remove xdpi's programs a killed run left behind.
 *
 * Errors: int functions return 0 or a negative errno; steer_attach returns
 * NULL, sets errno and writes a one-line reason into @err.
 * Concurrency: steer_queue_stats() may be called from any thread; the rest
 * from the owning thread.
 */
#ifndef XDPI_BPF_STEER_H
#define XDPI_BPF_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attach.h"
#include "xdpi_shared.h"

enum steer_xdp_mode {
	STEER_XDP_AUTO = XDPI_ATTACH_AUTO, /* native (driver) if possible, else generic */
	STEER_XDP_NATIVE = XDPI_ATTACH_NATIVE,
	STEER_XDP_SKB = XDPI_ATTACH_SKB,
};

struct steer_opts {
	const char *ifname;
	enum xdpi_filter_kind filter;
	/* XDPI_FILTER_EXPR: the classic BPF program the XDP program runs
	 * (libpcap's, inspect/filter.h); copied before load, so it may be
	 * freed once steer_attach() returns. */
	const struct xdpi_cbpf_insn *insns;
	uint32_t insn_count;
	enum steer_xdp_mode xdp_mode;
	bool drop_wanted; /* count-and-drop wanted frames (benchmark ceiling) */
	bool force;	  /* replace a program libxdp cannot share */
	/* Passive: copy wanted frames into per-queue rings, pass them all. */
	bool passive;
	/* Passive: which directions are copied (--direction). Frames sent
	 * are copied by a tc egress program that steer_attach_egress() puts
	 * on the interface once the rings are in place. */
	bool copy_in;
	bool copy_out;
	/* Steering with the plain program: put the time the program saw each
	 * frame in front of it (the metadata variant always does). */
	bool stamp_frames;
	uint64_t max_take;  /* take this many wanted frames, pass the rest (0: all) */
	uint32_t snaplen;   /* bytes copied per frame, 1..XDPI_SNAPLEN_MAX */
	uint32_t ring_size; /* bytes per ring: a power of two, >= a page */
	/* Load the metadata variant (bpf/xdpi_shared.h, struct xdpi_rx_meta):
	 * bound to the interface, attached alone in native mode. Where that
	 * fails, steer_attach() falls back to the plain program and says why
	 * in steer_rx_meta()'s @why. */
	bool rx_meta;
	/* Put the struct in the frame's head even where the kernel lets XDP
	 * programs use the metadata area (tests: the path of kernels that do
	 * not). */
	bool meta_in_head;
};

struct steer;

/*
 * Whether the XDP program's interpreter runs classic BPF program @insns as
 * libpcap's bpf_filter() would: at most XDPI_CBPF_MAX_INSNS instructions,
 * the opcodes libpcap emits for Ethernet (no Linux extensions), jumps only
 * forward and inside the program, scratch memory M[0..15], no constant
 * division by 0 or shift by 32 or more, a RET at the end. Returns 0, or
 * -E2BIG / -EINVAL with the reason in @err.
 */
int steer_filter_check(const struct xdpi_cbpf_insn *insns, uint32_t count, char *err,
		       size_t err_len);

struct steer *steer_attach(const struct steer_opts *o, char *err, size_t err_len);
/* Detaches and frees. Accepts NULL. */
void steer_destroy(struct steer *s);
int steer_xskmap_fd(const struct steer *s);
/* Passive: puts the ring buffer map @ring_fd into slot @queue_id. */
int steer_set_ring(struct steer *s, uint32_t queue_id, int ring_fd);
/*
 * Passive, --direction out or inout: every TX queue's copies go to one of
 * @queues (which have their rings in place: steer_set_ring()), round
 * robin, and the egress program is attached (tcx, else clsact; @no_tcx
 * forces clsact, for tests). 0 or -errno with the reason in @err.
 */
int steer_attach_egress(struct steer *s, const uint32_t *queues, int count, bool no_tcx, char *err,
			size_t err_len);
/*
 * Bytes the program puts in front of every frame it redirects (a struct
 * xdpi_rx_meta, which the worker skips: see bpf/xdpi.bpf.c), 0 where the
 * struct goes in the driver's metadata area or there is none. @why, where
 * not NULL, says why the head (a kernel that refuses bpf_xdp_adjust_meta()
 * to XDP programs), or is NULL.
 */
uint32_t steer_meta_head_bytes(const struct steer *s, const char **why);
/* "tcx", "clsact" or "none". */
const char *steer_egress_hook(const struct steer *s);
/* Wanted frames taken so far against max_take (-c); any thread. */
int steer_taken(const struct steer *s, uint64_t *taken);
/* From now on wanted frames pass to the kernel instead of the sockets. */
int steer_stop(struct steer *s);
/* Sums the per-CPU counters of one queue. */
int steer_queue_stats(const struct steer *s, uint32_t queue_id, struct xdpi_queue_stats *out);
/* "native" or "skb". */
const char *steer_xdp_mode_name(const struct steer *s);
/* True when the metadata variant runs; else, if it was asked for, why not
 * into @why (may be NULL). */
bool steer_rx_meta(const struct steer *s, const char **why);
/* False when the kernel has no multi-buffer XDP (before Linux 5.18): the
 * program then sees frames of one buffer only, and the MTU must fit one. */
bool steer_frags(const struct steer *s);
/* Sums the per-CPU metadata counters of one queue. */
int steer_meta_stats(const struct steer *s, uint32_t queue_id, struct xdpi_meta_stats *out);
/* True when libxdp attached through its dispatcher (shareable). */
bool steer_multiprog(const struct steer *s);
/* Runs the loaded program once on @frame (BPF_PROG_TEST_RUN): returns the
 * XDP action or a negative errno. For tests of the in-kernel filter. */
int steer_test_run(const struct steer *s, const void *frame, uint32_t len);
/* The same, also returning the frame as the program left it in @out (at
 * most *out_len bytes; *out_len set to its length). */
int steer_test_run_out(const struct steer *s, const void *frame, uint32_t len, void *out,
		       uint32_t *out_len);
/* Passive with copy_out, loaded only: runs the tc egress program once on
 * @frame as a socket buffer; returns 1 if it wanted the frame (it counts a
 * copy it could not make: there is no ring), 0 if not, or -errno. */
int steer_egress_test_run(const struct steer *s, const void *frame, uint32_t len);
/* The same @repeat times; *@ns is the kernel's mean time per run. */
int steer_test_time(const struct steer *s, const void *frame, uint32_t len, uint32_t repeat,
		    uint32_t *ns);

/*
 * Removes an xdpi program left attached to @ifname (by a process that was
 * killed). Returns 1 if one was removed, 0 if there was none, or -errno.
 * Another program is only removed with @force; so is a program whose
 * owner still runs (-EBUSY, bpf/owner.h) or whose owner cannot be told
 * because /run/xdpi cannot be trusted (-EPERM, not root's).
 */
int steer_detach_iface(const char *ifname, bool force, char *err, size_t err_len);

/* Mounts bpffs at /sys/fs/bpf if nothing is mounted there. Returns 1 if it
 * mounted it, 0 if it was there, -errno if it could not. */
int steer_ensure_bpffs(void);

#endif /* XDPI_BPF_STEER_H */
