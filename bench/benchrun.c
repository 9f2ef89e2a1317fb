// SPDX-License-Identifier: MIT
/*
 * Benchmark points. Design notes:
 * - Children: every receiver and the generator is this binary, started with
 *   `ip netns exec`, output to a temporary file read back as JSON. A child
 *   that outlives its time is killed, and `xdpi detach` then removes what it
 *   left on the interface.
 * - Order per point: receiver up (it says "ready"), placement set (threaded
 *   NAPI can only be switched on once XDP or GRO is on), CPU counters read,
 *   generator run, CPU counters read, receiver stopped with SIGINT (its
 *   ledger is drained and closed), placement undone.
 * - CPU busy share: from /proc/stat of the rx and gen CPUs over exactly the
 *   generator's run (user+nice+system+irq+softirq over all states).
 */
#include "benchrun.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_READY_TIMEOUT_S 15
#define BENCH_STOP_TIMEOUT_S 20

const char *bench_receiver_name(enum bench_receiver r)
{
	static const char *const names[] = {"ceiling", "inspect", "noinspect", "af_packet"};

	return (unsigned)r < BENCH__RECEIVERS ? names[r] : "invalid";
}

const char *bench_placement_name(enum bench_placement p)
{
	static const char *const names[] = {"auto", "busy-poll", "threaded", "sender"};

	return (unsigned)p <= BENCH_PLACE_SENDER ? names[p] : "invalid";
}

int bench_placement_parse(const char *s)
{
	for (int p = 0; p <= BENCH_PLACE_SENDER; p++)
		if (!strcmp(s, bench_placement_name(p)))
			return p;
	return -EINVAL;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv to completion, output discarded unless @quiet is false.
 * Returns its exit status or -errno. */
static int run_cmd(char *const argv[], bool quiet)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}

/* Starts argv with stdout and stderr to the given files. */
static pid_t spawn(char *const argv[], const char *out, const char *err)
{
	pid_t pid = fork();

	if (!pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (o < 0 || e < 0)
			_exit(126);
		dup2(o, 1);
		dup2(e, 2);
		/* The parent blocks signals it reads from a signalfd; a child
		 * must get them. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static bool file_has(const char *path, const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static void file_last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	*out = 0;
	if (!f)
		return;
	char line[512];

	/* The last line is the one that says why a child gave up. */
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
	double end = mono() + timeout_s;
	int status;

	while (mono() < end) {
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

int testbed_create(struct testbed *tb, int queues, char *err, size_t err_len)
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
		char *const steps[][20] = {
			{"ip", "netns", "add", tb->gen_ns, NULL},
			{"ip", "netns", "add", tb->dut_ns, NULL},
			/* Only the generator's frames on the wire: no IPv6
			 * neighbour discovery chatter in the counts. */
			{"ip", "netns", "exec", tb->gen_ns, "sysctl", "-qw",
			 "net.ipv6.conf.all.disable_ipv6=1", NULL},
			{"ip", "netns", "exec", tb->dut_ns, "sysctl", "-qw",
			 "net.ipv6.conf.all.disable_ipv6=1", NULL},
			{"ip",
			 "-n",
			 tb->gen_ns,
			 "link",
			 "add",
			 (char *)tb->gen_if,
			 "numrxqueues",
			 q,
			 "numtxqueues",
			 q,
			 "type",
			 "veth",
			 "peer",
			 "name",
			 (char *)tb->dut_if,
			 "numrxqueues",
			 q,
			 "numtxqueues",
			 q,
			 NULL},
			{"ip", "-n", tb->gen_ns, "link", "set", (char *)tb->dut_if, "netns",
			 tb->dut_ns, NULL},
			{"ip", "-n", tb->gen_ns, "addr", "add", "198.18.0.1/24", "dev",
			 (char *)tb->gen_if, NULL},
			{"ip", "-n", tb->dut_ns, "addr", "add", "198.18.0.2/24", "dev",
			 (char *)tb->dut_if, NULL},
			{"ip", "-n", tb->gen_ns, "link", "set", (char *)tb->gen_if, "up", NULL},
			{"ip", "-n", tb->dut_ns, "link", "set", (char *)tb->dut_if, "up", NULL},
		};

		tb->up = true; /* from here on, destroy cleans up */
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			int ret = run_cmd(steps[i], true);

			if (ret) {
				snprintf(err, err_len,
					 "cannot set up the veth testbed (step %zu: %s %s %s)",
					 i + 1, steps[i][0], steps[i][1], steps[i][2]);
				testbed_destroy(tb);
				return ret < 0 ? ret : -EIO;
			}
		}
	}
	return 0;
}

void testbed_destroy(struct testbed *tb)
{
	char *const del_gen[] = {"ip", "netns", "del", tb->gen_ns, NULL};
	char *const del_dut[] = {"ip", "netns", "del", tb->dut_ns, NULL};

	if (!tb->up)
		return;
	run_cmd(del_gen, true);
	run_cmd(del_dut, true);
	tb->up = false;
}

/* Runs a shell snippet inside a namespace. */
static int ns_sh(const char *ns, const char *script)
{
	char *const argv[] = {"ip", "netns", "exec", (char *)ns, "sh", "-c", (char *)script, NULL};

	return run_cmd(argv, true);
}

struct cpu_times {
	unsigned long long busy, total;
};

static int cpu_read(int cpu, struct cpu_times *t)
{
	char name[16], line[512];
	FILE *f = fopen("/proc/stat", "r");
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
	json_error_t jerr;

	return json_load_file(path, JSON_DISABLE_EOF_CHECK, &jerr);
}

static uint64_t ledger_sum(json_t *run, const char *group, const char *field)
{
	json_t *qs = json_object_get(json_object_get(run, "ledger"), "queues"), *q;
	uint64_t sum = 0;
	size_t i;

	json_array_foreach(qs, i, q)
	{
		sum += (uint64_t)json_integer_value(
			json_object_get(json_object_get(q, group), field));
	}
	return sum;
}

/* `ip netns exec` must be given this binary's real path: /proc/self/exe
 * would name `ip` by then. */
static const char *self_exe(void)
{
	static char path[4096];

	if (!*path) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

		path[n > 0 ? n : 0] = 0;
	}
	return path;
}

int bench_run(const struct testbed *tb, const struct bench_cfg *cfg, enum bench_receiver r,
	      struct bench_result *res)
{
	char rx_out[] = "/tmp/xdpi-bench-rx.XXXXXX", gen_out[] = "/tmp/xdpi-bench-gen.XXXXXX";
	char rx_err[64], gen_err[64], rx_cpus[128], gen_cpus[128], num[8][24];
	enum bench_placement place = cfg->placement;
	const char *rxa[48], *gena[40];
	struct cpu_times rx0 = {0}, rx1 = {0}, g0 = {0}, g1 = {0};
	json_t *gen_json = NULL;
	pid_t rx_pid, gen_pid;
	int n = 0, g = 0, ret, fd;
	bool threaded, gro = false, rx_lost = false;

	memset(res, 0, sizeof(*res));
	res->receiver = r;
	fd = mkstemp(rx_out);
	if (fd >= 0)
		close(fd);
	fd = mkstemp(gen_out);
	if (fd >= 0)
		close(fd);
	snprintf(rx_err, sizeof(rx_err), "%s.err", rx_out);
	snprintf(gen_err, sizeof(gen_err), "%s.err", gen_out);
	cfg_cpu_list(cfg->rx_cpus, cfg->nrx_cpus, rx_cpus, sizeof(rx_cpus));
	cfg_cpu_list(cfg->gen.cpus, cfg->gen.ncpus, gen_cpus, sizeof(gen_cpus));

	const char *rx_if = tb ? tb->dut_if : cfg->gen.ifname;

	/* The placement actually used by this receiver. */
	if (place == BENCH_PLACE_AUTO)
		place = (r == BENCH_INSPECT || r == BENCH_NOINSPECT) ? BENCH_PLACE_BUSY_POLL
								     : BENCH_PLACE_THREADED;
	if (place == BENCH_PLACE_BUSY_POLL && r != BENCH_INSPECT && r != BENCH_NOINSPECT)
		place = BENCH_PLACE_THREADED; /* only AF_XDP sockets can busy-poll */
	res->placement = bench_placement_name(place);
	threaded = tb && place == BENCH_PLACE_THREADED;

	if (tb) {
		rxa[n++] = "ip";
		rxa[n++] = "netns";
		rxa[n++] = "exec";
		rxa[n++] = tb->dut_ns;
	}
	rxa[n++] = self_exe();
	if (r == BENCH_AF_PACKET) {
		/* veth takes XDP frames only into an XDP program or GRO. */
		char script[128];

		snprintf(script, sizeof(script), "ethtool -K %s gro on", rx_if);
		gro = tb && !ns_sh(tb->dut_ns, script);
		rxa[n++] = "afpacket";
		rxa[n++] = "--json";
		rxa[n++] = "--cpu";
		rxa[n++] = rx_cpus; /* the first listed */
		if (strchr(rx_cpus, ','))
			*strchr(rx_cpus, ',') = 0;
	} else {
		rxa[n++] = "live";
		rxa[n++] = "--json";
		rxa[n++] = "--interval";
		rxa[n++] = "0";
		rxa[n++] = "--filter";
		rxa[n++] = cfg->gen.proto == GEN_UDP ? "udp" : "tcp";
		if (r == BENCH_CEILING) {
			rxa[n++] = "--ceiling";
		} else {
			rxa[n++] = "--cpus";
			rxa[n++] = rx_cpus;
			if (r == BENCH_NOINSPECT)
				rxa[n++] = "--no-inspect";
			else if (cfg->check_seq)
				rxa[n++] = "--check-seq";
			if (place != BENCH_PLACE_BUSY_POLL)
				rxa[n++] = "--no-busy-poll";
			if (cfg->no_need_wakeup)
				rxa[n++] = "--no-need-wakeup";
#define NUM_OPT(flag, val, slot)                                               \
	if (val) {                                                             \
		snprintf(num[slot], sizeof(num[slot]), "%u", (unsigned)(val)); \
		rxa[n++] = flag;                                               \
		rxa[n++] = num[slot];                                          \
	}
			NUM_OPT("--batch", cfg->batch, 0)
			NUM_OPT("--rx-size", cfg->rx_size, 1)
			NUM_OPT("--fill-size", cfg->fill_size, 2)
			NUM_OPT("--frame-size", cfg->frame_size, 3)
#undef NUM_OPT
		}
	}
	rxa[n++] = rx_if;
	rxa[n] = NULL;

	/* bpffs for libxdp inside the namespace: mount it in this child's own
	 * mount namespace is not possible from here, so xdpi live mounts it
	 * itself (steer_ensure_bpffs). */
	rx_pid = spawn((char *const *)rxa, rx_out, rx_err);
	if (rx_pid < 0) {
		snprintf(res->err, sizeof(res->err), "cannot start the receiver");
		ret = -errno;
		goto out;
	}
	for (double end = mono() + BENCH_READY_TIMEOUT_S;;) {
		if (file_has(rx_err, "ready:"))
			break;
		bool exited = waitpid(rx_pid, NULL, WNOHANG) == rx_pid;

		if (exited || mono() > end) {
			file_last_line(rx_err, res->err, sizeof(res->err));
			if (!*res->err)
				snprintf(res->err, sizeof(res->err), "receiver did not start");
			if (!exited) {
				kill(rx_pid, SIGKILL);
				waitpid(rx_pid, NULL, 0);
			}
			rx_lost = true;
			ret = -EIO;
			goto out_detach;
		}
		usleep(20000);
	}
	if (threaded)
		placement_threaded(tb, rx_cpus, true);

	snprintf(num[4], sizeof(num[4]), "%u", cfg->gen.flows);
	snprintf(num[5], sizeof(num[5]), "%.3f", cfg->gen.duration);
	snprintf(num[6], sizeof(num[6]), "%llu", (unsigned long long)cfg->gen.rate);
	if (cfg->gen.size == GEN_IMIX)
		snprintf(num[7], sizeof(num[7]), "imix");
	else
		snprintf(num[7], sizeof(num[7]), "%u", cfg->gen.size);
	gena[g++] = "ip";
	gena[g++] = "netns";
	gena[g++] = "exec";
	gena[g++] = tb ? tb->gen_ns : "";
	gena[g++] = self_exe();
	gena[g++] = "gen";
	gena[g++] = "--json";
	gena[g++] = "--cpus";
	gena[g++] = gen_cpus;
	gena[g++] = "--flows";
	gena[g++] = num[4];
	gena[g++] = "--duration";
	gena[g++] = num[5];
	gena[g++] = "--size";
	gena[g++] = num[7];
	gena[g++] = "--proto";
	gena[g++] = gen_proto_name(cfg->gen.proto);
	if (cfg->gen.rate) {
		gena[g++] = "--rate";
		gena[g++] = num[6];
	}
	gena[g++] = tb ? tb->gen_if : "";
	gena[g] = NULL;

	cpu_read(cfg->rx_cpus[0], &rx0);
	cpu_read(cfg->gen.cpus[0], &g0);
	if (tb) {
		gen_pid = spawn((char *const *)gena, gen_out, gen_err);
		ret = gen_pid < 0 ? -errno : wait_child(gen_pid, cfg->gen.duration + 30);
	} else {
		/* External traffic: the user's generator is running. */
		struct timespec ts = {
			(time_t)cfg->gen.duration,
			(long)((cfg->gen.duration - (double)(time_t)cfg->gen.duration) * 1e9)};

		nanosleep(&ts, NULL);
		ret = 0;
	}
	cpu_read(cfg->rx_cpus[0], &rx1);
	cpu_read(cfg->gen.cpus[0], &g1);
	res->rx_busy = cpu_share(&rx0, &rx1);
	res->gen_busy = cpu_share(&g0, &g1);

	/* Frames still in flight (veth ring, NAPI) land within a poll. */
	usleep(300000);
	/* Threaded NAPI can only be switched off while XDP (or GRO) is still
	 * on: before the receiver detaches. Left on, it would steal the next
	 * receiver's CPU. */
	if (threaded)
		placement_threaded(tb, rx_cpus, false);
	kill(rx_pid, SIGINT);
	if (wait_child(rx_pid, BENCH_STOP_TIMEOUT_S) == -ETIMEDOUT) {
		rx_lost = true;
		if (!*res->err)
			snprintf(res->err, sizeof(res->err), "receiver did not stop: killed");
	}
	if (ret) {
		file_last_line(gen_err, res->err, sizeof(res->err));
		if (!*res->err)
			snprintf(res->err, sizeof(res->err), "generator failed (%d)", ret);
		ret = -EIO;
		goto out_detach;
	}

	gen_json =
		tb ? load_json(gen_out)
		   : json_pack("{s:I, s:f}", "sent", (json_int_t)0, "seconds", cfg->gen.duration);
	res->receiver_json = load_json(rx_out);
	if (!gen_json || !res->receiver_json) {
		if (!*res->err)
			file_last_line(rx_err, res->err, sizeof(res->err));
		if (!*res->err)
			snprintf(res->err, sizeof(res->err), "no result from the %s",
				 gen_json ? "receiver" : "generator");
		ret = -EIO;
		goto out_detach;
	}
	res->sent = (uint64_t)json_integer_value(json_object_get(gen_json, "sent"));
	res->veth_refused =
		(uint64_t)json_integer_value(json_object_get(gen_json, "iface_xdp_xmit_errors"));
	res->seconds = json_number_value(json_object_get(gen_json, "seconds"));
	switch (r) {
	case BENCH_CEILING:
		res->received = ledger_sum(res->receiver_json, "xdp", "dropped");
		break;
	case BENCH_AF_PACKET:
		res->received = (uint64_t)json_integer_value(
			json_object_get(res->receiver_json, "packets"));
		break;
	default:
		res->received = (uint64_t)json_integer_value(
			json_object_get(res->receiver_json, "packets"));
		res->unexplained = json_integer_value(json_object_get(
			json_object_get(res->receiver_json, "ledger"), "unexplained"));
		res->socket_drops = ledger_sum(res->receiver_json, "socket", "rx_dropped") +
				    ledger_sum(res->receiver_json, "socket", "rx_ring_full");
		/* External traffic: what the XDP program steered is what was
		 * offered to the sockets. */
		if (!tb)
			res->sent = ledger_sum(res->receiver_json, "xdp", "redirected");
		break;
	}
	if (res->seconds > 0) {
		res->sent_pps = (double)res->sent / res->seconds;
		res->recv_pps = (double)res->received / res->seconds;
	}
	ret = 0;
out_detach:
	if (r != BENCH_AF_PACKET && rx_lost) {
		/* A receiver that was killed leaves its program: remove it. A
		 * receiver that exited cleaned up itself; detach would also
		 * reset busy-poll settings that may be the user's own. */
		char *const det[] = {"ip",
				     "netns",
				     "exec",
				     tb ? (char *)tb->dut_ns : "",
				     (char *)self_exe(),
				     "detach",
				     (char *)rx_if,
				     NULL};

		run_cmd(tb ? det : det + 4, true);
	}
out:
	if (gro) {
		char script[128];

		snprintf(script, sizeof(script), "ethtool -K %s gro off", tb->dut_if);
		ns_sh(tb->dut_ns, script);
	}
	json_decref(gen_json);
	unlink(rx_out);
	unlink(gen_out);
	unlink(rx_err);
	unlink(gen_err);
	return ret;
}

void bench_result_free(struct bench_result *res)
{
	json_decref(res->receiver_json);
	res->receiver_json = NULL;
}

json_t *bench_machine_json(void)
{
	char line[256], model[256] = "unknown";
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	uname(&u);
	return json_pack("{s:s, s:s, s:i}", "kernel", u.release, "cpu_model", model, "cpus",
			 (int)sysconf(_SC_NPROCESSORS_ONLN));
}
