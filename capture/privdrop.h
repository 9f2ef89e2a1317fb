/* SPDX-License-Identifier: MIT */
/*
 * Least privilege for a live run: when each thread gives up what.
 *
 *   command start     capture_privs_begin(): the privileges are checked
 *                     (a missing one named), and the main thread's
 *                     effective set is emptied (not with --user, whose
 *                     set-up keeps them effective until the switch). No
 *                     other thread is made before capture_privs_drop().
 *   set-up            capture_privs_raise()/_lower() around the steps
 *                     that need them: attach, sockets.
 *   end of set-up     capture_privs_drop(): the main thread keeps only the
 *                     teardown capabilities, permitted but not effective,
 *                     an empty bounding set and no_new_privs; --user
 *                     switches uid and gid while it is the only thread.
 *                     liburcu's call_rcu thread is made now and enters
 *                     its sandbox through its first callback (waited
 *                     for). One info line says what was kept.
 *   run               every other thread (workers, HTTP, IPFIX, flow
 *                     maintainer, loss monitor, pcapng writer) is made by
 *                     the dropped main thread and enters its sandbox
 *                     (util/sandbox.h) before its work. Setting the IRQ
 *                     deferral knobs mid-run raises the main thread's for
 *                     the write.
 *   teardown          capture_close() raises them for the detach, the
 *                     sockets and the knobs only (capture_privs_teardown,
 *                     capture_privs_teardown_done).
 *
 * With keep_privileges every function does nothing (the opt-out), but for
 * making the call_rcu thread.
 *
 * Errors: 0 or a negative errno, logged.
 */
#ifndef XDPI_CAPTURE_PRIVDROP_H
#define XDPI_CAPTURE_PRIVDROP_H

#include "options.h"

int capture_privs_begin(const struct capture_opts *o);
/* Set-up only; no-ops with a user (see privdrop.c). */
int capture_privs_raise(const struct capture_opts *o);
int capture_privs_lower(const struct capture_opts *o);
/* @jsonl_fd: the descriptor the call_rcu thread writes the flows' JSON
 * lines to, or -1. */
int capture_privs_drop(const struct capture_opts *o, int jsonl_fd);
int capture_privs_teardown(const struct capture_opts *o);
int capture_privs_teardown_done(const struct capture_opts *o);

#endif /* XDPI_CAPTURE_PRIVDROP_H */
