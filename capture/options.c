// SPDX-License-Identifier: MIT
/*
 * The option tables of a capture run (util/opttab.h): every option of
 * `xdpi live` but its own three (--config, --check-config, --help), each
 * with its default, range and help, the defaults read from the headers
 * that own them (xsk/xsk.h, xsk/worker.h, inspect/detect.h, ...). What no
 * type covers is a callback here: the filter (checked by the XDP
 * program's interpreter), --proto (a keyword into the same field),
 * --prometheus's address, --host-groups (parsed on the thresholds so far).
 */
#include "options.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../inspect/detect_groups.h"
#include "../inspect/filter.h"
#include "../inspect/flows.h"
#include "../inspect/metrics.h"
#include "../util/optval.h"
#include "../xsk/worker.h"

/* Room for libpcap's messages (PCAP_ERRBUF_SIZE is 256). */
#define FILTER_ERR_LEN 512

/* Passive defaults: every header xdpi parses fits in 512 bytes (Ethernet,
 * two tags, IPv6 with extension headers, TCP with options) with room for
 * the first bytes of a payload; a 4 MiB ring holds about 7500 of those
 * records, a few milliseconds at line rate on 10G. */
#define CAPTURE_SNAPLEN 512
#define CAPTURE_RING_SIZE (4u << 20)

_Static_assert(sizeof(enum xdpi_xsk_mode) == sizeof(int), "a choice is an int");
_Static_assert(sizeof(enum steer_xdp_mode) == sizeof(int), "a choice is an int");
_Static_assert(sizeof(enum capture_sender_clock) == sizeof(int), "a choice is an int");
_Static_assert(sizeof(enum capture_direction) == sizeof(int), "a choice is an int");
_Static_assert(XDPI_SNAPLEN_MAX == 65535, "the valid values -s names");

static const char *const xsk_mode_names[] = {"auto", "zerocopy", "copy"};
static const char *const xdp_mode_names[] = {"auto", "native", "skb"};
static const char *const sender_clock_names[] = {"auto", "local", "synced", "unsynced"};
/* Index 0, "auto", is the default only: not a value to give. */
static const char *const direction_names[] = {"auto", "in", "out", "inout"};
static const char *const proto_names[] = {"tcp", "udp", "ip", "all"};

#define SECONDS_VALID "seconds, plain decimal (0.5, 10), at least 0.001 or 0"
#define TIMEOUT_VALID "seconds, plain decimal (0.5, 10), more than 0"
#define COUNT_VALID "a count from 1"
#define LIST_VALID "a list such as 0,2-3"

/* A filter the XDP program can run: compiles, and fits its interpreter. */
static int filter_check(const char *text, char *err, size_t err_len)
{
	struct xdpi_filter f;
	int ret = xdpi_filter_compile(&f, xdpi_filter_user_text(text), err, err_len);

	if (!ret && f.kind == XDPI_FILTER_EXPR)
		ret = steer_filter_check(f.insns, f.len, err, err_len);
	xdpi_filter_destroy(&f);
	return ret;
}

static int filter_explain(const char *arg, char *err, size_t err_len)
{
	*err = 0;
	return filter_check(arg, err, err_len) && *err;
}

static int filter_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	char err[FILTER_ERR_LEN];

	if (filter_check(arg, err, sizeof(err)))
		return -EINVAL;
	/* `udp` here is libpcap's; xdpi's own test is --proto. */
	*(const char **)(void *)((char *)obj + r->off) = xdpi_filter_user_text(arg);
	return 0;
}

/* The filter as the option that would set it: --proto for a keyword,
 * --filter for an expression, neither for the default. */
static int filter_fmt_as(const void *obj, const struct opttab_row *r, bool keyword, char *buf,
			 size_t len)
{
	const char *f = *(const char *const *)(const void *)((const char *)obj + r->off);

	if (!f || !strcmp(f, CAPTURE_DEFAULT_PROTO) || (xdpi_filter_keyword(f) >= 0) != keyword)
		return 0;
	snprintf(buf, len, "%s", f);
	return 1;
}

static int filter_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	return filter_fmt_as(obj, r, false, buf, len);
}

static int proto_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	return filter_fmt_as(obj, r, true, buf, len);
}

static int proto_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	int v = xdpi_parse_choice(arg, proto_names, 4);

	if (v < 0)
		return -EINVAL;
	/* The keyword: the built-in class. */
	*(const char **)(void *)((char *)obj + r->off) = proto_names[v];
	return 0;
}

static int prometheus_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	char err[160];

	/* Its form now, a usage error; the bind comes later. */
	if (xdpi_parse_listen(arg, "127.0.0.1", NULL, err, sizeof(err)))
		return -EINVAL;
	*(const char **)(void *)((char *)obj + r->off) = arg;
	return 0;
}

static int host_groups_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	/* Checked here against the thresholds given so far; built again on
	 * the final ones by capture_host_groups(). */
	struct capture_flow_opts t = *(struct capture_flow_opts *)obj;
	struct detect_groups *gs;
	char err[256];

	t.host_groups = arg;
	if (capture_host_groups(&t, &gs, err, sizeof(err)))
		return -EINVAL;
	free(gs);
	*(const char **)(void *)((char *)obj + r->off) = arg;
	return 0;
}

static int host_groups_explain(const char *arg, char *err, size_t err_len)
{
	struct capture_flow_opts f;
	struct detect_groups *gs;

	capture_flow_opts_defaults(&f);
	f.host_groups = arg;
	if (!capture_host_groups(&f, &gs, err, err_len)) {
		free(gs);
		return 0;
	}
	return 1;
}

#define R(m) offsetof(struct capture_opts, m)
#define FL(m) offsetof(struct capture_flow_opts, m)
#define TH(m) (offsetof(struct capture_flow_opts, detect) + offsetof(struct detect_thresholds, m))

/* tcpdump's letters where tcpdump has them (-i -c -w -q -s -v); the rest
 * long only, so that no letter means one thing here and another there. */
const struct opttab_row capture_run_rows[] = {
	{OPTTAB_GROUP, "Mode:"},
	{OPTTAB_FLAG, "passive", .off = R(passive),
	 .help = "the XDP program copies the first --snaplen bytes of each wanted frame to xdpi "
		 "and passes every frame on: the host keeps its traffic (default: steering, "
		 "the wanted frames go to AF_XDP sockets and not to the host)"},
	{OPTTAB_FLAG, "takeover", .off = R(takeover),
	 .help = "steer an interface the host uses anyway (inline use, a capture port that has "
		 "an address); --ceiling drops the frames in XDP and needs it too"},
	{OPTTAB_GROUP, "Traffic and duration:"},
	{OPTTAB_STRING, "filter", 'f', .off = R(filter), .def_s = CAPTURE_DEFAULT_PROTO,
	 .parse = filter_parse, .fmt = filter_fmt, .explain = filter_explain, .metavar = "F",
	 .flags = OPTTAB_NO_DEFAULT,
	 .help = "frames to steer: a pcap-filter expression ('tcp port 443', 'udp'), with "
		 "libpcap's semantics as in tcpdump (its udp does not look past VLAN tags), run "
		 "in the XDP program (at most 256 classic BPF instructions); the rest passes to "
		 "the kernel untouched (docs/live.md)"},
	{OPTTAB_CUSTOM, "proto", .off = R(filter), .parse = proto_parse, .fmt = proto_fmt,
	 .valid = "tcp, udp, ip, all", .metavar = "P", .def_doc = CAPTURE_DEFAULT_PROTO,
	 .help = "frames to steer by xdpi's own test, which looks through two VLAN tags and IPv6 "
		 "extension headers: tcp, udp, ip, all; with --filter, the last one given counts"},
	{OPTTAB_STRING, "interface", 'i', .off = R(ifname), .flags = OPTTAB_POSITIONAL,
	 .metavar = "IFACE", .help = "the interface (or as the last argument)"},
	{OPTTAB_SECONDS, "duration", 'd', .off = R(duration), .valid = SECONDS_VALID,
	 .metavar = "S", .def_doc = "at SIGINT/SIGTERM", .help = "stop after S seconds"},
	{OPTTAB_U64, "count", 'c', .off = R(count), .min = 1, .valid = COUNT_VALID, .metavar = "N",
	 .flags = OPTTAB_NO_DEFAULT,
	 .help = "stop once N frames were taken (exactly N: the XDP program passes the rest to "
		 "the kernel)"},
	{OPTTAB_NOFLAG, "no-inspect", .off = R(inspect),
	 .help = "receive and return frames without parsing them"},
	{OPTTAB_FLAG, "ceiling", .off = R(ceiling),
	 .help = "no sockets: the XDP program counts and drops the wanted frames (the in-kernel "
		 "ceiling `xdpi bench` compares with); the ledger shows them as dropped"},
	{OPTTAB_U32, "snaplen", 's', .off = R(snaplen), .def_u = CAPTURE_SNAPLEN, .min = 64,
	 .max = XDPI_SNAPLEN_MAX, .valid = "64..65535", .metavar = "N",
	 .help = "passive: bytes copied per frame, 64..65535: the default holds every header "
		 "xdpi parses; 65535: whole frames, jumbo ones too"},
	{OPTTAB_U32, "ring-size", .off = R(ring_size), .def_u = CAPTURE_RING_SIZE,
	 .min = XDPI_COPY_RING_MIN, .max = 1u << 30, .flags = OPTTAB_POW2,
	 .valid = "a power of two from 4096 to 1073741824", .metavar = "N",
	 .help = "passive: bytes of each queue's ring, a power of two from 4096 that holds one "
		 "copy of --snaplen"},
	{OPTTAB_CHOICE, "direction", .off = R(direction), .choices = direction_names, .nchoices = 4,
	 .choice_first = 1, .metavar = "D", .def_doc = "inout with --passive, else in",
	 .help = "in (frames received), out (frames sent, copied by a tc egress program) or "
		 "inout; passive only but in"},
	{OPTTAB_FLAG, "check-seq", .off = R(check_seq),
	 .help = "check the stamps of `xdpi gen` traffic and the kernel pktgen's header: frames "
		 "lost, duplicated, reordered per flow, and one-way latency percentiles where "
		 "the clocks compare"},
	{OPTTAB_CHOICE, "sender-clock", .off = R(sender_clock), .choices = sender_clock_names,
	 .nchoices = 4, .metavar = "C", .def_doc = "auto: local on veth, else unsynced",
	 .help = "where the senders' clocks are, for the latency: auto, local (this host), "
		 "synced (another host whose CLOCK_REALTIME is synchronised: pktgen stamps "
		 "only), unsynced (sequence results only)"},
	{OPTTAB_GROUP, "Queues and workers:"},
	{OPTTAB_LIST, "queues", .off = R(queues), .off2 = R(nqueues), .max = XDPI_MAX_QUEUES,
	 .limit = XDPI_MAX_QUEUES, .valid = LIST_VALID, .metavar = "LIST", .def_doc = "all",
	 .help = "RX queues, e.g. 0,2-3"},
	{OPTTAB_LIST, "cpus", .off = R(cpus), .off2 = R(ncpus), .max = CPU_SETSIZE,
	 .limit = CPU_SETSIZE, .valid = LIST_VALID, .metavar = "LIST",
	 .def_doc = "spread over the CPUs this process may use, so taskset and cpusets are "
		    "respected",
	 .help = "CPUs to pin the workers to, in queue order"},
	{OPTTAB_U32, "batch", 'b', .off = R(batch), .def_u = 64, .min = 1, .max = 4096,
	 .valid = "1..4096", .metavar = "N", .flags = CAPTURE_WRITE_SIZES,
	 .help = "descriptors per batch, 1..4096"},
	{OPTTAB_GROUP, "Sockets:"},
	{OPTTAB_CHOICE, "mode", .off = R(xsk.mode), .def_u = XDPI_XSK_MODE_AUTO,
	 .choices = xsk_mode_names, .nchoices = 3, .metavar = "M",
	 .help = "auto (zero-copy, else copy), zerocopy, copy"},
	{OPTTAB_CHOICE, "xdp-mode", .off = R(xdp_mode), .choices = xdp_mode_names, .nchoices = 3,
	 .metavar = "M", .help = "auto (native, else skb), native, skb"},
	{OPTTAB_U32, "frame-size", .off = R(xsk.frame_size), .def_u = XDPI_XSK_DEFAULT_FRAME_SIZE,
	 .metavar = "N", .flags = CAPTURE_WRITE_SIZES, .help = "UMEM frame size: 2048 or 4096"},
	{OPTTAB_U32, "max-frame", .off = R(max_frame), .min = CAPTURE_MAX_FRAME_MIN,
	 .max = CAPTURE_MAX_FRAME_MAX, .metavar = "N", .def_doc = "the MTU + 22",
	 .help = "the longest frame to receive, Ethernet header included, 60..65535; a frame "
		 "longer than a UMEM frame holds comes in several buffers (multi-buffer, Linux "
		 "6.6+)"},
	{OPTTAB_FLAG, "no-rx-metadata", .off = R(no_rx_metadata),
	 .help = "do not ask the driver for the stripped VLAN tag, RSS hash and receive time "
		 "(docs/live.md)"},
	{OPTTAB_FLAG, "no-frame-times", .off = R(no_frame_times),
	 .help = "date frames by batch instead of by the time the XDP program saw each one: "
		 "saves its clock read (RTTs and -w times then have the batch's grain)"},
	{OPTTAB_FLAG, "keep-offloads", .off = R(keep_offloads),
	 .help = "leave the NIC's VLAN tag stripping on: by default xdpi turns it off for the "
		 "run where the driver cannot hand XDP the tag, and restores it"},
	{OPTTAB_U32, "fill-size", .off = R(xsk.fill_size), .def_u = XDPI_XSK_DEFAULT_RING,
	 .metavar = "N", .flags = CAPTURE_WRITE_SIZES,
	 .help = "RX frames of the UMEM; the fill ring is twice this"},
	{OPTTAB_U32, "comp-size", .off = R(xsk.comp_size), .def_u = XDPI_XSK_DEFAULT_COMP_RING,
	 .metavar = "N", .help = "completion ring size"},
	{OPTTAB_U32, "rx-size", .off = R(xsk.rx_size), .def_u = XDPI_XSK_DEFAULT_RING,
	 .metavar = "N", .flags = CAPTURE_WRITE_SIZES,
	 .help = "RX ring size; ring sizes are powers of two from 64 to 32768"},
	{OPTTAB_NOFLAG, "no-busy-poll", .off = R(xsk.busy_poll),
	 .help = "no preferred busy polling. By default a socket that has a NAPI to poll "
		 "busy-polls it from the worker's CPU, and xdpi then sets the interface's "
		 "napi_defer_hard_irqs and a gro_flush_timeout sized from its ring (restored on "
		 "exit); a socket without one (veth) spins, then sleeps"},
	{OPTTAB_U32, "busy-poll-usecs", .off = R(xsk.busy_poll_usecs),
	 .def_u = XDPI_XSK_DEFAULT_BUSY_POLL_USECS, .max = 1000000, .metavar = "N",
	 .help = "SO_BUSY_POLL"},
	{OPTTAB_U32, "idle-spin-us", .off = R(idle_spin_us), .def_u = WORKER_IDLE_SPIN_NS / 1000,
	 .max = 1000000, .metavar = "N",
	 .help = "how long an idle worker spins on its ring before it sleeps in poll(); 0: at "
		 "once"},
	{OPTTAB_NOFLAG, "no-need-wakeup", .off = R(xsk.need_wakeup),
	 .help = "do not use the need_wakeup flag"},
	{OPTTAB_GROUP, "Output:"},
	{OPTTAB_SECONDS, "interval", .off = R(interval), .def_d = 1, .valid = SECONDS_VALID,
	 .metavar = "S", .help = "live table every S seconds; 0: off"},
	{OPTTAB_STRING, "write", 'w', .off = R(write), .metavar = "FILE",
	 .help = "write the inspected frames as pcapng (one interface per queue; - for stdout); "
		 "a copy a full buffer refuses is counted, never waited for"},
	{OPTTAB_FLAG, "quiet", 'q', .off = R(quiet),
	 .help = "no live table and no summary: warnings and errors only (what --json, "
		 "--json-lines, --record, -w ask for is still written; the exit status still "
		 "says whether the ledger closed)"},
	{OPTTAB_FLAG, "json", 'j', .off = R(json),
	 .help = "print one JSON object on stdout at the end (the `xdpi read` keys plus queues, "
		 "ledger and nothing_steered); the live table goes to stderr"},
	{OPTTAB_FLAG, "connections", .off = R(connections),
	 .help = "one line per connection on stdout as it ends, while the run goes on (within a "
		 "tick of the flow table ending it): start, duration, endpoints, protocol, "
		 "packets and bytes each way, in 80 columns, as `xdpi read --connections`; the "
		 "table and summary go to stderr. With -v every column: state and end reason, "
		 "handshake RTT, SNI or Host"},
	{OPTTAB_STRING, "record", .off = R(record), .metavar = "FILE",
	 .help = "write the same JSON record to FILE at the end (replaced; a symbolic link or "
		 "anything but a regular file is refused), for `xdpi compare`"},
	{OPTTAB_FLAG, "force", .off = R(force),
	 .help = "replace an XDP program libxdp cannot share"},
	{OPTTAB_STRING, "user", .off = R(user), .metavar = "NAME",
	 .help = "after set-up, switch to user NAME (and its group): --record and the report "
		 "are then written as NAME; a --json-lines file xdpi makes is NAME's, so that "
		 "NAME can reopen it after a rotation"},
	{OPTTAB_FLAG, "keep-privileges", .off = R(keep_privileges),
	 .help = "keep every capability in every thread; by default workers drop all and run "
		 "under seccomp, and the main thread keeps only what teardown needs "
		 "(docs/live.md, \"Least privilege\")"},
	{OPTTAB_FLAG, "verbose", 'v', .off = R(verbose),
	 .help = "show libxdp's and libbpf's messages; with --connections, every column"},
	{OPTTAB_END},
};

const struct opttab_row capture_flow_rows[] = {
	{OPTTAB_GROUP, "Flows and exporters (docs/flows.md, docs/exporting.md):"},
	{OPTTAB_FLAG, "no-flows", .off = FL(off),
	 .help = "no flow table: no connection metrics, flow records, top talkers or peeks (the "
		 "cheapest inspection)"},
	{OPTTAB_FLAG, "no-peeks", .off = FL(no_peeks),
	 .help = "no look at HTTP request lines and TLS ClientHellos"},
	{OPTTAB_U64, "max-flows", .off = FL(max_flows), .min = 1, .max = 1ull << 40,
	 .valid = COUNT_VALID, .metavar = "N", .def_doc = "what 1 GiB holds",
	 .help = "flows held at most, 928 bytes each with all it may hold; when full the idlest "
		 "are evicted"},
	{OPTTAB_SECONDS, "flow-timeout", .off = FL(timeout), .def_d = FLOW_TIMEOUT_DEFAULT_NS / 1e9,
	 .flags = OPTTAB_GT_MIN, .valid = TIMEOUT_VALID, .metavar = "SEC",
	 .help = "a flow idle this long ends"},
	{OPTTAB_SECONDS, "flow-closed-timeout", .off = FL(closed_timeout),
	 .def_d = FLOW_CLOSED_TIMEOUT_DEFAULT_NS / 1e9, .flags = OPTTAB_GT_MIN,
	 .valid = TIMEOUT_VALID, .metavar = "SEC", .help = "the same once a FIN or RST was seen"},
	{OPTTAB_U64, "distinct-limit", .off = FL(distinct_limit),
	 .def_u = METRICS_DISTINCT_LIMIT_DEFAULT, .min = 1, .max = 1ull << 40, .valid = COUNT_VALID,
	 .metavar = "N",
	 .help = "unique sources and TCP flows are exact up to N, then a HyperLogLog estimate"},
	{OPTTAB_STRING, "json-lines", .off = FL(json_lines), .metavar = "FILE",
	 .help = "one JSON object per line: stats per interval and one record per ended flow, "
		 "appended to FILE (- for standard output); a symbolic link or anything but a "
		 "regular file is refused"},
	{OPTTAB_STRING, "prometheus", .off = FL(prometheus), .parse = prometheus_parse,
	 .valid = "[ADDR:]PORT, PORT 0..65535, ADDR a numeric IPv4 address or [IPv6]",
	 .metavar = "[ADDR:]PORT",
	 .help = "serve the metrics to Prometheus (ADDR defaults to 127.0.0.1)"},
	{OPTTAB_STRING, "ipfix", .off = FL(ipfix), .metavar = "ADDR:PORT",
	 .help = "flow records to an IPFIX collector over UDP, one per direction (ADDR numeric; "
		 "IPv6 in brackets)"},
	{OPTTAB_SECONDS, "ipfix-active-timeout", .off = FL(ipfix_active_timeout), .def_d = 60,
	 .flags = OPTTAB_GT_MIN, .metavar = "SEC",
	 .help = "a record of a flow still open every SEC"},
	{OPTTAB_U32, "ipfix-domain", .off = FL(ipfix_domain), .metavar = "N",
	 .help = "the observation domain id"},
	{OPTTAB_GROUP, "Detection (docs/detect.md; thresholds apply at once on SIGHUP):"},
	{OPTTAB_FLAG, "no-detect", .off = FL(no_detect),
	 .help = "no SYN flood, scan or volumetric alerts"},
	{OPTTAB_SECONDS, "detect-window", .off = TH(window_s), .def_d = DETECT_DEFAULT_WINDOW_S,
	 .fmin = 0.01, .metavar = "SEC", .help = "rates are measured over this long"},
	{OPTTAB_SECONDS, "detect-hold", .off = TH(hold_s), .def_d = DETECT_DEFAULT_HOLD_S,
	 .metavar = "SEC",
	 .help = "an alert ends this long after its figures fell below the threshold"},
	{OPTTAB_U32, "detect-max-entries", .off = FL(detect_max_entries),
	 .def_u = DETECT_MAX_ENTRIES_DEFAULT, .min = 64, .max = 1u << 24, .metavar = "N",
	 .help = "tracked destinations and scanners, per table (rates, scans)"},
	{OPTTAB_SECONDS, "syn-flood-rate", .off = TH(syn_rate), .def_d = DETECT_DEFAULT_SYN_RATE,
	 .flags = OPTTAB_GT_MIN, .metavar = "N",
	 .help = "new SYNs per second to one host and port"},
	{OPTTAB_SECONDS, "syn-flood-ratio", .off = TH(syn_ratio), .def_d = DETECT_DEFAULT_SYN_RATIO,
	 .fmax = 1, .metavar = "R", .help = "... of which at most this share completed"},
	{OPTTAB_U64, "syn-flood-half-open", .off = TH(syn_half_open),
	 .def_u = DETECT_DEFAULT_SYN_HALF_OPEN, .min = 1, .max = 1ull << 40, .metavar = "N",
	 .help = "or this many half-open to one host and port"},
	{OPTTAB_SECONDS, "scan-window", .off = TH(scan_window_s),
	 .def_d = DETECT_DEFAULT_SCAN_WINDOW_S, .flags = OPTTAB_GT_MIN, .metavar = "SEC",
	 .help = "failed attempts are counted over this long"},
	{OPTTAB_U32, "port-scan-ports", .off = TH(port_scan_ports),
	 .def_u = DETECT_DEFAULT_PORT_SCAN_PORTS, .min = 2, .max = 65535, .metavar = "N",
	 .help = "distinct ports of one host, from one source"},
	{OPTTAB_U32, "address-scan-hosts", .off = TH(addr_scan_hosts),
	 .def_u = DETECT_DEFAULT_ADDR_SCAN_HOSTS, .min = 2, .max = 1u << 24, .metavar = "N",
	 .help = "distinct hosts on one port, from one source"},
	{OPTTAB_SECONDS, "attempt-timeout", .off = TH(attempt_timeout_s),
	 .def_d = DETECT_DEFAULT_ATTEMPT_TIMEOUT_S, .metavar = "SEC",
	 .help = "a SYN unanswered this long failed"},
	{OPTTAB_SECONDS, "volumetric-pps", .off = TH(vol_pps), .def_d = DETECT_DEFAULT_VOL_PPS,
	 .metavar = "N", .help = "packets per second to one host; 0: off"},
	{OPTTAB_SECONDS, "volumetric-mbps", .off = TH(vol_bps), .def_d = DETECT_DEFAULT_VOL_MBPS,
	 .scale = 1e6, .metavar = "N", .help = "megabits per second to one host; 0: off"},
	{OPTTAB_SECONDS, "volumetric-flows", .off = TH(vol_flows),
	 .def_d = DETECT_DEFAULT_VOL_FLOWS, .metavar = "N",
	 .help = "new flows per second to one host; 0: off"},
	{OPTTAB_SECONDS, "volumetric-deviations", .off = TH(vol_deviations),
	 .def_d = DETECT_DEFAULT_VOL_DEVIATIONS, .metavar = "K",
	 .help = "above a host's learned rate by K deviations; 0: no baseline"},
	{OPTTAB_SECONDS, "volumetric-warmup", .off = TH(vol_warmup_s),
	 .def_d = DETECT_DEFAULT_VOL_WARMUP_S, .metavar = "SEC",
	 .help = "learning before a baseline alerts"},
	{OPTTAB_SECONDS, "volumetric-min-pps", .off = TH(vol_baseline_min_pps),
	 .def_d = DETECT_DEFAULT_VOL_MIN_PPS, .metavar = "N",
	 .help = "a baseline alert needs this rate too"},
	{OPTTAB_STRING, "host-groups", .off = FL(host_groups), .parse = host_groups_parse,
	 .explain = host_groups_explain,
	 .metavar = "'NAME PREFIX[,PREFIX]... [KEY=VALUE]...[; ...]'",
	 .help = "SYN-flood and volumetric thresholds per group of prefixes (longest match; KEY "
		 "a syn-flood-* or volumetric-* option)"},
	{OPTTAB_STRING, "on-alert", .off = FL(on_alert), .flags = OPTTAB_NONEMPTY, .metavar = "CMD",
	 .help = "run '/bin/sh -c CMD' for each alert record, the record as one JSON line on its "
		 "standard input, without any capability"},
	{OPTTAB_FLAG, "ipfix-alerts", .off = FL(ipfix_alerts),
	 .help = "alert records to the --ipfix collector too, on templates of their own (a flow "
		 "collector such as nfcapd stores them as flows of 0 packets)"},
	{OPTTAB_END},
};

const struct opttab_row capture_opt_rows[] = {
	{OPTTAB_INCLUDE, .include = capture_run_rows},
	{OPTTAB_INCLUDE, .off = R(flows), .include = capture_flow_rows},
	{OPTTAB_END},
};

static struct opttab capture_tab, flow_tab;
static pthread_once_t tabs_once = PTHREAD_ONCE_INIT;

static void tabs_init(void)
{
	/* A bad table is a bug that every test of the options finds. */
	if (opttab_init(&capture_tab, capture_opt_rows) ||
	    opttab_init(&flow_tab, capture_flow_rows))
		abort();
}

/* Built once, by whichever thread asks first (bench's children and the
 * reporter may). */
const struct opttab *capture_opttab(void)
{
	pthread_once(&tabs_once, tabs_init);
	return &capture_tab;
}

static const struct opttab *flow_opttab(void)
{
	pthread_once(&tabs_once, tabs_init);
	return &flow_tab;
}

void capture_flow_opts_defaults(struct capture_flow_opts *f)
{
	memset(f, 0, sizeof(*f));
	opttab_defaults(flow_opttab(), f);
}

void capture_opts_defaults(struct capture_opts *o)
{
	memset(o, 0, sizeof(*o));
	xdpi_xsk_opts_defaults(&o->xsk); /* what no option sets: the budget, the bind wait */
	opttab_defaults(capture_opttab(), o);
}

int capture_opts_parse_opt(struct capture_opts *o, int opt, const char *arg)
{
	return opttab_parse_opt(capture_opttab(), o, opt, arg);
}

int capture_opts_explain(int opt, const char *arg, char *err, size_t err_len)
{
	return opttab_explain(capture_opttab(), opt, arg, err, err_len);
}

void capture_opts_write(const struct capture_opts *o, unsigned flags,
			void (*push)(void *ctx, const char *arg), void *ctx)
{
	opttab_write(capture_opttab(), o, flags, push, ctx);
}

/* A group's KEY=VALUE, through the detection row of that name. */
static int group_set(struct detect_thresholds *th, const char *key, const char *value)
{
	const struct opttab_ent *e = opttab_key(flow_opttab(), key, NULL);
	struct capture_flow_opts f;

	if (!e || e->row->off < FL(detect) || e->row->off >= FL(detect) + sizeof(*th))
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.detect = *th;
	if (opttab_set(e, &f, value))
		return -EINVAL;
	*th = f.detect;
	return 0;
}

int capture_host_groups(const struct capture_flow_opts *f, struct detect_groups **out, char *err,
			size_t err_len)
{
	int ret;

	*out = NULL;
	if (!f->host_groups)
		return 0;
	*out = malloc(sizeof(**out));
	if (!*out) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	ret = detect_groups_parse(*out, f->host_groups, &f->detect, group_set, err, err_len);
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

const char *capture_xsk_mode_name(enum xdpi_xsk_mode m)
{
	return (unsigned)m < 3 ? xsk_mode_names[m] : "?";
}

const char *capture_xdp_mode_name(enum steer_xdp_mode m)
{
	return (unsigned)m < 3 ? xdp_mode_names[m] : "?";
}

const char *capture_sender_clock_name(enum capture_sender_clock c)
{
	return (unsigned)c < 4 ? sender_clock_names[c] : "?";
}

const char *capture_direction_name(enum capture_direction d)
{
	return (unsigned)d < 4 ? direction_names[d] : "?";
}

enum capture_direction capture_direction_of(const struct capture_opts *o)
{
	if (o->direction != CAPTURE_DIR_AUTO)
		return o->direction;
	return o->passive ? CAPTURE_DIR_INOUT : CAPTURE_DIR_IN;
}

int capture_opts_check(const struct capture_opts *o, char *err, size_t err_len)
{
	struct xdpi_xsk_opts xsk = o->xsk;

	xsk.ifname = o->ifname;
	if (o->write && !strcmp(o->write, "-") && o->json) {
		snprintf(err, err_len, "-w - and --json both want stdout: write one to a file");
		return -EINVAL;
	}
	if (o->write && o->ceiling) {
		snprintf(err, err_len, "--ceiling drops frames in XDP: there is nothing to write");
		return -EINVAL;
	}
	if (o->passive && o->ceiling) {
		snprintf(err, err_len, "--passive copies frames, --ceiling drops them: pick one");
		return -EINVAL;
	}
	/* The kernel keeps a ring's producer less than its size ahead of the
	 * consumer: a record as long as the ring never fits. */
	if (o->passive && o->ring_size <= XDPI_COPY_REC_SIZE(o->snaplen)) {
		uint32_t need = XDPI_COPY_RING_MIN;

		while (need <= XDPI_COPY_REC_SIZE(o->snaplen))
			need <<= 1;
		snprintf(err, err_len,
			 "--ring-size %u cannot hold one copy of --snaplen %u (%u bytes with its "
			 "headers): give at least --ring-size %u",
			 o->ring_size, o->snaplen, XDPI_COPY_REC_SIZE(o->snaplen), need);
		return -EINVAL;
	}
	if (!o->passive && capture_direction_of(o) != CAPTURE_DIR_IN) {
		snprintf(err, err_len,
			 "--direction %s needs --passive: steering takes frames received off "
			 "their way, frames sent can only be copied",
			 capture_direction_name(o->direction));
		return -EINVAL;
	}
	if (o->check_seq && !o->inspect) {
		snprintf(err, err_len,
			 "--check-seq reads the frames: it cannot go with --no-inspect");
		return -EINVAL;
	}
	if (o->json && o->flows.json_lines && !strcmp(o->flows.json_lines, "-")) {
		snprintf(err, err_len,
			 "--json-lines - and --json both want stdout: write one to a file");
		return -EINVAL;
	}
	if (o->connections && (o->json || (o->write && !strcmp(o->write, "-")) ||
			       (o->flows.json_lines && !strcmp(o->flows.json_lines, "-")))) {
		snprintf(err, err_len, "--connections writes its lines to stdout: not with %s",
			 o->json ? "--json" : "-w - or --json-lines -");
		return -EINVAL;
	}
	if (o->connections && (o->flows.off || !o->inspect || o->ceiling)) {
		snprintf(err, err_len,
			 "--connections prints the flow table's connections: it needs the table "
			 "(not --no-flows, --no-inspect or --ceiling)");
		return -EINVAL;
	}
	if (o->user && o->keep_privileges) {
		snprintf(err, err_len,
			 "--user drops privileges, --keep-privileges keeps them: pick one");
		return -EINVAL;
	}
	if (o->sender_clock != CAPTURE_CLOCK_AUTO && !o->check_seq) {
		snprintf(err, err_len,
			 "--sender-clock is about --check-seq: give both, or neither");
		return -EINVAL;
	}
	return xdpi_xsk_opts_validate(&xsk, err, err_len);
}
