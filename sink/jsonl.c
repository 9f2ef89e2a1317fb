// SPDX-License-Identifier: MIT
#include "jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "flow_record.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/outfile.h"

/* Lines wait in a buffer of our own, never in stdio's alone: stdio writes
 * out a full buffer at any byte, which leaves half a line in the file for a
 * reader (a log shipper) to find. The buffer goes out whole lines at a
 * time, when it fills, when a line in it is JSONL_MAX_DELAY_S old (checked
 * on every write and by jsonl_flush_due()) and at the end of each batch
 * (jsonl_flush()). */
#define JSONL_BUF_SIZE (64 * 1024)

struct jsonl {
	FILE *f;
	bool is_stdout;
	bool failed;
	pthread_mutex_t lock;
	char *buf;
	size_t len;
	double oldest; /* when the first line now in buf was put there */
};

/* @iov's bytes to @fd in one writev() where the kernel takes them whole
 * (it may stop short, on a full disk or a signal: then the rest follows).
 * Not through stdio: fwrite() of more than its buffer goes out in several
 * write()s, the first ending wherever its buffer did, and a reader of the
 * file between two of them finds half a line. 0 or -1 (errno). */
static int jsonl_writev_all(int fd, struct iovec *iov, int n)
{
	while (n) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Under the lock: the buffered lines to the file (or the pipe), after what
 * stdio may hold, in one write. */
static void jsonl_flush_locked(struct jsonl *j)
{
	struct iovec iov = {j->buf, j->len};

	if (fflush(j->f) || (j->len && jsonl_writev_all(fileno(j->f), &iov, 1)))
		j->failed = true;
	j->len = 0;
}

/* A file made here for @owner becomes theirs; one that was there stays
 * whose it is (handing over a file someone else made would give it away),
 * and is named when @owner could not write it after a reopen. */
static int jsonl_give(FILE *f, const char *path, bool created, const struct jsonl_owner *owner,
		      char *err, size_t err_len)
{
	struct stat st;

	if (!owner)
		return 0;
	if (created) {
		int e;

		if (!fchown(fileno(f), owner->uid, owner->gid))
			return 0;
		e = errno;
		snprintf(err, err_len, "cannot give %s to user %s: %s", path, owner->name,
			 strerror(e));
		return -e;
	}
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_uid != owner->uid)
		xdpi_warn("%s is not %s's (its owner is uid %u): the reopen on SIGHUP, made as %s, "
			  "fails after a log rotation that keeps that owner; chown it to %s",
			  path, owner->name, (unsigned)st.st_uid, owner->name, owner->name);
	return 0;
}

int jsonl_open(struct jsonl **out, const char *path, const struct jsonl_owner *owner, char *err,
	       size_t err_len)
{
	struct jsonl *j = calloc(1, sizeof(*j));
	bool created = false;
	int ret;

	*out = NULL;
	if (!j) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	j->buf = malloc(JSONL_BUF_SIZE);
	if (!j->buf) {
		free(j);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	j->is_stdout = !strcmp(path, "-");
	if (j->is_stdout) {
		j->f = stdout;
	} else {
		j->f = xdpi_output_fopen(path, XDPI_OUTPUT_APPEND, 0666, &created, err, err_len);
		if (!j->f) {
			ret = -errno;
			free(j->buf);
			free(j);
			return ret;
		}
		ret = jsonl_give(j->f, path, created, owner, err, err_len);
		if (ret) {
			fclose(j->f);
			unlink(path); /* made here a moment ago, empty */
			free(j->buf);
			free(j);
			return ret;
		}
	}
	pthread_mutex_init(&j->lock, NULL);
	*out = j;
	return 0;
}

int jsonl_write(struct jsonl *j, json_t *obj)
{
	char *line = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	size_t n;
	double now;

	json_decref(obj);
	if (!line) {
		pthread_mutex_lock(&j->lock);
		j->failed = true; /* out of memory building it: a lost line */
		pthread_mutex_unlock(&j->lock);
		return -ENOMEM;
	}
	n = strlen(line);
	now = xdpi_now();
	pthread_mutex_lock(&j->lock);
	if (j->len + n + 1 > JSONL_BUF_SIZE)
		jsonl_flush_locked(j);
	if (n + 1 > JSONL_BUF_SIZE) { /* a line longer than the buffer: alone */
		struct iovec iov[2] = {{line, n}, {(void *)"\n", 1}};

		if (fflush(j->f) || jsonl_writev_all(fileno(j->f), iov, 2))
			j->failed = true;
	} else {
		if (!j->len)
			j->oldest = now;
		memcpy(j->buf + j->len, line, n);
		j->buf[j->len + n] = '\n';
		j->len += n + 1;
		if (now - j->oldest >= JSONL_MAX_DELAY_S)
			jsonl_flush_locked(j);
	}
	pthread_mutex_unlock(&j->lock);
	free(line);
	return 0;
}

int jsonl_flush(struct jsonl *j)
{
	int ret;

	if (!j)
		return 0;
	pthread_mutex_lock(&j->lock);
	jsonl_flush_locked(j);
	ret = j->failed ? -EIO : 0;
	pthread_mutex_unlock(&j->lock);
	return ret;
}

void jsonl_flush_due(struct jsonl *j, double now)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	if (j->len && now - j->oldest >= JSONL_MAX_DELAY_S)
		jsonl_flush_locked(j);
	pthread_mutex_unlock(&j->lock);
}

int jsonl_reopen(struct jsonl *j, const char *path, char *err, size_t err_len)
{
	FILE *f;

	if (j->is_stdout)
		return 0;
	if (!strcmp(path, "-")) {
		snprintf(err, err_len, "cannot switch the JSON lines from a file to stdout");
		return -EINVAL;
	}
	/* Appending: a reopen without a rotation keeps what the file has.
	 * Run as the --user by then, whose file it is if made here. */
	f = xdpi_output_fopen(path, XDPI_OUTPUT_APPEND, 0666, NULL, err, err_len);
	if (!f)
		return -errno;
	/* The new file takes the old one's descriptor number: the thread that
	 * writes the flows' lines is allowed that descriptor only
	 * (util/sandbox.h). The lines buffered so far go to the old file. */
	pthread_mutex_lock(&j->lock);
	jsonl_flush_locked(j);
	if (dup3(fileno(f), fileno(j->f), O_CLOEXEC) < 0) {
		int e = errno;

		pthread_mutex_unlock(&j->lock);
		fclose(f);
		snprintf(err, err_len, "cannot switch to %s: %s", path, strerror(e));
		return -e;
	}
	pthread_mutex_unlock(&j->lock);
	fclose(f);
	return 0;
}

void jsonl_flow_end(void *ctx, const struct flow_record *r)
{
	jsonl_write(ctx, flow_record_json(r));
}

int jsonl_close(struct jsonl *j)
{
	int ret;

	if (!j)
		return 0;
	jsonl_flush_locked(j);
	if (!j->is_stdout && fclose(j->f))
		j->failed = true;
	ret = j->failed ? -EIO : 0;
	pthread_mutex_destroy(&j->lock);
	free(j->buf);
	free(j);
	return ret;
}

int jsonl_fd(const struct jsonl *j)
{
	return j ? fileno(j->f) : -1;
}
