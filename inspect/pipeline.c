// SPDX-License-Identifier: MIT
#include "pipeline.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

int pipeline_init(struct pipeline *p, const struct pipeline_config *cfg)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	/* Selecting every frame is no filter: no test per frame. */
	if (p->cfg.filter && p->cfg.filter->kind == XDPI_FILTER_ALL)
		p->cfg.filter = NULL;
	if (!cfg->inspect)
		p->cfg.flows = NULL;
	if (!p->cfg.flows)
		p->cfg.maintain_flows = false;
	flow_worker_init(&p->fw, p->cfg.flows);
	ret = metrics_init_opts(&p->m, &(struct metrics_opts){.distinct_limit = cfg->distinct_limit,
							      .seed = cfg->distinct_seed});
	if (ret)
		return ret;
	if (cfg->max_frame) {
		p->scratch = malloc((size_t)cfg->max_frame + 4);
		if (!p->scratch) {
			metrics_destroy(&p->m);
			return -ENOMEM;
		}
	}
	if (cfg->check_seq) {
		/* Its own cache lines: read and written per frame. */
		p->seq = xdpi_cacheline_alloc(sizeof(*p->seq));
		if (!p->seq || seqcheck_init(p->seq, cfg->seq_clock)) {
			free(p->seq);
			p->seq = NULL;
			free(p->scratch);
			p->scratch = NULL;
			metrics_destroy(&p->m);
			return -ENOMEM;
		}
	}
	return 0;
}

void pipeline_destroy(struct pipeline *p)
{
	if (!p)
		return;
	metrics_destroy(&p->m);
	seqcheck_destroy(p->seq);
	free(p->seq);
	p->seq = NULL;
	free(p->scratch);
	p->scratch = NULL;
}

/* How far the NIC's receive time may be from the wall clock of the batch
 * for xdpi to take it as a time of day. */
#define PIPELINE_HW_TIME_SKEW_NS 1000000000ull

/* A header the parser needed ran past the bytes it was given. */
static bool cut_short(const struct pkt_info *pi)
{
	switch (pi->malformed) {
	case PKT_MAL_ETH_TRUNCATED:
	case PKT_MAL_VLAN_TRUNCATED:
	case PKT_MAL_ARP_TRUNCATED:
	case PKT_MAL_IPV4_TRUNCATED:
	case PKT_MAL_IPV6_TRUNCATED:
	case PKT_MAL_IPV6_EXT_TRUNCATED:
	case PKT_MAL_TCP_TRUNCATED:
	case PKT_MAL_UDP_TRUNCATED:
	case PKT_MAL_ICMP_TRUNCATED:
	case PKT_MAL_ICMPV6_TRUNCATED:
		return true;
	default:
		return false;
	}
}

/* The frame in one piece in p->scratch, the stripped tag put back when
 * @with_tag; returns its length (what fits the scratch buffer). */
static uint32_t gather(struct pipeline *p, const struct pipeline_frame_ext *fx, bool with_tag)
{
	uint32_t room = p->cfg.max_frame + 4, len = 0;

	for (uint32_t i = 0; i < fx->nparts && len < room; i++) {
		const uint8_t *src = fx->part[i];
		uint32_t n = fx->part_len[i];

		if (i == 0 && with_tag && n >= 12 && room >= 16) {
			memcpy(p->scratch, src, 12);
			p->scratch[12] = (uint8_t)(fx->tag_proto >> 8);
			p->scratch[13] = (uint8_t)fx->tag_proto;
			p->scratch[14] = (uint8_t)(fx->tci >> 8);
			p->scratch[15] = (uint8_t)fx->tci;
			len = 16;
			src += 12;
			n -= 12;
		}
		if (n > room - len)
			n = room - len;
		memcpy(p->scratch + len, src, n);
		len += n;
	}
	p->gathered++;
	return len;
}

static void parse_ext(const struct pipeline_frame_ext *fx, const uint8_t *frame, uint32_t caplen,
		      uint32_t wire_len, bool tag_in_frame, struct pkt_info *pi)
{
	if (fx->stripped_tag && !tag_in_frame)
		pkt_parse_stripped(frame, caplen, wire_len, fx->tci, pi);
	else
		pkt_parse_wire(frame, caplen, wire_len, pi);
}

void pipeline_frame_ext(struct pipeline *p, const struct pipeline_frame_ext *fx,
			const struct seqcheck_clock *now)
{
	/* On the wire the frame had its tag. */
	uint32_t wire_len = fx->len + (fx->stripped_tag ? 4 : 0);
	const uint8_t *frame = fx->part[0];
	uint32_t caplen = fx->part_len[0], buf_len = fx->len;
	uint64_t batch_ns = p->fw.now_ns;
	bool in_one_piece = fx->nparts == 1, tag_put_back = false, cut = false, hw_time;
	struct seqcheck_clock hw;
	struct pkt_info pi;

	if (p->tap && p->scratch && (!in_one_piece || fx->stripped_tag)) {
		/* The write stage copies the frame anyway: copy it whole, as
		 * it was on the wire, and parse that. */
		caplen = buf_len = gather(p, fx, fx->stripped_tag);
		frame = p->scratch;
		tag_put_back = fx->stripped_tag;
		in_one_piece = true;
		cut = caplen < wire_len;
	}
	if (!pipeline_take(p, frame, caplen, wire_len, p->cfg.inspect))
		return;
	parse_ext(fx, frame, caplen, tag_put_back ? wire_len : buf_len, tag_put_back, &pi);
	if (!in_one_piece && cut_short(&pi) && p->scratch) {
		caplen = gather(p, fx, false);
		frame = p->scratch;
		cut = caplen < buf_len;
		parse_ext(fx, frame, caplen, buf_len, false, &pi);
	}
	hw_time = fx->rx_timestamp_ns && p->fw.now_ns &&
		  (fx->rx_timestamp_ns > p->fw.now_ns
			   ? fx->rx_timestamp_ns - p->fw.now_ns
			   : p->fw.now_ns - fx->rx_timestamp_ns) < PIPELINE_HW_TIME_SKEW_NS;
	if (hw_time) {
		/* The NIC's clock, where PTP keeps it on the wall clock: a
		 * clock that is not (a free-running PHC) would date flows
		 * decades off, and is left alone. */
		pipeline_clock(p, fx->rx_timestamp_ns);
		if (now) {
			hw = *now;
			hw.real_sec = (uint32_t)(fx->rx_timestamp_ns / 1000000000u);
			hw.real_nsec = (uint32_t)(fx->rx_timestamp_ns % 1000000000u);
			now = &hw;
		}
	}
	pipeline_account(p, &pi, frame, caplen, wire_len, now, p->seq != NULL);
	p->snapped += cut; /* longer than the scratch buffer */
	if (hw_time)
		p->fw.now_ns = batch_ns;
}

int pipeline_merge(struct pipeline *dst, const struct pipeline *src)
{
	dst->filtered_out += src->filtered_out;
	dst->snapped += src->snapped;
	dst->fw.c.created += src->fw.c.created;
	dst->fw.c.established += src->fw.c.established;
	dst->fw.c.untracked += src->fw.c.untracked;
	dst->fw.c.peeked += src->fw.c.peeked;
	if (dst->seq && src->seq)
		seqcheck_merge(dst->seq, src->seq);
	return metrics_merge(&dst->m, &src->m);
}

/*
 * A seqlock (the kernel's seqcount_t, in C11 atomics): the owner makes the
 * sequence odd, writes, makes it even; a reader copies between two reads of
 * an even, unchanged sequence. Every shared word is accessed atomically
 * (relaxed), so a reader that races a write sees torn data only in a copy
 * it throws away, and the code has no data race for the sanitizers.
 */
#define SNAP_WORDS (sizeof(struct pipeline_counters) / sizeof(uint64_t))
_Static_assert(sizeof(struct pipeline_counters) % sizeof(uint64_t) == 0, "u64 only");

static void pipeline_counters_read(const struct pipeline *p, struct pipeline_counters *v)
{
	v->c = p->m.c;
	v->unique_src_ips = metrics_unique_src_ips(&p->m);
	v->tcp_directions = metrics_tcp_directions(&p->m);
	v->filtered_out = p->filtered_out;
	v->snapped = p->snapped;
	v->flows = p->fw.c;
}

/* Once per maintenance period of capture time (flows.h); the call_rcu
 * thread frees what the pass removed once this thread has been quiescent. */
void pipeline_maintain(struct pipeline *p)
{
	flow_table_maintain(p->cfg.flows, p->fw.now_ns);
	flows_quiescent();
	p->next_maintain_ns = p->fw.now_ns + flow_table_maintain_period(p->cfg.flows);
}

void pipeline_publish(struct pipeline *p)
{
	struct pipeline_counters v;
	uint64_t *dst = (uint64_t *)&p->snap.v;
	const uint64_t *src = (const uint64_t *)&v;
	uint32_t seq = p->snap.seq;

	pipeline_counters_read(p, &v);
	__atomic_store_n(&p->snap.seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (size_t i = 0; i < SNAP_WORDS; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	__atomic_store_n(&p->snap.seq, seq + 2, __ATOMIC_RELEASE);
	if (p->cfg.flows)
		flows_quiescent();
}

void pipeline_snapshot(const struct pipeline *p, struct pipeline_counters *out)
{
	const uint64_t *src = (const uint64_t *)&p->snap.v;
	uint64_t *dst = (uint64_t *)out;
	uint32_t before, after;
	unsigned tries = 0;

	do {
		/* An owner preempted mid-publish may share this CPU. */
		if (++tries % 64 == 0)
			sched_yield();
		before = __atomic_load_n(&p->snap.seq, __ATOMIC_ACQUIRE);
		for (size_t i = 0; i < SNAP_WORDS; i++)
			dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		after = __atomic_load_n(&p->snap.seq, __ATOMIC_RELAXED);
	} while ((before & 1) || before != after);
}
