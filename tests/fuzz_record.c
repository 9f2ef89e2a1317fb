// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the record reader of `xdpi compare`, on arbitrary
 * bytes as the record file: jansson's parser, ledger_from_json() (export/
 * ledger_report.c), the totals and the verdict (export/compare_report.c),
 * the heading, ledger table, metric differences and JSON it prints, the
 * same calls cmd/compare.c makes, in the same order.
 *
 * The metrics "sent" are the record's own "metrics_sent" object when there
 * is one (so the fuzzer steers both sides of the comparison), else an
 * empty object.
 *
 * Invariants, checked on every record the reader accepts:
 * - the ledger is closed as ledger_close() would: reading it back from
 *   ledger_to_json() gives the same queues, counters and unexplained
 *   (a round trip through the text, so counters past 2^63 included);
 * - everything printed for the terminal is printable ASCII, newlines
 *   apart (record strings escaped, never an escape sequence);
 * - the JSON report is made (no allocation fails here) and dumps;
 * - a record compared with its own metrics has no difference.
 * UBSan reports signed overflow in the arithmetic on forged counters.
 * Run by tests/t_fuzz.sh and `make fuzz`, seeded from tests/fuzz-corpus/
 * record and the records the build writes (tests/tests.mk).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture/ledger.h"
#include "export/compare_report.h"
#include "capture/ledger_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_record: invariant broken: %s\n", what);
	abort();
}

static void check_printable(const char *text, size_t len, const char *what)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e)) {
			fprintf(stderr, "fuzz_record: byte 0x%02x at %zu of the %s\n", c, i, what);
			abort();
		}
	}
}

static void check_round_trip(const struct ledger *l)
{
	json_t *o = ledger_to_json(l), *back;
	struct ledger l2;
	char *text;

	if (!o || !(text = json_dumps(o, JSON_COMPACT)))
		fail("ledger_to_json or its text failed");
	back = json_loads(text, 0, NULL);
	if (!back || ledger_from_json(back, &l2))
		fail("the ledger written does not read back");
	if (l2.count != l->count || l2.unexplained != l->unexplained)
		fail("the ledger read back has other queues or another total");
	for (int i = 0; i < l->count; i++) {
		const struct ledger_queue *a = &l->q[i], *b = &l2.q[i];

		if (a->queue != b->queue || a->has_socket != b->has_socket ||
		    memcmp(&a->xdp, &b->xdp, sizeof(a->xdp)) ||
		    memcmp(&a->sock, &b->sock, sizeof(a->sock)) || a->inspected != b->inspected ||
		    a->unexplained != b->unexplained || a->iface.count != b->iface.count)
			fail("a queue read back differs");
	}
	ledger_free(&l2);
	json_decref(back);
	free(text);
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compare_report r = {.record = "fuzz.json", .pcap = "sent.pcap"};
	struct ledger l;
	json_t *sent, *obj;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	r.rec = json_loadb((const char *)data, size, 0, NULL);
	if (!r.rec)
		return 0;
	if (ledger_from_json(json_object_get(r.rec, "ledger"), &l)) {
		json_decref(r.rec);
		return 0;
	}
	r.ledger = &l;
	check_round_trip(&l);
	/* what `xdpi compare` refuses goes no further */
	if (compare_report_totals(&r) || !ledger_sums_fit(&l)) {
		ledger_free(&l);
		json_decref(r.rec);
		return 0;
	}

	sent = json_object_get(r.rec, "metrics_sent");
	sent = json_is_object(sent) ? json_incref(sent) : json_object();
	r.pcap_frames = json_object_size(sent);
	r.diffs = compare_diffs(r.rec, sent);
	if (!r.diffs)
		fail("compare_diffs failed");
	r.metrics = compare_report_verdict(&r);
	{
		json_t *self = compare_diffs(sent, sent);

		if (!self || json_object_size(self))
			fail("metrics differ from themselves");
		json_decref(self);
	}

	out = open_memstream(&text, &len);
	if (!out)
		abort();
	compare_heading_print(out, &r);
	compare_metrics_print(out, &r);
	fclose(out);
	check_printable(text, len, "text report");
	free(text);

	obj = compare_report_json(&r, !l.unexplained);
	if (!obj || !(text = json_dumps(obj, JSON_COMPACT)))
		fail("compare_report_json failed");
	free(text);
	json_decref(obj);
	json_decref(sent);
	json_decref(r.diffs);
	ledger_free(&l);
	json_decref(r.rec);
	return 0;
}
