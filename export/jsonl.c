// SPDX-License-Identifier: MIT
#include "jsonl.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_report.h"

struct jsonl {
	FILE *f;
	bool is_stdout;
	bool failed;
	pthread_mutex_t lock;
};

int jsonl_open(struct jsonl **out, const char *path, char *err, size_t err_len)
{
	struct jsonl *j = calloc(1, sizeof(*j));

	*out = NULL;
	if (!j) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	j->is_stdout = !strcmp(path, "-");
	j->f = j->is_stdout ? stdout : fopen(path, "we");
	if (!j->f) {
		int e = errno;

		snprintf(err, err_len, "cannot write %s: %s", path, strerror(e));
		free(j);
		return -e;
	}
	pthread_mutex_init(&j->lock, NULL);
	*out = j;
	return 0;
}

int jsonl_write(struct jsonl *j, json_t *obj)
{
	int ret = 0;

	if (!obj) {
		j->failed = true; /* out of memory building it: a lost line */
		return -ENOMEM;
	}
	pthread_mutex_lock(&j->lock);
	if (json_dumpf(obj, j->f, JSON_COMPACT) || fputc('\n', j->f) == EOF) {
		j->failed = true;
		ret = -EIO;
	}
	pthread_mutex_unlock(&j->lock);
	json_decref(obj);
	return ret;
}

int jsonl_reopen(struct jsonl *j, const char *path, char *err, size_t err_len)
{
	FILE *f, *old;
	bool lost;

	if (j->is_stdout)
		return 0;
	if (!strcmp(path, "-")) {
		snprintf(err, err_len, "cannot switch the JSON lines from a file to stdout");
		return -EINVAL;
	}
	/* Appending: a reopen without a rotation keeps what the file has. */
	f = fopen(path, "ae");
	if (!f) {
		int e = errno;

		snprintf(err, err_len, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	pthread_mutex_lock(&j->lock);
	old = j->f;
	j->f = f;
	pthread_mutex_unlock(&j->lock);
	/* No writer holds @old any more: close it outside the lock. */
	lost = fclose(old) != 0;
	if (lost) {
		pthread_mutex_lock(&j->lock);
		j->failed = true;
		pthread_mutex_unlock(&j->lock);
	}
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
	if (fflush(j->f))
		j->failed = true;
	if (!j->is_stdout && fclose(j->f))
		j->failed = true;
	ret = j->failed ? -EIO : 0;
	pthread_mutex_destroy(&j->lock);
	free(j);
	return ret;
}
