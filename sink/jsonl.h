/* SPDX-License-Identifier: MIT */
/*
 * --json-lines: one JSON object per line to a file or standard output,
 * from several threads (the reporter's "stats" lines, the flow table's
 * call_rcu thread's "flow" lines); a mutex keeps lines whole. Not on any
 * packet path: flow records arrive once per ended flow.
 *
 * A reader (a log shipper, `| while read`) finds only whole lines, and
 * each line at most JSONL_MAX_DELAY_S after it was written, provided that
 * someone calls jsonl_flush_due() at least that often (the live run's main
 * loop does, every tick): lines are buffered here and go out whole lines
 * at a time.
 *
 * Errors: int functions return 0 or a negative errno; a failed write is
 * remembered and reported by jsonl_close().
 */
#ifndef XDPI_EXPORT_JSONL_H
#define XDPI_EXPORT_JSONL_H

#include <sys/types.h>

#include <jansson.h>

#include "../inspect/flows.h"

struct jsonl;

/* Whom the file is for, when the run switches user after set-up (--user). */
struct jsonl_owner {
	const char *name; /* for messages */
	uid_t uid;
	gid_t gid;
};

/* @path: a file, appended to (never truncated: a restart keeps the lines
 * of the runs before), or "-" for standard output. Opened through
 * util/outfile.h: a symbolic link, a FIFO, a directory, a device or a file
 * with another name is refused (the null device is taken). With @owner, a
 * file made here is given to that user (fchown, so that the user can open
 * it again after a rotation); one that was there already keeps its owner,
 * and a warning says so when it is not @owner. */
int jsonl_open(struct jsonl **out, const char *path, const struct jsonl_owner *owner, char *err,
	       size_t err_len);
/* How long a line may wait in the buffer, in seconds. */
#define JSONL_MAX_DELAY_S 0.5

/* Writes @obj as one line and takes its reference. The line is buffered;
 * the buffer goes out when it fills or when its oldest line is
 * JSONL_MAX_DELAY_S old. */
int jsonl_write(struct jsonl *j, json_t *obj);
/* The buffered lines out now, to the file or pipe (the end of a batch,
 * such as an interval's "stats" line); -EIO if any line was lost so far.
 * Accepts NULL. */
int jsonl_flush(struct jsonl *j);
/* The buffered lines out if the oldest is JSONL_MAX_DELAY_S old at @now
 * (xdpi_now()). Accepts NULL. */
void jsonl_flush_due(struct jsonl *j, double now);
/* A flow_config on_end hook: @ctx is the struct jsonl. */
void jsonl_flow_end(void *ctx, const struct flow_record *r);
/* Log rotation: opens @path (appending, created if missing, refused as
 * jsonl_open() refuses; by then as the --user, if any) and moves the
 * lines to come there; the lines written so far stay in the file they
 * went to, which is closed. Under the writers' mutex, so no line is lost,
 * split or written twice. Standard output is not reopened (0, nothing
 * done); on failure the old file stays in use. */
int jsonl_reopen(struct jsonl *j, const char *path, char *err, size_t err_len);
/* The descriptor the lines go to (the same one after jsonl_reopen()), for
 * a seccomp filter; -1 for NULL. */
int jsonl_fd(const struct jsonl *j);
/* Flushes, closes (not stdout) and frees; -EIO if any line was lost.
 * Accepts NULL. */
int jsonl_close(struct jsonl *j);

#endif /* XDPI_EXPORT_JSONL_H */
