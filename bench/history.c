// SPDX-License-Identifier: MIT
#include "history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A history line longer than this is not one of ours. */
#define BENCH_HISTORY_LINE_MAX 8192

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void spread_of(double *v, int n, struct bench_spread *s)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s->min = v[0];
	s->max = v[n - 1];
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s->dev = 0;
	for (int i = 0; s->median > 0 && i < n; i++) {
		double d = fabs(v[i] / s->median - 1);

		if (d > s->dev)
			s->dev = d;
	}
	if (s->median <= 0 && s->max > 0)
		s->dev = INFINITY; /* nothing in one run, something in another */
}

static void across_rx(const struct bench_hist_run *runs, int n, int r, struct bench_across_rx *a)
{
	double ndr[BENCH_HISTORY_RUNS * 4], pdr[BENCH_HISTORY_RUNS * 4];

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < n; i++)
		if (!runs[i].rx[r].ran)
			return;
	a->present = true;
	a->lower = INFINITY;
	for (int i = 0; i < n; i++) {
		const struct bench_hist_rx *x = &runs[i].rx[r];
		double upper = x->ndr_upper > x->ndr ? x->ndr_upper : x->ndr;

		ndr[i] = x->ndr;
		pdr[i] = x->pdr;
		if (x->ndr < a->lower)
			a->lower = x->ndr;
		if (upper > a->upper)
			a->upper = upper;
	}
	spread_of(ndr, n, &a->ndr);
	spread_of(pdr, n, &a->pdr);
	/* Inclusive, with room for the rounding of a ratio. */
	a->steady = a->ndr.dev <= BENCH_STEADY_MARGIN + 1e-9 &&
		    a->pdr.dev <= BENCH_STEADY_MARGIN + 1e-9;
	for (int i = 0; i < n; i++) {
		const struct bench_hist_rx *c = &runs[i].rx[BENCH_CEILING];

		if (!c->ran || c->ndr <= 0)
			return;
		ndr[i] = runs[i].rx[r].ndr / c->ndr;
	}
	a->ratio_present = true;
	spread_of(ndr, n, &a->ratio);
	a->ratio_steady = a->ratio.dev <= BENCH_STEADY_MARGIN + 1e-9;
}

/* @hi ranks above @lo in every run: its lowest NDR clears the highest
 * upper bound @lo reached by the margin. */
static bool across_above(const struct bench_across_rx *hi, const struct bench_across_rx *lo)
{
	return lo->upper > 0 && hi->lower >= lo->upper * (1 + BENCH_STEADY_MARGIN);
}

void bench_across_runs(const struct bench_hist_run *runs, int n, struct bench_across *out)
{
	memset(out, 0, sizeof(*out));
	if (n > BENCH_HISTORY_RUNS * 4)
		n = BENCH_HISTORY_RUNS * 4;
	out->runs = n;
	if (n < 1)
		return;
	out->steady = true;
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		across_rx(runs, n, r, &out->rx[r]);
		if (!out->rx[r].present)
			continue;
		out->steady = out->steady && out->rx[r].steady;
		if (r != BENCH_CEILING)
			out->order[out->count++] = r;
	}
	out->host_moved = out->rx[BENCH_CEILING].present &&
			  out->rx[BENCH_CEILING].ndr.dev > BENCH_STEADY_MARGIN + 1e-9;
	for (int i = 1; i < out->count; i++)
		for (int j = i; j > 0 && out->rx[out->order[j]].ndr.median >
						 out->rx[out->order[j - 1]].ndr.median;
		     j--) {
			int t = out->order[j];

			out->order[j] = out->order[j - 1];
			out->order[j - 1] = t;
		}
	/* As in one run's verdict: a new rank only below every receiver of
	 * the rank above. */
	for (int i = 0, first = 0; i < out->count; i++) {
		bool apart = i > 0;

		for (int k = first; apart && k < i; k++)
			apart = across_above(&out->rx[out->order[k]], &out->rx[out->order[i]]);
		if (apart)
			first = i;
		out->rank[i] = i && !apart ? out->rank[i - 1] : i + 1;
	}
}

int bench_history_default_path(char *buf, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (state && *state == '/')
		n = snprintf(buf, len, "%s/xdpi/bench-history.jsonl", state);
	else if (home && *home == '/')
		n = snprintf(buf, len, "%s/.local/state/xdpi/bench-history.jsonl", home);
	else
		return -ENOENT;
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static bool rx_from_json(json_t *o, struct bench_hist_rx *x)
{
	json_t *ndr = json_object_get(o, "ndr_pps"), *pdr = json_object_get(o, "pdr_pps"),
	       *up = json_object_get(o, "ndr_upper_pps"), *gl = json_object_get(o, "gen_limited");

	if (!json_is_number(ndr) || !json_is_number(pdr) || !json_is_number(up) ||
	    !json_is_boolean(gl))
		return false;
	x->ndr = json_number_value(ndr);
	x->pdr = json_number_value(pdr);
	x->ndr_upper = json_number_value(up);
	x->gen_limited = json_is_true(gl);
	x->ran = x->ndr >= 0 && x->pdr >= 0 && x->ndr_upper >= 0;
	return x->ran;
}

/* One line into @run when it is a run of @setup: 1, 0 another set-up's,
 * -1 not a history line. */
static int run_from_line(const char *line, const json_t *setup, struct bench_hist_run *run)
{
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL), *rxs, *v;
	const char *name;
	int ret = -1, known = 0;

	if (!o)
		return -1;
	rxs = json_object_get(o, "receivers");
	if (!json_is_object(json_object_get(o, "setup")) || !json_is_object(rxs) ||
	    !json_is_number(json_object_get(o, "time")))
		goto out;
	memset(run, 0, sizeof(*run));
	run->time = json_number_value(json_object_get(o, "time"));
	json_object_foreach(rxs, name, v)
	{
		int r = bench_receiver_parse(name);

		if (r < 0 || !rx_from_json(v, &run->rx[r]))
			goto out;
		known++;
	}
	if (known)
		ret = json_equal(json_object_get(o, "setup"), (json_t *)setup) ? 1 : 0;
out:
	json_decref(o);
	return ret;
}

int bench_history_load(const char *path, const json_t *setup, struct bench_hist_run *runs, int max,
		       int *n, int *skipped, char *err, size_t err_len)
{
	char *line;
	FILE *f;
	int ret = 0;

	*n = 0;
	*skipped = 0;
	if (max < 1)
		return 0;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		snprintf(err, err_len, "cannot read the bench history %s: %s", path,
			 strerror(errno));
		return ret;
	}
	line = malloc(BENCH_HISTORY_LINE_MAX);
	if (!line) {
		fclose(f);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	while (fgets(line, BENCH_HISTORY_LINE_MAX, f)) {
		struct bench_hist_run run;
		size_t len = strlen(line);
		int c;

		if (len && line[len - 1] != '\n' && !feof(f)) {
			/* Too long to be ours: skip the rest of it. */
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			(*skipped)++;
			continue;
		}
		c = run_from_line(line, setup, &run);
		if (c < 0) {
			(*skipped)++;
			continue;
		}
		if (!c)
			continue;
		/* Keep the last @max: shift the oldest out. */
		if (*n == max) {
			memmove(runs, runs + 1, sizeof(*runs) * (size_t)(max - 1));
			(*n)--;
		}
		runs[(*n)++] = run;
	}
	if (ferror(f)) {
		ret = -EIO;
		snprintf(err, err_len, "cannot read the bench history %s", path);
	}
	free(line);
	fclose(f);
	return ret;
}

/* mkdir -p of @path's directory. */
static int make_parent_dirs(const char *path)
{
	char dir[4096];
	char *slash;
	size_t len = strlen(path);

	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len + 1);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int bench_history_append(const char *path, const json_t *setup, const struct bench_hist_run *run,
			 char *err, size_t err_len)
{
	json_t *rxs = json_object(), *o;
	char *text = NULL;
	FILE *f = NULL;
	int ret = 0;

	for (int r = 0; rxs && r < BENCH__RECEIVERS; r++) {
		const struct bench_hist_rx *x = &run->rx[r];

		if (x->ran)
			json_object_set_new(rxs, bench_receiver_name(r),
					    json_pack("{s:f, s:f, s:f, s:b}", "ndr_pps", x->ndr,
						      "pdr_pps", x->pdr, "ndr_upper_pps",
						      x->ndr_upper, "gen_limited", x->gen_limited));
	}
	o = rxs ? json_pack("{s:i, s:O, s:f, s:o}", "xdpi_bench_history", 1, "setup", setup, "time",
			    run->time, "receivers", rxs)
		: NULL;
	if (o)
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text) {
		snprintf(err, err_len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	ret = make_parent_dirs(path);
	if (!ret) {
		f = fopen(path, "ae");
		if (!f)
			ret = -errno;
	}
	if (!ret && (fprintf(f, "%s\n", text) < 0 || fflush(f)))
		ret = errno ? -errno : -EIO;
	if (f && fclose(f) && !ret)
		ret = -errno;
	if (ret)
		snprintf(err, err_len, "cannot write the bench history %s: %s", path,
			 strerror(-ret));
out:
	free(text);
	json_decref(o);
	return ret;
}
