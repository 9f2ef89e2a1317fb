// SPDX-License-Identifier: MIT
#include "child.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cap-ng.h>

/* The kernel's struct sigaction (x86-64 and arm64 layout), for the C
 * library's own signals, which sigaction() refuses to touch. */
struct child_kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void xdpi_child_prepare(int first_fd)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	/* SIGKILL and SIGSTOP refuse; they are at their default already. */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
		/* glibc keeps 32 and 33 (thread cancellation, set*id broadcast) for
		 * itself, and its sigaction() refuses them; but an ignored signal
		 * survives exec, and GNU make starts its commands with both ignored:
		 * reset them through the system call. */
#if defined(__x86_64__) || defined(__aarch64__)
	for (int sig = 32; sig < SIGRTMIN; sig++) {
		const struct child_kernel_sigaction k = {.handler = SIG_DFL};

		syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
	}
#endif
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_range((unsigned int)first_fd, ~0u, 0);
}

int xdpi_child_drop_privileges(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	/* The bounding set needs CAP_SETPCAP to change; without it the caller
	 * is not root, and an exec gives nothing back anyway. */
	if (capng_apply(CAPNG_SELECT_BOTH) && capng_apply(CAPNG_SELECT_CAPS))
		return -EPERM;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -EPERM;
	return 0;
}
