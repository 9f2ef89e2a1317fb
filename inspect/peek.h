/* SPDX-License-Identifier: MIT */
/*
 * Payload peeks: what the first TCP payload segment a client sends says
 * about the application, read from that one segment (no reassembly).
 *
 *   HTTP/1.x  the request line `METHOD SP target SP HTTP/1.x CRLF` and the
 *             first Host header among the header lines in the same segment.
 *   TLS       a ClientHello (record type 22, handshake type 1): the first
 *             host_name of server_name (SNI), the ALPN protocol list, the
 *             offered versions (supported_versions without GREASE values
 *             if the extension was seen, else the legacy_version).
 *
 * Strict on structure, lenient on content: a request line that is not
 * `METHOD SP target SP HTTP/1.x CRLF` is not HTTP (HTTP/0.9, HTTP/2's
 * preface, bare LF line ends are rejected), but the bytes of a target or a
 * header value are taken as they come. Where the segment ends first, what
 * was wholly inside it is reported and PEEK_TRUNC_SEGMENT says so: a
 * request line cut after its method still gives the method and the path so
 * far; a ClientHello cut anywhere gives the extensions that fit entirely. A
 * ClientHello is read within its first record only: one that continues in a
 * second record is treated as cut there.
 *
 * Every string comes from the packet and is untrusted. Each is sanitized
 * when extracted (peek_sanitize()) into printable ASCII and bounded by its
 * array, so it can go to a terminal as is; JSON and Prometheus labels add
 * their own escaping on top (jansson; peek_prom_label_escape()).
 *
 * Cost: peek_candidate() rejects on the first byte (neither 0x16 nor an
 * upper-case letter), and peek_payload() does that first. A candidate costs
 * one pass over at most the segment, and a clear of the result (~1 KiB)
 * once it is known to be a request line or a ClientHello.
 *
 * Concurrency: none needed; the functions keep no state and may run in any
 * thread at once on different results.
 * Errors: none. Input that is neither HTTP nor TLS is a result (PEEK_NONE).
 */
#ifndef XDPI_INSPECT_PEEK_H
#define XDPI_INSPECT_PEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Array sizes, terminating NUL included. A method token longer than
 * PEEK_METHOD_LEN - 1 is not taken for a method. */
#define PEEK_METHOD_LEN 24
#define PEEK_PATH_LEN 256
#define PEEK_HOST_LEN 256
#define PEEK_SNI_LEN 256
#define PEEK_ALPN_MAX 8
#define PEEK_ALPN_LEN 32
#define PEEK_TLS_VERSIONS_MAX 8

enum peek_kind {
	PEEK_NONE = 0,
	PEEK_HTTP,
	PEEK_TLS,
	PEEK_KIND__MAX,
};

/* PEEK_HTTP_OTHER: an upper-case token (A-Z, '-', '_') before a target
 * that starts with '/', '*' or "http" (any case); the token itself is in
 * http_method_name. */
enum peek_http_method {
	PEEK_HTTP_OTHER = 0,
	PEEK_HTTP_GET,
	PEEK_HTTP_HEAD,
	PEEK_HTTP_POST,
	PEEK_HTTP_PUT,
	PEEK_HTTP_DELETE,
	PEEK_HTTP_CONNECT,
	PEEK_HTTP_OPTIONS,
	PEEK_HTTP_TRACE,
	PEEK_HTTP_PATCH,
	PEEK_HTTP__MAX,
};

/* peek_result.truncated bits. */
enum {
	/* The segment (TLS: or the first record) ended before the request
	 * line, the header lines up to Host or the end of the headers, or the
	 * ClientHello did: what is reported was wholly inside. */
	PEEK_TRUNC_SEGMENT = 1 << 0,
	/* The string is a prefix of what was sent: cut by its array, or by
	 * the segment's end (path, host). */
	PEEK_TRUNC_PATH = 1 << 1,
	PEEK_TRUNC_HOST = 1 << 2,
	PEEK_TRUNC_SNI = 1 << 3,
	/* An ALPN name cut by its array, or more than PEEK_ALPN_MAX names. */
	PEEK_TRUNC_ALPN = 1 << 4,
	/* More than PEEK_TLS_VERSIONS_MAX versions offered. */
	PEEK_TRUNC_VERSIONS = 1 << 5,
};

/*
 * Strings are NUL-terminated, sanitized (see peek_sanitize()), empty when
 * absent. HTTP fields are set for PEEK_HTTP, TLS fields for PEEK_TLS, the
 * others are zero. On PEEK_NONE only kind is meaningful.
 */
struct peek_result {
	uint8_t kind;	   /* enum peek_kind */
	uint8_t truncated; /* PEEK_TRUNC_* bits */
	/* TLS: a length field ran past the one enclosing it; parsing stopped
	 * there, what came before stands. */
	bool malformed;

	uint8_t http_method;			/* enum peek_http_method */
	char http_method_name[PEEK_METHOD_LEN]; /* as sent, for OTHER too */
	char http_path[PEEK_PATH_LEN];		/* the request target */
	char http_host[PEEK_HOST_LEN];		/* trimmed of spaces and tabs */

	uint16_t tls_legacy_version; /* 0 if the segment ended before it */
	uint8_t tls_version_count;
	uint8_t tls_alpn_count;
	uint16_t tls_versions[PEEK_TLS_VERSIONS_MAX]; /* in the client's order */
	char tls_sni[PEEK_SNI_LEN];
	char tls_alpn[PEEK_ALPN_MAX][PEEK_ALPN_LEN];
};

/*
 * A peek_result in half the room, as a flow record keeps it beside itself
 * (inspect/flows.c): the HTTP and the TLS fields never both matter (kind
 * says which), so they share their place. 544 bytes where peek_result takes
 * 1072. Written by peek_pack(), read back with peek_unpack(); a reader may
 * also use the fields of the kind stored directly, as peek_unpack() does:
 * strings NUL-terminated within their arrays, counts within theirs. What
 * peek_pack() did not write (the other kind's place, the bytes after a
 * string's NUL) is undefined: it is not cleared, so a slot used before
 * costs no more than one used for the first time.
 */
struct peek_packed {
	uint8_t kind;
	uint8_t truncated;
	bool malformed;
	uint8_t http_method;
	uint16_t tls_legacy_version;
	uint8_t tls_version_count;
	uint8_t tls_alpn_count;
	union {
		struct {
			char method_name[PEEK_METHOD_LEN];
			char path[PEEK_PATH_LEN];
			char host[PEEK_HOST_LEN];
		} http;
		struct {
			uint16_t versions[PEEK_TLS_VERSIONS_MAX];
			char sni[PEEK_SNI_LEN];
			char alpn[PEEK_ALPN_MAX][PEEK_ALPN_LEN];
		} tls;
	} u;
};

/* @in into @out: the fields of in->kind, each string up to its NUL. */
void peek_pack(const struct peek_result *in, struct peek_packed *out);
/* The result peek_pack() was given, back in full in @out (every other
 * byte zero, as peek_payload() leaves them). */
void peek_unpack(const struct peek_packed *in, struct peek_result *out);

/* False when @payload cannot be HTTP or a TLS record, from its first byte:
 * the caller can skip keeping a result at all. */
static inline bool peek_candidate(const uint8_t *payload, uint32_t len)
{
	return len && (payload[0] == 0x16 || (uint8_t)(payload[0] - 'A') < 26);
}

/*
 * Looks at the first client payload segment, @len bytes at @payload, and
 * returns what it found (also in out->kind). Never reads past @len. Fills
 * *out entirely when it found HTTP or TLS; for PEEK_NONE it writes out->kind
 * only (the rest of *out is left as it was).
 */
enum peek_kind peek_payload(const uint8_t *payload, uint32_t len, struct peek_result *out);

/*
 * Writes @len bytes at @src to @dst as printable ASCII: 0x20..0x7e as they
 * are except '\' which becomes "\\", every other byte (controls, DEL, 0x80
 * and above, so invalid UTF-8 too) "\xNN" in lower-case hex. Stops before the
 * first byte whose whole form does not fit with the NUL, so an escape is
 * never split. Always NUL-terminates when @dst_size > 0. Returns the length
 * written (NUL excluded); sets *@truncated (if not NULL) to whether bytes
 * were left out.
 */
size_t peek_sanitize(char *dst, size_t dst_size, const uint8_t *src, size_t len, bool *truncated);

/*
 * Escapes the string @s for a Prometheus label value (text exposition
 * format): '\' -> "\\", '"' -> "\"", newline -> "\n". Bounded like
 * peek_sanitize(): stops before a character whose form does not fit, always
 * NUL-terminates when @dst_size > 0, returns the length written.
 */
size_t peek_prom_label_escape(char *dst, size_t dst_size, const char *s);

/* Stable names: "GET" ... "PATCH", "other" for PEEK_HTTP_OTHER; "none",
 * "http", "tls" for the kinds. "?" out of range. */
const char *peek_http_method_name(enum peek_http_method m);
/* A TLS version number's name, as RFC 8446 and its predecessors call it
 * ("TLSv1.3" for 0x0304, "SSLv3" for 0x0300), or its hexadecimal value
 * ("0x7f1c") for one that has none; into @buf (at least 8 bytes), which
 * it returns. */
const char *peek_tls_version_name(uint16_t v, char *buf, size_t len);
const char *peek_kind_name(enum peek_kind k);

#endif /* XDPI_INSPECT_PEEK_H */
