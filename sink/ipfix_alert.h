/* SPDX-License-Identifier: MIT */
/*
 * Alert records of the detection stage (inspect/detect.h) as IPFIX data
 * records, on two templates of their own (IPv4, IPv6) beside the flow
 * templates of export/ipfix.c: standard elements where IANA has one with
 * the same meaning (addresses, port, protocol, the window as a monitoring
 * interval), enterprise-specific elements otherwise (docs/exporting.md
 * lists both).
 *
 * This file knows the records and their templates; export/ipfix.c queues
 * and sends them (ipfix_alert()). Pure functions, any thread.
 */
#ifndef XDPI_EXPORT_IPFIX_ALERT_H
#define XDPI_EXPORT_IPFIX_ALERT_H

#include <stdint.h>

#include "../inspect/detect.h"

/* xdpi has no private enterprise number of its own: 32473 is the one
 * RFC 5612 reserves for documentation and examples, so that no
 * registered vendor's elements are ever misread as xdpi's. */
#define IPFIX_ALERT_PEN 32473u
#define IPFIX_TID_ALERT_V4 0x2011
#define IPFIX_TID_ALERT_V6 0x2016

/* xdpiAlertFlags */
#define IPFIX_ALERT_F_SRC 0x01		/* the source address is the alert's */
#define IPFIX_ALERT_F_DST 0x02		/* the destination address is */
#define IPFIX_ALERT_F_PORT 0x04		/* the destination port is */
#define IPFIX_ALERT_F_UNSEEN 0x08	/* answers may be unseen (one direction) */
#define IPFIX_ALERT_F_BASELINE 0x10	/* volumetric, raised by the baseline */
#define IPFIX_ALERT_F_LOST_UNKNOWN 0x20 /* no ledger: frames lost not known */

/* The fields both templates share, in the order they list them. */
#define IPFIX_ALERT_COMMON                                                             \
	uint64_t win_start_ms, now_ms; /* monitoringInterval{Start,End}MilliSeconds */ \
	uint64_t id, start_ms;	       /* xdpiAlertId, xdpiAlertStartMilliseconds */   \
	double rate, bps, flows_per_s, baseline_pps;                                   \
	uint64_t attempts, completed, half_open, distinct, frames_lost

/* The fields both templates share after the addresses. */
struct ipfix_alert_tail {
	uint32_t threshold;
	uint16_t port;
	uint8_t proto, kind, state, flags;
	uint8_t pad[6];
};

struct ipfix_alert_v4 {
	IPFIX_ALERT_COMMON;
	uint32_t src, dst; /* host order: fixbuf writes ipv4Address from it */
	struct ipfix_alert_tail t;
};

struct ipfix_alert_v6 {
	IPFIX_ALERT_COMMON;
	uint8_t src[16], dst[16];
	struct ipfix_alert_tail t;
};

union ipfix_alert_rec {
	struct ipfix_alert_v4 v4;
	struct ipfix_alert_v6 v6;
};

/* Fills @r from @a, @lost the frames the ledger counted lost in its window
 * (ALERT_LOST_UNKNOWN: not known). Returns the template id to send it on;
 * *len its size. */
uint16_t ipfix_alert_fill(union ipfix_alert_rec *r, uint16_t *len, const struct detect_alert *a,
			  uint64_t lost);

/* libfixbuf's types (fbInfoModel_t, fbInfoElementSpec_t), for
 * export/ipfix.c only. */
struct fbInfoModel_st;
struct fbInfoElementSpec_st;

/* Adds the enterprise-specific elements to @model. */
void ipfix_alert_model_add(struct fbInfoModel_st *model);
/* Both templates in one spec, as export/ipfix.c's flow spec: entries with
 * spec flag 1 are only in the IPv4 template, with 2 only in the IPv6 one. */
struct fbInfoElementSpec_st *ipfix_alert_spec(void);

/* An IPv4 address (network order bytes) as the host-order uint32 fixbuf
 * writes an ipv4Address from; for the flow records too. */
static inline uint32_t ipfix_ipv4_host(const uint8_t *a)
{
	return ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) | ((uint32_t)a[2] << 8) | a[3];
}

/* xdpiAlertKind and xdpiAlertState as sent: enum + 1, so that 0 is never
 * a valid value. */
static inline uint8_t ipfix_alert_kind(enum detect_kind k)
{
	return (uint8_t)(k + 1);
}

static inline uint8_t ipfix_alert_state(enum detect_state s)
{
	return (uint8_t)(s + 1);
}

#endif /* XDPI_EXPORT_IPFIX_ALERT_H */
