/* SPDX-License-Identifier: MIT */
/*
 * The worker sandbox: a worker parses attacker-controlled frames, so once
 * its socket is bound it keeps no capability and runs under a seccomp
 * filter that allows only what the receive loop, the idle wait, the flow
 * table (malloc, liburcu) and logging need (list and reasons in
 * sandbox.c, docs/live.md "Least privilege").
 *
 * A forbidden syscall kills the whole process (SECCOMP_RET_KILL_PROCESS,
 * SIGSYS): a worker that makes one is broken or hijacked, and nothing it
 * would do next can be trusted, not even a teardown it takes part in. The
 * kernel logs the syscall number (audit type 1326, in dmesg); the XDP
 * program stays attached as after kill -9: `xdpi detach IFACE` removes it.
 *
 * The filter is per thread (no TSYNC): the main thread, which tears down,
 * and the other threads are not under it.
 *
 * Errors: 0 or a negative errno.
 */
#ifndef XDPI_UTIL_SANDBOX_H
#define XDPI_UTIL_SANDBOX_H

/* In the calling thread: every capability dropped, then the filter, which
 * lets the thread use @fd (its AF_XDP socket or copy ring) and write to
 * stderr. Sets no_new_privs for this thread. */
int sandbox_enter_worker(int fd);

/* The filter alone, as sandbox_enter_worker() loads it (tests). */
int sandbox_load_filter(int fd);

#endif /* XDPI_UTIL_SANDBOX_H */
