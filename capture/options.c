// SPDX-License-Identifier: MIT
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../inspect/detect_groups.h"
#include "../inspect/filter.h"
#include "../util/optval.h"
#include "../xsk/worker.h"

/* Room for libpcap's messages (PCAP_ERRBUF_SIZE is 256). */
#define FILTER_ERR_LEN 512

enum {
	OPT_NO_INSPECT = 256,
	OPT_CHECK_SEQ,
	OPT_CEILING,
	OPT_FRAME_SIZE,
	OPT_FILL_SIZE,
	OPT_COMP_SIZE,
	OPT_RX_SIZE,
	OPT_NO_BUSY_POLL,
	OPT_BUSY_POLL_USECS,
	OPT_NO_NEED_WAKEUP,
	OPT_FORCE,
	OPT_IDLE_SPIN_US,
	OPT_PASSIVE,
	OPT_RING_SIZE,
	OPT_TAKEOVER,
	OPT_SENDER_CLOCK,
	OPT_INTERVAL,
	OPT_QUEUES,
	OPT_CPUS,
	OPT_MODE,
	OPT_XDP_MODE,
	OPT_RECORD,
	OPT_USER,
	OPT_KEEP_PRIVILEGES,
	OPT_MAX_FRAME,
	OPT_NO_RX_METADATA,
	OPT_KEEP_OFFLOADS,
	OPT_DIRECTION,
	OPT_NO_FRAME_TIMES,
	OPT_CONNECTIONS,
	OPT_PROTO,
	OPT_NO_FLOWS = 512, /* capture_flow_long_opts: apart, for `xdpi read` */
	OPT_NO_PEEKS,
	OPT_MAX_FLOWS,
	OPT_FLOW_TIMEOUT,
	OPT_FLOW_CLOSED_TIMEOUT,
	OPT_DISTINCT_LIMIT,
	OPT_JSON_LINES,
	OPT_PROMETHEUS,
	OPT_IPFIX,
	OPT_IPFIX_ACTIVE_TIMEOUT,
	OPT_IPFIX_DOMAIN,
	OPT_NO_DETECT,
	OPT_DETECT_WINDOW,
	OPT_DETECT_HOLD,
	OPT_DETECT_MAX_ENTRIES,
	OPT_SYN_FLOOD_RATE,
	OPT_SYN_FLOOD_RATIO,
	OPT_SYN_FLOOD_HALF_OPEN,
	OPT_SCAN_WINDOW,
	OPT_PORT_SCAN_PORTS,
	OPT_ADDRESS_SCAN_HOSTS,
	OPT_ATTEMPT_TIMEOUT,
	OPT_VOLUMETRIC_PPS,
	OPT_VOLUMETRIC_MBPS,
	OPT_VOLUMETRIC_FLOWS,
	OPT_VOLUMETRIC_DEVIATIONS,
	OPT_VOLUMETRIC_WARMUP,
	OPT_VOLUMETRIC_MIN_PPS,
	OPT_ON_ALERT,
	OPT_IPFIX_ALERTS,
	OPT_HOST_GROUPS,
};

/* Passive defaults: every header xdpi parses fits in 512 bytes (Ethernet,
 * two tags, IPv6 with extension headers, TCP with options) with room for
 * the first bytes of a payload; a 4 MiB ring holds about 7500 of those
 * records, a few milliseconds at line rate on 10G. */
#define CAPTURE_SNAPLEN 512
#define CAPTURE_RING_SIZE (4u << 20)

const struct option capture_long_opts[] = {
	{"filter", required_argument, NULL, 'f'},
	{"proto", required_argument, NULL, OPT_PROTO},
	{"duration", required_argument, NULL, 'd'},
	{"interface", required_argument, NULL, 'i'},
	{"count", required_argument, NULL, 'c'},
	{"write", required_argument, NULL, 'w'},
	{"quiet", no_argument, NULL, 'q'},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"no-inspect", no_argument, NULL, OPT_NO_INSPECT},
	{"check-seq", no_argument, NULL, OPT_CHECK_SEQ},
	{"sender-clock", required_argument, NULL, OPT_SENDER_CLOCK},
	{"ceiling", no_argument, NULL, OPT_CEILING},
	{"queues", required_argument, NULL, OPT_QUEUES},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"batch", required_argument, NULL, 'b'},
	{"mode", required_argument, NULL, OPT_MODE},
	{"xdp-mode", required_argument, NULL, OPT_XDP_MODE},
	{"frame-size", required_argument, NULL, OPT_FRAME_SIZE},
	{"fill-size", required_argument, NULL, OPT_FILL_SIZE},
	{"comp-size", required_argument, NULL, OPT_COMP_SIZE},
	{"rx-size", required_argument, NULL, OPT_RX_SIZE},
	{"no-busy-poll", no_argument, NULL, OPT_NO_BUSY_POLL},
	{"busy-poll-usecs", required_argument, NULL, OPT_BUSY_POLL_USECS},
	{"no-need-wakeup", no_argument, NULL, OPT_NO_NEED_WAKEUP},
	{"idle-spin-us", required_argument, NULL, OPT_IDLE_SPIN_US},
	{"passive", no_argument, NULL, OPT_PASSIVE},
	{"snaplen", required_argument, NULL, 's'},
	{"ring-size", required_argument, NULL, OPT_RING_SIZE},
	{"direction", required_argument, NULL, OPT_DIRECTION},
	{"json", no_argument, NULL, 'j'},
	{"record", required_argument, NULL, OPT_RECORD},
	{"user", required_argument, NULL, OPT_USER},
	{"keep-privileges", no_argument, NULL, OPT_KEEP_PRIVILEGES},
	{"force", no_argument, NULL, OPT_FORCE},
	{"takeover", no_argument, NULL, OPT_TAKEOVER},
	{"max-frame", required_argument, NULL, OPT_MAX_FRAME},
	{"no-rx-metadata", no_argument, NULL, OPT_NO_RX_METADATA},
	{"no-frame-times", no_argument, NULL, OPT_NO_FRAME_TIMES},
	{"keep-offloads", no_argument, NULL, OPT_KEEP_OFFLOADS},
	{"verbose", no_argument, NULL, 'v'},
	{"connections", no_argument, NULL, OPT_CONNECTIONS},
	{0},
};

const struct option capture_flow_long_opts[] = {
	{"no-flows", no_argument, NULL, OPT_NO_FLOWS},
	{"no-peeks", no_argument, NULL, OPT_NO_PEEKS},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"flow-timeout", required_argument, NULL, OPT_FLOW_TIMEOUT},
	{"flow-closed-timeout", required_argument, NULL, OPT_FLOW_CLOSED_TIMEOUT},
	{"distinct-limit", required_argument, NULL, OPT_DISTINCT_LIMIT},
	{"json-lines", required_argument, NULL, OPT_JSON_LINES},
	{"prometheus", required_argument, NULL, OPT_PROMETHEUS},
	{"ipfix", required_argument, NULL, OPT_IPFIX},
	{"ipfix-active-timeout", required_argument, NULL, OPT_IPFIX_ACTIVE_TIMEOUT},
	{"ipfix-domain", required_argument, NULL, OPT_IPFIX_DOMAIN},
	{"no-detect", no_argument, NULL, OPT_NO_DETECT},
	{"detect-window", required_argument, NULL, OPT_DETECT_WINDOW},
	{"detect-hold", required_argument, NULL, OPT_DETECT_HOLD},
	{"detect-max-entries", required_argument, NULL, OPT_DETECT_MAX_ENTRIES},
	{"syn-flood-rate", required_argument, NULL, OPT_SYN_FLOOD_RATE},
	{"syn-flood-ratio", required_argument, NULL, OPT_SYN_FLOOD_RATIO},
	{"syn-flood-half-open", required_argument, NULL, OPT_SYN_FLOOD_HALF_OPEN},
	{"scan-window", required_argument, NULL, OPT_SCAN_WINDOW},
	{"port-scan-ports", required_argument, NULL, OPT_PORT_SCAN_PORTS},
	{"address-scan-hosts", required_argument, NULL, OPT_ADDRESS_SCAN_HOSTS},
	{"attempt-timeout", required_argument, NULL, OPT_ATTEMPT_TIMEOUT},
	{"volumetric-pps", required_argument, NULL, OPT_VOLUMETRIC_PPS},
	{"volumetric-mbps", required_argument, NULL, OPT_VOLUMETRIC_MBPS},
	{"volumetric-flows", required_argument, NULL, OPT_VOLUMETRIC_FLOWS},
	{"volumetric-deviations", required_argument, NULL, OPT_VOLUMETRIC_DEVIATIONS},
	{"volumetric-warmup", required_argument, NULL, OPT_VOLUMETRIC_WARMUP},
	{"volumetric-min-pps", required_argument, NULL, OPT_VOLUMETRIC_MIN_PPS},
	{"on-alert", required_argument, NULL, OPT_ON_ALERT},
	{"ipfix-alerts", no_argument, NULL, OPT_IPFIX_ALERTS},
	{"host-groups", required_argument, NULL, OPT_HOST_GROUPS},
	{0},
};

const char capture_flow_opts_help[] =
	"Flows and exporters (docs/flows.md, docs/exporting.md):\n"
	"  --no-flows            no flow table: no connection metrics, flow records,\n"
	"                        top talkers or peeks (the cheapest inspection)\n"
	"  --no-peeks            no look at HTTP request lines and TLS ClientHellos\n"
	"  --max-flows N         flows held at most, 928 bytes each with all it may\n"
	"                        hold (default: what 1 GiB holds); when full the\n"
	"                        idlest are evicted\n"
	"  --flow-timeout SEC    a flow idle this long ends (default 60)\n"
	"  --flow-closed-timeout SEC\n"
	"                        the same once a FIN or RST was seen (default 5)\n"
	"  --distinct-limit N    unique sources and TCP flows are exact up to N, then\n"
	"                        a HyperLogLog estimate (default 1000000)\n"
	"  --json-lines FILE     one JSON object per line: stats per interval and one\n"
	"                        record per ended flow, appended to FILE (- for\n"
	"                        standard output); a symbolic link or anything\n"
	"                        but a regular file is refused\n"
	"  --prometheus [ADDR:]PORT\n"
	"                        serve the metrics to Prometheus (ADDR defaults to\n"
	"                        127.0.0.1)\n"
	"  --ipfix ADDR:PORT     flow records to an IPFIX collector over UDP, one per\n"
	"                        direction (ADDR numeric; IPv6 in brackets)\n"
	"  --ipfix-active-timeout SEC\n"
	"                        a record of a flow still open every SEC (default 60)\n"
	"  --ipfix-domain N      the observation domain id (default 0)\n"
	"Detection (docs/detect.md; thresholds apply at once on SIGHUP):\n"
	"  --no-detect           no SYN flood, scan or volumetric alerts\n"
	"  --detect-window SEC   rates are measured over this long (default 1)\n"
	"  --detect-hold SEC     an alert ends this long after its figures fell\n"
	"                        below the threshold (default 5)\n"
	"  --detect-max-entries N  tracked destinations and scanners, per table\n"
	"                        (rates, scans; default 16384)\n"
	"  --syn-flood-rate N    new SYNs per second to one host and port (1000)\n"
	"  --syn-flood-ratio R   ... of which at most this share completed (0.1)\n"
	"  --syn-flood-half-open N  or this many half-open to one host and port\n"
	"                        (default 10000)\n"
	"  --scan-window SEC     failed attempts are counted over this long (300)\n"
	"  --port-scan-ports N   distinct ports of one host, from one source (15)\n"
	"  --address-scan-hosts N  distinct hosts on one port, from one source (25)\n"
	"  --attempt-timeout SEC a SYN unanswered this long failed (default 1)\n"
	"  --volumetric-pps N    packets per second to one host (100000; 0: off)\n"
	"  --volumetric-mbps N   megabits per second to one host (1000; 0: off)\n"
	"  --volumetric-flows N  new flows per second to one host (10000; 0: off)\n"
	"  --volumetric-deviations K  above a host's learned rate by K deviations\n"
	"                        (default 6; 0: no baseline)\n"
	"  --volumetric-warmup SEC  learning before a baseline alerts (300)\n"
	"  --volumetric-min-pps N  a baseline alert needs this rate too (1000)\n"
	"  --host-groups 'NAME PREFIX,... KEY=VALUE ...; ...'\n"
	"                        SYN-flood and volumetric thresholds per group of\n"
	"                        prefixes (longest match; KEY a syn-flood-* or\n"
	"                        volumetric-* option)\n"
	"  --on-alert CMD        run '/bin/sh -c CMD' for each alert record, the\n"
	"                        record as one JSON line on its standard input,\n"
	"                        without any capability\n"
	"  --ipfix-alerts        alert records to the --ipfix collector too, on\n"
	"                        templates of their own (a flow collector such as\n"
	"                        nfcapd stores them as flows of 0 packets)\n";

size_t capture_flow_long_opts_count(void)
{
	return sizeof(capture_flow_long_opts) / sizeof(capture_flow_long_opts[0]) - 1;
}

void capture_flow_opts_defaults(struct capture_flow_opts *f)
{
	memset(f, 0, sizeof(*f));
	f->timeout = 60;
	f->closed_timeout = 5;
	f->ipfix_active_timeout = 60;
	detect_thresholds_defaults(&f->detect);
}

/* A non-negative number (a rate, a ratio): seconds' syntax and range. */
static int parse_num(const char *arg, double *out)
{
	return xdpi_parse_seconds(arg, out) ? -EINVAL : 1;
}

static int parse_detect_opt(struct capture_flow_opts *f, int opt, const char *arg)
{
	struct detect_thresholds *th = &f->detect;
	double v;

	switch (opt) {
	case OPT_NO_DETECT:
		f->no_detect = true;
		return 1;
	case OPT_DETECT_WINDOW:
		return parse_num(arg, &th->window_s) < 0 || th->window_s < 0.01 ? -EINVAL : 1;
	case OPT_DETECT_HOLD:
		return parse_num(arg, &th->hold_s);
	case OPT_DETECT_MAX_ENTRIES:
		return xdpi_parse_u32(arg, 64, 1u << 24, &f->detect_max_entries) ? -EINVAL : 1;
	case OPT_SYN_FLOOD_RATE:
		return parse_num(arg, &th->syn_rate) < 0 || th->syn_rate <= 0 ? -EINVAL : 1;
	case OPT_SYN_FLOOD_RATIO:
		return parse_num(arg, &th->syn_ratio) < 0 || th->syn_ratio > 1 ? -EINVAL : 1;
	case OPT_SYN_FLOOD_HALF_OPEN:
		return xdpi_parse_u64(arg, 1, 1ull << 40, &th->syn_half_open) ? -EINVAL : 1;
	case OPT_SCAN_WINDOW:
		return parse_num(arg, &th->scan_window_s) < 0 || th->scan_window_s <= 0 ? -EINVAL
											: 1;
	case OPT_PORT_SCAN_PORTS:
		return xdpi_parse_u32(arg, 2, 65535, &th->port_scan_ports) ? -EINVAL : 1;
	case OPT_ADDRESS_SCAN_HOSTS:
		return xdpi_parse_u32(arg, 2, 1u << 24, &th->addr_scan_hosts) ? -EINVAL : 1;
	case OPT_ATTEMPT_TIMEOUT:
		return parse_num(arg, &th->attempt_timeout_s);
	case OPT_VOLUMETRIC_PPS:
		return parse_num(arg, &th->vol_pps);
	case OPT_VOLUMETRIC_MBPS:
		if (parse_num(arg, &v) < 0)
			return -EINVAL;
		th->vol_bps = v * 1e6;
		return 1;
	case OPT_VOLUMETRIC_FLOWS:
		return parse_num(arg, &th->vol_flows);
	case OPT_VOLUMETRIC_DEVIATIONS:
		return parse_num(arg, &th->vol_deviations);
	case OPT_VOLUMETRIC_WARMUP:
		return parse_num(arg, &th->vol_warmup_s);
	case OPT_VOLUMETRIC_MIN_PPS:
		return parse_num(arg, &th->vol_baseline_min_pps);
	case OPT_ON_ALERT:
		if (!*arg)
			return -EINVAL;
		f->on_alert = arg;
		return 1;
	case OPT_IPFIX_ALERTS:
		f->ipfix_alerts = true;
		return 1;
	case OPT_HOST_GROUPS: {
		/* Checked here against the thresholds given so far; built
		 * again on the final ones by capture_host_groups(). */
		struct capture_flow_opts t = *f;
		struct detect_groups *gs;
		char err[256];

		t.host_groups = arg;
		if (capture_host_groups(&t, &gs, err, sizeof(err)))
			return -EINVAL;
		free(gs);
		f->host_groups = arg;
		return 1;
	}
	default:
		return 0;
	}
}

/* A group's KEY=VALUE, through the option of that name. */
static int group_set(struct detect_thresholds *th, const char *key, const char *value)
{
	struct capture_flow_opts f;

	memset(&f, 0, sizeof(f));
	f.detect = *th;
	for (const struct option *lo = capture_flow_long_opts; lo->name; lo++) {
		if (strcmp(lo->name, key))
			continue;
		if (parse_detect_opt(&f, lo->val, value) != 1)
			return -EINVAL;
		*th = f.detect;
		return 0;
	}
	return -EINVAL;
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

int capture_flow_opts_parse_opt(struct capture_flow_opts *f, int opt, const char *arg)
{
	switch (opt) {
	case OPT_NO_FLOWS:
		f->off = true;
		return 1;
	case OPT_NO_PEEKS:
		f->no_peeks = true;
		return 1;
	case OPT_MAX_FLOWS:
		return xdpi_parse_u64(arg, 1, 1ull << 40, &f->max_flows) ? -EINVAL : 1;
	case OPT_FLOW_TIMEOUT:
		return xdpi_parse_seconds(arg, &f->timeout) || f->timeout <= 0 ? -EINVAL : 1;
	case OPT_FLOW_CLOSED_TIMEOUT:
		return xdpi_parse_seconds(arg, &f->closed_timeout) || f->closed_timeout <= 0
			       ? -EINVAL
			       : 1;
	case OPT_DISTINCT_LIMIT:
		return xdpi_parse_u64(arg, 1, 1ull << 40, &f->distinct_limit) ? -EINVAL : 1;
	case OPT_JSON_LINES:
		f->json_lines = arg;
		return 1;
	case OPT_PROMETHEUS: {
		char err[160];

		/* Its form now, a usage error; the bind comes later. */
		if (xdpi_parse_listen(arg, "127.0.0.1", NULL, err, sizeof(err)))
			return -EINVAL;
		f->prometheus = arg;
		return 1;
	}
	case OPT_IPFIX:
		f->ipfix = arg;
		return 1;
	case OPT_IPFIX_ACTIVE_TIMEOUT:
		return xdpi_parse_seconds(arg, &f->ipfix_active_timeout) ||
				       f->ipfix_active_timeout <= 0
			       ? -EINVAL
			       : 1;
	case OPT_IPFIX_DOMAIN:
		return xdpi_parse_u32(arg, 0, UINT32_MAX, &f->ipfix_domain) ? -EINVAL : 1;
	default:
		return parse_detect_opt(f, opt, arg);
	}
}

/* tcpdump's letters where tcpdump has them (-i -c -w -q -s -v); the rest
 * long only, so that no letter means one thing here and another there. */
const char capture_short_opts[] = "f:d:i:c:w:qs:b:jv";

static const char *const xsk_mode_names[] = {"auto", "zerocopy", "copy"};
static const char *const xdp_mode_names[] = {"auto", "native", "skb"};
static const char *const sender_clock_names[] = {"auto", "local", "synced", "unsynced"};
/* Index 0, "auto", is the default only: not a value to give. */
static const char *const direction_names[] = {"auto", "in", "out", "inout"};

size_t capture_long_opts_count(void)
{
	return sizeof(capture_long_opts) / sizeof(capture_long_opts[0]) - 1;
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

void capture_opts_defaults(struct capture_opts *o)
{
	memset(o, 0, sizeof(*o));
	xdpi_xsk_opts_defaults(&o->xsk);
	o->filter = "tcp";
	o->batch = 64;
	o->interval = 1.0;
	o->inspect = true;
	o->idle_spin_us = WORKER_IDLE_SPIN_NS / 1000;
	o->snaplen = CAPTURE_SNAPLEN;
	o->ring_size = CAPTURE_RING_SIZE;
	capture_flow_opts_defaults(&o->flows);
}

static int parse_choice(const char *arg, const char *const *names, int *out)
{
	int v = xdpi_parse_choice(arg, names, 3);

	if (v < 0)
		return -EINVAL;
	*out = v;
	return 1;
}

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

/* What a bad value of @opt should have been, for the usage error. */
static const char *valid_values(int opt)
{
	switch (opt) {
	case OPT_MODE:
		return "auto, zerocopy, copy";
	case OPT_XDP_MODE:
		return "auto, native, skb";
	case OPT_SENDER_CLOCK:
		return "auto, local, synced, unsynced";
	case OPT_DIRECTION:
		return "in, out, inout";
	case 'b':
		return "1..4096";
	case 'c':
		return "a count from 1";
	case 's':
		return "64..65535";
	case OPT_RING_SIZE:
		return "a power of two from 4096 to 1073741824";
	case 'd':
	case OPT_INTERVAL:
		return "seconds, plain decimal (0.5, 10), at least 0.001 or 0";
	case OPT_QUEUES:
	case OPT_CPUS:
		return "a list such as 0,2-3";
	case OPT_MAX_FLOWS:
	case OPT_DISTINCT_LIMIT:
		return "a count from 1";
	case OPT_FLOW_TIMEOUT:
	case OPT_FLOW_CLOSED_TIMEOUT:
		return "seconds, plain decimal (0.5, 10), more than 0";
	case OPT_PROMETHEUS:
		return "[ADDR:]PORT, PORT 0..65535, ADDR a numeric IPv4 address or [IPv6]";
	case OPT_PROTO:
		return "tcp, udp, ip, all";
	default:
		return NULL;
	}
}

int capture_opts_explain(int opt, const char *arg, char *err, size_t err_len)
{
	const char *valid = valid_values(opt);

	*err = 0;
	if (opt == 'f')
		return filter_check(arg, err, err_len) && *err;
	if (opt == OPT_HOST_GROUPS) {
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
	if (!valid)
		return 0;
	snprintf(err, err_len, "%s", valid);
	return 1;
}

/* Options with a value to parse; the flags are in capture_opts_parse_opt(). */
static int parse_valued(struct capture_opts *o, int opt, const char *arg)
{
	struct xdpi_xsk_opts *x = &o->xsk;
	int v = 0, ret;

	switch (opt) {
	case 'f': {
		char err[FILTER_ERR_LEN];

		if (filter_check(arg, err, sizeof(err)))
			return -EINVAL;
		/* `udp` here is libpcap's; xdpi's own test is --proto. */
		o->filter = xdpi_filter_user_text(arg);
		return 1;
	}
	case OPT_PROTO: {
		static const char *const protos[] = {"tcp", "udp", "ip", "all"};

		v = xdpi_parse_choice(arg, protos, 4);
		if (v < 0)
			return -EINVAL;
		o->filter = protos[v]; /* the keyword: the built-in class */
		return 1;
	}
	case 'd':
		return xdpi_parse_seconds(arg, &o->duration) ? -EINVAL : 1;
	case 'i':
		o->ifname = arg;
		return 1;
	case 'c':
		return xdpi_parse_u64(arg, 1, UINT64_MAX, &o->count) ? -EINVAL : 1;
	case 'w':
		o->write = arg;
		return 1;
	case OPT_INTERVAL:
		return xdpi_parse_seconds(arg, &o->interval) ? -EINVAL : 1;
	case OPT_QUEUES:
		o->nqueues = xdpi_parse_list(arg, o->queues, XDPI_MAX_QUEUES, XDPI_MAX_QUEUES);
		return o->nqueues < 0 ? -EINVAL : 1;
	case OPT_CPUS:
		o->ncpus = xdpi_parse_list(arg, o->cpus, CPU_SETSIZE, CPU_SETSIZE);
		return o->ncpus < 0 ? -EINVAL : 1;
	case 'b':
		return xdpi_parse_u32(arg, 1, 4096, &o->batch) ? -EINVAL : 1;
	case OPT_MODE:
		ret = parse_choice(arg, xsk_mode_names, &v);
		o->xsk.mode = (enum xdpi_xsk_mode)v;
		return ret;
	case OPT_XDP_MODE:
		ret = parse_choice(arg, xdp_mode_names, &v);
		o->xdp_mode = (enum steer_xdp_mode)v;
		return ret;
	case OPT_RECORD:
		o->record = arg;
		return 1;
	case OPT_USER:
		o->user = arg;
		return 1;
	case OPT_KEEP_PRIVILEGES:
		o->keep_privileges = true;
		return 1;
	case OPT_SENDER_CLOCK:
		v = xdpi_parse_choice(arg, sender_clock_names, 4);
		if (v < 0)
			return -EINVAL;
		o->sender_clock = (enum capture_sender_clock)v;
		return 1;
	case OPT_DIRECTION:
		v = xdpi_parse_choice(arg, direction_names + 1, 3);
		if (v < 0)
			return -EINVAL;
		o->direction = (enum capture_direction)(v + 1);
		return 1;
	case OPT_FRAME_SIZE:
		return xdpi_parse_u32(arg, 0, UINT32_MAX, &x->frame_size) ? -EINVAL : 1;
	case OPT_FILL_SIZE:
		return xdpi_parse_u32(arg, 0, UINT32_MAX, &x->fill_size) ? -EINVAL : 1;
	case OPT_COMP_SIZE:
		return xdpi_parse_u32(arg, 0, UINT32_MAX, &x->comp_size) ? -EINVAL : 1;
	case OPT_RX_SIZE:
		return xdpi_parse_u32(arg, 0, UINT32_MAX, &x->rx_size) ? -EINVAL : 1;
	case OPT_BUSY_POLL_USECS:
		return xdpi_parse_u32(arg, 0, 1000000, &x->busy_poll_usecs) ? -EINVAL : 1;
	case OPT_IDLE_SPIN_US:
		return xdpi_parse_u32(arg, 0, 1000000, &o->idle_spin_us) ? -EINVAL : 1;
	case OPT_MAX_FRAME:
		return xdpi_parse_u32(arg, CAPTURE_MAX_FRAME_MIN, CAPTURE_MAX_FRAME_MAX,
				      &o->max_frame)
			       ? -EINVAL
			       : 1;
	case 's':
		return xdpi_parse_u32(arg, 64, XDPI_SNAPLEN_MAX, &o->snaplen) ? -EINVAL : 1;
	case OPT_RING_SIZE:
		/* At most 1 GiB: the kernel's ring limit is far above. */
		if (xdpi_parse_u32(arg, XDPI_COPY_RING_MIN, 1u << 30, &o->ring_size) ||
		    (o->ring_size & (o->ring_size - 1)))
			return -EINVAL;
		return 1;
	default:
		return 0;
	}
}

int capture_opts_parse_opt(struct capture_opts *o, int opt, const char *arg)
{
	int ret = capture_flow_opts_parse_opt(&o->flows, opt, arg);

	if (ret)
		return ret;
	switch (opt) {
	case OPT_NO_INSPECT:
		o->inspect = false;
		return 1;
	case OPT_CHECK_SEQ:
		o->check_seq = true;
		return 1;
	case OPT_CEILING:
		o->ceiling = true;
		return 1;
	case OPT_NO_BUSY_POLL:
		o->xsk.busy_poll = false;
		return 1;
	case OPT_NO_NEED_WAKEUP:
		o->xsk.need_wakeup = false;
		return 1;
	case OPT_FORCE:
		o->force = true;
		return 1;
	case OPT_PASSIVE:
		o->passive = true;
		return 1;
	case OPT_TAKEOVER:
		o->takeover = true;
		return 1;
	case OPT_NO_RX_METADATA:
		o->no_rx_metadata = true;
		return 1;
	case OPT_NO_FRAME_TIMES:
		o->no_frame_times = true;
		return 1;
	case OPT_KEEP_OFFLOADS:
		o->keep_offloads = true;
		return 1;
	case 'j':
		o->json = true;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case 'v':
		o->verbose = true;
		return 1;
	case OPT_CONNECTIONS:
		o->connections = true;
		return 1;
	default:
		return parse_valued(o, opt, arg);
	}
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

/* The table's spelling of option @val. */
_Static_assert(XDPI_SNAPLEN_MAX == 65535, "the valid values -s names");

static const char *opt_name(int val)
{
	static char name[40];

	for (const struct option *lo = capture_long_opts; lo->name; lo++) {
		if (lo->val == val) {
			snprintf(name, sizeof(name), "--%s", lo->name);
			return name;
		}
	}
	for (const struct option *lo = capture_flow_long_opts; lo->name; lo++) {
		if (lo->val == val) {
			snprintf(name, sizeof(name), "--%s", lo->name);
			return name;
		}
	}
	return "--?"; /* every caller passes a value from the table */
}

struct argv_out {
	void (*push)(void *ctx, const char *arg);
	void *ctx;
};

static void push_opt(const struct argv_out *a, int val, const char *value)
{
	a->push(a->ctx, opt_name(val));
	if (value)
		a->push(a->ctx, value);
}

static void push_u32(const struct argv_out *a, int val, uint32_t v, uint32_t def)
{
	char s[16];

	if (v == def)
		return;
	snprintf(s, sizeof(s), "%u", v);
	push_opt(a, val, s);
}

/* Plain decimal, as xdpi_parse_seconds() takes it back. */
static void push_seconds(const struct argv_out *a, int val, double v, double def)
{
	char s[32];
	size_t n;

	if (v == def)
		return;
	n = (size_t)snprintf(s, sizeof(s), "%.6f", v);
	while (n > 1 && s[n - 1] == '0')
		s[--n] = 0;
	if (s[n - 1] == '.')
		s[--n] = 0;
	push_opt(a, val, s);
}

/* A list as xdpi_parse_list() reads it, runs of three or more consecutive
 * values as "a-b". The buffer holds the longest list of either option
 * with no run at all: a list cut short parsed back to another one (found
 * by tests/fuzz_options.c, 192 queues). */
static void push_list(const struct argv_out *a, int val, const int *v, int n)
{
	char s[CPU_SETSIZE * sizeof("1023,")] = "";
	size_t len = 0;

	if (!n)
		return;
	for (int i = 0; i < n; i++) {
		const char *sep = i ? "," : "";
		int j = i;

		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		if (j - i >= 2) {
			len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%d-%d", sep, v[i],
						v[j]);
			i = j;
		} else {
			len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%d", sep, v[i]);
		}
	}
	push_opt(a, val, s);
}

static void push_flag(const struct argv_out *a, int val, bool set)
{
	if (set)
		push_opt(a, val, NULL);
}

static void push_u64(const struct argv_out *a, int val, uint64_t v, uint64_t def)
{
	char s[24];

	if (v == def)
		return;
	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	push_opt(a, val, s);
}

/* The detection's options that differ from the defaults. */
static void push_detect(const struct argv_out *a, const struct capture_flow_opts *f,
			const struct capture_flow_opts *d)
{
	const struct detect_thresholds *t = &f->detect, *u = &d->detect;

	push_flag(a, OPT_NO_DETECT, f->no_detect);
	push_seconds(a, OPT_DETECT_WINDOW, t->window_s, u->window_s);
	push_seconds(a, OPT_DETECT_HOLD, t->hold_s, u->hold_s);
	push_u32(a, OPT_DETECT_MAX_ENTRIES, f->detect_max_entries, d->detect_max_entries);
	push_seconds(a, OPT_SYN_FLOOD_RATE, t->syn_rate, u->syn_rate);
	push_seconds(a, OPT_SYN_FLOOD_RATIO, t->syn_ratio, u->syn_ratio);
	push_u64(a, OPT_SYN_FLOOD_HALF_OPEN, t->syn_half_open, u->syn_half_open);
	push_seconds(a, OPT_SCAN_WINDOW, t->scan_window_s, u->scan_window_s);
	push_u32(a, OPT_PORT_SCAN_PORTS, t->port_scan_ports, u->port_scan_ports);
	push_u32(a, OPT_ADDRESS_SCAN_HOSTS, t->addr_scan_hosts, u->addr_scan_hosts);
	push_seconds(a, OPT_ATTEMPT_TIMEOUT, t->attempt_timeout_s, u->attempt_timeout_s);
	push_seconds(a, OPT_VOLUMETRIC_PPS, t->vol_pps, u->vol_pps);
	push_seconds(a, OPT_VOLUMETRIC_MBPS, t->vol_bps / 1e6, u->vol_bps / 1e6);
	push_seconds(a, OPT_VOLUMETRIC_FLOWS, t->vol_flows, u->vol_flows);
	push_seconds(a, OPT_VOLUMETRIC_DEVIATIONS, t->vol_deviations, u->vol_deviations);
	push_seconds(a, OPT_VOLUMETRIC_WARMUP, t->vol_warmup_s, u->vol_warmup_s);
	push_seconds(a, OPT_VOLUMETRIC_MIN_PPS, t->vol_baseline_min_pps, u->vol_baseline_min_pps);
	if (f->on_alert)
		push_opt(a, OPT_ON_ALERT, f->on_alert);
	push_flag(a, OPT_IPFIX_ALERTS, f->ipfix_alerts);
	if (f->host_groups)
		push_opt(a, OPT_HOST_GROUPS, f->host_groups);
}

void capture_opts_to_argv(const struct capture_opts *o, unsigned flags,
			  void (*push)(void *ctx, const char *arg), void *ctx)
{
	const struct argv_out a = {push, ctx};
	struct capture_opts d;

	capture_opts_defaults(&d);
	if (flags & CAPTURE_ARGV_SIZES) {
		/* A default that can never match: every size is written. */
		d.batch = d.xsk.rx_size = d.xsk.fill_size = d.xsk.frame_size = 0;
	}
	if (strcmp(o->filter, d.filter))
		push_opt(&a, xdpi_filter_keyword(o->filter) >= 0 ? OPT_PROTO : 'f', o->filter);
	push_seconds(&a, 'd', o->duration, d.duration);
	push_seconds(&a, OPT_INTERVAL, o->interval, d.interval);
	if (o->count) {
		char n[24];

		snprintf(n, sizeof(n), "%llu", (unsigned long long)o->count);
		push_opt(&a, 'c', n);
	}
	if (o->write)
		push_opt(&a, 'w', o->write);
	push_flag(&a, 'q', o->quiet);
	push_flag(&a, OPT_NO_INSPECT, !o->inspect);
	push_flag(&a, OPT_CHECK_SEQ, o->check_seq);
	if (o->sender_clock != d.sender_clock)
		push_opt(&a, OPT_SENDER_CLOCK, capture_sender_clock_name(o->sender_clock));
	push_flag(&a, OPT_CEILING, o->ceiling);
	push_list(&a, OPT_QUEUES, o->queues, o->nqueues);
	push_list(&a, OPT_CPUS, o->cpus, o->ncpus);
	push_u32(&a, 'b', o->batch, d.batch);
	push_u32(&a, OPT_RX_SIZE, o->xsk.rx_size, d.xsk.rx_size);
	push_u32(&a, OPT_FILL_SIZE, o->xsk.fill_size, d.xsk.fill_size);
	push_u32(&a, OPT_FRAME_SIZE, o->xsk.frame_size, d.xsk.frame_size);
	push_u32(&a, OPT_COMP_SIZE, o->xsk.comp_size, d.xsk.comp_size);
	if (o->xsk.mode != d.xsk.mode)
		push_opt(&a, OPT_MODE, capture_xsk_mode_name(o->xsk.mode));
	if (o->xdp_mode != d.xdp_mode)
		push_opt(&a, OPT_XDP_MODE, capture_xdp_mode_name(o->xdp_mode));
	push_flag(&a, OPT_NO_BUSY_POLL, !o->xsk.busy_poll);
	push_u32(&a, OPT_BUSY_POLL_USECS, o->xsk.busy_poll_usecs, d.xsk.busy_poll_usecs);
	push_flag(&a, OPT_NO_NEED_WAKEUP, !o->xsk.need_wakeup);
	push_u32(&a, OPT_IDLE_SPIN_US, o->idle_spin_us, d.idle_spin_us);
	push_flag(&a, 'j', o->json);
	if (o->record)
		push_opt(&a, OPT_RECORD, o->record);
	if (o->user)
		push_opt(&a, OPT_USER, o->user);
	push_flag(&a, OPT_KEEP_PRIVILEGES, o->keep_privileges);
	push_flag(&a, OPT_FORCE, o->force);
	push_flag(&a, OPT_PASSIVE, o->passive);
	push_u32(&a, 's', o->snaplen, d.snaplen);
	push_u32(&a, OPT_RING_SIZE, o->ring_size, d.ring_size);
	if (o->direction != d.direction)
		push_opt(&a, OPT_DIRECTION, capture_direction_name(o->direction));
	push_flag(&a, OPT_TAKEOVER, o->takeover);
	push_u32(&a, OPT_MAX_FRAME, o->max_frame, d.max_frame);
	push_flag(&a, OPT_NO_RX_METADATA, o->no_rx_metadata);
	push_flag(&a, OPT_NO_FRAME_TIMES, o->no_frame_times);
	push_flag(&a, OPT_KEEP_OFFLOADS, o->keep_offloads);
	push_flag(&a, 'v', o->verbose);
	push_flag(&a, OPT_CONNECTIONS, o->connections);
	push_flag(&a, OPT_NO_FLOWS, o->flows.off);
	push_flag(&a, OPT_NO_PEEKS, o->flows.no_peeks);
	if (o->flows.max_flows) {
		char n[24];

		snprintf(n, sizeof(n), "%llu", (unsigned long long)o->flows.max_flows);
		push_opt(&a, OPT_MAX_FLOWS, n);
	}
	push_seconds(&a, OPT_FLOW_TIMEOUT, o->flows.timeout, d.flows.timeout);
	push_seconds(&a, OPT_FLOW_CLOSED_TIMEOUT, o->flows.closed_timeout, d.flows.closed_timeout);
	if (o->flows.distinct_limit) {
		char n[24];

		snprintf(n, sizeof(n), "%llu", (unsigned long long)o->flows.distinct_limit);
		push_opt(&a, OPT_DISTINCT_LIMIT, n);
	}
	if (o->flows.json_lines)
		push_opt(&a, OPT_JSON_LINES, o->flows.json_lines);
	if (o->flows.prometheus)
		push_opt(&a, OPT_PROMETHEUS, o->flows.prometheus);
	if (o->flows.ipfix)
		push_opt(&a, OPT_IPFIX, o->flows.ipfix);
	push_seconds(&a, OPT_IPFIX_ACTIVE_TIMEOUT, o->flows.ipfix_active_timeout,
		     d.flows.ipfix_active_timeout);
	push_u32(&a, OPT_IPFIX_DOMAIN, o->flows.ipfix_domain, d.flows.ipfix_domain);
	push_detect(&a, &o->flows, &d.flows);
	/* After "--" a name that starts with '-' (Linux allows one) is not
	 * taken for an option, found by tests/fuzz_options.c. */
	if (o->ifname && o->ifname[0] == '-')
		push(ctx, "--");
	if (o->ifname)
		push(ctx, o->ifname);
}
