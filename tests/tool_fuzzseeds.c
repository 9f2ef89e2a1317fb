// SPDX-License-Identifier: MIT
/*
 * Writes the seed inputs the build adds to the corpora kept in
 * tests/fuzz-corpus/, made by the project's own writers so that they
 * follow the code (tests/tests.mk, `make fuzz`, tests/t_fuzz.sh):
 *   DIR/record/   records as `xdpi live --record` writes them: the ledger
 *                 from ledger_to_json() (closing, not closing, two queues,
 *                 counters past 2^63), metrics from report_metrics_json(),
 *                 and "metrics_sent" for fuzz_record's other side;
 *   DIR/options/  command lines from capture_opts_write(), NUL-joined,
 *                 and the values of every number parser at its bounds;
 *   DIR/config/   the same options as `xdpi live --config` files;
 *   DIR/peek/     HTTP request lines and TLS ClientHellos (SNI, ALPN,
 *                 supported_versions, GREASE), whole and cut.
 *   tool_fuzzseeds DIR
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "capture/ledger.h"
#include "capture/options.h"
#include "capture/ledger_report.h"
#include "export/report.h"
#include "util/u64json.h"

static const char *dir;

static void write_seed(const char *sub, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* --- records ---------------------------------------------------------- */

static void record_seed(const char *name, struct ledger *l, const struct metrics *m)
{
	json_t *rec = report_metrics_json(m);
	char *text;

	ledger_close(l);
	if (!rec || json_object_set_new(rec, "interface", json_string("xdpi-d")) ||
	    json_object_set_new(rec, "filter", json_string("tcp")) ||
	    json_object_set_new(rec, "inspect", json_true()) ||
	    json_object_set_new(rec, "duration_s", json_real(1.5)) ||
	    json_object_set_new(rec, "ledger", ledger_to_json(l)) ||
	    json_object_set_new(rec, "metrics_sent", report_metrics_json(m)))
		exit(1);
	text = json_dumps(rec, JSON_INDENT(1));
	if (!text)
		exit(1);
	write_seed("record", name, text, strlen(text));
	free(text);
	json_decref(rec);
}

static void records(void)
{
	struct ledger_queue q[2] = {0};
	struct ledger l = {.q = q, .count = 1};
	struct metrics m;

	if (metrics_init(&m))
		exit(1);
	m.c.packets = 1000;
	m.c.bytes = 64000;
	m.c.l3[PKT_L3_IPV4] = 1000;
	m.c.tcp_payload_bytes = 10;
	q[0].has_socket = q[1].has_socket = true;
	q[1].queue = 1;
	q[0].xdp.seen = 1200;
	q[0].xdp.redirected = 1000;
	q[0].xdp.passed = 200;
	q[0].inspected = 990;
	q[0].sock.rx_dropped = 10;
	record_seed("closes", &l, &m);
	q[0].inspected = 900;
	record_seed("unexplained", &l, &m);
	l.count = 2;
	q[1].xdp.redirected = 5;
	q[1].inspected = 5;
	q[1].iface.count = 1;
	strcpy(q[1].iface.c[0].name, "rx_xdp_redirect");
	q[1].iface.c[0].value = 5;
	record_seed("two-queues", &l, &m);
	q[0].xdp.seen_bytes = UINT64_MAX;
	q[1].inspected = (UINT64_C(1) << 63) + 1;
	m.c.bytes = UINT64_MAX;
	record_seed("past-2-63", &l, &m);
	metrics_destroy(&m);
}

/* --- command lines ---------------------------------------------------- */

struct line {
	char buf[2048];
	size_t len;
};

static void push(void *ctx, const char *arg)
{
	struct line *ln = ctx;
	size_t n = strlen(arg) + 1;

	if (ln->len + n <= sizeof(ln->buf)) {
		memcpy(ln->buf + ln->len, arg, n);
		ln->len += n;
	}
}

/* The arguments in @ln as a config file: "--key value" a `key = value`
 * line, a flag `key = yes`, the interface (last, alone) `interface = `. */
static void config_seed(const char *name, const struct line *ln)
{
	char text[4096];
	const char *arg = ln->buf, *end = ln->buf + ln->len;
	size_t len = 0;

	while (arg < end) {
		const char *next = arg + strlen(arg) + 1;
		/* A value follows an option unless it is the interface, last. */
		bool pair = !strncmp(arg, "--", 2) && next < end && strncmp(next, "--", 2) &&
			    next + strlen(next) + 1 < end;
		int n;

		if (strncmp(arg, "--", 2))
			n = snprintf(text + len, sizeof(text) - len, "interface = %s\n", arg);
		else if (pair)
			n = snprintf(text + len, sizeof(text) - len, "%s = %s\n", arg + 2, next);
		else
			n = snprintf(text + len, sizeof(text) - len, "%s = yes\n", arg + 2);
		if (n < 0 || (size_t)n >= sizeof(text) - len)
			break;
		len += (size_t)n;
		arg = pair ? next + strlen(next) + 1 : next;
	}
	write_seed("config", name, text, len);
}

static void options_seed(const char *name, const struct capture_opts *o)
{
	struct line ln = {.len = 0};

	capture_opts_write(o, CAPTURE_WRITE_SIZES, push, &ln);
	/* the last NUL is the fuzzer's end of input */
	write_seed("options", name, ln.buf, ln.len ? ln.len - 1 : 0);
	config_seed(name, &ln);
}

static void options(void)
{
	static const char *const values[] = {
		"0",	 "1",	     "4294967295", "4294967296", "18446744073709551615",
		"0.001", "1e-3",     "0,2-3",	   "0-15",	 "15-0",
		"-1",	 "0x10",     "010",	   "nan",	 " 1",
		"1,",	 "10000000", "0.0005",
	};
	struct capture_opts o;

	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	options_seed("defaults", &o);
	o.filter = "udp port 9 or vlan and tcp";
	o.nqueues = 2;
	o.queues[0] = 0;
	o.queues[1] = 1;
	o.ncpus = 1;
	o.check_seq = true;
	o.sender_clock = CAPTURE_CLOCK_SYNCED;
	o.duration = 2.5;
	o.count = 100;
	o.json = true;
	o.record = "r.json";
	options_seed("many", &o);
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.passive = true;
	o.snaplen = 128;
	o.inspect = false;
	o.flows.ipfix = "[::1]:4739";
	o.flows.max_flows = 1000;
	o.flows.timeout = 0.5;
	options_seed("passive-ipfix", &o);
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.flows.ipfix = "127.0.0.1:4739";
	o.flows.ipfix_alerts = true;
	o.flows.host_groups = "web 198.18.10.0/24,2001:db8:10::/48 volumetric-pps=500000 "
			      "syn-flood-rate=20000; dns 198.18.0.53 volumetric-mbps=10";
	options_seed("host-groups", &o);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char name[32];

		snprintf(name, sizeof(name), "value-%zu", i);
		write_seed("options", name, values[i], strlen(values[i]));
	}
}

/* --- payloads --------------------------------------------------------- */

static size_t put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

/* A ClientHello in one record: SNI @sni, ALPN h2 and http/1.1,
 * supported_versions with a GREASE value, TLS 1.3 and 1.2. */
static size_t client_hello(uint8_t *out, const char *sni)
{
	uint8_t ext[512], *p = ext;
	size_t sl = strlen(sni), n, hs;

	p += put16(p, 0x0000); /* server_name */
	p += put16(p, (unsigned)sl + 5);
	p += put16(p, (unsigned)sl + 3);
	*p++ = 0;
	p += put16(p, (unsigned)sl);
	memcpy(p, sni, sl);
	p += sl;
	p += put16(p, 0x0010); /* ALPN */
	p += put16(p, 14);
	p += put16(p, 12);
	*p++ = 2;
	memcpy(p, "h2", 2);
	p += 2;
	*p++ = 8;
	memcpy(p, "http/1.1", 8);
	p += 8;
	p += put16(p, 0x002b); /* supported_versions */
	p += put16(p, 7);
	*p++ = 6;
	p += put16(p, 0x0a0a);
	p += put16(p, 0x0304);
	p += put16(p, 0x0303);
	n = (size_t)(p - ext);

	/* record header, handshake header, legacy_version, random, session
	 * id, one cipher suite, null compression, extensions */
	hs = 2 + 32 + 1 + 4 + 2 + 2 + n;
	p = out;
	*p++ = 0x16;
	p += put16(p, 0x0301);
	p += put16(p, (unsigned)hs + 4);
	*p++ = 1;
	*p++ = 0;
	p += put16(p, (unsigned)hs);
	p += put16(p, 0x0303);
	memset(p, 0xab, 32);
	p += 32;
	*p++ = 0;
	p += put16(p, 2);
	p += put16(p, 0x1301);
	*p++ = 1;
	*p++ = 0;
	p += put16(p, (unsigned)n);
	memcpy(p, ext, n);
	p += n;
	return (size_t)(p - out);
}

static void payloads(void)
{
	static const char *const http[] = {
		"GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
		"POST /api HTTP/1.0\r\nContent-Length: 0\r\nHost:  a.example \t\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\n\r\n",
		"CONNECT http://example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
		"BREW /pot\x1b[31m HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n",
		"GET /cut-in-the-middle",
	};
	uint8_t tls[1024];
	size_t n;

	for (size_t i = 0; i < sizeof(http) / sizeof(http[0]); i++) {
		char name[32];

		snprintf(name, sizeof(name), "http-%zu", i);
		write_seed("peek", name, http[i], strlen(http[i]));
	}
	n = client_hello(tls, "www.example.com");
	write_seed("peek", "tls-client-hello", tls, n);
	write_seed("peek", "tls-client-hello-cut", tls, n / 2);
	n = client_hello(tls, "evil\x1b]0;title\x07.example");
	write_seed("peek", "tls-sni-escape", tls, n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tool_fuzzseeds DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	records();
	options();
	payloads();
	return 0;
}
