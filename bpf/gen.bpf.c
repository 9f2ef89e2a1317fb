// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The generator's XDP program, run by BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES (Linux 5.18+): the kernel hands it the
 * template frame `repeat` times, it stamps flow, sequence and time into it
 * and returns XDP_TX, so the frame leaves through the ingress interface (on
 * veth: into the peer's queue). Frame contents persist between runs of the
 * same page, so every field that varies is rewritten every run.
 *
 * The program is also attached to the sending interface, only so that it
 * stays in the kernel's XDP dispatcher: otherwise every BPF_PROG_RUN call
 * swaps it in and out with a synchronize_rcu() (~25 ms here), which caps
 * the generator at ~40 calls a second. Frames that really arrive there are
 * not ours (their source MAC is not the template's) and pass untouched.
 * Above an MTU of 3506 native XDP on veth takes only a program with frags
 * support, so userspace loads this one with BPF_F_XDP_HAS_FRAGS there
 * (bench/generator.c, gen_load()): it reads and writes only the first 64
 * bytes, which are in the first buffer, so frags change nothing here. Live
 * frames are single-buffer anyway (at most 3412 bytes on the wire).
 *
 * The stamp (bpf/gen_shared.h) is xdpi's, or with `stamp` the kernel
 * pktgen's header, whose wall-clock time is bpf_ktime_get_ns() plus the
 * offset userspace writes into `real_offset_ns` before each run.
 *
 * Flows are split between sender threads (one per CPU): thread t of T owns
 * flows t, t+T, t+2T, ..., so each flow's sequence stays in one thread and
 * arrives in order on one receive queue.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "gen_shared.h"
#include "progs.h"

const volatile __u32 flows = 1;
const volatile __u32 l4_off = 34; /* Ethernet + IPv4 */
const volatile __u32 proto = IPPROTO_TCP;
const volatile __u32 stamp = XDPI_STAMP_XDPI;
const volatile __u32 src_ips = 0; /* --src-ips: 0 or 1, the template's source */
const volatile __u32 src_ip = 0;  /* the first of them, host order */
const volatile __u8 src_mac[6];
/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns, written by userspace before each
 * run (bench/generator.c): pktgen's stamp is wall time, and a program has
 * only bpf_ktime_get_ns(). */
__s64 real_offset_ns;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpi_gen_cpu);
} gen_cpu SEC(".maps");

/* Stamps the template frame at @data as frame st->frames of @st's sender
 * thread, sent at @ns (bpf_ktime_get_ns()), and steps @st: 0, or
 * XDP_ABORTED for a frame too short. */
static __always_inline int gen_stamp_frame(void *data, void *end, struct xdpi_gen_cpu *st, __u64 ns)
{
	__u32 flow, seq, now;
	__u8 *l4;

	st->frames++;
	flow = st->thread + st->threads * st->slot;
	seq = st->seq;
	if (++st->slot == st->mine) {
		st->slot = 0;
		st->seq++;
	}
	now = (__u32)ns;

	if (l4_off > 128)
		return XDP_ABORTED;
	l4 = data + l4_off;
	if (src_ips > 1) {
		if (l4_off < 34 || (void *)l4 > end)
			return XDP_ABORTED;
		xdpi_gen_spoof(l4 - 20, src_ip, src_ips, flows, flow, seq);
	}
	if (stamp == XDPI_STAMP_PKTGEN) {
		/* 24 bytes: UDP header + pktgen's header. */
		if ((void *)(l4 + 24) > end)
			return XDP_ABORTED;
		ns += (__u64)real_offset_ns; /* CLOCK_REALTIME */
		xdpi_gen_stamp_pktgen(l4, flow, seq, (__u32)(ns / 1000000000),
				      (__u32)(ns % 1000000000 / 1000));
		return 0;
	}
	/* 20 bytes: the TCP stamp fields, or UDP header + stamp. */
	if ((void *)(l4 + 20) > end)
		return XDP_ABORTED;
	xdpi_gen_stamp(l4, proto == IPPROTO_UDP, flow, seq, now);
	return 0;
}

/* The template's source MAC: a frame of ours, not one the interface
 * received from elsewhere. */
static __always_inline int gen_frame_ours(void *data, void *end)
{
	if (data + 14 > end)
		return 0;
	for (int i = 0; i < 6; i++)
		if (((__u8 *)data)[6 + i] != src_mac[i])
			return 0;
	return 1;
}

SEC("xdp")
int XDPI_GEN_PROG(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xdpi_gen_cpu *st;
	__u32 key = 0;

	if (!gen_frame_ours(data, end))
		return XDP_PASS; /* a frame received on the interface, not ours */
	st = bpf_map_lookup_elem(&gen_cpu, &key);
	if (!st || !st->threads || !st->mine)
		return XDP_ABORTED;
	return gen_stamp_frame(data, end, st, bpf_ktime_get_ns()) ?: XDP_TX;
}

/*
 * The loop (`--method loop`), for kernels that refuse live frames: a veth
 * pair of the generator's own, this program on one end (A). A frame of ours
 * that arrives at A is stamped and broadcast through gen_loop_out: one copy
 * to the sending interface, the other into the pair's far end (B), whose
 * transmit puts it straight back on A's receive ring. A handful of seed
 * frames, sent once through B by userspace, thus go round and round in A's
 * NAPI poll, and every round sends one frame, without a system call or an
 * skb: the kernel's XDP redirect path at full speed, from one CPU.
 *
 * A's NAPI runs on one CPU at a time, so this program never runs twice at
 * once: the state below needs no atomics. It is bounded in the program
 * itself, whatever userspace does: a frame past the count, past the
 * deadline or after `loop_stop` is dropped, and the loop empties within a
 * round. Paced (`loop_rate`), a frame that is not due goes round without a
 * copy to the sending interface.
 */
#define GEN_LOOP_BACK 0 /* gen_loop_out's slots: B, back into A */
#define GEN_LOOP_OUT 1	/* the sending interface */

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} gen_loop_out SEC(".maps");

struct xdpi_gen_cpu loop_st; /* one sender: flows, sequence, frames sent */
struct xdpi_gen_loop loop;

SEC("xdp")
int XDPI_GEN_LOOP_PROG(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 now;

	if (!gen_frame_ours(data, end))
		return XDP_PASS;
	loop.rounds++;
	now = bpf_ktime_get_ns();
	if (loop.stop || now >= loop.deadline_ns || (loop.count && loop_st.frames >= loop.count) ||
	    !loop_st.mine) {
		loop.retired++;
		return XDP_DROP;
	}
	if (loop.rate) {
		/* Frames due = base_sent + rate * elapsed / 1 s, compared in
		 * ns-frames so that a round divides only when it falls behind. */
		__u64 credit, sent;

		if (!loop.base_ns)
			loop.base_ns = now;
		/* A schedule on time moves on a second at a time, so that the
		 * products below stay within 64 bits however long the run
		 * (rate <= 10^9, about a second of it at most). */
		if (now - loop.base_ns >= 1000000000 &&
		    loop_st.frames - loop.base_sent >= loop.rate) {
			loop.base_ns += 1000000000;
			loop.base_sent += loop.rate;
		}
		credit = (now - loop.base_ns) * loop.rate;
		sent = loop_st.frames - loop.base_sent;
		/* Behind by more than lag_max (the CPU was taken away): a new
		 * schedule, not a burst that no receiver's ring at this rate
		 * would absorb; the frames missed are counted. */
		if (credit >= (sent + loop.lag_max) * 1000000000) {
			loop.fell_behind += credit / 1000000000 - sent;
			loop.base_ns = now;
			loop.base_sent = loop_st.frames;
			credit = 0;
			sent = 0;
		}
		if (sent * 1000000000 > credit)
			return bpf_redirect_map(&gen_loop_out, GEN_LOOP_BACK, 0);
	}
	if (gen_stamp_frame(data, end, &loop_st, now))
		return XDP_ABORTED;
	return bpf_redirect_map(&gen_loop_out, 0, BPF_F_BROADCAST);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
