// SPDX-License-Identifier: MIT
/*
 * The Prometheus exporter: an HTTP server that serves published text.
 *
 * Design: the listening socket is made and bound here, not by
 * libmicrohttpd, so that a port in use or an address this host does not
 * have is reported with the kernel's own errno at start (MHD_start_daemon()
 * only says NULL). libmicrohttpd runs without a thread of its own (its
 * select() mode, driven by MHD_run_from_select()): the thread that serves
 * is ours, so that it gives
 * up every privilege and enters its seccomp filter (util/sandbox.h) before
 * it reads a byte from a client, and so that it can hold each request to a
 * deadline.
 *
 * Starvation (slowloris): libmicrohttpd's timeout is an idle one, which
 * every byte a client sends resets. So each connection also has a
 * whole-request deadline, from its accept or from the end of its previous
 * request, enforced by this thread (a shutdown() of the socket, which
 * libmicrohttpd then closes); the connections of one address are limited
 * too, so that one remote client cannot take every slot.
 *
 * The text is swapped under a mutex and copied by the HTTP thread per
 * scrape (a few kilobytes), with xdpi_scrapes_total appended to the copy:
 * no reference counting between the two threads, and the reporter never
 * waits longer than one memcpy.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../util/log.h"
#include "../util/optval.h"
#include "../util/sandbox.h"
#include "prom_text.h"
#include "prometheus.h"

/* A scraper needs one connection; 8 per address leaves room for a few
 * scrapers behind one NAT, and 32 in all bounds the memory. */
#define PROM_CONNECTIONS 32
#define PROM_PER_ADDRESS 8
/* Idle time allowed between requests of a kept-alive connection. */
#define PROM_TIMEOUT_S 10
/* From accept (or the previous request's end) to the request read whole:
 * a scrape sends a few hundred bytes at once. */
#define PROM_REQUEST_DEADLINE_NS (5ull * 1000000000)

/* The longest the HTTP thread sleeps: libmicrohttpd closes a connection it
 * refused (over a limit) on its next round, which no event may bring. */
#define PROM_TICK_MS 100

/* A connection open now, and when its request under way started. */
struct prom_conn {
	struct prom_conn *prev, *next;
	struct MHD_Connection *c;
	uint64_t since_ns;
	bool answering; /* its request is read: the deadline is met */
};

struct prom_server {
	struct MHD_Daemon *d;
	int fd;
	int stop_fd;		      /* eventfd: the thread's stop */
	struct sockaddr_storage addr; /* as bound (the real port) */
	pthread_t thread;
	bool running;
	bool sandbox;
	struct prom_conn conns; /* list head; the HTTP thread's only */
	pthread_mutex_t lock;
	char *text; /* NULL before the first publish; under lock */
	size_t len;
	uint64_t scrapes;  /* atomic */
	uint64_t cut_slow; /* atomic: connections closed at the deadline */
};

static uint64_t prom_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void addr_str(const struct sockaddr_storage *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in4->sin_port));
	}
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, char *body, size_t len,
			     bool owned, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body,
					    owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

#define PLAIN "text/plain; charset=utf-8"

/* The copy served: the published text and this scrape's count after it. */
static char *metrics_copy(struct prom_server *s, size_t *len)
{
	static const char tail[] = "# HELP xdpi_scrapes_total Scrapes of /metrics answered.\n"
				   "# TYPE xdpi_scrapes_total counter\n"
				   "xdpi_scrapes_total ";
	char *out = NULL;
	int n;

	pthread_mutex_lock(&s->lock);
	if (s->text) {
		size_t cap = s->len + sizeof(tail) + 24;

		out = malloc(cap);
		if (out) {
			memcpy(out, s->text, s->len);
			n = snprintf(out + s->len, cap - s->len, "%s%" PRIu64 "\n", tail,
				     __atomic_add_fetch(&s->scrapes, 1, __ATOMIC_RELAXED));
			*len = s->len + (size_t)n;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return out;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **con_cls)
{
	static char not_found[] = "not found: xdpi serves /metrics\n";
	static char not_allowed[] = "method not allowed: GET /metrics\n";
	static char not_yet[] = "no figures yet\n";
	static char no_memory[] = "out of memory\n";
	struct prom_server *s = cls;
	char *text;
	size_t len;

	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	/* The request is read: its deadline is met. */
	if (ci && ci->socket_context)
		((struct prom_conn *)ci->socket_context)->answering = true;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
			     sizeof(not_allowed) - 1, false, PLAIN);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1, false,
			     PLAIN);
	pthread_mutex_lock(&s->lock);
	text = s->text;
	pthread_mutex_unlock(&s->lock);
	if (!text)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, not_yet, sizeof(not_yet) - 1,
			     false, PLAIN);
	text = metrics_copy(s, &len);
	if (!text)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, no_memory, sizeof(no_memory) - 1,
			     false, PLAIN);
	return reply(conn, MHD_HTTP_OK, text, len, true, PROM_CONTENT_TYPE);
}

static int listen_on(struct prom_server *s, const char *addr_port, char *err, size_t err_len)
{
	socklen_t alen = s->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						       : sizeof(struct sockaddr_in);
	char where[INET6_ADDRSTRLEN + 16];
	int one = 1, ret;

	s->fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	/* A restart right after a run finds the port in TIME_WAIT: allowed. */
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->addr.ss_family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&s->addr, alen) || listen(s->fd, PROM_CONNECTIONS) ||
	    getsockname(s->fd, (struct sockaddr *)&s->addr, &alen))
		goto fail;
	return 0;
fail:
	ret = -errno;
	addr_str(&s->addr, where, sizeof(where));
	snprintf(err, err_len, "--prometheus %s: cannot listen on %s: %s%s", addr_port, where,
		 strerror(-ret),
		 ret == -EADDRINUSE ? " (another exporter or process has the port)" : "");
	return ret;
}

/* libmicrohttpd's word on each connection: kept in a list with the time
 * its request started, for the deadline. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct prom_server *s = cls;
	struct prom_conn *pc = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		pc = calloc(1, sizeof(*pc));
		if (!pc) /* no deadline for it, only the idle timeout */
			return;
		pc->c = c;
		pc->since_ns = prom_now_ns();
		pc->next = s->conns.next;
		pc->prev = &s->conns;
		s->conns.next->prev = pc;
		s->conns.next = pc;
		*socket_context = pc;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && pc) {
		pc->prev->next = pc->next;
		pc->next->prev = pc->prev;
		free(pc);
		*socket_context = NULL;
	}
}

/* A request answered: the next one on a kept-alive connection starts its
 * own deadline. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct prom_conn *pc = ci ? ci->socket_context : NULL;

	(void)cls;
	(void)con_cls;
	(void)toe;
	if (pc) {
		pc->since_ns = prom_now_ns();
		pc->answering = false;
	}
}

/* Shuts down the connections whose request is past its deadline (the
 * next MHD_run() closes them); returns the ns to the nearest deadline. */
static uint64_t prom_enforce_deadlines(struct prom_server *s)
{
	uint64_t now = prom_now_ns(), next = UINT64_MAX;

	for (struct prom_conn *pc = s->conns.next; pc != &s->conns; pc = pc->next) {
		const union MHD_ConnectionInfo *ci;
		uint64_t due = pc->since_ns + PROM_REQUEST_DEADLINE_NS;

		if (pc->answering)
			continue;
		if (due > now) {
			if (due - now < next)
				next = due - now;
			continue;
		}
		ci = MHD_get_connection_info(pc->c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci && shutdown(ci->connect_fd, SHUT_RDWR) == 0)
			__atomic_add_fetch(&s->cut_slow, 1, __ATOMIC_RELAXED);
		pc->answering = true; /* once */
	}
	return next;
}

static void *prom_thread(void *arg)
{
	struct prom_server *s = arg;

	pthread_setname_np(pthread_self(), "xdpi-http");
	if (s->sandbox && sandbox_enter(SANDBOX_HTTP, s->fd))
		return NULL; /* counted: the run stops (sandbox_failures()) */
	for (;;) {
		MHD_UNSIGNED_LONG_LONG mhd_ms;
		uint64_t due = prom_enforce_deadlines(s), ms = PROM_TICK_MS;
		MHD_socket max = s->stop_fd;
		fd_set rs, ws, es;
		struct timeval tv;

		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&es);
		/* Level-triggered: a burst of connections waiting in the
		 * backlog is accepted on the next rounds, not left until
		 * another arrives (as libmicrohttpd's epoll mode would). */
		if (MHD_get_fdset2(s->d, &rs, &ws, &es, &max, FD_SETSIZE) != MHD_YES) {
			xdpi_err("--prometheus: a descriptor past %d: the HTTP server stops",
				 FD_SETSIZE);
			break;
		}
		FD_SET(s->stop_fd, &rs);
		if (MHD_get_timeout(s->d, &mhd_ms) == MHD_YES && mhd_ms < ms)
			ms = mhd_ms;
		if (due != UINT64_MAX && due / 1000000 + 1 < ms)
			ms = due / 1000000 + 1;
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
		if (select(max + 1, &rs, &ws, &es, &tv) < 0) {
			if (errno == EINTR)
				continue;
			xdpi_err("--prometheus: select: %s: the HTTP server stops",
				 strerror(errno));
			break;
		}
		if (FD_ISSET(s->stop_fd, &rs))
			break;
		MHD_run_from_select(s->d, &rs, &ws, &es);
	}
	return NULL;
}

int prom_server_open(struct prom_server **out, const char *addr_port, char *err, size_t err_len)
{
	struct prom_server *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	s->fd = -1;
	s->stop_fd = -1;
	s->conns.next = s->conns.prev = &s->conns;
	pthread_mutex_init(&s->lock, NULL);
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "--prometheus %s: %s", addr_port, strerror(-ret));
		goto out_free;
	}
	ret = xdpi_parse_listen(addr_port, PROM_DEFAULT_ADDR, &s->addr, err, err_len);
	if (ret)
		goto out_free;
	ret = listen_on(s, addr_port, err, err_len);
	if (ret)
		goto out_free;
	s->d = MHD_start_daemon(MHD_NO_FLAG, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET,
				s->fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)PROM_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PROM_PER_ADDRESS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)PROM_TIMEOUT_S,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, err_len, "--prometheus %s: cannot start the HTTP server", addr_port);
		ret = -EIO;
		goto out_free;
	}
	*out = s;
	return 0;
out_free:
	prom_server_stop(s);
	return ret;
}

int prom_server_run(struct prom_server *s, bool sandbox, char *err, size_t err_len)
{
	sigset_t all, old;
	int ret;

	s->sandbox = sandbox;
	/* Signals are the controlling thread's to take. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&s->thread, NULL, prom_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, err_len, "cannot start the HTTP thread: %s", strerror(-ret));
		return ret;
	}
	s->running = true;
	return 0;
}

int prom_server_start(struct prom_server **out, const char *addr_port, char *err, size_t err_len)
{
	int ret = prom_server_open(out, addr_port, err, err_len);

	if (!ret)
		ret = prom_server_run(*out, true, err, err_len);
	if (ret) {
		prom_server_stop(*out);
		*out = NULL;
	}
	return ret;
}

void prom_server_publish(struct prom_server *s, char *text, size_t len)
{
	char *old;

	pthread_mutex_lock(&s->lock);
	old = s->text;
	s->text = text;
	s->len = len;
	pthread_mutex_unlock(&s->lock);
	free(old);
}

void prom_server_address(const struct prom_server *s, char *buf, size_t len)
{
	addr_str(&s->addr, buf, len);
}

uint64_t prom_server_scrapes(const struct prom_server *s)
{
	return __atomic_load_n(&s->scrapes, __ATOMIC_RELAXED);
}

uint64_t prom_server_cut_slow(const struct prom_server *s)
{
	return __atomic_load_n(&s->cut_slow, __ATOMIC_RELAXED);
}

void prom_server_stop(struct prom_server *s)
{
	if (!s)
		return;
	if (s->running) {
		uint64_t one = 1;
		/* An eventfd at 0 always takes one. */
		ssize_t n = write(s->stop_fd, &one, sizeof(one));

		(void)n;
		pthread_join(s->thread, NULL);
	}
	/* Closes the connections (their list goes with the notifications);
	 * the listening socket is ours to close. */
	if (s->d)
		MHD_stop_daemon(s->d);
	if (s->fd >= 0)
		close(s->fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	pthread_mutex_destroy(&s->lock);
	free(s->text);
	free(s);
}
