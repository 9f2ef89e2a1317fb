/* SPDX-License-Identifier: MIT */
/*
 * How a command that runs until told to stop hears that it should: the
 * signals that would end the process by default (INT, TERM, HUP, QUIT) are
 * blocked and read from a signalfd by the thread that owns the run, which
 * then ends it through its one ordered teardown. SIGPIPE is blocked too, so
 * a closed pipe fails the write with EPIPE instead of killing. Call it
 * before starting any thread: threads inherit the mask.
 */
#ifndef XDPI_UTIL_SIGNALS_H
#define XDPI_UTIL_SIGNALS_H

/* The signalfd, or -errno (logged). */
int xdpi_signals_block(void);
/* Reads one pending signal from @fd: its number, or 0 if none. */
int xdpi_signals_read(int fd);
/* "SIGINT", "SIGTERM", ... */
const char *xdpi_signal_name(int signo);

#endif /* XDPI_UTIL_SIGNALS_H */
