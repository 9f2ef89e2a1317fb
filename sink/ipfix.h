/* SPDX-License-Identifier: MIT */
/*
 * --ipfix HOST:PORT: flow records to an IPFIX collector (RFC 7011) over
 * UDP, through libfixbuf. One data record per direction that carried
 * packets (uniflow), on one template for IPv4 and one for IPv6 of standard
 * elements only (docs/exporting.md lists them); and the detection's alerts,
 * one data record each, on two templates of their own (ipfix_alert()).
 *
 * The flow table's hooks (ipfix_flow_end(), ipfix_flow_active()) run on the
 * call_rcu thread live and must never wait for a socket: they copy the
 * record into a bounded queue (IPFIX_QUEUE_RECORDS) under a mutex held for
 * the copy only, and one exporter thread drains it into libfixbuf and
 * sends. A full queue drops the record and counts it (`dropped`); a message
 * the socket refuses (a collector that is down answers with ICMP port
 * unreachable, which fails a later send) counts in `send_errors` and its
 * records in `unsent`. Templates go out at start and again every
 * IPFIX_TEMPLATE_PERIOD_S seconds, as RFC 7011 asks of UDP exporters.
 *
 * Concurrency: ipfix_exporter_start(), _stop() and _free() from one
 * thread; the hooks from any thread (several at once); ipfix_exporter_stats()
 * from any thread.
 *
 * Errors: int functions return 0 or a negative errno with a one-line
 * reason in @err.
 */
#ifndef XDPI_EXPORT_IPFIX_H
#define XDPI_EXPORT_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../inspect/detect.h"
#include "../inspect/flows.h"

/* Records the queue holds: about 90 bytes each, 6 MiB in all; at 65536
 * flows ending per second that is a second of slack for a slow socket. */
#define IPFIX_QUEUE_RECORDS 65536
/* RFC 7011 section 10.3.6: resend templates several times per collector
 * template lifetime (nfcapd and nfacctd keep them much longer). */
#define IPFIX_TEMPLATE_PERIOD_S 10
#define IPFIX_ACTIVE_TIMEOUT_DEFAULT_S 60
/* Alert records the queue holds: the detection's own queue
 * (DETECT_QUEUE) drained at once. */
#define IPFIX_ALERT_QUEUE 1024

struct ipfix_config {
	const char *collector; /* "ADDR:PORT", "[ADDR6]:PORT"; numeric */
	uint32_t domain;       /* observationDomainId */
	/* The exporter thread gives up every privilege and enters its seccomp
	 * filter (util/sandbox.h) before it sends. */
	bool sandbox;
	/* The thread is made by ipfix_exporter_run(), not at start: a live run
	 * makes it once set-up has dropped the privileges. */
	bool deferred;
};

struct ipfix_stats {
	uint64_t records;     /* data records (flows, alerts) in messages the socket took */
	uint64_t dropped;     /* data records (directions) the full queue refused */
	uint64_t send_errors; /* messages the socket refused */
	uint64_t unsent;      /* data records in those messages */
};

struct ipfix_exporter;

/* Checks @cfg (-EINVAL: the collector does not parse), builds the session
 * and templates and starts the exporter thread. Nothing is sent until the
 * first record: a collector that is not there is not an error here. */
int ipfix_exporter_start(struct ipfix_exporter **out, const struct ipfix_config *cfg, char *err,
			 size_t err_len);
/* With cfg->deferred: makes the exporter thread. 0 or a negative errno. */
int ipfix_exporter_run(struct ipfix_exporter *x);
/* flow_config hooks, @ctx the exporter: the final record of a flow, and
 * the interim record of an active timeout. Each exports what the record
 * counts beyond what earlier records of the flow reported (prev_*). */
void ipfix_flow_end(void *ctx, const struct flow_record *r);
void ipfix_flow_active(void *ctx, const struct flow_record *r);
/* An alert of the detection as an IPFIX data record on the alert templates
 * (sink/ipfix_alert.h), @lost the frames the ledger counted lost in its
 * window (ALERT_LOST_UNKNOWN: not known). Any thread; never waits for the
 * socket. A full queue drops it and counts it in `dropped`. */
void ipfix_alert(struct ipfix_exporter *x, const struct detect_alert *a, uint64_t lost);
/* Sends what is queued and stops the thread; the hooks must not run any
 * more. Stats stay readable. Accepts NULL. */
void ipfix_exporter_stop(struct ipfix_exporter *x);
void ipfix_exporter_stats(struct ipfix_exporter *x, struct ipfix_stats *out);
const char *ipfix_exporter_collector(const struct ipfix_exporter *x);
/* Stops if needed and frees. Accepts NULL. */
void ipfix_exporter_free(struct ipfix_exporter *x);

#endif /* XDPI_EXPORT_IPFIX_H */
