// SPDX-License-Identifier: MIT
#include "log.h"

#include <stdio.h>

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

void xdpi_log_set_level(enum xdpi_log_level level)
{
	log_level = level;
}

enum xdpi_log_level xdpi_log_level(void)
{
	return log_level;
}
