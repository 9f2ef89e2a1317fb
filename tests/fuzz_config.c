// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the config file reader (capture/config.c) on any
 * bytes. Invariants beyond the sanitizers': a file is taken or refused,
 * never half-read without a reason; a refusal names the file and, for a
 * bad line, a line number the file has; reading the same bytes twice gives
 * the same options (written back as `xdpi live` arguments); every value
 * the reader kept is freed with it (LeakSanitizer).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/config.h"
#include "capture/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct argv_text {
	char buf[16384];
	size_t len;
};

static void push(void *ctx, const char *arg)
{
	struct argv_text *t = ctx;
	int n = snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s\n", arg);

	if (n > 0 && (size_t)n < sizeof(t->buf) - t->len)
		t->len += (size_t)n;
}

static void fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_config: invariant broken: %s (%s)\n", what, err);
	abort();
}

/* Loads @path into fresh options; the text of their arguments in @t. */
static int load(const char *path, struct argv_text *t, char *err, size_t err_len)
{
	struct capture_config *cfg = NULL;
	struct capture_opts o;
	int ret;

	capture_opts_defaults(&o);
	ret = capture_config_load(path, &o, &cfg, err, err_len);
	t->len = 0;
	t->buf[0] = 0;
	if (!ret)
		capture_opts_write(&o, 0, push, t);
	capture_config_free(cfg);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct argv_text a, b;
	char path[64], err[512], err2[512], prefix[80];
	size_t lines = 1;
	int fd, ra, rb;

	fd = memfd_create("fuzz_config", 0);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	err[0] = err2[0] = 0;
	ra = load(path, &a, err, sizeof(err));
	rb = load(path, &b, err2, sizeof(err2));
	close(fd);
	if (ra != rb || strcmp(err, err2) || (!ra && strcmp(a.buf, b.buf)))
		fail("the same file read twice reads differently", err);
	if (!ra)
		return 0;
	snprintf(prefix, sizeof(prefix), "%s:", path);
	if (strncmp(err, prefix, strlen(prefix)))
		fail("a refusal that does not name the file", err);
	if (ra == -EINVAL) {
		unsigned long line = strtoul(err + strlen(prefix), NULL, 10);

		if (line < 1 || line > lines)
			fail("a line number the file does not have", err);
	}
	return 0;
}
