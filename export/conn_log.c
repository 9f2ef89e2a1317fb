// SPDX-License-Identifier: MIT
#include "conn_log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../inspect/flowrate.h"

struct conn_log {
	FILE *f;
	bool all;
	pthread_mutex_t lock;
};

/* 12345, 123k, 12.3M: at most 5 characters. */
static void si5(uint64_t x, char *buf, size_t len)
{
	if (x < 100000)
		snprintf(buf, len, "%" PRIu64, x);
	else if (x < 10000000)
		snprintf(buf, len, "%" PRIu64 "k", x / 1000);
	else if (x < 100000000000ull)
		snprintf(buf, len, "%" PRIu64 "M", x / 1000000);
	else
		snprintf(buf, len, "%" PRIu64 "G", x / 1000000000);
}

int conn_log_open(struct conn_log **out, FILE *f, bool all_columns)
{
	struct conn_log *cl = calloc(1, sizeof(*cl));

	*out = NULL;
	if (!cl)
		return -ENOMEM;
	cl->f = f;
	cl->all = all_columns;
	pthread_mutex_init(&cl->lock, NULL);
	if (all_columns)
		fprintf(f, "start duration proto src sport dst dport state packets_toserver "
			   "bytes_toserver packets_toclient bytes_toclient rtt_ms name\n");
	else
		fprintf(f, "%-8s %7s %-33s %-4s %5s %5s %5s %5s\n", "start", "dur",
			"source > destination", "prot", "pkt>", "byte>", "<pkt", "<byte");
	*out = cl;
	return 0;
}

static const char *proto_name(uint8_t p, char *buf, size_t len)
{
	const char *n = flow_proto_name(p);

	if (n)
		return n;
	snprintf(buf, len, "%u", p);
	return buf;
}

void conn_log_end(struct conn_log *cl, const struct flow_record *r)
{
	double dur = r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) / 1e9 : 0;
	time_t secs = (time_t)(r->start_ns / 1000000000u);
	char a[64], b[64], ends[160], pb[16], when[40], rtt[24], name[300];
	const char *kind = NULL, *host = NULL;
	struct tm tm;

	gmtime_r(&secs, &tm);
	if (r->peek && r->peek->kind == PEEK_TLS && r->peek->tls_sni[0]) {
		kind = "S";
		host = r->peek->tls_sni;
	} else if (r->peek && r->peek->kind == PEEK_HTTP && r->peek->http_host[0]) {
		kind = "H";
		host = r->peek->http_host;
	}
	pthread_mutex_lock(&cl->lock);
	if (cl->all) {
		char sa[64], da[64];

		flowrate_endpoint_str(r->family, r->src_addr, 0, sa, sizeof(sa));
		flowrate_endpoint_str(r->family, r->dst_addr, 0, da, sizeof(da));
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		if (r->rtt_ns >= 0)
			snprintf(rtt, sizeof(rtt), "%.3f", (double)r->rtt_ns / 1e6);
		else
			snprintf(rtt, sizeof(rtt), "-");
		if (host)
			snprintf(name, sizeof(name), "%s:%s", kind, host);
		else
			snprintf(name, sizeof(name), "-");
		fprintf(cl->f,
			"%s.%06u %.6f %s %s %u %s %u %s/%s %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRIu64 " %s %s\n",
			when, (unsigned)(r->start_ns % 1000000000u / 1000), dur,
			proto_name(r->proto, pb, sizeof(pb)), sa, r->src_port, da, r->dst_port,
			flow_tcp_state_name(r->state), flow_end_reason_name(r->end_reason),
			r->packets_toserver, r->bytes_toserver, r->packets_toclient,
			r->bytes_toclient, rtt, name);
	} else {
		char p1[24], b1[24], p2[24], b2[24];
		int n;

		flowrate_endpoint_str(r->family, r->src_addr, r->src_port, a, sizeof(a));
		flowrate_endpoint_str(r->family, r->dst_addr, r->dst_port, b, sizeof(b));
		n = snprintf(ends, sizeof(ends), "%s > %s", a, b);
		if (n > 33) /* the middle goes: both ports stay */
			snprintf(ends, sizeof(ends), "%.14s~%s", a,
				 b + (strlen(b) > 18 ? strlen(b) - 18 : 0));
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		si5(r->packets_toserver, p1, sizeof(p1));
		si5(r->bytes_toserver, b1, sizeof(b1));
		si5(r->packets_toclient, p2, sizeof(p2));
		si5(r->bytes_toclient, b2, sizeof(b2));
		fprintf(cl->f, "%-8s %7.3f %-33.33s %-4.4s %5s %5s %5s %5s\n", when,
			dur < 9999 ? dur : 9999, ends, proto_name(r->proto, pb, sizeof(pb)), p1, b1,
			p2, b2);
	}
	pthread_mutex_unlock(&cl->lock);
}

int conn_log_close(struct conn_log *cl)
{
	int ret;

	if (!cl)
		return 0;
	ret = fflush(cl->f) ? -EIO : 0;
	pthread_mutex_destroy(&cl->lock);
	free(cl);
	return ret;
}
