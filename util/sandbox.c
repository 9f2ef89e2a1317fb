// SPDX-License-Identifier: MIT
/*
 * Design: an allow list per role, by syscall name (libseccomp resolves them
 * for the architecture), measured with strace -f and with the filters in
 * log mode (XDPI_TEST_SANDBOX_LOG, docs/testing.md) over the live tests,
 * and kept as short as that allows. Calls on a descriptor the role owns
 * are allowed on that descriptor only, so that a hijacked thread cannot
 * talk through the others' sockets or files; every role may write to
 * stderr (the log). No role may open a file (but the loss monitor, read
 * only), make a socket (but the IPFIX exporter's datagram socket), connect,
 * bind, execute, change ids or make memory executable. A forbidden call
 * kills the process, except the few that libraries make on paths that
 * cope with a refusal, which fail with EACCES (sandbox_refuse()).
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <unistd.h>

#include <seccomp.h>

#include "log.h"
#include "privs.h"

/* ASan and UBSan (SAN=1), TSan (SAN=thread): their reports need more. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANDBOX_SANITIZED 1
#include <sanitizer/common_interface_defs.h>
#endif

static uint64_t sandbox_failed; /* atomic */

/* Every role: memory (malloc, the flow records), futexes (mutexes,
 * condition variables, liburcu's wake-ups), sleeps and clocks, signal
 * masks that glibc sets around its own work, and the thread's exit. */
static const char *const sandbox_any[] = {
	"munmap", "madvise", "mremap", "brk", "futex", "membarrier", "sched_yield", "poll", "ppoll",
	"nanosleep", "clock_nanosleep", "clock_gettime", "gettimeofday", "getpid", "gettid",
	"getrandom", "rseq", "set_robust_list", "rt_sigprocmask", "rt_sigreturn", "restart_syscall",
	"exit", "exit_group",
	/* The thread's own CPU time (the loss monitor's per-frame cost, the
	 * maintainer's pacing). */
	"getrusage",
#ifdef SANDBOX_SANITIZED
	/* The sanitizers' reports (measured on one from a sandboxed thread,
	 * tests/test_sandbox.c): the symbolizer's pipes, the module list. */
	"read", "write", "close", "fstat", "newfstatat", "fcntl", "ioctl", "readlink",
	"sigaltstack", /* a thread's exit */
#endif
};

/* A role's own list; on_fd entries only on the descriptor it is given. */
struct sandbox_profile {
	const char *name;
	const char *const *any;
	const char *const *on_fd;
	unsigned flags;
};

/* May open files read-only (the loss monitor's /proc/self/task files). */
#define SANDBOX_READ_FILES 1u
/* May make a datagram socket (libfixbuf reconnects after a failed send),
 * and a route netlink one (its getaddrinfo()). */
#define SANDBOX_DATAGRAM 2u

/* The busy-poll and wake-up calls, the socket's statistics and NAPI id. */
static const char *const worker_on_fd[] = {"recvfrom", "sendto", "getsockopt", NULL};

/* Accepting on the listening socket; the rest on the connections, whose
 * descriptors are not known in advance: reading the request, writing the
 * answer, closing (libmicrohttpd's select() loop, its options on
 * accepted sockets). */
static const char *const http_any[] = {
	"read",	   "recvfrom", "recvmsg",     "write",	     "writev",	   "sendto",
	"sendmsg", "close",    "shutdown",    "setsockopt",  "getsockopt", "fcntl",
	"select",  "pselect6", "getsockname", "getpeername", "ioctl",	   NULL};
static const char *const http_on_fd[] = {"accept", "accept4", NULL};

/* libfixbuf's sends, and its connect: it opens its socket at the first
 * message and again after a failed send, each time through getaddrinfo(),
 * which asks the kernel for the host's addresses over a route netlink
 * socket (AI_ADDRCONFIG; the dump needs no privilege, and a change would
 * need one this thread does not have). */
static const char *const ipfix_any[] = {"sendto",     "send",	 "sendmsg",	"write",
					"writev",     "connect", "bind",	"close",
					"recvfrom",   "recvmsg", "getsockname", "getsockopt",
					"setsockopt", "fcntl",	 NULL};

/* The JSON lines of the flows it frees (stdio: one write per buffer; an
 * fstat of the descriptor when the buffer is made). */
static const char *const reclaim_on_fd[] = {"write",	  "writev", "fstat",
					    "newfstatat", "lseek",  NULL};

/* The capture file. */
static const char *const writer_on_fd[] = {"write", "writev", "pwrite64",  "fstat", "newfstatat",
					   "lseek", "fsync",  "fdatasync", NULL};

/* The sockets' statistics, the workers' schedstat files. */
static const char *const losswatch_any[] = {"getsockopt", "read",  "pread64", "close",
					    "fstat",	  "lseek", NULL};

static const char *const none[] = {NULL};

static const struct sandbox_profile sandbox_profiles[SANDBOX__ROLES] = {
	[SANDBOX_WORKER] = {"worker", none, worker_on_fd, 0},
	[SANDBOX_HTTP] = {"http", http_any, http_on_fd, 0},
	[SANDBOX_IPFIX] = {"ipfix", ipfix_any, none, SANDBOX_DATAGRAM},
	[SANDBOX_EXPIRY] = {"flow-expiry", none, none, 0},
	[SANDBOX_RECLAIM] = {"call_rcu", none, reclaim_on_fd, 0},
	[SANDBOX_WRITER] = {"pcapng-writer", none, writer_on_fd, 0},
	[SANDBOX_LOSSWATCH] = {"losswatch", losswatch_any, none, SANDBOX_READ_FILES},
};

const char *sandbox_role_name(enum sandbox_role role)
{
	return role < SANDBOX__ROLES ? sandbox_profiles[role].name : "?";
}

uint64_t sandbox_failures(void)
{
	return __atomic_load_n(&sandbox_failed, __ATOMIC_RELAXED);
}

static int sandbox_rule(scmp_filter_ctx ctx, const char *name, unsigned nargs,
			struct scmp_arg_cmp arg)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A syscall this architecture does not have needs no rule. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return nargs ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, arg)
		     : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

#ifndef SANDBOX_SANITIZED
/* Refused with EACCES instead of killing: calls a library makes on a path
 * that copes with their failure. */
static int sandbox_refuse(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	return nr == __NR_SCMP_ERROR ? 0 : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 0);
}
#endif

static int sandbox_list(scmp_filter_ctx ctx, const char *const *names, unsigned nargs,
			struct scmp_arg_cmp arg)
{
	int ret = 0;

	for (size_t i = 0; !ret && names[i]; i++)
		ret = sandbox_rule(ctx, names[i], nargs, arg);
	return ret;
}

/* Memory, never executable: a hijacked thread cannot map code of its own. */
static int sandbox_memory(scmp_filter_ctx ctx)
{
	int ret;

#ifdef SANDBOX_SANITIZED
	ret = sandbox_rule(ctx, "mmap", 0, (struct scmp_arg_cmp){0});
	if (!ret)
		ret = sandbox_rule(ctx, "mprotect", 0, (struct scmp_arg_cmp){0});
#else
	ret = sandbox_rule(ctx, "mmap", 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!ret)
		ret = sandbox_rule(ctx, "mprotect", 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
#endif
	return ret;
}

/* The default action: kill, or log only (XDPI_TEST_SANDBOX_LOG, to
 * measure a list: the kernel logs each call the filter would refuse). */
static uint32_t sandbox_default_action(void)
{
	const char *v = getenv("XDPI_TEST_SANDBOX_LOG");

	return v && *v == '1' ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
}

/* @role's filter for descriptor @fd, in *@out (seccomp_release() it). */
static int sandbox_build(enum sandbox_role role, int fd, scmp_filter_ctx *out)
{
	const struct scmp_arg_cmp none_arg = {0};
	const struct sandbox_profile *p;
	scmp_filter_ctx ctx;
	int ret = 0;

	*out = NULL;
	if (role >= SANDBOX__ROLES)
		return -EINVAL;
	p = &sandbox_profiles[role];
	ctx = seccomp_init(sandbox_default_action());
	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < sizeof(sandbox_any) / sizeof(sandbox_any[0]); i++)
		ret = sandbox_rule(ctx, sandbox_any[i], 0, none_arg);
	if (!ret)
		ret = sandbox_memory(ctx);
	if (!ret)
		ret = sandbox_list(ctx, p->any, 0, none_arg);
	if (!ret && fd >= 0)
		ret = sandbox_list(ctx, p->on_fd, 1, SCMP_A0(SCMP_CMP_EQ, (unsigned)fd));
	if (!ret && (p->flags & SANDBOX_DATAGRAM)) {
		/* socket(AF_INET or AF_INET6, SOCK_DGRAM[|flags], ...) */
		int nr = seccomp_syscall_resolve_name("socket");

		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, SCMP_A0(SCMP_CMP_EQ, AF_INET),
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
					       SCMP_A0(SCMP_CMP_EQ, AF_INET6),
					       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
					       SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
					       SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE));
		/* getaddrinfo() also asks nscd (and reads files, refused
		 * below) as the host's configuration says, although the
		 * collector is numeric: refused, and it does without. */
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 1,
					       SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	}
#ifndef SANDBOX_SANITIZED
	/* The log; abort() (a sanitizer's too) signals this process only. */
	if (!ret)
		ret = sandbox_rule(ctx, "write", 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
	/* Files: refused, not fatal, to a role that reads none. Libraries
	 * open some on paths that cope with a refusal: glibc's malloc reads
	 * /proc/sys/vm/overcommit_memory the first time a thread's arena
	 * shrinks; getaddrinfo() reads nsswitch.conf, hosts and gai.conf. */
	if (!ret && !(p->flags & SANDBOX_READ_FILES))
		ret = sandbox_refuse(ctx, "open");
	if (!ret && !(p->flags & SANDBOX_READ_FILES))
		ret = sandbox_refuse(ctx, "openat");
	if (!ret && (p->flags & SANDBOX_READ_FILES))
#else
	/* A report reads /proc/self/maps and the binaries it symbolizes. */
	if (!ret)
#endif
	{
		ret = sandbox_rule(ctx, "open", 1,
				   SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT, O_RDONLY));
		if (!ret)
			ret = sandbox_rule(
				ctx, "openat", 1,
				SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT, O_RDONLY));
	}
	if (!ret)
		ret = sandbox_rule(ctx, "tgkill", 1, SCMP_A0(SCMP_CMP_EQ, (unsigned)getpid()));
	if (ret)
		seccomp_release(ctx);
	else
		*out = ctx;
	return ret;
}

/*
 * Filters made in advance. libseccomp 2.5 crashes inside seccomp_load()
 * when an allocation fails while it generates the program (measured: a
 * SIGSEGV in the flow maintainer's sandbox_enter() under `ulimit -v`, which
 * left the XDP program attached). So sandbox_prepare() has libseccomp write
 * each role's program at start, before the run takes its memory, with
 * SANDBOX_FD_MARK where the role's descriptor goes; a thread then copies
 * its role's program onto its stack, puts its descriptor in place of the
 * mark and loads it with the seccomp() system call, which allocates
 * nothing in the process.
 */
#define SANDBOX_FD_MARK 0x7e5d0fd5u
#define SANDBOX_MAX_INSNS 1024
struct sandbox_prog {
	unsigned short len;
	struct sock_filter insns[SANDBOX_MAX_INSNS];
};
static struct sandbox_prog sandbox_progs[SANDBOX__ROLES];
static bool sandbox_prepared; /* written once, before any thread starts */
static pid_t sandbox_pid;     /* the process they were made for (tgkill's rule) */

/* @ctx's program into @out, through a memory file (libseccomp 2.5 has no
 * export to memory). */
static int sandbox_export(scmp_filter_ctx ctx, struct sandbox_prog *out)
{
	int fd = memfd_create("xdpi-seccomp", MFD_CLOEXEC), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	ret = seccomp_export_bpf(ctx, fd);
	if (!ret && lseek(fd, 0, SEEK_SET) < 0)
		ret = -errno;
	if (!ret) {
		n = read(fd, out->insns, sizeof(out->insns));
		if (n < 0)
			ret = -errno;
		else if (n == 0 || n % (ssize_t)sizeof(struct sock_filter) ||
			 n == (ssize_t)sizeof(out->insns))
			ret = -E2BIG; /* empty, torn, or longer than we keep */
		else
			out->len = (unsigned short)(n / (ssize_t)sizeof(struct sock_filter));
	}
	close(fd);
	return ret;
}

static int sandbox_export_role(enum sandbox_role role, int fd, struct sandbox_prog *out)
{
	scmp_filter_ctx ctx;
	int ret = sandbox_build(role, fd, &ctx);

	if (!ret) {
		ret = sandbox_export(ctx, out);
		seccomp_release(ctx);
	}
	return ret;
}

/* Whether @insn compares the accumulator with the constant @k. */
static bool sandbox_is_cmp_k(const struct sock_filter *insn, uint32_t k)
{
	return BPF_CLASS(insn->code) == BPF_JMP && BPF_SRC(insn->code) == BPF_K && insn->k == k;
}

/* Made with two marks, a role's programs must differ exactly where each
 * compares with its mark: then the mark stands for the descriptor only. */
static int sandbox_check_marks(const struct sandbox_prog *a, const struct sandbox_prog *b)
{
	if (a->len != b->len)
		return -EPROTO;
	for (unsigned i = 0; i < a->len; i++) {
		bool marked = sandbox_is_cmp_k(&a->insns[i], SANDBOX_FD_MARK);

		if (marked != sandbox_is_cmp_k(&b->insns[i], SANDBOX_FD_MARK + 1))
			return -EPROTO;
		if (!marked && memcmp(&a->insns[i], &b->insns[i], sizeof(a->insns[i])))
			return -EPROTO;
	}
	return 0;
}

int sandbox_prepare(void)
{
	static struct sandbox_prog other;
	int ret = 0;

	if (sandbox_prepared)
		return 0;
	for (int r = 0; !ret && r < SANDBOX__ROLES; r++) {
		ret = sandbox_export_role(r, (int)SANDBOX_FD_MARK, &sandbox_progs[r]);
		if (!ret)
			ret = sandbox_export_role(r, (int)SANDBOX_FD_MARK + 1, &other);
		if (!ret)
			ret = sandbox_check_marks(&sandbox_progs[r], &other);
	}
	if (ret)
		xdpi_err("cannot make the threads' seccomp filters: %s", strerror(-ret));
	sandbox_pid = getpid();
	sandbox_prepared = !ret;
	return ret;
}

int sandbox_program(enum sandbox_role role, int fd, struct sock_filter *out, unsigned max)
{
	const struct sandbox_prog *p;
	struct sandbox_prog fresh;
	int ret;

	if (role >= SANDBOX__ROLES)
		return -EINVAL;
	if (!sandbox_prepared || sandbox_pid != getpid()) {
		ret = sandbox_export_role(role, fd, &fresh);
		if (ret)
			return ret;
		p = &fresh;
	} else {
		p = &sandbox_progs[role];
	}
	if (p->len > max)
		return -E2BIG;
	memcpy(out, p->insns, sizeof(*out) * p->len);
	if (p != &fresh)
		for (unsigned i = 0; i < p->len; i++)
			if (sandbox_is_cmp_k(&out[i], SANDBOX_FD_MARK))
				out[i].k = (uint32_t)fd;
	return p->len;
}

int sandbox_load_filter(enum sandbox_role role, int fd)
{
	struct sock_filter insns[SANDBOX_MAX_INSNS];
	struct sock_fprog prog = {.filter = insns};
	scmp_filter_ctx ctx;
	int ret;

	if (!sandbox_prepared || sandbox_pid != getpid()) {
		/* Tests, commands that made none, a child: libseccomp loads it. */
		ret = sandbox_build(role, fd, &ctx);
		if (!ret) {
			ret = seccomp_load(ctx);
			seccomp_release(ctx);
		}
		return ret;
	}
	ret = sandbox_program(role, fd, insns, SANDBOX_MAX_INSNS);
	if (ret < 0)
		return ret;
	prog.len = (unsigned short)ret;
	/* What seccomp_load() does with libseccomp's defaults: no new
	 * privileges, then this thread's filter (no TSYNC, no flags). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

#ifdef SANDBOX_SANITIZED
/* Starts the sanitizers' symbolizer now, while a new process can still be
 * made: a report from inside the filter then only talks to it through
 * pipes. Once per process: TSan's sandbox notice joins its background
 * thread, and a second thread joining it again waited forever. */
static void sandbox_prepare_sanitizers(void)
{
	char buf[64];

	__sanitizer_sandbox_on_notify(NULL);
	__sanitizer_symbolize_pc(__builtin_return_address(0), "%p", buf, sizeof(buf));
}
#endif

int sandbox_enter(enum sandbox_role role, int fd)
{
	int ret;

#ifdef SANDBOX_SANITIZED
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sandbox_prepare_sanitizers);
#endif
	ret = privs_shed_thread();
	if (!ret)
		ret = sandbox_load_filter(role, fd);
	if (ret) {
		__atomic_add_fetch(&sandbox_failed, 1, __ATOMIC_RELAXED);
		xdpi_err("the %s thread cannot enter its sandbox: %s", sandbox_role_name(role),
			 strerror(ret < 0 ? -ret : ret));
	}
	return ret;
}
