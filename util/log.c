// SPDX-License-Identifier: MIT
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static enum xdpi_log_level log_level = XDPI_LOG_INFO;
static char log_prefix[64] = "xdpi";

void xdpi_log_set_prefix(const char *prefix)
{
	snprintf(log_prefix, sizeof(log_prefix), "%s", prefix);
}

const char *xdpi_log_prefix(void)
{
	return log_prefix;
}

void xdpi_vlog(enum xdpi_log_level level, const char *fmt, va_list ap)
{
	char line[1024], *big = NULL;
	va_list again;
	int n;

	if (level > log_level)
		return;
	/* One write per message: lines of two threads never interleave. A
	 * message longer than the buffer (an error quoting a long filter) is
	 * printed whole from the heap, never cut: its reason comes last. */
	va_copy(again, ap);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n >= (int)sizeof(line)) {
		big = malloc((size_t)n + 1);
		if (big)
			vsnprintf(big, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	fprintf(stderr, "%s: %s%s%s\n", log_prefix, level == XDPI_LOG_WARN ? "warning: " : "",
		big ? big : line,
		n >= (int)sizeof(line) && !big ? " [message cut: out of memory]" : "");
	free(big);
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
