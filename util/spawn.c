// SPDX-License-Identifier: MIT
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>

/* In the child, between fork and exec. A child that cannot drop what it
 * holds does not run. */
static void spawn_child(int in, char *const argv[])
{
	if (dup2(in, STDIN_FILENO) < 0 || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
		_exit(126);
	close(in);
	capng_clear(CAPNG_SELECT_BOTH);
	/* The bounding set needs CAP_SETPCAP to change; without it the caller
	 * is not root, and an exec gives nothing back anyway. */
	if (capng_apply(CAPNG_SELECT_BOTH) && capng_apply(CAPNG_SELECT_CAPS))
		_exit(126);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

FILE *spawn_unprivileged_writer(char *const argv[], pid_t *pid)
{
	int fds[2];
	FILE *f;

	if (pipe2(fds, O_CLOEXEC))
		return NULL;
	*pid = fork();
	if (*pid < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		errno = e;
		return NULL;
	}
	if (!*pid)
		spawn_child(fds[0], argv);
	close(fds[0]);
	f = fdopen(fds[1], "w");
	if (!f) {
		int e = errno;

		close(fds[1]);
		waitpid(*pid, NULL, 0);
		errno = e;
	}
	return f;
}

int spawn_wait(FILE *in, pid_t pid)
{
	int status, ret = fclose(in) ? -errno : 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (ret)
		return ret;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}
