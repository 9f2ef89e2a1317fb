// SPDX-License-Identifier: MIT
#include "tune_report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../capture/options.h"
#include "../util/child.h"
#include "../util/outfile.h"
#include "bench_report.h"
#include "report.h"

void tune_point_label(const struct tune_point *p, char *out, size_t len)
{
	snprintf(out, len, "q%d b%d rx%d fill%d fr%d wk%d %s", p->v[TUNE_DIM_QUEUES],
		 p->v[TUNE_DIM_BATCH], p->v[TUNE_DIM_RX], p->v[TUNE_DIM_FILL], p->v[TUNE_DIM_FRAME],
		 p->v[TUNE_DIM_WAKEUP], bench_placement_name(p->v[TUNE_DIM_PLACE]));
}

/* Loss in percent; never negative, though a receiver may count frames the
 * generator did not send (external traffic). */
static double tune_loss_pct(const struct tune_point *p)
{
	double loss =
		p->res.sent ? 100.0 * (1.0 - (double)p->res.received / (double)p->res.sent) : 0.0;

	return loss < 0 ? 0 : loss;
}

void tune_table_start(FILE *out, int npts, double duration, const char *external)
{
	fprintf(out, "xdpi tune: %d points of %.0f s on %s\n", npts, duration,
		external ? external : "the veth testbed with xdpi gen traffic");
	fprintf(out, "%-5s %-46s %12s %12s %8s %8s %s\n", "point", "setting", "inspected pps",
		"offered pps", "loss", "rx busy", "unexplained");
}

/* Flushed: a sweep takes minutes, and this is its progress. */
void tune_table_row(FILE *out, int n, const struct tune_point *p)
{
	char label[128];

	tune_point_label(p, label, sizeof(label));
	if (!p->ok) {
		fprintf(out, "%-5d %-46s failed: %s\n", n, label, p->res.err);
		return;
	}
	fprintf(out, "%-5d %-46s %12.0f %12.0f %7.2f%% %7.1f%% %" PRId64 "\n", n, label,
		p->res.recv_pps, p->res.sent_pps, tune_loss_pct(p), 100 * p->res.rx_busy,
		p->res.unexplained);
	fflush(out);
}

void tune_csv_start(FILE *csv)
{
	fprintf(csv, "point,label,inspected_pps,offered_pps,loss_pct,rx_busy,unexplained,"
		     "queues,batch,rx_size,fill_size,frame_size,need_wakeup,placement\n");
}

void tune_csv_row(FILE *csv, int n, const struct tune_point *p)
{
	char label[128];

	tune_point_label(p, label, sizeof(label));
	fprintf(csv, "%d,%s,%.0f,%.0f,%.4f,%.4f,%" PRId64 ",%d,%d,%d,%d,%d,%d,%s\n", n, label,
		p->res.recv_pps, p->res.sent_pps, tune_loss_pct(p), p->res.rx_busy,
		p->res.unexplained, p->v[TUNE_DIM_QUEUES], p->v[TUNE_DIM_BATCH], p->v[TUNE_DIM_RX],
		p->v[TUNE_DIM_FILL], p->v[TUNE_DIM_FRAME], p->v[TUNE_DIM_WAKEUP],
		bench_placement_name(p->v[TUNE_DIM_PLACE]));
}

json_t *tune_point_json(int n, const struct tune_point *p)
{
	char label[128];

	tune_point_label(p, label, sizeof(label));
	return json_pack("{s:i, s:s, s:f, s:f, s:f, s:f, s:I, s:O}", "point", n, "setting", label,
			 "inspected_pps", p->res.recv_pps, "offered_pps", p->res.sent_pps,
			 "loss_pct", tune_loss_pct(p), "rx_busy", p->res.rx_busy, "unexplained",
			 (json_int_t)p->res.unexplained, "receiver",
			 p->res.receiver_json ? p->res.receiver_json : json_null());
}

json_t *tune_record_json(const char *cmdline, json_t *points, int best_n)
{
	json_t *record = json_object();

	report_stamp_json(record);
	json_object_set_new(record, "command", json_string(cmdline));
	json_object_set_new(record, "machine", bench_machine_json());
	json_object_set_new(record, "points", points);
	json_object_set_new(record, "best_point", json_integer(best_n));
	return record;
}

/* The plot script. It names no path: the table is gnuplot's descriptor 3
 * and the image its stdout (no `set output`), both opened by us, so that no
 * directory name can end up in gnuplot's language (a quote and a newline
 * in --out would otherwise be a gnuplot command, and system() in it a
 * shell command run as root). */
static const char plot_script[] =
	"set terminal pngcairo size 1400,700 noenhanced\n"
	"set datafile separator ','\n"
	"set datafile columnheaders\n"
	"set title 'xdpi live: inspected packets per second and loss per setting'\n"
	"set style data histogram\n"
	"set style fill solid 0.7\n"
	"set boxwidth 0.8\n"
	"set xtics rotate by -40\n"
	"set ylabel 'inspected Mpps'\n"
	"set y2label 'loss %'\n"
	"set y2tics\n"
	"set ytics nomirror\n"
	"set yrange [0:*]\n"
	"set y2range [0:*]\n"
	"set key top right\n"
	"plot '/dev/fd/3' using ($3/1e6):xtic(2) title 'inspected Mpps' axes x1y1, "
	"'' using 0:($5) with linespoints lw 2 pt 7 title 'loss %' axes x1y2\n";

/* In the child: gnuplot reads its script on stdin, the table on
 * descriptor 3 and writes the image to stdout; stderr stays ours, and it
 * holds no other descriptor. */
static void plot_exec(int script_fd, int png_fd, int csv_fd)
{
	if (dup2(script_fd, 0) < 0 || dup2(png_fd, 1) < 0)
		_exit(126);
	/* dup2() onto itself would keep close-on-exec */
	if (csv_fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(csv_fd, 3) < 0)
		_exit(126);
	xdpi_child_prepare(4);
	/* gnuplot parses a script and writes to a descriptor: no capability. */
	if (xdpi_child_drop_privileges())
		_exit(126);
	execlp("gnuplot", "gnuplot", (char *)NULL);
	_exit(127);
}

/* Runs gnuplot on the open table and image; its exit status or -errno. */
static int plot_run(int png_fd, int csv_fd)
{
	size_t len = sizeof(plot_script) - 1, off = 0;
	int pipefd[2], status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (!pid)
		plot_exec(pipefd[0], png_fd, csv_fd);
	close(pipefd[0]);
	if (pid < 0) {
		close(pipefd[1]);
		return -errno;
	}
	/* SIGPIPE is blocked: a gnuplot that died fails the write, and its
	 * exit status below says why. */
	while (off < len) {
		ssize_t n = write(pipefd[1], plot_script + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(pipefd[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int tune_plot_write(const char *dir, const char *csv)
{
	int csv_fd, png_fd, ret;
	char png[512], err[768];

	csv_fd = open(csv, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (csv_fd < 0)
		return -errno;
	snprintf(png, sizeof(png), "%s/tune.png", dir);
	png_fd = xdpi_output_open(png, XDPI_OUTPUT_TRUNCATE, 0644, NULL, err, sizeof(err));
	if (png_fd < 0) {
		close(csv_fd);
		return png_fd;
	}
	ret = plot_run(png_fd, csv_fd);
	close(png_fd);
	close(csv_fd);
	if (ret) {
		/* no half-drawn or empty image that looks like a result */
		unlink(png);
		return ret < 0 ? ret : -EIO;
	}
	return 0;
}

struct cmdline {
	char s[512];
	size_t len;
};

static void cmdline_push(void *ctx, const char *arg)
{
	struct cmdline *c = ctx;

	if (c->len < sizeof(c->s))
		c->len += (size_t)snprintf(c->s + c->len, sizeof(c->s) - c->len, " %s", arg);
}

void tune_recommend_print(FILE *out, const struct tune_point *b, const struct bench_cfg *base,
			  const char *external)
{
	int place = b->v[TUNE_DIM_PLACE];
	struct cmdline line = {.len = 0};
	struct capture_opts o;

	/* As `xdpi live` options, spelled by its own table: what differs
	 * from its defaults. No --takeover: the setting is for a capture
	 * port, which the guard lets through; on an interface the host uses,
	 * xdpi live says why it refuses, and taking it over stays the
	 * user's decision, not a tuning result. */
	capture_opts_defaults(&o);
	o.ifname = external ? external : "IFACE";
	for (int k = 0; k < b->v[TUNE_DIM_QUEUES] && k < GEN_MAX_THREADS; k++)
		o.cpus[o.ncpus++] = base->rx_cpus[k % base->nrx_cpus];
	o.batch = (uint32_t)b->v[TUNE_DIM_BATCH];
	o.xsk.rx_size = (uint32_t)b->v[TUNE_DIM_RX];
	o.xsk.fill_size = (uint32_t)b->v[TUNE_DIM_FILL];
	o.xsk.frame_size = (uint32_t)b->v[TUNE_DIM_FRAME];
	o.xsk.need_wakeup = b->v[TUNE_DIM_WAKEUP];
	o.xsk.busy_poll = place == BENCH_PLACE_BUSY_POLL;
	capture_opts_write(&o, CAPTURE_WRITE_SIZES, cmdline_push, &line);
	fprintf(out, "recommended (%.0f pps inspected): xdpi live%s%s\n", b->res.recv_pps, line.s,
		place == BENCH_PLACE_THREADED ? " (with threaded NAPI: echo 1 > "
						"/sys/class/net/IFACE/threaded, kthread pinned)"
					      : "");
}
