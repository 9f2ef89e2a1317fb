// SPDX-License-Identifier: MIT
#include "ledger_report.h"
#include "../util/u64json.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* One table drives the JSON keys in both directions, so a counter added to
 * the ledger cannot be written and then forgotten by `xdpi compare`. */
struct ledger_field {
	const char *group;
	const char *name;
	size_t offset;	   /* of a uint64_t inside struct ledger_queue */
	bool since_egress; /* absent from records made before --direction: 0 */
};

#define XDP_FIELD(f)                                            \
	{                                                       \
		"xdp", #f, offsetof(struct ledger_queue, xdp.f) \
	}
#define SOCK_FIELD(f)                                               \
	{                                                           \
		"socket", #f, offsetof(struct ledger_queue, sock.f) \
	}

static const struct ledger_field fields[] = {
	XDP_FIELD(seen),
	XDP_FIELD(seen_bytes),
	XDP_FIELD(passed),
	XDP_FIELD(redirected),
	XDP_FIELD(redirected_bytes),
	XDP_FIELD(redirect_failed),
	XDP_FIELD(dropped),
	XDP_FIELD(stopping_passed),
	XDP_FIELD(copied),
	XDP_FIELD(copy_failed),
	{"xdp", "seen_out", offsetof(struct ledger_queue, xdp.seen_out), true},
	{"xdp", "copied_out", offsetof(struct ledger_queue, xdp.copied_out), true},
	{"xdp", "copy_out_failed", offsetof(struct ledger_queue, xdp.copy_out_failed), true},
	SOCK_FIELD(rx_dropped),
	SOCK_FIELD(rx_invalid_descs),
	SOCK_FIELD(rx_ring_full),
	SOCK_FIELD(rx_fill_ring_empty_descs),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* The loss monitor's figures (capture/losswatch.h): beside the identity,
 * present when the queue had one. */
#define CAUSE_FIELD(f, c)                                                                 \
	{                                                                                 \
		"fill_empty_causes", f, offsetof(struct ledger_queue, loss.fill_empty[c]) \
	}
#define WORKER_FIELD(f)                                             \
	{                                                           \
		"worker", #f, offsetof(struct ledger_queue, loss.f) \
	}

static const struct ledger_field cause_fields[] = {
	CAUSE_FIELD("running", LOSS_RUNNING),
	CAUSE_FIELD("asleep", LOSS_ASLEEP),
	CAUSE_FIELD("off_cpu", LOSS_OFF_CPU),
	WORKER_FIELD(cpu_ns),
	WORKER_FIELD(run_ns),
	WORKER_FIELD(run_delay_ns),
	WORKER_FIELD(timeslices),
	WORKER_FIELD(nvcsw),
	WORKER_FIELD(nivcsw),
	WORKER_FIELD(longest_gap_ns),
	WORKER_FIELD(gaps),
	WORKER_FIELD(sleeps),
	WORKER_FIELD(lossy_intervals),
};

#define NCAUSE_FIELDS (sizeof(cause_fields) / sizeof(cause_fields[0]))

static uint64_t *field_ptr(struct ledger_queue *q, const struct ledger_field *f)
{
	return (uint64_t *)((char *)q + f->offset);
}

/* @a + @b, or UINT64_MAX where that does not fit (*@over set then): a
 * run never counts that far, a forged record may, and no sum shown or
 * compared wraps round to a small number. */
static uint64_t ledger_add(uint64_t a, uint64_t b, bool *over)
{
	uint64_t s;

	if (!__builtin_add_overflow(a, b, &s))
		return s;
	*over = true;
	return UINT64_MAX;
}

/* Frames the kernel got back: not wanted, no socket, or during shutdown. */
static uint64_t ledger_passed(const struct ledger_queue *q, bool *over)
{
	return ledger_add(ledger_add(q->xdp.passed, q->xdp.redirect_failed, over),
			  q->xdp.stopping_passed, over);
}

/* The table's columns: the row's counters, in order. fill_empty is not a
 * column (it is no drop: the socket found its fill ring empty, what the
 * drops' columns then count); a note under the table gives it. */
#define LEDGER_COLS 7
static const char *const ledger_heads[LEDGER_COLS] = {
	"seen", "passed", "redirected", "inspected", "rx_dropped", "ring_full", "unexplained",
};

/* What the queue's socket or ring was given: redirected, or copied in
 * both directions. */
static uint64_t ledger_taken(const struct ledger_queue *q, bool *over)
{
	return ledger_add(ledger_add(q->xdp.redirected, q->xdp.copied, over), q->xdp.copied_out,
			  over);
}

static void ledger_cells(const struct ledger_queue *q, uint64_t passed, char cell[][24])
{
	bool over = false;

	snprintf(cell[0], 24, "%" PRIu64, (uint64_t)q->xdp.seen);
	snprintf(cell[1], 24, "%" PRIu64, passed);
	snprintf(cell[2], 24, "%" PRIu64, ledger_taken(q, &over));
	snprintf(cell[3], 24, "%" PRIu64, q->inspected);
	snprintf(cell[4], 24, "%" PRIu64, (uint64_t)q->sock.rx_dropped);
	snprintf(cell[5], 24, "%" PRIu64, (uint64_t)q->sock.rx_ring_full);
	snprintf(cell[6], 24, "%" PRId64, q->unexplained);
}

static void ledger_widen(const struct ledger_queue *q, uint64_t passed, int *w)
{
	char cell[LEDGER_COLS][24];

	ledger_cells(q, passed, cell);
	for (int c = 0; c < LEDGER_COLS; c++)
		if ((int)strlen(cell[c]) > w[c])
			w[c] = (int)strlen(cell[c]);
}

static void ledger_row(FILE *out, const char *name, const struct ledger_queue *q, uint64_t passed,
		       const int *w)
{
	char cell[LEDGER_COLS][24];

	ledger_cells(q, passed, cell);
	fprintf(out, "%-5s", name);
	for (int c = 0; c < LEDGER_COLS; c++)
		fprintf(out, " %*s", w[c], cell[c]);
	fputc('\n', out);
}

/* The total over the queues, every sum saturated (*@over set if one had
 * to be); unexplained is the sum ledger_close() made. */
static uint64_t ledger_total(const struct ledger *l, struct ledger_queue *total, bool *over)
{
	uint64_t passed = 0;

	memset(total, 0, sizeof(*total));
	for (int i = 0; i < l->count; i++) {
		const struct ledger_queue *q = &l->q[i];
		struct xdpi_queue_stats *x = &total->xdp;
		struct xdp_statistics *k = &total->sock;

		x->seen = ledger_add(x->seen, q->xdp.seen, over);
		passed = ledger_add(passed, ledger_passed(q, over), over);
		x->redirected = ledger_add(x->redirected, q->xdp.redirected, over);
		x->copied = ledger_add(x->copied, q->xdp.copied, over);
		x->copy_failed = ledger_add(x->copy_failed, q->xdp.copy_failed, over);
		x->seen_out = ledger_add(x->seen_out, q->xdp.seen_out, over);
		x->copied_out = ledger_add(x->copied_out, q->xdp.copied_out, over);
		x->copy_out_failed = ledger_add(x->copy_out_failed, q->xdp.copy_out_failed, over);
		total->inspected_out = ledger_add(total->inspected_out, q->inspected_out, over);
		total->inspected = ledger_add(total->inspected, q->inspected, over);
		k->rx_dropped = ledger_add(k->rx_dropped, q->sock.rx_dropped, over);
		k->rx_ring_full = ledger_add(k->rx_ring_full, q->sock.rx_ring_full, over);
		k->rx_fill_ring_empty_descs = ledger_add(k->rx_fill_ring_empty_descs,
							 q->sock.rx_fill_ring_empty_descs, over);
		total->has_causes |= q->has_causes;
		for (int c = 0; c < LOSS__CAUSES; c++)
			total->loss.fill_empty[c] =
				ledger_add(total->loss.fill_empty[c], q->loss.fill_empty[c], over);
		/* the redirected cell of the row */
		ledger_taken(q, over);
	}
	ledger_taken(total, over);
	total->unexplained = l->unexplained;
	return passed;
}

bool ledger_sums_fit(const struct ledger *l)
{
	struct ledger_queue total;
	bool over = false;

	ledger_total(l, &total, &over);
	return !over;
}

/* The fill_empty split and, for the queues that lost frames, what their
 * worker's scheduling looked like: the evidence for the split. */
static void ledger_causes_print(FILE *out, const struct ledger *l, const struct ledger_queue *total)
{
	fprintf(out,
		"  while its worker ran %" PRIu64 ", slept (wake-up) %" PRIu64
		", was off its CPU %" PRIu64 "\n",
		total->loss.fill_empty[LOSS_RUNNING], total->loss.fill_empty[LOSS_ASLEEP],
		total->loss.fill_empty[LOSS_OFF_CPU]);
	for (int i = 0; i < l->count; i++) {
		const struct ledger_queue *q = &l->q[i];

		if (!q->has_causes || !q->sock.rx_fill_ring_empty_descs)
			continue;
		fprintf(out,
			"  q%u worker: longest gap %.1f ms, run delay %.1f ms, %" PRIu64
			" involuntary switches, %" PRIu64 " sleeps\n",
			q->queue, (double)q->loss.longest_gap_ns / 1e6,
			(double)q->loss.run_delay_ns / 1e6, q->loss.nivcsw, q->loss.sleeps);
	}
}

void ledger_print(FILE *out, const struct ledger *l)
{
	struct ledger_queue total;
	bool over = false;
	uint64_t total_passed = ledger_total(l, &total, &over);
	int w[LEDGER_COLS];
	char name[16];

	/* Each column as wide as its widest number or its heading: the
	 * table fits 80 columns up to counters of 10 digits. */
	for (int c = 0; c < LEDGER_COLS; c++)
		w[c] = (int)strlen(ledger_heads[c]);
	for (int i = 0; i < l->count; i++)
		ledger_widen(&l->q[i], ledger_passed(&l->q[i], &over), w);
	ledger_widen(&total, total_passed, w);

	fprintf(out, "\nDrop ledger (kernel counters vs. inspected):\n%-5s", "queue");
	for (int c = 0; c < LEDGER_COLS; c++)
		fprintf(out, " %*s", w[c], ledger_heads[c]);
	fputc('\n', out);
	for (int i = 0; i < l->count; i++) {
		snprintf(name, sizeof(name), "q%u", l->q[i].queue);
		ledger_row(out, name, &l->q[i], ledger_passed(&l->q[i], &over), w);
	}
	ledger_row(out, "total", &total, total_passed, w);
	if (total.sock.rx_fill_ring_empty_descs) {
		fprintf(out,
			"fill_empty %" PRIu64 ": times a socket found its fill ring empty\n"
			"(the frames it lost then are in rx_dropped)\n",
			(uint64_t)total.sock.rx_fill_ring_empty_descs);
		if (total.has_causes)
			ledger_causes_print(out, l, &total);
	}
	if (total.xdp.copied || total.xdp.copy_failed || total.xdp.copied_out ||
	    total.xdp.copy_out_failed)
		fprintf(out,
			"passive: \"redirected\" counts copies, %" PRIu64 " received and %" PRIu64
			" sent\n(inspected: %" PRIu64 " and %" PRIu64 "); every frame went on its "
			"way;\nnot copied (ring full): %" PRIu64 " received, %" PRIu64 " sent\n",
			(uint64_t)total.xdp.copied, (uint64_t)total.xdp.copied_out,
			total.inspected - total.inspected_out, total.inspected_out,
			(uint64_t)total.xdp.copy_failed, (uint64_t)total.xdp.copy_out_failed);
	if (l->unexplained == 0)
		fprintf(out, "redirected = inspected + rx_dropped + ring_full holds on every "
			     "queue: 0 unexplained\n");
	else
		fprintf(out, "LEDGER DOES NOT CLOSE: %" PRId64 " packets unexplained\n",
			l->unexplained);
}

bool ledger_nothing_steered(const struct ledger *l, const char *filter, char *buf, size_t len)
{
	uint64_t seen = 0, matched = 0, steered = 0;
	bool over = false;

	for (int i = 0; i < l->count; i++) {
		const struct xdpi_queue_stats *x = &l->q[i].xdp;
		const uint64_t m[] = {x->redirected,  x->dropped,	  x->copied,
				      x->copied_out,  x->redirect_failed, x->stopping_passed,
				      x->copy_failed, x->copy_out_failed};

		seen = ledger_add(seen, x->seen, &over);
		/* Passive runs copy instead of redirecting: the first four. */
		for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
			if (k < 4)
				steered = ledger_add(steered, m[k], &over);
			matched = ledger_add(matched, m[k], &over);
		}
	}
	if (steered)
		return false;
	if (!seen)
		snprintf(buf, len, "no frame reached the XDP program");
	else if (!matched)
		snprintf(buf, len, "%" PRIu64 " frame%s seen, none matched filter %s", seen,
			 seen == 1 ? "" : "s", filter);
	else
		snprintf(buf, len,
			 "%" PRIu64 " frame%s seen, %" PRIu64 " matched filter %s, none reached "
			 "a socket (no socket on their queue, or they came while xdpi stopped)",
			 seen, seen == 1 ? "" : "s", matched, filter);
	return true;
}

/* json_object_set_new() frees @v and fails when @o or @v is NULL (an
 * allocation that failed): errors collect, and are checked once. */
static json_t *queue_to_json(struct ledger_queue *q)
{
	json_t *e = json_object(), *xdp = json_object(), *sock = json_object(),
	       *ifc = json_object();
	int err = 0;

	for (size_t f = 0; f < NFIELDS; f++)
		err |= json_object_set_new(!strcmp(fields[f].group, "xdp") ? xdp : sock,
					   fields[f].name, u64_to_json(*field_ptr(q, &fields[f])));
	for (int c = 0; c < q->iface.count; c++) {
		json_t *v = u64_to_json(q->iface.c[c].value);

		err |= !v || !ifc;
		/* a driver's name that is not UTF-8 is left out, as before */
		json_object_set_new(ifc, q->iface.c[c].name, v);
	}
	err |= json_object_set_new(e, "queue", json_integer(q->queue));
	err |= json_object_set_new(e, "socket_bound", json_boolean(q->has_socket));
	err |= json_object_set_new(e, "xdp", xdp);
	err |= json_object_set_new(e, "socket", sock);
	err |= json_object_set_new(e, "iface", ifc);
	if (q->has_causes) {
		json_t *causes = json_object(), *worker = json_object();

		for (size_t f = 0; f < NCAUSE_FIELDS; f++)
			err |= json_object_set_new(
				!strcmp(cause_fields[f].group, "worker") ? worker : causes,
				cause_fields[f].name, u64_to_json(*field_ptr(q, &cause_fields[f])));
		err |= json_object_set_new(e, "fill_empty_causes", causes);
		err |= json_object_set_new(e, "worker", worker);
	}
	err |= json_object_set_new(e, "inspected", u64_to_json(q->inspected));
	err |= json_object_set_new(e, "inspected_out", u64_to_json(q->inspected_out));
	err |= json_object_set_new(e, "unexplained", json_integer(q->unexplained));
	if (err) {
		json_decref(e);
		return NULL;
	}
	return e;
}

json_t *ledger_to_json(const struct ledger *l)
{
	json_t *o = json_object(), *arr = json_array();
	int err = 0;

	for (int i = 0; i < l->count; i++)
		err |= json_array_append_new(arr, queue_to_json(&l->q[i]));
	err |= json_object_set_new(o, "queues", arr);
	err |= json_object_set_new(o, "unexplained", json_integer(l->unexplained));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int get_u64(json_t *obj, const char *key, uint64_t *out)
{
	return u64_from_json(json_object_get(obj, key), out);
}

static int iface_from_json(json_t *ifc, struct iface_queue_counters *out)
{
	const char *k;
	json_t *v;

	if (!json_is_object(ifc) || json_object_size(ifc) > IFACE_MAX_QUEUE_COUNTERS)
		return -EINVAL;
	json_object_foreach(ifc, k, v)
	{
		if (strlen(k) >= sizeof(out->c[0].name) ||
		    u64_from_json(v, &out->c[out->count].value))
			return -EINVAL;
		strcpy(out->c[out->count++].name, k);
	}
	return 0;
}

static int queue_from_json(json_t *e, size_t i, struct ledger_queue *q)
{
	json_t *bound = json_object_get(e, "socket_bound");
	uint64_t qid;

	/* entry i is queue i: the array holds every queue, in order */
	if (get_u64(e, "queue", &qid) || qid != i || !json_is_boolean(bound) ||
	    get_u64(e, "inspected", &q->inspected) ||
	    iface_from_json(json_object_get(e, "iface"), &q->iface))
		return -EINVAL;
	q->queue = (uint32_t)qid;
	q->has_socket = json_is_true(bound);
	for (size_t f = 0; f < NFIELDS; f++) {
		json_t *group = json_object_get(e, fields[f].group);

		if (fields[f].since_egress && json_is_object(group) &&
		    !json_object_get(group, fields[f].name))
			continue;
		if (get_u64(group, fields[f].name, field_ptr(q, &fields[f])))
			return -EINVAL;
	}
	if (json_object_get(e, "inspected_out") &&
	    (get_u64(e, "inspected_out", &q->inspected_out) || q->inspected_out > q->inspected))
		return -EINVAL;
	/* Records from before the loss monitor have neither group; one
	 * without the other, or a group short of a key, is no record of
	 * ours. */
	q->has_causes = json_object_get(e, "fill_empty_causes") != NULL;
	if (q->has_causes != (json_object_get(e, "worker") != NULL))
		return -EINVAL;
	for (size_t f = 0; q->has_causes && f < NCAUSE_FIELDS; f++)
		if (get_u64(json_object_get(e, cause_fields[f].group), cause_fields[f].name,
			    field_ptr(q, &cause_fields[f])))
			return -EINVAL;
	return 0;
}

int ledger_from_json(json_t *obj, struct ledger *l)
{
	json_t *arr = json_object_get(obj, "queues"), *e;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > INT_MAX)
		return -EINVAL;
	l->q = calloc(json_array_size(arr), sizeof(*l->q));
	if (!l->q)
		return -ENOMEM;
	json_array_foreach(arr, i, e)
	{
		if (queue_from_json(e, i, &l->q[i])) {
			ledger_free(l);
			return -EINVAL;
		}
		l->count++;
	}
	ledger_close(l);
	return 0;
}
