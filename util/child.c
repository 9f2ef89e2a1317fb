// SPDX-License-Identifier: MIT
#include "child.h"

#include <signal.h>
#include <unistd.h>

void xdpi_child_prepare(int first_fd)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	/* SIGKILL, SIGSTOP and the C library's own real-time signals refuse;
	 * they are at their default already. */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_range((unsigned int)first_fd, ~0u, 0);
}
