/* SPDX-License-Identifier: MIT */
/*
 * Thread sandboxes: every thread of a live run but the main one gives up
 * every capability (effective, permitted, inheritable, ambient and, where
 * it still holds one, bounding), sets no_new_privs and loads a seccomp
 * filter fitted to its role, before it reads anything an attacker chose.
 * The lists and the reasons for each entry are in sandbox.c; the per-thread
 * table is docs/security.md's.
 *
 * A forbidden syscall kills the whole process (SECCOMP_RET_KILL_PROCESS,
 * SIGSYS): a thread that makes one is broken or hijacked, and nothing it
 * would do next can be trusted, not even a teardown it takes part in. The
 * kernel logs the syscall number (audit type 1326, in dmesg); the XDP
 * program stays attached as after kill -9: `xdpi detach IFACE` removes it.
 *
 * A filter is per thread (no TSYNC) while the memory is shared: a thread
 * that runs code of an attacker's choosing can still write what the others
 * read. The filters bound what it can do by itself (no file opened, no
 * socket made or connected but the IPFIX exporter's datagrams, nothing
 * executed); docs/security.md says what is left.
 *
 * A thread that cannot enter its sandbox says so and should stop; the count
 * of those is sandbox_failures(), which the run watches.
 *
 * Errors: 0 or a negative errno.
 */
#ifndef XDPI_UTIL_SANDBOX_H
#define XDPI_UTIL_SANDBOX_H

#include <stdint.h>

enum sandbox_role {
	/* A queue's worker; fd: its AF_XDP socket or copy ring. */
	SANDBOX_WORKER,
	/* The Prometheus HTTP server; fd: its listening socket. */
	SANDBOX_HTTP,
	/* The IPFIX exporter (libfixbuf's UDP socket, made by the library). */
	SANDBOX_IPFIX,
	/* The flow table's maintainer. */
	SANDBOX_EXPIRY,
	/* liburcu's call_rcu thread: frees flows, writes their JSON lines;
	 * fd: the JSON-lines file, or -1. */
	SANDBOX_RECLAIM,
	/* The pcapng writer of -w; fd: its file. */
	SANDBOX_WRITER,
	/* The loss monitor: socket statistics, /proc/self/task schedstat. */
	SANDBOX_LOSSWATCH,
	SANDBOX__ROLES
};

/* In the calling thread: every capability dropped, no_new_privs, then
 * @role's filter. Logs why on failure and counts it. */
int sandbox_enter(enum sandbox_role role, int fd);

/* Makes every role's filter now, while memory is plentiful: call it once
 * at start, before anything is attached. Threads then load theirs without
 * libseccomp, which crashes when an allocation fails under it. Without
 * it, each thread has libseccomp make its own. Logs why on failure. */
int sandbox_prepare(void);

/* The filter alone, as sandbox_enter() loads it (tests). */
int sandbox_load_filter(enum sandbox_role role, int fd);

struct sock_filter;
/* @role's program for @fd as it would be loaded, into @out (at most @max
 * instructions): its length, or a negative errno (tests). */
int sandbox_program(enum sandbox_role role, int fd, struct sock_filter *out, unsigned max);

/* Threads that could not enter their sandbox, since the process started. */
uint64_t sandbox_failures(void);

/* The role's name, as logged ("worker", "http", ...). */
const char *sandbox_role_name(enum sandbox_role role);

#endif /* XDPI_UTIL_SANDBOX_H */
