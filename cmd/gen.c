// SPDX-License-Identifier: MIT
/* xdpi gen: the built-in line-rate generator (bench/generator.h). */
#include <errno.h>
#include <stddef.h>
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

static volatile int gen_stop;

/* Signals are blocked everywhere; this thread turns one into the stop flag. */
static void *gen_signal_thread(void *arg)
{
	(void)arg;
	xdpi_signals_wait();
	__atomic_store_n(&gen_stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* --src-mac, --dst-mac: six bytes at the row's offset. */
static int gen_mac_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	struct ether_addr *mac = ether_aton(arg);

	if (!mac)
		return -EINVAL;
	memcpy((char *)obj + r->off, mac, 6);
	return 0;
}

static int gen_mac_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	const uint8_t *m = (const uint8_t *)obj + r->off;

	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return 1;
}

/* --src-ip, --dst-ip: an IPv4 address, kept in host order. */
static int gen_ip_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	struct in_addr a;

	if (inet_pton(AF_INET, arg, &a) != 1)
		return -EINVAL;
	*(uint32_t *)(void *)((char *)obj + r->off) = ntohl(a.s_addr);
	return 0;
}

static int gen_ip_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	struct in_addr a = {htonl(*(const uint32_t *)(const void *)((const char *)obj + r->off))};

	return inet_ntop(AF_INET, &a, buf, (socklen_t)len) ? 1 : 0;
}

static int gen_stamp_row_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	int v = gen_stamp_parse(arg);

	if (v < 0)
		return -EINVAL;
	*(enum gen_stamp *)(void *)((char *)obj + r->off) = (enum gen_stamp)v;
	return 0;
}

static int gen_stamp_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 gen_stamp_name(
			 *(const enum gen_stamp *)(const void *)((const char *)obj + r->off)));
	return 1;
}

static int gen_stamp_explain(const char *arg, char *err, size_t err_len)
{
	const char *stamps[] = {gen_stamp_name(GEN_STAMP_XDPI), gen_stamp_name(GEN_STAMP_PKTGEN)};

	(void)arg;
	xdpi_choices(stamps, 2, err, err_len);
	return 1;
}

struct gen_args {
	struct gen_opts o;
	const char *pcap; /* also write the frames here */
	uint32_t pcap_max;
	bool json;
};

/* In the order of enum gen_method. */
static const char *const method_names[] = {"auto", "live", "xsk", "loop"};

#define GA(m) offsetof(struct gen_args, m)
/* The rows over struct gen_opts: gen_opts_defaults() sets their defaults. */
#define GEN_OWNED OPTTAB_OBJ_DEFAULT

/* clang-format off */
static const struct opttab_row gen_rows[] = {
	{OPTTAB_STRING, "interface", 'i', .off = GA(o.ifname), .metavar = "IFACE",
	 .flags = GEN_OWNED, .help = "the interface to send on (or IFACE last)"},
	{OPTTAB_U64, "count", 'c', .off = GA(o.count), .min = 1, .max = UINT32_MAX,
	 .valid = "1..4294967295", .metavar = "N", .flags = GEN_OWNED | OPTTAB_NO_DEFAULT,
	 .help = "stop after N frames (a duration or a count is needed)"},
	{OPTTAB_SECONDS, "duration", 'd', .off = GA(o.duration), .valid = "seconds, e.g. 0.5 or 10",
	 .metavar = "S", .flags = GEN_OWNED | OPTTAB_NO_DEFAULT,
	 .help = "stop after S seconds"},
	{OPTTAB_INCLUDE, .off = GA(o), .include = xdpi_traffic_rows},
	{OPTTAB_LIST, "cpus", .off = GA(o.cpus), .off2 = GA(o.ncpus), .max = GEN_MAX_THREADS,
	 .limit = CPU_SETSIZE, .valid = "a CPU list such as 0,2-3", .metavar = "LIST",
	 .def_doc = "the first CPU this process may use", .flags = GEN_OWNED,
	 .help = "one sender thread per CPU (on veth the receive queue of an XDP frame follows "
		 "the sending CPU)"},
	{OPTTAB_CHOICE, "method", .off = GA(o.method), .choices = method_names, .nchoices = 4,
	 .metavar = "M", .flags = GEN_OWNED,
	 .help = "auto, live (live frames, frames of at most 3412 bytes), xsk (AF_XDP TX), loop (XDP "
		 "frames going round a veth pair of the generator's: one CPU, one frame size of at "
		 "most 3412 bytes; for kernels without live frames)"},
	{OPTTAB_CUSTOM, "stamp", .off = GA(o.stamp), .parse = gen_stamp_row_parse,
	 .fmt = gen_stamp_fmt, .explain = gen_stamp_explain, .metavar = "S", .flags = GEN_OWNED,
	 .help = "xdpi, or pktgen: the UDP payload is the kernel pktgen's header (magic, sequence "
		 "from 1, wall-clock send time), as pktgen writes it, one sequence per flow; "
		 "implies --proto udp"},
	{OPTTAB_CUSTOM, "dst-mac", .off = GA(o.dst_mac), .parse = gen_mac_parse, .fmt = gen_mac_fmt,
	 .valid = "a MAC address such as 02:00:00:00:00:02", .metavar = "MAC", .flags = GEN_OWNED,
	 .help = "destination MAC; the default no receiver owns, so nothing answers"},
	{OPTTAB_CUSTOM, "src-mac", .off = GA(o.src_mac), .parse = gen_mac_parse, .fmt = gen_mac_fmt,
	 .valid = "a MAC address such as 02:00:00:00:00:02", .metavar = "MAC", .flags = GEN_OWNED,
	 .help = "source MAC"},
	{OPTTAB_CUSTOM, "src-ip", .off = GA(o.src_ip), .parse = gen_ip_parse, .fmt = gen_ip_fmt,
	 .valid = "an IPv4 address such as 198.18.0.1", .metavar = "IP", .flags = GEN_OWNED,
	 .help = "source IPv4 address"},
	{OPTTAB_CUSTOM, "dst-ip", .off = GA(o.dst_ip), .parse = gen_ip_parse, .fmt = gen_ip_fmt,
	 .valid = "an IPv4 address such as 198.18.0.1", .metavar = "IP", .flags = GEN_OWNED,
	 .help = "destination IPv4 address"},
	{OPTTAB_CHOICE, "payload", .off = GA(o.payload), .choices = gen_payload_names,
	 .nchoices = GEN__PAYLOADS, .metavar = "P", .flags = GEN_OWNED,
	 .help = "none, http (an HTTP/1.1 request) or tls (a ClientHello with SNI) after the TCP "
		 "header of every frame, for the payload peeks; --size defaults to the smallest "
		 "frame that holds it"},
	{OPTTAB_STRING, "pcap", .off = GA(pcap), .metavar = "FILE",
	 .help = "also write the frames the run sends (the first --pcap-max) to FILE, for "
		 "`xdpi read`"},
	{OPTTAB_U32, "pcap-max", .off = GA(pcap_max), .min = 1, .def_u = 100000,
	 .valid = "1..4294967295", .metavar = "N", .help = "frames --pcap writes at most"},
	{OPTTAB_FLAG, "json", 'j', .off = GA(json), .help = "print one JSON object with the result"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};
/* clang-format on */

static struct opttab gen_tab;

/* Every field at its default: gen_opts_defaults() for the generator's, the
 * rows for gen's own. */
static void gen_args_defaults(struct gen_args *a)
{
	memset(a, 0, sizeof(*a));
	gen_opts_defaults(&a->o);
	opttab_defaults(&gen_tab, a);
}

static void gen_usage(FILE *out, bool man)
{
	struct gen_args def;

	gen_args_defaults(&def);
	if (man) {
		opttab_man_obj(&gen_tab, &def, out);
		return;
	}
	fprintf(out,
		"%s\n\n"
		"Sends stamped test traffic out of IFACE as fast as the kernel allows:\n"
		"BPF_PROG_RUN live frames (Linux 5.18+) returning XDP_TX, else AF_XDP TX.\n"
		"On veth the frames land in the peer; the peer needs an XDP program or\n"
		"GRO on to accept them. Every frame carries its flow, sequence number\n"
		"and send time (docs/bench.md), which `xdpi live --check-seq` verifies.\n\n"
		"Options:\n",
		gen_usage_line);
	opttab_help_obj(&gen_tab, &def, out);
}

/* The getopt value of row @name. */
static int gen_val(const char *name)
{
	const struct opttab_ent *e = opttab_key(&gen_tab, name, NULL);

	return e ? e->val : -1;
}

/* Returns 0, 1 for --help, or -EINVAL (message printed). */
static int gen_parse(int argc, char **argv, struct gen_args *a)
{
	struct gen_opts *o = &a->o;
	bool proto_given = false, size_given = false;
	int c, ret;

	if (xdpi_opttab_init(&gen_tab, gen_rows, "gen"))
		return -EINVAL;
	gen_args_defaults(a);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, gen_tab.shorts, gen_tab.longs, NULL)) != -1) {
		ret = xdpi_opttab_apply(&gen_tab, a, gen_usage_line, argv, c);
		if (ret < 0)
			return ret;
		if (!ret) {
			gen_usage(stdout, xdpi_help_man());
			return 1;
		}
		proto_given |= c == gen_val("proto");
		size_given |= c == gen_val("size");
	}
	if (optind < argc && !o->ifname)
		o->ifname = argv[optind++];
	if (!o->ifname || optind != argc) {
		xdpi_usage_error(gen_usage_line,
				 "takes exactly one IFACE (-i IFACE, or IFACE last)");
		return -EINVAL;
	}
	/* pktgen sends UDP only: its header needs no --proto. */
	if (o->stamp == GEN_STAMP_PKTGEN && !proto_given)
		o->proto = GEN_UDP;
	/* A payload needs room: the smallest frame that holds it. */
	if (o->payload != GEN_PAYLOAD_NONE && !size_given)
		o->size = gen_payload_min_size(o->payload);
	return 0;
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
