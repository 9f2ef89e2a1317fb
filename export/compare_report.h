/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi compare` prints: the record's heading and ledger, the metrics
 * that differ from the traffic read offline, and the verdict; as text or
 * as one JSON object (--json).
 *
 * Errors: json functions return NULL on allocation failure.
 */
#ifndef XDPI_EXPORT_COMPARE_REPORT_H
#define XDPI_EXPORT_COMPARE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "../capture/ledger.h"

/* What the metrics comparison concluded (its JSON "metrics" value). */
enum compare_metrics {
	COMPARE_NOT_RUN = 0, /* no --pcap */
	COMPARE_MATCH,	     /* "match" */
	COMPARE_PARTIAL,     /* "partial_sample": the pcap holds fewer frames than were steered */
	COMPARE_LOSS,	     /* "explained_by_loss": differ by what the ledger lost */
	COMPARE_MERGED,	     /* "merged_frames": the pcap holds frames longer than the MTU */
	COMPARE_DIFFER,	     /* "differ" */
};

struct compare_report {
	const char *record; /* the record's file name */
	json_t *rec;	    /* the record */
	const struct ledger *ledger;
	const char *pcap; /* NULL: no --pcap */
	uint64_t pcap_frames, pcap_not_steered;
	json_t *diffs; /* {"key": {"live": v, "sent": w}} */
	enum compare_metrics metrics;
	uint64_t redirected, dropped; /* the ledger's totals */
	uint64_t passed_wanted;	      /* redirect_failed + stopping_passed */
	uint64_t not_redirected;      /* frames of the sample not redirected (verdict) */
	/* Frames of the pcap longer than the run's interface could receive
	 * (its MTU + 22: Ethernet and two VLAN tags): merged by GRO/GSO where
	 * the pcap was taken, never on the wire as such. */
	uint64_t pcap_oversize;
	uint32_t pcap_max_len, frame_limit; /* frame_limit 0: the record has no MTU */
};

/* The metric keys of @offline whose value in @live differs (averages and
 * file-only keys left out), as {"key": {"live": v or null, "sent": w}}. */
json_t *compare_diffs(json_t *live, json_t *offline);
/* r->redirected, r->dropped and r->passed_wanted from r->ledger: 0, or
 * -ERANGE when a sum passes 2^64 - 1 (a forged record: no run counts that
 * many frames; the totals are then not to be used). */
int compare_report_totals(struct compare_report *r);
/*
 * What the differences in r->diffs mean, from the totals, r->pcap_frames
 * and the record's "packets"; sets r->not_redirected.
 *   match      no difference;
 *   partial    the pcap holds fewer frames than the program redirected
 *              (xdpi gen --pcap-max): its counts are of other frames, so
 *              nothing is compared;
 *   loss       the ledger explains them: the sample's frames the program
 *              did not redirect plus those the socket dropped are exactly
 *              the packets missing, and every counter of every differing
 *              metric is at most what was sent;
 *   differ     anything else.
 */
enum compare_metrics compare_report_verdict(struct compare_report *r);
/* "record FILE: interface X, filter F, D s" and the ledger. Strings of
 * the record are printed as printable ASCII, other bytes as \xNN. */
void compare_heading_print(FILE *out, const struct compare_report *r);
/* The differing metrics and the verdict line. */
void compare_metrics_print(FILE *out, const struct compare_report *r);
/* One object: "version", "time", "record", the record's "interface",
 * "filter", "start", "end", "duration_s", the "ledger" and "ledger_closes";
 * with --pcap "pcap", "pcap_frames", "pcap_not_steered", "differences"
 * (empty for a partial sample, whose differing keys are "not_compared"),
 * "metrics" (match, partial_sample, explained_by_loss, differ), with
 * explained_by_loss "lost": {"socket", "not_redirected"}; "ok". */
json_t *compare_report_json(const struct compare_report *r, bool ok);

#endif /* XDPI_EXPORT_COMPARE_REPORT_H */
