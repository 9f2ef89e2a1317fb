// SPDX-License-Identifier: MIT
/*
 * Design: an allow list, by syscall name (libseccomp resolves them for
 * the architecture), measured with strace -f on live runs (busy polling,
 * spin-sleep, passive, flows, -w) and kept as short as that allows. The
 * syscalls on the worker's own descriptor are allowed only on it, so a
 * hijacked worker cannot talk through the other threads' sockets (IPFIX,
 * Prometheus) or files; it may write to stderr only (the log).
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <seccomp.h>

#include "privs.h"

/* ASan and UBSan (SAN=1), TSan (SAN=thread): their reports need more. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANDBOX_SANITIZED 1
#include <sanitizer/common_interface_defs.h>
#endif

/* Anywhere: memory (malloc, the flow table's nodes), futexes (liburcu
 * QSBR's wake-ups, mutexes), the idle wait, clocks, signal masks that
 * glibc sets around its own work, and the thread's exit. */
static const char *const sandbox_any[] = {
	"mmap", "munmap", "mprotect", "madvise", "mremap", "brk", "futex", "membarrier",
	"sched_yield", "poll", "ppoll", "nanosleep", "clock_nanosleep", "clock_gettime",
	"gettimeofday", "getpid", "gettid", "getrandom", "rseq", "set_robust_list",
	"rt_sigprocmask", "rt_sigreturn", "restart_syscall", "exit", "exit_group",
	/* The worker's own CPU time and context switches, once as it exits
	 * (the loss monitor's per-frame cost). */
	"getrusage",
#ifdef SANDBOX_SANITIZED
	/* The sanitizers' reports (measured on one from a sandboxed thread,
	 * tests/test_sandbox.c): the symbolizer's pipes, the module list. */
	"read", "write", "close", "fstat", "newfstatat", "fcntl", "ioctl", "readlink",
	"sigaltstack", /* a thread's exit */
#endif
};

/* Only on the worker's own descriptor: the busy-poll and wake-up calls,
 * its statistics and NAPI id. */
static const char *const sandbox_on_fd[] = {"recvfrom", "sendto", "getsockopt"};

static int sandbox_allow(scmp_filter_ctx ctx, const char *name, unsigned nargs,
			 struct scmp_arg_cmp arg)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A syscall this architecture does not have needs no rule. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return nargs ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, arg)
		     : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

int sandbox_load_filter(int fd)
{
	const struct scmp_arg_cmp none = {0};
	scmp_filter_ctx ctx;
	int ret = 0;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < sizeof(sandbox_any) / sizeof(sandbox_any[0]); i++)
		ret = sandbox_allow(ctx, sandbox_any[i], 0, none);
	for (size_t i = 0; !ret && i < sizeof(sandbox_on_fd) / sizeof(sandbox_on_fd[0]); i++)
		ret = sandbox_allow(ctx, sandbox_on_fd[i], 1, SCMP_A0(SCMP_CMP_EQ, (unsigned)fd));
#ifndef SANDBOX_SANITIZED
	/* The log; abort() (a sanitizer's too) signals this process only. */
	if (!ret)
		ret = sandbox_allow(ctx, "write", 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
#else
	/* A report reads /proc/self/maps and the binaries it symbolizes. */
	if (!ret)
		ret = sandbox_allow(ctx, "open", 1,
				    SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT, O_RDONLY));
	if (!ret)
		ret = sandbox_allow(ctx, "openat", 1,
				    SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT, O_RDONLY));
#endif
	if (!ret)
		ret = sandbox_allow(ctx, "tgkill", 1, SCMP_A0(SCMP_CMP_EQ, (unsigned)getpid()));
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}

#ifdef SANDBOX_SANITIZED
/* Starts the sanitizers' symbolizer now, while a new process can still be
 * made: a report from inside the filter then only talks to it through
 * pipes. Once per process: TSan's sandbox notice joins its background
 * thread, and a second worker joining it again waited forever. */
static void sandbox_prepare_sanitizers(void)
{
	char buf[64];

	__sanitizer_sandbox_on_notify(NULL);
	__sanitizer_symbolize_pc(__builtin_return_address(0), "%p", buf, sizeof(buf));
}
#endif

int sandbox_enter_worker(int fd)
{
	int ret;

#ifdef SANDBOX_SANITIZED
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sandbox_prepare_sanitizers);
#endif
	ret = privs_drop_thread();
	if (!ret)
		ret = sandbox_load_filter(fd);
	return ret;
}
