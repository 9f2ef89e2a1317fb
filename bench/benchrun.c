// SPDX-License-Identifier: MIT
/*
 * Benchmark points. Design notes:
 * - Children: every receiver and the generator is a fork of this process
 *   that enters the testbed's namespace and calls the engine's API
 *   (bench/inproc.h: the capture, the AF_PACKET receiver, the generator),
 *   its results handed back typed through a shared mapping; testpmd alone
 *   is a program, started with `ip netns exec`. Each child's stdout and
 *   stderr are anonymous files (memfd) the parent made: its log, and for
 *   the record the receiver's own report. No name in a shared directory
 *   such as /tmp: nothing another user could plant a symlink at, and
 *   nothing left behind by a killed run. Children start with default
 *   signals and only descriptors 0-2 (util/child.h). A child that outlives
 *   its time is killed, and its XDP program is detached in the namespace
 *   (testpmd's: `ip link set xdp off`).
 * - Order per point: receiver up (it says it is ready), placement set
 *   (threaded NAPI can only be switched on once XDP or GRO is on), CPU
 *   counters read, generator run, CPU counters read, receiver told to stop
 *   (its ledger is drained and closed), placement undone.
 * - CPU busy share: from /proc/stat of the rx and gen CPUs over exactly the
 *   generator's run (user+nice+system+irq+softirq over all states).
 * - Options: a point says what it wants of an xdpi receiver as the struct
 *   capture_opts `xdpi live` fills from its command line, and hands it to
 *   the capture as is.
 */
#include "benchrun.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inproc.h"
#include "../capture/ledger.h"
#include "../capture/options.h"
#include "../util/child.h"
#include "../util/clock.h"
#include "../util/optval.h"

#define BENCH_READY_TIMEOUT_S 15
#define BENCH_STOP_TIMEOUT_S 20
/* A fresh veth pair's first traffic loses frames at rates it otherwise
 * takes (its XDP rings and page pools are set up then): a short run at a
 * low rate before the first trial that counts. */
#define BENCH_WARMUP_PPS 200000
#define BENCH_WARMUP_S 1.0

static const char *const placement_names[BENCH_PLACE_SENDER + 1] = {"auto", "busy-poll", "threaded",
								    "sender"};

bool bench_have_dpdk(void)
{
	static const char *const dirs[] = {"/usr/bin", "/usr/local/bin", "/usr/sbin"};
	char path[64];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/dpdk-testpmd", dirs[i]);
		if (!access(path, X_OK))
			return true;
	}
	return false;
}

const char *bench_placement_name(enum bench_placement p)
{
	return (unsigned)p <= BENCH_PLACE_SENDER ? placement_names[p] : "invalid";
}

int bench_placement_parse(const char *s)
{
	return xdpi_parse_choice(s, placement_names, BENCH_PLACE_SENDER + 1);
}

int bench_placements_parse(const char *s, int *out, int max)
{
	return xdpi_parse_choice_list(s, placement_names, BENCH_PLACE_SENDER + 1,
				      BENCH_PLACE_AUTO + 1, out, max);
}

void bench_cfg_defaults(struct bench_cfg *cfg, double duration)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	gen_opts_defaults(&cfg->gen);
	cfg->gen.duration = duration;
	cfg->gen.cpus[0] = 0;
	cfg->gen.ncpus = 1;
	cfg->rx_cpus[0] = ncpu > 1 ? 1 : 0;
	cfg->nrx_cpus = 1;
}

static int run_cmd(char *const argv[])
{
	return xdpi_run_cmd(argv, NULL, 0);
}

static cpu_set_t all_cpus;

void bench_pin_harness(const struct bench_cfg *cfg)
{
	cpu_set_t gen;

	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus))
		return;
	CPU_ZERO(&gen);
	for (int i = 0; i < cfg->gen.ncpus; i++)
		if (CPU_ISSET(cfg->gen.cpus[i], &all_cpus))
			CPU_SET(cfg->gen.cpus[i], &gen);
	for (int i = 0; i < cfg->nrx_cpus; i++)
		CPU_CLR(cfg->rx_cpus[i], &gen);
	if (CPU_COUNT(&gen))
		sched_setaffinity(0, sizeof(gen), &gen);
}

/* Starts argv with stdout and stderr on @out_fd and @err_fd (made by
 * child_files()): the child keeps its copies on 1 and 2, nothing else. */
static pid_t spawn(char *const argv[], int out_fd, int err_fd)
{
	pid_t pid = fork();

	if (!pid) {
		if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
			_exit(126);
		xdpi_child_prepare(3);
		/* The harness keeps itself off the receiver's CPUs
		 * (bench_pin_harness()); its children choose their own. */
		sched_setaffinity(0, sizeof(all_cpus), &all_cpus);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static bool file_has(const char *path, const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* The last non-empty line: the one that says why a child gave up. */
static void file_last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[512];

	*out = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (*line && *line != '\n')
			snprintf(out, len, "%.200s", line);
	out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* Waits for @pid to exit within @timeout_s; kills it if not. Returns its
 * exit status, or -ETIMEDOUT. */
static int wait_child(pid_t pid, double timeout_s)
{
	double end = xdpi_now() + timeout_s;
	int status;

	while (xdpi_now() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0 && errno != EINTR)
			return -errno;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

/* "ip netns exec NS sysctl ..." for an error message: the whole command. */
static void argv_join(char *const argv[], char *out, size_t len)
{
	size_t off = 0;

	*out = 0;
	for (int i = 0; argv[i] && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s", i ? " " : "", argv[i]);
}

int testbed_create(struct testbed *tb, int queues, char *err, size_t err_len)
{
	return testbed_create_mtu(tb, queues, 0, err, err_len);
}

/* Sets the MTU of both ends (after the pair is up): a failure is named
 * whole, as testbed_create_mtu()'s steps are. */
static int testbed_set_mtu(struct testbed *tb, char *err, size_t err_len)
{
	char m[16];
	char *const gen[] = {"ip",  "-n", tb->gen_ns, "link", "set", (char *)tb->gen_if,
			     "mtu", m,	  NULL};
	char *const dut[] = {"ip",  "-n", tb->dut_ns, "link", "set", (char *)tb->dut_if,
			     "mtu", m,	  NULL};
	char *const *steps[] = {gen, dut};

	snprintf(m, sizeof(m), "%u", tb->mtu);
	for (size_t i = 0; i < 2; i++) {
		char cmd[256], out[256];
		int ret = xdpi_run_cmd(steps[i], out, sizeof(out));

		if (ret) {
			argv_join(steps[i], cmd, sizeof(cmd));
			snprintf(err, err_len, "cannot set the testbed's MTU: `%s` failed%s%s", cmd,
				 *out ? ": " : "", out);
			return ret < 0 ? ret : -EIO;
		}
	}
	return 0;
}

int testbed_create_mtu(struct testbed *tb, int queues, uint32_t mtu, char *err, size_t err_len)
{
	char q[16];
	int pid = (int)getpid();

	memset(tb, 0, sizeof(*tb));
	snprintf(tb->gen_ns, sizeof(tb->gen_ns), "xdpi-gen-b%d", pid);
	snprintf(tb->dut_ns, sizeof(tb->dut_ns), "xdpi-dut-b%d", pid);
	tb->gen_if = "xdpi-g";
	tb->dut_if = "xdpi-d";
	tb->queues = queues;
	snprintf(q, sizeof(q), "%d", queues);
	{
		char *gi = (char *)tb->gen_if, *di = (char *)tb->dut_if;
		char *const steps[][20] = {
			{"ip", "netns", "add", tb->gen_ns, NULL},
			{"ip", "netns", "add", tb->dut_ns, NULL},
			/* Only the generator's frames on the wire: no IPv6
			 * neighbour discovery chatter in the counts. */
			{"ip", "netns", "exec", tb->gen_ns, "sysctl", "-qw",
			 "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
			 NULL},
			{"ip", "netns", "exec", tb->dut_ns, "sysctl", "-qw",
			 "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
			 NULL},
			{"ip",
			 "-n",
			 tb->gen_ns,
			 "link",
			 "add",
			 gi,
			 "numrxqueues",
			 q,
			 "numtxqueues",
			 q,
			 "type",
			 "veth",
			 "peer",
			 "name",
			 di,
			 "numrxqueues",
			 q,
			 "numtxqueues",
			 q,
			 NULL},
			{"ip", "-n", tb->gen_ns, "link", "set", di, "netns", tb->dut_ns, NULL},
			{"ip", "-n", tb->gen_ns, "addr", "add", "198.18.0.1/24", "dev", gi, NULL},
			{"ip", "-n", tb->dut_ns, "addr", "add", "198.18.0.2/24", "dev", di, NULL},
			{"ip", "-n", tb->gen_ns, "link", "set", gi, "up", NULL},
			{"ip", "-n", tb->dut_ns, "link", "set", di, "up", NULL},
		};

		tb->up = true; /* from here on, destroy cleans up */
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			char cmd[256], out[256];
			int ret = xdpi_run_cmd(steps[i], out, sizeof(out));

			if (ret) {
				argv_join(steps[i], cmd, sizeof(cmd));
				snprintf(err, err_len,
					 "cannot set up the veth testbed: step %zu, `%s` %s%s%s",
					 i + 1, cmd,
					 ret == 127 ? "could not run (not installed? `make deps`)"
					 : ret < 0  ? strerror(-ret)
						    : "failed",
					 *out ? ": " : "", out);
				testbed_destroy(tb);
				return ret < 0 ? ret : -EIO;
			}
		}
	}
	tb->mtu = mtu;
	if (mtu && testbed_set_mtu(tb, err, err_len)) {
		testbed_destroy(tb);
		return -EIO;
	}
	return 0;
}

void testbed_destroy(struct testbed *tb)
{
	char *const del_gen[] = {"ip", "netns", "del", tb->gen_ns, NULL};
	char *const del_dut[] = {"ip", "netns", "del", tb->dut_ns, NULL};

	if (!tb->up)
		return;
	run_cmd(del_gen);
	run_cmd(del_dut);
	tb->up = false;
}

/* Runs a shell snippet inside a namespace. */
static int ns_sh(const char *ns, const char *script)
{
	char *const argv[] = {"ip", "netns", "exec", (char *)ns, "sh", "-c", (char *)script, NULL};

	return run_cmd(argv);
}

struct cpu_times {
	unsigned long long busy, total, steal;
};

static int cpu_read(int cpu, struct cpu_times *t)
{
	char name[16], line[512];
	FILE *f = fopen("/proc/stat", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	snprintf(name, sizeof(name), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[8] = {0};

		if (strncmp(line, name, strlen(name)))
			continue;
		sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		/* user nice system idle iowait irq softirq steal */
		t->busy = v[0] + v[1] + v[2] + v[5] + v[6];
		t->total = t->busy + v[3] + v[4] + v[7];
		t->steal = v[7];
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static double cpu_share(const struct cpu_times *a, const struct cpu_times *b)
{
	unsigned long long total = b->total - a->total;

	/* 0 when /proc/stat could not be read (both zero). */
	return total && b->total > a->total ? (double)(b->busy - a->busy) / (double)total : 0.0;
}

static void cfg_cpu_list(const int *cpus, int n, char *out, size_t len)
{
	size_t off = 0;

	*out = 0;
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%d", i ? "," : "", cpus[i]);
}

/* Threaded NAPI on the DUT interface with its kthreads pinned to @cpu. */
static void placement_threaded(const struct testbed *tb, const char *cpus, bool on)
{
	char script[512];

	if (on)
		snprintf(script, sizeof(script),
			 "echo 1 > /sys/class/net/%s/threaded && "
			 "for p in $(pgrep '^napi/%s'); do taskset -pc %s $p; done",
			 tb->dut_if, tb->dut_if, cpus);
	else
		snprintf(script, sizeof(script), "echo 0 > /sys/class/net/%s/threaded", tb->dut_if);
	ns_sh(tb->dut_ns, script);
}

static json_t *load_json(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	json_error_t jerr;
	json_t *j;

	if (fd < 0)
		return NULL;
	j = json_loadfd(fd, JSON_DISABLE_EOF_CHECK, &jerr);
	close(fd);
	return j;
}

/* A command line under construction, with room for the numbers it quotes. */
struct argbuf {
	const char *v[64];
	int n;
	char num[40][128];
	int nnum;
};

static void arg(struct argbuf *a, const char *s)
{
	if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void argf(struct argbuf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argf(struct argbuf *a, const char *fmt, ...)
{
	va_list ap;
	char *slot;

	if (a->nnum >= (int)(sizeof(a->num) / sizeof(a->num[0])))
		return;
	slot = a->num[a->nnum++];
	va_start(ap, fmt);
	vsnprintf(slot, sizeof(a->num[0]), fmt, ap);
	va_end(ap);
	arg(a, slot);
}

/* A child's stdout and stderr, and its process, for one trial. The files
 * are memfds; out and err name them for reading ("/proc/self/fd/N" opens
 * a description of its own, at offset 0, while the child writes on). */
struct bench_child {
	int out_fd, err_fd;
	char out[32], err[32];
	pid_t pid;
	struct bench_shared *sh; /* what an in-process child hands back */
	int exit;		 /* its exit status once reaped, or -ETIMEDOUT */
};

static void child_files_init(struct bench_child *c)
{
	c->out_fd = c->err_fd = -1;
	c->sh = NULL;
	c->exit = -1;
}

static int child_file(const char *name, char *path, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd >= 0)
		snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd < 0 ? -errno : fd;
}

static int child_files(struct bench_child *c, const char *who)
{
	char name[32];

	snprintf(name, sizeof(name), "xdpi-bench-%s-out", who);
	c->out_fd = child_file(name, c->out, sizeof(c->out));
	if (c->out_fd < 0)
		return c->out_fd;
	snprintf(name, sizeof(name), "xdpi-bench-%s-err", who);
	c->err_fd = child_file(name, c->err, sizeof(c->err));
	if (c->err_fd < 0)
		return c->err_fd;
	c->sh = bench_shared_map();
	return c->sh ? 0 : -ENOMEM;
}

static void child_files_remove(struct bench_child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	bench_shared_unmap(c->sh);
	child_files_init(c);
}

/* The placement @r gets under @cfg (see enum bench_placement). */
static enum bench_placement placement_of(const struct bench_cfg *cfg, enum bench_receiver r)
{
	bool af_xdp = r == BENCH_INSPECT || r == BENCH_NOINSPECT || r == BENCH_DPDK ||
		      r == BENCH_NOFLOWS || r == BENCH_IPFIX || r == BENCH_NODETECT;

	switch (cfg->placement) {
	case BENCH_PLACE_AUTO:
	case BENCH_PLACE_BUSY_POLL:
		return af_xdp ? BENCH_PLACE_BUSY_POLL : BENCH_PLACE_SENDER;
	default:
		return cfg->placement;
	}
}

/* A point's receiver as the typed options `xdpi live` would have built
 * (capture/options.h): the engine takes them as they are, no argv. */
static void live_opts_of(const struct bench_cfg *cfg, enum bench_receiver r,
			 enum bench_placement place, const char *ifname, bool testbed,
			 struct capture_opts *o)
{
	capture_opts_defaults(o);
	o->ifname = ifname;
	/* The testbed's DUT end has an address (the guard would refuse it) and
	 * is ours to take. A real interface (`tune --external`) is the user's:
	 * the guard decides there unless the user said --takeover. */
	o->takeover = testbed || cfg->takeover;
	o->json = true;
	o->interval = 0; /* the harness reads the JSON, never the table */
	o->filter = cfg->gen.proto == GEN_UDP ? "udp" : "tcp";
	o->ceiling = r == BENCH_CEILING;
	if (o->ceiling)
		return; /* count and drop in XDP, no sockets: the rest is moot */
	o->ncpus = cfg->nrx_cpus;
	memcpy(o->cpus, cfg->rx_cpus, sizeof(int) * (size_t)cfg->nrx_cpus);
	o->inspect = r != BENCH_NOINSPECT;
	o->passive = r == BENCH_PASSIVE;
	o->flows.off = r == BENCH_NOFLOWS;
	o->flows.no_detect = r == BENCH_NODETECT;
	o->flows.max_flows = cfg->max_flows;
	if (r == BENCH_IPFIX) {
		/* Nothing listens there: what is priced is the export path
		 * (hooks, queue, exporter thread), not a collector. Every
		 * open flow gives a record a second. */
		o->flows.ipfix = "127.0.0.1:4739";
		o->flows.ipfix_active_timeout = 1;
	}
	o->check_seq = r == BENCH_INSPECT && cfg->check_seq;
	o->xsk.busy_poll = place == BENCH_PLACE_BUSY_POLL;
	o->xsk.need_wakeup = !cfg->no_need_wakeup;
	/* The sizes a tune point sets; 0 leaves live's default. */
	if (cfg->batch)
		o->batch = cfg->batch;
	if (cfg->rx_size)
		o->xsk.rx_size = cfg->rx_size;
	if (cfg->fill_size)
		o->xsk.fill_size = cfg->fill_size;
	if (cfg->frame_size)
		o->xsk.frame_size = cfg->frame_size;
}

/* testpmd: one forwarding lcore on the first rx CPU, its main lcore (which
 * only prints statistics once a second) on the generator's CPU; no
 * hugepages, so that it needs nothing reserved; its own runtime prefix. */
static void rx_argv_dpdk(struct argbuf *a, const struct bench_cfg *cfg, enum bench_placement place,
			 const char *rx_if, int queues)
{
	int main_cpu = cfg->gen.cpus[0], fwd_cpu = cfg->rx_cpus[0];

	arg(a, "dpdk-testpmd");
	arg(a, "-l");
	argf(a, "%d,%d", main_cpu < fwd_cpu ? main_cpu : fwd_cpu,
	     main_cpu < fwd_cpu ? fwd_cpu : main_cpu);
	arg(a, "--main-lcore");
	argf(a, "%d", main_cpu);
	arg(a, "--no-pci");
	arg(a, "--no-huge");
	arg(a, "-m");
	arg(a, "256");
	arg(a, "--file-prefix");
	argf(a, "xdpi-b%d", (int)getpid());
	arg(a, "--vdev");
	argf(a, "net_af_xdp0,iface=%s,start_queue=0,queue_count=%d%s", rx_if, queues,
	     place == BENCH_PLACE_BUSY_POLL ? "" : ",busy_budget=0");
	arg(a, "--");
	arg(a, "--forward-mode=rxonly");
	arg(a, "--stats-period");
	arg(a, "1");
	arg(a, "--nb-cores=1");
	arg(a, "--total-num-mbufs=16384");
	arg(a, "-a");
}

/* Waits for testpmd to say it is ready. On failure, its last words are in
 * @res->err and it has been reaped. */
static int dpdk_wait_ready(struct bench_child *rx, struct bench_result *res)
{
	/* testpmd starts forwarding even when its port failed to probe: its
	 * ready line is the one naming the forwarding core's stream. */
	for (double end = xdpi_now() + BENCH_READY_TIMEOUT_S;;) {
		bool exited;

		if (file_has(rx->out, "No probed ethernet devices")) {
			kill(rx->pid, SIGINT);
			wait_child(rx->pid, BENCH_STOP_TIMEOUT_S);
			snprintf(
				res->err, sizeof(res->err),
				"testpmd could not open the AF_XDP port (net_af_xdp probe failed)");
			return -EIO;
		}
		if (file_has(rx->out, "forwards packets on"))
			return 0;
		exited = waitpid(rx->pid, NULL, WNOHANG) == rx->pid;
		if (exited || xdpi_now() > end) {
			file_last_line(rx->err, res->err, sizeof(res->err));
			if (!*res->err)
				file_last_line(rx->out, res->err, sizeof(res->err));
			if (!*res->err)
				snprintf(res->err, sizeof(res->err), "receiver did not start");
			if (!exited) {
				kill(rx->pid, SIGKILL);
				waitpid(rx->pid, NULL, 0);
			}
			return -EIO;
		}
		usleep(20000);
	}
}

/* Waits for an in-process receiver to say it is ready (bench/inproc.h),
 * bounded. On failure, its last words are in @res->err and it has been
 * reaped. */
static int rx_wait_ready(struct bench_child *rx, struct bench_result *res)
{
	for (double end = xdpi_now() + BENCH_READY_TIMEOUT_S;;) {
		bool exited;

		if (__atomic_load_n(&rx->sh->ready, __ATOMIC_ACQUIRE))
			return 0;
		exited = waitpid(rx->pid, NULL, WNOHANG) == rx->pid;
		if (exited || xdpi_now() > end) {
			file_last_line(rx->err, res->err, sizeof(res->err));
			if (!*res->err)
				snprintf(res->err, sizeof(res->err), "receiver did not start");
			if (!exited) {
				kill(rx->pid, SIGKILL);
				waitpid(rx->pid, NULL, 0);
			}
			return -EIO;
		}
		usleep(20000);
	}
}

/* testpmd's closing "Accumulated forward statistics": the last RX-packets
 * and RX-dropped it printed. */
static json_t *dpdk_result(const char *path)
{
	unsigned long long rx = 0, dropped = 0;
	bool found = false;
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "RX-packets:"), *d = strstr(line, "RX-dropped:");

		if (p && d) {
			rx = strtoull(p + 11, NULL, 10);
			dropped = strtoull(d + 11, NULL, 10);
			found = true;
		}
	}
	fclose(f);
	return found ? json_pack("{s:I, s:I}", "packets", (json_int_t)rx, "dropped",
				 (json_int_t)dropped)
		     : NULL;
}

/* What a killed receiver left on the interface goes: xdpi's program
 * detached from inside the namespace (as `xdpi detach` does), testpmd's
 * by switching XDP off. */
static void rx_cleanup_killed(const struct testbed *tb, enum bench_receiver r, const char *rx_if,
			      struct bench_child *rx)
{
	pid_t pid;

	if (r == BENCH_AF_PACKET)
		return;
	if (r == BENCH_DPDK) {
		char script[128];

		snprintf(script, sizeof(script), "ip link set dev %s xdp off", rx_if);
		ns_sh(tb->dut_ns, script);
		return;
	}
	pid = bench_fork(rx->err_fd, rx->err_fd, NULL, tb ? tb->dut_ns : NULL, "xdpi detach",
			 bench_child_detach, (void *)rx_if);
	if (pid > 0)
		wait_child(pid, BENCH_STOP_TIMEOUT_S);
}

static void dpdk_remove_runtime(void)
{
	char script[96];

	/* testpmd's runtime directory (--file-prefix); nothing else lives
	 * under this name. */
	snprintf(script, sizeof(script), "rm -rf /var/run/dpdk/xdpi-b%d", (int)getpid());
	char *const argv[] = {"sh", "-c", script, NULL};

	run_cmd(argv);
}

/* One bench_run(): what it runs, and what it must undo. */
struct bench_point {
	const struct testbed *tb; /* NULL: external traffic (`tune --external`) */
	const struct bench_cfg *cfg;
	enum bench_receiver r;
	enum bench_placement place;
	const char *rx_if;
	char rx_cpus[128], gen_cpus[128];
	struct bench_child rx, gen;
	struct capture_opts live; /* an xdpi receiver's options */
	bool gro;		  /* switched on for the AF_PACKET receiver */
	bool threaded;		  /* threaded NAPI, switched on while the receiver runs */
	bool started;		  /* the receiver was started: its leftovers may need removing */
	bool rx_lost;		  /* the receiver was killed: it could not clean up itself */
};

/* The ledger's counters a point reads, summed over the queues. */
static void ledger_total(const struct ledger *l, struct ledger_queue *total)
{
	memset(total, 0, sizeof(*total));
	for (int i = 0; i < l->count; i++) {
		const struct loss_report *lr = &l->q[i].loss;

		total->xdp.redirected += l->q[i].xdp.redirected;
		total->xdp.dropped += l->q[i].xdp.dropped;
		total->xdp.copied_out += l->q[i].xdp.copied_out;
		total->inspected_out += l->q[i].inspected_out;
		total->sock.rx_dropped += l->q[i].sock.rx_dropped;
		total->sock.rx_ring_full += l->q[i].sock.rx_ring_full;
		total->has_causes |= l->q[i].has_causes;
		for (int c = 0; c < LOSS__CAUSES; c++)
			total->loss.fill_empty[c] += lr->fill_empty[c];
		total->loss.run_delay_ns += lr->run_delay_ns;
		total->loss.nivcsw += lr->nivcsw;
		total->loss.gaps += lr->gaps;
		total->loss.cpu_ns += lr->cpu_ns;
		if (lr->longest_gap_ns > total->loss.longest_gap_ns)
			total->loss.longest_gap_ns = lr->longest_gap_ns;
	}
	total->unexplained = l->unexplained;
}

/* An xdpi receiver's figures, from what its process handed back. */
static int rx_counts_xdpi(const struct bench_point *p, struct bench_result *res)
{
	const struct bench_shared *sh = p->rx.sh;
	struct ledger_queue total;

	res->ledger.q = calloc((size_t)(sh->nqueues ? sh->nqueues : 1), sizeof(*res->ledger.q));
	if (!res->ledger.q)
		return -ENOMEM;
	memcpy(res->ledger.q, sh->q, (size_t)sh->nqueues * sizeof(sh->q[0]));
	res->ledger.count = sh->nqueues;
	res->ledger.unexplained = sh->unexplained;
	ledger_total(&res->ledger, &total);
	if (p->r == BENCH_CEILING) {
		res->received = total.xdp.dropped;
		return 0;
	}
	res->has_causes = total.has_causes;
	memcpy(res->fill_empty, total.loss.fill_empty, sizeof(res->fill_empty));
	res->run_delay_ns = total.loss.run_delay_ns;
	res->nivcsw = total.loss.nivcsw;
	res->longest_gap_ns = total.loss.longest_gap_ns;
	res->gaps = total.loss.gaps;
	res->rx_cpu_ns = total.loss.cpu_ns;
	/* Passive both ways: the host's answers (the DUT resets each SYN)
	 * are copied and inspected too; what was received is the rest. */
	res->sent_by_host = total.inspected_out;
	res->received = sh->packets > total.inspected_out ? sh->packets - total.inspected_out : 0;
	res->unexplained = total.unexplained;
	res->socket_drops = total.sock.rx_dropped + total.sock.rx_ring_full;
	/* External traffic: what the XDP program steered is what was offered
	 * to the sockets. */
	if (!p->tb)
		res->sent = total.xdp.redirected;
	return 0;
}

/* What the receiver counted as received, by receiver kind, and its own
 * report for the record. */
static int rx_counts(const struct bench_point *p, struct bench_result *res)
{
	const struct bench_shared *sh = p->rx.sh;

	switch (p->r) {
	case BENCH_DPDK:
		res->receiver_json = dpdk_result(p->rx.out);
		if (!res->receiver_json)
			return -EIO;
		res->received = (uint64_t)json_integer_value(
			json_object_get(res->receiver_json, "packets"));
		return 0;
	case BENCH_AF_PACKET:
		if (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE))
			return -EIO;
		res->received = sh->afp.packets;
		res->receiver_json = json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:f}", "packets", (json_int_t)sh->afp.packets,
			"bytes", (json_int_t)sh->afp.bytes, "ps_recv", (json_int_t)sh->afp.ps_recv,
			"ps_drop", (json_int_t)sh->afp.ps_drop, "ps_ifdrop",
			(json_int_t)sh->afp.ps_ifdrop, "seconds", sh->afp_seconds);
		return 0;
	default:
		if (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE))
			return -EIO;
		/* The rendered report, for the record only. */
		if (p->cfg->rx_report)
			res->receiver_json = load_json(p->rx.out);
		return rx_counts_xdpi(p, res);
	}
}

/* Reads what the generator and the receiver handed back into @res. */
static int bench_collect(const struct bench_point *p, struct bench_result *res)
{
	const struct bench_shared *gen = p->gen.sh;
	int ret;

	if (p->tb && !__atomic_load_n(&gen->done, __ATOMIC_ACQUIRE)) {
		file_last_line(p->gen.err, res->err, sizeof(res->err));
		if (!*res->err)
			snprintf(res->err, sizeof(res->err), "no result from the generator");
		return -EIO;
	}
	if (p->tb) {
		res->sent = gen->gen.sent;
		res->fell_behind = gen->gen.fell_behind;
		res->veth_refused = gen->gen_refused;
		res->seconds = gen->gen.seconds;
		/* The generator's achieved rate leaves its warm-up out. */
		res->sent_pps = gen_result_pps(&gen->gen);
	} else {
		res->seconds = p->cfg->gen.duration;
	}
	ret = rx_counts(p, res);
	if (ret) {
		if (!*res->err)
			file_last_line(p->rx.err, res->err, sizeof(res->err));
		if (!*res->err)
			snprintf(res->err, sizeof(res->err), "no result from the receiver");
		return ret;
	}
	if (!res->sent_pps && res->seconds > 0)
		res->sent_pps = (double)res->sent / res->seconds;
	/* What was received is that rate times the share of frames that
	 * arrived; exactly the offered rate when nothing was lost: the
	 * product below can round one ulp above it. */
	res->recv_pps = res->received >= res->sent ? res->sent_pps
			: res->sent ? res->sent_pps * (double)res->received / (double)res->sent
				    : 0;
	return 0;
}

/* A process's CPU time (every thread, user and system), in ns; 0 when it
 * cannot be read. Clock ticks: 10 ms at the usual 100 Hz, a percent of a
 * second-long trial. */
static uint64_t proc_cpu_ns(pid_t pid)
{
	unsigned long long utime = 0, stime = 0;
	char path[64], buf[1024], *p;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || hz <= 0)
		return 0;
	buf[n] = 0;
	/* After the command name, which may hold spaces and parentheses:
	 * state is field 3, utime 14, stime 15. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
			 &stime) != 2)
		return 0;
	return (utime + stime) * (1000000000ull / (unsigned long long)hz);
}

/* Runs the generator (or, with external traffic, waits) while the CPU
 * counters of both sides are read around it. */
static int bench_offer(struct bench_point *p, struct bench_result *res)
{
	const struct bench_cfg *cfg = p->cfg;
	struct cpu_times rx0 = {0}, rx1 = {0}, g0 = {0}, g1 = {0};
	uint64_t proc0 = proc_cpu_ns(p->rx.pid), proc1;
	int ret = 0;

	cpu_read(cfg->rx_cpus[0], &rx0);
	cpu_read(cfg->gen.cpus[0], &g0);
	if (p->tb) {
		struct gen_opts go = cfg->gen;
		struct bench_gen_child gc = {.o = &go, .sh = p->gen.sh};

		go.ifname = p->tb->gen_if;
		memcpy(go.cpus, cfg->gen.cpus, sizeof(go.cpus));
		p->gen.pid = bench_fork(p->gen.out_fd, p->gen.err_fd, &all_cpus, p->tb->gen_ns,
					"xdpi gen", bench_child_gen, &gc);
		ret = p->gen.pid < 0 ? p->gen.pid : wait_child(p->gen.pid, cfg->gen.duration + 30);
	} else {
		/* External traffic: the user's generator is running. */
		struct timespec ts = {
			(time_t)cfg->gen.duration,
			(long)((cfg->gen.duration - (double)(time_t)cfg->gen.duration) * 1e9)};

		nanosleep(&ts, NULL);
	}
	cpu_read(cfg->rx_cpus[0], &rx1);
	cpu_read(cfg->gen.cpus[0], &g1);
	proc1 = proc_cpu_ns(p->rx.pid);
	res->rx_busy = cpu_share(&rx0, &rx1);
	res->gen_busy = cpu_share(&g0, &g1);
	res->rx_steal_s = (double)(rx1.steal - rx0.steal) / (double)sysconf(_SC_CLK_TCK);
	/* xdpi's workers report their own (rx_counts()); the ceiling has no
	 * process doing the work. */
	if (p->r == BENCH_AF_PACKET || p->r == BENCH_DPDK)
		res->rx_cpu_ns = proc0 && proc1 > proc0 ? proc1 - proc0 : 0;
	return ret;
}

/* testpmd's command line. */
static void rx_argv(struct argbuf *a, const struct bench_point *p)
{
	arg(a, "ip");
	arg(a, "netns");
	arg(a, "exec");
	arg(a, p->tb->dut_ns);
	rx_argv_dpdk(a, p->cfg, p->place, p->rx_if, p->tb->queues);
}

/* Starts the receiver: testpmd as a program, the others in a fork of this
 * process in the DUT's namespace (bench/inproc.h). */
static pid_t rx_spawn(struct bench_point *p)
{
	const char *ns = p->tb ? p->tb->dut_ns : NULL;
	struct argbuf ra = {0};

	switch (p->r) {
	case BENCH_DPDK:
		rx_argv(&ra, p);
		return spawn((char *const *)ra.v, p->rx.out_fd, p->rx.err_fd);
	case BENCH_AF_PACKET: {
		struct bench_afp_child ac = {p->rx_if, p->cfg->rx_cpus[0], p->rx.sh};

		return bench_fork(p->rx.out_fd, p->rx.err_fd, &all_cpus, ns, "xdpi afpacket",
				  bench_child_afpacket, &ac);
	}
	default: {
		struct bench_xdpi_child xc = {&p->live, p->cfg->rx_report, p->rx.sh};

		/* The capture mounts bpffs in the child's own mount namespace
		 * when it is missing (steer_ensure_bpffs). */
		live_opts_of(p->cfg, p->r, p->place, p->rx_if, p->tb != NULL, &p->live);
		return bench_fork(p->rx.out_fd, p->rx.err_fd, &all_cpus, ns, "xdpi live",
				  bench_child_xdpi, &xc);
	}
	}
}

/* Starts the receiver and waits until it is ready; then sets the
 * placement (threaded NAPI can only be switched on once XDP or GRO is). */
static int rx_start(struct bench_point *p, struct bench_result *res)
{
	int ret;

	if (p->r == BENCH_AF_PACKET && p->tb) {
		/* veth takes XDP frames only into an XDP program or GRO. */
		char script[128];

		snprintf(script, sizeof(script), "ethtool -K %s gro on", p->rx_if);
		p->gro = !ns_sh(p->tb->dut_ns, script);
	}
	p->rx.pid = rx_spawn(p);
	if (p->rx.pid < 0) {
		ret = p->rx.pid;
		snprintf(res->err, sizeof(res->err), "cannot start the receiver: %s",
			 strerror(-ret));
		return ret;
	}
	p->started = true;
	ret = p->r == BENCH_DPDK ? dpdk_wait_ready(&p->rx, res) : rx_wait_ready(&p->rx, res);
	if (ret) {
		p->rx_lost = true;
		return ret;
	}
	if (p->threaded)
		placement_threaded(p->tb, p->rx_cpus, true);
	return 0;
}

/* Stops the receiver (testpmd with SIGINT, the others through the shared
 * mapping), so that it drains and closes its ledger. */
static void rx_stop(struct bench_point *p, struct bench_result *res)
{
	/* Frames still in flight (veth ring, NAPI) land within a poll. */
	usleep(300000);
	/* Threaded NAPI can only be switched off while XDP (or GRO) is still
	 * on: before the receiver detaches. Left on, it would steal the next
	 * receiver's CPU. */
	if (p->threaded)
		placement_threaded(p->tb, p->rx_cpus, false);
	if (p->r == BENCH_DPDK)
		kill(p->rx.pid, SIGINT);
	else
		__atomic_store_n(&p->rx.sh->stop, 1, __ATOMIC_RELEASE);
	p->rx.exit = wait_child(p->rx.pid, BENCH_STOP_TIMEOUT_S);
	if (p->rx.exit == -ETIMEDOUT) {
		p->rx_lost = true;
		if (!*res->err)
			snprintf(res->err, sizeof(res->err), "receiver did not stop: killed");
	} else if (p->rx.exit >= 128 && p->r != BENCH_DPDK) {
		/* Killed by a signal (a crash): it could not detach. */
		p->rx_lost = true;
	}
}

static int point_open(struct bench_point *p, const struct testbed *tb, const struct bench_cfg *cfg,
		      enum bench_receiver r, struct bench_result *res)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->tb = tb;
	p->cfg = cfg;
	p->r = r;
	p->place = placement_of(cfg, r);
	p->rx_if = tb ? tb->dut_if : cfg->gen.ifname;
	p->threaded = tb && p->place == BENCH_PLACE_THREADED;
	cfg_cpu_list(cfg->rx_cpus, cfg->nrx_cpus, p->rx_cpus, sizeof(p->rx_cpus));
	cfg_cpu_list(cfg->gen.cpus, cfg->gen.ncpus, p->gen_cpus, sizeof(p->gen_cpus));
	child_files_init(&p->rx);
	child_files_init(&p->gen);
	ret = child_files(&p->rx, "rx");
	if (!ret)
		ret = child_files(&p->gen, "gen");
	if (ret)
		snprintf(res->err, sizeof(res->err),
			 "cannot create the children's output files: %s", strerror(-ret));
	return ret;
}

/* Puts back what the point changed, also after a failure. */
static void point_close(struct bench_point *p)
{
	if (p->started) {
		/* A receiver that exited cleaned up itself; detach would also
		 * reset busy-poll settings that may be the user's own. */
		if (p->rx_lost)
			rx_cleanup_killed(p->tb, p->r, p->rx_if, &p->rx);
		if (p->r == BENCH_DPDK)
			dpdk_remove_runtime();
	}
	if (p->gro) {
		char script[128];

		snprintf(script, sizeof(script), "ethtool -K %s gro off", p->tb->dut_if);
		ns_sh(p->tb->dut_ns, script);
	}
	child_files_remove(&p->rx);
	child_files_remove(&p->gen);
}

int bench_run(const struct testbed *tb, const struct bench_cfg *cfg, enum bench_receiver r,
	      struct bench_result *res)
{
	struct bench_point p;
	int ret;

	memset(res, 0, sizeof(*res));
	res->receiver = r;
	res->requested_pps = cfg->gen.rate;
	res->placement = bench_placement_name(placement_of(cfg, r));
	if (r == BENCH_DPDK && !tb) {
		snprintf(res->err, sizeof(res->err), "the dpdk receiver needs the testbed");
		return -EINVAL;
	}
	ret = point_open(&p, tb, cfg, r, res);
	if (!ret)
		ret = rx_start(&p, res);
	if (!ret) {
		ret = bench_offer(&p, res);
		rx_stop(&p, res);
		if (ret) {
			file_last_line(p.gen.err, res->err, sizeof(res->err));
			if (!*res->err)
				snprintf(res->err, sizeof(res->err), "generator failed (%d)", ret);
			ret = -EIO;
		} else {
			ret = bench_collect(&p, res);
		}
	}
	point_close(&p);
	return ret;
}

int bench_warm_up(const struct testbed *tb, const struct bench_cfg *cfg)
{
	struct bench_cfg warm = *cfg;
	struct bench_result res;
	int ret;

	warm.gen.rate = BENCH_WARMUP_PPS;
	warm.gen.duration = BENCH_WARMUP_S;
	warm.placement = BENCH_PLACE_SENDER;
	warm.check_seq = false;
	ret = bench_run(tb, &warm, BENCH_CEILING, &res);
	bench_result_free(&res);
	return ret;
}

void bench_result_free(struct bench_result *res)
{
	json_decref(res->receiver_json);
	res->receiver_json = NULL;
	ledger_free(&res->ledger);
}
