// SPDX-License-Identifier: MIT
/* Small helpers shared by the subcommands: traffic and harness options,
 * stop signals, the command line. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../bench/benchrun.h"
#include "../bench/generator.h"
#include "../util/outfile.h"

int xdpi_parse_traffic_opt(int opt, const char *arg, struct gen_opts *o)
{
	uint32_t u;
	int v;

	switch (opt) {
	case XDPI_OPT_SIZE:
		if (!strcmp(arg, "imix"))
			o->size = GEN_IMIX;
		else if (!strcmp(arg, "imix-jumbo"))
			o->size = GEN_IMIX_JUMBO;
		else if (xdpi_parse_u32(arg, 64, GEN_MAX_SIZE, &o->size))
			return -EINVAL;
		return 1;
	case XDPI_OPT_PROTO:
		v = gen_proto_parse(arg);
		if (v < 0)
			return -EINVAL;
		o->proto = (enum gen_proto)v;
		return 1;
	case XDPI_OPT_FLOWS:
		return xdpi_parse_u32(arg, 1, XDPI_GEN_MAX_FLOWS, &o->flows) ? -EINVAL : 1;
	case XDPI_OPT_RATE:
		if (xdpi_parse_u32(arg, 1, 1000000000, &u))
			return -EINVAL;
		o->rate = u;
		return 1;
	case XDPI_OPT_SRC_IPS:
		return xdpi_parse_u32(arg, 1, GEN_MAX_SRC_IPS, &o->src_ips) ? -EINVAL : 1;
	case XDPI_OPT_PRESET:
		return gen_preset_apply(o, arg) ? -EINVAL : 1;
	default:
		return 0;
	}
}

int xdpi_parse_harness_opt(int opt, const char *arg, struct bench_cfg *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int v = xdpi_parse_traffic_opt(opt, arg, &cfg->gen);

	if (v)
		return v;
	switch (opt) {
	case 'd':
		if (xdpi_parse_seconds(arg, &cfg->gen.duration) || cfg->gen.duration < 1)
			return -EINVAL;
		return 1;
	case XDPI_OPT_GEN_CPUS:
		cfg->gen.ncpus = xdpi_parse_list(arg, cfg->gen.cpus, GEN_MAX_THREADS, (int)ncpu);
		return cfg->gen.ncpus < 0 ? -EINVAL : 1;
	case XDPI_OPT_RX_CPUS:
		cfg->nrx_cpus = xdpi_parse_list(arg, cfg->rx_cpus, GEN_MAX_THREADS, (int)ncpu);
		return cfg->nrx_cpus < 0 ? -EINVAL : 1;
	default:
		return 0;
	}
}

const char *xdpi_choices(const char *const *names, int n, char *buf, size_t len)
{
	size_t off = 0;

	*buf = 0;
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", names[i]);
	return buf;
}

const char *xdpi_traffic_opt_valid(int opt, char *buf, size_t len)
{
	const char *protos[] = {gen_proto_name(GEN_TCP_SYN), gen_proto_name(GEN_TCP_DATA),
				gen_proto_name(GEN_UDP)};

	switch (opt) {
	case XDPI_OPT_SIZE:
		return "64..9018, imix or imix-jumbo";
	case XDPI_OPT_PROTO:
		return xdpi_choices(protos, 3, buf, len);
	case XDPI_OPT_FLOWS:
		snprintf(buf, len, "1..%d", XDPI_GEN_MAX_FLOWS);
		return buf;
	case XDPI_OPT_RATE:
		return "1..1000000000 frames per second";
	case XDPI_OPT_SRC_IPS:
		snprintf(buf, len, "1..%d", GEN_MAX_SRC_IPS);
		return buf;
	case XDPI_OPT_PRESET:
		return xdpi_choices(gen_preset_names, GEN__PRESETS, buf, len);
	case 'd':
		return "seconds, at least 1";
	case XDPI_OPT_GEN_CPUS:
	case XDPI_OPT_RX_CPUS:
		snprintf(buf, len, "a CPU list such as 0,2-3, each below %ld",
			 sysconf(_SC_NPROCESSORS_ONLN));
		return buf;
	default:
		return NULL;
	}
}

static void usage_tail(const char *usage)
{
	fprintf(stderr, "%s\nTry '%s --help'.\n", usage, xdpi_log_prefix());
}

void xdpi_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xdpi_vlog(XDPI_LOG_ERR, fmt, ap);
	va_end(ap);
	usage_tail(usage);
}

/* A quoted text longer than this is shortened: the message is one line a
 * person reads, and the user has the text already. */
#define QUOTE_MAX 160
#define QUOTE_HEAD 100
#define QUOTE_TAIL 40

const char *xdpi_quote_short(const char *text, char *buf, size_t len)
{
	size_t n = strlen(text);

	if (n <= QUOTE_MAX)
		return text;
	snprintf(buf, len, "%.*s ... %s (%zu characters)", QUOTE_HEAD, text, text + n - QUOTE_TAIL,
		 n);
	return buf;
}

void xdpi_usage_bad_value(const char *usage, char **argv, const char *arg, const char *valid)
{
	xdpi_err("invalid value '%s' for option %s%s%s%s", arg, xdpi_opt_name(argv, arg),
		 valid ? " (valid: " : "", valid ? valid : "", valid ? ")" : "");
	usage_tail(usage);
}

/* Edits (insert, delete, replace, swap two neighbours) from @a to @b,
 * counted up to 3: a suggestion is worth making at 2 or fewer. */
static int edit_distance(const char *a, const char *b)
{
	enum { MAX = 64 };
	int d[MAX + 1][MAX + 1];
	size_t n = strlen(a), m = strlen(b);

	if (n > MAX || m > MAX)
		return 3;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m] < 3 ? d[n][m] : 3;
}

/* The long option of @opts nearest to @typed ("--durration"), within two
 * edits; NULL if none. */
static const char *nearest_option(const char *typed, const struct option *opts)
{
	const char *best = NULL;
	int best_d = 3;

	for (; opts && opts->name; opts++) {
		int d = edit_distance(typed, opts->name);

		if (d < best_d) {
			best_d = d;
			best = opts->name;
		}
	}
	return best;
}

void xdpi_usage_getopt(const char *usage, char **argv, int c, const struct option *opts)
{
	/* An unknown letter: optopt (getopt_long() may still be inside its
	 * group, "-nv"). Else the option is the element getopt_long() has
	 * just moved past: "--bogus", "--size" without its value, "-c". */
	const char *typed = optind > 0 ? argv[optind - 1] : "?";
	char name[64];

	if ((c == '?' && optopt > 0) || (strncmp(typed, "--", 2) && optopt > 0 && optopt < 256))
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(typed, "="), typed);
	if (c == ':') {
		xdpi_err("option '%s' requires a value", name);
	} else if (!strncmp(name, "--", 2) && nearest_option(name + 2, opts)) {
		xdpi_err("unrecognized option '%s'; did you mean '--%s'?", name,
			 nearest_option(name + 2, opts));
	} else {
		xdpi_err("unrecognized option '%s'", name);
	}
	usage_tail(usage);
}

int xdpi_opttab_apply(const struct opttab *t, void *obj, const char *usage, char **argv, int c)
{
	char valid[256];
	int ret;

	if (c == '?' || c == ':') {
		xdpi_usage_getopt(usage, argv, c, t->longs);
		return -EINVAL;
	}
	ret = opttab_parse_opt(t, obj, c, optarg);
	if (ret >= 0)
		return ret;
	xdpi_usage_bad_value(usage, argv, optarg,
			     opttab_explain(t, c, optarg, valid, sizeof(valid)) ? valid : NULL);
	return -EINVAL;
}

int xdpi_opttab_init(struct opttab *t, const struct opttab_row *rows, const char *cmd)
{
	if (!opttab_init(t, rows))
		return 0;
	xdpi_err("the option table of %s is malformed", cmd);
	return -EINVAL;
}

void xdpi_cmdline(int argc, char **argv, char *out, size_t len)
{
	*out = 0;
	/* argv[0] is "xdpi COMMAND" (main()) or the bare command name */
	for (int i = 0; i < argc; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
			 i				? " "
			 : strncmp(argv[0], "xdpi ", 5) ? "xdpi "
							: "",
			 argv[i]);
}

int xdpi_record_write(const char *path, json_t *obj, char *err, size_t err_len)
{
	int fd = xdpi_output_open(path, XDPI_OUTPUT_TRUNCATE, 0666, NULL, err, err_len);
	int ret;

	if (fd < 0)
		return fd;
	ret = json_dumpfd(obj, fd, JSON_INDENT(1)) ? -EIO : 0;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		snprintf(err, err_len, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}

int xdpi_outputs_check(const char *const *paths, int n)
{
	char err[512];

	for (int i = 0; i < n; i++) {
		if (!paths[i] || !strcmp(paths[i], "-"))
			continue;
		if (xdpi_output_check(paths[i], err, sizeof(err))) {
			xdpi_err("%s", err);
			return -EINVAL;
		}
	}
	return 0;
}
