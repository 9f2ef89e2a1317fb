/* SPDX-License-Identifier: MIT */
/*
 * The traffic generator behind `xdpi gen` and `xdpi bench`.
 *
 * Fastest path (Linux 5.18+): BPF_PROG_RUN of bpf/gen.bpf.c with
 * BPF_F_TEST_XDP_LIVE_FRAMES, which stamps and XDP_TXes a template frame
 * from inside the kernel, millions of times a second from one core. Where
 * the kernel refuses that, the same frames go out through an AF_XDP socket
 * (the xsk engine the inspector uses), or, for one sender thread and frames
 * of one size, from the loop: frames that go round a veth pair of the
 * generator's own, an XDP program sending a copy at every round (bpf/gen.bpf.c,
 * bench/genloop.h). One sender thread per CPU; flows
 * are split between threads so each flow stays in order (bpf/gen_shared.h).
 *
 * Errors: int functions return 0 or a negative errno, with a one-line
 * reason in @err where there is one.
 */
#ifndef XDPI_BENCH_GENERATOR_H
#define XDPI_BENCH_GENERATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/gen_shared.h"

enum gen_proto {
	GEN_TCP_SYN = 0,
	GEN_TCP_DATA,
	GEN_UDP,
};

enum gen_method {
	GEN_AUTO = 0, /* live frames, else the loop, else AF_XDP */
	GEN_LIVE_FRAMES,
	GEN_XSK,
	GEN_LOOP, /* XDP frames going round a veth pair of the generator's (bench/genloop.h) */
};

/* What follows the TCP header of every frame (--payload): nothing (zero
 * bytes), an HTTP/1.1 request, or a TLS ClientHello with SNI, ALPN and
 * supported_versions; the same in every frame, the rest of the frame
 * zero. What a flow table's payload peeks keep (inspect/peek.h). */
enum gen_payload {
	GEN_PAYLOAD_NONE = 0,
	GEN_PAYLOAD_HTTP,
	GEN_PAYLOAD_TLS,
	GEN__PAYLOADS,
};

/* What each frame carries (bpf/gen_shared.h). */
enum gen_stamp {
	GEN_STAMP_XDPI = XDPI_STAMP_XDPI,     /* xdpi's: TCP header fields or a UDP payload */
	GEN_STAMP_PKTGEN = XDPI_STAMP_PKTGEN, /* the kernel pktgen's UDP header, byte for byte */
};

#define GEN_MAX_THREADS 64
#define GEN_MAX_SRC_IPS 131072 /* 198.18.0.0/15, the benchmarking block */
#define GEN_IMIX 0	       /* size: 7:4:1 of 64/594/1518 */
#define GEN_IMIX_JUMBO 1       /* size: 7:4:1:1 of 64/594/1518/9018 */
#define GEN_MAX_SIZE 9018      /* on the wire: a 9000-byte MTU, Ethernet header, FCS */
/* The largest frame BPF_PROG_RUN's live frames carry, on the wire: the
 * kernel puts each in one page after 256 bytes of XDP headroom and its own
 * page header (112 bytes), with 320 of skb_shared_info at the end, and
 * refuses more (net/bpf/test_run.c, "disallow live data mode for jumbo
 * frames"): 4096 - 256 - 112 - 320 = 3408 bytes, + 4 of FCS. Measured on
 * Linux 6.18, x86-64 (tests/t_jumbo_gen.sh). Larger frames go through
 * AF_XDP multi-buffer TX. */
#define GEN_LIVE_MAX_SIZE 3412

struct gen_opts {
	const char *ifname;
	enum gen_proto proto;
	uint32_t size; /* on the wire, FCS included: 64..9018, GEN_IMIX or GEN_IMIX_JUMBO */
	uint32_t flows;
	uint64_t rate;	 /* frames per second over all threads; 0: as fast as possible */
	double duration; /* seconds; 0: until count (or stop) */
	uint64_t count;	 /* frames over all threads; 0: until duration */
	int cpus[GEN_MAX_THREADS];
	int ncpus;
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src_ip, dst_ip; /* host order */
	/* Sources: src_ip and the next src_ips - 1 addresses, round robin
	 * (xdpi_gen_spoof()); 0 or 1: src_ip alone. */
	uint32_t src_ips;
	enum gen_method method;
	enum gen_stamp stamp;	  /* GEN_STAMP_PKTGEN needs GEN_UDP */
	enum gen_payload payload; /* TCP only, in frames of a plain size */
};

struct gen_result {
	uint64_t sent; /* frames handed to the interface (XDP_TX or TX ring) */
	double seconds;
	enum gen_method method;
	uint64_t per_thread[GEN_MAX_THREADS];
	int threads;
	/* Paced runs: frames that fell due while a sender thread could not
	 * run and were dropped from the schedule rather than sent in a burst. */
	uint64_t fell_behind;
	/* Frames sent in the first GEN_WARMUP_S, while the path warms up:
	 * included in `sent`, not in the achieved rate (gen_result_pps()). */
	uint64_t warmup_sent;
};

/* The achieved rate: frames after the warm-up over the sending time. */
double gen_result_pps(const struct gen_result *r);

void gen_opts_defaults(struct gen_opts *o);

/* Named traffic mixes (--preset). A flood makes every frame a new flow:
 * frame k of a run carries source port XDPI_GEN_SPORT_BASE + k mod flows
 * and source address src_ip + k mod src_ips (xdpi_gen_spoof()); with
 * 50,000 ports and 131,071 addresses (a prime, so the pair repeats only
 * after their product) that is 6.5 G distinct 4-tuples, 15 minutes at
 * 7 Mpps, all in 198.18.0.0/15. */
enum gen_preset {
	GEN_PRESET_SYN_FLOOD = 0, /* spoofed SYNs, a new flow a frame */
	GEN_PRESET_UDP_FLOOD,	  /* the same over UDP */
	GEN__PRESETS,
};
#define GEN_FLOOD_SRC_IPS (GEN_MAX_SRC_IPS - 1)
extern const char *const gen_preset_names[GEN__PRESETS];
/* Sets @o's protocol, flows and sources to the preset @name: 0, or
 * -EINVAL for an unknown name. */
int gen_preset_apply(struct gen_opts *o, const char *name);
/* Distinct (source address, source port) pairs before the run repeats. */
uint64_t gen_distinct_tuples(const struct gen_opts *o);
int gen_opts_validate(const struct gen_opts *o, char *err, size_t err_len);
const char *gen_proto_name(enum gen_proto p);
int gen_proto_parse(const char *s);
const char *gen_method_name(enum gen_method m);
const char *gen_stamp_name(enum gen_stamp s);
int gen_stamp_parse(const char *s);
extern const char *const gen_payload_names[GEN__PAYLOADS];
/* The smallest frame on the wire (FCS included) that holds @p's payload
 * after the TCP header; 64 for GEN_PAYLOAD_NONE. */
uint32_t gen_payload_min_size(enum gen_payload p);

/* Builds the template frame of @wire_size bytes on the wire (the buffer is
 * 4 bytes shorter: no FCS). Returns its length or -EINVAL. */
int gen_build_frame(const struct gen_opts *o, uint32_t wire_size, uint8_t *buf, size_t len);
/* Offset of the L4 header in gen_build_frame()'s frames. */
uint32_t gen_l4_off(void);
/* What bpf/gen.bpf.c writes into frame n of thread t: flow and sequence. */
void gen_flow_seq(uint32_t flows, uint32_t thread, uint32_t threads, uint64_t n, uint32_t *flow,
		  uint32_t *seq);
/* Stamps @frame as bpf/gen.bpf.c does: frame @seq (from 0) of @flow, sent
 * at @now_ns as gen_stamp_now() reads it (0: no time). */
void gen_stamp(uint8_t *frame, const struct gen_opts *o, uint32_t flow, uint32_t seq,
	       uint64_t now_ns);
/* The clock of @o's stamp in ns: CLOCK_MONOTONIC for xdpi's, CLOCK_REALTIME
 * for pktgen's. */
uint64_t gen_stamp_now(const struct gen_opts *o);
/* The wire size of frame n in an imix stream (7:4:1 of 64/594/1518). */
uint32_t gen_imix_size(uint64_t n);
/* The wire size of frame n of a thread's stream with @size (a size, or
 * GEN_IMIX / GEN_IMIX_JUMBO). */
uint32_t gen_size_of(uint32_t size, uint64_t n);
/* The mean frame size on the wire of a stream with @size (a size, or a
 * mix over its whole cycle). */
double gen_size_mean(uint32_t size);
/* The largest frame on the wire a stream with @size sends. */
uint32_t gen_size_max(uint32_t size);
/* "imix", "imix-jumbo" or NULL for a plain size. */
const char *gen_size_name(uint32_t size);

/*
 * Sends until the count or duration is reached or *@stop becomes non-zero.
 * Sender threads are pinned to o->cpus (default: the first CPU this
 * process may use).
 */
int gen_run(const struct gen_opts *o, const volatile int *stop, struct gen_result *res, char *err,
	    size_t err_len);

/* The frames @ifname's peer refused so far (veth's xdp_xmit_errors over
 * its TX queues, its ring full): read before and after a run. 0 where the
 * driver has no such counter. */
uint64_t gen_tx_refused(const char *ifname);

/* Writes the first @max frames the run would send (all threads, in send
 * order per thread, time stamps 0) to a pcap file, for `xdpi read`. */
int gen_write_pcap(const struct gen_opts *o, const char *path, uint64_t max, char *err,
		   size_t err_len);

#endif /* XDPI_BENCH_GENERATOR_H */
