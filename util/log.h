/* SPDX-License-Identifier: MIT */
/*
 * The one way messages reach the user: "xdpi COMMAND: ..." lines on stderr,
 * by level (the prefix is "xdpi" until main() names the subcommand,
 * xdpi_log_set_prefix()). Library code (capture/, xsk/, bpf/, bench/) reports through here and
 * never writes to stdout, which belongs to the subcommand's results.
 * libbpf's and libxdp's own messages are routed here once, at start
 * (xdpi_bpf_log_init(), bpf/bpflog.h), and shown from XDPI_LOG_DEBUG (-v)
 * on.
 *
 * Concurrency: any thread may log; the level and the prefix are set before
 * threads start.
 */
#ifndef XDPI_UTIL_LOG_H
#define XDPI_UTIL_LOG_H

#include <stdarg.h>

enum xdpi_log_level {
	XDPI_LOG_ERR = 0,
	XDPI_LOG_WARN,
	XDPI_LOG_INFO,	/* what set-up did: modes, knobs, fallbacks (default) */
	XDPI_LOG_DEBUG, /* libbpf's and libxdp's messages too (-v) */
};

void xdpi_log_set_level(enum xdpi_log_level level);
/* The prefix of every message, "xdpi live" (copied, at most 63 bytes); set
 * once by main() before any thread starts. */
void xdpi_log_set_prefix(const char *prefix);
const char *xdpi_log_prefix(void);
enum xdpi_log_level xdpi_log_level(void);

void xdpi_log(enum xdpi_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xdpi_vlog(enum xdpi_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define xdpi_err(...) xdpi_log(XDPI_LOG_ERR, __VA_ARGS__)
#define xdpi_warn(...) xdpi_log(XDPI_LOG_WARN, __VA_ARGS__)
#define xdpi_info(...) xdpi_log(XDPI_LOG_INFO, __VA_ARGS__)
#define xdpi_debug(...) xdpi_log(XDPI_LOG_DEBUG, __VA_ARGS__)

#endif /* XDPI_UTIL_LOG_H */
