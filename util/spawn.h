/* SPDX-License-Identifier: MIT */
/*
 * Children that need no privilege (gnuplot for `xdpi tune`): popen(3)
 * without the shell, and with every capability dropped in the child before
 * exec, the bounding set too, so that an exec as root does not give them
 * back, and no_new_privs, so that no setuid or file-capability binary does.
 *
 * Errors: spawn_unprivileged_writer() returns NULL and sets errno;
 * spawn_wait() returns 0 when the child exited 0, else -EIO or a negative
 * errno.
 */
#ifndef XDPI_UTIL_SPAWN_H
#define XDPI_UTIL_SPAWN_H

#include <stdio.h>
#include <sys/types.h>

/* Runs argv[0] (PATH searched) with @argv; the returned stream is its
 * standard input; its standard error goes where its standard output goes
 * (ours). */
FILE *spawn_unprivileged_writer(char *const argv[], pid_t *pid);
/* Closes the stream and reaps the child. */
int spawn_wait(FILE *in, pid_t pid);

#endif /* XDPI_UTIL_SPAWN_H */
