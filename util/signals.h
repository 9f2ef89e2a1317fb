/* SPDX-License-Identifier: MIT */
/*
 * How a command that runs until told to stop hears that it should. The
 * signals that would end the process by default (INT, TERM, HUP, QUIT: the
 * stop signals) are blocked in every thread, so none of them kills a run
 * halfway; the run's owner consumes them and ends the run through its one
 * ordered teardown. SIGPIPE is blocked too, so a closed pipe fails the
 * write with EPIPE instead of killing. Block before starting any thread:
 * threads inherit the mask.
 *
 * The owner hears them the way its loop is shaped: from a signalfd it
 * polls with its other events (live, afpacket), by waiting in a thread of
 * its own (gen, whose senders never block), or by looking between two
 * steps (bench, tune).
 */
#ifndef XDPI_UTIL_SIGNALS_H
#define XDPI_UTIL_SIGNALS_H

#include <stdbool.h>

/* Blocks the stop signals and SIGPIPE. 0 or -errno (logged). */
int xdpi_signals_block(void);
/* A non-blocking signalfd for the stop signals (blocked first), or -errno
 * (logged). */
int xdpi_signals_fd(void);
/* Reads one stop signal from @fd: its number, or 0 if none is pending. */
int xdpi_signals_read(int fd);
/* True if a stop signal is pending (blocked and not yet consumed). */
bool xdpi_signals_pending(void);
/* Waits for a stop signal; returns its number. */
int xdpi_signals_wait(void);
/* "SIGINT", "SIGTERM", ... */
const char *xdpi_signal_name(int signo);

#endif /* XDPI_UTIL_SIGNALS_H */
