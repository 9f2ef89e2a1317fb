// SPDX-License-Identifier: MIT
#include "conn_log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../inspect/flowrate.h"

/* A queued record: its figures, and the name its peek found (the peek
 * itself is valid only during the hook). */
struct conn_slot {
	struct flow_record r; /* .peek NULL */
	char kind;	      /* 'S' (SNI), 'H' (Host) or 0 */
	char host[PEEK_HOST_LEN];
};

struct conn_log {
	FILE *f;
	bool all;
	bool header_done;
	pthread_mutex_t lock; /* direct: the writers; queued: the producers */
	/* Queued: a single-consumer ring. tail is the producers' (under
	 * lock), head the consumer's; each published with release and read
	 * with acquire, so a slot is whole before the other side reads it. */
	struct conn_slot *ring;
	uint32_t mask;
	uint64_t head, tail;
	uint64_t refused; /* atomic: records the full ring turned away */
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

static void conn_log_header(struct conn_log *cl)
{
	cl->header_done = true;
	if (cl->all)
		fprintf(cl->f, "start duration proto src sport dst dport state packets_toserver "
			       "bytes_toserver packets_toclient bytes_toclient rtt_ms name\n");
	else
		fprintf(cl->f, "%-8s %7s %-33s %-4s %5s %5s %5s %5s\n", "start", "dur",
			"source > destination", "prot", "pkt>", "byte>", "<pkt", "<byte");
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
	conn_log_header(cl);
	*out = cl;
	return 0;
}

int conn_log_open_queued(struct conn_log **out, FILE *f, bool all_columns, uint32_t slots)
{
	struct conn_log *cl;

	*out = NULL;
	if (slots < 2 || (slots & (slots - 1)))
		return -EINVAL;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	/* calloc: pages are touched only as the ring first fills them. */
	cl->ring = calloc(slots, sizeof(*cl->ring));
	if (!cl->ring) {
		free(cl);
		return -ENOMEM;
	}
	cl->f = f;
	cl->all = all_columns;
	cl->mask = slots - 1;
	pthread_mutex_init(&cl->lock, NULL);
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

/* The name the connection's peek found: SNI or Host; NULL without. */
static const char *conn_name(const struct flow_record *r, char *kind)
{
	if (r->peek && r->peek->kind == PEEK_TLS && r->peek->tls_sni[0]) {
		*kind = 'S';
		return r->peek->tls_sni;
	}
	if (r->peek && r->peek->kind == PEEK_HTTP && r->peek->http_host[0]) {
		*kind = 'H';
		return r->peek->http_host;
	}
	*kind = 0;
	return NULL;
}

/* One line for @r, whose name is @host (@kind 'S' or 'H'; NULL: none). */
static void conn_log_line(struct conn_log *cl, const struct flow_record *r, char kind,
			  const char *host)
{
	double dur = r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) / 1e9 : 0;
	time_t secs = (time_t)(r->start_ns / 1000000000u);
	char a[64], b[64], ends[160], pb[16], when[40], rtt[24], name[300];
	struct tm tm;

	gmtime_r(&secs, &tm);
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
			snprintf(name, sizeof(name), "%c:%s", kind, host);
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
}

/* Queued: a copy in the next free slot, or counted as refused. Never
 * waits for the consumer: the mutex is the producers' alone (one, the
 * call_rcu thread, live), and nothing here writes or allocates. */
static void conn_log_enqueue(struct conn_log *cl, const struct flow_record *r, char kind,
			     const char *host)
{
	struct conn_slot *s;
	uint64_t tail;

	pthread_mutex_lock(&cl->lock);
	tail = cl->tail;
	if (tail - __atomic_load_n(&cl->head, __ATOMIC_ACQUIRE) > cl->mask) {
		__atomic_fetch_add(&cl->refused, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&cl->lock);
		return;
	}
	s = &cl->ring[tail & cl->mask];
	s->r = *r;
	s->r.peek = NULL;
	s->kind = host ? kind : 0;
	s->host[0] = 0;
	if (host) {
		size_t n = strnlen(host, sizeof(s->host) - 1);

		memcpy(s->host, host, n);
		s->host[n] = 0;
	}
	__atomic_store_n(&cl->tail, tail + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cl->lock);
}

void conn_log_end(struct conn_log *cl, const struct flow_record *r)
{
	char kind;
	const char *host = conn_name(r, &kind);

	if (cl->ring) {
		conn_log_enqueue(cl, r, kind, host);
		return;
	}
	pthread_mutex_lock(&cl->lock);
	conn_log_line(cl, r, kind, host);
	pthread_mutex_unlock(&cl->lock);
}

uint64_t conn_log_drain(struct conn_log *cl)
{
	uint64_t head, tail, n = 0;

	if (!cl || !cl->ring)
		return 0;
	if (!cl->header_done)
		conn_log_header(cl);
	head = cl->head;
	tail = __atomic_load_n(&cl->tail, __ATOMIC_ACQUIRE);
	for (; head != tail; head++, n++) {
		const struct conn_slot *s = &cl->ring[head & cl->mask];

		conn_log_line(cl, &s->r, s->kind, s->kind ? s->host : NULL);
		/* The slot is read: a producer may take it. */
		__atomic_store_n(&cl->head, head + 1, __ATOMIC_RELEASE);
	}
	/* Whole lines, now, whatever stdio would buffer: a reader of the
	 * pipe sees each connection within a tick of its end. */
	fflush(cl->f);
	return n;
}

bool conn_log_failed(const struct conn_log *cl)
{
	return cl && ferror(cl->f);
}

uint64_t conn_log_refused(const struct conn_log *cl)
{
	return cl ? __atomic_load_n(&cl->refused, __ATOMIC_RELAXED) : 0;
}

uint32_t conn_log_slots(const struct conn_log *cl)
{
	return cl && cl->ring ? cl->mask + 1 : 0;
}

int conn_log_close(struct conn_log *cl)
{
	int ret;

	if (!cl)
		return 0;
	conn_log_drain(cl);
	ret = fflush(cl->f) || ferror(cl->f) ? -EIO : 0;
	pthread_mutex_destroy(&cl->lock);
	free(cl->ring);
	free(cl);
	return ret;
}
