/* SPDX-License-Identifier: MIT */
/*
 * The XDP program's steering decision, in userspace: which frames
 * `--filter tcp|udp|ip|all` sends to the sockets. `xdpi read --filter` and
 * `xdpi compare --pcap` use it to know what a live run should have seen.
 * It reads the raw frame exactly as bpf/xdpi.bpf.c does (same tags, same
 * IPv6 extension limit), not through pkt_parse(), whose classification is
 * richer; tests/test_filter.c runs both on the same frames.
 */
#ifndef XDPI_INSPECT_FILTER_H
#define XDPI_INSPECT_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "../bpf/xdpi_shared.h"

const char *xdpi_filter_name(enum xdpi_filter f);
/* Returns the filter for @name, or -EINVAL. */
int xdpi_filter_parse(const char *name);

bool xdpi_filter_match(enum xdpi_filter f, const uint8_t *frame, uint32_t len);

#endif /* XDPI_INSPECT_FILTER_H */
