// SPDX-License-Identifier: MIT
/*
 * Unit tests of the payload peeks (inspect/peek.c): HTTP request lines and
 * Host, TLS ClientHellos built byte by byte here, the sanitizer and the
 * Prometheus label escape.
 *
 * Every payload goes through PEEK(), which peeks an exactly sized heap copy
 * (ASan, with SAN=1, catches any read past the end) and then every prefix
 * 0..len of it, each in its own exactly sized buffer. Every result must
 * hold the invariants (strings terminated in their arrays, sanitized,
 * counts in range), and a prefix must give a part of what the whole gives:
 * the same kind and method, strings that are prefixes, no extension the
 * whole does not have.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inspect/peek.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

/* Heap buffers in use: a failed assertion jumps out of the test, and the
 * per-test teardown frees them so that LeakSanitizer stays quiet. */
enum { LIVE_FULL, LIVE_PREFIX, LIVE_PACKED, LIVE__MAX };
static void *live[LIVE__MAX];

/* (@p NULL: @len bytes uninitialized, e.g. a packed peek's exact slot.) */
static void *live_copy(int slot, const void *p, size_t len)
{
	free(live[slot]);
	/* malloc(0) may return NULL; the peek must not read it either way */
	live[slot] = malloc(len ? len : 1);
	assert_non_null(live[slot]);
	if (p && len)
		memcpy(live[slot], p, len);
	return live[slot];
}

static int teardown(void **state __attribute__((unused)))
{
	for (int i = 0; i < LIVE__MAX; i++) {
		free(live[i]);
		live[i] = NULL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Invariants and prefixes                                             */
/* ------------------------------------------------------------------ */

/* Terminated within @size, printable ASCII, every '\' the start of "\\" or
 * "\xNN" in lower-case hex. */
static void check_sane(const char *s, size_t size, const char *what, size_t len, int line)
{
	const char *nul = memchr(s, '\0', size);

	if (!nul)
		fail_msg("line %d: length %zu: %s not terminated", line, len, what);
	for (const char *c = s; c < nul; c++) {
		if (*c < 0x20 || *c > 0x7e)
			fail_msg("line %d: length %zu: %s has byte 0x%02x", line, len, what,
				 (uint8_t)*c);
		if (*c != '\\')
			continue;
		if (c[1] == '\\') {
			c++;
		} else if (c[1] == 'x' && strchr("0123456789abcdef", c[2]) && c[2] &&
			   strchr("0123456789abcdef", c[3]) && c[3]) {
			c += 3;
		} else {
			fail_msg("line %d: length %zu: %s has a broken escape at %zu", line, len,
				 what, (size_t)(c - s));
		}
	}
}

static void check_invariants(const struct peek_result *r, size_t len, int line)
{
	static const struct peek_result zero;

	if (r->kind >= PEEK_KIND__MAX)
		fail_msg("line %d: length %zu: kind %u", line, len, r->kind);
	if (r->kind == PEEK_NONE)
		return;
	if (r->truncated & ~0x3f)
		fail_msg("line %d: length %zu: truncated bits 0x%x", line, len, r->truncated);
	check_sane(r->http_method_name, sizeof(r->http_method_name), "method", len, line);
	check_sane(r->http_path, sizeof(r->http_path), "path", len, line);
	check_sane(r->http_host, sizeof(r->http_host), "host", len, line);
	check_sane(r->tls_sni, sizeof(r->tls_sni), "sni", len, line);
	for (int i = 0; i < PEEK_ALPN_MAX; i++)
		check_sane(r->tls_alpn[i], sizeof(r->tls_alpn[i]), "alpn", len, line);
	if (r->tls_alpn_count > PEEK_ALPN_MAX || r->tls_version_count > PEEK_TLS_VERSIONS_MAX)
		fail_msg("line %d: length %zu: counts %u %u", line, len, r->tls_alpn_count,
			 r->tls_version_count);
	if (r->kind == PEEK_HTTP) {
		if (r->http_method >= PEEK_HTTP__MAX || !r->http_method_name[0])
			fail_msg("line %d: length %zu: method %u '%s'", line, len, r->http_method,
				 r->http_method_name);
		if (r->http_method != PEEK_HTTP_OTHER &&
		    strcmp(r->http_method_name, peek_http_method_name(r->http_method)))
			fail_msg("line %d: length %zu: method name '%s'", line, len,
				 r->http_method_name);
		if (r->malformed || r->tls_sni[0] || r->tls_alpn_count || r->tls_version_count ||
		    r->tls_legacy_version)
			fail_msg("line %d: length %zu: TLS fields on HTTP", line, len);
	} else {
		if (memcmp(r->http_method_name, zero.http_method_name,
			   sizeof(zero.http_method_name)) ||
		    r->http_path[0] || r->http_host[0] || r->http_method)
			fail_msg("line %d: length %zu: HTTP fields on TLS", line, len);
		for (int i = r->tls_alpn_count; i < PEEK_ALPN_MAX; i++)
			if (r->tls_alpn[i][0])
				fail_msg("line %d: length %zu: alpn[%d] past the count", line, len,
					 i);
	}
}

static bool is_prefix(const char *pre, const char *s)
{
	return !strncmp(pre, s, strlen(pre));
}

/* What a prefix of @len bytes gave (@p) against the whole (@w). */
static void check_prefix(const struct peek_result *p, const struct peek_result *w, size_t len,
			 int line)
{
	if (p->kind == PEEK_NONE)
		return;
	if (p->kind != w->kind)
		fail_msg("line %d: prefix %zu: kind %s, the whole %s", line, len,
			 peek_kind_name(p->kind), peek_kind_name(w->kind));
	if (p->kind == PEEK_HTTP) {
		if (p->http_method != w->http_method ||
		    strcmp(p->http_method_name, w->http_method_name))
			fail_msg("line %d: prefix %zu: method '%s'", line, len,
				 p->http_method_name);
		if (!is_prefix(p->http_path, w->http_path) ||
		    !is_prefix(p->http_host, w->http_host))
			fail_msg("line %d: prefix %zu: path '%s' host '%s' not prefixes of '%s' "
				 "'%s'",
				 line, len, p->http_path, p->http_host, w->http_path, w->http_host);
		return;
	}
	if (p->malformed && !w->malformed)
		fail_msg("line %d: prefix %zu: malformed, the whole is not", line, len);
	if (p->tls_sni[0] && strcmp(p->tls_sni, w->tls_sni))
		fail_msg("line %d: prefix %zu: sni '%s', the whole '%s'", line, len, p->tls_sni,
			 w->tls_sni);
	if (p->tls_alpn_count > w->tls_alpn_count)
		fail_msg("line %d: prefix %zu: more ALPN names than the whole", line, len);
	for (int i = 0; i < p->tls_alpn_count; i++)
		if (strcmp(p->tls_alpn[i], w->tls_alpn[i]))
			fail_msg("line %d: prefix %zu: alpn[%d] '%s', the whole '%s'", line, len, i,
				 p->tls_alpn[i], w->tls_alpn[i]);
	if (p->tls_legacy_version && p->tls_legacy_version != w->tls_legacy_version)
		fail_msg("line %d: prefix %zu: legacy version 0x%04x", line, len,
			 p->tls_legacy_version);
	/* Versions: none yet, the legacy one, or the whole's list. */
	if (p->tls_version_count &&
	    !(p->tls_version_count == 1 && p->tls_versions[0] == w->tls_legacy_version) &&
	    (p->tls_version_count != w->tls_version_count ||
	     memcmp(p->tls_versions, w->tls_versions, sizeof(p->tls_versions))))
		fail_msg("line %d: prefix %zu: versions not the whole's", line, len);
}

/* A result kept packed (a flow record's way, peek_pack()) comes back the
 * same, byte for byte, whatever the slot and the result held before. */
static void check_packed(const struct peek_result *r, int line)
{
	struct peek_packed *slot = live_copy(LIVE_PACKED, NULL, sizeof(*slot));
	struct peek_result back;

	if (sizeof(*slot) > 544)
		fail_msg("a packed peek takes %zu bytes (docs/flows.md: 544)", sizeof(*slot));
	memset(slot, 0xa5, sizeof(*slot));
	memset(&back, 0x5a, sizeof(back));
	peek_pack(r, slot);
	peek_unpack(slot, &back);
	if (memcmp(&back, r, sizeof(back)))
		fail_msg("line %d: a %s peek packed and unpacked is not the same", line,
			 peek_kind_name(r->kind));
}

/* Peeks @len bytes (an exact heap copy) into *@r, then every prefix. */
static enum peek_kind peek_all(const void *data, size_t len, struct peek_result *r, int line)
{
	struct peek_result pr;
	const uint8_t *d = live_copy(LIVE_FULL, data, len);
	enum peek_kind k = peek_payload(d, (uint32_t)len, r);

	if (k != r->kind)
		fail_msg("line %d: returned %d, kind %u", line, k, r->kind);
	check_invariants(r, len, line);
	if (k != PEEK_NONE)
		check_packed(r, line);
	for (size_t n = 0; n < len; n++) {
		const uint8_t *pd = live_copy(LIVE_PREFIX, data, n);

		peek_payload(pd, (uint32_t)n, &pr);
		check_invariants(&pr, n, line);
		if (r->kind != PEEK_NONE)
			check_prefix(&pr, r, n, line);
	}
	return k;
}

#define PEEK(d, len, r) peek_all((d), (len), (r), __LINE__)
#define PEEK_STR(s, r) peek_all((s), strlen(s), (r), __LINE__)

/* ------------------------------------------------------------------ */
/* HTTP                                                                */
/* ------------------------------------------------------------------ */

TEST(test_http_every_method)
{
	struct peek_result r;
	char req[256];

	for (int m = PEEK_HTTP_GET; m < PEEK_HTTP__MAX; m++) {
		const char *name = peek_http_method_name((enum peek_http_method)m);

		snprintf(req, sizeof(req), "%s /a/b?c=d HTTP/1.%d\r\nHost: example.com\r\n\r\n",
			 name, m % 2);
		assert_int_equal(PEEK_STR(req, &r), PEEK_HTTP);
		assert_int_equal(r.http_method, m);
		assert_string_equal(r.http_method_name, name);
		assert_string_equal(r.http_path, "/a/b?c=d");
		assert_string_equal(r.http_host, "example.com");
		assert_int_equal(r.truncated, 0);
	}
	/* the forms of target other than a path */
	assert_int_equal(PEEK_STR("CONNECT example.com:443 HTTP/1.1\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_path, "example.com:443");
	assert_int_equal(r.truncated, 0);
	assert_int_equal(PEEK_STR("OPTIONS * HTTP/1.1\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_path, "*");
	assert_int_equal(PEEK_STR("GET http://example.com/x HTTP/1.0\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_path, "http://example.com/x");
}

TEST(test_http_other_method)
{
	struct peek_result r;

	assert_int_equal(PEEK_STR("PROPFIND /dav/ HTTP/1.1\r\nHost: h\r\n\r\n", &r), PEEK_HTTP);
	assert_int_equal(r.http_method, PEEK_HTTP_OTHER);
	assert_string_equal(r.http_method_name, "PROPFIND");
	assert_string_equal(r.http_path, "/dav/");
	assert_string_equal(r.http_host, "h");
	assert_int_equal(PEEK_STR("BASELINE-CONTROL HTTPS://h/x HTTP/1.1\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_method_name, "BASELINE-CONTROL");
	assert_string_equal(r.http_path, "HTTPS://h/x");
	assert_int_equal(PEEK_STR("M-SEARCH * HTTP/1.1\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_method_name, "M-SEARCH");
	/* 23 characters is the longest token */
	assert_int_equal(PEEK_STR("ABCDEFGHIJKLMNOPQRSTUVW / HTTP/1.1\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_method_name, "ABCDEFGHIJKLMNOPQRSTUVW");
	assert_int_equal(PEEK_STR("ABCDEFGHIJKLMNOPQRSTUVWX / HTTP/1.1\r\n\r\n", &r), PEEK_NONE);
	/* an unknown token before something that is not a target */
	assert_int_equal(PEEK_STR("HELLO world HTTP/1.1\r\n\r\n", &r), PEEK_NONE);
	assert_int_equal(PEEK_STR("FOO htt", &r), PEEK_NONE);
}

TEST(test_http_host)
{
	struct peek_result r;

	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nhOsT:\t  Example.COM \t\r\n\r\n", &r),
			 PEEK_HTTP);
	assert_string_equal(r.http_host, "Example.COM");
	assert_int_equal(r.truncated, 0);
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nHOST:h:8080\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "h:8080");
	/* after other headers; not a header whose name ends in host */
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nX-Host: evil\r\nUser-Agent: a\r\n"
				  "host: good\r\nHost: second\r\n\r\n",
				  &r),
			 PEEK_HTTP);
	assert_string_equal(r.http_host, "good");
	/* a space before the colon is not this header */
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nHost : bad\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "");
	assert_int_equal(r.truncated, 0);
	/* an empty value, all spaces inside kept */
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nHost:   \r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "");
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "a b");
	/* none before the end of the headers; the body is not looked at */
	assert_int_equal(PEEK_STR("POST /f HTTP/1.1\r\nA: b\r\n\r\nHost: body\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "");
	assert_int_equal(r.truncated, 0);
	/* none before the segment ends: it may be in the next one */
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nA: b\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "");
	assert_int_equal(r.truncated, PEEK_TRUNC_SEGMENT);
	/* a bare LF does not end a header line */
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nA: b\nHost: x\r\n\r\n", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "");
	/* cut inside the value */
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nHost: exam", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "exam");
	assert_int_equal(r.truncated, PEEK_TRUNC_HOST | PEEK_TRUNC_SEGMENT);
	assert_int_equal(PEEK_STR("GET / HTTP/1.1\r\nHost: example\r", &r), PEEK_HTTP);
	assert_string_equal(r.http_host, "example");
	assert_int_equal(r.truncated, PEEK_TRUNC_HOST | PEEK_TRUNC_SEGMENT);
}

/* Every prefix of one request, each with what it must give exactly. */
TEST(test_http_every_prefix)
{
	static const char req[] = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n"
				  "Accept: */*\r\n\r\n";
	const size_t target = 4, sp = 15, line_end = 26, value = 32, host_end = 45;
	struct peek_result r;
	char want[64];

	PEEK_STR(req, &r);
	for (size_t n = 0; n <= sizeof(req) - 1; n++) {
		const uint8_t *d = live_copy(LIVE_PREFIX, req, n);
		uint8_t trunc;

		peek_payload(d, (uint32_t)n, &r);
		if (n < target) {
			assert_int_equal(r.kind, PEEK_NONE);
			continue;
		}
		assert_int_equal(r.kind, PEEK_HTTP);
		assert_int_equal(r.http_method, PEEK_HTTP_GET);
		snprintf(want, sizeof(want), "%.*s", (int)((n < sp ? n : sp) - target),
			 req + target);
		assert_string_equal(r.http_path, want);
		if (n <= sp)
			trunc = PEEK_TRUNC_PATH | PEEK_TRUNC_SEGMENT;
		else if (n < line_end)
			trunc = PEEK_TRUNC_SEGMENT;
		else if (n < value)
			trunc = n < value - 1 ? PEEK_TRUNC_SEGMENT
					      : PEEK_TRUNC_HOST | PEEK_TRUNC_SEGMENT;
		else if (n < host_end)
			trunc = PEEK_TRUNC_HOST | PEEK_TRUNC_SEGMENT;
		else
			trunc = 0;
		if (r.truncated != trunc)
			fail_msg("prefix %zu: truncated 0x%x, want 0x%x", n, r.truncated, trunc);
		snprintf(want, sizeof(want), "%.*s",
			 n < value ? 0 : (int)((n < host_end - 2 ? n : host_end - 2) - value),
			 req + value);
		assert_string_equal(r.http_host, want);
	}
}

TEST(test_http_not)
{
	static const char *const not_http[] = {
		"",
		"G",
		"GET",
		"get / HTTP/1.1\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\n\r\n",
		"GET /\r\n",
		"GET / HTTP/2\r\n\r\n",
		"GET / HTTP/1.x\r\n",
		"GET / HTTP/1.1 \r\n",
		"GET / HTTP/1.1\r\r\n",
		"GET /a\rb HTTP/1.1\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\n",
		"SSH-2.0-OpenSSH_9.2\r\n",
		"EHLO mail.example.com\r\n",
		"Z",
		"\x00GET / HTTP/1.1\r\n",
		" GET / HTTP/1.1\r\n",
		"\xff\xfe",
	};
	struct peek_result r;

	/* GET and a space, then nothing: the segment ended, not a refusal */
	assert_int_equal(PEEK_STR("GET ", &r), PEEK_HTTP);
	for (size_t i = 0; i < sizeof(not_http) / sizeof(not_http[0]); i++) {
		if (PEEK_STR(not_http[i], &r) != PEEK_NONE)
			fail_msg("'%s' taken for %s", not_http[i], peek_kind_name(r.kind));
	}
	assert_int_equal(PEEK("", 0, &r), PEEK_NONE);
}

TEST(test_http_hostile)
{
	/* quote, backslash, control bytes, NUL, DEL, invalid and valid UTF-8 */
	static const char req[] = "GET /\"a\\b\x01\t\x00\x7f\xff\xc3\x28\xc3\xa9'%00 HTTP/1.1\r\n"
				  "Host: \"h\\\x1b[2J\x00\x80\r\n\r\n";
	struct peek_result r;
	char path[400];

	assert_int_equal(PEEK(req, sizeof(req) - 1, &r), PEEK_HTTP);
	assert_string_equal(r.http_path, "/\"a\\\\b\\x01\\x09\\x00\\x7f\\xff\\xc3(\\xc3\\xa9'%00");
	assert_string_equal(r.http_host, "\"h\\\\\\x1b[2J\\x00\\x80");
	assert_int_equal(r.truncated, 0);

	/* longer than the array: cut at the bound, flagged */
	memset(path, 'a', sizeof(path));
	memcpy(path, "GET /", 5);
	memcpy(path + 300, " HTTP/1.1\r\n\r\n", 14);
	assert_int_equal(PEEK(path, 314, &r), PEEK_HTTP);
	assert_int_equal(strlen(r.http_path), PEEK_PATH_LEN - 1);
	assert_int_equal(r.truncated, PEEK_TRUNC_PATH);

	/* an escape that would straddle the bound is left out whole: 254
	 * bytes of path, then one that takes 4 (or a backslash, 2) */
	path[4 + 254] = '\x01';
	assert_int_equal(PEEK(path, 314, &r), PEEK_HTTP);
	assert_int_equal(strlen(r.http_path), 254);
	assert_int_equal(r.truncated, PEEK_TRUNC_PATH);
	path[4 + 254] = '\\';
	assert_int_equal(PEEK(path, 314, &r), PEEK_HTTP);
	assert_int_equal(strlen(r.http_path), 254);
	assert_int_equal(r.truncated, PEEK_TRUNC_PATH);
	/* 255 plain characters fill the array, the escape after them is out */
	path[4 + 254] = 'b';
	path[4 + 255] = '\x01';
	assert_int_equal(PEEK(path, 314, &r), PEEK_HTTP);
	assert_int_equal(r.http_path[254], 'b');
	assert_int_equal(strlen(r.http_path), 255);
}

/* ------------------------------------------------------------------ */
/* TLS                                                                 */
/* ------------------------------------------------------------------ */

struct buf {
	uint8_t b[8192];
	size_t len;
};

static void put8(struct buf *b, unsigned v)
{
	assert_true(b->len < sizeof(b->b));
	b->b[b->len++] = (uint8_t)v;
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void putn(struct buf *b, const void *p, size_t n)
{
	assert_true(n <= sizeof(b->b) - b->len);
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

/* A length field of @width bytes, filled in by len_close() with the bytes
 * written after it. */
static size_t len_open(struct buf *b, int width)
{
	size_t at = b->len;

	for (int i = 0; i < width; i++)
		put8(b, 0);
	return at;
}

static void len_close(struct buf *b, size_t at, int width)
{
	size_t v = b->len - at - (size_t)width;

	for (int i = width - 1; i >= 0; i--, v >>= 8)
		b->b[at + (size_t)i] = (uint8_t)v;
}

struct bytes {
	const void *p;
	size_t n;
};

/* A string literal without its NUL; an array of bytes whole. */
#define STR(s) ((struct bytes){(s), sizeof(s) - 1})
#define BYTES(a) ((struct bytes){(a), sizeof(a)})

struct hello {
	uint16_t legacy;       /* 0: 0x0303 */
	int sid_len;	       /* session id length (may lie: see sid_lie) */
	bool sid_lie;	       /* write sid_len without the bytes */
	bool no_extensions;    /* end after the compression methods */
	struct bytes sni;      /* .p NULL: no server_name */
	struct bytes alpn[12]; /* up to the first .p NULL */
	uint16_t versions[12]; /* up to the first 0; none: no extension */
	struct bytes raw;      /* an extension as is, after the others */
	size_t record_len;     /* 0: the true length */
};

/* Offsets (in the buffer) where each extension ends, 0 if absent. */
struct hello_ends {
	size_t sni, alpn, versions, total;
};

static void build_hello(struct buf *b, const struct hello *h, struct hello_ends *e)
{
	size_t rec, hs, exts, x, list;

	memset(e, 0, sizeof(*e));
	b->len = 0;
	put8(b, 22); /* handshake */
	put16(b, 0x0301);
	rec = len_open(b, 2);
	put8(b, 1); /* ClientHello */
	hs = len_open(b, 3);
	put16(b, h->legacy ? h->legacy : 0x0303);
	for (int i = 0; i < 32; i++)
		put8(b, 0x40 + i); /* random */
	put8(b, h->sid_len);
	for (int i = 0; i < h->sid_len && !h->sid_lie; i++)
		put8(b, 0xee);
	put16(b, 6); /* cipher suites */
	put16(b, 0x1301);
	put16(b, 0x1302);
	put16(b, 0xc02f);
	put8(b, 1); /* compression: null */
	put8(b, 0);
	if (!h->no_extensions) {
		exts = len_open(b, 2);
		put16(b, 0x3a3a); /* GREASE, empty */
		put16(b, 0);
		if (h->sni.p) {
			put16(b, 0);
			x = len_open(b, 2);
			list = len_open(b, 2);
			put8(b, 0); /* host_name */
			put16(b, (unsigned)h->sni.n);
			putn(b, h->sni.p, h->sni.n);
			len_close(b, list, 2);
			len_close(b, x, 2);
			e->sni = b->len;
		}
		put16(b, 23); /* extended_master_secret, empty */
		put16(b, 0);
		if (h->alpn[0].p) {
			put16(b, 16);
			x = len_open(b, 2);
			list = len_open(b, 2);
			for (int i = 0; i < 12 && h->alpn[i].p; i++) {
				put8(b, (unsigned)h->alpn[i].n);
				putn(b, h->alpn[i].p, h->alpn[i].n);
			}
			len_close(b, list, 2);
			len_close(b, x, 2);
			e->alpn = b->len;
		}
		if (h->versions[0]) {
			put16(b, 43);
			x = len_open(b, 2);
			list = len_open(b, 1);
			for (int i = 0; i < 12 && h->versions[i]; i++)
				put16(b, h->versions[i]);
			len_close(b, list, 1);
			len_close(b, x, 2);
			e->versions = b->len;
		}
		put16(b, 51); /* key_share-sized filler */
		put16(b, 36);
		for (int i = 0; i < 36; i++)
			put8(b, i);
		if (h->raw.p)
			putn(b, h->raw.p, h->raw.n);
		len_close(b, exts, 2);
	}
	len_close(b, hs, 3);
	len_close(b, rec, 2);
	if (h->record_len) {
		b->b[3] = (uint8_t)(h->record_len >> 8);
		b->b[4] = (uint8_t)h->record_len;
	}
	e->total = b->len;
}

static const struct hello browser = {
	.sni = STR("www.example.com"),
	.alpn = {STR("h2"), STR("http/1.1")},
	.versions = {0x8a8a, 0x0304, 0x0303},
};

TEST(test_tls_client_hello)
{
	/* a server_name of another type first, then a host_name */
	static const uint8_t two[] = {0,   0,	0, 13, 0, 11,  1,   0,	2,
				      'n', 'o', 0, 0,  3, 'y', 'e', 's'};
	struct hello h = {.legacy = 0x0302, .sni = STR("a"), .sid_len = 32};
	struct peek_result r;
	struct hello_ends e;
	struct buf b;

	build_hello(&b, &browser, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_string_equal(r.tls_sni, "www.example.com");
	assert_int_equal(r.tls_alpn_count, 2);
	assert_string_equal(r.tls_alpn[0], "h2");
	assert_string_equal(r.tls_alpn[1], "http/1.1");
	assert_int_equal(r.tls_legacy_version, 0x0303);
	assert_int_equal(r.tls_version_count, 2); /* GREASE left out */
	assert_int_equal(r.tls_versions[0], 0x0304);
	assert_int_equal(r.tls_versions[1], 0x0303);
	assert_int_equal(r.truncated, 0);
	assert_false(r.malformed);

	/* without supported_versions: the legacy version */
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_string_equal(r.tls_sni, "a");
	assert_int_equal(r.tls_alpn_count, 0);
	assert_int_equal(r.tls_version_count, 1);
	assert_int_equal(r.tls_versions[0], 0x0302);
	assert_int_equal(r.truncated, 0);
	assert_false(r.malformed);

	/* no extensions at all */
	h = (struct hello){.legacy = 0x0301, .no_extensions = true};
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_int_equal(r.tls_version_count, 1);
	assert_int_equal(r.tls_versions[0], 0x0301);
	assert_string_equal(r.tls_sni, "");
	assert_int_equal(r.truncated, 0);
	assert_false(r.malformed);

	/* a name of another type is skipped; the first server_name counts */
	h = (struct hello){.raw = BYTES(two)};
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_string_equal(r.tls_sni, "yes");
	h.sni = STR("first");
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_string_equal(r.tls_sni, "first");
	assert_false(r.malformed);
}

/* Every prefix of a browser's ClientHello, each with what it must give:
 * an extension counts once it lies wholly inside. */
TEST(test_tls_every_prefix)
{
	struct peek_result r, whole;
	struct hello_ends e;
	struct buf b;

	build_hello(&b, &browser, &e);
	PEEK(b.b, b.len, &whole);
	for (size_t n = 0; n <= b.len; n++) {
		const uint8_t *d = live_copy(LIVE_PREFIX, b.b, n);

		peek_payload(d, (uint32_t)n, &r);
		if (n < 6) {
			assert_int_equal(r.kind, PEEK_NONE);
			continue;
		}
		assert_int_equal(r.kind, PEEK_TLS);
		assert_false(r.malformed);
		assert_int_equal(r.truncated, n < e.total ? PEEK_TRUNC_SEGMENT : 0);
		assert_string_equal(r.tls_sni, n >= e.sni ? "www.example.com" : "");
		assert_int_equal(r.tls_alpn_count, n >= e.alpn ? 2 : 0);
		if (n >= e.versions) {
			assert_int_equal(r.tls_version_count, 2);
			assert_int_equal(r.tls_versions[0], 0x0304);
		} else if (n >= 11) {
			assert_int_equal(r.tls_version_count, 1);
			assert_int_equal(r.tls_versions[0], 0x0303);
		} else {
			assert_int_equal(r.tls_version_count, 0);
		}
	}
}

TEST(test_tls_hostile)
{
	static const char evil[] = "a\"b\\c\x01\x00\x7f\xff\xc3\x28\xc3\xa9\n";
	struct hello h = {.sni = STR(evil), .alpn = {STR(evil), STR("h2")}};
	struct peek_result r;
	struct hello_ends e;
	uint8_t big[300];
	struct buf b;

	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_string_equal(r.tls_sni, "a\"b\\\\c\\x01\\x00\\x7f\\xff\\xc3(\\xc3\\xa9\\x0a");
	/* 31 characters fit: the escape of 0xa9 would end at 35 */
	assert_string_equal(r.tls_alpn[0], "a\"b\\\\c\\x01\\x00\\x7f\\xff\\xc3(\\xc3");
	assert_string_equal(r.tls_alpn[1], "h2");
	assert_int_equal(r.truncated, PEEK_TRUNC_ALPN);

	/* a name longer than its array */
	memset(big, 'z', sizeof(big));
	h = (struct hello){.sni = {big, sizeof(big)}};
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_int_equal(strlen(r.tls_sni), PEEK_SNI_LEN - 1);
	assert_int_equal(r.truncated, PEEK_TRUNC_SNI);

	/* more names and versions than the arrays hold */
	h = (struct hello){.alpn = {STR("p0"), STR("p1"), STR("p2"), STR("p3"), STR("p4"),
				    STR("p5"), STR("p6"), STR("p7"), STR("p8"), STR("p9")},
			   .versions = {0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c, 0xfeff, 0xfefd,
					0x0a0a, 0x0300, 0x0200, 0x0305}};
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_int_equal(r.tls_alpn_count, PEEK_ALPN_MAX);
	assert_string_equal(r.tls_alpn[7], "p7");
	assert_int_equal(r.tls_version_count, PEEK_TLS_VERSIONS_MAX);
	assert_int_equal(r.tls_versions[6], 0xfefd);
	assert_int_equal(r.tls_versions[7], 0x0300); /* 0x0a0a, GREASE, skipped */
	assert_int_equal(r.truncated, PEEK_TRUNC_ALPN | PEEK_TRUNC_VERSIONS);
	assert_false(r.malformed);
}

TEST(test_tls_malformed)
{
	/* server_name list longer than the extension */
	static const uint8_t sni_list[] = {0, 0, 0, 6, 0, 9, 0, 0, 1, 'a'};
	/* an extension longer than the extensions block */
	static const uint8_t ext_over[] = {0, 21, 0, 64, 0, 0};
	/* an ALPN name of length 0 */
	static const uint8_t alpn_zero[] = {0, 16, 0, 4, 0, 2, 0, 'x'};
	/* supported_versions with an odd length */
	static const uint8_t sv_odd[] = {0, 43, 0, 4, 3, 3, 4, 3};
	/* trailing bytes too few for an extension header */
	static const uint8_t stub[] = {0, 21};
	/* a record too short for a handshake header */
	static const uint8_t tiny[] = {22, 3, 1, 0, 2, 1, 0};
	static const struct bytes cases[] = {BYTES(sni_list), BYTES(ext_over), BYTES(alpn_zero),
					     BYTES(sv_odd), BYTES(stub)};
	struct peek_result r;
	struct hello_ends e;
	struct hello h;
	struct buf b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* an extension before the bad one, of another type */
		if (i == 0)
			h = (struct hello){.alpn = {STR("before")}};
		else
			h = (struct hello){.sni = STR("before")};
		h.raw = cases[i];
		build_hello(&b, &h, &e);
		assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
		if (!r.malformed)
			fail_msg("case %zu not malformed", i);
		/* what came before stands */
		assert_string_equal(i == 0 ? r.tls_alpn[0] : r.tls_sni, "before");
		assert_int_equal(r.truncated, 0);
	}

	/* a session id longer than 32 */
	h = (struct hello){.sid_len = 33, .sni = STR("x")};
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_true(r.malformed);
	assert_string_equal(r.tls_sni, "");
	assert_int_equal(r.tls_version_count, 1); /* the legacy version was read */

	/* a session id length that runs past the message */
	h = (struct hello){.sid_len = 32, .sid_lie = true, .no_extensions = true};
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_true(r.malformed);

	assert_int_equal(PEEK(tiny, sizeof(tiny), &r), PEEK_TLS);
	assert_true(r.malformed);
}

TEST(test_tls_record_cut)
{
	struct hello h = browser;
	struct peek_result r;
	struct hello_ends e;
	struct buf b;

	/* The record ends inside ALPN (the message continues in a record we
	 * do not read): what lies wholly inside the first record counts, the
	 * bytes after it in the segment do not. */
	build_hello(&b, &browser, &e);
	h.record_len = e.alpn - 5 - 3;
	build_hello(&b, &h, &e);
	assert_int_equal(PEEK(b.b, b.len, &r), PEEK_TLS);
	assert_string_equal(r.tls_sni, "www.example.com");
	assert_int_equal(r.tls_alpn_count, 0);
	assert_int_equal(r.tls_version_count, 1);
	assert_int_equal(r.truncated, PEEK_TRUNC_SEGMENT);
	assert_false(r.malformed);
}

TEST(test_tls_not)
{
	static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
	static const uint8_t server_hello[] = {22, 3, 3, 0, 4, 2, 0, 0, 0};
	static const uint8_t bad_version[] = {22, 4, 1, 0, 4, 1, 0, 0, 0};
	static const uint8_t tls15[] = {22, 3, 5, 0, 4, 1, 0, 0, 0};
	static const uint8_t too_long[] = {22, 3, 1, 0x40, 1, 1, 0, 0, 0};
	static const uint8_t empty_rec[] = {22, 3, 1, 0, 0, 1};
	static const uint8_t header_only[] = {22, 3, 1, 0, 200};
	struct peek_result r;

	assert_int_equal(PEEK(alert, sizeof(alert), &r), PEEK_NONE);
	assert_int_equal(PEEK(server_hello, sizeof(server_hello), &r), PEEK_NONE);
	assert_int_equal(PEEK(bad_version, sizeof(bad_version), &r), PEEK_NONE);
	assert_int_equal(PEEK(tls15, sizeof(tls15), &r), PEEK_NONE);
	assert_int_equal(PEEK(too_long, sizeof(too_long), &r), PEEK_NONE);
	assert_int_equal(PEEK(empty_rec, sizeof(empty_rec), &r), PEEK_NONE);
	assert_int_equal(PEEK(header_only, sizeof(header_only), &r), PEEK_NONE);
}

/* ------------------------------------------------------------------ */
/* Sanitizing, escaping, names                                         */
/* ------------------------------------------------------------------ */

/* The sanitizer's contract worked out byte by byte, as the reference for
 * test_sanitize_positions: each byte's whole form while it fits. */
static size_t sanitize_ref(char *dst, size_t size, const uint8_t *src, size_t len, bool *cut)
{
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		char form[8];
		size_t n;

		if (src[i] == '\\')
			n = (size_t)snprintf(form, sizeof(form), "\\\\");
		else if (src[i] >= 0x20 && src[i] <= 0x7e)
			n = (size_t)snprintf(form, sizeof(form), "%c", src[i]);
		else
			n = (size_t)snprintf(form, sizeof(form), "\\x%02x", src[i]);
		if (o + n + 1 > size)
			break;
		memcpy(dst + o, form, n);
		o += n;
	}
	dst[o] = 0;
	*cut = i < len;
	return o;
}

/* Printable runs are copied several bytes at a time: each byte value at
 * the edges of the classes (controls, printable, backslash, DEL, high
 * bytes) at every place of a run, in every room from 1 byte to all of it,
 * gives what the byte-by-byte reference gives. */
TEST(test_sanitize_positions)
{
	static const uint8_t edge[] = {0x00, 0x01, 0x1f, 0x20, 0x21, 0x5b, 0x5c, 0x5d,
				       0x7d, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xdf, 0xff};
	uint8_t in[24];
	char got[100], want[100];

	for (size_t len = 0; len <= sizeof(in); len++)
		for (size_t at = 0; at < len || (at == 0 && len == 0); at++)
			for (size_t e = 0; e < sizeof(edge); e++)
				for (size_t size = 1; size <= sizeof(got); size++) {
					uint8_t v = edge[e];
					bool gcut, wcut;
					size_t gn, wn;

					for (size_t i = 0; i < len; i++)
						in[i] = (uint8_t)('a' + i);
					if (len)
						in[at] = v;
					memset(got, '#', sizeof(got));
					gn = peek_sanitize(got, size, in, len, &gcut);
					wn = sanitize_ref(want, size, in, len, &wcut);
					if (gn != wn || gcut != wcut || strcmp(got, want) ||
					    (size < sizeof(got) && got[size] != '#'))
						fail_msg(
							"len %zu, byte 0x%02x at %zu, size %zu: '%s' "
							"(%zu, cut %d), want '%s' (%zu, cut %d)",
							len, v, at, size, got, gn, gcut, want, wn,
							wcut);
				}
}

TEST(test_sanitize)
{
	static const struct {
		const char *in;
		size_t len, size;
		const char *out;
		bool cut;
	} cases[] = {
		{"plain text", 10, 64, "plain text", false},
		{"", 0, 64, "", false},
		{"a\\b", 3, 64, "a\\\\b", false},
		{"\"'`$<>{}~", 9, 64, "\"'`$<>{}~", false},
		{"\x00\x01\x1f\x7f\x80\xff", 6, 64, "\\x00\\x01\\x1f\\x7f\\x80\\xff", false},
		{"\r\n\t\x1b[0m", 7, 64, "\\x0d\\x0a\\x09\\x1b[0m", false},
		{"caf\xc3\xa9 \xe2\x28\xa1", 9, 64, "caf\\xc3\\xa9 \\xe2(\\xa1", false},
		/* bounds: never half an escape, always terminated */
		{"abc", 3, 4, "abc", false},
		{"abcd", 4, 4, "abc", true},
		{"a\\", 2, 3, "a", true},
		{"a\\", 2, 4, "a\\\\", false},
		{"\x01", 1, 4, "", true},
		{"\x01", 1, 5, "\\x01", false},
		{"ab\x01z", 4, 6, "ab", true},
		{"x", 1, 1, "", true},
	};
	char out[80]; /* room to see that nothing lands past a size of 64 */
	bool cut;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;

		memset(out, '#', sizeof(out));
		n = peek_sanitize(out, cases[i].size, (const uint8_t *)cases[i].in, cases[i].len,
				  &cut);
		if (strcmp(out, cases[i].out) || n != strlen(cases[i].out) || cut != cases[i].cut)
			fail_msg("case %zu: '%s' (%zu, cut %d), want '%s' (cut %d)", i, out, n, cut,
				 cases[i].out, cases[i].cut);
		assert_int_equal(out[cases[i].size], '#'); /* nothing past the size */
	}
	/* no room at all: nothing written */
	out[0] = '#';
	assert_int_equal(peek_sanitize(out, 0, (const uint8_t *)"a", 1, &cut), 0);
	assert_true(cut);
	assert_int_equal(out[0], '#');
	assert_int_equal(peek_sanitize(out, 8, (const uint8_t *)"a", 1, NULL), 1);

	/* every byte value, one at a time */
	for (unsigned v = 0; v < 256; v++) {
		uint8_t in = (uint8_t)v;
		char want[8];

		if (v == '\\')
			snprintf(want, sizeof(want), "\\\\");
		else if (v >= 0x20 && v < 0x7f)
			snprintf(want, sizeof(want), "%c", v);
		else
			snprintf(want, sizeof(want), "\\x%02x", v);
		peek_sanitize(out, sizeof(out), &in, 1, &cut);
		assert_string_equal(out, want);
		assert_false(cut);
	}
}

TEST(test_prom_label_escape)
{
	char out[32];

	assert_int_equal(peek_prom_label_escape(out, sizeof(out), "a\"b\\c\nd"), 10);
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	/* on top of the sanitizer: its escapes get their backslash doubled */
	assert_int_equal(peek_prom_label_escape(out, sizeof(out), "\\x01"), 5);
	assert_string_equal(out, "\\\\x01");
	/* bounded, never half an escape */
	memset(out, '#', sizeof(out));
	assert_int_equal(peek_prom_label_escape(out, 3, "a\"b"), 1);
	assert_string_equal(out, "a");
	assert_int_equal(out[3], '#');
	assert_int_equal(peek_prom_label_escape(out, 4, "a\"b"), 3);
	assert_string_equal(out, "a\\\"");
	assert_int_equal(peek_prom_label_escape(out, 1, "abc"), 0);
	assert_string_equal(out, "");
	out[0] = '#';
	assert_int_equal(peek_prom_label_escape(out, 0, "abc"), 0);
	assert_int_equal(out[0], '#');
}

TEST(test_names_and_candidate)
{
	struct peek_result r;

	assert_string_equal(peek_http_method_name(PEEK_HTTP_OTHER), "other");
	assert_string_equal(peek_http_method_name(PEEK_HTTP_PATCH), "PATCH");
	assert_string_equal(peek_http_method_name(PEEK_HTTP__MAX), "?");
	assert_string_equal(peek_kind_name(PEEK_NONE), "none");
	assert_string_equal(peek_kind_name(PEEK_HTTP), "http");
	assert_string_equal(peek_kind_name(PEEK_TLS), "tls");
	assert_string_equal(peek_kind_name(PEEK_KIND__MAX), "?");

	for (unsigned v = 0; v < 256; v++) {
		uint8_t b = (uint8_t)v;
		bool want = v == 0x16 || (v >= 'A' && v <= 'Z');

		assert_int_equal(peek_candidate(&b, 1), want);
		assert_false(peek_candidate(&b, 0));
	}
	/* a rejected payload writes the kind only */
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(peek_payload((const uint8_t *)"\x17", 1, &r), PEEK_NONE);
	assert_int_equal(r.kind, PEEK_NONE);
	assert_int_equal(r.truncated, 0xa5);
	/* so does a candidate that turns out to be neither (a banner, a
	 * ServerHello), and a result is cleared whole */
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(peek_payload((const uint8_t *)"GET", 3, &r), PEEK_NONE);
	assert_int_equal(r.kind, PEEK_NONE);
	assert_int_equal(r.truncated, 0xa5);
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(peek_payload((const uint8_t *)"\x16\x03\x03\x00\x04\x02", 6, &r),
			 PEEK_NONE);
	assert_int_equal(r.truncated, 0xa5);
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(peek_payload((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &r), PEEK_HTTP);
	assert_int_equal(r.tls_sni[0], 0);
	assert_int_equal(r.tls_alpn_count, 0);
	assert_int_equal(r.tls_alpn[PEEK_ALPN_MAX - 1][PEEK_ALPN_LEN - 1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_http_every_method, teardown),
		cmocka_unit_test_teardown(test_http_other_method, teardown),
		cmocka_unit_test_teardown(test_http_host, teardown),
		cmocka_unit_test_teardown(test_http_every_prefix, teardown),
		cmocka_unit_test_teardown(test_http_not, teardown),
		cmocka_unit_test_teardown(test_http_hostile, teardown),
		cmocka_unit_test_teardown(test_tls_client_hello, teardown),
		cmocka_unit_test_teardown(test_tls_every_prefix, teardown),
		cmocka_unit_test_teardown(test_tls_hostile, teardown),
		cmocka_unit_test_teardown(test_tls_malformed, teardown),
		cmocka_unit_test_teardown(test_tls_record_cut, teardown),
		cmocka_unit_test_teardown(test_tls_not, teardown),
		cmocka_unit_test_teardown(test_sanitize, teardown),
		cmocka_unit_test_teardown(test_sanitize_positions, teardown),
		cmocka_unit_test_teardown(test_prom_label_escape, teardown),
		cmocka_unit_test_teardown(test_names_and_candidate, teardown),
	};

	return cmocka_run_group_tests_name("peek", tests, NULL, NULL);
}
