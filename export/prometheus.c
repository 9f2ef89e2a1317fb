// SPDX-License-Identifier: MIT
/*
 * The Prometheus exporter: an HTTP server that serves published text.
 *
 * Design: the listening socket is made and bound here, not by
 * libmicrohttpd, so that a port in use or an address this host does not
 * have is reported with the kernel's own errno at start (MHD_start_daemon()
 * only says NULL). libmicrohttpd then runs one internal thread
 * (MHD_USE_AUTO picks epoll or poll) over that socket, with a small
 * connection limit and timeout: a scraper needs one connection, and a
 * stuck client must not pin memory.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "prom_text.h"
#include "prometheus.h"

#define PROM_CONNECTIONS 16
#define PROM_TIMEOUT_S 10

struct prom_server {
	struct MHD_Daemon *d;
	int fd;
	struct sockaddr_storage addr; /* as bound (the real port) */
	pthread_mutex_t lock;
	char *text; /* NULL before the first publish; under lock */
	size_t len;
	uint64_t scrapes; /* atomic */
};

/* "PORT", "A.B.C.D:PORT", "[v6]:PORT" into @sa. 0 or -EINVAL with a reason. */
static int parse_addr(const char *s, struct sockaddr_storage *sa, char *err, size_t err_len)
{
	char host[INET6_ADDRSTRLEN + 2] = PROM_DEFAULT_ADDR;
	const char *orig = s, *port = s, *colon = strrchr(s, ':');
	struct sockaddr_in *in4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
	unsigned long long p;
	char *end;
	bool v6 = false;

	if (colon) {
		size_t n = (size_t)(colon - s);

		/* An IPv6 address has colons of its own: only in brackets. */
		if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
			v6 = true;
			s++;
			n -= 2;
		}
		if (!n || n >= sizeof(host))
			goto bad_addr;
		memcpy(host, s, n);
		host[n] = '\0';
		port = colon + 1;
	}
	errno = 0;
	p = strtoull(port, &end, 10);
	if (!*port || *end || errno || p > 65535 || *port == '-' || *port == '+') {
		snprintf(
			err, err_len,
			"--prometheus: invalid port '%s' in '%s' (want [ADDR:]PORT, PORT 0..65535)",
			port, orig);
		return -EINVAL;
	}
	memset(sa, 0, sizeof(*sa));
	if (!v6 && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		return 0;
	}
bad_addr:
	snprintf(err, err_len,
		 "--prometheus: invalid address in '%s' (want PORT, IPV4:PORT or [IPV6]:PORT, "
		 "numeric)",
		 orig);
	return -EINVAL;
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

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
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

int prom_server_start(struct prom_server **out, const char *addr_port, char *err, size_t err_len)
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
	pthread_mutex_init(&s->lock, NULL);
	ret = parse_addr(addr_port, &s->addr, err, err_len);
	if (ret)
		goto out_free;
	ret = listen_on(s, addr_port, err, err_len);
	if (ret)
		goto out_free;
	s->d = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
				on_request, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)PROM_CONNECTIONS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)PROM_TIMEOUT_S,
				MHD_OPTION_END);
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

void prom_server_stop(struct prom_server *s)
{
	if (!s)
		return;
	/* The daemon's thread is joined here; the socket is ours to close. */
	if (s->d)
		MHD_stop_daemon(s->d);
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s->text);
	free(s);
}

/* ------------------------------------------------------------------ */
/* The reporter's side                                                 */
/* ------------------------------------------------------------------ */

static void counters_of(const struct pipeline *p, struct pipeline_counters *out)
{
	memset(out, 0, sizeof(*out));
	out->c = p->m.c;
	out->unique_src_ips = metrics_unique_src_ips(&p->m);
	out->tcp_flows = metrics_tcp_flows(&p->m);
	out->filtered_out = p->filtered_out;
	out->snapped = p->snapped;
	out->flows = p->fw.c;
}

static void counters_add(struct pipeline_counters *sum, const struct pipeline_counters *q)
{
	const uint64_t *src = (const uint64_t *)q;
	uint64_t *dst = (uint64_t *)sum;

	/* Every field is a u64 count (inspect/pipeline.h), as the live
	 * table's sum assumes too. */
	_Static_assert(sizeof(*sum) % sizeof(uint64_t) == 0, "pipeline_counters: u64 only");
	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

static int publish(struct prom_server *s, const struct prom_figures *f)
{
	size_t len;
	char *text = prom_render(f, &len);

	if (!text)
		return -ENOMEM;
	prom_server_publish(s, text, len);
	return 0;
}

int prom_publish_capture(struct prom_server *s, const struct capture *c, const char *ifname,
			 const struct capture_result *res)
{
	int n = capture_queue_count(c);
	struct prom_queue *pq = calloc(n > 0 ? (size_t)n : 1, sizeof(*pq));
	struct xdp_statistics *sock = calloc(n > 0 ? (size_t)n : 1, sizeof(*sock));
	struct pipeline_counters total = {0};
	struct flow_summary *fs = malloc(sizeof(*fs));
	struct prom_figures f = {
		.mode = "live", .source = ifname, .total = &total, .queues = pq, .nqueues = n};
	int ret = -ENOMEM;

	if (!pq || !sock || !fs)
		goto out;
	for (int i = 0; i < n; i++) {
		struct capture_queue q;

		capture_queue_read(c, i, &q);
		counters_add(&total, &q.counters);
		sock[i] = q.sock;
		pq[i] = (struct prom_queue){.queue_id = q.queue_id,
					    .packets = q.counters.c.packets,
					    .bytes = q.counters.c.bytes,
					    .sock = q.passive ? NULL : &sock[i]};
	}
	if (res) {
		counters_of(&res->total, &total);
		if (res->flows)
			*fs = *res->flows;
		f.flows = res->flows ? fs : NULL;
	} else {
		f.flows = capture_flow_summary(c, fs) ? fs : NULL;
	}
	ret = publish(s, &f);
out:
	free(fs);
	free(sock);
	free(pq);
	return ret;
}

int prom_publish_pipeline(struct prom_server *s, const struct pipeline *p,
			  const struct flow_summary *fs, const char *file)
{
	struct pipeline_counters total;
	const struct prom_figures f = {
		.mode = "file", .source = file, .total = &total, .flows = fs};

	counters_of(p, &total);
	return publish(s, &f);
}
