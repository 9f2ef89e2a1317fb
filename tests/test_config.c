// SPDX-License-Identifier: MIT
/*
 * Unit tests of the config file reader (capture/config.[ch]): every key of
 * the option tables is accepted and means what the option means, every
 * error names FILE:LINE and what is wrong, the line limit is exact, and
 * the comparison SIGHUP uses names the keys that changed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/config.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

static char path[64];

/* Writes @len bytes of @text to a new temporary file (path[]). */
static void write_file_len(const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/xdpi-test-config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, text, len) == (ssize_t)len);
	close(fd);
}

static void write_file(const char *text)
{
	write_file_len(text, strlen(text));
}

/* Loads @text over the defaults into @o; returns the result, the error in
 * @err with the temporary path replaced by "F". */
static int load(const char *text, struct capture_opts *o, struct capture_config **cfg, char *err,
		size_t err_len)
{
	char raw[1024] = "";
	int ret;

	write_file(text);
	capture_opts_defaults(o);
	ret = capture_config_load(path, o, cfg, raw, sizeof(raw));
	unlink(path);
	if (!strncmp(raw, path, strlen(path)))
		snprintf(err, err_len, "F%s", raw + strlen(path));
	else
		snprintf(err, err_len, "%s", raw);
	return ret;
}

/* The error of @text, which must not load. */
static void expect_error(const char *text, const char *want)
{
	struct capture_config *cfg;
	struct capture_opts o;
	char err[1024];

	EQ(load(text, &o, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	capture_config_free(cfg);
}

/* capture_opts_write() of @o as one string: what two options have to
 * agree on to be the same. */
static void push(void *ctx, const char *arg)
{
	char *s = ctx;

	strcat(s, " ");
	strcat(s, arg);
}

static void spell(const struct capture_opts *o, char *out)
{
	*out = 0;
	capture_opts_write(o, 0, push, out);
}

/* A value option @opt takes, found by trying what options take. */
static const char *some_value(int opt)
{
	static const char *const tries[] = {
		"tcp",	 "2048",	   "64",  "1",	  "0,1",    "copy",  "skb",
		"local", "127.0.0.1:9999", "0.5", "4096", "/tmp/f", "inout", "g 10.0.0.0/8"};
	struct capture_opts o;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		capture_opts_defaults(&o);
		if (capture_opts_parse_opt(&o, opt, tries[i]) > 0)
			return tries[i];
	}
	return NULL;
}

/* Every key of the table, with a value the option takes, loads to the
 * options the command line gives. */
static void check_table(const struct option *table)
{
	for (const struct option *lo = table; lo->name; lo++) {
		const char *v = lo->has_arg == no_argument ? "true" : some_value(lo->val);
		struct capture_opts want, got;
		struct capture_config *cfg;
		char text[256], err[1024], a[2048], b[2048];

		if (!v)
			fail_msg("no value found for --%s", lo->name);
		snprintf(text, sizeof(text), "%s = %s\n", lo->name, v);
		capture_opts_defaults(&want);
		EQ(capture_opts_parse_opt(&want, lo->val, lo->has_arg == no_argument ? NULL : v),
		   1);
		if (load(text, &got, &cfg, err, sizeof(err)))
			fail_msg("%s: %s", text, err);
		spell(&want, a);
		spell(&got, b);
		assert_string_equal(a, b);
		capture_config_free(cfg);
	}
}

TEST(every_key_accepted)
{
	check_table(capture_opttab()->longs);
}

TEST(errors_name_file_and_line)
{
	expect_error("bogus = 1\n", "F:1: unknown key 'bogus' (the keys are the long options of "
				    "`xdpi live`)");
	expect_error("# c\n\nbatch = 9999\n",
		     "F:3: invalid value '9999' for batch (valid: 1..4096)");
	expect_error("filter = tcp port\n",
		     "F:1: invalid filter 'tcp port': can't parse filter expression: syntax error");
	expect_error("batch 64\n", "F:1: 'batch 64' is not a key: expected KEY = VALUE");
	expect_error("batch\n", "F:1: missing '=': expected batch = VALUE");
	expect_error("batch =\n", "F:1: batch needs a value");
	expect_error("= 64\n", "F:1: no key before '='");
	expect_error("batch = 64\nbatch = 32\n", "F:2: 'batch' given twice");
	expect_error("config = x\n", "F:1: 'config' cannot be set in a config file");
	expect_error("check-config\n", "F:1: 'check-config' cannot be set in a config file");
	expect_error("help = yes\n", "F:1: 'help' cannot be set in a config file");
	expect_error("passive = maybe\n",
		     "F:1: invalid value 'maybe' for passive (valid: true, false, yes, no, 1, 0)");
	expect_error("--batch = 64\n", "F:1: unknown key '--batch' (the keys are the long "
				       "options of `xdpi live`)");
	expect_error("-b = 64\n", "F:1: unknown key '-b' (the keys are the long options of "
				  "`xdpi live`)");
}

TEST(nul_byte_refused)
{
	struct capture_config *cfg;
	struct capture_opts o;
	char err[1024];

	write_file_len("batch = 64\nbatch\0 = 1\n", 23);
	capture_opts_defaults(&o);
	EQ(capture_config_load(path, &o, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: a NUL byte in the line"));
	unlink(path);
	capture_config_free(cfg);
}

TEST(unreadable_file)
{
	struct capture_config *cfg;
	struct capture_opts o;
	char err[256];

	capture_opts_defaults(&o);
	EQ(capture_config_load("/nonexistent/xdpi.conf", &o, &cfg, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/xdpi.conf: cannot read: No such file or directory");
	assert_null(cfg);
	/* A directory opens, and fails at the read. */
	EQ(capture_config_load("/", &o, &cfg, err, sizeof(err)), -EISDIR);
	assert_string_equal(err, "/: cannot read: Is a directory");
	capture_config_free(cfg);
}

/* @head, then 'a' up to @len bytes, then @tail, into @text. */
static void long_line(char *text, const char *head, size_t len, const char *tail)
{
	size_t hl = strlen(head);

	memcpy(text, head, hl);
	memset(text + hl, 'a', len - hl);
	strcpy(text + len, tail);
}

TEST(line_limit_is_exact)
{
	/* The line exactly at the limit loads, a byte more does not (the
	 * newline and a CR before it are not counted). */
	static char text[CAPTURE_CONFIG_LINE_MAX + 16];
	struct capture_config *cfg;
	struct capture_opts o;
	char err[1024];

	long_line(text, "json-lines = /", CAPTURE_CONFIG_LINE_MAX, "\r\n");
	EQ(load(text, &o, &cfg, err, sizeof(err)), 0);
	EQ(strlen(o.flows.json_lines), CAPTURE_CONFIG_LINE_MAX - strlen("json-lines = "));
	capture_config_free(cfg);
	long_line(text, "# a\njson-lines = /", CAPTURE_CONFIG_LINE_MAX + 1 + strlen("# a\n"), "\n");
	expect_error(text, "F:2: line longer than 4096 bytes");
	/* The same for a comment, and for the last line without a newline. */
	long_line(text, "#", CAPTURE_CONFIG_LINE_MAX, "");
	EQ(load(text, &o, &cfg, err, sizeof(err)), 0);
	capture_config_free(cfg);
	long_line(text, "#", CAPTURE_CONFIG_LINE_MAX + 1, "");
	expect_error(text, "F:1: line longer than 4096 bytes");
}

TEST(boolean_forms)
{
	static const char *const yes[] = {"passive = true\n", "passive = yes\n",
					  "passive = 1\n",    "passive\n",
					  "passive =\n",      "  passive  =  yes  \n"};
	static const char *const no[] = {"passive = false\n", "passive = no\n", "passive = 0\n"};
	struct capture_config *cfg;
	struct capture_opts o;
	char err[1024];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		EQ(load(yes[i], &o, &cfg, err, sizeof(err)), 0);
		assert_true(o.passive);
		capture_config_free(cfg);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		EQ(load(no[i], &o, &cfg, err, sizeof(err)), 0);
		assert_false(o.passive);
		capture_config_free(cfg);
	}
	/* Flags that turn something off read the same way. */
	EQ(load("no-flows = yes\nno-busy-poll = 1\n", &o, &cfg, err, sizeof(err)), 0);
	assert_true(o.flows.off);
	assert_false(o.xsk.busy_poll);
	capture_config_free(cfg);
}

TEST(comments_whitespace_crlf)
{
	struct capture_config *cfg;
	struct capture_opts o;
	char err[1024];

	EQ(load("# a comment\n\n   \t\n  # indented\r\n\tfilter\t=  tcp port 443 \r\n"
		"json-lines = /var/log/xdpi/a b.jsonl\r\n"
		"interface = eth1\r\nflow-timeout=0.5",
		&o, &cfg, err, sizeof(err)),
	   0);
	assert_string_equal(o.filter, "tcp port 443");
	assert_string_equal(o.flows.json_lines, "/var/log/xdpi/a b.jsonl");
	assert_string_equal(o.ifname, "eth1");
	assert_true(o.flows.timeout == 0.5); /* the last line, without a newline */
	capture_config_free(cfg);
}

TEST(empty_file)
{
	struct capture_opts o, d;
	struct capture_config *cfg;
	char err[64], a[2048], b[2048];

	EQ(load("", &o, &cfg, err, sizeof(err)), 0);
	capture_opts_defaults(&d);
	spell(&o, a);
	spell(&d, b);
	assert_string_equal(a, b);
	capture_config_free(cfg);
}

TEST(command_line_wins)
{
	/* The file over the defaults, then the command line's option over
	 * the file, as `xdpi live` does. */
	struct capture_config *cfg;
	struct capture_opts o;
	struct option const *lo = capture_opttab()->longs;
	char err[64];

	EQ(load("flow-timeout = 10\nbatch = 32\n", &o, &cfg, err, sizeof(err)), 0);
	while (strcmp(lo->name, "flow-timeout"))
		lo++;
	EQ(capture_opts_parse_opt(&o, lo->val, "3"), 1);
	assert_true(o.flows.timeout == 3);
	EQ(o.batch, 32);
	capture_config_free(cfg);
}

/* What capture_config_diff() names, space-separated. */
static void collect(void *ctx, const char *key)
{
	strcat(ctx, " ");
	strcat(ctx, key);
}

TEST(diff_names_changed_keys)
{
	struct capture_config *c1, *c2;
	struct capture_opts a, b;
	char err[256], keys[256] = "";

	EQ(load("filter = udp\nflow-timeout = 10\npassive\ninterface = x0\n", &a, &c1, err,
		sizeof(err)),
	   0);
	EQ(load("filter = udp\nflow-timeout = 20\njson-lines = /tmp/j\ninterface = x1\n", &b, &c2,
		err, sizeof(err)),
	   0);
	capture_config_diff(&a, &b, collect, keys);
	assert_string_equal(keys, " passive interface flow-timeout json-lines");
	keys[0] = 0;
	capture_config_diff(&a, &a, collect, keys);
	assert_string_equal(keys, "");
	/* One owner for both generations. */
	capture_config_adopt(c2, c1);
	capture_config_free(c2);
}

/* The typed fields are compared: a filter under the option that sets it,
 * a list by its entries, a threshold by its value however it was
 * written. */
TEST(diff_compares_fields)
{
	struct capture_opts a, b;
	char keys[256] = "";

	capture_opts_defaults(&a);
	capture_opts_defaults(&b);
	b.filter = "udp";
	capture_config_diff(&a, &b, collect, keys);
	assert_string_equal(keys, " proto");
	keys[0] = 0;
	a.filter = "udp port 53";
	capture_config_diff(&a, &b, collect, keys);
	assert_string_equal(keys, " filter proto");
	keys[0] = 0;
	a.filter = b.filter;
	a.ncpus = b.ncpus = 2;
	a.cpus[0] = b.cpus[0] = 1;
	a.cpus[1] = 2;
	b.cpus[1] = 3;
	a.cpus[2] = 7; /* past the count: not compared */
	capture_config_diff(&a, &b, collect, keys);
	assert_string_equal(keys, " cpus");
	keys[0] = 0;
	b.cpus[1] = 2;
	b.flows.detect.vol_bps = a.flows.detect.vol_bps + 1e6;
	b.xsk.busy_poll = !a.xsk.busy_poll;
	capture_config_diff(&a, &b, collect, keys);
	assert_string_equal(keys, " no-busy-poll volumetric-mbps");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_key_accepted),
		cmocka_unit_test(errors_name_file_and_line),
		cmocka_unit_test(nul_byte_refused),
		cmocka_unit_test(unreadable_file),
		cmocka_unit_test(line_limit_is_exact),
		cmocka_unit_test(boolean_forms),
		cmocka_unit_test(comments_whitespace_crlf),
		cmocka_unit_test(empty_file),
		cmocka_unit_test(command_line_wins),
		cmocka_unit_test(diff_names_changed_keys),
		cmocka_unit_test(diff_compares_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
