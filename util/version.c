// SPDX-License-Identifier: MIT
#include "version.h"

#ifndef XDPI_VERSION
#define XDPI_VERSION "unknown"
#endif

const char *xdpi_version(void)
{
	return XDPI_VERSION;
}
