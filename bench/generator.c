// SPDX-License-Identifier: MIT
/*
 * Generator engine. Design notes:
 * - One sender thread per CPU, pinned; flows are split between threads by
 *   the same rule in the BPF program and in gen_flow_seq(), so the pcap
 *   sample and the AF_XDP fallback send exactly what the kernel path sends.
 * - Live frames: BPF_PROG_RUN with `repeat` frames per call. Calls are kept
 *   short (GEN_CHUNK) so that the stop flag, the duration and the rate are
 *   checked often; the rate is paced per thread against its own clock.
 * - The frame counter lives in the program's per-CPU map (it numbers the
 *   frames); userspace counts the frames it asked for, the same number: the
 *   kernel runs the program exactly `repeat` times. A frame the device
 *   refuses after XDP_TX is not seen here: veth counts it
 *   (tx_queue_N_xdp_xmit_errors), and `xdpi gen` reports that count.
 * - The loop (no live frames): the program counts, paces and bounds the
 *   frames itself (bpf/gen.bpf.c); its thread seeds the loop, reads the
 *   program's counters from the mmap-ed .bss every GEN_LOOP_POLL_S and
 *   tells it to stop. Frames the sending interface refuses are counted by
 *   veth as above.
 */
#include "generator.h"

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "bpf/gen.skel.h"
#include "genloop.h"
#include "../bpf/attach.h"
#include "../util/clock.h"
#include "../util/frame.h"
#include "../util/log.h"
#include "../util/optval.h"
#include "../xsk/iface.h"
#include "../xsk/xsk.h"

#define GEN_CHUNK 8192		/* frames per BPF_PROG_RUN call at full speed */
#define GEN_BATCH 64		/* frames per AF_XDP TX batch */
#define GEN_PACED_CHUNK 192	/* frames per call when rate-limited, at least */
#define GEN_SPIN_WAIT_S 30e-6	/* shorter waits for the next due frames spin */
#define GEN_PACED_CALL_S 500e-6 /* paced calls carry this much traffic */
#define GEN_MAX_LAG_S 10e-3	/* a paced thread catches up this much lag */
#define GEN_WARMUP_S 0.1	/* see gen_budget() */
/* The loop: frames going round at once. A round's cost is the same for
 * any number, and A's receive ring holds 256 (veth's ring): a few NAPI
 * batches of 64 keep the poll busy without filling it. */
#define GEN_LOOP_SEEDS 128
#define GEN_LOOP_POLL_S 1e-3	/* userspace reads the loop's counters this often */
#define GEN_LOOP_STALL_S 0.05	/* no round for this long: the loop lost its frames */
#define GEN_LOOP_MAX_S 3600.0	/* a count-only loop's deadline, in the program */
#define GEN_LOOP_MAX_RESEEDS 20 /* in a row, with no round between: the loop is broken */
#define GEN_MAX_FRAME (GEN_MAX_SIZE - 4)
#define GEN_IMIX_RUN 256
#define GEN_SIZES 4 /* templates: one size, or the sizes of an imix */
/* A UMEM frame for jumbo TX: a page, so a 9014-byte frame is 3 buffers. */
#define GEN_XSK_JUMBO_FRAME 4096
/* Native XDP on veth without frags takes an MTU up to a page less its
 * 256-byte headroom, skb_shared_info (320) and the Ethernet header
 * (drivers/net/veth.c, veth_xdp_set()). */
#define GEN_XDP_LINEAR_OVERHEAD (256 + 320 + 14)

/* imix: 7:4:1 of the first three; imix-jumbo: 7:4:1:1 of all four. */
static const uint32_t imix_sizes[GEN_SIZES] = {64, 594, 1518, 9018};

void gen_opts_defaults(struct gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->proto = GEN_TCP_SYN;
	o->size = 64;
	o->flows = 1;
	o->src_ip = 0xc6120001; /* 198.18.0.1 */
	o->dst_ip = 0xc6120002; /* 198.18.0.2 */
	/* Locally administered; not the receiver's MAC, so the receiving
	 * kernel drops what XDP passes instead of answering it. */
	memcpy(o->src_mac, (uint8_t[]){0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, 6);
	memcpy(o->dst_mac, (uint8_t[]){0x02, 0x00, 0x00, 0x00, 0x00, 0x02}, 6);
}

const char *const gen_preset_names[GEN__PRESETS] = {"syn-flood", "udp-flood"};

int gen_preset_apply(struct gen_opts *o, const char *name)
{
	int p = xdpi_parse_choice(name, gen_preset_names, GEN__PRESETS);

	if (p < 0)
		return -EINVAL;
	o->proto = p == GEN_PRESET_SYN_FLOOD ? GEN_TCP_SYN : GEN_UDP;
	o->flows = XDPI_GEN_MAX_FLOWS;
	o->src_ips = GEN_FLOOD_SRC_IPS;
	return 0;
}

static uint64_t gen_gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint64_t gen_distinct_tuples(const struct gen_opts *o)
{
	uint64_t ips = o->src_ips > 1 ? o->src_ips : 1;

	/* Frame k: port k mod flows, address k mod ips; the pair repeats
	 * after their least common multiple. */
	return ips / gen_gcd(ips, o->flows) * o->flows;
}

static const char *const proto_names[GEN_UDP + 1] = {"tcp-syn", "tcp-data", "udp"};

const char *gen_proto_name(enum gen_proto p)
{
	return (unsigned)p <= GEN_UDP ? proto_names[p] : "invalid";
}

int gen_proto_parse(const char *s)
{
	return xdpi_parse_choice(s, proto_names, GEN_UDP + 1);
}

const char *gen_method_name(enum gen_method m)
{
	static const char *const names[] = {"auto", "live-frames", "af_xdp", "loop"};

	return (unsigned)m <= GEN_LOOP ? names[m] : "invalid";
}

static const char *const stamp_names[GEN_STAMP_PKTGEN + 1] = {"xdpi", "pktgen"};

const char *gen_stamp_name(enum gen_stamp s)
{
	return (unsigned)s <= GEN_STAMP_PKTGEN ? stamp_names[s] : "invalid";
}

int gen_stamp_parse(const char *s)
{
	return xdpi_parse_choice(s, stamp_names, GEN_STAMP_PKTGEN + 1);
}

const char *const gen_payload_names[GEN__PAYLOADS] = {"none", "http", "tls"};

/* The payloads of --payload, written at @p (room for GEN_PAYLOAD_MAX
 * bytes); each returns its length. Names under .test (RFC 2606): nothing
 * real is ever named. */
#define GEN_PAYLOAD_MAX 256
#define GEN_PAYLOAD_HOST "gen.xdpi.test"

static size_t gen_payload_http(uint8_t *p)
{
	static const char req[] = "GET /xdpi-gen HTTP/1.1\r\n"
				  "Host: " GEN_PAYLOAD_HOST "\r\n"
				  "User-Agent: xdpi-gen\r\n"
				  "\r\n";

	memcpy(p, req, sizeof(req) - 1);
	return sizeof(req) - 1;
}

/* A byte cursor for the ClientHello, and the places of its length fields,
 * filled in once what they cover is written. */
struct gen_tls {
	uint8_t *p;
	size_t n;
};

static void gen_tls_put(struct gen_tls *t, const void *b, size_t len)
{
	memcpy(t->p + t->n, b, len);
	t->n += len;
}

static void gen_tls_u8(struct gen_tls *t, uint8_t v)
{
	t->p[t->n++] = v;
}

static void gen_tls_u16(struct gen_tls *t, uint16_t v)
{
	gen_tls_u8(t, (uint8_t)(v >> 8));
	gen_tls_u8(t, (uint8_t)v);
}

/* A 16-bit length at @at: the bytes written since it (@at + 2 on). */
static void gen_tls_len16(struct gen_tls *t, size_t at)
{
	size_t len = t->n - at - 2;

	t->p[at] = (uint8_t)(len >> 8);
	t->p[at + 1] = (uint8_t)len;
}

/* A TLS 1.3 ClientHello in one record: three cipher suites, then the
 * extensions server_name, ALPN (h2, http/1.1) and supported_versions
 * (TLS 1.3, 1.2). */
static size_t gen_payload_tls(uint8_t *p)
{
	struct gen_tls t = {.p = p};
	size_t rec, hs, exts, ext, list;

	gen_tls_u8(&t, 0x16); /* handshake record */
	gen_tls_u16(&t, 0x0301);
	rec = t.n;
	gen_tls_u16(&t, 0);
	gen_tls_u8(&t, 0x01); /* ClientHello */
	hs = t.n;
	gen_tls_u8(&t, 0); /* a 24-bit length: the high byte stays 0 */
	gen_tls_u16(&t, 0);
	gen_tls_u16(&t, 0x0303); /* legacy_version */
	for (int i = 0; i < 32; i++)
		gen_tls_u8(&t, (uint8_t)(0xa0 + i)); /* random */
	gen_tls_u8(&t, 0);			     /* no session id */
	gen_tls_u16(&t, 6);
	gen_tls_u16(&t, 0x1301);
	gen_tls_u16(&t, 0x1302);
	gen_tls_u16(&t, 0x1303);
	gen_tls_u8(&t, 1); /* compression: null */
	gen_tls_u8(&t, 0);
	exts = t.n;
	gen_tls_u16(&t, 0);

	gen_tls_u16(&t, 0x0000); /* server_name */
	ext = t.n;
	gen_tls_u16(&t, 0);
	list = t.n;
	gen_tls_u16(&t, 0);
	gen_tls_u8(&t, 0); /* host_name */
	gen_tls_u16(&t, sizeof(GEN_PAYLOAD_HOST) - 1);
	gen_tls_put(&t, GEN_PAYLOAD_HOST, sizeof(GEN_PAYLOAD_HOST) - 1);
	gen_tls_len16(&t, list);
	gen_tls_len16(&t, ext);

	gen_tls_u16(&t, 0x0010); /* application_layer_protocol_negotiation */
	ext = t.n;
	gen_tls_u16(&t, 0);
	list = t.n;
	gen_tls_u16(&t, 0);
	gen_tls_u8(&t, 2);
	gen_tls_put(&t, "h2", 2);
	gen_tls_u8(&t, 8);
	gen_tls_put(&t, "http/1.1", 8);
	gen_tls_len16(&t, list);
	gen_tls_len16(&t, ext);

	gen_tls_u16(&t, 0x002b); /* supported_versions */
	gen_tls_u16(&t, 5);
	gen_tls_u8(&t, 4);
	gen_tls_u16(&t, 0x0304);
	gen_tls_u16(&t, 0x0303);

	gen_tls_len16(&t, exts);
	gen_tls_len16(&t, hs + 1);
	gen_tls_len16(&t, rec);
	return t.n;
}

/* @p's payload at @buf (GEN_PAYLOAD_MAX bytes of room); its length. */
static size_t gen_payload_build(enum gen_payload p, uint8_t *buf)
{
	switch (p) {
	case GEN_PAYLOAD_HTTP:
		return gen_payload_http(buf);
	case GEN_PAYLOAD_TLS:
		return gen_payload_tls(buf);
	default:
		return 0;
	}
}

uint32_t gen_payload_min_size(enum gen_payload p)
{
	uint8_t buf[GEN_PAYLOAD_MAX];
	uint32_t n = FRAME_ETH_HLEN + FRAME_IPV4_HLEN + FRAME_TCP_HLEN +
		     (uint32_t)gen_payload_build(p, buf) + 4;

	return n < 64 ? 64 : n;
}

int gen_opts_validate(const struct gen_opts *o, char *err, size_t err_len)
{
	if (!o->ifname) {
		snprintf(err, err_len, "no interface given");
		return -EINVAL;
	}
	if (o->size > GEN_IMIX_JUMBO && (o->size < 64 || o->size > GEN_MAX_SIZE)) {
		snprintf(err, err_len, "frame size %u is outside 64..%d (or imix, imix-jumbo)",
			 o->size, GEN_MAX_SIZE);
		return -EINVAL;
	}
	if (o->method == GEN_LIVE_FRAMES && gen_size_max(o->size) > GEN_LIVE_MAX_SIZE) {
		char size[16];

		snprintf(size, sizeof(size), "%u", o->size);
		snprintf(err, err_len,
			 "live frames carry at most %d bytes on the wire (one page less the "
			 "kernel's headroom and tailroom): --size %s (%u-byte frames) needs "
			 "--method xsk or auto",
			 GEN_LIVE_MAX_SIZE, gen_size_name(o->size) ? gen_size_name(o->size) : size,
			 gen_size_max(o->size));
		return -EINVAL;
	}
	if (o->flows < 1 || o->flows > XDPI_GEN_MAX_FLOWS) {
		snprintf(err, err_len, "flows must be 1..%d", XDPI_GEN_MAX_FLOWS);
		return -EINVAL;
	}
	if ((int)o->flows < o->ncpus) {
		snprintf(err, err_len,
			 "%u flows cannot keep %d sender threads busy: "
			 "use at least one flow per thread",
			 o->flows, o->ncpus);
		return -EINVAL;
	}
	if (o->src_ips > GEN_MAX_SRC_IPS ||
	    (uint64_t)o->src_ip + (o->src_ips ? o->src_ips - 1 : 0) > UINT32_MAX) {
		snprintf(err, err_len,
			 "--src-ips: at most %d sources, without passing 255.255.255.255",
			 GEN_MAX_SRC_IPS);
		return -EINVAL;
	}
	if (o->ncpus > GEN_MAX_THREADS) {
		snprintf(err, err_len, "at most %d sender threads", GEN_MAX_THREADS);
		return -EINVAL;
	}
	if (o->stamp == GEN_STAMP_PKTGEN && o->proto != GEN_UDP) {
		snprintf(err, err_len,
			 "pktgen's header is a UDP payload: --stamp pktgen needs "
			 "--proto udp");
		return -EINVAL;
	}
	if (o->payload != GEN_PAYLOAD_NONE && o->proto == GEN_UDP) {
		snprintf(err, err_len,
			 "--payload goes after a TCP header (the UDP payload is the stamp): "
			 "--proto tcp-syn or tcp-data");
		return -EINVAL;
	}
	if (o->payload != GEN_PAYLOAD_NONE &&
	    (o->size <= GEN_IMIX_JUMBO || o->size < gen_payload_min_size(o->payload))) {
		snprintf(err, err_len, "--payload %s needs frames of at least %u bytes (--size)",
			 gen_payload_names[o->payload], gen_payload_min_size(o->payload));
		return -EINVAL;
	}
	if (!o->duration && !o->count) {
		snprintf(err, err_len, "give a duration or a count: generated traffic is bounded");
		return -EINVAL;
	}
	return 0;
}

uint32_t gen_l4_off(void)
{
	return FRAME_ETH_HLEN + FRAME_IPV4_HLEN;
}

/* imix changes size every GEN_IMIX_RUN frames (one BPF_PROG_RUN call):
 * runs 0-6 of a cycle are 64 bytes, 7-10 594, 11 1518 and, in imix-jumbo's
 * 13-run cycle, 12 is 9018. Index into imix_sizes, or 0 for a plain size. */
static int gen_size_index(uint32_t size, uint64_t n)
{
	uint32_t r;

	if (size > GEN_IMIX_JUMBO)
		return 0;
	r = (uint32_t)((n / GEN_IMIX_RUN) % (size == GEN_IMIX_JUMBO ? 13 : 12));
	return r < 7 ? 0 : r < 11 ? 1 : r < 12 ? 2 : 3;
}

uint32_t gen_imix_size(uint64_t n)
{
	return imix_sizes[gen_size_index(GEN_IMIX, n)];
}

uint32_t gen_size_of(uint32_t size, uint64_t n)
{
	return size > GEN_IMIX_JUMBO ? size : imix_sizes[gen_size_index(size, n)];
}

double gen_size_mean(uint32_t size)
{
	/* 39936 frames: whole cycles of both mixes (3072 and 3328). */
	const uint64_t n = 39936;
	uint64_t sum = 0;

	if (size > GEN_IMIX_JUMBO)
		return size;
	for (uint64_t i = 0; i < n; i++)
		sum += gen_size_of(size, i);
	return (double)sum / (double)n;
}

uint32_t gen_size_max(uint32_t size)
{
	return size == GEN_IMIX ? imix_sizes[2] : size == GEN_IMIX_JUMBO ? imix_sizes[3] : size;
}

const char *gen_size_name(uint32_t size)
{
	return size == GEN_IMIX ? "imix" : size == GEN_IMIX_JUMBO ? "imix-jumbo" : NULL;
}

/* How many templates a stream with @size uses (gen_size_index()'s range). */
static int gen_sizes_of(uint32_t size)
{
	return size == GEN_IMIX ? 3 : size == GEN_IMIX_JUMBO ? 4 : 1;
}

int gen_build_frame(const struct gen_opts *o, uint32_t wire_size, uint8_t *buf, size_t len)
{
	uint32_t flen = wire_size - 4, l4 = gen_l4_off();
	uint8_t payload[GEN_PAYLOAD_MAX];
	size_t plen = o->proto == GEN_UDP ? 0 : gen_payload_build(o->payload, payload);
	const struct frame_ipv4 ip = {
		.src = o->src_ip,
		.dst = o->dst_ip,
		.payload_len = flen - l4,
		.frag = FRAME_IP_DF,
		.ttl = 64,
		.proto = o->proto == GEN_UDP ? IPPROTO_UDP : IPPROTO_TCP,
	};
	const struct frame_tcp tcp = {
		.sport = XDPI_GEN_SPORT_BASE,
		.dport = XDPI_GEN_DPORT,
		.flags = o->proto == GEN_TCP_SYN ? FRAME_TCP_SYN : FRAME_TCP_PSH | FRAME_TCP_ACK,
		.window = 64240,
	};

	if (wire_size < 64 || wire_size > GEN_MAX_SIZE || flen > len ||
	    flen < l4 + FRAME_TCP_HLEN + plen)
		return -EINVAL;
	/* The payload stays zero after --payload's bytes. Checksums of L4
	 * are left 0: receivers here count, they do not verify, and the
	 * stamp changes per frame. */
	memset(buf, 0, flen);
	frame_eth(buf, o->dst_mac, o->src_mac, NULL, 0, ETH_P_IP);
	frame_ipv4(buf + FRAME_ETH_HLEN, &ip);
	if (o->proto == GEN_UDP)
		frame_udp(buf + l4, XDPI_GEN_SPORT_BASE, XDPI_GEN_DPORT, NULL,
			  flen - l4 - FRAME_UDP_HLEN);
	else
		frame_tcp(buf + l4, &tcp, NULL, flen - l4 - FRAME_TCP_HLEN);
	if (plen)
		memcpy(buf + l4 + FRAME_TCP_HLEN, payload, plen);
	return (int)flen;
}

/* Flows thread @thread of @threads owns: ceil((flows - thread) / threads). */
static uint32_t gen_flows_of(uint32_t flows, uint32_t thread, uint32_t threads)
{
	uint32_t mine = (flows - thread + threads - 1) / threads;

	return mine ? mine : 1;
}

void gen_flow_seq(uint32_t flows, uint32_t thread, uint32_t threads, uint64_t n, uint32_t *flow,
		  uint32_t *seq)
{
	uint32_t mine = gen_flows_of(flows, thread, threads);

	*flow = thread + threads * (uint32_t)(n % mine);
	*seq = (uint32_t)(n / mine);
}

void gen_stamp(uint8_t *frame, const struct gen_opts *o, uint32_t flow, uint32_t seq,
	       uint64_t now_ns)
{
	if (o->src_ips > 1)
		xdpi_gen_spoof(frame + gen_l4_off() - 20, o->src_ip, o->src_ips, o->flows, flow,
			       seq);
	if (o->stamp == GEN_STAMP_PKTGEN)
		xdpi_gen_stamp_pktgen(frame + gen_l4_off(), flow, seq,
				      (uint32_t)(now_ns / 1000000000u),
				      (uint32_t)(now_ns % 1000000000u / 1000u));
	else
		xdpi_gen_stamp(frame + gen_l4_off(), o->proto == GEN_UDP, flow, seq,
			       (uint32_t)now_ns);
}

uint64_t gen_stamp_now(const struct gen_opts *o)
{
	struct timespec ts;

	if (o->stamp != GEN_STAMP_PKTGEN)
		return xdpi_mono_ns();
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns, for the BPF program, which has
 * only the latter (bpf_ktime_get_ns): the pktgen stamp's wall time is
 * bpf_ktime_get_ns() + this. Read again before every call, so that a clock
 * slewed or stepped during the run is followed. */
static int64_t gen_real_offset_ns(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - (int64_t)m.tv_sec) * 1000000000 +
	       ((int64_t)r.tv_nsec - (int64_t)m.tv_nsec);
}

struct gen_ctx;

struct gen_thread {
	struct gen_ctx *g;
	int idx;
	int cpu;
	pthread_t tid;
	uint64_t sent;
	/* Pacing schedule: frames due = base_sent + (now - base_time) * rate.
	 * Moved forward when the thread falls behind (gen_budget()). */
	double base_time;
	uint64_t base_sent;
	double first_time, last_time; /* when the thread began and stopped sending */
	double warm_until;	      /* end of the warm-up (gen_budget()) */
	uint64_t warm_sent;	      /* frames sent while warming up */
	uint64_t forgiven;	      /* due frames never sent: the thread fell behind */
	int err;
	struct xdpi_xsk *xsk; /* AF_XDP method only */
};

struct gen_ctx {
	const struct gen_opts *o;
	const volatile int *stop;
	struct gen_bpf *skel;
	int ifindex;
	struct xdpi_attach link;   /* the program is also attached to ifindex (see gen.bpf.c) */
	struct gen_loop_pair loop; /* --method loop */
	struct bpf_link *loop_link;
	int threads;
	double start;
	uint8_t frames[GEN_SIZES][GEN_MAX_FRAME]; /* templates: [0] or imix sizes */
	int frame_len[GEN_SIZES];
	uint32_t mtu; /* of the interface */
	struct gen_thread t[GEN_MAX_THREADS];
};

/* Frames thread @t may send now: its share of count, and of the rate. */
static uint64_t gen_budget(struct gen_ctx *g, struct gen_thread *t, uint64_t chunk)
{
	const struct gen_opts *o = g->o;

	for (;;) {
		double now = xdpi_now(), rate;
		uint64_t due, step, lag_max, batch;

		/* The first calls are slow (the program swapped into the
		 * kernel's XDP dispatcher, page pools and the peer's path
		 * warming up: ~40 ms here). The thread warms up for
		 * GEN_WARMUP_S: paced, but its lag is not debt, and neither
		 * its frames nor its time count in the achieved rate. */
		if (!t->warm_until)
			t->warm_until = now + GEN_WARMUP_S;
		if (!t->first_time && now >= t->warm_until) {
			t->first_time = now;
			t->warm_sent = t->sent;
			t->base_time = now;
			t->base_sent = t->sent;
		}
		if (*g->stop || (o->duration && now - g->start >= o->duration)) {
			t->last_time = now;
			return 0;
		}
		if (o->count) {
			uint64_t share = o->count / (uint64_t)g->threads +
					 ((uint64_t)t->idx < o->count % (uint64_t)g->threads);

			if (t->sent >= share) {
				t->last_time = now;
				return 0;
			}
			if (share - t->sent < chunk)
				chunk = share - t->sent;
		}
		if (!o->rate)
			return chunk;
		/* Paced: only the frames due by now, and at most `step` a call.
		 * A rate-limited stream must not come in bursts that overflow a
		 * receiver's rings (veth's XDP ring holds 256; the kernel runs
		 * the live frames in batches of 64, each flushed to the peer),
		 * but every BPF_PROG_RUN call costs ~100 us of setup here, so a
		 * call carries GEN_PACED_CALL_S worth of frames, at least 192. */
		rate = (double)o->rate / g->threads;
		step = rate * GEN_PACED_CALL_S > GEN_PACED_CHUNK
			       ? (uint64_t)(rate * GEN_PACED_CALL_S)
			       : GEN_PACED_CHUNK;
		if (!t->base_time)
			t->base_time = now; /* thread start-up is not debt */
		due = t->base_sent + (uint64_t)((now - t->base_time) * rate) + 1;
		/* A thread that was descheduled would otherwise pay its debt
		 * in one burst at full speed, which no receiver's ring at the
		 * nominal rate absorbs: the offered load would not be the one
		 * asked for. Up to GEN_MAX_LAG_S of lag (at least two calls),
		 * the length of a softirq that spilled into ksoftirqd and the
		 * time slice it then takes, is caught up; beyond that it starts
		 * a new schedule, and the frames it fell behind by are reported
		 * (achieved < requested). */
		lag_max = rate * GEN_MAX_LAG_S > 2 * step ? (uint64_t)(rate * GEN_MAX_LAG_S)
							  : 2 * step;
		if (due > t->sent + lag_max) {
			if (t->first_time) /* warm-up lag is not counted */
				t->forgiven += due - t->sent - 1;
			t->base_time = now;
			t->base_sent = t->sent;
			due = t->sent + 1;
		}
		/* A call waits for GEN_PACED_CALL_S worth of due frames (at
		 * least one): many small calls would spend the sender's CPU on
		 * call setup and fall behind. */
		batch = (uint64_t)(rate * GEN_PACED_CALL_S);
		if (batch < 1)
			batch = 1;
		if (batch > step)
			batch = step;
		if (batch > chunk)
			batch = chunk;
		if (due >= t->sent + batch) {
			uint64_t n = due - t->sent;

			if (n > step)
				n = step;
			return n < chunk ? n : chunk;
		}
		{
			double wait = (double)(t->sent + batch - t->base_sent) / rate +
				      t->base_time - now;
			struct timespec ts = {0, (long)((wait > 0.01 ? 0.01 : wait) * 1e9)};

			/* A sleep costs a wake-up (tens of us in a VM): at
			 * high rates the next call is due sooner than that. */
			if (wait > GEN_SPIN_WAIT_S)
				nanosleep(&ts, NULL);
		}
	}
}

static void *gen_live_thread(void *arg)
{
	struct gen_thread *t = arg;
	struct gen_ctx *g = t->g;
	int fd = bpf_program__fd(g->skel->progs.xdpi_gen);
	bool imix = gen_sizes_of(g->o->size) > 1;
	uint64_t n;

	/* imix: each call sends one size, and calls end on run boundaries. */
	while ((n = gen_budget(g, t, imix ? GEN_IMIX_RUN - t->sent % GEN_IMIX_RUN : GEN_CHUNK))) {
		int k = gen_size_index(g->o->size, t->sent);
		struct xdp_md md = {
			.data_end = (uint32_t)g->frame_len[k],
			.ingress_ifindex = (uint32_t)g->ifindex,
		};
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = g->frames[k],
			    .data_size_in = (uint32_t)g->frame_len[k], .ctx_in = &md,
			    .ctx_size_in = sizeof(md), .repeat = (int)n,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

		if (g->o->stamp == GEN_STAMP_PKTGEN)
			__atomic_store_n(&g->skel->bss->real_offset_ns, gen_real_offset_ns(),
					 __ATOMIC_RELAXED);
		if (bpf_prog_test_run_opts(fd, &topts)) {
			t->err = -errno;
			break;
		}
		t->sent += n;
	}
	return NULL;
}

/* Puts frame @seqno of thread @t into the TX ring at @idx, as @segs UMEM
 * frames (descriptors @idx..): every one but the last flagged
 * XDP_PKT_CONTD, which a multi-buffer socket sends as one frame. The
 * caller has checked that @segs frames are free. */
static void gen_xsk_frame(struct gen_ctx *g, struct gen_thread *t, uint64_t seqno, uint32_t idx,
			  uint32_t segs)
{
	struct xdpi_xsk *x = t->xsk;
	int k = gen_size_index(g->o->size, seqno);
	uint32_t len = (uint32_t)g->frame_len[k], off = 0, flow, seq;
	uint8_t *first = NULL;

	for (uint32_t i = 0; i < segs; i++) {
		struct xdp_desc *d = xdpi_xsk_tx_desc(x, idx + i);
		uint32_t part = len - off < x->frame_size ? len - off : x->frame_size;
		uint64_t addr = 0; /* set: the caller checked free_count */
		uint8_t *f;

		xdpi_xsk_tx_frame_get(x, &addr);
		f = xdpi_xsk_frame(x, addr);
		memcpy(f, g->frames[k] + off, part);
		if (!first)
			first = f;
		d->addr = addr;
		d->len = part;
		d->options = i + 1 < segs ? XDP_PKT_CONTD : 0;
		off += part;
	}
	/* The stamp's fields are all in the first 64 bytes: the first buffer. */
	gen_flow_seq(g->o->flows, (uint32_t)t->idx, (uint32_t)g->threads, seqno, &flow, &seq);
	gen_stamp(first, g->o, flow, seq, gen_stamp_now(g->o));
}

/* UMEM frames (descriptors) frame @seqno of the stream takes. */
static uint32_t gen_xsk_segs(const struct gen_ctx *g, const struct xdpi_xsk *x, uint64_t seqno)
{
	uint32_t len = (uint32_t)g->frame_len[gen_size_index(g->o->size, seqno)];

	return (len + x->frame_size - 1) / x->frame_size;
}

static void *gen_xsk_thread(void *arg)
{
	struct gen_thread *t = arg;
	struct gen_ctx *g = t->g;
	struct xdpi_xsk *x = t->xsk;
	uint64_t n, produced = 0;

	while ((n = gen_budget(g, t, GEN_BATCH))) {
		uint32_t idx, i, descs = 0;

		xdpi_xsk_tx_complete(x);
		/* Descriptors are reserved a frame at a time: a frame goes out
		 * whole or not at all (a chain cut short would never end). */
		for (i = 0; i < n; i++) {
			uint32_t segs = gen_xsk_segs(g, x, produced + i);

			if (x->free_count < segs)
				break;
			/* libxdp reserves all or nothing */
			if (xdpi_xsk_tx_reserve(x, segs, &idx) != segs)
				break;
			gen_xsk_frame(g, t, produced + i, idx, segs);
			descs += segs;
		}
		/* Out of frames or slots: sent again after completions. */
		if (descs)
			xdpi_xsk_tx_submit(x, descs);
		else
			xdpi_xsk_kick_tx(x);
		produced += i;
		t->sent += i;
	}
	/* Let the last frames complete before the socket goes away. */
	for (int spin = 0; spin < 1000 && xdpi_xsk_tx_in_flight(x); spin++) {
		xdpi_xsk_kick_tx(x);
		xdpi_xsk_tx_complete(x);
		if (xdpi_xsk_tx_in_flight(x))
			usleep(100);
	}
	return NULL;
}

/* The MTU above which native XDP on veth takes only a program with frags
 * support: one page less GEN_XDP_LINEAR_OVERHEAD (3506 with 4 KiB pages). */
static uint32_t gen_xdp_linear_mtu(void)
{
	return (uint32_t)getpagesize() - GEN_XDP_LINEAR_OVERHEAD;
}

/*
 * Loads the program, with frags support (BPF_F_XDP_HAS_FRAGS, Linux 5.18+)
 * when the interface's MTU is above what a single-buffer program may be
 * attached at: the program only keeps itself in the dispatcher there (see
 * gen.bpf.c) and touches the first 64 bytes of a frame, so frags change
 * nothing it does. A kernel that refuses the flag gets a clear message.
 */
static int gen_load(struct gen_ctx *g, char *err, size_t err_len)
{
	bool frags = g->mtu > gen_xdp_linear_mtu();
	int ret;

	if (frags)
		bpf_program__set_flags(g->skel->progs.xdpi_gen,
				       bpf_program__flags(g->skel->progs.xdpi_gen) |
					       BPF_F_XDP_HAS_FRAGS);
	ret = gen_bpf__load(g->skel);
	if (ret && frags)
		snprintf(err, err_len,
			 "cannot load the generator program with XDP frags support, which "
			 "native XDP on %s needs at MTU %u (above %u): %s (this kernel lacks "
			 "XDP multi-buffer, Linux 5.18+? lower the MTU or use --method xsk)",
			 g->o->ifname, g->mtu, gen_xdp_linear_mtu(), strerror(-ret));
	else if (ret)
		snprintf(err, err_len, "cannot load the generator program: %s", strerror(-ret));
	return ret;
}

/* Opens the generator's programs, fits them to the run's options and loads
 * them: once a run, for live frames or the loop. */
static int gen_open_load(struct gen_ctx *g, char *err, size_t err_len)
{
	int ret;

	g->skel = gen_bpf__open();
	if (!g->skel) {
		ret = -errno;
		snprintf(err, err_len, "cannot open the generator program: %s", strerror(-ret));
		return ret;
	}
	g->skel->rodata->flows = g->o->flows;
	g->skel->rodata->src_ips = g->o->src_ips;
	g->skel->rodata->src_ip = g->o->src_ip;
	g->skel->rodata->l4_off = gen_l4_off();
	g->skel->rodata->proto = g->o->proto == GEN_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	g->skel->rodata->stamp = (__u32)g->o->stamp;
	memcpy((void *)g->skel->rodata->src_mac, g->o->src_mac, 6);
	ret = gen_load(g, err, err_len);
	if (ret)
		return ret;
	/* Before the first frame: the probe's too. */
	g->skel->bss->real_offset_ns = gen_real_offset_ns();
	return 0;
}

static int gen_setup_live(struct gen_ctx *g, char *err, size_t err_len)
{
	const struct xdpi_attach_opts ao = {
		.ifname = g->o->ifname,
		.ifindex = g->ifindex,
		.mode = XDPI_ATTACH_NATIVE,
	};
	struct xdpi_gen_cpu *percpu;
	int ncpus = libbpf_num_possible_cpus(), ret;
	uint32_t key = 0;

	ret = gen_open_load(g, err, err_len);
	if (ret)
		return ret;
	/* Keeps the program in the XDP dispatcher between BPF_PROG_RUN calls;
	 * never replaces a program someone else attached. */
	if (xdpi_attach_fd(&g->link, bpf_program__fd(g->skel->progs.xdpi_gen), &ao))
		xdpi_warn("cannot attach the generator program to %s (another XDP program is "
			  "there? or, on veth, a peer MTU above %u, which needs XDP frags: give "
			  "both ends the same MTU): every send call will pay a kernel RCU grace "
			  "period, the rate will be low",
			  g->o->ifname, gen_xdp_linear_mtu());
	if (ncpus < 1)
		return -EINVAL;
	percpu = calloc((size_t)ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (int i = 0; i < g->threads; i++)
		if (g->t[i].cpu < ncpus)
			percpu[g->t[i].cpu] = (struct xdpi_gen_cpu){
				.thread = (uint32_t)i,
				.threads = (uint32_t)g->threads,
				.mine = gen_flows_of(g->o->flows, (uint32_t)i,
						     (uint32_t)g->threads),
			};
	ret = bpf_map__update_elem(g->skel->maps.gen_cpu, &key, sizeof(key), percpu,
				   sizeof(*percpu) * (size_t)ncpus, BPF_ANY);
	free(percpu);
	if (ret)
		snprintf(err, err_len, "cannot set up the generator's per-CPU state: %s",
			 strerror(-ret));
	return ret;
}

/* Why the loop cannot send @o's stream, or NULL: it has one sender (the
 * pair's one NAPI context) and its frames are copies of seeds of one size,
 * single-buffer. */
static const char *gen_loop_unfit(const struct gen_opts *o, int threads)
{
	if (threads != 1)
		return "the loop sends from one CPU (give one --cpus)";
	if (gen_sizes_of(o->size) > 1)
		return "the loop sends frames of one size (no imix)";
	if (o->size > GEN_LIVE_MAX_SIZE)
		return "the loop's frames are single-buffer (at most 3412 bytes on the wire)";
	return NULL;
}

/*
 * The loop: its veth pair, the device map (slot 0 the pair's far end, slot
 * 1 the sending interface) and its program on the pair's near end, through
 * a BPF link, which the kernel takes away with this process.
 */
static int gen_setup_loop(struct gen_ctx *g, char *err, size_t err_len)
{
	const char *unfit = gen_loop_unfit(g->o, g->threads);
	uint32_t mtu = gen_size_max(g->o->size) - 4 - FRAME_ETH_HLEN, slot, dev;
	struct bpf_map *out;
	int ret;

	if (unfit) {
		snprintf(err, err_len, "%s", unfit);
		return -EINVAL;
	}
	if (!g->skel) {
		ret = gen_open_load(g, err, err_len);
		if (ret)
			return ret;
	}
	xdpi_detach(&g->link); /* live frames' own, where they were tried */
	ret = gen_loop_pair_create(&g->loop, mtu > 1500 ? mtu : 1500, err, err_len);
	if (ret)
		return ret;
	out = g->skel->maps.gen_loop_out;
	slot = 0;
	dev = (uint32_t)g->loop.b_index;
	ret = bpf_map__update_elem(out, &slot, sizeof(slot), &dev, sizeof(dev), BPF_ANY);
	if (!ret) {
		slot = 1;
		dev = (uint32_t)g->ifindex;
		ret = bpf_map__update_elem(out, &slot, sizeof(slot), &dev, sizeof(dev), BPF_ANY);
		if (ret) {
			snprintf(err, err_len,
				 "the loop cannot send through %s: %s (its driver takes no XDP "
				 "redirect, ndo_xdp_xmit?)",
				 g->o->ifname, strerror(-ret));
			return ret;
		}
	} else {
		snprintf(err, err_len, "cannot put %s in the loop's device map: %s", g->loop.b,
			 strerror(-ret));
		return ret;
	}
	g->skel->bss->loop_st = (struct xdpi_gen_cpu){
		.thread = 0,
		.threads = 1,
		.mine = gen_flows_of(g->o->flows, 0, 1),
	};
	g->loop_link = bpf_program__attach_xdp(g->skel->progs.xdpi_gen_loop, g->loop.a_index);
	if (!g->loop_link) {
		ret = -errno;
		snprintf(err, err_len, "cannot attach the loop's program to %s: %s", g->loop.a,
			 strerror(-ret));
	}
	return ret;
}

/* Sends @n seed frames into the loop: 0, or -errno when none went. The
 * test hook XDPI_TEST_LOOP_FOREIGN_SEEDS=1 sends them with another source
 * MAC, which the program lets pass: a loop that never goes round. */
static int gen_loop_seed_again(struct gen_ctx *g, int n)
{
	const char *hook = getenv("XDPI_TEST_LOOP_FOREIGN_SEEDS");
	uint8_t *seed = g->frames[0];
	int sent;

	if (hook && !strcmp(hook, "1"))
		seed[ETH_ALEN + 5] ^= 1; /* the source MAC's last byte */
	sent = gen_loop_seed(&g->loop, seed, (size_t)g->frame_len[0], n);
	if (hook && !strcmp(hook, "1"))
		seed[ETH_ALEN + 5] ^= 1;

	if (sent <= 0) {
		xdpi_warn("cannot send the loop's seed frames into %s: %s", g->loop.b,
			  strerror(sent < 0 ? -sent : EIO));
		return sent < 0 ? sent : -EIO;
	}
	return 0;
}

/*
 * The loop's sender thread: seeds the loop from its CPU (where the pair's
 * NAPI then runs) and watches it. The program counts the frames and keeps
 * the count, the deadline and the pace; this thread only tells it to stop
 * and seeds again if the loop lost its frames.
 */
static void *gen_loop_thread(void *arg)
{
	struct gen_thread *t = arg;
	struct gen_ctx *g = t->g;
	const struct gen_opts *o = g->o;
	struct xdpi_gen_loop *lp = &g->skel->bss->loop;
	struct xdpi_gen_cpu *st = &g->skel->bss->loop_st;
	double seconds = o->duration ? o->duration : GEN_LOOP_MAX_S, now, progress;
	uint64_t rounds = 0, lag = (uint64_t)((double)o->rate * GEN_MAX_LAG_S);
	int reseeds = 0;
	const struct timespec poll = {0, (long)(GEN_LOOP_POLL_S * 1e9)};

	lp->count = o->count;
	lp->rate = o->rate;
	lp->lag_max = lag > GEN_PACED_CHUNK ? lag : GEN_PACED_CHUNK;
	lp->deadline_ns = (uint64_t)((g->start + seconds) * 1e9);
	now = xdpi_now();
	t->warm_until = now + GEN_WARMUP_S;
	t->err = gen_loop_seed_again(g, GEN_LOOP_SEEDS);
	progress = now;
	while (!t->err) {
		uint64_t sent, seen;

		nanosleep(&poll, NULL);
		now = xdpi_now();
		if (o->stamp == GEN_STAMP_PKTGEN) /* a clock slewed or stepped is followed */
			__atomic_store_n(&g->skel->bss->real_offset_ns, gen_real_offset_ns(),
					 __ATOMIC_RELAXED);
		sent = __atomic_load_n(&st->frames, __ATOMIC_RELAXED);
		if (!t->first_time && now >= t->warm_until) {
			t->first_time = now;
			t->warm_sent = sent;
		}
		if (*g->stop || (o->duration && now - g->start >= o->duration) ||
		    (o->count && sent >= o->count))
			break;
		seen = __atomic_load_n(&lp->rounds, __ATOMIC_RELAXED);
		if (seen != rounds) {
			rounds = seen;
			progress = now;
			reseeds = 0;
		} else if (now - progress > GEN_LOOP_STALL_S) {
			/* The frames died (a ring that was full): new ones, a
			 * bounded number of times. */
			if (++reseeds > GEN_LOOP_MAX_RESEEDS) {
				xdpi_warn("the loop on %s does not go round: no frame came back "
					  "after %d seedings %.0f ms apart",
					  g->loop.a, GEN_LOOP_MAX_RESEEDS, 1e3 * GEN_LOOP_STALL_S);
				t->err = -EIO;
				break;
			}
			t->err = gen_loop_seed_again(g, GEN_LOOP_SEEDS);
			progress = now;
		}
	}
	__atomic_store_n(&lp->stop, 1, __ATOMIC_RELAXED);
	t->last_time = now;
	/* Every frame still going round is dropped at its next round. */
	nanosleep(&poll, NULL);
	t->sent = __atomic_load_n(&st->frames, __ATOMIC_RELAXED);
	t->forgiven = lp->fell_behind;
	return NULL;
}

/* Runs one frame through the kernel path; an error (EINVAL, EOPNOTSUPP)
 * means this kernel has no live frames (before 5.18). Whether the device
 * accepted the frame is not visible here (see the file comment). */
static int gen_probe_live(struct gen_ctx *g)
{
	struct xdp_md md = {.data_end = (uint32_t)g->frame_len[0],
			    .ingress_ifindex = (uint32_t)g->ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = g->frames[0],
		    .data_size_in = (uint32_t)g->frame_len[0], .ctx_in = &md,
		    .ctx_size_in = sizeof(md), .repeat = 1, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	cpu_set_t set, old;
	int ret;

	/* Run on the first sender's CPU: its per-CPU slot is set up. */
	CPU_ZERO(&set);
	CPU_SET(g->t[0].cpu, &set);
	sched_getaffinity(0, sizeof(old), &old);
	sched_setaffinity(0, sizeof(set), &set);
	ret = bpf_prog_test_run_opts(bpf_program__fd(g->skel->progs.xdpi_gen), &topts) ? -errno : 0;
	sched_setaffinity(0, sizeof(old), &old);
	if (!ret)
		g->t[0].sent = 1;
	return ret;
}

/*
 * One TX socket per thread. A frame longer than a UMEM frame (jumbo) goes
 * out as a chain of page-sized UMEM frames, which needs a multi-buffer
 * socket (XDP_USE_SG; in copy mode, as on veth, Linux 6.6+).
 */
static int gen_setup_xsk(struct gen_ctx *g, char *err, size_t err_len)
{
	uint32_t max_len = gen_size_max(g->o->size) - 4;
	bool jumbo = max_len > XDPI_XSK_DEFAULT_FRAME_SIZE;

	for (int i = 0; i < g->threads; i++) {
		struct xdpi_xsk_opts xo;
		char why[224];

		xdpi_xsk_opts_defaults(&xo);
		xo.ifname = g->o->ifname;
		xo.queue_id = (uint32_t)i;
		xo.rx_size = 0;
		xo.tx_size = 2048;
		xo.fill_size = 64;
		xo.busy_poll = false;
		if (jumbo) {
			xo.frame_size = GEN_XSK_JUMBO_FRAME;
			xo.multi_buffer = true;
		}
		g->t[i].xsk = xdpi_xsk_create(&xo, why, sizeof(why));
		if (!g->t[i].xsk) {
			int ret = -errno;

			if (jumbo)
				snprintf(err, err_len,
					 "%u-byte frames need AF_XDP multi-buffer TX (Linux "
					 "6.6+): %s",
					 max_len + 4, why);
			else
				snprintf(err, err_len, "%s", why);
			return ret;
		}
	}
	return 0;
}

static void gen_teardown(struct gen_ctx *g)
{
	for (int i = 0; i < g->threads; i++)
		xdpi_xsk_destroy(g->t[i].xsk);
	xdpi_detach(&g->link);
	bpf_link__destroy(g->loop_link);
	gen_loop_pair_destroy(&g->loop);
	gen_bpf__destroy(g->skel);
}

double gen_result_pps(const struct gen_result *r)
{
	return r->seconds > 0 ? (double)(r->sent - r->warmup_sent) / r->seconds : 0.0;
}

/* One sender thread per CPU of o->cpus; by default one, on the first CPU
 * this process may use. */
static void gen_threads_place(struct gen_ctx *g)
{
	const struct gen_opts *o = g->o;
	cpu_set_t allowed;

	if (o->ncpus) {
		g->threads = o->ncpus;
		for (int i = 0; i < o->ncpus; i++)
			g->t[i].cpu = o->cpus[i];
		return;
	}
	sched_getaffinity(0, sizeof(allowed), &allowed);
	g->threads = 1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed)) {
			g->t[0].cpu = c;
			break;
		}
}

/* The calling thread (and with it the caller's other threads created
 * later) stays on the senders' CPUs: off the receiver's, whose worker it
 * would otherwise preempt in a benchmark. */
static void gen_caller_pin(const struct gen_ctx *g)
{
	cpu_set_t allowed;

	CPU_ZERO(&allowed);
	for (int i = 0; i < g->threads; i++)
		CPU_SET(g->t[i].cpu, &allowed);
	sched_setaffinity(0, sizeof(allowed), &allowed);
}

static int gen_templates(struct gen_ctx *g)
{
	const struct gen_opts *o = g->o;

	for (int k = 0; k < gen_sizes_of(o->size); k++) {
		g->frame_len[k] =
			gen_build_frame(o, o->size > GEN_IMIX_JUMBO ? o->size : imix_sizes[k],
					g->frames[k], sizeof(g->frames[k]));
		if (g->frame_len[k] < 0)
			return g->frame_len[k];
	}
	return 0;
}

/* Live frames where the kernel has them (and the caller did not ask for
 * AF_XDP), else AF_XDP sockets; fills res->method. */
static int gen_method_setup(struct gen_ctx *g, struct gen_result *res, char *err, size_t err_len)
{
	const struct gen_opts *o = g->o;
	int ret;

	res->method = o->method;
	if (o->method == GEN_AUTO && gen_size_max(o->size) > GEN_LIVE_MAX_SIZE) {
		xdpi_info("%u-byte frames are larger than live frames carry (%d): sending "
			  "through AF_XDP multi-buffer TX",
			  gen_size_max(o->size), GEN_LIVE_MAX_SIZE);
		res->method = GEN_XSK;
	}
	if (res->method == GEN_AUTO || res->method == GEN_LIVE_FRAMES) {
		ret = gen_setup_live(g, err, err_len);
		if (!ret)
			ret = gen_probe_live(g);
		if (!ret) {
			res->method = GEN_LIVE_FRAMES;
		} else if (o->method == GEN_LIVE_FRAMES) {
			if (!*err)
				snprintf(err, err_len,
					 "live frames (BPF_PROG_RUN, Linux 5.18+) failed on %s: %s",
					 o->ifname, strerror(-ret));
			return ret;
		} else {
			xdpi_info("live frames unavailable on %s (%s)", o->ifname, strerror(-ret));
			*err = 0;
			g->t[0].sent = 0;
			res->method = GEN_XSK;
		}
	}
	/* Live frames refused: the loop, where it can send the stream. */
	if (o->method == GEN_AUTO && res->method == GEN_XSK &&
	    gen_size_max(o->size) <= GEN_LIVE_MAX_SIZE) {
		if (gen_loop_unfit(o, g->threads))
			xdpi_info("%s: falling back to AF_XDP TX", gen_loop_unfit(o, g->threads));
		else
			res->method = GEN_LOOP;
	}
	if (res->method == GEN_LOOP) {
		ret = gen_setup_loop(g, err, err_len);
		if (!ret) {
			if (o->method == GEN_AUTO)
				xdpi_info("sending from a loop of XDP frames (veth %s-%s) instead",
					  g->loop.a, g->loop.b);
			res->method = GEN_LOOP;
			return 0;
		}
		if (o->method == GEN_LOOP)
			return ret;
		xdpi_info("the loop is unavailable too (%s): falling back to AF_XDP TX", err);
		*err = 0;
		res->method = GEN_XSK;
		bpf_link__destroy(g->loop_link);
		g->loop_link = NULL;
		gen_loop_pair_destroy(&g->loop);
	}
	return res->method == GEN_XSK ? gen_setup_xsk(g, err, err_len) : 0;
}

/* Starts the sender threads, each pinned to its CPU. Returns how many
 * started; *@ret says why the next one did not. */
static int gen_threads_start(struct gen_ctx *g, enum gen_method m, int *ret, char *err,
			     size_t err_len)
{
	int started = 0;

	for (int i = 0; i < g->threads; i++) {
		pthread_attr_t attr;
		cpu_set_t set;

		g->t[i].g = g;
		g->t[i].idx = i;
		pthread_attr_init(&attr);
		CPU_ZERO(&set);
		CPU_SET(g->t[i].cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		*ret = -pthread_create(&g->t[i].tid, &attr,
				       m == GEN_XSK    ? gen_xsk_thread
				       : m == GEN_LOOP ? gen_loop_thread
						       : gen_live_thread,
				       &g->t[i]);
		pthread_attr_destroy(&attr);
		if (*ret) {
			snprintf(err, err_len, "cannot start sender thread %d", i);
			break;
		}
		started++;
	}
	return started;
}

/* Joins the @started threads and adds up what they sent. @ret: the start
 * error, kept over a thread's. */
static int gen_threads_join(struct gen_ctx *g, int started, int ret, struct gen_result *res,
			    char *err, size_t err_len)
{
	for (int i = 0; i < started; i++) {
		pthread_join(g->t[i].tid, NULL);
		res->per_thread[i] = g->t[i].sent;
		res->sent += g->t[i].sent;
		res->fell_behind += g->t[i].forgiven;
		res->warmup_sent += g->t[i].first_time ? g->t[i].warm_sent : g->t[i].sent;
		if (g->t[i].err && !ret) {
			ret = g->t[i].err;
			snprintf(err, err_len, "sender thread %d: %s", i, strerror(-ret));
		}
	}
	res->threads = started;
	return ret;
}

/* The rate is that of the sending itself: from the first thread's start
 * to the last one's end, not thread creation and joins. */
static double gen_seconds(const struct gen_ctx *g, int started)
{
	double first = 0, last = 0;

	for (int i = 0; i < started; i++) {
		if (g->t[i].first_time && (!first || g->t[i].first_time < first))
			first = g->t[i].first_time;
		if (g->t[i].last_time > last)
			last = g->t[i].last_time;
	}
	return first && last > first ? last - first : xdpi_now() - g->start;
}

/* The interface's MTU, by SIOCGIFMTU: 0 if it cannot be read. */
static uint32_t gen_iface_mtu(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ret = ioctl(fd, SIOCGIFMTU, &ifr);
	close(fd);
	return ret ? 0 : (uint32_t)ifr.ifr_mtu;
}

/* A frame longer than the MTU + 14 (no VLAN tag here) would be dropped by
 * the device or its peer (veth counts it, nothing arrives): refuse it. */
static int gen_check_mtu(struct gen_ctx *g, char *err, size_t err_len)
{
	uint32_t max = gen_size_max(g->o->size);

	g->mtu = gen_iface_mtu(g->o->ifname);
	if (!g->mtu || max - 4 - FRAME_ETH_HLEN <= g->mtu)
		return 0;
	snprintf(err, err_len,
		 "%u-byte frames do not fit the MTU of %s, %u: they need an MTU of at least %u "
		 "(bytes on the wire less the 14-byte Ethernet header and 4-byte FCS; "
		 "ip link set %s mtu %u, or bench/testbed.sh up --mtu %u)",
		 max, g->o->ifname, g->mtu, max - 4 - FRAME_ETH_HLEN, g->o->ifname,
		 max - 4 - FRAME_ETH_HLEN, max - 4 - FRAME_ETH_HLEN);
	return -EMSGSIZE;
}

int gen_run(const struct gen_opts *o, const volatile int *stop, struct gen_result *res, char *err,
	    size_t err_len)
{
	struct gen_ctx *g;
	int ret, started;

	memset(res, 0, sizeof(*res));
	ret = gen_opts_validate(o, err, err_len);
	if (ret)
		return ret;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->o = o;
	g->stop = stop;
	g->ifindex = (int)if_nametoindex(o->ifname);
	if (!g->ifindex) {
		snprintf(err, err_len, "no interface '%s'", o->ifname);
		ret = -ENODEV;
		goto out;
	}
	ret = gen_check_mtu(g, err, err_len);
	if (ret)
		goto out;
	gen_threads_place(g);
	gen_caller_pin(g);
	ret = gen_templates(g);
	if (!ret)
		ret = gen_method_setup(g, res, err, err_len);
	if (ret)
		goto out;

	/* Paced sleeps are tens of microseconds: the default 50 us timer
	 * slack would be their size. Threads inherit it. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	g->start = xdpi_now();
	started = gen_threads_start(g, res->method, &ret, err, err_len);
	ret = gen_threads_join(g, started, ret, res, err, err_len);
	res->seconds = gen_seconds(g, started);
out:
	gen_teardown(g);
	free(g);
	return ret;
}

/* veth counts the frames its peer refused (its ring full) per TX queue. */
uint64_t gen_tx_refused(const char *ifname)
{
	struct iface_queue_counters tx;
	uint64_t refused = 0;

	for (int q = 0; q < 64; q++) {
		if (iface_queue_counters(ifname, "tx", (uint32_t)q, &tx) || !tx.count)
			break;
		for (int i = 0; i < tx.count; i++)
			if (!strcmp(tx.c[i].name, "xdp_xmit_errors"))
				refused += tx.c[i].value;
	}
	return refused;
}
