// SPDX-License-Identifier: MIT
/*
 * The lock files live in a directory of root's that nobody else may enter
 * (0700), and are themselves 0600: flock(2) needs only a descriptor, and
 * a descriptor only needs read permission, so a lock file others can read
 * is a lock anyone can hold. A stale lock (its run killed) held by some
 * other user would then block every later run on that interface, and
 * `xdpi detach`, for as long as that user likes.
 *
 * The directory is made 0700; one found with another mode (made by an
 * older xdpi, or by systemd's RuntimeDirectory= default of 0755) is set to
 * 0700; one that is not a directory, or not ours, is refused: its owner
 * could put anything in it. A lock file found open to others (0644, from
 * before) may have been opened by anyone: it is never reused. If nobody
 * holds its lock, or the run written in it is gone, it is removed and a
 * new one made; if that run is still alive (an older xdpi running), the
 * interface is busy, as always.
 */
#include "owner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/log.h"

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

/* Whether a process @pid exists (EPERM: it does, someone else's). */
static bool owner_pid_alive(pid_t pid)
{
	return pid > 0 && (!kill(pid, 0) || errno == EPERM);
}

/* The lock is on the inode: a file unlinked by its previous holder between
 * our open() and our flock() is locked by nobody else, so it must still be
 * the one at the name. */
static bool owner_still_linked(int fd, int dirfd, const char *name)
{
	struct stat a, b;

	return !fstat(fd, &a) && !fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* @dir, made 0700 if missing and set to 0700 if it has another mode; a
 * descriptor on it, or -EPERM when it cannot be trusted (said in @err). */
static int owner_dir_open(const char *dir, char *err, size_t err_len)
{
	struct stat st;
	int fd, ret;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, err_len, "cannot create %s: %s", dir, strerror(-ret));
		return ret;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP || ret == -ENOTDIR) {
			/* O_DIRECTORY says ENOTDIR for a link too */
			snprintf(err, err_len,
				 "%s is %s, not a directory: remove it (xdpi makes it, 0700)", dir,
				 !lstat(dir, &st) && S_ISLNK(st.st_mode) ? "a symbolic link"
									 : "a file");
			return -EPERM;
		}
		snprintf(err, err_len, "cannot open %s: %s", dir, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, err_len, "cannot open %s: %s", dir, strerror(-ret));
		close(fd);
		return ret;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, err_len,
			 "%s belongs to uid %u, not to uid %u: its owner could block or fake "
			 "the lock of a run; remove it (it holds only lock files; xdpi makes it "
			 "again, 0700)",
			 dir, (unsigned)st.st_uid, (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	if ((st.st_mode & 07777) != 0700) {
		if (fchmod(fd, 0700)) {
			ret = -errno;
			snprintf(err, err_len, "cannot make %s 0700 (it is %04o): %s", dir,
				 (unsigned)(st.st_mode & 07777), strerror(-ret));
			close(fd);
			return ret;
		}
		xdpi_info("%s was mode %04o: now 0700, so that only root can open its locks", dir,
			  (unsigned)(st.st_mode & 07777));
	}
	return fd;
}

/* One try at the lock file @name in @dirfd: 0 and the descriptor in *@out,
 * -EAGAIN to try again (the file changed under us, or a stale exposed one
 * was removed), -EBUSY (the holder's pid in *@holder), or another error
 * said in @err. */
static int owner_try(int dirfd, const char *dir, const char *name, int *out, pid_t *holder,
		     char *err, size_t err_len)
{
	struct stat st;
	bool exposed;
	int fd, ret;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		    0600);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP || ret == -ENXIO) {
			snprintf(err, err_len, "%s/%s is not a regular file: remove it", dir, name);
			return -EPERM;
		}
		snprintf(err, err_len, "cannot open %s/%s: %s", dir, name, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		snprintf(err, err_len, "cannot open %s/%s: %s", dir, name, strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, err_len, "%s/%s is not a regular file: remove it", dir, name);
		return -EPERM;
	}
	/* Anyone may hold a descriptor on it: its lock is anyone's. */
	exposed = (st.st_mode & 077) || st.st_uid != geteuid();
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (ret == -EBUSY) {
			*holder = owner_read_pid(fd);
			/* Held, but not by the run written in it: by whoever
			 * opened a file that was open to them. */
			if (exposed && !owner_pid_alive(*holder)) {
				if (owner_still_linked(fd, dirfd, name))
					unlinkat(dirfd, name, 0);
				ret = -EAGAIN;
			}
		} else {
			snprintf(err, err_len, "cannot lock %s/%s: %s", dir, name, strerror(-ret));
		}
		close(fd);
		return ret;
	}
	if (!owner_still_linked(fd, dirfd, name)) {
		close(fd);
		return -EAGAIN;
	}
	if (exposed) {
		/* Ours now, and nobody's lock: removed while we hold it, so
		 * that no descriptor opened on it before counts any more. */
		unlinkat(dirfd, name, 0);
		close(fd);
		return -EAGAIN;
	}
	if (ftruncate(fd, 0) || dprintf(fd, "%d\n", (int)getpid()) < 0) {
		ret = -errno;
		close(fd);
		snprintf(err, err_len, "cannot write %s/%s: %s", dir, name, strerror(-ret));
		return ret;
	}
	*out = fd;
	return 0;
}

int xdpi_owner_lock_in(struct xdpi_owner *o, const char *dir, int ifindex, pid_t *holder, char *err,
		       size_t err_len)
{
	char name[48];
	struct stat ns;
	int dirfd, ret = -EAGAIN;

	o->fd = -1;
	*holder = 0;
	if (stat("/proc/self/ns/net", &ns)) {
		ret = -errno;
		snprintf(err, err_len, "cannot read this network namespace: %s", strerror(-ret));
		return ret;
	}
	snprintf(name, sizeof(name), "%lu-%d.lock", (unsigned long)ns.st_ino, ifindex);
	snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
	dirfd = owner_dir_open(dir, err, err_len);
	if (dirfd < 0)
		return dirfd;
	for (int tries = 0; tries < 8 && ret == -EAGAIN; tries++)
		ret = owner_try(dirfd, dir, name, &o->fd, holder, err, err_len);
	close(dirfd);
	if (ret == -EAGAIN)
		snprintf(err, err_len, "%s keeps changing under us", o->path);
	return ret;
}

int xdpi_owner_lock(struct xdpi_owner *o, int ifindex, pid_t *holder, char *err, size_t err_len)
{
	return xdpi_owner_lock_in(o, OWNER_DIR, ifindex, holder, err, err_len);
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

int xdpi_owner_probe(int ifindex)
{
	char path[256];
	struct stat ns;
	int fd, ret;

	if (stat("/proc/self/ns/net", &ns))
		return -errno;
	snprintf(path, sizeof(path), "%s/%lu-%d.lock", OWNER_DIR, (unsigned long)ns.st_ino,
		 ifindex);
	/* Read only and never created: a look leaves nothing behind. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!flock(fd, LOCK_SH | LOCK_NB)) {
		ret = 0; /* nobody holds it: the run that took it is gone */
		flock(fd, LOCK_UN);
	} else {
		ret = errno == EWOULDBLOCK ? 1 : -errno;
	}
	close(fd);
	return ret;
}
