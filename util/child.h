/* SPDX-License-Identifier: MIT */
/*
 * What a child of xdpi starts with, between fork() and exec(). The parent
 * blocks the stop signals and SIGPIPE (util/signals.h), and may have been
 * started with some signals ignored (a shell's background job ignores INT
 * and QUIT); a mask and ignored dispositions survive exec, so without this
 * a child could not be interrupted or told of a closed pipe. Descriptors
 * survive exec unless close-on-exec: xdpi opens its own so, but a library
 * or xdpi's own parent may not have, so the child closes every one past
 * those it was handed.
 *
 * Concurrency: call only in the child of fork(), before exec (it uses
 * async-signal-safe calls only).
 */
#ifndef XDPI_UTIL_CHILD_H
#define XDPI_UTIL_CHILD_H

#include <stddef.h>

/* Restores every signal's default disposition and an empty mask, and
 * closes every descriptor from @first_fd on (3: keep stdin, stdout and
 * stderr). */
void xdpi_child_prepare(int first_fd);
/* For a child that needs no privilege (gnuplot): drops every capability,
 * the bounding set too when it may (so that an exec as root does not give
 * them back), and sets no_new_privs (so that no setuid or file-capability
 * binary does). 0, or -EPERM: the child must not exec. */
int xdpi_child_drop_privileges(void);

/* Runs argv (found on PATH) to completion, as a child prepared as above.
 * Its stdout is discarded; its stderr too, or kept (the first @err_len - 1
 * bytes, trailing blanks cut) in @err when @err is given. Returns its exit
 * status (127: it could not be run) or -errno. */
int xdpi_run_cmd(char *const argv[], char *err, size_t err_len);

#endif /* XDPI_UTIL_CHILD_H */
