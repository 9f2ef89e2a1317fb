/* SPDX-License-Identifier: MIT */
/*
 * --json-lines: one JSON object per line to a file or standard output,
 * from several threads (the reporter's "stats" lines, the flow table's
 * call_rcu thread's "flow" lines); a mutex keeps lines whole. Not on any
 * packet path: flow records arrive once per ended flow.
 *
 * Errors: int functions return 0 or a negative errno; a failed write is
 * remembered and reported by jsonl_close().
 */
#ifndef XDPI_EXPORT_JSONL_H
#define XDPI_EXPORT_JSONL_H

#include <jansson.h>

#include "../inspect/flows.h"

struct jsonl;

/* @path: a file (created or truncated) or "-" for standard output. */
int jsonl_open(struct jsonl **out, const char *path, char *err, size_t err_len);
/* Writes @obj as one line and takes its reference. */
int jsonl_write(struct jsonl *j, json_t *obj);
/* A flow_config on_end hook: @ctx is the struct jsonl. */
void jsonl_flow_end(void *ctx, const struct flow_record *r);
/* Log rotation: opens @path (appending, created if missing) and moves the
 * lines to come there; the lines written so far stay in the file they
 * went to, which is closed. Under the writers' mutex, so no line is lost,
 * split or written twice. Standard output is not reopened (0, nothing
 * done); on failure the old file stays in use. */
int jsonl_reopen(struct jsonl *j, const char *path, char *err, size_t err_len);
/* Flushes, closes (not stdout) and frees; -EIO if any line was lost.
 * Accepts NULL. */
int jsonl_close(struct jsonl *j);

#endif /* XDPI_EXPORT_JSONL_H */
