// SPDX-License-Identifier: MIT
#include "bpflog.h"

#include <stdio.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "../util/log.h"

/* libxdp warns about its own fallbacks (no bpffs, no dispatcher); xdpi
 * reports the outcome itself in one line, so these are for -v. Their text
 * carries its own prefix and newline. */
static int bpflog_print(const char *fmt, va_list ap)
{
	if (xdpi_log_level() < XDPI_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int bpflog_libxdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return bpflog_print(fmt, ap);
}

static int bpflog_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return bpflog_print(fmt, ap);
}

void xdpi_bpf_log_init(void)
{
	libxdp_set_print(bpflog_libxdp);
	libbpf_set_print(bpflog_libbpf);
}
