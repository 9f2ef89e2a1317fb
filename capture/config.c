// SPDX-License-Identifier: MIT
/*
 * The config file reader. A line is read whole (getline), checked for its
 * length and for NUL bytes, trimmed, and is then a comment, blank, a bare
 * flag key, or `key = value`. The key is looked up in the option table
 * itself (capture_opttab()); the value is copied into the struct
 * capture_config (the options keep pointers to it) and parsed by its row,
 * so a value means in a file exactly what it means on the command line.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct capture_config {
	char **values;
	size_t nvalues, cap;
	struct capture_config *older; /* capture_config_adopt() */
};

/* Keys of `xdpi live` that are not capture options: what a file cannot
 * set, with a better word than "unknown". */
static const char *const not_in_file[] = {"config", "check-config", "help"};

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
	const struct opttab *t = capture_opttab();
	const struct opttab_ent *e;
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
	e = opttab_key(t, key, &index);
	if (!e) {
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
	if (!opttab_has_arg(e)) {
		int on = parse_bool(value ? value : "");

		if (on < 0) {
			snprintf(err, err_len,
				 "invalid value '%s' for %s (valid: true, false, yes, no, 1, 0)",
				 value, key);
			return -EINVAL;
		}
		/* false leaves the default: no flag can be unset. */
		return on ? opttab_set(e, o, NULL) : 0;
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
	ret = opttab_set(e, o, kept);
	if (ret < 0) {
		char why[512];
		bool known = opttab_explain(t, e->val, kept, why, sizeof(why));

		if (e->val == 'f')
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
	bool seen[OPTTAB_MAX] = {false};
	struct capture_config *cfg;
	char *line = NULL, why[640];
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	*out = NULL;
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

int capture_config_build(const struct opttab *t, int argc, char **argv, const char *config,
			 struct capture_opts *o, struct capture_config **store, char *err,
			 size_t err_len)
{
	const struct opttab_ent *e;
	const char *file_ifname;
	int c;

	*store = NULL;
	capture_opts_defaults(o);
	if (config) {
		int ret = capture_config_load(config, o, store, err, err_len);

		if (ret)
			return ret == -ENOMEM ? ret : -EINVAL;
	}
	file_ifname = o->ifname;
	o->ifname = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, t->shorts, t->longs, NULL)) != -1) {
		e = opttab_find(t, c);
		if (e && e->row->type == OPTTAB_ACTION)
			continue;
		if (opttab_parse_opt(t, o, c, optarg) <= 0) {
			snprintf(err, err_len, "the command line changed under us");
			return -EINVAL;
		}
	}
	if (optind == argc - 1 && (!o->ifname || !strcmp(o->ifname, argv[optind])))
		o->ifname = argv[optind];
	else if (optind != argc)
		o->ifname = NULL;
	else if (!o->ifname)
		o->ifname = file_ifname;
	if (!o->ifname) {
		snprintf(err, err_len,
			 "live takes exactly one IFACE, as -i IFACE or the last argument%s",
			 config ? " (or interface = IFACE in the config file)" : "");
		return -EINVAL;
	}
	/* -q: no table, whatever --interval says. */
	if (o->quiet)
		o->interval = 0;
	return 0;
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

void capture_config_diff(const struct capture_opts *a, const struct capture_opts *b,
			 void (*changed)(void *ctx, const char *key), void *ctx)
{
	opttab_diff(capture_opttab(), a, b, changed, ctx);
}
