// SPDX-License-Identifier: MIT
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"

static void stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

int xdpi_signals_block(void)
{
	sigset_t mask;
	int ret;

	stop_set(&mask);
	sigaddset(&mask, SIGPIPE);
	ret = pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if (ret) {
		xdpi_err("cannot block signals: %s", strerror(ret));
		return -ret;
	}
	return 0;
}

int xdpi_signals_fd(void)
{
	sigset_t mask;
	int fd, ret;

	ret = xdpi_signals_block();
	if (ret)
		return ret;
	stop_set(&mask);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		xdpi_err("cannot set up signal handling: %s", strerror(-ret));
		return ret;
	}
	return fd;
}

int xdpi_signals_read(int fd)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

bool xdpi_signals_pending(void)
{
	sigset_t pending, stop;

	stop_set(&stop);
	if (sigpending(&pending))
		return false;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&stop, s) == 1 && sigismember(&pending, s) == 1)
			return true;
	return false;
}

int xdpi_signals_wait(void)
{
	sigset_t stop;
	int sig = 0;

	stop_set(&stop);
	while (sigwait(&stop, &sig))
		;
	return sig;
}

const char *xdpi_signal_name(int signo)
{
	switch (signo) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	case SIGQUIT:
		return "SIGQUIT";
	default:
		return "a signal";
	}
}
