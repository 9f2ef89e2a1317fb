/* SPDX-License-Identifier: MIT */
/*
 * Least privilege for a live run: when each thread gives up what.
 *
 *   command start     capture_privs_begin(): the privileges are checked
 *                     (a missing one named), and the main thread's
 *                     effective set is emptied; threads made from here on
 *                     (libmicrohttpd's, the IPFIX exporter's, liburcu's)
 *                     start with none effective. Not with --user: there
 *                     the uid change strips those threads of everything.
 *   set-up            capture_privs_raise()/_lower() around the steps
 *                     that need them: attach, sockets.
 *   end of set-up     capture_privs_drop(): the main thread keeps only the
 *                     teardown capabilities, permitted but not effective,
 *                     bounding set and no_new_privs to match; --user
 *                     switches uid and gid (every other thread then keeps
 *                     nothing); liburcu's call_rcu thread is made now, so
 *                     that no sandboxed worker has to make it. One info
 *                     line says what was kept.
 *   run               each worker enters its sandbox (util/sandbox.h): no
 *                     capability, seccomp. Setting the IRQ deferral
 *                     knobs mid-run raises the main thread's for the write.
 *   teardown          capture_close() raises them (capture_privs_teardown).
 *
 * With keep_privileges every function does nothing (the opt-out).
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
int capture_privs_drop(const struct capture_opts *o);
int capture_privs_teardown(const struct capture_opts *o);

#endif /* XDPI_CAPTURE_PRIVDROP_H */
