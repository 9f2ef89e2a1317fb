// SPDX-License-Identifier: MIT
/*
 * The config file reader. A line is read whole (getline), checked for its
 * length and for NUL bytes, trimmed, and is then a comment, blank, a bare
 * flag key, or `key = value`. The key is looked up in the option tables
 * themselves; the value is copied into the struct capture_config (the
 * options keep pointers to it) and handed to capture_opts_parse_opt(), so
 * a value means in a file exactly what it means on the command line.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../inspect/filter.h"

struct capture_config {
	char **values;
	size_t nvalues, cap;
	struct capture_config *older; /* capture_config_adopt() */
};

/* Keys of `xdpi live` that are not capture options: what a file cannot
 * set, with a better word than "unknown". */
static const char *const not_in_file[] = {"config", "check-config", "help"};

/* The table entry of @key, or NULL; *@index numbers both tables in a row
 * (for the duplicate check). */
static const struct option *key_lookup(const char *key, size_t *index)
{
	size_t i = 0;

	for (const struct option *lo = capture_long_opts; lo->name; lo++, i++)
		if (!strcmp(lo->name, key)) {
			*index = i;
			return lo;
		}
	for (const struct option *lo = capture_flow_long_opts; lo->name; lo++, i++)
		if (!strcmp(lo->name, key)) {
			*index = i;
			return lo;
		}
	return NULL;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

/* A copy of @s owned by @cfg. */
static const char *config_keep(struct capture_config *cfg, const char *s)
{
	char *copy;

	if (cfg->nvalues == cfg->cap) {
		size_t cap = cfg->cap ? cfg->cap * 2 : 16;
		char **v = realloc(cfg->values, cap * sizeof(*v));

		if (!v)
			return NULL;
		cfg->values = v;
		cfg->cap = cap;
	}
	copy = strdup(s);
	if (copy)
		cfg->values[cfg->nvalues++] = copy;
	return copy;
}

/* true/yes/1 (or no value): 1; false/no/0: 0; else -1. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = {"", "true", "yes", "1"};
	static const char *const no[] = {"false", "no", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcmp(v, yes[i]))
			return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcmp(v, no[i]))
			return 0;
	return -1;
}

/* One trimmed, non-empty, non-comment line. 0 or -EINVAL/-ENOMEM with the
 * reason (without FILE:LINE) in @err. */
static int config_line(struct capture_config *cfg, char *line, struct capture_opts *o, bool *seen,
		       char *err, size_t err_len)
{
	char *eq = strchr(line, '='), *key = line, *value = NULL;
	const struct option *lo;
	size_t index;
	const char *kept;
	int ret;

	if (eq) {
		*eq = 0;
		key = trim(line);
		value = trim(eq + 1);
	}
	if (!*key) {
		snprintf(err, err_len, "no key before '='");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(not_in_file) / sizeof(not_in_file[0]); i++) {
		if (!strcmp(key, not_in_file[i])) {
			snprintf(err, err_len, "'%s' cannot be set in a config file", key);
			return -EINVAL;
		}
	}
	lo = key_lookup(key, &index);
	if (!lo) {
		snprintf(err, err_len,
			 eq ? "unknown key '%s' (the keys are the long options of `xdpi live`)"
			    : "'%s' is not a key: expected KEY = VALUE",
			 key);
		return -EINVAL;
	}
	if (seen[index]) {
		snprintf(err, err_len, "'%s' given twice", key);
		return -EINVAL;
	}
	seen[index] = true;
	if (lo->has_arg == no_argument) {
		int on = parse_bool(value ? value : "");

		if (on < 0) {
			snprintf(err, err_len,
				 "invalid value '%s' for %s (valid: true, false, yes, no, 1, 0)",
				 value, key);
			return -EINVAL;
		}
		/* false leaves the default: no flag can be unset. */
		return on ? (capture_opts_parse_opt(o, lo->val, NULL) < 0 ? -EINVAL : 0) : 0;
	}
	if (!value) {
		snprintf(err, err_len, "missing '=': expected %s = VALUE", key);
		return -EINVAL;
	}
	if (!*value) {
		snprintf(err, err_len, "%s needs a value", key);
		return -EINVAL;
	}
	kept = config_keep(cfg, value);
	if (!kept) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	ret = capture_opts_parse_opt(o, lo->val, kept);
	if (ret < 0) {
		char why[512];
		bool known = capture_opts_explain(lo->val, kept, why, sizeof(why));

		if (lo->val == 'f')
			snprintf(err, err_len, "invalid filter '%s': %s", kept,
				 known ? why : "not a filter");
		else
			snprintf(err, err_len, "invalid value '%s' for %s%s%s%s", kept, key,
				 known ? " (valid: " : "", known ? why : "", known ? ")" : "");
		return -EINVAL;
	}
	return 0;
}

int capture_config_load(const char *path, struct capture_opts *o, struct capture_config **out,
			char *err, size_t err_len)
{
	bool seen[128] = {false};
	struct capture_config *cfg;
	char *line = NULL, why[640];
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	*out = NULL;
	if (capture_long_opts_count() + capture_flow_long_opts_count() > sizeof(seen)) {
		snprintf(err, err_len, "%s: too many options for the reader", path);
		return -EINVAL;
	}
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, err_len, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		fclose(f);
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	*out = cfg;
	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *text;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (len && line[len - 1] == '\r') /* written on Windows */
			line[--len] = 0;
		if (len > CAPTURE_CONFIG_LINE_MAX) {
			snprintf(why, sizeof(why), "line longer than %d bytes",
				 CAPTURE_CONFIG_LINE_MAX);
			ret = -EINVAL;
			break;
		}
		if (strlen(line) != (size_t)len) {
			snprintf(why, sizeof(why), "a NUL byte in the line");
			ret = -EINVAL;
			break;
		}
		text = trim(line);
		if (!*text || *text == '#')
			continue;
		ret = config_line(cfg, text, o, seen, why, sizeof(why));
		if (ret)
			break;
		errno = 0;
	}
	if (!ret && ferror(f)) {
		ret = errno ? -errno : -EIO;
		snprintf(err, err_len, "%s: cannot read: %s", path, strerror(-ret));
	} else if (ret) {
		snprintf(err, err_len, "%s:%lu: %s", path, lineno, why);
	}
	free(line);
	fclose(f);
	return ret;
}

void capture_config_adopt(struct capture_config *cfg, struct capture_config *older)
{
	struct capture_config *last = cfg;

	while (last->older)
		last = last->older;
	last->older = older;
}

void capture_config_free(struct capture_config *cfg)
{
	while (cfg) {
		struct capture_config *older = cfg->older;

		for (size_t i = 0; i < cfg->nvalues; i++)
			free(cfg->values[i]);
		free(cfg->values);
		free(cfg);
		cfg = older;
	}
}

/* How an option's value is compared between two generations: the typed
 * field(s) it sets, never its spelling. */
enum diff_kind {
	DIFF_MEM,    /* a scalar (integer, bool, enum, double): its bytes */
	DIFF_STR,    /* a string, NULL for unset */
	DIFF_LIST,   /* an int array and its count after it (off2) */
	DIFF_FILTER, /* o->filter, as --filter (an expression) */
	DIFF_PROTO,  /* o->filter, as --proto (a keyword) */
};

struct diff_row {
	const char *key;
	enum diff_kind kind;
	size_t off, size, off2;
};

#define DM(k, f)                                                 \
	{                                                        \
		k, DIFF_MEM, offsetof(struct capture_opts, f),   \
			sizeof(((struct capture_opts *)0)->f), 0 \
	}
#define DS(k, f)                                                    \
	{                                                           \
		k, DIFF_STR, offsetof(struct capture_opts, f), 0, 0 \
	}
#define DL(k, f, n)                                                          \
	{                                                                    \
		k, DIFF_LIST, offsetof(struct capture_opts, f), sizeof(int), \
			offsetof(struct capture_opts, n)                     \
	}

/* Every key of capture_long_opts and capture_flow_long_opts. One missing
 * here is always named as changed (so a reload says it was not applied),
 * which tests/test_config.c's comparison of a config with itself finds. */
static const struct diff_row diff_rows[] = {
	{"filter", DIFF_FILTER, 0, 0, 0},
	{"proto", DIFF_PROTO, 0, 0, 0},
	DM("duration", duration),
	DS("interface", ifname),
	DM("count", count),
	DS("write", write),
	DM("quiet", quiet),
	DM("interval", interval),
	DM("no-inspect", inspect),
	DM("check-seq", check_seq),
	DM("sender-clock", sender_clock),
	DM("ceiling", ceiling),
	DL("queues", queues, nqueues),
	DL("cpus", cpus, ncpus),
	DM("batch", batch),
	DM("mode", xsk.mode),
	DM("xdp-mode", xdp_mode),
	DM("frame-size", xsk.frame_size),
	DM("fill-size", xsk.fill_size),
	DM("comp-size", xsk.comp_size),
	DM("rx-size", xsk.rx_size),
	DM("no-busy-poll", xsk.busy_poll),
	DM("busy-poll-usecs", xsk.busy_poll_usecs),
	DM("no-need-wakeup", xsk.need_wakeup),
	DM("idle-spin-us", idle_spin_us),
	DM("passive", passive),
	DM("snaplen", snaplen),
	DM("ring-size", ring_size),
	DM("direction", direction),
	DM("json", json),
	DS("record", record),
	DS("user", user),
	DM("keep-privileges", keep_privileges),
	DM("force", force),
	DM("takeover", takeover),
	DM("max-frame", max_frame),
	DM("no-rx-metadata", no_rx_metadata),
	DM("no-frame-times", no_frame_times),
	DM("keep-offloads", keep_offloads),
	DM("verbose", verbose),
	DM("connections", connections),
	DM("no-flows", flows.off),
	DM("no-peeks", flows.no_peeks),
	DM("max-flows", flows.max_flows),
	DM("flow-timeout", flows.timeout),
	DM("flow-closed-timeout", flows.closed_timeout),
	DM("distinct-limit", flows.distinct_limit),
	DS("json-lines", flows.json_lines),
	DS("prometheus", flows.prometheus),
	DS("ipfix", flows.ipfix),
	DM("ipfix-active-timeout", flows.ipfix_active_timeout),
	DM("ipfix-domain", flows.ipfix_domain),
	DM("no-detect", flows.no_detect),
	DM("detect-window", flows.detect.window_s),
	DM("detect-hold", flows.detect.hold_s),
	DM("detect-max-entries", flows.detect_max_entries),
	DM("syn-flood-rate", flows.detect.syn_rate),
	DM("syn-flood-ratio", flows.detect.syn_ratio),
	DM("syn-flood-half-open", flows.detect.syn_half_open),
	DM("scan-window", flows.detect.scan_window_s),
	DM("port-scan-ports", flows.detect.port_scan_ports),
	DM("address-scan-hosts", flows.detect.addr_scan_hosts),
	DM("attempt-timeout", flows.detect.attempt_timeout_s),
	DM("volumetric-pps", flows.detect.vol_pps),
	DM("volumetric-mbps", flows.detect.vol_bps),
	DM("volumetric-flows", flows.detect.vol_flows),
	DM("volumetric-deviations", flows.detect.vol_deviations),
	DM("volumetric-warmup", flows.detect.vol_warmup_s),
	DM("volumetric-min-pps", flows.detect.vol_baseline_min_pps),
	DS("on-alert", flows.on_alert),
	DM("ipfix-alerts", flows.ipfix_alerts),
	DS("host-groups", flows.host_groups),
};

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

/* The filter as the option that would set it: --proto for a keyword,
 * --filter for an expression, neither for the default; NULL when @o's
 * filter is not set through option @kind. */
static const char *filter_as(const struct capture_opts *o, enum diff_kind kind)
{
	struct capture_opts d;
	bool keyword = xdpi_filter_keyword(o->filter) >= 0;

	capture_opts_defaults(&d);
	if (!strcmp(o->filter, d.filter))
		return NULL;
	return keyword == (kind == DIFF_PROTO) ? o->filter : NULL;
}

static bool row_differs(const struct diff_row *r, const struct capture_opts *a,
			const struct capture_opts *b)
{
	const char *pa = (const char *)a + r->off, *pb = (const char *)b + r->off;

	switch (r->kind) {
	case DIFF_MEM:
		return memcmp(pa, pb, r->size) != 0;
	case DIFF_STR:
		return str_differs(*(const char *const *)(const void *)pa,
				   *(const char *const *)(const void *)pb);
	case DIFF_LIST: {
		int na = *(const int *)(const void *)((const char *)a + r->off2);
		int nb = *(const int *)(const void *)((const char *)b + r->off2);

		return na != nb || memcmp(pa, pb, (size_t)na * sizeof(int)) != 0;
	}
	case DIFF_FILTER:
	case DIFF_PROTO:
		return str_differs(filter_as(a, r->kind), filter_as(b, r->kind));
	}
	return true;
}

static bool differs(const struct capture_opts *a, const struct capture_opts *b, const char *key)
{
	for (size_t i = 0; i < sizeof(diff_rows) / sizeof(diff_rows[0]); i++)
		if (!strcmp(diff_rows[i].key, key))
			return row_differs(&diff_rows[i], a, b);
	return true;
}

void capture_config_diff(const struct capture_opts *a, const struct capture_opts *b,
			 void (*changed)(void *ctx, const char *key), void *ctx)
{
	for (const struct option *lo = capture_long_opts; lo->name; lo++)
		if (differs(a, b, lo->name))
			changed(ctx, lo->name);
	for (const struct option *lo = capture_flow_long_opts; lo->name; lo++)
		if (differs(a, b, lo->name))
			changed(ctx, lo->name);
}
