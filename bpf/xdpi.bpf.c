// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdpi's XDP program: classify just enough to decide whether a frame is
 * wanted (Ethernet, two VLAN tags, IPv4/IPv6 and the L4 protocol), steer
 * wanted frames into the AF_XDP socket of their RX queue, pass everything
 * else untouched, and count every decision per queue so that userspace can
 * prove where each redirected frame went (the drop ledger, docs/live.md).
 *
 * Passive mode (`passive`): wanted frames are copied (up to `snaplen`
 * bytes) into the BPF ring buffer of their queue instead, and every frame
 * passes to the kernel: the host keeps its traffic.
 *
 * With a pcap-filter expression (filter == XDPI_FILTER_EXPR) the decision
 * is instead the classic BPF program libpcap compiled it to, run by a small
 * interpreter (cbpf_wanted() below) with the semantics of libpcap's own
 * bpf_filter(), which is what `xdpi read` runs on the same expression.
 *
 * Multi-buffer: both programs are built with frags support ("xdp.frags"):
 * a frame longer than a page (jumbo frames) reaches them as a first buffer
 * and fragments. Direct packet access sees the first buffer only, so a
 * header that runs past it is read again with bpf_xdp_load_bytes()
 * (wanted_slow()); lengths count every fragment.
 *
 * Metadata: the second program, XDPI_STEER_META_PROG, also asks the driver
 * for what it kept out of the frame (the stripped VLAN tag, the RSS hash,
 * the hardware receive time) and puts it in front of each redirected frame
 * as a struct xdpi_rx_meta. The kfuncs it calls need a program bound to
 * one device, so userspace loads one of the two programs, never both.
 *
 * Options are read-only globals set before load. `stopping` is written by
 * userspace at shutdown: from then on wanted frames pass to the kernel, so
 * the sockets can be drained to empty and the ledger closes exactly.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpi_shared.h"
#include "progs.h"

#define ETH_P_8021AD_ 0x88A8

const volatile __u32 filter = XDPI_FILTER_TCP;
const volatile __u32 drop_wanted = 0; /* count-and-drop: the in-kernel ceiling */
const volatile __u32 passive = 0;
const volatile __u32 snaplen = 512; /* passive: bytes copied per frame */
/* Passive: wake the worker once this much waits in its ring. A worker that
 * spins needs no wake-up, and one per record costs the producer an
 * interrupt each; a sleeping one also wakes on its poll() timeout. */
const volatile __u64 ring_wake_bytes = 0;

/* XDPI_FILTER_EXPR: the program, checked in userspace (steer_filter_check()
 * in bpf/steer.c: known opcodes, forward jumps inside it, a RET at its end). */
const volatile __u32 cbpf_len = 0;
const volatile struct xdpi_cbpf_insn cbpf_insns[XDPI_CBPF_MAX_INSNS] = {};

volatile __u32 stopping;

/* -c N: frames taken so far (all CPUs, one counter), against max_take.
 * In a map of its own: userspace rewrites .bss whole to set `stopping`. */
const volatile __u64 max_take = 0; /* 0: no limit */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} taken SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDPI_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

/* Passive: a ring per queue, created and inserted by userspace; every ring
 * has the size the template has when the program is loaded. */
/* clang-format off */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPI_MAX_QUEUES);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_RINGBUF);
		__uint(max_entries, XDPI_COPY_RING_MIN);
	});
} rings SEC(".maps");
/* clang-format on */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPI_MAX_QUEUES);
	__type(key, __u32);
	__type(value, struct xdpi_queue_stats);
} queue_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPI_MAX_QUEUES);
	__type(key, __u32);
	__type(value, struct xdpi_meta_stats);
} meta_stats SEC(".maps");

/* The driver's metadata (weak: a kernel without one of them loads the
 * program with that field never set). The enum is the kernel's; only its
 * name matters to the type check. */
enum xdp_rss_hash_type { XDPI_RSS_TYPE_NONE_ = 0 };
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym __weak;
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym __weak;
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
					__u16 *vlan_tci) __ksym __weak;

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

/* Returns the IP protocol number, -1 if not IP, or L4_CUT if a header runs
 * past @end (the first buffer's end: the rest may be in fragments). */
#define L4_CUT (-2)

static __always_inline int l4_proto(void *data, void *end, __u16 eth_type, __u32 off)
{
	if (eth_type == bpf_htons(ETH_P_IP)) {
		__u8 *ip = data + off;

		if ((void *)(ip + 20) > end)
			return L4_CUT;
		if ((ip[0] >> 4) != 4)
			return -1;
		return ip[9];
	}
	if (eth_type == bpf_htons(ETH_P_IPV6)) {
		__u8 *ip = data + off;
		__u8 *cur;
		__u8 next, hdr;
		int i;

		if ((void *)(ip + 40) > end)
			return L4_CUT;
		if ((ip[0] >> 4) != 6)
			return -1;
		next = ip[6];
		cur = ip + 40;
#pragma unroll
		for (i = 0; i < XDPI_FILTER_IPV6_EXT_MAX; i++) {
			if (next != 0 && next != 43 && next != 44 && next != 60)
				return next;
			if ((void *)(cur + 8) > end)
				return L4_CUT;
			hdr = next;
			next = cur[0];
			/* Past a fragment header with a non-zero offset comes
			 * fragment payload, not headers: its next header is
			 * the answer, as an IPv4 fragment's protocol is. */
			if (hdr == 44 && ((cur[2] << 8 | cur[3]) >> 3))
				return next;
			/* The fragment header has no length field: always 8 bytes. */
			cur += hdr == 44 ? 8 : ((__u32)cur[1] + 1) * 8;
		}
		return -1;
	}
	return -1;
}

/*
 * The classic BPF interpreter. Its state lives on the caller's stack and
 * bpf_loop() runs one instruction per call, so the verifier checks the step
 * once whatever the program. Packet loads go through bpf_xdp_load_bytes(),
 * which takes any offset and fails past the end: the load then rejects the
 * frame (returns 0), as libpcap's and the kernel's interpreters do. Scratch
 * memory and the program are indexed under masks the checks in userspace
 * make redundant, so that the verifier sees every access bounded.
 */
struct cbpf_run {
	struct xdp_md *ctx;
	__u32 pc;
	__u32 a;
	__u32 x;
	__u32 verdict;
	__u32 mem[XDPI_CBPF_MEMWORDS];
};

/* Big-endian load of @size (1, 2 or 4) bytes at @off; -1 past the end. */
static __always_inline int cbpf_load(struct cbpf_run *r, __u32 off, __u32 size, __u32 *out)
{
	__u8 b[4];

	if (size == 4) {
		if (bpf_xdp_load_bytes(r->ctx, off, b, 4))
			return -1;
		*out = (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
	} else if (size == 2) {
		if (bpf_xdp_load_bytes(r->ctx, off, b, 2))
			return -1;
		*out = (__u32)b[0] << 8 | b[1];
	} else {
		if (bpf_xdp_load_bytes(r->ctx, off, b, 1))
			return -1;
		*out = b[0];
	}
	return 0;
}

/* X + k for an indirect load; -1 when it wraps (past any frame). */
static __always_inline int cbpf_ind(const struct cbpf_run *r, __u32 k, __u32 *off)
{
	*off = r->x + k;
	return *off < k ? -1 : 0;
}

/* One instruction: returns 0 to go on, 1 once r->verdict is set. */
static long cbpf_step(__u64 index, void *data)
{
	struct cbpf_run *r = data;
	__u32 pc = r->pc, k, off, v;
	__u16 code;
	__u8 jt, jf;

	if (pc >= cbpf_len || pc >= XDPI_CBPF_MAX_INSNS)
		goto reject; /* ran off the end: the check in userspace forbids it */
	code = cbpf_insns[pc].code;
	jt = cbpf_insns[pc].jt;
	jf = cbpf_insns[pc].jf;
	k = cbpf_insns[pc].k;
	r->pc = pc + 1;

	switch (code) {
	case BPF_RET | BPF_K:
		r->verdict = k;
		return 1;
	case BPF_RET | BPF_A:
		r->verdict = r->a;
		return 1;

	case BPF_LD | BPF_W | BPF_ABS:
		if (cbpf_load(r, k, 4, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_H | BPF_ABS:
		if (cbpf_load(r, k, 2, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_B | BPF_ABS:
		if (cbpf_load(r, k, 1, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_W | BPF_IND:
		if (cbpf_ind(r, k, &off) || cbpf_load(r, off, 4, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_H | BPF_IND:
		if (cbpf_ind(r, k, &off) || cbpf_load(r, off, 2, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_B | BPF_IND:
		if (cbpf_ind(r, k, &off) || cbpf_load(r, off, 1, &r->a))
			goto reject;
		return 0;
	case BPF_LDX | BPF_MSH | BPF_B:
		if (cbpf_load(r, k, 1, &v))
			goto reject;
		r->x = (v & 0xf) << 2;
		return 0;
	/* The whole frame's length, fragments included (a test run hands
	 * the program a long frame in several buffers). */
	case BPF_LD | BPF_W | BPF_LEN:
		r->a = bpf_xdp_get_buff_len(r->ctx);
		return 0;
	case BPF_LDX | BPF_W | BPF_LEN:
		r->x = bpf_xdp_get_buff_len(r->ctx);
		return 0;
	case BPF_LD | BPF_IMM:
		r->a = k;
		return 0;
	case BPF_LDX | BPF_IMM:
		r->x = k;
		return 0;
	case BPF_LD | BPF_MEM:
		r->a = r->mem[k & (XDPI_CBPF_MEMWORDS - 1)];
		return 0;
	case BPF_LDX | BPF_MEM:
		r->x = r->mem[k & (XDPI_CBPF_MEMWORDS - 1)];
		return 0;
	case BPF_ST:
		r->mem[k & (XDPI_CBPF_MEMWORDS - 1)] = r->a;
		return 0;
	case BPF_STX:
		r->mem[k & (XDPI_CBPF_MEMWORDS - 1)] = r->x;
		return 0;

	case BPF_ALU | BPF_ADD | BPF_K:
		r->a += k;
		return 0;
	case BPF_ALU | BPF_ADD | BPF_X:
		r->a += r->x;
		return 0;
	case BPF_ALU | BPF_SUB | BPF_K:
		r->a -= k;
		return 0;
	case BPF_ALU | BPF_SUB | BPF_X:
		r->a -= r->x;
		return 0;
	case BPF_ALU | BPF_MUL | BPF_K:
		r->a *= k;
		return 0;
	case BPF_ALU | BPF_MUL | BPF_X:
		r->a *= r->x;
		return 0;
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		if (!v)
			goto reject; /* classic BPF: division by zero returns 0 */
		r->a /= v;
		return 0;
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_X:
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		if (!v)
			goto reject;
		r->a %= v;
		return 0;
	case BPF_ALU | BPF_AND | BPF_K:
		r->a &= k;
		return 0;
	case BPF_ALU | BPF_AND | BPF_X:
		r->a &= r->x;
		return 0;
	case BPF_ALU | BPF_OR | BPF_K:
		r->a |= k;
		return 0;
	case BPF_ALU | BPF_OR | BPF_X:
		r->a |= r->x;
		return 0;
	case BPF_ALU | BPF_XOR | BPF_K:
		r->a ^= k;
		return 0;
	case BPF_ALU | BPF_XOR | BPF_X:
		r->a ^= r->x;
		return 0;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
		/* As libpcap: a shift by 32 or more gives 0 (and the check
		 * in userspace refuses a constant one, as libpcap does). */
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		r->a = v < 32 ? r->a << v : 0;
		return 0;
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		r->a = v < 32 ? r->a >> v : 0;
		return 0;
	case BPF_ALU | BPF_NEG:
		r->a = 0 - r->a;
		return 0;

	case BPF_JMP | BPF_JA:
		r->pc += k; /* forward and inside: checked in userspace */
		return 0;
	case BPF_JMP | BPF_JEQ | BPF_K:
		r->pc += r->a == k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JEQ | BPF_X:
		r->pc += r->a == r->x ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGT | BPF_K:
		r->pc += r->a > k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGT | BPF_X:
		r->pc += r->a > r->x ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGE | BPF_K:
		r->pc += r->a >= k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGE | BPF_X:
		r->pc += r->a >= r->x ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JSET | BPF_K:
		r->pc += r->a & k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JSET | BPF_X:
		r->pc += r->a & r->x ? jt : jf;
		return 0;

	case BPF_MISC | BPF_TAX:
		r->x = r->a;
		return 0;
	case BPF_MISC | BPF_TXA:
		r->a = r->x;
		return 0;
	}
reject: /* an unknown opcode too: the check in userspace forbids them */
	r->verdict = 0;
	return 1;
}

/* The expression's verdict: non-zero accepts (libpcap returns the snap
 * length), 0 rejects, as does a program that never reaches a RET. */
static __noinline int cbpf_wanted(struct xdp_md *ctx)
{
	struct cbpf_run r = {.ctx = ctx};

	bpf_loop(XDPI_CBPF_MAX_INSNS, cbpf_step, &r, 0);
	return r.verdict != 0;
}

/*
 * wanted()'s classification for a frame whose headers run past its first
 * buffer, through bpf_xdp_load_bytes(), which reads across fragments. The
 * same reads as the direct path, so the same answers: a header is taken
 * only whole (20 bytes of IPv4, 40 of IPv6, 8 of an extension header).
 */
static __noinline int wanted_slow(struct xdp_md *ctx)
{
	__u8 b[40];
	__u32 off = 12, cur;
	__u16 type;
	__u8 next, hdr;
	int i;

	if (bpf_xdp_load_bytes(ctx, off, b, 2))
		return 0;
	type = (__u16)(b[0] << 8 | b[1]);
	off += 2;
	for (i = 0; i < 2; i++) {
		if (type != ETH_P_8021Q && type != ETH_P_8021AD_)
			break;
		if (bpf_xdp_load_bytes(ctx, off, b, 4))
			return 0;
		type = (__u16)(b[2] << 8 | b[3]);
		off += 4;
	}
	if (type != ETH_P_IP && type != ETH_P_IPV6)
		return 0;
	if (filter == XDPI_FILTER_IP)
		return 1;
	if (type == ETH_P_IP) {
		if (bpf_xdp_load_bytes(ctx, off, b, 20) || (b[0] >> 4) != 4)
			return 0;
		next = b[9];
		goto l4;
	}
	if (bpf_xdp_load_bytes(ctx, off, b, 40) || (b[0] >> 4) != 6)
		return 0;
	next = b[6];
	cur = off + 40;
	for (i = 0; i < XDPI_FILTER_IPV6_EXT_MAX; i++) {
		if (next != 0 && next != 43 && next != 44 && next != 60)
			goto l4;
		if (cur > 0xffff || bpf_xdp_load_bytes(ctx, cur, b, 8))
			return 0;
		hdr = next;
		next = b[0];
		if (hdr == 44 && ((b[2] << 8 | b[3]) >> 3))
			goto l4;
		cur += hdr == 44 ? 8 : ((__u32)b[1] + 1) * 8;
	}
	return 0;
l4:
	return next == (filter == XDPI_FILTER_TCP ? IPPROTO_TCP : IPPROTO_UDP);
}

/* The first buffer ended before the headers did: read on in the fragments,
 * if there are any. */
static __always_inline int wanted_cut(struct xdp_md *ctx)
{
	if (bpf_xdp_get_buff_len(ctx) <= (__u64)(ctx->data_end - ctx->data))
		return 0;
	return wanted_slow(ctx);
}

static __always_inline int wanted(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	__u16 type;
	int i, proto;

	if (filter == XDPI_FILTER_EXPR)
		return cbpf_wanted(ctx);
	if (filter == XDPI_FILTER_ALL)
		return 1;
	if ((void *)(eth + 1) > end)
		return wanted_cut(ctx);
	type = eth->h_proto;
#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_hdr_ *vh = data + off;

		if (type != bpf_htons(ETH_P_8021Q) && type != bpf_htons(ETH_P_8021AD_))
			break;
		if ((void *)(vh + 1) > end)
			return wanted_cut(ctx);
		type = vh->proto;
		off += sizeof(*vh);
	}
	if (type != bpf_htons(ETH_P_IP) && type != bpf_htons(ETH_P_IPV6))
		return 0;
	if (filter == XDPI_FILTER_IP)
		return 1;
	proto = l4_proto(data, end, type, off);
	if (proto == L4_CUT)
		return wanted_cut(ctx);
	return proto == (filter == XDPI_FILTER_TCP ? IPPROTO_TCP : IPPROTO_UDP);
}

/* Passive: a copy of the frame's first bytes for userspace; the frame
 * itself passes to the kernel whatever happens here. */
static __always_inline int copy_frame(struct xdp_md *ctx, struct xdpi_queue_stats *st, __u32 qid)
{
	__u64 whole = bpf_xdp_get_buff_len(ctx), cap = snaplen;
	struct xdpi_copy_rec *rec;
	void *ring;

	ring = bpf_map_lookup_elem(&rings, &qid);
	if (!ring) {
		st->redirect_failed++; /* no worker on this queue */
		return XDP_PASS;
	}
	if (cap > whole) /* bpf_xdp_load_bytes() reads across fragments */
		cap = whole;
	/* A fixed size per record: snaplen is a constant once loaded. */
	rec = bpf_ringbuf_reserve(ring, sizeof(*rec) + snaplen, 0);
	if (!rec) {
		st->copy_failed++;
		return XDP_PASS;
	}
	/* The verifier must see cap within the record on the register the
	 * helper gets: bound it there, after anything that could reload it. */
	asm volatile("" : "+r"(cap));
	if (cap < 1 || cap > snaplen || cap > XDPI_SNAPLEN_MAX ||
	    bpf_xdp_load_bytes(ctx, 0, rec->data, cap)) {
		bpf_ringbuf_discard(rec, 0);
		st->copy_failed++;
		return XDP_PASS;
	}
	rec->ts_ns = bpf_ktime_get_ns();
	rec->wire_len = bpf_xdp_get_buff_len(ctx);
	rec->cap_len = cap;
	bpf_ringbuf_submit(rec, bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= ring_wake_bytes
					? BPF_RB_FORCE_WAKEUP
					: BPF_RB_NO_WAKEUP);
	st->copied++;
	return XDP_PASS;
}

/*
 * Asks the driver what it kept out of the frame and writes it in front of
 * the frame (struct xdpi_rx_meta). Every field is optional: a driver without
 * a kfunc, or without the value for this frame (veth has them only for
 * frames that came as an skb), leaves its flag clear. A zero timestamp is
 * none (veth reports 0 for an skb without one).
 */
static __always_inline void put_meta(struct xdp_md *ctx, __u32 qid)
{
	struct xdpi_meta_stats *ms = bpf_map_lookup_elem(&meta_stats, &qid);
	struct xdpi_rx_meta *meta;
	enum xdp_rss_hash_type hash_type = XDPI_RSS_TYPE_NONE_;
	__u64 ts = 0;
	__u32 hash = 0;
	__u16 tci = 0, flags = 0;
	__be16 proto = 0;

	if (!ms)
		return;
	if (bpf_xdp_metadata_rx_vlan_tag && !bpf_xdp_metadata_rx_vlan_tag(ctx, &proto, &tci)) {
		flags |= XDPI_META_VLAN;
		ms->vlan++;
	}
	if (bpf_xdp_metadata_rx_hash && !bpf_xdp_metadata_rx_hash(ctx, &hash, &hash_type)) {
		flags |= XDPI_META_HASH;
		ms->hash++;
	}
	if (bpf_xdp_metadata_rx_timestamp && !bpf_xdp_metadata_rx_timestamp(ctx, &ts) && ts) {
		flags |= XDPI_META_TIMESTAMP;
		ms->timestamp++;
	}
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta))) {
		ms->no_room++;
		return;
	}
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data) {
		ms->no_room++;
		return;
	}
	meta->rx_timestamp_ns = ts;
	meta->rx_hash = hash;
	meta->rx_hash_type = (__u32)hash_type;
	meta->vlan_tci = tci;
	meta->vlan_proto = bpf_ntohs(proto);
	meta->flags = flags;
	meta->magic = XDPI_META_MAGIC;
}

static __always_inline int steer(struct xdp_md *ctx, const int with_meta)
{
	__u32 qid = ctx->rx_queue_index;
	__u64 len = bpf_xdp_get_buff_len(ctx);
	struct xdpi_queue_stats *st;
	long ret;

	st = bpf_map_lookup_elem(&queue_stats, &qid);
	if (!st)
		return XDP_PASS; /* queue id beyond our slots */
	st->seen++;
	st->seen_bytes += len;

	if (!wanted(ctx)) {
		st->passed++;
		return XDP_PASS;
	}
	if (max_take) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&taken, &zero);

		/* Exactly max_take taken; the rest pass, as after a stop. */
		if (!n || __sync_fetch_and_add(n, 1) >= max_take) {
			st->stopping_passed++;
			return XDP_PASS;
		}
	}
	if (drop_wanted) {
		st->dropped++;
		return XDP_DROP;
	}
	if (stopping) {
		st->stopping_passed++;
		return XDP_PASS;
	}
	if (passive)
		return copy_frame(ctx, st, qid);
	if (len > (__u64)(ctx->data_end - ctx->data)) {
		struct xdpi_meta_stats *ms = bpf_map_lookup_elem(&meta_stats, &qid);

		if (ms)
			ms->multi_buffer++;
	}
	if (with_meta)
		put_meta(ctx, qid);
	/* The flags' low bits are the action when the slot is empty: a queue
	 * without a socket keeps working. */
	ret = bpf_redirect_map(&xsks, qid, XDP_PASS);
	if (ret == XDP_REDIRECT) {
		st->redirected++;
		st->redirected_bytes += len;
	} else {
		st->redirect_failed++;
	}
	return ret;
}

SEC("xdp.frags")
int XDPI_STEER_PROG(struct xdp_md *ctx)
{
	return steer(ctx, 0);
}

SEC("xdp.frags")
int XDPI_STEER_META_PROG(struct xdp_md *ctx)
{
	return steer(ctx, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
