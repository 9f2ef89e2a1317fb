/* SPDX-License-Identifier: MIT */
/*
 * Unsigned 64-bit counters in JSON, exactly. jansson's integers are
 * int64_t: a counter past 2^63 - 1 cast to one turns negative, and jansson
 * refuses to read an integer that large back. So a counter up to
 * INT64_MAX is a JSON integer, and one above it a JSON string of its
 * decimal digits ("18446744073709551615"): exact, read back by
 * u64_from_json(), and by jq as `tonumber` (docs/metrics.md). No run
 * reaches 2^63 frames; bytes of a crafted capture can (libpcap accepts
 * records of 4 GiB - 1 bytes on the wire).
 *
 * Errors: u64_to_json() returns NULL on allocation failure;
 * u64_from_json() returns 0 or -EINVAL.
 */
#ifndef XDPI_EXPORT_U64JSON_H
#define XDPI_EXPORT_U64JSON_H

#include <stdint.h>

#include <jansson.h>

/* A new integer, or a decimal string above INT64_MAX. */
json_t *u64_to_json(uint64_t v);
/* What u64_to_json() wrote: an integer >= 0, or a string of decimal
 * digits (no sign, no leading zero, no blank) from 2^63 to 2^64 - 1: one
 * spelling per value. Anything else (a negative integer, a real, "5", a
 * string with other bytes or past 2^64 - 1) is -EINVAL and leaves @out
 * alone. */
int u64_from_json(const json_t *v, uint64_t *out);

#endif /* XDPI_EXPORT_U64JSON_H */
