// SPDX-License-Identifier: MIT
/* xdpi tune: written next; placeholder removed before commit. */
#include "cmd.h"

int cmd_tune(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xdpi_err("tune: not built yet");
	return XDPI_EXIT_FAIL;
}
