// SPDX-License-Identifier: MIT
/*
 * Design: ncurses draws the whole screen from one flowrate_view and the
 * queue figures each time (erase, print, refresh: curses sends only what
 * changed). Rows are budgeted from the bottom: the status line, the loss
 * line, the queues, then sources and destinations; the connections get
 * what is left, at least 10 rows at 80x24. Every line is cut at the
 * terminal's width.
 */
#include "top_view.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flow_report.h"
#include "../sink/alert_report.h"
#include "../inspect/flows.h"

struct top_view {
	SCREEN *scr;
	int saved_stderr; /* the real stderr while the view is open; -1: none */
	int logfd;	  /* where stderr goes meanwhile (a memory file) */
	enum flowrate_sort sort;
	bool editing;
	char edit[FLOWRATE_FILTER_LEN];
	char filter[FLOWRATE_FILTER_LEN];
	bool filter_changed;
	bool closed;
};

static const char *const sort_names[FLOWRATE__SORTS] = {"pps", "bps", "rtt"};

int top_view_open(struct top_view **out)
{
	struct top_view *v;

	*out = NULL;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -ENOTTY;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->saved_stderr = -1;
	v->logfd = memfd_create("xdpi-top-log", MFD_CLOEXEC);
	if (v->logfd >= 0) {
		v->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		if (v->saved_stderr < 0 || dup2(v->logfd, STDERR_FILENO) < 0) {
			if (v->saved_stderr >= 0)
				close(v->saved_stderr);
			v->saved_stderr = -1;
		}
	}
	v->scr = newterm(NULL, stdout, stdin);
	if (!v->scr) {
		top_view_close(v);
		return -ENOTTY;
	}
	set_term(v->scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	*out = v;
	return 0;
}

void top_view_close(struct top_view *v)
{
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	if (!v || v->closed)
		return;
	v->closed = true;
	if (v->scr) {
		endwin();
		delscreen(v->scr);
		v->scr = NULL;
	}
	fflush(stdout);
	if (v->saved_stderr >= 0) {
		dup2(v->saved_stderr, STDERR_FILENO);
		close(v->saved_stderr);
		v->saved_stderr = -1;
	}
	/* What the run said while the view was up, now where it belongs. */
	while (v->logfd >= 0 && (n = pread(v->logfd, buf, sizeof(buf), off)) > 0) {
		if (write(STDERR_FILENO, buf, (size_t)n) != n)
			break;
		off += n;
	}
	if (v->logfd >= 0)
		close(v->logfd);
	free(v);
}

int top_view_key_fd(const struct top_view *v)
{
	(void)v;
	return STDIN_FILENO;
}

static enum top_key edit_key(struct top_view *v, int ch)
{
	size_t n = strlen(v->edit);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		v->editing = false;
		memcpy(v->filter, v->edit, sizeof(v->filter));
		v->filter_changed = true;
	} else if (ch == 27) { /* Escape */
		v->editing = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			v->edit[n - 1] = 0;
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(v->edit)) {
		v->edit[n] = (char)ch;
		v->edit[n + 1] = 0;
	}
	return TOP_KEY_REDRAW;
}

enum top_key top_view_keys(struct top_view *v)
{
	enum top_key ret = TOP_KEY_NONE;
	int ch;

	while ((ch = getch()) != ERR) {
		if (v->editing) {
			ret = edit_key(v, ch);
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
			return TOP_KEY_QUIT;
		case 'p':
			v->sort = FLOWRATE_BY_PPS;
			ret = TOP_KEY_REDRAW;
			break;
		case 'b':
			v->sort = FLOWRATE_BY_BPS;
			ret = TOP_KEY_REDRAW;
			break;
		case 'r':
			v->sort = FLOWRATE_BY_RTT;
			ret = TOP_KEY_REDRAW;
			break;
		case '/':
			v->editing = true;
			v->edit[0] = 0; /* a new filter: Enter on nothing clears it */
			ret = TOP_KEY_REDRAW;
			break;
		case KEY_RESIZE:
			ret = TOP_KEY_REDRAW;
			break;
		default:
			break;
		}
	}
	return ret;
}

const char *top_view_filter_changed(struct top_view *v)
{
	if (!v->filter_changed)
		return NULL;
	v->filter_changed = false;
	return v->filter;
}

/* 1234, 12.3k, 1.23M: at most 6 characters. */
static void si(double x, char *buf, size_t len)
{
	if (x < 9999.5)
		snprintf(buf, len, "%.0f", x);
	else if (x < 999.95e3)
		snprintf(buf, len, "%.1fk", x / 1e3);
	else if (x < 999.95e6)
		snprintf(buf, len, "%.2fM", x / 1e6);
	else
		snprintf(buf, len, "%.2fG", x / 1e9);
}

static void line(int y, const char *text)
{
	if (y >= 0 && y < LINES)
		mvaddnstr(y, 0, text, COLS);
}

/* The last line the run logged while the view was up. */
static void last_log(const struct top_view *v, char *out, size_t len)
{
	char buf[512];
	off_t end;
	ssize_t n;
	char *p;

	*out = 0;
	if (v->logfd < 0 || (end = lseek(v->logfd, 0, SEEK_END)) <= 0)
		return;
	n = pread(v->logfd, buf, sizeof(buf) - 1,
		  end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	p = strrchr(buf, '\n');
	snprintf(out, len, "%.*s", (int)len - 1, p ? p + 1 : buf);
}

static void draw_conns(const struct top_view *v, const struct flowrate_view *fv, int y, int rows)
{
	const struct flowrate_conn *list = fv->conn[v->sort];
	int name_w = COLS - 69 > 8 ? COLS - 69 : 8;
	char text[512];

	attron(A_BOLD);
	snprintf(text, sizeof(text), "%-43s %6s %7s %7s %s", "CONNECTION (source > destination)",
		 "pps", "Mbit/s", "RTT ms", "SNI/Host");
	line(y++, text);
	attroff(A_BOLD);
	for (int i = 0; i < rows && i < fv->nconn[v->sort]; i++) {
		const struct flowrate_conn *c = &list[i];
		char a[64], b[64], ends[128], pps[16], rtt[16];
		int n;

		flowrate_endpoint_str(c->family, c->src_addr, c->src_port, a, sizeof(a));
		flowrate_endpoint_str(c->family, c->dst_addr, c->dst_port, b, sizeof(b));
		n = snprintf(ends, sizeof(ends), "%s > %s", a, b);
		if (n > 43) /* the destination's end matters most: cut the middle */
			snprintf(ends, sizeof(ends), "%.18s~%s", a,
				 b + (strlen(b) > 24 ? strlen(b) - 24 : 0));
		si(c->pps, pps, sizeof(pps));
		if (c->rtt_ns >= 0)
			snprintf(rtt, sizeof(rtt), "%.3f", (double)c->rtt_ns / 1e6);
		else
			snprintf(rtt, sizeof(rtt), "-");
		snprintf(text, sizeof(text), "%-43.43s %6s %7.2f %7s %c %.*s", ends, pps,
			 c->bps / 1e6, rtt, c->name_kind ? c->name_kind : ' ', name_w, c->name);
		line(y++, text);
	}
	if (!fv->nconn[v->sort])
		line(y, fv->passes < 2 ? "  (measuring: the first rates come after a second)"
			: v->sort == FLOWRATE_BY_RTT
				? "  (no active connection with a handshake RTT)"
				: "  (no traffic in the last interval)");
}

static void host_cell(const struct flowrate_host *e, bool by_bps, char *out, size_t len)
{
	char ip[64], pps[16];

	flowrate_endpoint_str(e->family, e->addr, 0, ip, sizeof(ip));
	if (by_bps)
		snprintf(out, len, "%-27.27s %s%9.2f", ip, e->approx ? ">" : " ", e->bps_min / 1e6);
	else {
		si(e->pps_min, pps, sizeof(pps));
		snprintf(out, len, "%-27.27s %s%9s", ip, e->approx ? ">" : " ", pps);
	}
}

static void draw_hosts(const struct top_view *v, const struct flowrate_view *fv, int y, int rows)
{
	int s = v->sort == FLOWRATE_BY_PPS ? 0 : 1;
	char text[256], l[80], r[80];

	attron(A_BOLD);
	snprintf(text, sizeof(text), "%-27s %10s | %-27s %10s", "SOURCE (sent)",
		 s ? "Mbit/s" : "pps", "DESTINATION (received)", s ? "Mbit/s" : "pps");
	line(y++, text);
	attroff(A_BOLD);
	for (int i = 0; i < rows; i++) {
		*l = *r = 0;
		if (i < fv->nsrc[s])
			host_cell(&fv->src[s][i], s, l, sizeof(l));
		if (i < fv->ndst[s])
			host_cell(&fv->dst[s][i], s, r, sizeof(r));
		if (!*l && !*r)
			break;
		snprintf(text, sizeof(text), "%-38s | %s", l, r);
		line(y++, text);
	}
}

/* @nq queue lines (and a line for the rest), then the loss line. */
static void draw_queues(const struct top_health *h, int y, int nq)
{
	uint64_t dropped = 0, full = 0;
	char text[256], pps[16];
	int i;

	for (i = 0; i < h->nqueues; i++) {
		dropped += h->q[i].rx_dropped;
		full += h->q[i].rx_ring_full;
	}
	for (i = 0; i < nq; i++) {
		const struct top_queue *q = &h->q[i];

		si(q->pps, pps, sizeof(pps));
		snprintf(text, sizeof(text),
			 "q%-3u %6s pps %8.2f Mbit/s  lost %" PRIu64 "  fill ring empty %" PRIu64,
			 q->id, pps, q->bps / 1e6, q->rx_dropped + q->rx_ring_full, q->fill_empty);
		line(y++, text);
	}
	if (nq < h->nqueues) {
		snprintf(text, sizeof(text), "(%d more queues)", h->nqueues - nq);
		line(y++, text);
	}
	snprintf(text, sizeof(text),
		 "ledger loss so far: %" PRIu64 " (rx_dropped %" PRIu64 ", rx_ring_full %" PRIu64
		 "); untracked %" PRIu64,
		 dropped + full, dropped, full, h->untracked);
	if (dropped + full)
		attron(A_BOLD);
	line(y, text);
	attroff(A_BOLD);
}

/* One line per active alert, as the log writes it (alert_text): kind,
 * who to whom, its rate now. */
static void draw_alerts(const struct top_health *h, int y, int rows)
{
	char text[256];
	int i;

	for (i = 0; i < h->nalerts && i < rows; i++) {
		alert_text(&h->alerts[i], text, sizeof(text));
		attron(A_BOLD);
		line(y + i, text);
		attroff(A_BOLD);
	}
	if ((uint64_t)i < h->alerts_active) {
		snprintf(text, sizeof(text), "alert ... %" PRIu64 " more active (the log has them)",
			 h->alerts_active - (uint64_t)i);
		line(y + rows, text);
	}
}

void top_view_draw(struct top_view *v, const struct flowrate_view *fv, const struct top_health *h)
{
	int nq = h->nqueues < 4 ? h->nqueues : 4;
	int host_rows = LINES >= 30 ? 8 : 5;
	/* Alerts take rows from the connections: at most 3, and one for the
	 * rest. */
	int alert_rows = h->nalerts < 3 ? h->nalerts : 3;
	int alert_more = h->alerts_active > (uint64_t)alert_rows;
	int bottom = 1 + 1 + nq + (h->nqueues > nq) + alert_rows + alert_more;
	int conn_rows = LINES - 2 - 1 - (1 + host_rows) - bottom;
	char text[512], pps[16], log[256];

	erase();
	attron(A_REVERSE);
	snprintf(text, sizeof(text), "xdpi top %s  %.0f s  sort: %s  filter: %s%*s", h->ifname,
		 h->elapsed_s, sort_names[v->sort], v->filter[0] ? v->filter : "-", COLS, "");
	line(0, text);
	attroff(A_REVERSE);
	si(fv->pps, pps, sizeof(pps));
	snprintf(text, sizeof(text),
		 "flows %" PRIu64 ", active %" PRIu64 ", shown %" PRIu64
		 ": %s pps, %.2f Mbit/s in %.1f s",
		 fv->flows, fv->active, fv->matched, pps, fv->bps / 1e6, fv->interval_s);
	line(1, text);
	draw_conns(v, fv, 2, conn_rows > 1 ? conn_rows : 1);
	draw_hosts(v, fv, 2 + 1 + (conn_rows > 1 ? conn_rows : 1), host_rows);
	draw_alerts(h, LINES - bottom, alert_rows);
	draw_queues(h, LINES - bottom + alert_rows + alert_more, nq);
	if (v->editing) {
		snprintf(text, sizeof(text),
			 "filter (endpoints, SNI/Host; Enter applies, Esc cancels): %s", v->edit);
		attron(A_REVERSE);
		line(LINES - 1, text);
		attroff(A_REVERSE);
	} else {
		last_log(v, log, sizeof(log));
		snprintf(text, sizeof(text), "keys: p pps  b bps  r RTT  / filter  q quit   %s",
			 log);
		line(LINES - 1, text);
	}
	refresh();
}
