// SPDX-License-Identifier: MIT
/*
 * Unit tests of the output files (util/outfile.c) that --json-lines,
 * --record, -w and `xdpi tune` write: a symbolic link at the name (to a
 * file, dangling) is refused and its target left as it was, in both
 * modes; so are a FIFO (at once, not blocking for a reader, also with a
 * reader), a directory, a device and a file with a second name; the null
 * device is taken; a log is appended to and a document truncated, a new
 * file made with the mode asked (less the umask), close-on-exec, and
 * *created says which happened. Every refusal says the path and why in
 * one line.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/outfile.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

static char base[64];

static int setup(void **state __attribute__((unused)))
{
	strcpy(base, "/tmp/xdpi-test-outfile-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state __attribute__((unused)))
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void in_base(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", base, name);
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* The whole file, into @buf (NUL-terminated). */
static const char *slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = 0;
	close(fd);
	return buf;
}

/* One line, naming @path, saying @why. */
static void said(const char *err, const char *path, const char *why)
{
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, why));
	assert_null(strchr(err, '\n'));
}

static const enum xdpi_output_mode modes[] = {XDPI_OUTPUT_TRUNCATE, XDPI_OUTPUT_APPEND};

TEST(symlink_to_a_file_refused_target_unchanged)
{
	char target[128], link[128], err[512], buf[64];
	bool created = true;

	in_base(target, sizeof(target), "root-only");
	in_base(link, sizeof(link), "out");
	put(target, "secret\n", 0600);
	assert_int_equal(symlink(target, link), 0);
	for (size_t m = 0; m < 2; m++) {
		err[0] = 0;
		assert_int_equal(xdpi_output_check(link, err, sizeof(err)), -ELOOP);
		said(err, link, "symbolic link");
		err[0] = 0;
		assert_int_equal(xdpi_output_open(link, modes[m], 0666, &created, err, sizeof(err)),
				 -ELOOP);
		said(err, link, "symbolic link");
		assert_false(created);
		assert_string_equal(slurp(target, buf, sizeof(buf)), "secret\n");
	}
}

TEST(dangling_symlink_refused_nothing_made)
{
	char target[128], link[128], err[512];

	in_base(target, sizeof(target), "never");
	in_base(link, sizeof(link), "out");
	assert_int_equal(symlink(target, link), 0);
	for (size_t m = 0; m < 2; m++) {
		assert_int_equal(xdpi_output_open(link, modes[m], 0666, NULL, err, sizeof(err)),
				 -ELOOP);
		assert_int_equal(access(target, F_OK), -1);
	}
}

TEST(fifo_refused_without_waiting)
{
	char fifo[128], err[512];
	int reader, fd;

	in_base(fifo, sizeof(fifo), "fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* no reader: an open for writing would block */
	assert_int_equal(xdpi_output_open(fifo, XDPI_OUTPUT_APPEND, 0666, NULL, err, sizeof(err)),
			 -EINVAL);
	said(err, fifo, "FIFO");
	/* a reader: refused all the same */
	reader = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(reader >= 0);
	fd = xdpi_output_open(fifo, XDPI_OUTPUT_TRUNCATE, 0666, NULL, err, sizeof(err));
	assert_int_equal(fd, -EINVAL);
	close(reader);
}

TEST(directory_and_device_refused)
{
	char err[512];

	assert_int_equal(xdpi_output_open(base, XDPI_OUTPUT_APPEND, 0666, NULL, err, sizeof(err)),
			 -EISDIR);
	said(err, base, "directory");
	assert_int_equal(
		xdpi_output_open("/dev/zero", XDPI_OUTPUT_TRUNCATE, 0666, NULL, err, sizeof(err)),
		-EINVAL);
	said(err, "/dev/zero", "device");
}

TEST(null_device_taken)
{
	char err[512];

	for (size_t m = 0; m < 2; m++) {
		int fd = xdpi_output_open("/dev/null", modes[m], 0666, NULL, err, sizeof(err));

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "x", 1), 1);
		close(fd);
	}
}

TEST(second_name_refused)
{
	char a[128], b[128], err[512], buf[64];

	in_base(a, sizeof(a), "a");
	in_base(b, sizeof(b), "b");
	put(a, "kept\n", 0600);
	assert_int_equal(link(a, b), 0);
	assert_int_equal(xdpi_output_open(b, XDPI_OUTPUT_TRUNCATE, 0666, NULL, err, sizeof(err)),
			 -EMLINK);
	said(err, b, "hard links");
	assert_string_equal(slurp(a, buf, sizeof(buf)), "kept\n");
}

TEST(append_keeps_truncate_empties)
{
	char path[128], err[512], buf[64];
	bool created = false;
	int fd;

	in_base(path, sizeof(path), "log");
	fd = xdpi_output_open(path, XDPI_OUTPUT_APPEND, 0600, &created, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(created);
	assert_int_equal(write(fd, "one\n", 4), 4);
	close(fd);
	fd = xdpi_output_open(path, XDPI_OUTPUT_APPEND, 0600, &created, err, sizeof(err));
	assert_true(fd >= 0);
	assert_false(created);
	/* appending even after a seek */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(write(fd, "two\n", 4), 4);
	close(fd);
	assert_string_equal(slurp(path, buf, sizeof(buf)), "one\ntwo\n");
	fd = xdpi_output_open(path, XDPI_OUTPUT_TRUNCATE, 0600, &created, err, sizeof(err));
	assert_true(fd >= 0);
	assert_false(created);
	assert_int_equal(write(fd, "new\n", 4), 4);
	close(fd);
	assert_string_equal(slurp(path, buf, sizeof(buf)), "new\n");
}

TEST(new_file_mode_and_cloexec)
{
	char path[128], err[512];
	struct stat st;
	mode_t old = umask(022);
	int fd;

	in_base(path, sizeof(path), "doc");
	fd = xdpi_output_open(path, XDPI_OUTPUT_TRUNCATE, 0666, NULL, err, sizeof(err));
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

TEST(fopen_stream)
{
	char path[128], err[512], buf[64];
	FILE *f;

	in_base(path, sizeof(path), "stream");
	put(path, "before\n", 0644);
	f = xdpi_output_fopen(path, XDPI_OUTPUT_APPEND, 0666, NULL, err, sizeof(err));
	assert_non_null(f);
	fputs("after\n", f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(slurp(path, buf, sizeof(buf)), "before\nafter\n");
	errno = 0;
	assert_null(xdpi_output_fopen(base, XDPI_OUTPUT_APPEND, 0666, NULL, err, sizeof(err)));
	assert_int_equal(errno, EISDIR);
}

TEST(missing_directory_said)
{
	char path[128], err[512];

	in_base(path, sizeof(path), "no/such");
	assert_int_equal(xdpi_output_check(path, err, sizeof(err)), 0);
	assert_int_equal(xdpi_output_open(path, XDPI_OUTPUT_APPEND, 0666, NULL, err, sizeof(err)),
			 -ENOENT);
	said(err, path, "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(symlink_to_a_file_refused_target_unchanged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dangling_symlink_refused_nothing_made, setup,
						teardown),
		cmocka_unit_test_setup_teardown(fifo_refused_without_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_and_device_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(null_device_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(second_name_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(append_keeps_truncate_empties, setup, teardown),
		cmocka_unit_test_setup_teardown(new_file_mode_and_cloexec, setup, teardown),
		cmocka_unit_test_setup_teardown(fopen_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_directory_said, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
