// SPDX-License-Identifier: MIT
/* Small helpers shared by the subcommands: option values, privileges,
 * signals. */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "cmd.h"
#include "../bench/benchrun.h"
#include "../bench/generator.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int xdpi_check_privileges(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (has_cap(data, CAP_NET_ADMIN) &&
	    (has_cap(data, CAP_BPF) || has_cap(data, CAP_SYS_ADMIN)))
		return 0;
	xdpi_err("needs CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach XDP "
		 "and bind AF_XDP sockets: run as root");
	return -EPERM;
}

int xdpi_parse_traffic_opt(int opt, const char *arg, struct gen_opts *o)
{
	uint32_t u;
	int v;

	switch (opt) {
	case 's':
		if (!strcmp(arg, "imix"))
			o->size = GEN_IMIX;
		else if (xdpi_parse_u32(arg, 64, 1518, &o->size))
			return -EINVAL;
		return 1;
	case 'p':
		v = gen_proto_parse(arg);
		if (v < 0)
			return -EINVAL;
		o->proto = (enum gen_proto)v;
		return 1;
	case 'F':
		return xdpi_parse_u32(arg, 1, XDPI_GEN_MAX_FLOWS, &o->flows) ? -EINVAL : 1;
	case 'r':
		if (xdpi_parse_u32(arg, 1, 1000000000, &u))
			return -EINVAL;
		o->rate = u;
		return 1;
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

void xdpi_cmdline(int argc, char **argv, char *out, size_t len)
{
	*out = 0;
	for (int i = 0; i < argc; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "xdpi ", argv[i]);
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void xdpi_block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

bool xdpi_stop_signal_pending(void)
{
	sigset_t pending;

	sigpending(&pending);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigismember(&pending, stop_signals[i]))
			return true;
	return false;
}
