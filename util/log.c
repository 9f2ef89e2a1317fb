// SPDX-License-Identifier: MIT
#include "log.h"

#include <stdio.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

static enum xdpi_log_level log_level = XDPI_LOG_INFO;

void xdpi_vlog(enum xdpi_log_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level > log_level)
		return;
	/* One write per message: lines of two threads never interleave. */
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "xdpi: %s%s\n", level == XDPI_LOG_WARN ? "warning: " : "", line);
}

void xdpi_log(enum xdpi_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xdpi_vlog(level, fmt, ap);
	va_end(ap);
}

/* libxdp warns about its own fallbacks (no bpffs, no dispatcher); xdpi
 * reports the outcome itself in one line, so these are for -v. Their text
 * ends in its own newline and carries its own prefix. */
static int log_libs(const char *fmt, va_list ap)
{
	if (log_level < XDPI_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int log_libxdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return log_libs(fmt, ap);
}

static int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return log_libs(fmt, ap);
}

void xdpi_log_init(enum xdpi_log_level level)
{
	log_level = level;
	libxdp_set_print(log_libxdp);
	libbpf_set_print(log_libbpf);
}

void xdpi_log_set_level(enum xdpi_log_level level)
{
	log_level = level;
}

enum xdpi_log_level xdpi_log_level(void)
{
	return log_level;
}
