// SPDX-License-Identifier: MIT
#include "compare_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../inspect/peek.h"
#include "../capture/ledger_report.h"
#include "report.h"
#include "../util/u64json.h"

static const char *const metrics_names[] = {
	[COMPARE_NOT_RUN] = NULL,
	[COMPARE_MATCH] = "match",
	[COMPARE_PARTIAL] = "partial_sample",
	[COMPARE_LOSS] = "explained_by_loss",
	[COMPARE_MERGED] = "merged_frames",
	[COMPARE_DIFFER] = "differ",
};

/* A string from a record, for the terminal: printable ASCII, every other
 * byte as \xNN (peek_sanitize()), at most @max bytes of it ("..." after a
 * cut); '?' when the record has none. */
static void print_clean(FILE *out, const char *s, size_t max)
{
	char buf[4 * 256 + 1];
	bool cut = false;
	size_t len;

	if (!s) {
		fputc('?', out);
		return;
	}
	len = strnlen(s, max + 1);
	if (len > max) {
		len = max;
		cut = true;
	}
	peek_sanitize(buf, sizeof(buf), (const uint8_t *)s, len, NULL);
	fprintf(out, "%s%s", buf, cut ? "..." : "");
}

/* A value of a record as compact JSON, for the terminal: jansson escapes
 * controls and, with JSON_ENSURE_ASCII, every byte past 0x7f, but leaves
 * DEL, written here as \u007f (found by fuzz_record). @none when there
 * is no value. */
static void print_json_value(FILE *out, json_t *v, const char *none)
{
	/* JSON_ENCODE_ANY: a metric is often a bare number. */
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;

	if (!text) {
		fputs(none, out);
		return;
	}
	for (const char *c = text; *c; c++)
		if (*c == 0x7f)
			fputs("\\u007f", out);
		else
			fputc(*c, out);
	free(text);
}

/* *@sum += @v; false (and *@sum left) when that passes 2^64 - 1. */
static bool add_u64(uint64_t *sum, uint64_t v)
{
	return !__builtin_add_overflow(*sum, v, sum);
}

int compare_report_totals(struct compare_report *r)
{
	const struct ledger *l = r->ledger;
	bool ok = true;

	/* Counters of a forged record may add up past 2^64 - 1: a wrapped
	 * sum would be a small number the verdict believes. */
	r->redirected = r->dropped = r->passed_wanted = 0;
	for (int i = 0; i < l->count; i++) {
		const struct ledger_queue *q = &l->q[i];

		ok = ok && add_u64(&r->redirected, q->xdp.redirected);
		ok = ok && add_u64(&r->dropped, q->sock.rx_dropped);
		ok = ok && add_u64(&r->dropped, q->sock.rx_ring_full);
		ok = ok && add_u64(&r->passed_wanted, q->xdp.redirect_failed);
		ok = ok && add_u64(&r->passed_wanted, q->xdp.stopping_passed);
	}
	return ok ? 0 : -ERANGE;
}

/* A counter of a metric, either spelling (util/u64json.h). */
static bool metric_u64(json_t *v, uint64_t *out)
{
	return !u64_from_json(v, out);
}

/* Whether @live can be what @sent gives once frames are lost: every
 * counter in it at most the one sent (lost frames only take away), the
 * rest equal. Not that they were lost: that their loss is enough. */
static bool diff_within_loss(json_t *live, json_t *sent)
{
	uint64_t a, b;
	const char *k;
	json_t *v;

	if (!live)
		return false;
	if (metric_u64(live, &a) && metric_u64(sent, &b))
		return a <= b;
	if (!json_is_object(sent) || !json_is_object(live))
		return json_equal(live, sent);
	if (json_object_size(live) != json_object_size(sent))
		return false;
	json_object_foreach(sent, k, v)
	{
		if (!diff_within_loss(json_object_get(live, k), v))
			return false;
	}
	return true;
}

enum compare_metrics compare_report_verdict(struct compare_report *r)
{
	uint64_t packets = 0, lost;
	const char *k;
	json_t *d;

	r->not_redirected = 0;
	if (!json_object_size(r->diffs))
		return COMPARE_MATCH;
	/* Frames no wire of the run carried: the sample was taken after GRO
	 * (or before TSO/GSO) merged segments, and it holds fewer, longer
	 * frames than were sent; its counts say nothing about the run. */
	if (r->pcap_oversize)
		return COMPARE_MERGED;
	/* Fewer frames than the program redirected: the sample stops
	 * before the run did (xdpi gen --pcap-max), and its counts are of
	 * other frames than the run's. */
	if (r->pcap_frames < r->redirected)
		return COMPARE_PARTIAL;
	if (u64_from_json(json_object_get(r->rec, "packets"), &packets) ||
	    r->dropped > r->redirected)
		return COMPARE_DIFFER;
	/* The sample's frames the program did not redirect (refused on the
	 * way, passed without a socket or while stopping), and those the
	 * socket dropped: what the ledger says was lost. Every packet
	 * missing must be one of them, and no metric may hold more than
	 * was sent. */
	r->not_redirected = r->pcap_frames - r->redirected;
	lost = r->dropped + r->not_redirected;
	if (!lost || packets > r->pcap_frames || r->pcap_frames - packets != lost)
		return COMPARE_DIFFER;
	json_object_foreach(r->diffs, k, d)
	{
		if (!diff_within_loss(json_object_get(d, "live"), json_object_get(d, "sent")))
			return COMPARE_DIFFER;
	}
	return COMPARE_LOSS;
}

json_t *compare_diffs(json_t *live, json_t *offline)
{
	json_t *diffs = json_object(), *want;
	const char *key;

	if (!diffs)
		return NULL;
	json_object_foreach(offline, key, want)
	{
		json_t *got = json_object_get(live, key);

		/* Averages are derived from two compared integers; the rest
		 * describe the run or the file, not the traffic. */
		if (!strcmp(key, "avg_packet_size") || !strcmp(key, "truncated_file") ||
		    !strcmp(key, "version"))
			continue;
		if (got && json_equal(got, want))
			continue;
		if (json_object_set_new(diffs, key,
					json_pack("{s:O?, s:O}", "live", got, "sent", want))) {
			json_decref(diffs);
			return NULL;
		}
	}
	return diffs;
}

void compare_heading_print(FILE *out, const struct compare_report *r)
{
	fprintf(out, "record ");
	print_clean(out, r->record, 256);
	fprintf(out, ": interface ");
	print_clean(out, json_string_value(json_object_get(r->rec, "interface")), 64);
	fprintf(out, ", filter ");
	print_clean(out, json_string_value(json_object_get(r->rec, "filter")), 256);
	fprintf(out, ", %.1f s\n", json_number_value(json_object_get(r->rec, "duration_s")));
	ledger_print(out, r->ledger);
}

void compare_metrics_print(FILE *out, const struct compare_report *r)
{
	size_t n = json_object_size(r->diffs);
	const char *key, *s = n == 1 ? "" : "s";
	json_t *d;

	fprintf(out, "\nmetrics, live vs. %s read with filter ", r->pcap);
	print_clean(out, json_string_value(json_object_get(r->rec, "filter")), 256);
	fprintf(out, " (%" PRIu64 " frames, %" PRIu64 " not steered):\n", r->pcap_frames,
		r->pcap_not_steered);
	if (r->metrics == COMPARE_MERGED) {
		fprintf(out,
			"merged frames: %" PRIu64 " of the pcap's frames are longer than the run's "
			"interface could receive (its MTU + 22 = %u bytes), up to %u bytes: "
			"the pcap was taken where GRO (or TSO/GSO, on a sending host) had merged "
			"segments into frames that never were on the wire, so it holds fewer, "
			"longer frames than were sent and no metric is compared (only the "
			"ledger is checked). Capture elsewhere (the sender's wire, a mirror "
			"port), or turn the offloads off on the interface the pcap is taken "
			"on: ethtool -K IFACE gro off (and tso off gso off on a sending host)\n",
			r->pcap_oversize, r->frame_limit, r->pcap_max_len);
		return;
	}
	if (r->metrics == COMPARE_PARTIAL) {
		/* Counts of the first N frames against counts of M: any
		 * difference says nothing, so none is listed as one. */
		fprintf(out,
			"partial sample: %" PRIu64 " of %" PRIu64 " frames (the pcap stops "
			"before the run did, as xdpi gen --pcap-max does): the sample is partial, "
			"its counts are of other frames than the run's, so no metric is compared "
			"and only the ledger is checked\n",
			r->pcap_frames, r->redirected);
		return;
	}
	json_object_foreach(r->diffs, key, d)
	{
		char name[4 * 64 + 1];

		/* keys are the metrics' own, but a record's may be anything */
		peek_sanitize(name, sizeof(name), (const uint8_t *)key, strnlen(key, 64), NULL);
		fprintf(out, "  %-18s live ", name);
		print_json_value(out, json_object_get(d, "live"), "(missing)");
		fprintf(out, "\n  %-18s sent ", "");
		print_json_value(out, json_object_get(d, "sent"), "?");
		fputc('\n', out);
	}
	switch (r->metrics) {
	case COMPARE_MATCH:
		fprintf(out, "every metric matches\n");
		break;
	case COMPARE_LOSS:
		fprintf(out,
			"%zu metric%s differ, explained by the ledger: %" PRIu64
			" frames of the sample were lost, %" PRIu64
			" dropped by the socket (rx_dropped + ring_full) and %" PRIu64
			" never redirected (%" PRIu64 " of them passed by the XDP program "
			"without a socket or while stopping, the rest never reached it); "
			"packets is short by exactly that and no metric holds more than "
			"was sent\n",
			n, s, r->dropped + r->not_redirected, r->dropped, r->not_redirected,
			r->passed_wanted < r->not_redirected ? r->passed_wanted
							     : r->not_redirected);
		break;
	default:
		fprintf(out, "%zu metric%s differ\n", n, s);
	}
}

json_t *compare_report_json(const struct compare_report *r, bool ok)
{
	json_t *o = json_object(), *rec = r->rec;
	int err = 0;

	err |= !o || report_stamp_json(o);
	err |= json_object_set_new(o, "record", json_string(r->record));
	err |= json_object_set(o, "interface", json_object_get(rec, "interface") ?: json_null());
	err |= json_object_set(o, "filter", json_object_get(rec, "filter") ?: json_null());
	err |= json_object_set(o, "start", json_object_get(rec, "start") ?: json_null());
	err |= json_object_set(o, "end", json_object_get(rec, "end") ?: json_null());
	err |= json_object_set(o, "duration_s", json_object_get(rec, "duration_s") ?: json_null());
	err |= json_object_set_new(o, "ledger", ledger_to_json(r->ledger));
	err |= json_object_set_new(o, "ledger_closes", json_boolean(!r->ledger->unexplained));
	if (r->pcap) {
		err |= json_object_set_new(o, "pcap", json_string(r->pcap));
		err |= json_object_set_new(o, "pcap_frames", u64_to_json(r->pcap_frames));
		err |= json_object_set_new(o, "pcap_not_steered", u64_to_json(r->pcap_not_steered));
		/* a partial sample's differences are none: listed apart */
		if (r->metrics == COMPARE_PARTIAL || r->metrics == COMPARE_MERGED) {
			json_t *keys = json_array();
			const char *k;
			json_t *d;

			json_object_foreach(r->diffs, k, d)
			{
				err |= json_array_append_new(keys, json_string(k));
			}
			err |= json_object_set_new(o, "differences", json_object());
			err |= json_object_set_new(o, "not_compared", keys);
		} else {
			err |= json_object_set(o, "differences", r->diffs);
		}
		if (r->metrics == COMPARE_MERGED)
			err |= json_object_set_new(o, "merged_frames",
						   json_pack("{s:o, s:I, s:I}", "frames",
							     u64_to_json(r->pcap_oversize),
							     "longest", (json_int_t)r->pcap_max_len,
							     "limit", (json_int_t)r->frame_limit));
		if (r->metrics == COMPARE_LOSS)
			err |= json_object_set_new(
				o, "lost",
				json_pack("{s:o, s:o}", "socket", u64_to_json(r->dropped),
					  "not_redirected", u64_to_json(r->not_redirected)));
		err |= json_object_set_new(o, "metrics", json_string(metrics_names[r->metrics]));
	}
	err |= json_object_set_new(o, "ok", json_boolean(ok));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}
