// SPDX-License-Identifier: MIT
#include "owner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define OWNER_DIR "/run/xdpi"

static pid_t owner_read_pid(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/* The lock is on the inode: a file unlinked by its previous holder between
 * our open() and our flock() is locked by nobody else, so it must still be
 * the one at the path. */
static bool owner_still_linked(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int xdpi_owner_lock(struct xdpi_owner *o, int ifindex, pid_t *holder)
{
	struct stat ns;
	int ret;

	o->fd = -1;
	*holder = 0;
	if (stat("/proc/self/ns/net", &ns))
		return -errno;
	snprintf(o->path, sizeof(o->path), OWNER_DIR "/%lu-%d.lock", (unsigned long)ns.st_ino,
		 ifindex);
	if (mkdir(OWNER_DIR, 0755) && errno != EEXIST)
		return -errno;
	for (int tries = 0; tries < 8; tries++) {
		int fd = open(o->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
			if (ret == -EBUSY)
				*holder = owner_read_pid(fd);
			close(fd);
			return ret;
		}
		if (!owner_still_linked(fd, o->path)) {
			close(fd);
			continue;
		}
		if (ftruncate(fd, 0) || dprintf(fd, "%d\n", (int)getpid()) < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		o->fd = fd;
		return 0;
	}
	return -EAGAIN;
}

void xdpi_owner_release(struct xdpi_owner *o)
{
	if (o->fd < 0)
		return;
	/* Unlinked while still locked: nobody can lock this inode after us. */
	unlink(o->path);
	close(o->fd);
	o->fd = -1;
}
