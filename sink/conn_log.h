/* SPDX-License-Identifier: MIT */
/*
 * --connections: one line per ended connection, in the spirit of Zeek's
 * conn.log and `tshark -z conv,tcp`. The default columns fit 80: start
 * (UTC time of day), duration, the endpoints (cut in the middle when
 * longer), protocol, packets and bytes each way (k, M past 99,999). With
 * -v every column, exact: start (UTC, ISO 8601), duration, protocol, the
 * initiator's address and port, the responder's, state and end reason,
 * packets and bytes to the responder and to the initiator (wire bytes),
 * handshake RTT in ms (- without), and SNI ("S:name") or Host ("H:name").
 *
 * Two ways to the output:
 * - direct (conn_log_open(), `xdpi read`): conn_log_end() writes the line
 *   at once; one writer at a time (a mutex), whole lines.
 * - queued (conn_log_open_queued(), `xdpi live`): the hook runs in
 *   liburcu's call_rcu thread, whose seccomp filter lets it write to the
 *   JSON-lines file only (util/sandbox.c), and which must never wait for
 *   a slow terminal (the records it holds are the flow pool's). So
 *   conn_log_end() copies the record into a ring of fixed slots (no
 *   allocation, no write, no lock the reader takes) and the one consumer
 *   thread formats and writes them with conn_log_drain(). A record that
 *   finds the ring full is refused and counted (conn_log_refused()).
 *
 * Concurrency: conn_log_end() from any thread (producers are serialised
 * among themselves); conn_log_drain() and conn_log_close() from one
 * consumer thread. Errors: 0 or a negative errno.
 */
#ifndef XDPI_EXPORT_CONN_LOG_H
#define XDPI_EXPORT_CONN_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../inspect/flows.h"

struct conn_log;

/* Direct: lines to @f (the header first); -v: @all_columns. */
int conn_log_open(struct conn_log **out, FILE *f, bool all_columns);
/* Queued: a ring of @slots records (a power of two, at least 2), written
 * by conn_log_drain() to @f (the header at the first drain). */
int conn_log_open_queued(struct conn_log **out, FILE *f, bool all_columns, uint32_t slots);
/* The flow table's on_end hook, through sink/flow_sinks.h. */
void conn_log_end(struct conn_log *cl, const struct flow_record *r);
/* Queued: writes the header once, then every record queued so far, and
 * flushes. Returns the lines written; 0 in direct mode. */
uint64_t conn_log_drain(struct conn_log *cl);
/* Whether a write to the output failed (a closed pipe: EPIPE, SIGPIPE
 * being blocked); the lines from then on are lost. */
bool conn_log_failed(const struct conn_log *cl);
/* Queued: records refused because the ring was full. */
uint64_t conn_log_refused(const struct conn_log *cl);
/* Queued: the ring's slots. */
uint32_t conn_log_slots(const struct conn_log *cl);
/* Queued: what is still queued is written. Then the lines flushed; -EIO
 * if the output failed. Accepts NULL. */
int conn_log_close(struct conn_log *cl);

#endif /* XDPI_EXPORT_CONN_LOG_H */
