// SPDX-License-Identifier: MIT
/*
 * Unit tests of `xdpi bench`'s verdict across runs (bench/history.c): the
 * spread of each receiver around its median, which receivers stay within
 * the margin, the ranking every run backs, and the history file: runs of
 * another set-up ignored, lines that are not runs skipped and counted, the
 * last runs kept in order, errors reported. The figures of the first case
 * are those of three real runs on a 2-vCPU EPYC VM (docs/benchmarks.md).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench/history.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

static void put(struct bench_hist_run *run, enum bench_receiver r, double ndr, double pdr,
		double upper)
{
	run->rx[r] = (struct bench_hist_rx){.ran = true,
					    .ndr = ndr,
					    .pdr = pdr,
					    .ndr_upper = upper,
					    .gen_limited = upper == ndr};
}

/* Three runs of 2026-12-07 (Mpps): every xdpi receiver limited by the
 * generator (upper = the most offered), DPDK testpmd not. */
static void three_runs(struct bench_hist_run *runs)
{
	memset(runs, 0, sizeof(*runs) * 3);
	put(&runs[0], BENCH_INSPECT, 2.512e6, 2.512e6, 2.512e6);
	put(&runs[1], BENCH_INSPECT, 2.209e6, 2.209e6, 2.209e6);
	put(&runs[2], BENCH_INSPECT, 2.151e6, 2.151e6, 2.151e6);
	put(&runs[0], BENCH_NOINSPECT, 2.815e6, 2.815e6, 2.815e6);
	put(&runs[1], BENCH_NOINSPECT, 2.848e6, 2.848e6, 2.848e6);
	put(&runs[2], BENCH_NOINSPECT, 2.610e6, 2.610e6, 2.610e6);
	put(&runs[0], BENCH_AF_PACKET, 1.220e6, 1.220e6, 1.220e6);
	put(&runs[1], BENCH_AF_PACKET, 1.261e6, 1.261e6, 1.261e6);
	put(&runs[2], BENCH_AF_PACKET, 1.229e6, 1.229e6, 1.229e6);
	put(&runs[0], BENCH_DPDK, 1.983e6, 2.037e6, 2.038e6);
	put(&runs[1], BENCH_DPDK, 2.114e6, 2.176e6, 2.180e6);
	put(&runs[2], BENCH_DPDK, 3.021e6, 3.089e6, 3.101e6);
}

static int position(const struct bench_across *a, enum bench_receiver r)
{
	for (int i = 0; i < a->count; i++)
		if (a->order[i] == (int)r)
			return i;
	fail_msg("receiver %d not ranked", r);
	return -1;
}

TEST(test_real_runs_dpdk_unsteady)
{
	struct bench_hist_run runs[3];
	struct bench_across a;

	three_runs(runs);
	bench_across_runs(runs, 3, &a);
	assert_int_equal(a.runs, 3);
	assert_false(a.steady);
	assert_true(a.rx[BENCH_INSPECT].steady);
	assert_true(a.rx[BENCH_NOINSPECT].steady);
	assert_true(a.rx[BENCH_AF_PACKET].steady);
	assert_false(a.rx[BENCH_DPDK].steady);
	assert_false(a.rx[BENCH_PASSIVE].present);
	/* Medians and the largest deviation, by hand. */
	assert_true(a.rx[BENCH_INSPECT].ndr.median == 2.209e6);
	assert_true(fabs(a.rx[BENCH_INSPECT].ndr.dev - (2.512 / 2.209 - 1)) < 1e-12);
	assert_true(a.rx[BENCH_DPDK].ndr.median == 2.114e6);
	assert_true(a.rx[BENCH_DPDK].ndr.min == 1.983e6);
	assert_true(a.rx[BENCH_DPDK].ndr.max == 3.021e6);
	assert_true(fabs(a.rx[BENCH_DPDK].ndr.dev - (3.021 / 2.114 - 1)) < 1e-12);
	assert_true(a.rx[BENCH_DPDK].pdr.median == 2.176e6);
	/* No run sets xdpi and DPDK apart: DPDK's 1.983 is below inspect's
	 * 2.512, inspect's 2.151 below DPDK's 3.101. AF_PACKET is below
	 * everyone in every run by more than the margin. */
	assert_int_equal(a.count, 4);
	assert_int_equal(a.rank[position(&a, BENCH_NOINSPECT)], 1);
	assert_int_equal(a.rank[position(&a, BENCH_INSPECT)], 1);
	assert_int_equal(a.rank[position(&a, BENCH_DPDK)], 1);
	assert_int_equal(a.rank[position(&a, BENCH_AF_PACKET)], 4);
	assert_int_equal(a.order[0], BENCH_NOINSPECT);
}

TEST(test_apart_only_when_every_run_backs_it)
{
	struct bench_hist_run runs[3];
	struct bench_across a;

	memset(runs, 0, sizeof(runs));
	for (int i = 0; i < 3; i++) {
		put(&runs[i], BENCH_INSPECT, 3.0e6, 3.0e6, 3.1e6);
		put(&runs[i], BENCH_AF_PACKET, 2.0e6, 2.0e6, 2.6e6);
	}
	bench_across_runs(runs, 3, &a);
	/* 3.0 >= 2.6 * 1.15 = 2.99 */
	assert_int_equal(a.rank[position(&a, BENCH_INSPECT)], 1);
	assert_int_equal(a.rank[position(&a, BENCH_AF_PACKET)], 2);
	/* One run where AF_PACKET's bound reached 2.7: 3.0 < 3.105. */
	runs[1].rx[BENCH_AF_PACKET].ndr_upper = 2.7e6;
	bench_across_runs(runs, 3, &a);
	assert_int_equal(a.rank[position(&a, BENCH_AF_PACKET)], 1);
	/* One run where inspect's NDR fell to 2.9: 2.9 < 2.99. */
	runs[1].rx[BENCH_AF_PACKET].ndr_upper = 2.6e6;
	runs[2].rx[BENCH_INSPECT].ndr = 2.9e6;
	bench_across_runs(runs, 3, &a);
	assert_int_equal(a.rank[position(&a, BENCH_AF_PACKET)], 1);
	assert_true(a.steady);
}

/* bench_across_runs() of the @n @runs into @a: whether receiver @r stays
 * within the margin. */
static bool rx_steady(const struct bench_hist_run *runs, int n, enum bench_receiver r,
		      struct bench_across *a)
{
	bench_across_runs(runs, n, a);
	return a->rx[r].steady;
}

TEST(test_margin_edge)
{
	struct bench_hist_run runs[3];
	struct bench_across a;

	memset(runs, 0, sizeof(runs));
	put(&runs[0], BENCH_INSPECT, 1.0e6, 1.0e6, 1.0e6);
	put(&runs[1], BENCH_INSPECT, 1.0e6 * (1 + BENCH_STEADY_MARGIN), 1.0e6, 1.0e6);
	put(&runs[2], BENCH_INSPECT, 1.0e6 * (1 - BENCH_STEADY_MARGIN), 1.0e6, 1.0e6);
	assert_true(rx_steady(runs, 3, BENCH_INSPECT, &a));
	runs[1].rx[BENCH_INSPECT].ndr = 1.0e6 * (1 + BENCH_STEADY_MARGIN) + 1;
	assert_false(rx_steady(runs, 3, BENCH_INSPECT, &a));
	/* The PDR counts too. */
	runs[1].rx[BENCH_INSPECT].ndr = 1.0e6;
	runs[1].rx[BENCH_INSPECT].pdr = 0.8e6;
	assert_false(rx_steady(runs, 3, BENCH_INSPECT, &a));
}

TEST(test_two_runs_median_is_mean_and_zero_run)
{
	struct bench_hist_run runs[2];
	struct bench_across a;

	memset(runs, 0, sizeof(runs));
	put(&runs[0], BENCH_DPDK, 1.0e6, 1.0e6, 1.0e6);
	put(&runs[1], BENCH_DPDK, 1.2e6, 1.2e6, 1.2e6);
	assert_true(rx_steady(runs, 2, BENCH_DPDK, &a));
	assert_true(fabs(a.rx[BENCH_DPDK].ndr.median - 1.1e6) < 1e-6);
	/* A receiver that met nothing in one run and something in another. */
	runs[0].rx[BENCH_DPDK].ndr = 0;
	runs[1].rx[BENCH_DPDK].ndr = 0.5e6;
	assert_false(rx_steady(runs, 2, BENCH_DPDK, &a));
}

TEST(test_absent_in_one_run_not_ranked)
{
	struct bench_hist_run runs[3];
	struct bench_across a;

	three_runs(runs);
	runs[0].rx[BENCH_DPDK].ran = false;
	bench_across_runs(runs, 3, &a);
	assert_false(a.rx[BENCH_DPDK].present);
	assert_true(a.steady); /* only DPDK moved */
	assert_int_equal(a.count, 3);
	for (int i = 0; i < a.count; i++)
		assert_int_not_equal(a.order[i], BENCH_DPDK);
	/* The ceiling has a spread but no rank. */
	for (int i = 0; i < 3; i++)
		put(&runs[i], BENCH_CEILING, 4.5e6, 4.5e6, 4.5e6);
	bench_across_runs(runs, 3, &a);
	assert_true(a.rx[BENCH_CEILING].present);
	assert_int_equal(a.count, 3);
}

static char *temp_path(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/xdpi-benchhist-%d-XXXXXX", (int)getpid());
	assert_non_null(mkdtemp(buf));
	strncat(buf, "/sub/history.jsonl", len - strlen(buf) - 1);
	return buf;
}

static void remove_temp(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%.*s'", (int)(strstr(path, "/sub/") - path), path);
	assert_int_equal(system(cmd), 0);
}

TEST(test_file_round_trip)
{
	json_t *s1 = json_pack("{s:s, s:i}", "cpu", "EPYC", "mtu", 1500),
	       *s2 = json_pack("{s:s, s:i}", "cpu", "EPYC", "mtu", 9000);
	struct bench_hist_run runs[5], got[3];
	char path[256], err[512], big[10000];
	int n = -1, skipped = -1;
	FILE *f;

	temp_path(path, sizeof(path));
	/* No file yet: no runs, no error. */
	assert_int_equal(bench_history_load(path, s1, got, 2, &n, &skipped, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	memset(runs, 0, sizeof(runs));
	for (int i = 0; i < 5; i++) {
		runs[i].time = 1000 + i;
		put(&runs[i], BENCH_INSPECT, 1e6 + i / 3.0, 2e6 + i, 3e6 + i);
		put(&runs[i], BENCH_DPDK, 0, 0, 2.5e6);
		/* Run 3 is of another set-up. */
		assert_int_equal(
			bench_history_append(path, i == 3 ? s2 : s1, &runs[i], err, sizeof(err)),
			0);
		if (i == 1) { /* lines that are no runs */
			f = fopen(path, "a");
			assert_non_null(f);
			memset(big, 'x', sizeof(big) - 1);
			big[sizeof(big) - 1] = 0;
			fprintf(f,
				"not json\n{\"setup\":{},\"time\":1,\"receivers\":{\"nosuch\":{}}}"
				"\n%s\n",
				big);
			fclose(f);
		}
	}
	assert_int_equal(bench_history_load(path, s1, got, 3, &n, &skipped, err, sizeof(err)), 0);
	assert_int_equal(skipped, 3);
	assert_int_equal(n, 3);
	/* The last three of s1, oldest first, figures exact. */
	assert_true(got[0].time == 1001 && got[1].time == 1002 && got[2].time == 1004);
	assert_true(got[2].rx[BENCH_INSPECT].ndr == runs[4].rx[BENCH_INSPECT].ndr);
	assert_true(got[0].rx[BENCH_INSPECT].ndr == runs[1].rx[BENCH_INSPECT].ndr);
	assert_true(got[2].rx[BENCH_INSPECT].ndr_upper == 3e6 + 4);
	assert_true(got[2].rx[BENCH_DPDK].ran && got[2].rx[BENCH_DPDK].ndr == 0);
	assert_false(got[2].rx[BENCH_AF_PACKET].ran);
	assert_int_equal(bench_history_load(path, s2, got, 3, &n, &skipped, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_true(got[0].time == 1003);
	remove_temp(path);
	json_decref(s1);
	json_decref(s2);
}

TEST(test_file_errors)
{
	json_t *s = json_pack("{s:i}", "mtu", 1500);
	struct bench_hist_run run, got[2];
	char err[512] = "";
	int n, skipped;

	memset(&run, 0, sizeof(run));
	put(&run, BENCH_INSPECT, 1, 1, 1);
	/* A directory that cannot be made. */
	assert_true(bench_history_append("/proc/xdpi-no-such/h.jsonl", s, &run, err, sizeof(err)) <
		    0);
	assert_non_null(strstr(err, "/proc/xdpi-no-such/h.jsonl"));
	/* A directory in place of the file. */
	err[0] = 0;
	assert_true(bench_history_load("/tmp", s, got, 2, &n, &skipped, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/tmp"));
	assert_true(bench_history_append("/tmp", s, &run, err, sizeof(err)) < 0);
	json_decref(s);
}

TEST(test_default_path)
{
	char buf[256];

	setenv("XDG_STATE_HOME", "/var/state", 1);
	assert_int_equal(bench_history_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/var/state/xdpi/bench-history.jsonl");
	setenv("XDG_STATE_HOME", "relative", 1); /* not absolute: ignored */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(bench_history_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/u/.local/state/xdpi/bench-history.jsonl");
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_int_equal(bench_history_default_path(buf, sizeof(buf)), -ENOENT);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(bench_history_default_path(buf, 10), -ENAMETOOLONG);
}

/* Three runs of 2026-12-07 on a kernel without live frames (the
 * generator's loop; docs/benchmarks.md), NDR = PDR as the xdpi receivers
 * had them: the whole VM ran 43% faster in the first, the ceiling too. */
static void host_moved_runs(struct bench_hist_run *runs)
{
	static const double ceil[3] = {2.517e6, 1.757e6, 1.857e6};
	static const double insp[3] = {1.592e6, 1.069e6, 1.147e6};
	static const double dpdk[3] = {1.208e6, 1.069e6, 1.235e6};

	memset(runs, 0, sizeof(*runs) * 3);
	for (int i = 0; i < 3; i++) {
		put(&runs[i], BENCH_CEILING, ceil[i], ceil[i], ceil[i]);
		put(&runs[i], BENCH_INSPECT, insp[i], insp[i], insp[i]);
		put(&runs[i], BENCH_DPDK, dpdk[i], dpdk[i], dpdk[i] * 1.1);
	}
}

TEST(test_host_moved_ratios_repeat)
{
	struct bench_hist_run runs[3];
	struct bench_across a;

	host_moved_runs(runs);
	bench_across_runs(runs, 3, &a);
	assert_true(a.host_moved);
	/* The absolute figures do not repeat... */
	assert_false(a.rx[BENCH_CEILING].steady);
	assert_false(a.rx[BENCH_INSPECT].steady);
	/* ...their ratios to the ceiling of the same run do: 0.6325, 0.6084,
	 * 0.6177; median 0.6177, the farthest 0.6325 (+2.4%). */
	assert_true(a.rx[BENCH_INSPECT].ratio_present);
	assert_true(a.rx[BENCH_INSPECT].ratio_steady);
	assert_true(fabs(a.rx[BENCH_INSPECT].ratio.median - 1.147 / 1.857) < 1e-9);
	assert_true(fabs(a.rx[BENCH_INSPECT].ratio.min - 1.069 / 1.757) < 1e-9);
	assert_true(fabs(a.rx[BENCH_INSPECT].ratio.max - 1.592 / 2.517) < 1e-9);
	assert_true(fabs(a.rx[BENCH_INSPECT].ratio.dev - ((1.592 / 2.517) / (1.147 / 1.857) - 1)) <
		    1e-9);
	/* testpmd's moved on its own: 0.4799, 0.6084, 0.6650; median 0.6084,
	 * the farthest 0.4799 (-21%). */
	assert_false(a.rx[BENCH_DPDK].ratio_steady);
	assert_true(fabs(a.rx[BENCH_DPDK].ratio.dev - (1 - (1.208 / 2.517) / (1.069 / 1.757))) <
		    1e-9);
}

TEST(test_ratio_needs_the_ceiling_in_every_run)
{
	struct bench_hist_run runs[3];
	struct bench_across a;

	host_moved_runs(runs);
	runs[1].rx[BENCH_CEILING].ran = false;
	bench_across_runs(runs, 3, &a);
	assert_false(a.rx[BENCH_CEILING].present);
	assert_false(a.host_moved);
	assert_false(a.rx[BENCH_INSPECT].ratio_present);
	assert_false(a.rx[BENCH_INSPECT].ratio_steady);
	/* A ceiling of 0 (nothing offered) gives no ratio either. */
	host_moved_runs(runs);
	runs[2].rx[BENCH_CEILING].ndr = 0;
	bench_across_runs(runs, 3, &a);
	assert_false(a.rx[BENCH_INSPECT].ratio_present);
	/* A steady ceiling: the host did not move. */
	host_moved_runs(runs);
	runs[0].rx[BENCH_CEILING].ndr = 1.8e6;
	runs[0].rx[BENCH_CEILING].pdr = 1.8e6;
	bench_across_runs(runs, 3, &a);
	assert_true(a.rx[BENCH_CEILING].steady);
	assert_false(a.host_moved);
	assert_true(a.rx[BENCH_INSPECT].ratio_present);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_runs_dpdk_unsteady),
		cmocka_unit_test(test_host_moved_ratios_repeat),
		cmocka_unit_test(test_ratio_needs_the_ceiling_in_every_run),
		cmocka_unit_test(test_apart_only_when_every_run_backs_it),
		cmocka_unit_test(test_margin_edge),
		cmocka_unit_test(test_two_runs_median_is_mean_and_zero_run),
		cmocka_unit_test(test_absent_in_one_run_not_ranked),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_default_path),
	};

	return cmocka_run_group_tests_name("benchhist", tests, NULL, NULL);
}
