// SPDX-License-Identifier: MIT
/*
 * Unit tests of the run locks (bpf/owner.c) in a directory of the test's
 * instead of /run/xdpi: the directory made 0700, one found 0755 set to
 * 0700, one owned by another user or a symbolic link refused; the lock
 * file 0600 with the pid in it, never a symbolic link; a second lock
 * refused with the holder's pid; a lock file left open to others (0644,
 * as before issue 25) never reused: replaced when nobody holds it or when
 * the run written in it is gone although some other descriptor holds it
 * (a user who opened it), busy while that run lives.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf/owner.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define IFINDEX 7

static char base[64];

/* A fresh directory for each test, and the run directory's name in it. */
static int setup(void **state __attribute__((unused)))
{
	strcpy(base, "/tmp/xdpi-test-owner-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state __attribute__((unused)))
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void run_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/run", base);
}

/* The lock file's name, as owner.c makes it. */
static void lock_path(char *buf, size_t len)
{
	struct stat ns;

	assert_int_equal(stat("/proc/self/ns/net", &ns), 0);
	snprintf(buf, len, "%s/run/%lu-%d.lock", base, (unsigned long)ns.st_ino, IFINDEX);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* A pid that no process has any more: a child's, reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A lock file as xdpi before issue 25 left it: 0644, @pid in it. */
static void plant_old_lock(pid_t pid)
{
	char dir[128], path[160];
	FILE *f;

	run_dir(dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	lock_path(path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", (int)pid);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
}

TEST(makes_dir_0700_and_lock_0600)
{
	struct xdpi_owner o;
	char dir[128], path[160], err[512] = "", buf[32] = "";
	pid_t holder;
	int fd;

	run_dir(dir, sizeof(dir));
	lock_path(path, sizeof(path));
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), 0);
	assert_int_equal(mode_of(dir), 0700);
	assert_int_equal(mode_of(path), 0600);
	assert_string_equal(o.path, path);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	assert_int_equal(atoi(buf), getpid());
	xdpi_owner_release(&o);
	assert_int_equal(access(path, F_OK), -1);
}

TEST(second_lock_is_busy)
{
	struct xdpi_owner a, b;
	char dir[128], err[512] = "";
	pid_t holder = 0;

	run_dir(dir, sizeof(dir));
	assert_int_equal(xdpi_owner_lock_in(&a, dir, IFINDEX, &holder, err, sizeof(err)), 0);
	assert_int_equal(xdpi_owner_lock_in(&b, dir, IFINDEX, &holder, err, sizeof(err)), -EBUSY);
	assert_int_equal(holder, getpid());
	assert_int_equal(b.fd, -1);
	xdpi_owner_release(&a);
	assert_int_equal(xdpi_owner_lock_in(&b, dir, IFINDEX, &holder, err, sizeof(err)), 0);
	xdpi_owner_release(&b);
}

TEST(dir_0755_made_0700)
{
	struct xdpi_owner o;
	char dir[128], err[512] = "";
	pid_t holder;

	run_dir(dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), 0);
	assert_int_equal(mode_of(dir), 0700);
	xdpi_owner_release(&o);
}

TEST(dir_of_another_user_refused)
{
	struct xdpi_owner o;
	char dir[128], path[160], err[512] = "";
	pid_t holder;

	if (geteuid()) {
		skip();
		return;
	}
	run_dir(dir, sizeof(dir));
	lock_path(path, sizeof(path));
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "belongs to uid 65534"));
	assert_int_equal(o.fd, -1);
	assert_int_equal(access(path, F_OK), -1);
	/* left as it was: not ours to change */
	assert_int_equal(mode_of(dir), 0700);
}

TEST(dir_symlink_refused)
{
	struct xdpi_owner o;
	char dir[128], real[128], err[512] = "", cmd[256];
	pid_t holder;
	FILE *ls;
	int n;

	run_dir(dir, sizeof(dir));
	snprintf(real, sizeof(real), "%s/elsewhere", base);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, dir), 0);
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(mode_of(real), 0755);
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", real);
	ls = popen(cmd, "r");
	assert_non_null(ls);
	assert_int_equal(fscanf(ls, "%d", &n), 1);
	pclose(ls);
	assert_int_equal(n, 0);
}

TEST(lock_symlink_refused)
{
	struct xdpi_owner o;
	char dir[128], path[160], target[128], err[512] = "";
	pid_t holder;
	int fd;

	run_dir(dir, sizeof(dir));
	lock_path(path, sizeof(path));
	snprintf(target, sizeof(target), "%s/target", base);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "root's\n", 7), 7);
	close(fd);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(mode_of(target), 0600);
	fd = open(target, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), 7);
	close(fd);
}

/* A 0644 lock nobody holds: a new file (another inode), 0600. */
TEST(old_lock_not_reused)
{
	struct xdpi_owner o;
	char dir[128], path[160], err[512] = "";
	struct stat before, after;
	pid_t holder;
	int old;

	plant_old_lock(dead_pid());
	run_dir(dir, sizeof(dir));
	lock_path(path, sizeof(path));
	/* a descriptor someone opened while it was open to them */
	old = open(path, O_RDONLY);
	assert_true(old >= 0);
	assert_int_equal(fstat(old, &before), 0);
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(dir), 0700);
	/* the old descriptor's lock is nobody's concern any more */
	assert_int_equal(flock(old, LOCK_EX | LOCK_NB), 0);
	close(old);
	xdpi_owner_release(&o);
}

/* The attack of issue 25: a stale 0644 lock (its run killed) held by
 * someone else: taken over, not waited for. */
TEST(stale_old_lock_held_by_another_taken_over)
{
	struct xdpi_owner o;
	char dir[128], path[160], err[512] = "";
	pid_t holder;
	int other;

	plant_old_lock(dead_pid());
	run_dir(dir, sizeof(dir));
	lock_path(path, sizeof(path));
	other = open(path, O_RDONLY);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), 0);
	assert_int_equal(mode_of(path), 0600);
	close(other);
	xdpi_owner_release(&o);
}

/* A 0644 lock held while the run written in it lives (an older xdpi still
 * running): busy, as before. */
TEST(old_lock_of_a_live_run_busy)
{
	struct xdpi_owner o;
	char dir[128], path[160], err[512] = "";
	pid_t holder = 0;
	int other;

	plant_old_lock(getpid());
	run_dir(dir, sizeof(dir));
	lock_path(path, sizeof(path));
	other = open(path, O_RDONLY);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(xdpi_owner_lock_in(&o, dir, IFINDEX, &holder, err, sizeof(err)), -EBUSY);
	assert_int_equal(holder, getpid());
	assert_int_equal(access(path, F_OK), 0);
	close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(makes_dir_0700_and_lock_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(second_lock_is_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_0755_made_0700, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_of_another_user_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(lock_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(old_lock_not_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_old_lock_held_by_another_taken_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(old_lock_of_a_live_run_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
