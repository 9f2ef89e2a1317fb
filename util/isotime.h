/* SPDX-License-Identifier: MIT */
/*
 * Wall-clock times as text: what a summary, a flow record and an alert
 * show, in one format.
 */
#ifndef XDPI_UTIL_ISOTIME_H
#define XDPI_UTIL_ISOTIME_H

#include <stddef.h>

/* @t (seconds since the epoch) as ISO 8601 UTC with microseconds,
 * "2026-11-30T19:50:33.123456Z". */
void xdpi_iso8601(double t, char *buf, size_t len);

#endif /* XDPI_UTIL_ISOTIME_H */
