// SPDX-License-Identifier: MIT
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

int xdpi_run_cmd(char *const argv[], char *err, size_t err_len)
{
	int status, pipefd[2] = {-1, -1};
	pid_t pid;

	if (err && pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int ret = -errno;

		if (err) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return ret;
	}
	if (!pid) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		dup2(null, 1);
		dup2(err ? pipefd[1] : null, 2);
		xdpi_child_prepare(3);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (err) {
		size_t got = 0;
		ssize_t n;

		close(pipefd[1]);
		while ((n = read(pipefd[0], err + got, err_len - 1 - got)) > 0 &&
		       got + (size_t)n < err_len - 1)
			got += (size_t)n;
		if (n > 0)
			got += (size_t)n;
		err[got] = 0;
		close(pipefd[0]);
		while (got && (err[got - 1] == '\n' || err[got - 1] == ' '))
			err[--got] = 0;
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}
