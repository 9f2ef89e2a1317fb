// SPDX-License-Identifier: MIT
/*
 * The IPFIX exporter: a bounded queue of flow copies in front of one
 * thread that owns everything libfixbuf (the session, the buffer and the
 * socket), so that libfixbuf, which is not thread-safe, is only ever called
 * from that thread.
 *
 * The buffer runs in manual mode: fBufAppend() says when a message is full
 * (FB_ERROR_EOM), the thread emits it and appends again. That way every
 * message's records are known, and a failed send is counted in records
 * (`unsent`), not only in messages.
 *
 * Internal records are laid out as the templates list their elements,
 * largest first, so that the structs have no padding the templates do not
 * name (paddingOctets closes them to a multiple of 8).
 */
#include "ipfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fixbuf/public.h>

#include "../util/sandbox.h"
#include "ipfix_alert.h"

/* Template ids: any in 256..65535; fixed so that a packet capture of the
 * export reads the same from run to run. */
#define IPFIX_TID_V4 0x2001
#define IPFIX_TID_V6 0x2006

/* RFC 5102 flowEndReason. */
enum {
	IPFIX_END_IDLE = 1,
	IPFIX_END_ACTIVE = 2,
	IPFIX_END_FLOW = 3, /* FIN or RST */
	IPFIX_END_FORCED = 4,
	IPFIX_END_RESOURCES = 5,
};

/* One flow as queued: both directions, the deltas already taken. */
struct ipfix_item {
	uint64_t start_ms, end_ms;
	uint64_t packets[2], bytes[2], ip_bytes[2]; /* [0] to server, [1] to client */
	uint8_t src[16], dst[16];
	uint16_t src_port, dst_port, vlan;
	uint8_t family, proto, tcp_flags, end_reason;
};

/* Both templates in one spec: an entry whose flags are set is only in the
 * template whose flags contain them (libfixbuf's spec flags), so the two
 * differ only in their addresses. */
#define IPFIX_SPEC_V4 1u
#define IPFIX_SPEC_V6 2u
static fbInfoElementSpec_t ipfix_spec[] = {
	{"flowStartMilliseconds", 8, 0},
	{"flowEndMilliseconds", 8, 0},
	{"packetDeltaCount", 8, 0},
	{"octetDeltaCount", 8, 0},
	{"layer2OctetDeltaCount", 8, 0},
	{"sourceIPv4Address", 4, IPFIX_SPEC_V4},
	{"destinationIPv4Address", 4, IPFIX_SPEC_V4},
	{"sourceIPv6Address", 16, IPFIX_SPEC_V6},
	{"destinationIPv6Address", 16, IPFIX_SPEC_V6},
	{"sourceTransportPort", 2, 0},
	{"destinationTransportPort", 2, 0},
	{"vlanId", 2, 0},
	{"tcpControlBits", 1, 0}, /* see ipfix_rec_tail */
	{"protocolIdentifier", 1, 0},
	{"flowEndReason", 1, 0},
	{"paddingOctets", 7, 0},
	FB_IESPEC_NULL,
};

/* A record as fixbuf reads it: the spec's elements in order, packed. The
 * two templates differ only in the addresses between the spec's first
 * five elements (head) and its last seven (tail), so one filler
 * (ipfix_rec_fill) writes both records but for them. */
struct ipfix_rec_head {
	uint64_t start_ms, end_ms, packets, octets, l2_octets;
};

struct ipfix_rec_tail {
	uint16_t src_port, dst_port, vlan;
	/* Reduced-size (RFC 7011 section 6.2): the eight flags xdpi keeps;
	 * nfacctd 1.7 reads one byte of tcpControlBits whatever its length. */
	uint8_t tcp_flags, proto, end_reason;
	uint8_t pad[7];
};

struct ipfix_rec_v4 {
	struct ipfix_rec_head h;
	uint32_t src, dst; /* host order: fixbuf writes ipv4Address from it */
	struct ipfix_rec_tail t;
};

struct ipfix_rec_v6 {
	struct ipfix_rec_head h;
	uint8_t src[16], dst[16];
	struct ipfix_rec_tail t;
};

_Static_assert(sizeof(struct ipfix_rec_v4) == 64, "v4 record matches its template");
_Static_assert(sizeof(struct ipfix_rec_v6) == 88, "v6 record matches its template");
_Static_assert(offsetof(struct ipfix_rec_v4, t) == 48 && offsetof(struct ipfix_rec_v6, t) == 72,
	       "no padding between a record's parts");

struct ipfix_exporter {
	char collector[80];
	char host[64], port[8];
	uint32_t domain;

	fbInfoModel_t *model;
	fBuf_t *fbuf;	      /* owns the session and the exporter */
	uint16_t cur_tid;     /* the template fbuf is set to; 0 none */
	uint64_t msg_records; /* data records in the message being built */
	bool send_failed;     /* set by ipfix_log() during an fBufEmit() */
	guint log_handler;
	/* Messages sent back to back, and when the last one went: see
	 * ipfix_pace(). The exporter thread's. */
	uint32_t burst;
	uint64_t last_emit_ns;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ipfix_item *q; /* ring of IPFIX_QUEUE_RECORDS */
	uint32_t head, len;
	struct ipfix_alert_item *aq; /* ring of IPFIX_ALERT_QUEUE */
	uint32_t a_head, a_len;
	bool stopping;
	bool running;
	pthread_t thread;
	bool sandbox;

	_Atomic uint64_t records, dropped, send_errors, unsent;
};

/* An alert record as queued, ready to send (sink/ipfix_alert.h). */
struct ipfix_alert_item {
	uint16_t tid, len;
	union ipfix_alert_rec rec;
};

/* "A.B.C.D:PORT" or "[V6]:PORT", numeric only: starting never waits for
 * DNS, and fixbuf resolves what it is given. */
static int ipfix_parse_collector(struct ipfix_exporter *x, const char *s)
{
	const char *colon, *h = s;
	size_t hl;
	unsigned char buf[16];
	char *end;
	unsigned long port;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(x->host))
		return -EINVAL;
	memcpy(x->host, h, hl);
	x->host[hl] = '\0';
	if (inet_pton(*s == '[' ? AF_INET6 : AF_INET, x->host, buf) != 1)
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port == 0 || port > 65535)
		return -EINVAL;
	snprintf(x->port, sizeof(x->port), "%lu", port);
	snprintf(x->collector, sizeof(x->collector), "%s", s);
	return 0;
}

static void ipfix_gerr(char *err, size_t err_len, const char *what, GError *gerr)
{
	snprintf(err, err_len, "IPFIX: %s: %s", what, gerr ? gerr->message : "failed");
	g_clear_error(&gerr);
}

/* The spec's entries for @spec_flags, as an internal and as an external
 * template: fixbuf wants one fbTemplate_t each. */
static int ipfix_add_template(struct ipfix_exporter *x, fbSession_t *s, fbInfoElementSpec_t *spec,
			      uint32_t spec_flags, uint16_t tid, char *err, size_t err_len)
{
	GError *gerr = NULL;

	for (int internal = 1; internal >= 0; internal--) {
		fbTemplate_t *t = fbTemplateAlloc(x->model);

		if (!fbTemplateAppendSpecArray(t, spec, spec_flags, &gerr)) {
			fbTemplateFreeUnused(t);
			ipfix_gerr(err, err_len, "template", gerr);
			return -EINVAL;
		}
		if (!fbSessionAddTemplate(s, internal, tid, t, &gerr)) {
			fbTemplateFreeUnused(t);
			ipfix_gerr(err, err_len, "template", gerr);
			return -EINVAL;
		}
	}
	return 0;
}

/* libfixbuf does not fail an fBufEmit() whose UDP send() failed (the
 * ECONNREFUSED of a collector that is down): it logs a glib warning and
 * carries on. Only the exporter thread calls libfixbuf, so a warning during
 * an emit belongs to that emit; the handler marks it failed and keeps the
 * warning off stderr (the summary reports the count). */
static void ipfix_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	struct ipfix_exporter *x = data;

	(void)domain;
	(void)level;
	if (strstr(msg, "UDP send") || strstr(msg, "I/O error"))
		x->send_failed = true;
}

/* Messages sent back to back before a pause: 32 of at most 1,500 bytes
 * fill a quarter of a collector's default UDP receive buffer (208 KiB),
 * which UDP gives no other way to respect. Offline, a read hands every
 * flow still open to the exporter at once at its end: without the pause
 * nfcapd lost a message of such a burst now and then. */
#define IPFIX_BURST_MESSAGES 32
#define IPFIX_BURST_PAUSE_NS 200000

static uint64_t ipfix_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Before a message: a pause after IPFIX_BURST_MESSAGES sent with no pause
 * of that length between them. At most 160,000 messages a second (some
 * two million records): a limit for bursts, not for a steady rate. */
static void ipfix_pace(struct ipfix_exporter *x)
{
	uint64_t now = ipfix_mono_ns();

	if (now - x->last_emit_ns >= IPFIX_BURST_PAUSE_NS)
		x->burst = 0;
	if (++x->burst > IPFIX_BURST_MESSAGES) {
		struct timespec ts = {0, IPFIX_BURST_PAUSE_NS};

		nanosleep(&ts, NULL);
		x->burst = 1;
		now = ipfix_mono_ns();
	}
	x->last_emit_ns = now;
}

static void ipfix_emit(struct ipfix_exporter *x)
{
	GError *gerr = NULL;
	bool ok;

	ipfix_pace(x);
	x->send_failed = false;
	ok = fBufEmit(x->fbuf, &gerr) && !x->send_failed;
	if (ok) {
		atomic_fetch_add_explicit(&x->records, x->msg_records, memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&x->send_errors, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&x->unsent, x->msg_records, memory_order_relaxed);
		g_clear_error(&gerr);
		/* A socket that failed (ECONNREFUSED after an ICMP port
		 * unreachable) is reopened on the next message. */
		fbExporterClose(fBufGetExporter(x->fbuf));
	}
	x->msg_records = 0;
}

/* Template records, into a message of their own. In manual mode fixbuf
 * answers FB_ERROR_EOM when the message under way cannot take them: send
 * it and start again. */
static void ipfix_send_templates(struct ipfix_exporter *x)
{
	GError *gerr = NULL;

	if (x->msg_records)
		ipfix_emit(x);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (fbSessionExportTemplates(fBufGetSession(x->fbuf), &gerr)) {
			ipfix_emit(x);
			return;
		}
		if (!g_error_matches(gerr, FB_ERROR_DOMAIN, FB_ERROR_EOM))
			break;
		g_clear_error(&gerr);
		fBufEmit(x->fbuf, &gerr);
		g_clear_error(&gerr);
	}
	g_clear_error(&gerr);
	atomic_fetch_add_explicit(&x->send_errors, 1, memory_order_relaxed);
}

static void ipfix_append(struct ipfix_exporter *x, uint16_t tid, void *rec, size_t len)
{
	GError *gerr = NULL;

	if (x->cur_tid != tid) {
		if (!fBufSetInternalTemplate(x->fbuf, tid, &gerr) ||
		    !fBufSetExportTemplate(x->fbuf, tid, &gerr)) {
			g_clear_error(&gerr);
			atomic_fetch_add_explicit(&x->unsent, 1, memory_order_relaxed);
			x->cur_tid = 0;
			return;
		}
		x->cur_tid = tid;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (fBufAppend(x->fbuf, rec, len, &gerr)) {
			x->msg_records++;
			return;
		}
		if (!g_error_matches(gerr, FB_ERROR_DOMAIN, FB_ERROR_EOM))
			break;
		/* The message is full: send it, start the next. */
		g_clear_error(&gerr);
		ipfix_emit(x);
	}
	g_clear_error(&gerr);
	atomic_fetch_add_explicit(&x->unsent, 1, memory_order_relaxed);
}

/* The fields both templates share, of direction D (1: to the client, sent
 * by the responder, so its source is the flow's destination). */
static void ipfix_rec_fill(const struct ipfix_item *it, int d, struct ipfix_rec_head *h,
			   struct ipfix_rec_tail *t)
{
	*h = (struct ipfix_rec_head){
		.start_ms = it->start_ms,
		.end_ms = it->end_ms,
		.packets = it->packets[d],
		.octets = it->ip_bytes[d],
		.l2_octets = it->bytes[d],
	};
	*t = (struct ipfix_rec_tail){
		.src_port = d ? it->dst_port : it->src_port,
		.dst_port = d ? it->src_port : it->dst_port,
		.vlan = it->vlan,
		.tcp_flags = it->tcp_flags,
		.proto = it->proto,
		.end_reason = it->end_reason,
	};
}

static void ipfix_export_item(struct ipfix_exporter *x, const struct ipfix_item *it)
{
	for (int d = 0; d < 2; d++) {
		const uint8_t *sa = d ? it->dst : it->src, *da = d ? it->src : it->dst;

		if (!it->packets[d])
			continue;
		if (it->family == 4) {
			struct ipfix_rec_v4 r;

			ipfix_rec_fill(it, d, &r.h, &r.t);
			r.src = ipfix_ipv4_host(sa);
			r.dst = ipfix_ipv4_host(da);
			ipfix_append(x, IPFIX_TID_V4, &r, sizeof(r));
		} else {
			struct ipfix_rec_v6 r;

			ipfix_rec_fill(it, d, &r.h, &r.t);
			memcpy(r.src, sa, 16);
			memcpy(r.dst, da, 16);
			ipfix_append(x, IPFIX_TID_V6, &r, sizeof(r));
		}
	}
}

static uint64_t ipfix_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Takes up to this many items per lock: the hooks wait for the lock at
 * most one copy of a batch. */
#define IPFIX_BATCH 256
#define IPFIX_ALERT_BATCH 16

static void *ipfix_thread(void *arg)
{
	struct ipfix_exporter *x = arg;
	struct ipfix_item *batch = malloc(sizeof(*batch) * IPFIX_BATCH);
	struct ipfix_alert_item *alerts = malloc(sizeof(*alerts) * IPFIX_ALERT_BATCH);
	uint64_t last_templates = ipfix_mono_s();
	bool sent_templates = false;

	pthread_setname_np(pthread_self(), "xdpi-ipfix");
	/* A failure is counted (sandbox_failures()): the run stops; the
	 * records queued meanwhile are never sent, and are counted unsent by
	 * ipfix_exporter_stop(). */
	if (x->sandbox && sandbox_enter(SANDBOX_IPFIX, -1)) {
		free(batch);
		free(alerts);
		return NULL;
	}
	for (;;) {
		uint32_t n = 0, na = 0;
		bool stop;

		pthread_mutex_lock(&x->lock);
		while (!x->len && !x->a_len && !x->stopping) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&x->cond, &x->lock, &until);
			if (!x->len && !x->a_len && sent_templates &&
			    ipfix_mono_s() - last_templates >= IPFIX_TEMPLATE_PERIOD_S)
				break;
		}
		while (batch && n < IPFIX_BATCH && x->len) {
			batch[n++] = x->q[x->head];
			x->head = (x->head + 1) % IPFIX_QUEUE_RECORDS;
			x->len--;
		}
		while (alerts && na < IPFIX_ALERT_BATCH && x->a_len) {
			alerts[na++] = x->aq[x->a_head];
			x->a_head = (x->a_head + 1) % IPFIX_ALERT_QUEUE;
			x->a_len--;
		}
		stop = x->stopping && !x->len && !x->a_len;
		pthread_mutex_unlock(&x->lock);

		/* Templates go first, and again every period while records
		 * (or only time) pass. */
		if (((n || na) && !sent_templates) ||
		    (sent_templates &&
		     ipfix_mono_s() - last_templates >= IPFIX_TEMPLATE_PERIOD_S)) {
			ipfix_send_templates(x);
			last_templates = ipfix_mono_s();
			sent_templates = true;
		}
		for (uint32_t i = 0; i < n; i++)
			ipfix_export_item(x, &batch[i]);
		for (uint32_t i = 0; i < na; i++)
			ipfix_append(x, alerts[i].tid, &alerts[i].rec, alerts[i].len);
		/* Nothing more waiting: send now rather than hold records in a
		 * half-full message. */
		if (x->msg_records) {
			pthread_mutex_lock(&x->lock);
			bool more = x->len > 0 || x->a_len > 0;
			pthread_mutex_unlock(&x->lock);
			if (!more)
				ipfix_emit(x);
		}
		if (stop || !batch || !alerts)
			break;
	}
	if (x->msg_records)
		ipfix_emit(x);
	free(batch);
	free(alerts);
	return NULL;
}

static void ipfix_push(struct ipfix_exporter *x, const struct flow_record *r, uint8_t reason)
{
	struct ipfix_item it = {
		.packets = {r->packets_toserver - r->prev_packets_toserver,
			    r->packets_toclient - r->prev_packets_toclient},
		.bytes = {r->bytes_toserver - r->prev_bytes_toserver,
			  r->bytes_toclient - r->prev_bytes_toclient},
		.ip_bytes = {r->ip_bytes_toserver - r->prev_ip_bytes_toserver,
			     r->ip_bytes_toclient - r->prev_ip_bytes_toclient},
		.src_port = r->src_port,
		.dst_port = r->dst_port,
		.vlan = r->has_vlan ? r->vlan : 0,
		.family = r->family,
		.proto = r->proto,
		.tcp_flags = r->tcp_flags,
		.end_reason = reason,
	};
	/* An interim record covers what happened since the previous one. */
	uint64_t start = r->prev_end_ns ? r->prev_end_ns : r->start_ns;

	uint64_t dirs = (it.packets[0] > 0) + (it.packets[1] > 0);

	if (!dirs)
		return;
	it.start_ms = start / 1000000;
	it.end_ms = r->end_ns / 1000000;
	memcpy(it.src, r->src_addr, 16);
	memcpy(it.dst, r->dst_addr, 16);
	pthread_mutex_lock(&x->lock);
	if (x->len == IPFIX_QUEUE_RECORDS || x->stopping) {
		pthread_mutex_unlock(&x->lock);
		atomic_fetch_add_explicit(&x->dropped, dirs, memory_order_relaxed);
		return;
	}
	x->q[(x->head + x->len) % IPFIX_QUEUE_RECORDS] = it;
	x->len++;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

void ipfix_flow_end(void *ctx, const struct flow_record *r)
{
	static const uint8_t reasons[FLOW_END__MAX] = {
		[FLOW_END_FIN] = IPFIX_END_FLOW,     [FLOW_END_RST] = IPFIX_END_FLOW,
		[FLOW_END_TIMEOUT] = IPFIX_END_IDLE, [FLOW_END_EVICTED] = IPFIX_END_RESOURCES,
		[FLOW_END_EOF] = IPFIX_END_FORCED,   [FLOW_END_REUSE] = IPFIX_END_FLOW,
	};

	ipfix_push(ctx, r,
		   r->end_reason < FLOW_END__MAX ? reasons[r->end_reason] : IPFIX_END_FORCED);
}

void ipfix_flow_active(void *ctx, const struct flow_record *r)
{
	ipfix_push(ctx, r, IPFIX_END_ACTIVE);
}

void ipfix_alert(struct ipfix_exporter *x, const struct detect_alert *a, uint64_t lost)
{
	struct ipfix_alert_item it;

	it.tid = ipfix_alert_fill(&it.rec, &it.len, a, lost);
	pthread_mutex_lock(&x->lock);
	if (x->a_len == IPFIX_ALERT_QUEUE || x->stopping) {
		pthread_mutex_unlock(&x->lock);
		atomic_fetch_add_explicit(&x->dropped, 1, memory_order_relaxed);
		return;
	}
	x->aq[(x->a_head + x->a_len) % IPFIX_ALERT_QUEUE] = it;
	x->a_len++;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

int ipfix_exporter_start(struct ipfix_exporter **out, const struct ipfix_config *cfg, char *err,
			 size_t err_len)
{
	struct ipfix_exporter *x = calloc(1, sizeof(*x));
	fbConnSpec_t spec = {.transport = FB_UDP};
	fbExporter_t *exp;
	fbSession_t *s;
	int ret;

	*out = NULL;
	if (!x) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	if (ipfix_parse_collector(x, cfg->collector)) {
		snprintf(err, err_len,
			 "--ipfix %s: want ADDR:PORT or [ADDR6]:PORT (numeric, port 1-65535)",
			 cfg->collector);
		ret = -EINVAL;
		goto err_free;
	}
	x->domain = cfg->domain;
	x->q = calloc(IPFIX_QUEUE_RECORDS, sizeof(*x->q));
	x->aq = calloc(IPFIX_ALERT_QUEUE, sizeof(*x->aq));
	if (!x->q || !x->aq) {
		snprintf(err, err_len, "out of memory");
		ret = -ENOMEM;
		goto err_free;
	}
	x->model = fbInfoModelAlloc();
	s = fbSessionAlloc(x->model);
	fbSessionSetDomain(s, x->domain);
	ipfix_alert_model_add(x->model);
	ret = ipfix_add_template(x, s, ipfix_spec, IPFIX_SPEC_V4, IPFIX_TID_V4, err, err_len);
	if (!ret)
		ret = ipfix_add_template(x, s, ipfix_spec, IPFIX_SPEC_V6, IPFIX_TID_V6, err,
					 err_len);
	if (!ret)
		ret = ipfix_add_template(x, s, ipfix_alert_spec(), IPFIX_SPEC_V4,
					 IPFIX_TID_ALERT_V4, err, err_len);
	if (!ret)
		ret = ipfix_add_template(x, s, ipfix_alert_spec(), IPFIX_SPEC_V6,
					 IPFIX_TID_ALERT_V6, err, err_len);
	if (ret) {
		fbSessionFree(s);
		goto err_model;
	}
	spec.host = x->host;
	spec.svc = x->port;
	exp = fbExporterAllocNet(&spec);
	x->fbuf = fBufAllocForExport(s, exp);
	x->log_handler =
		g_log_set_handler(NULL, G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, ipfix_log, x);
	/* Manual mode: see the file comment. */
	fBufSetAutomaticMode(x->fbuf, FALSE);
	x->sandbox = cfg->sandbox;
	if (!cfg->deferred) {
		ret = ipfix_exporter_run(x);
		if (ret) {
			snprintf(err, err_len, "cannot start the IPFIX thread: %s", strerror(-ret));
			goto err_fbuf;
		}
	}
	*out = x;
	return 0;

err_fbuf:
	g_log_remove_handler(NULL, x->log_handler);
	fBufFree(x->fbuf);
err_model:
	fbInfoModelFree(x->model);
err_free:
	free(x->q);
	free(x->aq);
	pthread_cond_destroy(&x->cond);
	pthread_mutex_destroy(&x->lock);
	free(x);
	return ret;
}

int ipfix_exporter_run(struct ipfix_exporter *x)
{
	sigset_t all, old;
	int ret;

	/* Signals are the controlling thread's to take. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&x->thread, NULL, ipfix_thread, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ret)
		x->running = true;
	return ret;
}

void ipfix_exporter_stop(struct ipfix_exporter *x)
{
	if (!x)
		return;
	pthread_mutex_lock(&x->lock);
	x->stopping = true;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
	if (x->running)
		pthread_join(x->thread, NULL);
	x->running = false;
	/* Left in the queue by a thread that never sent (not started, or
	 * refused its sandbox): counted, not lost. */
	atomic_fetch_add_explicit(&x->unsent, x->len + x->a_len, memory_order_relaxed);
	x->len = 0;
	x->a_len = 0;
}

void ipfix_exporter_stats(struct ipfix_exporter *x, struct ipfix_stats *out)
{
	out->records = atomic_load_explicit(&x->records, memory_order_relaxed);
	out->dropped = atomic_load_explicit(&x->dropped, memory_order_relaxed);
	out->send_errors = atomic_load_explicit(&x->send_errors, memory_order_relaxed);
	out->unsent = atomic_load_explicit(&x->unsent, memory_order_relaxed);
}

const char *ipfix_exporter_collector(const struct ipfix_exporter *x)
{
	return x->collector;
}

void ipfix_exporter_free(struct ipfix_exporter *x)
{
	if (!x)
		return;
	ipfix_exporter_stop(x);
	g_log_remove_handler(NULL, x->log_handler);
	fBufFree(x->fbuf);
	fbInfoModelFree(x->model);
	free(x->q);
	free(x->aq);
	pthread_cond_destroy(&x->cond);
	pthread_mutex_destroy(&x->lock);
	free(x);
}
