/* SPDX-License-Identifier: MIT */
/*
 * One ended (or active) flow record as a JSON object: the "flow" lines of
 * --json-lines, written by the JSON-lines sink and read by whatever ships
 * them. Definitions: docs/flows.md.
 *
 * Strings taken from packets (hosts, SNIs) arrive sanitized by the peek
 * stage (printable ASCII, inspect/peek.h); jansson escapes them for JSON.
 *
 * Errors: flow_record_json() returns NULL (out of memory).
 */
#ifndef XDPI_SINK_FLOW_RECORD_H
#define XDPI_SINK_FLOW_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../inspect/flows.h"

/* A "flow" line of --json-lines. */
json_t *flow_record_json(const struct flow_record *r);
/* @addr of @family (4 or 6) as text. */
void flow_addr_str(uint8_t family, const uint8_t *addr, char *buf, size_t len);

#endif /* XDPI_SINK_FLOW_RECORD_H */
