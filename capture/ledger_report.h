/* SPDX-License-Identifier: MIT */
/*
 * The drop ledger (capture/ledger.h) as a table and as JSON: the "ledger"
 * object of `xdpi live --json` and of its records, which `xdpi compare` and
 * `xdpi bench` read back. One table of fields drives both directions.
 *
 * A record is input: ledger_from_json() takes only what ledger_to_json()
 * can write. Every key it reads must be there with its type: "queues" a
 * non-empty array whose entry i is queue i (the array holds every RX queue
 * of the interface, so its length is the queue count), counters
 * non-negative integers, "socket_bound" a boolean, "iface" an object of at
 * most IFACE_MAX_QUEUE_COUNTERS counters. Counters are written as
 * json_int_t: one past 2^63 would read back negative and is refused. The
 * "unexplained" keys are derived: they are recomputed, never read.
 *
 * Concurrency: none inside; each call works on the caller's objects.
 *
 * Errors: ledger_to_json() returns NULL on allocation failure;
 * ledger_from_json() returns 0, -EINVAL for anything else than a ledger
 * (then @l is empty), or -ENOMEM.
 */
#ifndef XDPI_EXPORT_LEDGER_REPORT_H
#define XDPI_EXPORT_LEDGER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "../capture/ledger.h"

/* The table: one row per queue, a total, and whether it closes. A sum
 * past 2^64 - 1 is shown as 2^64 - 1, never wrapped. */
void ledger_print(FILE *out, const struct ledger *l);
/* Whether every sum the table shows (a queue's passed and redirected, the
 * totals) fits 64 bits. No run counts that far: a record that does not is
 * forged or corrupt, and `xdpi compare` refuses it. */
bool ledger_sums_fit(const struct ledger *l);
json_t *ledger_to_json(const struct ledger *l);
/* Reads a ledger back from ledger_to_json()'s output and closes it; free it
 * with ledger_free(). */
int ledger_from_json(json_t *obj, struct ledger *l);
/* When the XDP program steered nothing (no frame redirected, nor dropped
 * in ceiling mode): true, and why in @buf ("51 frames seen, none matched
 * filter tcp", "no frame reached the XDP program"). @filter is the
 * filter's name. */
bool ledger_nothing_steered(const struct ledger *l, const char *filter, char *buf, size_t len);

#endif /* XDPI_EXPORT_LEDGER_REPORT_H */
