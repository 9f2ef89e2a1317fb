// SPDX-License-Identifier: MIT
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"

int xdpi_signals_block(void)
{
	sigset_t mask;
	int fd, ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGPIPE);
	ret = pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if (ret) {
		xdpi_err("cannot block signals: %s", strerror(ret));
		return -ret;
	}
	sigdelset(&mask, SIGPIPE);
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
