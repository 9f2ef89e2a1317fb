// SPDX-License-Identifier: MIT
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The null device (Documentation/admin-guide/devices.txt: char 1:3). */
static bool output_is_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

/* 0 if @st is something an output may be, else the refusal in @err. */
static int output_refuse(const struct stat *st, const char *path, char *err, size_t err_len)
{
	const char *why;
	int ret = -EINVAL;

	if (S_ISREG(st->st_mode) && st->st_nlink <= 1)
		return 0;
	if (output_is_null(st))
		return 0;
	if (S_ISREG(st->st_mode)) {
		snprintf(err, err_len,
			 "cannot write %s: it has %" PRIuMAX " hard links (refused: another name "
			 "of it may be a file that is not yours)",
			 path, (uintmax_t)st->st_nlink);
		return -EMLINK;
	}
	if (S_ISLNK(st->st_mode)) {
		why = "it is a symbolic link (not followed: name the file itself)";
		ret = -ELOOP;
	} else if (S_ISDIR(st->st_mode)) {
		why = "it is a directory";
		ret = -EISDIR;
	} else if (S_ISFIFO(st->st_mode)) {
		why = "it is a FIFO, not a regular file";
	} else if (S_ISSOCK(st->st_mode)) {
		why = "it is a socket, not a regular file";
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		why = "it is a device, not a regular file";
	} else {
		why = "it is not a regular file";
	}
	snprintf(err, err_len, "cannot write %s: %s", path, why);
	return ret;
}

int xdpi_output_check(const char *path, char *err, size_t err_len)
{
	struct stat st;

	if (lstat(path, &st))
		return 0;
	return output_refuse(&st, path, err, err_len);
}

/* One attempt: a new file, else the one there. -EAGAIN when the name
 * changed between the two opens (made, or removed, meanwhile). */
static int output_open_once(const char *path, int flags, mode_t perm, bool *created)
{
	int fd = open(path, flags | O_CREAT | O_EXCL, perm);

	if (fd >= 0) {
		*created = true;
		return fd;
	}
	if (errno != EEXIST)
		return -errno;
	fd = open(path, flags | O_NONBLOCK);
	if (fd >= 0)
		return fd;
	return errno == ENOENT ? -EAGAIN : -errno;
}

int xdpi_output_open(const char *path, enum xdpi_output_mode mode, mode_t perm, bool *created,
		     char *err, size_t err_len)
{
	int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
		    (mode == XDPI_OUTPUT_APPEND ? O_APPEND : 0);
	bool made = false;
	struct stat st;
	int fd = -EAGAIN, ret;

	if (created)
		*created = false;
	ret = xdpi_output_check(path, err, err_len);
	if (ret)
		return ret;
	for (int tries = 0; tries < 4 && fd == -EAGAIN; tries++)
		fd = output_open_once(path, flags, perm, &made);
	if (fd < 0) {
		if (fd == -ELOOP) /* a link put there after the check */
			snprintf(err, err_len,
				 "cannot write %s: it is a symbolic link (not followed: name the "
				 "file itself)",
				 path);
		else if (fd == -ENXIO) /* a FIFO with no reader, put there after it */
			snprintf(err, err_len, "cannot write %s: it is a FIFO, not a regular file",
				 path);
		else
			snprintf(err, err_len, "cannot write %s: %s", path,
				 strerror(fd == -EAGAIN ? EBUSY : -fd));
		return fd == -EAGAIN ? -EBUSY : fd;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, err_len, "cannot write %s: %s", path, strerror(-ret));
		goto fail;
	}
	ret = output_refuse(&st, path, err, err_len);
	if (ret)
		goto fail;
	if (!made && mode == XDPI_OUTPUT_TRUNCATE && S_ISREG(st.st_mode) && ftruncate(fd, 0)) {
		ret = -errno;
		snprintf(err, err_len, "cannot write %s: %s", path, strerror(-ret));
		goto fail;
	}
	/* Writes to a regular file never wait anyway; not left set for
	 * whoever inherits the flags through stdio. */
	if (!made && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		ret = -errno;
		snprintf(err, err_len, "cannot write %s: %s", path, strerror(-ret));
		goto fail;
	}
	if (created)
		*created = made;
	return fd;
fail:
	close(fd);
	/* Nothing of ours stays behind: what this call made, it removes. */
	if (made)
		unlink(path);
	return ret;
}

FILE *xdpi_output_fopen(const char *path, enum xdpi_output_mode mode, mode_t perm, bool *created,
			char *err, size_t err_len)
{
	int fd = xdpi_output_open(path, mode, perm, created, err, err_len);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, mode == XDPI_OUTPUT_APPEND ? "a" : "w");
	if (!f) {
		int e = errno;

		snprintf(err, err_len, "cannot write %s: %s", path, strerror(e));
		close(fd);
		if (created && *created)
			unlink(path);
		errno = e;
	}
	return f;
}
