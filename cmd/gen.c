// SPDX-License-Identifier: MIT
/* xdpi gen: the built-in line-rate generator (bench/generator.h). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <net/ethernet.h>
#include <netinet/ether.h>

#include "cmd.h"
#include "../bench/generator.h"
#include "../export/gen_report.h"
#include "../inspect/seqcheck.h"

static const char gen_usage_line[] = "Usage: xdpi gen [OPTIONS] [-i] IFACE";

static void gen_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Sends stamped test traffic out of IFACE as fast as the kernel allows:\n"
		"BPF_PROG_RUN live frames (Linux 5.18+) returning XDP_TX, else AF_XDP TX.\n"
		"On veth the frames land in the peer; the peer needs an XDP program or\n"
		"GRO on to accept them. Every frame carries its flow, sequence number\n"
		"and send time (docs/bench.md), which `xdpi live --check-seq` verifies.\n\n"
		"Options:\n"
		"  -i, --interface IFACE  the interface to send on (or IFACE last)\n"
		"  -c, --count N       stop after N frames (a duration or a count is needed)\n"
		"  -d, --duration S    stop after S seconds\n"
		"      --size N        bytes on the wire, FCS included: 64..9018 (at most\n"
		"                      the MTU + 18), imix (7:4:1 of 64/594/1518) or\n"
		"                      imix-jumbo (7:4:1:1 of 64/594/1518/9018); default 64.\n"
		"                      Frames over 3412 bytes go through AF_XDP\n"
		"                      multi-buffer TX (Linux 6.6+)\n"
		"      --proto P       tcp-syn (default), tcp-data, udp\n"
		"      --flows N       flows (source ports), default 1; flows spread over\n"
		"                      queues on receivers that hash\n"
		"      --rate PPS      total rate; default: as fast as possible\n"
		"      --cpus LIST     one sender thread per CPU (on veth the receive queue\n"
		"                      of an XDP frame follows the sending CPU); default:\n"
		"                      the first CPU this process may use\n"
		"      --method M      auto (default), live (live frames, frames of at most\n"
		"                      3412 bytes), xsk (AF_XDP TX)\n"
		"      --stamp S       xdpi (default), or pktgen: the UDP payload is the\n"
		"                      kernel pktgen's header (magic, sequence from 1,\n"
		"                      wall-clock send time), as pktgen writes it, one\n"
		"                      sequence per flow; implies --proto udp\n"
		"      --dst-mac MAC   destination MAC (default 02:00:00:00:00:02, which\n"
		"                      no receiver owns, so nothing answers)\n"
		"      --src-mac MAC   source MAC (default 02:00:00:00:00:01)\n"
		"      --src-ip IP, --dst-ip IP   IPv4 addresses (198.18.0.1, .2)\n"
		"      --src-ips N     spoofed sources: the N addresses from --src-ip,\n"
		"                      round robin over the frames of each flow\n"
		"                      (1..131072, a /15; default 1)\n"
		"      --preset P      syn-flood or udp-flood: every frame a new flow\n"
		"                      (--flows 50000 --src-ips 131071: 6.5 G distinct\n"
		"                      4-tuples); options after it override it\n"
		"      --payload P     none (default), http (an HTTP/1.1 request) or tls\n"
		"                      (a ClientHello with SNI) after the TCP header of\n"
		"                      every frame, for the payload peeks; --size\n"
		"                      defaults to the smallest frame that holds it\n"
		"      --pcap FILE     also write the frames the run sends (the first\n"
		"                      --pcap-max, default 100000) to FILE, for `xdpi read`\n"
		"  -j, --json          print one JSON object with the result\n"
		"  -h, --help          this text\n",
		gen_usage_line);
}

enum {
	OPT_DST_MAC = 256,
	OPT_SRC_MAC,
	OPT_SRC_IP,
	OPT_DST_IP,
	OPT_PCAP,
	OPT_PCAP_MAX,
	OPT_STAMP,
	OPT_CPUS,
	OPT_METHOD,
	OPT_PAYLOAD,
};

static volatile int gen_stop;

/* Signals are blocked everywhere; this thread turns one into the stop flag. */
static void *gen_signal_thread(void *arg)
{
	(void)arg;
	xdpi_signals_wait();
	__atomic_store_n(&gen_stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* The frame's addresses: returns 1 if @opt is one of them, 0 if not,
 * -EINVAL for a bad value. */
static int gen_parse_addr_opt(int opt, const char *arg, struct gen_opts *o)
{
	struct ether_addr *mac;

	switch (opt) {
	case OPT_DST_MAC:
	case OPT_SRC_MAC:
		mac = ether_aton(arg);
		if (!mac)
			return -EINVAL;
		memcpy(opt == OPT_DST_MAC ? o->dst_mac : o->src_mac, mac, 6);
		return 1;
	case OPT_SRC_IP:
	case OPT_DST_IP:
		return parse_ip(arg, opt == OPT_SRC_IP ? &o->src_ip : &o->dst_ip) ? -EINVAL : 1;
	default:
		return 0;
	}
}

struct gen_args {
	struct gen_opts o;
	const char *pcap; /* also write the frames here */
	uint32_t pcap_max;
	bool json;
};

/* In the order of enum gen_method. */
static const char *const method_names[] = {"auto", "live", "xsk"};

/* The valid values of gen's option @c, for a usage error. */
static const char *gen_valid(int c, char *buf, size_t len)
{
	const char *stamps[] = {gen_stamp_name(GEN_STAMP_XDPI), gen_stamp_name(GEN_STAMP_PKTGEN)};
	const char *v = xdpi_traffic_opt_valid(c, buf, len);

	if (v)
		return v;
	switch (c) {
	case 'd':
		return "seconds, e.g. 0.5 or 10";
	case 'c':
	case OPT_PCAP_MAX:
		return "1..4294967295";
	case OPT_CPUS:
		return "a CPU list such as 0,2-3";
	case OPT_METHOD:
		return xdpi_choices(method_names, 3, buf, len);
	case OPT_STAMP:
		return xdpi_choices(stamps, 2, buf, len);
	case OPT_PAYLOAD:
		return xdpi_choices(gen_payload_names, GEN__PAYLOADS, buf, len);
	case OPT_DST_MAC:
	case OPT_SRC_MAC:
		return "a MAC address such as 02:00:00:00:00:02";
	case OPT_SRC_IP:
	case OPT_DST_IP:
		return "an IPv4 address such as 198.18.0.1";
	default:
		return NULL;
	}
}

/* Returns 0, 1 for --help, or -EINVAL (message printed). */
static int gen_parse(int argc, char **argv, struct gen_args *a)
{
	static const struct option opts[] = {
		XDPI_TRAFFIC_LONG_OPTS,
		{"duration", required_argument, NULL, 'd'},
		{"count", required_argument, NULL, 'c'},
		{"interface", required_argument, NULL, 'i'},
		{"cpus", required_argument, NULL, OPT_CPUS},
		{"method", required_argument, NULL, OPT_METHOD},
		{"dst-mac", required_argument, NULL, OPT_DST_MAC},
		{"src-mac", required_argument, NULL, OPT_SRC_MAC},
		{"src-ip", required_argument, NULL, OPT_SRC_IP},
		{"dst-ip", required_argument, NULL, OPT_DST_IP},
		{"pcap", required_argument, NULL, OPT_PCAP},
		{"pcap-max", required_argument, NULL, OPT_PCAP_MAX},
		{"stamp", required_argument, NULL, OPT_STAMP},
		{"payload", required_argument, NULL, OPT_PAYLOAD},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct gen_opts *o = &a->o;
	bool proto_given = false, size_given = false;
	const char *ifname = NULL;
	char valid[128];
	uint32_t u;
	int c, v;

	memset(a, 0, sizeof(*a));
	gen_opts_defaults(o);
	a->pcap_max = 100000;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:c:i:jh", opts, NULL)) != -1) {
		v = xdpi_parse_traffic_opt(c, optarg, o);
		proto_given |= c == XDPI_OPT_PROTO;
		size_given |= c == XDPI_OPT_SIZE;
		if (!v)
			v = gen_parse_addr_opt(c, optarg, o);
		if (v < 0)
			goto bad;
		if (v)
			continue;
		switch (c) {
		case 'd':
			if (xdpi_parse_seconds(optarg, &o->duration))
				goto bad;
			break;
		case 'c':
			if (xdpi_parse_u32(optarg, 1, UINT32_MAX, &u))
				goto bad;
			o->count = u;
			break;
		case 'i':
			ifname = optarg;
			break;
		case OPT_CPUS:
			o->ncpus = xdpi_parse_list(optarg, o->cpus, GEN_MAX_THREADS, CPU_SETSIZE);
			if (o->ncpus < 0)
				goto bad;
			break;
		case OPT_METHOD:
			v = xdpi_parse_choice(
				optarg, method_names,
				(int)(sizeof(method_names) / sizeof(method_names[0])));
			if (v < 0)
				goto bad;
			o->method = (enum gen_method)v;
			break;
		case OPT_PCAP:
			a->pcap = optarg;
			break;
		case OPT_STAMP:
			v = gen_stamp_parse(optarg);
			if (v < 0)
				goto bad;
			o->stamp = (enum gen_stamp)v;
			break;
		case OPT_PAYLOAD:
			v = xdpi_parse_choice(optarg, gen_payload_names, GEN__PAYLOADS);
			if (v < 0)
				goto bad;
			o->payload = (enum gen_payload)v;
			break;
		case OPT_PCAP_MAX:
			if (xdpi_parse_u32(optarg, 1, UINT32_MAX, &a->pcap_max))
				goto bad;
			break;
		case 'j':
			a->json = true;
			break;
		case 'h':
			gen_usage(stdout);
			return 1;
		default:
			xdpi_usage_getopt(gen_usage_line, argv, c, opts);
			return -EINVAL;
		}
	}
	if (optind < argc && !ifname)
		ifname = argv[optind++];
	if (!ifname || optind != argc) {
		xdpi_usage_error(gen_usage_line,
				 "takes exactly one IFACE (-i IFACE, or IFACE last)");
		return -EINVAL;
	}
	o->ifname = ifname;
	/* pktgen sends UDP only: its header needs no --proto. */
	if (o->stamp == GEN_STAMP_PKTGEN && !proto_given)
		o->proto = GEN_UDP;
	/* A payload needs room: the smallest frame that holds it. */
	if (o->payload != GEN_PAYLOAD_NONE && !size_given)
		o->size = gen_payload_min_size(o->payload);
	return 0;
bad:
	xdpi_usage_bad_value(gen_usage_line, argv, optarg, gen_valid(c, valid, sizeof(valid)));
	return -EINVAL;
}

/* Every signal that would end the process by default stops the run
 * instead, so the generator program is detached at exit. */
static int gen_signals_catch(void)
{
	pthread_t sig_tid;

	if (xdpi_signals_block())
		return -EAGAIN;
	if (pthread_create(&sig_tid, NULL, gen_signal_thread, NULL)) {
		xdpi_err("cannot start the signal thread");
		return -EAGAIN;
	}
	pthread_detach(sig_tid);
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	uint64_t refused, refused_before;
	struct gen_result res;
	struct gen_args a;
	char err[256] = "";
	int ret;

	ret = gen_parse(argc, argv, &a);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	if (gen_opts_validate(&a.o, err, sizeof(err))) {
		xdpi_usage_error(gen_usage_line, "%s", err);
		return XDPI_EXIT_USAGE;
	}
	if (a.o.stamp == GEN_STAMP_PKTGEN && a.o.flows > SEQCHECK_PG_MAX_FLOWS)
		xdpi_warn("`xdpi live --check-seq` follows at most %d pktgen flows per receive "
			  "queue: it counts the frames of the others as untracked",
			  SEQCHECK_PG_MAX_FLOWS);
	if (a.pcap && gen_write_pcap(&a.o, a.pcap, a.pcap_max, err, sizeof(err))) {
		xdpi_err("cannot write the sample: %s", err);
		return XDPI_EXIT_FAIL;
	}
	if (xdpi_check_privileges() || gen_signals_catch())
		return XDPI_EXIT_FAIL;

	refused_before = gen_tx_refused(a.o.ifname);
	ret = gen_run(&a.o, &gen_stop, &res, err, sizeof(err));
	if (ret) {
		xdpi_err("%s", *err ? err : strerror(-ret));
		return XDPI_EXIT_FAIL;
	}
	refused = gen_tx_refused(a.o.ifname) - refused_before;
	if (a.json) {
		json_t *obj = gen_report_json(&a.o, &res, refused);

		if (obj) {
			json_dumpf(obj, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(obj);
		}
	} else {
		gen_report_print(stdout, &a.o, &res, refused);
	}
	return XDPI_EXIT_OK;
}
