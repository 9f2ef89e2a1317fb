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
 * Concurrency: conn_log_end() from the flow table's on_end hook; one
 * writer at a time (a mutex), whole lines. Errors: 0 or a negative errno.
 */
#ifndef XDPI_EXPORT_CONN_LOG_H
#define XDPI_EXPORT_CONN_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "../inspect/flows.h"

struct conn_log;

/* Lines to @out (the header first); -v: @all_columns. */
int conn_log_open(struct conn_log **out, FILE *f, bool all_columns);
void conn_log_end(struct conn_log *cl, const struct flow_record *r);
/* Lines written; accepts NULL. */
int conn_log_close(struct conn_log *cl);

#endif /* XDPI_EXPORT_CONN_LOG_H */
