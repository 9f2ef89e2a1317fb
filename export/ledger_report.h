/* SPDX-License-Identifier: MIT */
/*
 * The drop ledger (capture/ledger.h) as a table and as JSON: the "ledger"
 * object of `xdpi live --json` and of its records, which `xdpi compare` and
 * `xdpi bench` read back. One table of fields drives both directions.
 *
 * Concurrency: none inside; each call works on the caller's objects.
 *
 * Errors: ledger_to_json() returns NULL on allocation failure;
 * ledger_from_json() returns 0, -EINVAL for anything else than a ledger,
 * or -ENOMEM.
 */
#ifndef XDPI_EXPORT_LEDGER_REPORT_H
#define XDPI_EXPORT_LEDGER_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "../capture/ledger.h"

/* The table: one row per queue, a total, and whether it closes. */
void ledger_print(FILE *out, const struct ledger *l);
json_t *ledger_to_json(const struct ledger *l);
/* Reads a ledger back from ledger_to_json()'s output and closes it; free it
 * with ledger_free(). */
int ledger_from_json(json_t *obj, struct ledger *l);

#endif /* XDPI_EXPORT_LEDGER_REPORT_H */
