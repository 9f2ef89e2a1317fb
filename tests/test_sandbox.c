// SPDX-License-Identifier: MIT
/*
 * Unit tests of the worker sandbox (util/sandbox.c): in a thread of a
 * forked child, the filter lets through what a worker does (memory,
 * futexes, the clock, the idle wait, its own socket, the log) and kills the
 * whole process with SIGSYS on anything else (a new socket, opening a
 * file, another descriptor, stdout); it binds that thread only, not the
 * process; sandbox_enter() leaves the thread no capability. And
 * util/spawn.c: a child (gnuplot) runs with nothing, reads what is written
 * to it, and its exit status comes back.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/sandbox.h"
#include "util/child.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

/* The sanitizers' runtimes need more of the filters (util/sandbox.c). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#endif

/* What the sandboxed thread does after the filter is loaded. */
enum act {
	ACT_WORKER,	  /* what a worker does: must all work */
	ACT_SOCKET,	  /* socket(): forbidden */
	ACT_OPEN,	  /* openat() for writing: forbidden */
	ACT_OTHER_FD,	  /* recvfrom() on a descriptor not its own */
	ACT_STDOUT,	  /* write() to stdout */
	ACT_GETSOCKOPT_2, /* getsockopt() on the other socket */
};

struct job {
	enum act act;
	int fd, other;
	int failures; /* allowed calls that did not work */
};

static void *sandboxed(void *arg)
{
	struct job *j = arg;
	struct timespec ts = {0, 1000};
	struct pollfd pfd = {.fd = j->fd, .events = POLLIN};
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	char buf[16];
	int v = 0;
	socklen_t len = sizeof(v);
	void *p;

	if (sandbox_load_filter(SANDBOX_WORKER, j->fd)) {
		j->failures = 100;
		return NULL;
	}
	switch (j->act) {
	case ACT_WORKER:
		p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		j->failures += p == MAP_FAILED;
		if (p != MAP_FAILED) {
			j->failures += madvise(p, 1 << 20, MADV_DONTNEED) != 0;
			j->failures += munmap(p, 1 << 20) != 0;
		}
		p = malloc(4 << 20); /* past the mmap threshold */
		j->failures += !p;
		free(p);
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		j->failures += clock_gettime(CLOCK_MONOTONIC, &ts) != 0;
		ts.tv_sec = 0;
		ts.tv_nsec = 1000;
		j->failures += nanosleep(&ts, NULL) != 0;
		j->failures += poll(&pfd, 1, 0) != 0;
		j->failures += !(recvfrom(j->fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL) < 0 &&
				 errno == EAGAIN);
		j->failures += sendto(j->fd, "x", 1, MSG_DONTWAIT, NULL, 0) != 1;
		j->failures += getsockopt(j->fd, SOL_SOCKET, SO_TYPE, &v, &len) != 0;
		j->failures += v != SOCK_DGRAM;
		j->failures += write(STDERR_FILENO, "", 0) != 0;
		j->failures += getpid() <= 0;
		sched_yield();
		break;
	case ACT_SOCKET:
		j->failures += socket(AF_INET, SOCK_DGRAM, 0) < 0;
		break;
	case ACT_OPEN:
		j->failures += !(open("/dev/null", O_WRONLY) < 0 && errno == EACCES);
		break;
	case ACT_OTHER_FD:
		recvfrom(j->other, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
		break;
	case ACT_STDOUT:
		j->failures += write(STDOUT_FILENO, "", 0) != 0;
		break;
	case ACT_GETSOCKOPT_2:
		getsockopt(j->other, SOL_SOCKET, SO_TYPE, &v, &len);
		break;
	}
	return NULL;
}

/* Runs @act in a sandboxed thread of a child; the child's main thread, not
 * under the filter, then makes a socket and exits with the failures (or 50
 * when that socket fails). Returns the child's wait status. */
static int run_child(enum act act)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (!pid) {
		int sv[2], s;
		struct job j = {.act = act};
		pthread_t t;

		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
			_exit(60);
		j.fd = sv[0];
		j.other = sv[1];
		if (pthread_create(&t, NULL, sandboxed, &j))
			_exit(61);
		pthread_join(t, NULL);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0)
			_exit(50);
		close(s);
		_exit(j.failures > 40 ? 40 : j.failures);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_exit(int status, int code)
{
	assert_true(WIFEXITED(status));
	EQ(WEXITSTATUS(status), code);
}

static void expect_sigsys(int status)
{
	if (WIFEXITED(status))
		fail_msg("exited %d instead of SIGSYS", WEXITSTATUS(status));
	assert_true(WIFSIGNALED(status));
	EQ(WTERMSIG(status), SIGSYS);
}

/* Every call of the receive loop, the idle wait, the flow table and the
 * log works; the process's other thread may still make sockets. */
TEST(worker_calls_allowed)
{
	expect_exit(run_child(ACT_WORKER), 0);
}

TEST(new_socket_kills_the_process)
{
	expect_sigsys(run_child(ACT_SOCKET));
}

/* Refused, not fatal (glibc's malloc opens a /proc file on a path that
 * copes); sanitizer builds allow reading only, and kill the rest. */
TEST(open_is_refused)
{
#ifdef SANITIZED
	expect_sigsys(run_child(ACT_OPEN));
#else
	expect_exit(run_child(ACT_OPEN), 0);
#endif
}

/* The descriptor rules: only the worker's own socket. */
TEST(other_descriptor_kills_the_process)
{
	expect_sigsys(run_child(ACT_OTHER_FD));
	expect_sigsys(run_child(ACT_GETSOCKOPT_2));
}

/* The log is stderr; the report on stdout is the main thread's. A
 * sanitizer build lets workers write anywhere (its reports' pipes). */
TEST(stdout_kills_the_process)
{
#ifdef __SANITIZE_ADDRESS__
	expect_exit(run_child(ACT_STDOUT), 0);
#else
	expect_sigsys(run_child(ACT_STDOUT));
#endif
}

struct probe {
	pthread_barrier_t entered, checked;
	pid_t tid;
	int ret;
};

static void *enter(void *arg)
{
	struct probe *p = arg;
	int fd = dup(STDERR_FILENO);

	p->tid = (pid_t)syscall(SYS_gettid);
	p->ret = sandbox_enter(SANDBOX_WORKER, fd);
	pthread_barrier_wait(&p->entered);
	pthread_barrier_wait(&p->checked);
	return NULL;
}

/* What /proc shows for the thread: @key's value. */
static void status_field(pid_t tid, const char *key, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "r");
	assert_non_null(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			snprintf(out, len, "%s",
				 line + strlen(key) + 1 + strspn(line + strlen(key) + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	fclose(f);
}

/* In a child, so that the thread's filter never outlives the test: the
 * thread keeps no capability, is under the filter, cannot gain privileges;
 * the main thread keeps what it had. */
TEST(enter_worker_drops_everything)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		struct probe p = {0};
		char v[64];
		pthread_t t;
		int bad = 0;

		pthread_barrier_init(&p.entered, NULL, 2);
		pthread_barrier_init(&p.checked, NULL, 2);
		if (pthread_create(&t, NULL, enter, &p))
			_exit(61);
		pthread_barrier_wait(&p.entered);
		bad |= p.ret != 0;
		status_field(p.tid, "CapPrm", v, sizeof(v));
		bad |= strcmp(v, "0000000000000000") ? 2 : 0;
		status_field(p.tid, "CapEff", v, sizeof(v));
		bad |= strcmp(v, "0000000000000000") ? 4 : 0;
		status_field(p.tid, "Seccomp", v, sizeof(v));
		bad |= strcmp(v, "2") ? 8 : 0;
		status_field(p.tid, "NoNewPrivs", v, sizeof(v));
		bad |= strcmp(v, "1") ? 16 : 0;
		/* Root's bounding set is emptied too (CAP_SETPCAP); a user
		 * cannot change it. */
		status_field(p.tid, "CapBnd", v, sizeof(v));
		bad |= !geteuid() && strcmp(v, "0000000000000000") ? 64 : 0;
		status_field((pid_t)getpid(), "Seccomp", v, sizeof(v));
		bad |= strcmp(v, "0") ? 32 : 0;
		pthread_barrier_wait(&p.checked);
		pthread_join(t, NULL);
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	expect_exit(status, 0);
}

/* ------------------------------------------------------------------ */
/* The other roles' filters                                            */
/* ------------------------------------------------------------------ */

/* What a thread of a role tries once under its filter. */
enum try {
	TRY_COMMON,	   /* memory, a mutex, the clock, a sleep: allowed everywhere */
	TRY_EXEC_MAP,	   /* an executable mapping */
	TRY_EXECVE,	   /* running a program */
	TRY_OPEN_WRITE,	   /* a file opened for writing */
	TRY_OPEN_READ,	   /* a file opened read-only */
	TRY_STREAM_SOCKET, /* a TCP socket */
	TRY_DGRAM_SOCKET,  /* a UDP socket */
	TRY_OWN_FD,	   /* the role's own call on its own descriptor */
	TRY_OTHER_FD,	   /* the same call on another descriptor */
};

/* The children make the filters in advance first (sandbox_prepare()), as
 * `xdpi live` does: the threads then load them without libseccomp. */
static bool use_prepared;

/* What is expected of it: allowed (exit 0), refused with EACCES (exit 0
 * too, the call having failed so), or the process killed. */
enum outcome { ALLOWED, REFUSED, KILLED };

struct role_job {
	enum sandbox_role role;
	enum try try;
	int fd, other; /* a socket pair: the role's own and another one */
	int result;    /* 0: as expected without a kill; else what went wrong */
	enum outcome want;
};

/* The role's own call, on @fd: each returns >= 0 or fails with an errno
 * that says the call was made (EAGAIN, EINVAL, ENOTSOCK...). */
static int own_call(enum sandbox_role role, int fd)
{
	char buf[8];
	int v;
	socklen_t len = sizeof(v);

	switch (role) {
	case SANDBOX_HTTP:
		return accept4(fd, NULL, NULL, SOCK_NONBLOCK) < 0 && errno == EACCES ? -1 : 0;
	case SANDBOX_RECLAIM:
	case SANDBOX_WRITER:
		return write(fd, "x", 1) == 1 ? 0 : -1;
	case SANDBOX_WORKER:
		return recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL) < 0 &&
				       errno == EACCES
			       ? -1
			       : 0;
	default:
		return getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len);
	}
}

static void *role_thread(void *arg)
{
	struct role_job *j = arg;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts = {0, 1000};
	char *const argv[] = {"true", NULL};
	void *p;
	int r = 0;

	if (sandbox_load_filter(j->role, j->fd)) {
		j->result = 100;
		return NULL;
	}
	errno = 0;
	switch (j->try) {
	case TRY_COMMON:
		p = malloc(4 << 20);
		r |= !p;
		free(p);
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		r |= clock_gettime(CLOCK_MONOTONIC, &ts) != 0;
		ts.tv_sec = 0;
		ts.tv_nsec = 1000;
		r |= nanosleep(&ts, NULL) != 0;
		r |= write(STDERR_FILENO, "", 0) != 0;
		break;
	case TRY_EXEC_MAP:
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		r = p == MAP_FAILED ? (errno == EACCES ? -1 : 1) : 0;
		break;
	case TRY_EXECVE:
		execve("/bin/true", argv, argv + 1);
		r = errno == EACCES ? -1 : 1;
		break;
	case TRY_OPEN_WRITE:
		r = open("/dev/null", O_WRONLY | O_CLOEXEC) < 0 ? (errno == EACCES ? -1 : 1) : 0;
		break;
	case TRY_OPEN_READ:
		r = open("/proc/self/stat", O_RDONLY | O_CLOEXEC) < 0 ? (errno == EACCES ? -1 : 1)
								      : 0;
		break;
	case TRY_STREAM_SOCKET:
		r = socket(AF_INET, SOCK_STREAM, 0) < 0 ? (errno == EACCES ? -1 : 1) : 0;
		break;
	case TRY_DGRAM_SOCKET:
		r = socket(AF_INET, SOCK_DGRAM, 0) < 0 ? (errno == EACCES ? -1 : 1) : 0;
		break;
	case TRY_OWN_FD:
		r = own_call(j->role, j->fd);
		break;
	case TRY_OTHER_FD:
		r = own_call(j->role, j->other);
		break;
	}
	/* 0: the call went through; -1: refused with EACCES; 1: it failed
	 * some other way (a test defect). */
	j->result = j->want == ALLOWED ? (r != 0) * 2 : j->want == REFUSED ? (r != -1) * 3 : 4;
	return NULL;
}

/* Runs one try in a sandboxed thread of a child. */
static void expect_role(enum sandbox_role role, enum try try, enum outcome want)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (!pid) {
		struct role_job j = {.role = role, .try = try, .want = want};
		int sv[2], ov[2];
		pthread_t t;

		/* A listening socket for the HTTP role's accept; a pair for the
		 * others (writable both ways). */
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, ov))
			_exit(60);
		j.fd = sv[0];
		j.other = ov[0];
		if (use_prepared && sandbox_prepare())
			_exit(62);
		if (role == SANDBOX_HTTP) {
			struct sockaddr_in a = {.sin_family = AF_INET,
						.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
			int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), os;

			os = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (ls < 0 || os < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
			    listen(ls, 1) || bind(os, (struct sockaddr *)&a, sizeof(a)) ||
			    listen(os, 1))
				_exit(60);
			j.fd = ls;
			j.other = os;
		}
		if (pthread_create(&t, NULL, role_thread, &j))
			_exit(61);
		pthread_join(t, NULL);
		_exit(j.result);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (want == KILLED) {
		if (WIFEXITED(status))
			fail_msg("%s, try %d: exited %d, not killed", sandbox_role_name(role), try,
				 WEXITSTATUS(status));
		EQ(WTERMSIG(status), SIGSYS);
		return;
	}
	if (!WIFEXITED(status))
		fail_msg("%s, try %d: killed by signal %d", sandbox_role_name(role), try,
			 WTERMSIG(status));
	if (WEXITSTATUS(status))
		fail_msg("%s, try %d: result %d, want %s", sandbox_role_name(role), try,
			 WEXITSTATUS(status), want == ALLOWED ? "allowed" : "refused (EACCES)");
}

/* What every role may not do, whatever its list: run a program, map code,
 * open a file for writing (refused; the loss monitor, which may read
 * files, is killed), make a TCP socket. Sanitizer builds allow executable
 * mappings and read-only opens (their runtime's). */
TEST(no_role_executes_or_writes_files)
{
	for (int r = 0; r < SANDBOX__ROLES; r++) {
		expect_role(r, TRY_COMMON, ALLOWED);
		expect_role(r, TRY_EXECVE, KILLED);
#ifndef SANITIZED
		expect_role(r, TRY_EXEC_MAP, KILLED);
#endif
#ifdef SANITIZED
		expect_role(r, TRY_OPEN_WRITE, KILLED);
#else
		expect_role(r, TRY_OPEN_WRITE, r == SANDBOX_LOSSWATCH ? KILLED : REFUSED);
#endif
		expect_role(r, TRY_STREAM_SOCKET, KILLED);
	}
}

/* The HTTP server accepts on its listening socket only, makes no socket,
 * and opens no file (a request never names one). */
TEST(http_role)
{
	expect_role(SANDBOX_HTTP, TRY_OWN_FD, ALLOWED);
	expect_role(SANDBOX_HTTP, TRY_OTHER_FD, KILLED);
	expect_role(SANDBOX_HTTP, TRY_DGRAM_SOCKET, KILLED);
#ifndef SANITIZED
	expect_role(SANDBOX_HTTP, TRY_OPEN_READ, REFUSED);
#endif
}

/* The IPFIX exporter may make its UDP socket again; the files getaddrinfo()
 * would read are refused, not fatal. */
TEST(ipfix_role)
{
	expect_role(SANDBOX_IPFIX, TRY_DGRAM_SOCKET, ALLOWED);
#ifndef SANITIZED
	expect_role(SANDBOX_IPFIX, TRY_OPEN_READ, REFUSED);
#endif
}

/* The JSON-lines writer (liburcu's thread) and the pcapng writer write to
 * their own file only; the loss monitor reads files, writes none. */
TEST(writers_and_monitor_roles)
{
	expect_role(SANDBOX_RECLAIM, TRY_OWN_FD, ALLOWED);
	expect_role(SANDBOX_WRITER, TRY_OWN_FD, ALLOWED);
#ifndef SANITIZED
	expect_role(SANDBOX_RECLAIM, TRY_OTHER_FD, KILLED);
	expect_role(SANDBOX_WRITER, TRY_OTHER_FD, KILLED);
	expect_role(SANDBOX_EXPIRY, TRY_OPEN_READ, REFUSED);
#endif
	expect_role(SANDBOX_LOSSWATCH, TRY_OPEN_READ, ALLOWED);
	expect_role(SANDBOX_LOSSWATCH, TRY_OWN_FD, ALLOWED);
	expect_role(SANDBOX_EXPIRY, TRY_DGRAM_SOCKET, KILLED);
}

#ifdef __SANITIZE_ADDRESS__
/* Hidden from the compiler: UBSan's object-size check would report first. */
static volatile size_t past_end = 8, alloc_size = 8;

static void *overflow(void *arg)
{
	volatile char *p = malloc(alloc_size);

	if (sandbox_enter(SANDBOX_WORKER, *(int *)arg))
		_exit(62);
	p[past_end] = 1; /* one past the end: ASan's report, from inside the filter */
	free((void *)p);
	return NULL;
}

/* A sanitizer report from a sandboxed worker comes out whole, symbolized,
 * and ends the process the sanitizer's way, not by SIGSYS. */
TEST(sanitizer_report_from_sandbox)
{
	char log[] = "/tmp/xdpi-asan-XXXXXX", text[16384];
	int fd = mkstemp(log), status;
	pid_t pid;
	ssize_t n;

	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		pthread_t t;
		int sock = socket(AF_UNIX, SOCK_DGRAM, 0);

		dup2(fd, STDERR_FILENO);
		if (pthread_create(&t, NULL, overflow, &sock))
			_exit(61);
		pthread_join(t, NULL);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(log);
	text[n > 0 ? n : 0] = '\0';
	if (!WIFEXITED(status))
		fail_msg("killed by signal %d, report:\n%s", WTERMSIG(status), text);
	if (!WEXITSTATUS(status) || !strstr(text, "heap-buffer-overflow"))
		fail_msg("exit %d, report:\n%s", WEXITSTATUS(status), text);
	assert_non_null(strstr(text, "test_sandbox.c"));
}
#endif

/* The child's view of itself, through a shell: as root too, it holds no
 * capability after exec (the bounding set is empty) and cannot gain any. */
TEST(unprivileged_child_has_nothing)
{
	char out[] = "/tmp/xdpi-spawn-XXXXXX", cmd[512], line[128], got[512] = "";
	int fd, status;
	pid_t pid;
	FILE *f;

	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "grep -E '^(CapPrm|CapEff|%sNoNewPrivs):' /proc/self/status | tr -s '\\t' ' ' >%s",
		 geteuid() ? "" : "CapBnd|", out);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		xdpi_child_prepare(3);
		if (xdpi_child_drop_privileges())
			_exit(126);
		execlp("sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	EQ(WEXITSTATUS(status), 0);
	f = fopen(out, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		strncat(got, line, sizeof(got) - strlen(got) - 1);
	fclose(f);
	unlink(out);
	/* The bounding set is root's to empty (without CAP_SETPCAP an exec
	 * gives nothing back anyway). */
	assert_string_equal(got, geteuid() ? "CapPrm: 0000000000000000\n"
					     "CapEff: 0000000000000000\n"
					     "NoNewPrivs: 1\n"
					   : "CapPrm: 0000000000000000\n"
					     "CapEff: 0000000000000000\n"
					     "CapBnd: 0000000000000000\n"
					     "NoNewPrivs: 1\n");
}

/* Every role's rules hold the same when its filter was made in advance
 * with a mark for the descriptor (the tests above, again). */
TEST(roles_with_prepared_filters)
{
	use_prepared = true;
	no_role_executes_or_writes_files(state);
	http_role(state);
	ipfix_role(state);
	writers_and_monitor_roles(state);
	use_prepared = false;
}

/* The program a thread loads from the filters made in advance, with its
 * descriptor put in, is instruction for instruction the one libseccomp
 * makes for that descriptor. In a child: preparing is once per process. */
TEST(prepared_programs_are_libseccomps)
{
	/* Not 0: libseccomp folds a compare with 0 into the high word's, an
	 * equal program but not the same instructions (the prepared one's
	 * behaviour with every role is tested above). */
	static const int fds[] = {3, 17, 1023, 65535, 1 << 20, 1 << 30};
	enum { MAX = 1024 };
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (!pid) {
		static struct sock_filter fresh[SANDBOX__ROLES][6][MAX];
		static int fresh_len[SANDBOX__ROLES][6];
		struct sock_filter got[MAX];

		for (int r = 0; r < SANDBOX__ROLES; r++)
			for (int i = 0; i < 6; i++) {
				fresh_len[r][i] = sandbox_program(r, fds[i], fresh[r][i], MAX);
				if (fresh_len[r][i] <= 0)
					_exit(10 + r);
			}
		if (sandbox_prepare())
			_exit(30);
		for (int r = 0; r < SANDBOX__ROLES; r++)
			for (int i = 0; i < 6; i++) {
				int n = sandbox_program(r, fds[i], got, MAX);

				if (n != fresh_len[r][i])
					_exit(40 + r * 2 + (i > 2));
				if (memcmp(got, fresh[r][i], sizeof(got[0]) * (size_t)n))
					_exit(60 + r * 2 + (i > 2));
			}
		/* Too small a buffer is said, not overrun. */
		_exit(sandbox_program(SANDBOX_WORKER, 3, got, 1) == -E2BIG ? 0 : 80);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worker_calls_allowed),
		cmocka_unit_test(new_socket_kills_the_process),
		cmocka_unit_test(open_is_refused),
		cmocka_unit_test(other_descriptor_kills_the_process),
		cmocka_unit_test(stdout_kills_the_process),
		cmocka_unit_test(enter_worker_drops_everything),
		cmocka_unit_test(no_role_executes_or_writes_files),
		cmocka_unit_test(http_role),
		cmocka_unit_test(ipfix_role),
		cmocka_unit_test(writers_and_monitor_roles),
		cmocka_unit_test(roles_with_prepared_filters),
		cmocka_unit_test(prepared_programs_are_libseccomps),
#ifdef __SANITIZE_ADDRESS__ /* the sanitizers' own path through the filter */
		cmocka_unit_test(sanitizer_report_from_sandbox),
#endif
		cmocka_unit_test(unprivileged_child_has_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
