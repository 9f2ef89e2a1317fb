// SPDX-License-Identifier: MIT
#include "alert_hook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/child.h"
#include "../util/log.h"

static void hook_child(int rfd, const char *cmd)
{
	if (dup2(rfd, STDIN_FILENO) < 0)
		_exit(127);
	xdpi_child_prepare(3);
	if (xdpi_child_drop_privileges())
		_exit(126);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int alert_hook_run(struct alert_hook *h, const json_t *obj)
{
	char *line;
	int fds[2], slot = -1;
	size_t len;
	pid_t pid;

	if (!h->cmd)
		return 0;
	alert_hook_reap(h);
	for (int i = 0; i < ALERT_HOOK_MAX && slot < 0; i++)
		if (!h->pids[i])
			slot = i;
	if (slot < 0) {
		if (!h->skipped++)
			xdpi_warn("--on-alert: %d commands still running: alerts are not handed "
				  "to it until one ends",
				  ALERT_HOOK_MAX);
		return -EBUSY;
	}
	line = json_dumps(obj, JSON_COMPACT);
	if (!line)
		return -ENOMEM;
	len = strlen(line);
	if (pipe2(fds, O_CLOEXEC)) {
		free(line);
		h->failed++;
		return -errno;
	}
	pid = fork();
	if (pid == 0)
		hook_child(fds[0], h->cmd);
	close(fds[0]);
	if (pid < 0) {
		int ret = -errno;

		close(fds[1]);
		free(line);
		h->failed++;
		xdpi_warn("--on-alert: cannot start '%s': %s", h->cmd, strerror(-ret));
		return ret;
	}
	h->pids[slot] = pid;
	/* One line of a few KiB fits the pipe's buffer: the write does not
	 * wait for the command to read. A command that exits without reading
	 * makes it fail (EPIPE, SIGPIPE blocked): nothing to do then. */
	if (write(fds[1], line, len) < 0 || write(fds[1], "\n", 1) < 0)
		h->failed++;
	close(fds[1]);
	free(line);
	return 0;
}

static void hook_reaped(struct alert_hook *h, int status)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!h->failed++)
			xdpi_warn("--on-alert: '%s' failed (%s %d)", h->cmd,
				  WIFEXITED(status) ? "exit status" : "signal",
				  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
}

void alert_hook_reap(struct alert_hook *h)
{
	for (int i = 0; i < ALERT_HOOK_MAX; i++) {
		int status;

		if (h->pids[i] && waitpid(h->pids[i], &status, WNOHANG) == h->pids[i]) {
			hook_reaped(h, status);
			h->pids[i] = 0;
		}
	}
}

void alert_hook_finish(struct alert_hook *h)
{
	struct timespec tick = {0, 10 * 1000000};
	int left = 0;

	for (int ms = 0; ms < ALERT_HOOK_FINISH_MS; ms += 10) {
		alert_hook_reap(h);
		left = 0;
		for (int i = 0; i < ALERT_HOOK_MAX; i++)
			left += h->pids[i] != 0;
		if (!left)
			break;
		nanosleep(&tick, NULL);
	}
	if (left)
		xdpi_warn("--on-alert: %d commands still running at the end: not waited for", left);
	if (h->skipped)
		xdpi_warn("--on-alert: %llu alerts not handed over (too many commands running)",
			  (unsigned long long)h->skipped);
}
