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

/* --size: a byte count or one of the mixes. */
static int traffic_size_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	uint32_t *size = (uint32_t *)(void *)((char *)obj + r->off);

	if (!strcmp(arg, "imix"))
		*size = GEN_IMIX;
	else if (!strcmp(arg, "imix-jumbo"))
		*size = GEN_IMIX_JUMBO;
	else if (xdpi_parse_u32(arg, 64, GEN_MAX_SIZE, size))
		return -EINVAL;
	return 0;
}

/* A size as --size spells it (the mixes by name). */
static int traffic_size_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	uint32_t size = *(const uint32_t *)(const void *)((const char *)obj + r->off);

	if (size == GEN_IMIX || size == GEN_IMIX_JUMBO)
		snprintf(buf, len, "%s", size == GEN_IMIX ? "imix" : "imix-jumbo");
	else
		snprintf(buf, len, "%u", size);
	return 1;
}

static int traffic_proto_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	int v = gen_proto_parse(arg);

	if (v < 0)
		return -EINVAL;
	*(enum gen_proto *)(void *)((char *)obj + r->off) = (enum gen_proto)v;
	return 0;
}

static int traffic_proto_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 gen_proto_name(
			 *(const enum gen_proto *)(const void *)((const char *)obj + r->off)));
	return 1;
}

static int traffic_proto_explain(const char *arg, char *err, size_t err_len)
{
	const char *protos[] = {gen_proto_name(GEN_TCP_SYN), gen_proto_name(GEN_TCP_DATA),
				gen_proto_name(GEN_UDP)};

	(void)arg;
	xdpi_choices(protos, 3, err, err_len);
	return 1;
}

/* --preset sets several fields of struct gen_opts (the row's base). */
static int traffic_preset_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	(void)r;
	return gen_preset_apply(obj, arg);
}

/* The preset is not kept: the fields it set are written as themselves. */
static int traffic_preset_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	(void)obj, (void)r, (void)len;
	buf[0] = 0;
	return 0;
}

static int traffic_preset_explain(const char *arg, char *err, size_t err_len)
{
	(void)arg;
	xdpi_choices(gen_preset_names, GEN__PRESETS, err, err_len);
	return 1;
}

/* "1..N" for a count row: from its own bound. */
#define XDPI_STR2(x) #x
#define XDPI_STR(x) XDPI_STR2(x)

#define GO(m) offsetof(struct gen_opts, m)

/* clang-format off */
const struct opttab_row xdpi_traffic_rows[] = {
	{OPTTAB_U32, "size", .off = GO(size), .parse = traffic_size_parse, .fmt = traffic_size_fmt,
	 .valid = "64..9018, imix or imix-jumbo", .metavar = "N", .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "bytes on the wire, FCS included: 64..9018 (at most the MTU + 18), imix "
		 "(7:4:1 of 64/594/1518) or imix-jumbo (7:4:1:1 of 64/594/1518/9018). Frames "
		 "over 3412 bytes go through AF_XDP multi-buffer TX (Linux 6.6+)"},
	{OPTTAB_CUSTOM, "proto", .off = GO(proto), .parse = traffic_proto_parse,
	 .fmt = traffic_proto_fmt, .explain = traffic_proto_explain, .metavar = "P",
	 .flags = OPTTAB_OBJ_DEFAULT, .help = "tcp-syn, tcp-data or udp"},
	{OPTTAB_U32, "flows", .off = GO(flows), .min = 1, .max = XDPI_GEN_MAX_FLOWS,
	 .valid = "1.." XDPI_STR(XDPI_GEN_MAX_FLOWS), .metavar = "N", .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "flows (source ports); flows spread over queues on receivers that hash"},
	{OPTTAB_U64, "rate", .off = GO(rate), .min = 1, .max = 1000000000,
	 .valid = "1..1000000000 frames per second", .metavar = "PPS",
	 .def_doc = "as fast as possible", .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "frames per second over all sender threads"},
	{OPTTAB_U32, "src-ips", .off = GO(src_ips), .min = 1, .max = GEN_MAX_SRC_IPS,
	 .valid = "1.." XDPI_STR(GEN_MAX_SRC_IPS), .metavar = "N", .def_doc = "1",
	 .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "spoofed sources: the N addresses from the source address on (198.18.0.1), "
		 "round robin over the frames of each flow (1..131072, a /15)"},
	{OPTTAB_CUSTOM, "preset", .parse = traffic_preset_parse, .fmt = traffic_preset_fmt,
	 .explain = traffic_preset_explain, .metavar = "P", .flags = OPTTAB_NO_CONFIG,
	 .help = "syn-flood or udp-flood: every frame a new flow (--flows 50000 --src-ips "
		 "131071: 6.5 G distinct 4-tuples); options after it override it"},
	{OPTTAB_END},
};
/* clang-format on */

/* --gen-cpus, --rx-cpus: a CPU list, each CPU online now (a bound a row
 * cannot hold); off2 the count. */
static int harness_cpus_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	int n = xdpi_parse_list(arg, (int *)(void *)((char *)obj + r->off), GEN_MAX_THREADS,
				(int)sysconf(_SC_NPROCESSORS_ONLN));

	if (n < 0)
		return -EINVAL;
	*(int *)(void *)((char *)obj + r->off2) = n;
	return 0;
}

static int harness_cpus_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	const int *cpus = (const int *)(const void *)((const char *)obj + r->off);
	int n = *(const int *)(const void *)((const char *)obj + r->off2);
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", cpus[i]);
	return n > 0;
}

static int harness_cpus_explain(const char *arg, char *err, size_t err_len)
{
	(void)arg;
	snprintf(err, err_len, "a CPU list such as 0,2-3, each below %ld",
		 sysconf(_SC_NPROCESSORS_ONLN));
	return 1;
}

#define BC(m) offsetof(struct bench_cfg, m)

/* clang-format off */
const struct opttab_row xdpi_harness_rows[] = {
	{OPTTAB_SECONDS, "duration", 'd', .off = BC(gen.duration), .fmin = 1,
	 .valid = "seconds, at least 1", .metavar = "S", .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "seconds of traffic per trial (bench) or point (tune)"},
	{OPTTAB_CUSTOM, "gen-cpus", .off = BC(gen.cpus), .off2 = BC(gen.ncpus),
	 .parse = harness_cpus_parse, .fmt = harness_cpus_fmt, .explain = harness_cpus_explain,
	 .metavar = "LIST", .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "the generator threads' CPUs"},
	{OPTTAB_CUSTOM, "rx-cpus", .off = BC(rx_cpus), .off2 = BC(nrx_cpus),
	 .parse = harness_cpus_parse, .fmt = harness_cpus_fmt, .explain = harness_cpus_explain,
	 .metavar = "LIST", .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "the receive workers' CPUs"},
	{OPTTAB_END},
};
/* clang-format on */

const char *xdpi_choices(const char *const *names, int n, char *buf, size_t len)
{
	size_t off = 0;

	*buf = 0;
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", names[i]);
	return buf;
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

int xdpi_opttab_getopt(const struct opttab *t, void *obj, const char *usage, int argc, char **argv)
{
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, t->shorts, t->longs, NULL)) != -1) {
		ret = xdpi_opttab_apply(t, obj, usage, argv, c);
		if (ret < 0)
			return ret;
		if (!ret)
			return c;
	}
	return 0;
}

void xdpi_print_shell_arg(void *file, const char *arg)
{
	FILE *out = file;

	if (*arg && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789_./:,=@%+-[]") == strlen(arg)) {
		fprintf(out, " %s", arg);
		return;
	}
	fputs(" '", out);
	for (const char *p = arg; *p; p++)
		if (*p == '\'')
			fputs("'\\''", out);
		else
			fputc(*p, out);
	fputc('\'', out);
}

char *xdpi_join_args(int n, char *const *args)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(args[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	*s = 0;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, args[i]);
	}
	return s;
}

int xdpi_opttab_parse(struct opttab *t, const struct opttab_row *rows, const char *cmd, void *obj,
		      const char *usage_line, void (*usage)(FILE *out), int argc, char **argv)
{
	int c;

	if (xdpi_opttab_init(t, rows, cmd))
		return -EINVAL;
	opttab_defaults(t, obj);
	c = xdpi_opttab_getopt(t, obj, usage_line, argc, argv);
	if (c <= 0)
		return c;
	if (xdpi_help_man())
		opttab_man(t, stdout);
	else
		usage(stdout);
	return 1;
}

bool xdpi_help_man(void)
{
	return getenv("XDPI_HELP_MAN") != NULL;
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
