/* SPDX-License-Identifier: MIT */
/*
 * Who owns the steering program on an interface: a running `xdpi live`
 * holds an exclusive flock(2) on /run/xdpi/NETNS-IFINDEX.lock for as long
 * as its program is attached, with its pid written in the file. The kernel
 * drops the lock when the process dies, however it dies, so a lock that can
 * be taken means the program on the hook (if any) was left by a dead run,
 * and one that cannot means a live run still uses it.
 *
 * Keyed by the network namespace's inode and the ifindex, not the name:
 * every test namespace has an interface of the same name, and /run is
 * shared between namespaces.
 *
 * Only root can open a lock: the directory is 0700 and root's, the files
 * 0600 (owner.c says why and what is done with a directory or a file
 * found otherwise).
 *
 * Errors: int functions return 0 or a negative errno, with a line for
 * the user in @err.
 * Concurrency: a lock belongs to the thread that took it.
 */
#ifndef XDPI_BPF_OWNER_H
#define XDPI_BPF_OWNER_H

#include <stddef.h>
#include <sys/types.h>

struct xdpi_owner {
	int fd; /* -1: not held */
	char path[256];
};

/* Takes the lock of @ifindex for this process. -EBUSY when another process
 * holds it (its pid in *@holder, 0 if unknown); -EPERM when /run/xdpi or
 * the lock file cannot be trusted (not a directory or not root's, a lock
 * that is not a regular file: @err says which and what to do); another
 * negative errno when nothing could be recorded (no /run). */
int xdpi_owner_lock(struct xdpi_owner *o, int ifindex, pid_t *holder, char *err, size_t err_len);
/* The same in @dir instead of /run/xdpi (tests/test_owner.c). */
int xdpi_owner_lock_in(struct xdpi_owner *o, const char *dir, int ifindex, pid_t *holder, char *err,
		       size_t err_len);
/* Whether a running `xdpi live` holds the lock of @ifindex, looked at
 * without taking it or making anything: 1 held, 0 not (no file, or a file
 * whose run is gone), a negative errno when it cannot be told (not root:
 * -EACCES). */
int xdpi_owner_probe(int ifindex);
/* Removes the file and drops the lock. Accepts a lock not held. */
void xdpi_owner_release(struct xdpi_owner *o);

#endif /* XDPI_BPF_OWNER_H */
