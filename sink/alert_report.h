/* SPDX-License-Identifier: MIT */
/*
 * Alerts of the detection stage (inspect/detect.h) as JSON lines and as
 * one line of text (docs/detect.md gives the fields).
 *
 * Errors: alert_json() returns NULL on allocation failure.
 */
#ifndef XDPI_EXPORT_ALERT_REPORT_H
#define XDPI_EXPORT_ALERT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../inspect/detect.h"

/* Frames the drop ledger counted lost during an alert's window: a count,
 * or ALERT_LOST_UNKNOWN where no ledger exists (a capture file). */
#define ALERT_LOST_UNKNOWN UINT64_MAX

/* {"type":"alert","kind":...,"state":...,"src":...,"dst":...,...} */
json_t *alert_json(const struct detect_alert *a, uint64_t lost);
/* "start syn_flood dst 198.18.0.1 port 80: 12000 SYN/s, ..." */
void alert_text(const struct detect_alert *a, char *buf, size_t len);

#endif /* XDPI_EXPORT_ALERT_REPORT_H */
