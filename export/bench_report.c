// SPDX-License-Identifier: MIT
#include "bench_report.h"

#include <inttypes.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../bench/history.h"
#include "../capture/ledger.h"
#include "../capture/ledger_report.h"
#include "report.h"

/* Above this share of the ceiling's NDR another receiver's NDR is beyond
 * noise, and the ceiling was not one. */
#define BENCH_CEILING_NOISE 1.05
/* Two receivers rank apart only when one's lower bound clears the other's
 * upper bound by this much: less is within what repeated runs on one host
 * move (docs/benchmarks.md, three runs), and a ranking must repeat. */
#define BENCH_RANK_MARGIN BENCH_STEADY_MARGIN

const char *bench_receiver_label(enum bench_receiver r)
{
	static const char *const labels[BENCH__RECEIVERS] = {
		"ceiling (XDP drop)",	"xdpi live (inspect)", "xdpi live --no-inspect",
		"AF_PACKET (libpcap)",	"DPDK testpmd af_xdp", "xdpi live --passive",
		"xdpi live --no-flows", "xdpi live --ipfix",   "xdpi live --no-detect"};

	return (unsigned)r < BENCH__RECEIVERS ? labels[r] : "?";
}

void bench_heading_print(FILE *out, const struct testbed *tb, const struct bench_cfg *cfg,
			 bool search)
{
	const struct gen_opts *g = &cfg->gen;
	unsigned int queues = (unsigned int)tb->queues;
	char size[16], flows[80];

	snprintf(size, sizeof(size), "%u bytes", g->size);
	if (g->src_ips > 1)
		snprintf(flows, sizeof(flows), "%" PRIu64 " distinct 4-tuples (a new flow a frame)",
			 gen_distinct_tuples(g));
	else
		snprintf(flows, sizeof(flows), "%u flow%s", g->flows, g->flows == 1 ? "" : "s");
	fprintf(out,
		"xdpi bench: veth testbed %s <-> %s, %u queue%s; %s frames of %s, %s, "
		"%.0f s per trial, %s; generator on CPU %d, receiver on CPU %d\n",
		tb->gen_ns, tb->dut_ns, queues, queues == 1 ? "" : "s", gen_proto_name(g->proto),
		gen_size_name(g->size) ? gen_size_name(g->size) : size, flows, g->duration,
		search	  ? "full rate, then the NDR/PDR search"
		: g->rate ? "one trial at the given rate"
			  : "one trial at full rate",
		g->cpus[0], cfg->rx_cpus[0]);

	if (tb->mtu)
		fprintf(out, "MTU %u on both veth ends\n", tb->mtu);
}

double bench_cpu_ns_per_frame(const struct bench_result *b)
{
	return b->rx_cpu_ns && b->received ? (double)b->rx_cpu_ns / (double)b->received : 0;
}

/* What a lossy trial's loss coincided with: the causes the loss monitor
 * laid the drops at, the longest gap, the host's steal. */
static void trial_evidence(const struct bench_result *b, char *buf, size_t len)
{
	size_t off = 0;

	*buf = 0;
	if (b->has_causes)
		off += (size_t)snprintf(buf, len,
					"fill empty: running %" PRIu64 ", asleep %" PRIu64
					", off CPU %" PRIu64 "; longest gap %.1f ms",
					b->fill_empty[LOSS_RUNNING], b->fill_empty[LOSS_ASLEEP],
					b->fill_empty[LOSS_OFF_CPU],
					(double)b->longest_gap_ns / 1e6);
	if (b->rx_steal_s > 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%ssteal %.0f ms", off ? "; " : "",
					b->rx_steal_s * 1e3);
	if (b->sent_by_host && off < len)
		snprintf(buf + off, len - off, "%s%" PRIu64 " frames the host sent, inspected too",
			 off ? "; " : "", b->sent_by_host);
}

/* Flushed: a search takes minutes, and this is its progress. */
void bench_trial_print(FILE *out, enum bench_receiver r, const struct bench_result *b,
		       const struct ndr_trial *t, bool stalled)
{
	char ev[224];

	fprintf(out, "  %-22s %-9s %9s %8.3f Mpps offered, loss %7.4f%%%s%s",
		bench_receiver_label(r), b->placement, b->requested_pps ? "" : "full rate",
		t->achieved_pps / 1e6, 100 * t->loss,
		t->valid ? "" : "  (generator short: invalid)", stalled ? "  STALL" : "");
	trial_evidence(b, ev, sizeof(ev));
	if ((t->loss > 0 || b->sent_by_host) && *ev)
		fprintf(out, "\n  %-22s   (%s)", "", ev);
	fputc('\n', out);
	fflush(out);
}

void bench_placement_trial_print(FILE *out, enum bench_receiver r, const struct bench_result *b)
{
	fprintf(out, "  %-22s %-9s full rate %8.3f Mpps received (placement trial)\n",
		bench_receiver_label(r), b->placement, b->recv_pps / 1e6);
}

json_t *bench_trial_json(enum bench_receiver r, const struct bench_result *b,
			 const struct ndr_trial *t, bool stalled)
{
	json_t *o = json_pack(
		"{s:s, s:s, s:f, s:f, s:f, s:I, s:I, s:f, s:b, s:I, s:I, s:I, s:b, "
		"s:f, s:I, s:f}",
		"receiver", bench_receiver_name(r), "placement", b->placement, "requested_pps",
		t->requested_pps, "duration_s", t->duration_s, "achieved_pps", t->achieved_pps,
		"sent", (json_int_t)t->sent, "received", (json_int_t)t->received, "loss", t->loss,
		"valid", t->valid, "fell_behind", (json_int_t)b->fell_behind, "veth_refused",
		(json_int_t)b->veth_refused, "unexplained", (json_int_t)b->unexplained, "stalled",
		stalled, "rx_steal_s", b->rx_steal_s, "rx_cpu_ns", (json_int_t)b->rx_cpu_ns,
		"cpu_ns_per_frame", bench_cpu_ns_per_frame(b));

	if (o && b->sent_by_host)
		json_object_set_new(o, "sent_by_host", json_integer((json_int_t)b->sent_by_host));
	if (o && b->has_causes) {
		json_object_set_new(o, "fill_empty_causes",
				    json_pack("{s:I, s:I, s:I}", "running",
					      (json_int_t)b->fill_empty[LOSS_RUNNING], "asleep",
					      (json_int_t)b->fill_empty[LOSS_ASLEEP], "off_cpu",
					      (json_int_t)b->fill_empty[LOSS_OFF_CPU]));
		json_object_set_new(o, "worker",
				    json_pack("{s:I, s:I, s:I, s:I}", "run_delay_ns",
					      (json_int_t)b->run_delay_ns, "nivcsw",
					      (json_int_t)b->nivcsw, "longest_gap_ns",
					      (json_int_t)b->longest_gap_ns, "gaps",
					      (json_int_t)b->gaps));
	}
	return o;
}

/* The ceiling is only one if nothing beats it by more than noise. */
static bool bench_ceiling_valid(const struct bench_rx *rx)
{
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (r != BENCH_CEILING && rx[r].ran && rx[BENCH_CEILING].ran &&
		    rx[r].ndr.ndr_pps > BENCH_CEILING_NOISE * rx[BENCH_CEILING].ndr.ndr_pps)
			return false;
	return true;
}

static void bench_table_row(FILE *out, enum bench_receiver r, const struct bench_rx *b,
			    const struct bench_rx *ceil, bool search, double frame_bytes)
{
	char ndr[16] = "", pdr[16] = "", ratio[16] = "", cpu[16] = "-";
	double ns = bench_cpu_ns_per_frame(&b->full);

	if (search) {
		snprintf(ndr, sizeof(ndr), "%.3f%s", b->ndr.ndr_pps / 1e6,
			 b->ndr.gen_limited			? "*"
			 : b->ndr.goal[NDR_GOAL_NDR].unresolved ? "?"
								: "");
		snprintf(pdr, sizeof(pdr), "%.3f%s", b->ndr.pdr_pps / 1e6,
			 b->ndr.goal[NDR_GOAL_PDR].unresolved ? "?" : "");
		if (ceil->ran && ceil->ndr.ndr_pps > 0)
			snprintf(ratio, sizeof(ratio), "%.3f", b->ndr.ndr_pps / ceil->ndr.ndr_pps);
	}
	if (ns > 0)
		snprintf(cpu, sizeof(cpu), "%.0f", ns);
	fprintf(out, "%-23s %8s %8s %6s %6s | %8.3f %7.2f %6.2f%%  %s\n", bench_receiver_label(r),
		ndr, pdr, ratio, cpu, b->full.recv_pps / 1e6,
		b->full.recv_pps * frame_bytes * 8 / 1e9, 100 * b->ndr.full.loss, b->placement);
}

/* Whether the search told @hi's NDR above @lo's: @hi's lower bound is
 * above @lo's upper bound. A receiver that lost nothing at the generator's
 * full rate has none; then the most it was offered stands for it. On veth
 * the receive path runs on the generator's CPU, so that offer is as far as
 * this receiver lets the testbed go (docs/bench.md, "The verdict"). */
static double bench_most_offered(const struct bench_rx *b)
{
	double most = 0;

	for (int i = 0; i < b->ndr.trials && i < NDR_MAX_TRIALS; i++)
		if (b->ndr.trial[i].achieved_pps > most)
			most = b->ndr.trial[i].achieved_pps;
	return most;
}

double bench_ndr_upper(const struct bench_rx *b)
{
	const struct ndr_goal_result *g = &b->ndr.goal[NDR_GOAL_NDR];

	return g->upper_load > 0 ? g->upper_load : bench_most_offered(b);
}

static bool bench_ndr_above(const struct bench_rx *hi, const struct bench_rx *lo)
{
	double lo_upper = bench_ndr_upper(lo);

	return lo_upper > 0 &&
	       hi->ndr.goal[NDR_GOAL_NDR].lower_load >= lo_upper * (1 + BENCH_RANK_MARGIN);
}

void bench_verdict(const struct bench_rx *rx, struct bench_verdict *v)
{
	int n = 0;

	memset(v, 0, sizeof(*v));
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		const struct bench_rx *b = &rx[r];

		if (!b->ran || r == BENCH_CEILING)
			continue;
		v->order[n++] = r;
		/* A quarter of the trials decided by stalls, or a stall in a
		 * search that did not reach its width: no figure of this run
		 * can be trusted to repeat. */
		if (b->stalled_trials * 4 > b->ndr.trials ||
		    (b->stalled_trials && (b->ndr.goal[NDR_GOAL_NDR].unresolved ||
					   b->ndr.goal[NDR_GOAL_PDR].unresolved))) {
			v->noisy = true;
			v->stalled_trials += b->stalled_trials;
			v->trials += b->ndr.trials;
		}
	}
	/* By NDR, highest first (insertion sort: a handful of receivers). */
	for (int i = 1; i < n; i++)
		for (int j = i;
		     j > 0 && rx[v->order[j]].ndr.ndr_pps > rx[v->order[j - 1]].ndr.ndr_pps; j--) {
			int t = v->order[j];

			v->order[j] = v->order[j - 1];
			v->order[j - 1] = t;
		}
	/* A new rank only below what every receiver of the rank above is
	 * told apart from. */
	for (int i = 0, first = 0; i < n; i++) {
		bool apart = i > 0;

		for (int k = first; apart && k < i; k++)
			apart = bench_ndr_above(&rx[v->order[k]], &rx[v->order[i]]);
		if (apart)
			first = i;
		v->rank[i] = i && !apart ? v->rank[i - 1] : i + 1;
	}
	v->count = n;
}

void bench_table_print(FILE *out, const struct bench_rx *rx, bool search, double frame_bytes)
{
	struct bench_verdict v;

	fprintf(out, "\n%-23s %8s %8s %6s %6s | %8s %7s %7s  %s\n", "receiver", search ? "NDR" : "",
		search ? "PDR" : "", search ? "/ceil" : "", "cpu ns", "full rate: recv", "", "loss",
		"placement");
	fprintf(out, "%-23s %8s %8s %6s %6s | %8s %7s\n", "", search ? "Mpps" : "",
		search ? "Mpps" : "", "", "/frame", "Mpps", "Gbit/s");
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (rx[r].ran)
			bench_table_row(out, r, &rx[r], &rx[BENCH_CEILING], search, frame_bytes);
	if (search)
		fprintf(out, "NDR and PDR: MLRsearch's conditional throughput (loss 0 and 0.5%%)\n"
			     "* the generator could not offer more with this receiver: its NDR "
			     "may be higher\n"
			     "? the search's budget ran out before its width: a wider interval\n");
	fprintf(out, "cpu ns/frame: xdpi's workers' CPU time, the others' process CPU time, "
		     "over the frames received at full rate (the kernel's share runs on the "
		     "sender's CPU)\n");
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (rx[r].ran && rx[r].full.veth_refused)
			fprintf(out,
				"%s: %" PRIu64 " frames at full rate were refused by the veth "
				"ring before any XDP program saw them\n",
				bench_receiver_label(r), rx[r].full.veth_refused);
	if (search && !bench_ceiling_valid(rx))
		fprintf(out, "the ceiling is invalid: a receiver's NDR beats it by more than "
			     "noise (5%%)\n");
	if (!search)
		return;
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (rx[r].ran && rx[r].stalled_trials)
			fprintf(out, "stalls: %s lost frames to a stall in %d of %d trials\n",
				bench_receiver_label(r), rx[r].stalled_trials, rx[r].ndr.trials);
	bench_verdict(rx, &v);
	if (v.noisy) {
		fprintf(out,
			"no ranking: this host was too noisy to back one (stalls decided %d of "
			"%d trials of the receivers above; run again on a quieter machine)\n",
			v.stalled_trials, v.trials);
		return;
	}
	fprintf(out, "ranking by NDR (one rank where the search's bounds do not set them "
		     "15%% apart):\n");
	for (int i = 0; i < v.count; i++)
		fprintf(out, "  %d. %s\n", v.rank[i], bench_receiver_label(v.order[i]));
}

void bench_ledger_print(FILE *out, const struct bench_rx *rx)
{
	if (!rx[BENCH_INSPECT].ran || !rx[BENCH_INSPECT].full.ledger.count)
		return;
	fprintf(out, "\nLedger of xdpi live (full inspection), full-rate trial:");
	ledger_print(out, &rx[BENCH_INSPECT].full.ledger);
}

/* A per-receiver entry of the record; NULL: none for this receiver. */
typedef json_t *(*rx_json_fn)(enum bench_receiver r, const struct bench_rx *rx);

/* An object with an entry per receiver that ran, keyed by its name. */
static json_t *by_receiver(const struct bench_rx *rx, rx_json_fn entry)
{
	json_t *o = json_object();

	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		json_t *v;

		if (!rx[r].ran)
			continue;
		v = entry(r, rx);
		if (v)
			json_object_set_new(o, bench_receiver_name(r), v);
	}
	return o;
}

static json_t *ndr_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	return json_real(rx[r].ndr.ndr_pps);
}

static json_t *pdr_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	return json_real(rx[r].ndr.pdr_pps);
}

static json_t *gen_limited_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	return json_boolean(rx[r].ndr.gen_limited);
}

static json_t *goal_json(const struct bench_rx *b, enum ndr_goal_id g)
{
	const struct ndr_goal_result *res = &b->ndr.goal[g];
	json_t *backing = json_array();

	for (int i = 0; i < res->nbacking; i++)
		json_array_append_new(backing, json_integer(b->trial_base + res->backing[i]));
	return json_pack("{s:f, s:f, s:f, s:o, s:b, s:b}", "conditional_throughput_pps", res->pps,
			 "lower_bound_pps", res->lower_load, "upper_bound_pps", res->upper_load,
			 "backing_trials", backing, "gen_limited", res->gen_limited, "unresolved",
			 res->unresolved);
}

/* The search's bounds and the trials (indexes into "trials") that back
 * each goal's result. */
static json_t *search_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	const struct bench_rx *b = &rx[r];

	return json_pack("{s:o, s:o, s:i, s:f, s:i, s:i}", "ndr", goal_json(b, NDR_GOAL_NDR), "pdr",
			 goal_json(b, NDR_GOAL_PDR), "trials", b->ndr.trials, "trial_seconds",
			 b->ndr.trial_seconds, "lossy_trials", b->lossy_trials, "stalled_trials",
			 b->stalled_trials);
}

static json_t *cpu_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	double ns = bench_cpu_ns_per_frame(&rx[r].full);

	return ns > 0 ? json_real(ns) : NULL;
}

static json_t *verdict_json(const struct bench_rx *rx)
{
	struct bench_verdict v;
	json_t *ranking, *o;

	bench_verdict(rx, &v);
	ranking = v.noisy ? json_null() : json_array();
	for (int i = 0; !v.noisy && i < v.count; i++)
		json_array_append_new(ranking, json_pack("{s:s, s:i}", "receiver",
							 bench_receiver_name(v.order[i]), "rank",
							 v.rank[i]));
	o = json_pack("{s:b, s:o, s:i, s:i}", "noisy", v.noisy, "ranking", ranking,
		      "stalled_trials", v.stalled_trials, "trials", v.trials);
	return o;
}

static json_t *busy_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	return json_real(rx[r].full.rx_busy);
}

static json_t *full_rate_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	const struct bench_rx *b = &rx[r];

	return json_pack("{s:f, s:f, s:f}", "sent_pps", b->ndr.full.achieved_pps, "received_pps",
			 b->full.recv_pps, "loss", b->ndr.full.loss);
}

static json_t *run_entry(enum bench_receiver r, const struct bench_rx *rx)
{
	const struct bench_result *f = &rx[r].full;

	return json_pack("{s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:s, s:I, s:I, s:O}", "sent",
			 (json_int_t)f->sent, "received", (json_int_t)f->received, "veth_refused",
			 (json_int_t)f->veth_refused, "seconds", f->seconds, "recv_pps",
			 f->recv_pps, "rx_busy", f->rx_busy, "gen_busy", f->gen_busy, "placement",
			 f->placement, "unexplained", (json_int_t)f->unexplained, "socket_drops",
			 (json_int_t)f->socket_drops, "receiver",
			 f->receiver_json ? f->receiver_json : json_null());
}

/* The inspecting receiver's NDR over every other receiver's. */
static json_t *ratios_json(const struct bench_rx *rx)
{
	const struct bench_rx *ins = &rx[BENCH_INSPECT];
	json_t *o = json_object();
	char key[32];

	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		if (!rx[r].ran || r == BENCH_INSPECT || !ins->ran || !(rx[r].ndr.ndr_pps > 0))
			continue;
		snprintf(key, sizeof(key), "inspect_vs_%s", bench_receiver_name(r));
		json_object_set_new(o, key, json_real(ins->ndr.ndr_pps / rx[r].ndr.ndr_pps));
	}
	return o;
}

/* "<receiver>_pps" for each receiver that ran, and the offered load of the
 * inspecting run, the one the ratios are about (each run's own is in
 * "runs"), else of the next receiver that ran. */
static void rates_set(json_t *o, const struct bench_rx *rx)
{
	char key[32];

	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		if (!rx[r].ran)
			continue;
		snprintf(key, sizeof(key), "%s_pps", bench_receiver_name(r));
		json_object_set_new(o, key, json_real(rx[r].full.recv_pps));
	}
	for (int r = BENCH_INSPECT, k = 0; k < BENCH__RECEIVERS;
	     k++, r = (r + 1) % BENCH__RECEIVERS)
		if (rx[r].ran) {
			json_object_set_new(o, "sent_pps", json_real(rx[r].full.sent_pps));
			break;
		}
}

json_t *bench_report_json(const struct bench_rx *rx, json_t *trials,
			  const struct bench_run_info *run)
{
	json_t *o = json_object();
	int64_t unexplained = 0;
	char date[64];
	time_t now = time(NULL);

	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (rx[r].ran)
			unexplained += rx[r].unexplained;
	rates_set(o, rx);
	if (run->search) {
		json_object_set_new(o, "ndr_pps", by_receiver(rx, ndr_entry));
		json_object_set_new(o, "pdr_pps", by_receiver(rx, pdr_entry));
		json_object_set_new(o, "gen_limited", by_receiver(rx, gen_limited_entry));
		json_object_set_new(o, "ratios", ratios_json(rx));
		json_object_set_new(o, "ceiling_valid", json_boolean(bench_ceiling_valid(rx)));
		json_object_set_new(o, "search", by_receiver(rx, search_entry));
		json_object_set_new(o, "verdict", verdict_json(rx));
	}
	json_object_set_new(o, "cpu_ns_per_frame", by_receiver(rx, cpu_entry));
	json_object_set_new(o, "full_rate", by_receiver(rx, full_rate_entry));
	json_object_set_new(o, "trials", json_incref(trials));
	json_object_set_new(o, "trial_seconds", json_real(run->trial_s));
	json_object_set_new(o, "unexplained", json_integer(unexplained));
	json_object_set_new(o, "rx_core_busy", by_receiver(rx, busy_entry));
	json_object_set_new(o, "runs", by_receiver(rx, run_entry));
	json_object_set_new(o, "machine", bench_machine_json());
	json_object_set_new(o, "date", json_string(date));
	report_stamp_json(o);
	json_object_set_new(o, "interface", json_string("xdpi-d"));
	json_object_set_new(o, "filter", json_null());
	report_span_json(
		o, &(struct report_span){.start = run->start, .end = run->end, .no_bytes = true});
	json_object_set_new(o, "command", json_string(run->cmdline));
	json_object_set_new(o, "failures", json_integer(run->failures));
	return o;
}

json_t *bench_machine_json(void)
{
	char line[256], model[256] = "unknown";
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	uname(&u);
	return json_pack("{s:s, s:s, s:i}", "kernel", u.release, "cpu_model", model, "cpus",
			 (int)sysconf(_SC_NPROCESSORS_ONLN));
}

void bench_history_run_of(const struct bench_rx *rx, double time, struct bench_hist_run *out)
{
	memset(out, 0, sizeof(*out));
	out->time = time;
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		struct bench_hist_rx *x = &out->rx[r];

		if (!rx[r].ran)
			continue;
		x->ran = true;
		x->ndr = rx[r].ndr.ndr_pps;
		x->pdr = rx[r].ndr.pdr_pps;
		x->ndr_upper = bench_ndr_upper(&rx[r]);
		x->gen_limited = rx[r].ndr.gen_limited;
	}
}

/* "-6%..+43%" of the median, or "±4%" when both sides round alike. */
static void spread_str(char *buf, size_t len, const struct bench_spread *s)
{
	double lo = s->median > 0 ? 100 * (s->min / s->median - 1) : 0,
	       hi = s->median > 0 ? 100 * (s->max / s->median - 1) : 0;

	if (s->median <= 0)
		snprintf(buf, len, "%s", s->max > 0 ? "0 in a run" : "0 in every run");
	else
		snprintf(buf, len, "%+.0f%%..%+.0f%%", lo, hi);
}

void bench_across_print(FILE *out, const struct bench_across *a)
{
	char n1[32], n2[32];

	if (a->runs < 2)
		return;
	fprintf(out,
		"\nacross the last %d runs of this set-up on this host (this one included), "
		"NDR and PDR against their median:\n",
		a->runs);
	fprintf(out, "%-23s %8s %8s %14s %14s  %s\n", "receiver", "NDR med", "PDR med",
		"NDR spread", "PDR spread", "");
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		const struct bench_across_rx *x = &a->rx[r];

		if (!x->present)
			continue;
		spread_str(n1, sizeof(n1), &x->ndr);
		spread_str(n2, sizeof(n2), &x->pdr);
		fprintf(out, "%-23s %8.3f %8.3f %14s %14s  %s\n", bench_receiver_label(r),
			x->ndr.median / 1e6, x->pdr.median / 1e6, n1, n2,
			x->steady ? "steady" : "UNSTEADY");
	}
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (a->rx[r].present && !a->rx[r].steady)
			fprintf(out,
				"unsteady: %s's NDR went from %.3f to %.3f Mpps over these runs, "
				"more than %.0f%% from its median: one run's figure for it does "
				"not repeat on this host\n",
				bench_receiver_label(r), a->rx[r].ndr.min / 1e6,
				a->rx[r].ndr.max / 1e6, 100 * BENCH_STEADY_MARGIN);
	if (a->steady)
		fprintf(out,
			"every receiver's NDR and PDR stayed within %.0f%% of its median over "
			"these runs\n",
			100 * BENCH_STEADY_MARGIN);
	if (a->host_moved) {
		fprintf(out,
			"the ceiling (no receiver's work) moved by more than %.0f%% over these runs, "
			"from %.3f to %.3f Mpps. Where that is the host's own speed, a receiver's "
			"NDR over the ceiling of its own run repeats where the NDR does not:\n",
			100 * BENCH_STEADY_MARGIN,
			a->rx[BENCH_CEILING].ndr.min / 1e6, a->rx[BENCH_CEILING].ndr.max / 1e6);
		for (int r = 0; r < BENCH__RECEIVERS; r++) {
			const struct bench_across_rx *x = &a->rx[r];

			if (r == BENCH_CEILING || !x->ratio_present)
				continue;
			spread_str(n1, sizeof(n1), &x->ratio);
			fprintf(out, "  %-23s %6.3f  %14s  %s\n", bench_receiver_label(r),
				x->ratio.median, n1,
				x->ratio_steady ? "repeats" : "does not repeat");
		}
	}
	fprintf(out,
		"ranking every one of these runs backs (a rank shared unless the "
		"lowest NDR clears the highest upper bound by %.0f%%):\n",
		100 * BENCH_STEADY_MARGIN);
	for (int i = 0; i < a->count; i++)
		fprintf(out, "  %d. %s\n", a->rank[i], bench_receiver_label(a->order[i]));
}

json_t *bench_across_json(const struct bench_across *a)
{
	json_t *rxs = json_object(), *ranking = json_array();

	for (int r = 0; rxs && r < BENCH__RECEIVERS; r++) {
		const struct bench_across_rx *x = &a->rx[r];

		if (x->present)
			json_object_set_new(
				rxs, bench_receiver_name(r),
				json_pack(
					"{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:o}",
					"ndr_median_pps", x->ndr.median, "ndr_min_pps", x->ndr.min,
					"ndr_max_pps", x->ndr.max, "ndr_spread", x->ndr.dev,
					"pdr_median_pps", x->pdr.median, "pdr_min_pps", x->pdr.min,
					"pdr_max_pps", x->pdr.max, "pdr_spread", x->pdr.dev,
					"steady", x->steady, "ndr_over_ceiling",
					x->ratio_present
						? json_pack("{s:f, s:f, s:f, s:f, s:b}", "median",
							    x->ratio.median, "min", x->ratio.min,
							    "max", x->ratio.max, "spread",
							    x->ratio.dev, "steady", x->ratio_steady)
						: json_null()));
	}
	for (int i = 0; ranking && i < a->count; i++)
		json_array_append_new(ranking, json_pack("{s:s, s:i}", "receiver",
							 bench_receiver_name(a->order[i]), "rank",
							 a->rank[i]));
	return json_pack("{s:i, s:b, s:b, s:f, s:o, s:o}", "runs", a->runs, "steady", a->steady,
			 "host_moved", a->host_moved, "margin", BENCH_STEADY_MARGIN, "receivers",
			 rxs ? rxs : json_null(), "ranking", ranking ? ranking : json_null());
}
