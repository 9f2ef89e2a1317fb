// SPDX-License-Identifier: MIT
/*
 * The reload policy of a live run (capture/reload.h): which option may
 * change mid-run, and through which call of the engine.
 */
#include "reload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "../util/log.h"

/* The keys a reload changed, sorted out by capture_reload_apply(). */
struct reload_keys {
	const char *key[64];
	int n;
};

static void reload_key(void *ctx, const char *key)
{
	struct reload_keys *k = ctx;

	if (k->n < (int)(sizeof(k->key) / sizeof(k->key[0])))
		k->key[k->n++] = key;
}

/* Appends @what to the list of what was applied, for the summary line. */
static void reload_said(char *list, size_t len, const char *what)
{
	size_t n = strlen(list);

	snprintf(list + n, len - n, "%s%s", n ? ", " : "", what);
}

/* Whether a path is a file (not standard output). */
static bool is_file(const char *path)
{
	return path && strcmp(path, "-");
}

/* A threshold of the detection (capture_flow_rows): applied at once;
 * --no-detect and --detect-max-entries need a restart. */
static bool is_detect_key(const char *key)
{
	static const char *const keys[] = {
		"detect-window",	 "detect-hold",		"syn-flood-rate",
		"syn-flood-ratio",	 "syn-flood-half-open", "scan-window",
		"port-scan-ports",	 "address-scan-hosts",	"attempt-timeout",
		"volumetric-pps",	 "volumetric-mbps",	"volumetric-flows",
		"volumetric-deviations", "volumetric-warmup",	"volumetric-min-pps"};

	/* The groups start from the thresholds: applied with them. */
	if (!strcmp(key, "host-groups"))
		return true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/* Applies one changed key of @n to the run, if it can change mid-run.
 * Returns 1 if applied, 0 if not (said), -1 if it failed (said). */
static int reload_apply(struct capture *c, struct capture_opts *o, const struct capture_opts *n,
			const char *key, const char *config)
{
	char err[512];

	if (!strcmp(key, "interval")) {
		o->interval = n->interval;
		return 1;
	}
	if (!strcmp(key, "flow-timeout") || !strcmp(key, "flow-closed-timeout") ||
	    !strcmp(key, "ipfix-active-timeout")) {
		/* The three together: setting them twice does no harm. */
		if (capture_set_flow_timeouts(c, &n->flows)) {
			xdpi_warn("SIGHUP: %s changed in %s; not applied (no flow table)", key,
				  config);
			return 0;
		}
		o->flows.timeout = n->flows.timeout;
		o->flows.closed_timeout = n->flows.closed_timeout;
		o->flows.ipfix_active_timeout = n->flows.ipfix_active_timeout;
		return 1;
	}
	if (is_detect_key(key)) {
		/* Every threshold together, from the detection's next pass. */
		int ret = capture_set_detect(c, &n->flows);

		if (ret) {
			xdpi_warn("SIGHUP: %s changed in %s; not applied (%s)", key, config,
				  ret == -ENOENT ? "no detection in this run" : "out of range");
			return 0;
		}
		o->flows.detect = n->flows.detect;
		o->flows.host_groups = n->flows.host_groups;
		return 1;
	}
	if (!strcmp(key, "json-lines") && is_file(o->flows.json_lines) &&
	    is_file(n->flows.json_lines)) {
		if (capture_reopen_jsonl(c, n->flows.json_lines, err, sizeof(err))) {
			xdpi_err("SIGHUP: %s; still writing to %s", err, o->flows.json_lines);
			return -1;
		}
		o->flows.json_lines = n->flows.json_lines;
		return 1;
	}
	if (!strcmp(key, "prometheus") && o->flows.prometheus && n->flows.prometheus) {
		if (capture_move_prometheus(c, n->flows.prometheus, err, sizeof(err))) {
			xdpi_err("SIGHUP: %s; still serving on %s", err, o->flows.prometheus);
			return -1;
		}
		o->flows.prometheus = n->flows.prometheus;
		return 1;
	}
	xdpi_warn("SIGHUP: %s changed in %s; not applied (needs a restart)", key, config);
	return 0;
}

bool capture_reload_wanted(const struct capture_opts *o, bool config)
{
	return config || is_file(o->flows.json_lines);
}

void capture_reload_reopen(struct capture *c, const struct capture_opts *o)
{
	char err[768];

	if (is_file(o->flows.json_lines)) {
		if (capture_reopen_jsonl(c, o->flows.json_lines, err, sizeof(err)))
			xdpi_err("SIGHUP: %s; still writing to the previous file", err);
		else
			xdpi_info("SIGHUP: reopened %s", o->flows.json_lines);
	}
}

bool capture_reload_apply(struct capture *c, struct capture_opts *o, const struct capture_opts *n,
			  const char *config)
{
	struct reload_keys keys = {0};
	char applied[512] = "";
	bool keep = false;

	capture_config_diff(o, n, reload_key, &keys);
	for (int i = 0; i < keys.n; i++) {
		int r = reload_apply(c, o, n, keys.key[i], config);

		if (r > 0)
			reload_said(applied, sizeof(applied), keys.key[i]);
		/* The new path, address or groups are in use: their text must
		 * stay (o points into it). */
		keep |= r > 0 && (!strcmp(keys.key[i], "json-lines") ||
				  !strcmp(keys.key[i], "prometheus") || is_detect_key(keys.key[i]));
	}
	xdpi_info("SIGHUP: re-read %s: %s%s", config, *applied ? "applied " : "",
		  *applied ? applied
		  : keys.n ? "nothing applied"
			   : "nothing changed");
	return keep;
}
