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
 * Time stamps: with stamp_frames, every redirected frame also gets the
 * time the program saw it (bpf_ktime_get_ns()) in its struct xdpi_rx_meta,
 * where the NIC gave none: the worker dates each frame by it, not by its
 * batch (docs/live.md, "Time stamps").
 *
 * Where the struct goes: the driver's metadata area in front of the frame
 * (bpf_xdp_adjust_meta()), or, with meta_in_head, the frame's own head
 * (bpf_xdp_adjust_head()), for kernels whose XDP programs may not call the
 * first: the frame then reaches its socket that much longer, and the
 * worker skips the struct. A frame not redirected gets its head back.
 *
 * Frames sent (passive, --direction out or inout): XDPI_EGRESS_PROG, a tc
 * program loaded from this object, so that it shares the rings, counters,
 * options and filter, copies each wanted outbound frame into the ring of
 * the queue out_queue names, flagged XDPI_COPY_OUT (bpf/egress.h attaches
 * it). The classification it needs from a socket buffer is the same code
 * as the XDP program's, instantiated for each context (classify.bpf.h).
 *
 * Options are read-only globals set before load. `stopping` is written by
 * userspace at shutdown: from then on wanted frames pass to the kernel, so
 * the sockets can be drained to empty and the ledger closes exactly.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpi_shared.h"
#include "progs.h"

#define ETH_P_8021AD_ 0x88A8

const volatile __u32 filter = XDPI_FILTER_TCP;
const volatile __u32 drop_wanted = 0; /* count-and-drop: the in-kernel ceiling */
const volatile __u32 passive = 0;
const volatile __u32 copy_in = 1;   /* passive: copy frames received (--direction) */
const volatile __u32 snaplen = 512; /* passive: bytes copied per frame */
/* Steering: put the time the program saw each frame in front of it, in
 * the driver's metadata where the NIC gave no time of its own, or alone
 * (a struct xdpi_rx_meta with only that) from the plain program. The
 * clock read is most of the cost (docs/benchmarks.md): off with
 * --no-frame-times, frames are then dated by their batch. */
const volatile __u32 stamp_frames = 0;
/* The struct xdpi_rx_meta in the frame's head, not the metadata area. */
const volatile __u32 meta_in_head = 0;
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

/* Passive, frames sent: TX queue -> the queue whose ring and counters take
 * their copies. Userspace fills every slot (a TX queue has no worker of
 * its own; any worker will do, the flow table is shared). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPI_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} out_queue SEC(".maps");

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

#define CLS_CTX struct xdp_md
#define CLS_SUFFIX xdp
#define CLS_LOAD(ctx, off, buf, len) bpf_xdp_load_bytes(ctx, off, buf, len)
#define CLS_LEN(ctx) bpf_xdp_get_buff_len(ctx)
#include "classify.bpf.h"

#define CLS_CTX struct __sk_buff
#define CLS_SUFFIX skb
#define CLS_LOAD(ctx, off, buf, len) bpf_skb_load_bytes(ctx, off, buf, len)
#define CLS_LEN(ctx) ((ctx)->len)
#include "classify.bpf.h"

/* The first buffer ended before the headers did: read on in the fragments,
 * if there are any. */
static __always_inline int wanted_cut(struct xdp_md *ctx)
{
	if (bpf_xdp_get_buff_len(ctx) <= (__u64)(ctx->data_end - ctx->data))
		return 0;
	return wanted_slow_xdp(ctx);
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
		return cbpf_wanted_xdp(ctx);
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

/*
 * Passive: reserves a copy record with room for @cap bytes. The verifier
 * wants a constant size, so the room is the smallest of a few fixed sizes
 * that holds them (a header-only frame, a 1500-byte MTU frame with two
 * tags, a page, a 9000-byte jumbo frame), else the snap length: a large
 * snap length costs ring space only for the frames that are long. A record
 * may be longer than a page (the ring's data pages are mapped twice in a
 * row, in the kernel as in the reader), but no longer than the ring:
 * userspace refuses a --ring-size that holds no record of the snap length.
 */
#define XDPI_COPY_CLASS(n)                                                               \
	if (cap <= (n) && snaplen > (n)) {                                               \
		*room = (n);                                                             \
		return bpf_ringbuf_reserve(ring, sizeof(struct xdpi_copy_rec) + (n), 0); \
	}
static __always_inline struct xdpi_copy_rec *copy_reserve(void *ring, __u64 cap, __u64 *room)
{
	XDPI_COPY_CLASS(256)
	XDPI_COPY_CLASS(1536)
	XDPI_COPY_CLASS(4064)
	XDPI_COPY_CLASS(9216)
	*room = snaplen;
	return bpf_ringbuf_reserve(ring, sizeof(struct xdpi_copy_rec) + snaplen, 0);
}

/* Passive: a copy of the frame's first bytes for userspace; the frame
 * itself passes to the kernel whatever happens here. */
static __always_inline int copy_frame(struct xdp_md *ctx, struct xdpi_queue_stats *st, __u32 qid)
{
	__u64 whole = bpf_xdp_get_buff_len(ctx), cap = snaplen, room;
	struct xdpi_copy_rec *rec;
	void *ring;

	ring = bpf_map_lookup_elem(&rings, &qid);
	if (!ring) {
		st->redirect_failed++; /* no worker on this queue */
		return XDP_PASS;
	}
	if (cap > whole) /* bpf_xdp_load_bytes() reads across fragments */
		cap = whole;
	rec = copy_reserve(ring, cap, &room);
	if (!rec) {
		st->copy_failed++;
		return XDP_PASS;
	}
	/* The verifier must see cap within the record on the register the
	 * helper gets: bound it there, after anything that could reload it. */
	asm volatile("" : "+r"(cap));
	if (cap < 1 || cap > room || cap > XDPI_SNAPLEN_MAX ||
	    bpf_xdp_load_bytes(ctx, 0, rec->data, cap)) {
		bpf_ringbuf_discard(rec, 0);
		st->copy_failed++;
		return XDP_PASS;
	}
	rec->ts_ns = bpf_ktime_get_ns();
	rec->wire_len = bpf_xdp_get_buff_len(ctx);
	rec->cap_len = cap;
	rec->flags = 0;
	bpf_ringbuf_submit(rec, bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= ring_wake_bytes
					? BPF_RB_FORCE_WAKEUP
					: BPF_RB_NO_WAKEUP);
	st->copied++;
	return XDP_PASS;
}

/*
 * Room for a struct xdpi_rx_meta in front of the frame (see the file
 * comment): returns it with *head_bytes set to what the frame's head grew
 * by, or NULL where there is none. With meta_in_head, NULL and
 * *head_bytes < 0 mean the frame must not be redirected: its worker would
 * take its first bytes for the struct.
 */
static __always_inline struct xdpi_rx_meta *meta_room(struct xdp_md *ctx, int *head_bytes)
{
	struct xdpi_rx_meta *meta;

	*head_bytes = 0;
	if (meta_in_head) {
		*head_bytes = -1;
		if (bpf_xdp_adjust_head(ctx, -(int)sizeof(*meta)))
			return NULL;
		meta = (void *)(long)ctx->data;
		if ((void *)(meta + 1) > (void *)(long)ctx->data_end) {
			bpf_xdp_adjust_head(ctx, (int)sizeof(*meta));
			return NULL;
		}
		*head_bytes = (int)sizeof(*meta);
		return meta;
	}
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return NULL;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return NULL;
	return meta;
}

/*
 * Asks the driver what it kept out of the frame and writes it in front of
 * the frame (struct xdpi_rx_meta). Every field is optional: a driver without
 * a kfunc, or without the value for this frame (veth has them only for
 * frames that came as an skb), leaves its flag clear. A zero timestamp is
 * none (veth reports 0 for an skb without one). Returns meta_room()'s
 * *head_bytes.
 */
static __always_inline int put_meta(struct xdp_md *ctx, __u32 qid)
{
	struct xdpi_meta_stats *ms = bpf_map_lookup_elem(&meta_stats, &qid);
	struct xdpi_rx_meta *meta;
	enum xdp_rss_hash_type hash_type = XDPI_RSS_TYPE_NONE_;
	__u64 ts = 0;
	__u32 hash = 0;
	__u16 tci = 0, flags = 0;
	__be16 proto = 0;
	int head_bytes;

	if (!ms) /* no struct: in the head, the frame must not go */
		return meta_in_head ? -1 : 0;
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
	} else if (stamp_frames) {
		ts = bpf_ktime_get_ns();
		flags |= XDPI_META_MONO_TIME;
	}
	meta = meta_room(ctx, &head_bytes);
	if (!meta) {
		ms->no_room++;
		return head_bytes;
	}
	meta->rx_timestamp_ns = ts;
	meta->rx_hash = hash;
	meta->rx_hash_type = (__u32)hash_type;
	meta->vlan_tci = tci;
	meta->vlan_proto = bpf_ntohs(proto);
	meta->flags = flags;
	meta->magic = XDPI_META_MAGIC;
	return head_bytes;
}

/* The plain program's metadata: only the time it saw the frame, so that
 * the worker dates each frame and not only each batch. Returns
 * meta_room()'s *head_bytes. */
static __always_inline int put_stamp(struct xdp_md *ctx, __u32 qid)
{
	struct xdpi_meta_stats *ms;
	struct xdpi_rx_meta *meta;
	int head_bytes;

	meta = meta_room(ctx, &head_bytes);
	if (meta) {
		meta->rx_timestamp_ns = bpf_ktime_get_ns();
		meta->rx_hash = 0;
		meta->rx_hash_type = 0;
		meta->vlan_tci = 0;
		meta->vlan_proto = 0;
		meta->flags = XDPI_META_MONO_TIME;
		meta->magic = XDPI_META_MAGIC;
		return head_bytes;
	}
	ms = bpf_map_lookup_elem(&meta_stats, &qid);
	if (ms)
		ms->no_room++;
	return head_bytes;
}

static __always_inline int steer(struct xdp_md *ctx, const int with_meta)
{
	__u32 qid = ctx->rx_queue_index;
	__u64 len = bpf_xdp_get_buff_len(ctx);
	struct xdpi_queue_stats *st;
	int head_bytes = 0;
	long ret;

	st = bpf_map_lookup_elem(&queue_stats, &qid);
	if (!st)
		return XDP_PASS; /* queue id beyond our slots */
	st->seen++;
	st->seen_bytes += len;

	if (!wanted(ctx) || (passive && !copy_in)) {
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
		head_bytes = put_meta(ctx, qid);
	else if (stamp_frames)
		head_bytes = put_stamp(ctx, qid);
	if (head_bytes < 0) { /* no room in its head: it cannot go as it would be read */
		st->redirect_failed++;
		return XDP_PASS;
	}
	/* The flags' low bits are the action when the slot is empty: a queue
	 * without a socket keeps working. */
	ret = bpf_redirect_map(&xsks, qid, XDP_PASS);
	if (ret == XDP_REDIRECT) {
		st->redirected++;
		st->redirected_bytes += len;
	} else {
		if (head_bytes) /* the stack gets the frame as it came */
			bpf_xdp_adjust_head(ctx, head_bytes);
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

/*
 * Passive, frames sent (--direction out or inout): a copy of each wanted
 * frame into the ring out_queue picks, flagged XDPI_COPY_OUT; the frame
 * goes on whatever happens here. A VLAN tag the stack left to the NIC
 * (skb->vlan_present) is put back into the copy, where the wire has it.
 */
static __always_inline void copy_skb(struct __sk_buff *skb, struct xdpi_queue_stats *st, __u32 q)
{
	__u32 tagged = skb->vlan_present ? 4 : 0;
	__u64 whole = (__u64)skb->len + tagged, cap = snaplen, room, rest;
	struct xdpi_copy_rec *rec;
	void *ring;

	ring = bpf_map_lookup_elem(&rings, &q);
	if (!ring) {
		st->copy_out_failed++;
		return;
	}
	if (cap > whole)
		cap = whole;
	rec = copy_reserve(ring, cap, &room);
	if (!rec) {
		st->copy_out_failed++;
		return;
	}
	asm volatile("" : "+r"(cap));
	if (cap < 1 || cap > room || cap > XDPI_SNAPLEN_MAX)
		goto fail;
	if (!tagged) {
		if (bpf_skb_load_bytes(skb, 0, rec->data, cap))
			goto fail;
	} else {
		/* The addresses, the tag, then the rest from the EtherType. */
		if (cap < 16 || room < 16 || bpf_skb_load_bytes(skb, 0, rec->data, 12))
			goto fail;
		*(__u16 *)&rec->data[12] = (__u16)skb->vlan_proto; /* network order */
		*(__u16 *)&rec->data[14] = bpf_htons((__u16)skb->vlan_tci);
		rest = cap - 16;
		asm volatile("" : "+r"(rest));
		if (rest > room - 16 || rest > XDPI_SNAPLEN_MAX - 16 ||
		    (rest && bpf_skb_load_bytes(skb, 12, rec->data + 16, rest)))
			goto fail;
	}
	rec->ts_ns = bpf_ktime_get_ns();
	rec->wire_len = (__u32)whole;
	rec->cap_len = cap;
	rec->flags = XDPI_COPY_OUT;
	bpf_ringbuf_submit(rec, bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= ring_wake_bytes
					? BPF_RB_FORCE_WAKEUP
					: BPF_RB_NO_WAKEUP);
	st->copied_out++;
	return;
fail:
	bpf_ringbuf_discard(rec, 0);
	st->copy_out_failed++;
}

static __always_inline int wanted_skb(struct __sk_buff *skb)
{
	if (filter == XDPI_FILTER_EXPR)
		return cbpf_wanted_skb(skb);
	if (filter == XDPI_FILTER_ALL)
		return 1;
	return wanted_slow_skb(skb);
}

/* tcx or clsact egress: returns TC_ACT_UNSPEC (tcx's "next") always, so
 * the programs and qdiscs after it decide the frame's fate. */
SEC("tc")
int XDPI_EGRESS_PROG(struct __sk_buff *skb)
{
	__u32 txq = skb->queue_mapping & (XDPI_MAX_QUEUES - 1), *q;
	struct xdpi_queue_stats *st;

	q = bpf_map_lookup_elem(&out_queue, &txq);
	if (!q)
		return TC_ACT_UNSPEC;
	st = bpf_map_lookup_elem(&queue_stats, q);
	if (!st)
		return TC_ACT_UNSPEC;
	st->seen_out++;
	if (!wanted_skb(skb))
		return TC_ACT_UNSPEC;
	if (max_take) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&taken, &zero);

		if (!n || __sync_fetch_and_add(n, 1) >= max_take)
			return TC_ACT_UNSPEC;
	}
	if (stopping)
		return TC_ACT_UNSPEC;
	copy_skb(skb, st, *q);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
