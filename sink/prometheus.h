/* SPDX-License-Identifier: MIT */
/*
 * The Prometheus exporter's HTTP server (libmicrohttpd driven by one thread
 * of ours, sandboxed): GET or HEAD /metrics answers the text last published, with
 * xdpi_scrapes_total appended; any other path is 404, any other method 405,
 * and /metrics before the first publish is 503.
 *
 * The server only serves text: whoever reports (cmd/live.c's loop, `xdpi
 * read` at the end) renders it (sink/prom_text.h, export/prom_publish.h) from the snapshots it
 * reads anyway and hands it over with prom_server_publish(). The HTTP thread
 * never touches the flow table, the workers or the capture.
 *
 * Concurrency: start, publish, address and stop from one thread (the
 * reporter); the HTTP thread takes the text under a mutex, copies it and
 * serves the copy, so a slow client never holds the reporter up.
 * prom_server_scrapes() from any thread.
 *
 * Errors: prom_server_start() returns 0 or a negative errno with a
 * one-line reason in @err.
 */
#ifndef XDPI_EXPORT_PROMETHEUS_H
#define XDPI_EXPORT_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default address when --prometheus gives only a port. */
#define PROM_DEFAULT_ADDR "127.0.0.1"

struct prom_server;

/*
 * Parses @addr_port ("PORT", "ADDR:PORT" with a numeric IPv4 ADDR, or
 * "[ADDR]:PORT" with a numeric IPv6 ADDR; PORT 0..65535, 0 for one the
 * kernel picks), binds and listens; nothing is served until
 * prom_server_run(). -EINVAL: @addr_port does not parse; -EADDRINUSE,
 * -EADDRNOTAVAIL, -EACCES: the bind's own errno.
 */
int prom_server_open(struct prom_server **out, const char *addr_port, char *err, size_t err_len);
/* Starts the HTTP thread, which serves from then on. With @sandbox it first
 * gives up every privilege and enters its seccomp filter (util/sandbox.h;
 * on failure it serves nothing and sandbox_failures() counts it): start it
 * after the process dropped what it holds, so that it never holds more.
 * Its signal mask blocks everything. */
int prom_server_run(struct prom_server *s, bool sandbox, char *err, size_t err_len);
/* Both of them, sandboxed. */
int prom_server_start(struct prom_server **out, const char *addr_port, char *err, size_t err_len);
/* Serves @text (@len bytes, NUL-terminated, from prom_render()) from now
 * on; takes ownership (freed on the next publish or at stop). */
void prom_server_publish(struct prom_server *s, char *text, size_t len);
/* Where it listens, as "127.0.0.1:9100" or "[::1]:9100" (the real port). */
void prom_server_address(const struct prom_server *s, char *buf, size_t len);
/* Scrapes of /metrics answered with figures (200). */
uint64_t prom_server_scrapes(const struct prom_server *s);
/* Connections shut down at the whole-request deadline (slow clients). */
uint64_t prom_server_cut_slow(const struct prom_server *s);
/* Stops the thread, closes the socket, frees the text. Accepts NULL. */
void prom_server_stop(struct prom_server *s);

#endif /* XDPI_EXPORT_PROMETHEUS_H */
