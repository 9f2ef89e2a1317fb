/* SPDX-License-Identifier: MIT */
/*
 * detect: SYN floods, port scans, address scans and volumetric attacks,
 * found on the flow table by its maintainer, never per packet
 * (docs/detect.md).
 *
 * The flow table's maintainer hands each record it walks to
 * detect_observe() (a few words: endpoints, state, what the record sent
 * since the last pass, whether its attempt is new or its outcome just
 * known), then calls detect_pass_end(), which rolls the windows and
 * decides the alerts. State lives in one table of DETECT entries fixed at
 * detect_new(): per destination (host, port) for SYN floods, per
 * destination host for volumetric, per (source, destination host) for
 * port scans and per (source, port) for address scans. A full table
 * reuses an idle entry or counts the observation in `untracked`: memory
 * never grows after set-up (detect_bytes_per_entry()).
 *
 * Alerts (start, update, end) go into a bounded queue that another thread
 * drains (detect_drain()); a full queue counts the alert in `dropped`.
 * The maintainer of a live run is sandboxed without write(): it never
 * writes the alerts itself.
 *
 * Concurrency: detect_observe(), detect_pass_end() and detect_finish()
 * from the one maintainer thread; detect_drain(), detect_stats() and
 * detect_set_thresholds() from any thread (a mutex, never held by the
 * maintainer except to move alerts and pick up thresholds, once a pass).
 * Errors: pointer functions return NULL and set errno.
 */
#ifndef XDPI_INSPECT_DETECT_H
#define XDPI_INSPECT_DETECT_H

#include <stdbool.h>
#include <stdint.h>

enum detect_kind {
	DETECT_SYN_FLOOD = 0,
	DETECT_PORT_SCAN,
	DETECT_ADDRESS_SCAN,
	DETECT_VOLUMETRIC,
	DETECT__KINDS,
};

enum detect_state {
	DETECT_START = 0,
	DETECT_UPDATE,
	DETECT_END,
};

/* Thresholds (docs/detect.md gives the reasoning for each default). */
/* The thresholds' defaults (docs/detect.md), read by
 * detect_thresholds_defaults() and by the option table of `xdpi live`
 * (capture/options.c). */
#define DETECT_DEFAULT_WINDOW_S 1
#define DETECT_DEFAULT_HOLD_S 5
#define DETECT_DEFAULT_SYN_RATE 1000
#define DETECT_DEFAULT_SYN_RATIO 0.1
#define DETECT_DEFAULT_SYN_HALF_OPEN 10000
#define DETECT_DEFAULT_SCAN_WINDOW_S 300
#define DETECT_DEFAULT_PORT_SCAN_PORTS 15
#define DETECT_DEFAULT_ADDR_SCAN_HOSTS 25
#define DETECT_DEFAULT_ATTEMPT_TIMEOUT_S 1
#define DETECT_DEFAULT_VOL_PPS 100000
#define DETECT_DEFAULT_VOL_MBPS 1000
#define DETECT_DEFAULT_VOL_FLOWS 10000
#define DETECT_DEFAULT_VOL_DEVIATIONS 6
#define DETECT_DEFAULT_VOL_WARMUP_S 300
#define DETECT_DEFAULT_VOL_MIN_PPS 1000

struct detect_thresholds {
	double window_s;	     /* rate window */
	double hold_s;		     /* an alert ends after this long below its threshold */
	double syn_rate;	     /* new SYNs per second to one (host, port) */
	double syn_ratio;	     /* ... of which at most this share completed */
	uint64_t syn_half_open;	     /* or this many half-open to one (host, port) */
	double scan_window_s;	     /* failed attempts counted over this long */
	uint32_t port_scan_ports;    /* distinct ports of one host, from one source */
	uint32_t addr_scan_hosts;    /* distinct hosts on one port, from one source */
	double attempt_timeout_s;    /* a SYN unanswered this long failed */
	double vol_pps;		     /* packets per second to one host (0: off) */
	double vol_bps;		     /* bits per second to one host (0: off) */
	double vol_flows;	     /* new flows per second to one host (0: off) */
	double vol_deviations;	     /* baseline: mean + this many deviations (0: off) */
	double vol_warmup_s;	     /* a host's baseline alerts only after this long */
	double vol_baseline_min_pps; /* and only above this rate */
};

struct detect_alert;
struct detect_groups; /* detect_groups.h */

struct detect_config {
	struct detect_thresholds th;
	uint32_t max_entries; /* 0: DETECT_MAX_ENTRIES_DEFAULT */
	/* One direction captured: answers may be unseen, said in alerts. */
	bool one_direction;
	/* Offline, where the maintainer may write: each alert handed to
	 * @emit at once, from the maintainer. NULL: queued for
	 * detect_drain(). */
	void (*emit)(void *ctx, const struct detect_alert *a);
	void *emit_ctx;
	/* Host groups (detect_groups.h), copied; NULL: none. */
	const struct detect_groups *groups;
};

/* Entries of each of its two tables: rates (SYN floods, volumetric) and
 * scans. */
#define DETECT_MAX_ENTRIES_DEFAULT 16384u
#define DETECT_QUEUE 1024u
#define DETECT_TOP 5	 /* top sources and ports an alert lists */
#define DETECT_SAMPLES 4 /* sample flow keys an alert carries */
#define DETECT_EXACT 32	 /* distinct ports/hosts a scan lists */

/* A flow key as an alert shows it. */
struct detect_flow_key {
	uint8_t family; /* 4, 6; 0: unused */
	uint8_t proto;
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
};

struct detect_top {
	uint8_t family; /* 4, 6; 0: a port */
	uint8_t addr[16];
	uint16_t port;
	uint64_t count; /* at most count - error of it is certain (space-saving) */
	uint64_t error;
};

struct detect_alert {
	enum detect_kind kind;
	enum detect_state state;
	uint64_t id;	/* the same for every record of one alert */
	uint8_t family; /* of src/dst */
	bool has_src, has_dst, has_port;
	uint8_t src[16], dst[16];     /* IPv4 in the first 4 bytes */
	uint16_t port;		      /* the destination port (SYN flood, address scan) */
	uint64_t start_ns, now_ns;    /* alert start; this record's time (capture time) */
	uint64_t window_start_ns;     /* the window the figures cover */
	double rate;		      /* per second: SYNs, packets; scans: attempts */
	double bps, flows_per_s;      /* volumetric */
	double baseline_pps;	      /* volumetric by baseline; 0: by threshold */
	uint64_t half_open;	      /* SYN flood */
	uint64_t attempts, completed; /* SYN flood: new SYNs and handshakes in the window */
	uint64_t distinct;	      /* scans: ports or hosts (>= when above DETECT_EXACT) */
	uint32_t threshold_distinct;
	bool answers_unseen; /* one-direction capture */
	bool by_baseline;
	char group[32]; /* the host group whose thresholds applied; "": none */
	uint8_t proto;	/* scans: 6 TCP, 17 UDP; others 6 */
	struct detect_top top_src[DETECT_TOP], top_port[DETECT_TOP];
	uint8_t n_top_src, n_top_port;
	struct detect_flow_key samples[DETECT_SAMPLES];
	uint8_t n_samples;
};

/* What the maintainer knows of one record at one pass. */
struct detect_obs {
	uint8_t family, proto;
	const uint8_t *src, *dst; /* initiator, responder; 4 or 16 bytes */
	uint16_t sport, dport;
	bool syn;		       /* the handshake began with the initiator's SYN */
	bool new_attempt;	       /* the first pass that sees this record */
	bool half_open;		       /* SYN (and SYN-ACK) without the final ACK */
	bool established;	       /* the handshake completed */
	bool reset;		       /* an RST ended the handshake */
	bool outcome_done;	       /* detect_observe() took its outcome before */
	bool ending;		       /* the record leaves the table */
	bool answered;		       /* the responder sent a packet (UDP) */
	uint64_t age_ns;	       /* since its first packet */
	uint64_t pk_to_dst, by_to_dst; /* sent by the initiator since the last pass */
};

struct detect_stats {
	uint64_t alerts[DETECT__KINDS]; /* started */
	uint64_t active[DETECT__KINDS]; /* alerting now */
	uint64_t untracked;		/* observations the full table could not keep */
	uint64_t dropped;		/* alert records the full queue lost */
	uint64_t entries, max_entries;
};

struct detect;

void detect_thresholds_defaults(struct detect_thresholds *th);
/* 0 or -EINVAL (a threshold out of range). */
int detect_thresholds_check(const struct detect_thresholds *th);
/* Bytes a table entry takes; the table takes max_entries times this,
 * plus a fixed part (the queue, the evidence of alerts). */
uint64_t detect_bytes_per_entry(void);

struct detect *detect_new(const struct detect_config *cfg);
/* Accepts NULL. */
void detect_free(struct detect *d);

/* The maintainer, per record of a pass, at capture time @now_ns. Returns
 * true when it took the record's outcome (completed, or failed: refused,
 * or unanswered for attempt_timeout_s or to its end): the caller sets
 * outcome_done from then on. */
bool detect_observe(struct detect *d, const struct detect_obs *o, uint64_t now_ns);
/* Whether observing the record of @o again, with no packet sent either
 * way since, would change nothing: its outcome is taken (@outcome_done,
 * as it stands after this observation) or it has none to take, and it is
 * not half-open (the half-open count takes it each pass). The maintainer
 * then skips such a record until it sends again or ends. */
bool detect_quiet(const struct detect *d, const struct detect_obs *o, bool outcome_done);
/* The maintainer, after the pass's records. */
void detect_pass_end(struct detect *d, uint64_t now_ns);
/* Ends every open alert (end of capture). */
void detect_finish(struct detect *d, uint64_t now_ns);

/* Any thread: new thresholds, applied at the next pass. */
void detect_set_thresholds(struct detect *d, const struct detect_thresholds *th);
/* Any thread: new host groups (copied; NULL: none), applied at the next
 * pass, every tracked destination looked up again. 0 or -ENOMEM. */
int detect_set_groups(struct detect *d, const struct detect_groups *gs);
/* Any thread: hands each queued alert to @fn, oldest first. Returns how many. */
unsigned detect_drain(struct detect *d, void (*fn)(void *ctx, const struct detect_alert *a),
		      void *ctx);
void detect_stats(struct detect *d, struct detect_stats *out);

const char *detect_kind_name(enum detect_kind k);
const char *detect_state_name(enum detect_state s);

#endif /* XDPI_INSPECT_DETECT_H */
