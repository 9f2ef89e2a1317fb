/* SPDX-License-Identifier: MIT */
/*
 * The options of a capture run, as `xdpi live` spells them: one table of
 * rows (util/opttab.h) gives their names, types, defaults and help. `xdpi
 * live` parses argv and --config with it; `xdpi live --check-config` and
 * `xdpi tune` show options in effect, or the setting they recommend, as a
 * command line for a person with capture_opts_write(), so no option name
 * is written twice. `xdpi bench` hands its receivers a struct
 * capture_opts, never arguments.
 *
 * The capture layer (capture.h) reads the set-up fields; the output fields
 * (interval, json, record, verbose) belong to the command that drives it.
 *
 * Errors: int functions return 0 (or what they say) or -EINVAL.
 */
#ifndef XDPI_CAPTURE_OPTIONS_H
#define XDPI_CAPTURE_OPTIONS_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/steer.h"
#include "../bpf/xdpi_shared.h"
#include "../inspect/detect.h"
#include "../util/opttab.h"
#include "../xsk/xsk.h"

/* --sender-clock: whose send times --check-seq may compare with ours. */
enum capture_sender_clock {
	CAPTURE_CLOCK_AUTO = 0, /* local on veth (the peer is on this host), else unsynced */
	CAPTURE_CLOCK_LOCAL,	/* the sender runs on this host */
	CAPTURE_CLOCK_SYNCED,	/* another host; CLOCK_REALTIME synchronised (PTP, NTP) */
	CAPTURE_CLOCK_UNSYNCED, /* another host: sequence results only */
};

/* --direction: which frames of the interface are inspected. */
enum capture_direction {
	CAPTURE_DIR_AUTO = 0, /* inout with --passive, in when steering */
	CAPTURE_DIR_IN,	      /* frames received (the XDP hook) */
	CAPTURE_DIR_OUT,      /* frames sent (tc egress; --passive only) */
	CAPTURE_DIR_INOUT,    /* both (--passive only) */
};

/* The options of the flow stage and of the exporters, which `xdpi read`
 * takes too (capture_flow_rows). */
struct capture_flow_opts {
	bool off;		     /* --no-flows: no flow table, no connection metrics */
	bool no_peeks;		     /* --no-peeks: no HTTP/TLS payload peeks */
	uint64_t max_flows;	     /* 0: the default (inspect/flows.h) */
	double timeout;		     /* seconds idle before a flow ends */
	double closed_timeout;	     /* the same after a FIN or RST */
	uint64_t distinct_limit;     /* exact distinct counts up to this (0: default) */
	const char *json_lines;	     /* --json-lines FILE|- */
	const char *prometheus;	     /* --prometheus [ADDR:]PORT */
	const char *ipfix;	     /* --ipfix ADDR:PORT (UDP) */
	double ipfix_active_timeout; /* seconds between records of a long flow */
	uint32_t ipfix_domain;	     /* observationDomainId */
	/* The detection stage (inspect/detect.h, docs/detect.md). */
	bool no_detect;			 /* --no-detect */
	struct detect_thresholds detect; /* --syn-flood-rate ... */
	uint32_t detect_max_entries;	 /* 0: the default */
	const char *on_alert;		 /* --on-alert CMD (sink/alert_hook.h) */
	bool ipfix_alerts;		 /* --ipfix-alerts (sink/ipfix_alert.h) */
	const char *host_groups;	 /* --host-groups (inspect/detect_groups.h) */
};

struct capture_opts {
	const char *ifname;
	const char *filter; /* a keyword or a pcap-filter expression (inspect/filter.h) */
	enum steer_xdp_mode xdp_mode;
	struct xdpi_xsk_opts xsk; /* ifname, queue_id and busy_poll_budget set by the capture */
	uint32_t batch;
	int queues[XDPI_MAX_QUEUES];
	int nqueues; /* 0: all of the interface's */
	int cpus[CPU_SETSIZE];
	int ncpus; /* 0: spread over the allowed CPUs */
	uint32_t idle_spin_us;
	bool inspect;
	bool check_seq;
	enum capture_sender_clock sender_clock;
	bool ceiling; /* count-and-drop in the XDP program, no sockets */
	bool force;   /* replace an XDP program libxdp cannot share */
	/* Passive: copies of the wanted frames through per-queue rings; the
	 * host keeps every frame. */
	bool passive;
	uint32_t snaplen;   /* bytes copied per frame */
	uint32_t ring_size; /* bytes per queue's ring */
	enum capture_direction direction;
	bool takeover; /* steer an interface the host uses (capture/guard.h) */
	/* The longest frame to receive, Ethernet header in, FCS out; 0: the
	 * MTU's (capture/offload.h). Longer than a UMEM frame holds: the
	 * sockets are multi-buffer. */
	uint32_t max_frame;
	bool no_rx_metadata; /* never the XDP program's metadata variant */
	bool no_frame_times; /* date frames by batch, not by the XDP program's clock */
	bool keep_offloads;  /* leave the NIC's VLAN stripping as it is */
	double duration;     /* 0: until a signal */
	/* Least privilege (capture/privdrop.h): the user to become after
	 * set-up (NULL: stay), and the opt-out of every drop. */
	const char *user;
	bool keep_privileges;

	uint64_t count; /* stop once this many frames were taken (0: no limit) */
	struct capture_flow_opts flows;

	/* Output, for the driving command. */
	const char *write; /* -w: the inspected frames as pcapng ("-": stdout) */
	bool quiet;	   /* -q: warnings and errors only, no live table */
	double interval;   /* live table period; 0: off */
	bool json;
	const char *record;
	bool verbose;
	/* --connections: a line per ended connection on stdout while the run
	 * goes on. An output, but its queue is the flow table's sink, so the
	 * capture makes it (capture_conn_log()); -v: every column. */
	bool connections;
};

/* --max-frame's range: a minimal Ethernet frame, and the largest frame
 * the kernel splits into buffers (64 KiB, as an IP datagram). */
#define CAPTURE_MAX_FRAME_MIN 60
#define CAPTURE_MAX_FRAME_MAX 65535

/* The default filter: xdpi's own class of TCP frames (--proto). */
#define CAPTURE_DEFAULT_PROTO "tcp"

/* The option tables (util/opttab.h), the one place an option of a capture
 * run is named, typed and given its default:
 * capture_run_rows: the fields of struct capture_opts outside .flows, in
 * the groups --help shows; capture_flow_rows: struct capture_flow_opts,
 * which `xdpi read` includes too; capture_opt_rows: both, the flow rows at
 * .flows. A command includes them in its own table with its own rows. */
extern const struct opttab_row capture_run_rows[];
extern const struct opttab_row capture_flow_rows[];
extern const struct opttab_row capture_opt_rows[];
/* capture_opt_rows flattened (built once, at the first call from any
 * thread): the config keys, the comparison, the write-back. */
const struct opttab *capture_opttab(void);

/* Fills @o with the defaults `xdpi live` has without options (the rows'),
 * and the socket's other settings with xdpi_xsk_opts_defaults(). */
void capture_opts_defaults(struct capture_opts *o);
/* The flow rows' defaults. */
void capture_flow_opts_defaults(struct capture_flow_opts *f);

/* Applies option @opt (a getopt value of capture_opttab()) with @arg to
 * @o. Returns 1 if @opt is a capture option, 0 if not, -EINVAL for a bad
 * value. */
int capture_opts_parse_opt(struct capture_opts *o, int opt, const char *arg);
struct detect_groups;
/* The host groups of --host-groups on the final thresholds of @f (each
 * group starts from them), in a block the caller frees; *out NULL without
 * --host-groups. 0, or -EINVAL/-ENOMEM with a one-line reason in @err. */
int capture_host_groups(const struct capture_flow_opts *f, struct detect_groups **out, char *err,
			size_t err_len);
/* Why @arg is an invalid value for option @opt of capture_opttab(), into
 * @err (the valid values; --filter: libpcap's message, or a program the
 * XDP program cannot run). Returns 1 if it wrote a reason, else 0. */
int capture_opts_explain(int opt, const char *arg, char *err, size_t err_len);
/* Checks what no single option can: combinations and sizes. 0 or -EINVAL
 * with a reason in @err. */
int capture_opts_check(const struct capture_opts *o, char *err, size_t err_len);

/* Calls @push once per argument that makes `xdpi live` parse back to @o:
 * the options that differ from the defaults, then the interface when set
 * (opttab_write() on capture_opttab()). CAPTURE_WRITE_SIZES writes the
 * batch and ring and frame sizes even at their defaults (a tuning
 * recommendation names every size it chose). */
#define CAPTURE_WRITE_SIZES OPTTAB_USER0
void capture_opts_write(const struct capture_opts *o, unsigned flags,
			void (*push)(void *ctx, const char *arg), void *ctx);

/* "auto"/"zerocopy"/"copy", "auto"/"native"/"skb" and
 * "auto"/"local"/"synced"/"unsynced". */
const char *capture_xsk_mode_name(enum xdpi_xsk_mode m);
const char *capture_xdp_mode_name(enum steer_xdp_mode m);
const char *capture_sender_clock_name(enum capture_sender_clock c);
const char *capture_direction_name(enum capture_direction d);
/* The direction a run with @o inspects: CAPTURE_DIR_AUTO resolved. */
enum capture_direction capture_direction_of(const struct capture_opts *o);

#endif /* XDPI_CAPTURE_OPTIONS_H */
