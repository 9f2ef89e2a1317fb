/* SPDX-License-Identifier: MIT */
/*
 * The one clock: CLOCK_MONOTONIC, read through the vDSO (no syscall, so the
 * hot path may use it once per batch). Wall time only where something is
 * dated (a run, a flow), never to measure.
 */
#ifndef XDPI_UTIL_CLOCK_H
#define XDPI_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t xdpi_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall-clock nanoseconds (CLOCK_REALTIME): to date flows, once per batch. */
static inline uint64_t xdpi_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall-clock seconds (CLOCK_REALTIME): only to date a run in a report. */
static inline double xdpi_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds, for intervals and reports. */
static inline double xdpi_now(void)
{
	return (double)xdpi_mono_ns() / 1e9;
}

#endif /* XDPI_UTIL_CLOCK_H */
