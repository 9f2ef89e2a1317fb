// SPDX-License-Identifier: MIT
/*
 * The alert templates. As in export/ipfix.c, the internal records list
 * their elements largest first and end in paddingOctets, so that a struct
 * has no padding its template does not name (test_ipfix_alert holds the
 * template's length to the struct's size).
 */
#include "ipfix_alert.h"

#include <stddef.h>
#include <string.h>

#include <fixbuf/public.h>

#include "alert_report.h"

/* Element numbers under IPFIX_ALERT_PEN (docs/exporting.md). Each number
 * keeps its meaning for good: a collector's configuration names them. */
enum {
	IE_ALERT_ID = 1,
	IE_ALERT_START_MS,
	IE_ALERT_RATE,
	IE_ALERT_BPS,
	IE_ALERT_FLOWS_PER_S,
	IE_ALERT_BASELINE_PPS,
	IE_ALERT_ATTEMPTS,
	IE_ALERT_COMPLETED,
	IE_ALERT_HALF_OPEN,
	IE_ALERT_DISTINCT,
	IE_ALERT_FRAMES_LOST,
	IE_ALERT_THRESHOLD,
	IE_ALERT_KIND,
	IE_ALERT_STATE,
	IE_ALERT_FLAGS,
};

#define IE(name, num, len, type, desc) \
	FB_IE_INIT_FULL(name, IPFIX_ALERT_PEN, num, len, FB_IE_F_ENDIAN, 0, 0, type, desc)

static fbInfoElement_t ipfix_alert_elements[] = {
	IE("xdpiAlertId", IE_ALERT_ID, 8, FB_UINT_64, "the same for every record of one alert"),
	IE("xdpiAlertStartMilliseconds", IE_ALERT_START_MS, 8, FB_DT_MILSEC,
	   "when the alert started (capture time)"),
	IE("xdpiAlertRate", IE_ALERT_RATE, 8, FB_FLOAT_64,
	   "per second: SYNs, packets, or failed attempts"),
	IE("xdpiAlertBitsPerSecond", IE_ALERT_BPS, 8, FB_FLOAT_64, "volumetric"),
	IE("xdpiAlertFlowsPerSecond", IE_ALERT_FLOWS_PER_S, 8, FB_FLOAT_64, "volumetric"),
	IE("xdpiAlertBaselinePps", IE_ALERT_BASELINE_PPS, 8, FB_FLOAT_64,
	   "volumetric by baseline: the learned mean; 0 otherwise"),
	IE("xdpiAlertAttempts", IE_ALERT_ATTEMPTS, 8, FB_UINT_64,
	   "SYN flood: new SYNs; scans: failed attempts"),
	IE("xdpiAlertCompleted", IE_ALERT_COMPLETED, 8, FB_UINT_64, "SYN flood: handshakes"),
	IE("xdpiAlertHalfOpen", IE_ALERT_HALF_OPEN, 8, FB_UINT_64, "SYN flood: half-open"),
	IE("xdpiAlertDistinct", IE_ALERT_DISTINCT, 8, FB_UINT_64, "scans: ports or hosts"),
	IE("xdpiAlertFramesLost", IE_ALERT_FRAMES_LOST, 8, FB_UINT_64,
	   "frames the drop ledger counted lost in the window"),
	IE("xdpiAlertThreshold", IE_ALERT_THRESHOLD, 4, FB_UINT_32, "scans: ports or hosts"),
	IE("xdpiAlertKind", IE_ALERT_KIND, 1, FB_UINT_8,
	   "1 syn_flood, 2 port_scan, 3 address_scan, 4 volumetric"),
	IE("xdpiAlertState", IE_ALERT_STATE, 1, FB_UINT_8, "1 start, 2 update, 3 end"),
	IE("xdpiAlertFlags", IE_ALERT_FLAGS, 1, FB_UINT_8, "IPFIX_ALERT_F_*"),
	FB_IE_NULL,
};

static fbInfoElementSpec_t ipfix_alert_spec_arr[] = {
	{"monitoringIntervalStartMilliSeconds", 8, 0},
	{"monitoringIntervalEndMilliSeconds", 8, 0},
	{"xdpiAlertId", 8, 0},
	{"xdpiAlertStartMilliseconds", 8, 0},
	{"xdpiAlertRate", 8, 0},
	{"xdpiAlertBitsPerSecond", 8, 0},
	{"xdpiAlertFlowsPerSecond", 8, 0},
	{"xdpiAlertBaselinePps", 8, 0},
	{"xdpiAlertAttempts", 8, 0},
	{"xdpiAlertCompleted", 8, 0},
	{"xdpiAlertHalfOpen", 8, 0},
	{"xdpiAlertDistinct", 8, 0},
	{"xdpiAlertFramesLost", 8, 0},
	{"sourceIPv4Address", 4, 1},
	{"destinationIPv4Address", 4, 1},
	{"sourceIPv6Address", 16, 2},
	{"destinationIPv6Address", 16, 2},
	{"xdpiAlertThreshold", 4, 0},
	{"destinationTransportPort", 2, 0},
	{"protocolIdentifier", 1, 0},
	{"xdpiAlertKind", 1, 0},
	{"xdpiAlertState", 1, 0},
	{"xdpiAlertFlags", 1, 0},
	{"paddingOctets", 6, 0},
	FB_IESPEC_NULL,
};

_Static_assert(sizeof(struct ipfix_alert_v4) == 128, "v4 alert matches its template");
_Static_assert(sizeof(struct ipfix_alert_v6) == 152, "v6 alert matches its template");
_Static_assert(offsetof(struct ipfix_alert_v4, t) == 112 &&
		       offsetof(struct ipfix_alert_v6, t) == 136,
	       "no padding before an alert's tail");

void ipfix_alert_model_add(struct fbInfoModel_st *model)
{
	fbInfoModelAddElementArray(model, ipfix_alert_elements);
}

struct fbInfoElementSpec_st *ipfix_alert_spec(void)
{
	return ipfix_alert_spec_arr;
}

uint16_t ipfix_alert_fill(union ipfix_alert_rec *r, uint16_t *len, const struct detect_alert *a,
			  uint64_t lost)
{
	/* Both structs begin with the common fields: fill them through v4. */
	struct ipfix_alert_v4 *c = &r->v4;
	uint8_t flags = (a->has_src ? IPFIX_ALERT_F_SRC : 0) |
			(a->has_dst ? IPFIX_ALERT_F_DST : 0) |
			(a->has_port ? IPFIX_ALERT_F_PORT : 0) |
			(a->answers_unseen ? IPFIX_ALERT_F_UNSEEN : 0) |
			(a->by_baseline ? IPFIX_ALERT_F_BASELINE : 0) |
			(lost == ALERT_LOST_UNKNOWN ? IPFIX_ALERT_F_LOST_UNKNOWN : 0);
	struct ipfix_alert_tail *t;
	uint16_t tid;

	memset(r, 0, sizeof(*r));
	c->win_start_ms = a->window_start_ns / 1000000;
	c->now_ms = a->now_ns / 1000000;
	c->id = a->id;
	c->start_ms = a->start_ns / 1000000;
	c->rate = a->rate;
	c->bps = a->bps;
	c->flows_per_s = a->flows_per_s;
	c->baseline_pps = a->by_baseline ? a->baseline_pps : 0;
	c->attempts = a->attempts;
	c->completed = a->completed;
	c->half_open = a->half_open;
	c->distinct = a->distinct;
	c->frames_lost = lost == ALERT_LOST_UNKNOWN ? 0 : lost;
	if (a->family == 6) {
		/* An address the kind does not have stays "::". */
		if (a->has_src)
			memcpy(r->v6.src, a->src, 16);
		if (a->has_dst)
			memcpy(r->v6.dst, a->dst, 16);
		t = &r->v6.t;
		*len = sizeof(r->v6);
		tid = IPFIX_TID_ALERT_V6;
	} else {
		c->src = a->has_src ? ipfix_ipv4_host(a->src) : 0;
		c->dst = a->has_dst ? ipfix_ipv4_host(a->dst) : 0;
		t = &c->t;
		*len = sizeof(*c);
		tid = IPFIX_TID_ALERT_V4;
	}
	t->threshold = a->threshold_distinct;
	t->port = a->has_port ? a->port : 0;
	t->proto = a->proto ? a->proto : 6;
	t->kind = ipfix_alert_kind(a->kind);
	t->state = ipfix_alert_state(a->state);
	t->flags = flags;
	return tid;
}
