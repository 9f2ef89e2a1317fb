// SPDX-License-Identifier: MIT
/*
 * Payload peeks: HTTP/1.x request line and Host, TLS ClientHello.
 *
 * Design notes:
 * - Each parser walks a cursor over [start, end) and every length field is
 *   checked against the end of the structure enclosing it before the
 *   segment's end: an overrun of the enclosing structure is malformed
 *   whatever the segment, an overrun of the segment only is a cut. Checked
 *   in that order, a prefix of a segment parses to a part of what the whole
 *   segment gives (tests/test_peek.c and the fuzzer hold us to it).
 * - Lengths are compared as sizes remaining (end - cursor), never as
 *   cursor + length, so no pointer is formed past the buffer.
 * - A TLS extension is used only when it lies wholly inside the segment: a
 *   half SNI is worse than none, it looks like a real name.
 * - Strings are sanitized as they are copied, never stored raw, so nothing
 *   downstream can forget to.
 */
#include "peek.h"

#include <stdio.h>
#include <string.h>

#include "../util/bytes.h"

#define TLS_CONTENT_HANDSHAKE 22
#define TLS_HS_CLIENT_HELLO 1
#define TLS_RECORD_HLEN 5
#define TLS_HS_HLEN 4
#define TLS_MAX_RECORD 16384 /* TLSPlaintext.length, RFC 8446 5.1 */
#define TLS_RANDOM_LEN 32
#define TLS_MAX_SESSION_ID 32
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_ALPN 16
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_SNI_HOST_NAME 0

static const char *const method_names[PEEK_HTTP__MAX] = {
	[PEEK_HTTP_OTHER] = "other",	 [PEEK_HTTP_GET] = "GET",
	[PEEK_HTTP_HEAD] = "HEAD",	 [PEEK_HTTP_POST] = "POST",
	[PEEK_HTTP_PUT] = "PUT",	 [PEEK_HTTP_DELETE] = "DELETE",
	[PEEK_HTTP_CONNECT] = "CONNECT", [PEEK_HTTP_OPTIONS] = "OPTIONS",
	[PEEK_HTTP_TRACE] = "TRACE",	 [PEEK_HTTP_PATCH] = "PATCH",
};

const char *peek_http_method_name(enum peek_http_method m)
{
	return (unsigned)m < PEEK_HTTP__MAX ? method_names[m] : "?";
}

const char *peek_tls_version_name(uint16_t v, char *buf, size_t len)
{
	static const char *const names[] = {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};

	if (v >= 0x0300 && v <= 0x0304)
		snprintf(buf, len, "%s", names[v - 0x0300]);
	else
		snprintf(buf, len, "0x%04x", v);
	return buf;
}

const char *peek_kind_name(enum peek_kind k)
{
	static const char *const names[PEEK_KIND__MAX] = {"none", "http", "tls"};

	return (unsigned)k < PEEK_KIND__MAX ? names[k] : "?";
}

size_t peek_sanitize(char *dst, size_t dst_size, const uint8_t *src, size_t len, bool *truncated)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i, n;

	if (!dst_size) {
		if (truncated)
			*truncated = len > 0;
		return 0;
	}
	/* Names and paths are mostly printable: copied as they are, one
	 * index for both sides, until the first byte to escape or the room. */
	n = len < dst_size - 1 ? len : dst_size - 1;
	for (i = 0; i + 8 <= n; i += 8) {
		const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
		uint64_t x, bs;

		memcpy(&x, src + i, 8);
		bs = x ^ ('\\' * ones);
		/* Any byte below 0x20, above 0x7e, or a backslash: bytewise. */
		if ((((x - 0x20 * ones) & ~x) | ((x + (0x7f - 0x7e) * ones) | x) |
		     ((bs - ones) & ~bs)) &
		    high)
			break;
		memcpy(dst + i, &x, 8);
	}
	for (; i < n; i++) {
		uint8_t b = src[i];

		if ((uint8_t)(b - 0x20) >= 0x7f - 0x20 || b == '\\')
			break;
		dst[i] = (char)b;
	}
	for (o = i; i < len; i++) {
		uint8_t b = src[i];
		size_t room = dst_size - 1 - o;

		if (b == '\\') {
			if (room < 2)
				break;
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else if (b >= 0x20 && b < 0x7f) {
			if (room < 1)
				break;
			dst[o++] = (char)b;
		} else {
			if (room < 4)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[b >> 4];
			dst[o++] = hex[b & 0xf];
		}
	}
	dst[o] = '\0';
	if (truncated)
		*truncated = i < len;
	return o;
}

size_t peek_prom_label_escape(char *dst, size_t dst_size, const char *s)
{
	size_t o = 0;

	if (!dst_size)
		return 0;
	for (; *s; s++) {
		size_t room = dst_size - 1 - o;
		char esc = *s == '\\' ? '\\' : *s == '"' ? '"' : *s == '\n' ? 'n' : 0;

		if (esc) {
			if (room < 2)
				break;
			dst[o++] = '\\';
			dst[o++] = esc;
		} else {
			if (room < 1)
				break;
			dst[o++] = *s;
		}
	}
	dst[o] = '\0';
	return o;
}

/* Sanitizes into a result's array and sets @bit in *@trunc if it was cut. */
static void put_str(char *dst, size_t dst_size, const uint8_t *src, size_t len, uint8_t *trunc,
		    uint8_t bit)
{
	bool cut;

	peek_sanitize(dst, dst_size, src, len, &cut);
	if (cut)
		*trunc |= bit;
}

/* ------------------------------------------------------------------ */
/* HTTP/1.x                                                            */
/* ------------------------------------------------------------------ */

static bool is_method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

static enum peek_http_method http_method(const uint8_t *tok, size_t len)
{
	for (int m = PEEK_HTTP_GET; m < PEEK_HTTP__MAX; m++)
		if (strlen(method_names[m]) == len && !memcmp(tok, method_names[m], len))
			return (enum peek_http_method)m;
	return PEEK_HTTP_OTHER;
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

/* Whether the @n bytes at @p equal the lower-case @s in any case. */
static bool caseeq(const uint8_t *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != (uint8_t)s[i])
			return false;
	return true;
}

/* The CR of the first CRLF in [p, end), or NULL (a CR last is not one). */
static const uint8_t *find_crlf(const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		const uint8_t *cr = memchr(p, '\r', (size_t)(end - p));

		if (!cr || end - cr < 2)
			return NULL;
		if (cr[1] == '\n')
			return cr;
		p = cr + 1;
	}
	return NULL;
}

static bool is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* The first Host header among the lines from @p; stops at the blank line
 * that ends the headers. */
static void http_host(const uint8_t *p, const uint8_t *end, struct peek_result *out)
{
	while (p < end) {
		const uint8_t *eol = find_crlf(p, end);
		const uint8_t *lend = eol ? eol : end;

		if (eol == p)
			return; /* the blank line: no Host */
		if (lend - p >= 5 && caseeq(p, "host:", 5)) {
			const uint8_t *v = p + 5;

			while (v < lend && is_ows(*v))
				v++;
			/* A CR last may be the first half of the line end: the
			 * value so far must be a prefix of the whole value. */
			if (!eol && lend > v && lend[-1] == '\r')
				lend--;
			while (lend > v && is_ows(lend[-1]))
				lend--;
			put_str(out->http_host, sizeof(out->http_host), v, (size_t)(lend - v),
				&out->truncated, PEEK_TRUNC_HOST);
			if (!eol)
				out->truncated |= PEEK_TRUNC_HOST | PEEK_TRUNC_SEGMENT;
			return;
		}
		if (!eol)
			break;
		p = eol + 2;
	}
	out->truncated |= PEEK_TRUNC_SEGMENT;
}

static enum peek_kind peek_http(const uint8_t *p, const uint8_t *end, struct peek_result *out)
{
	/* What follows the target; 'x' stands for any digit. */
	static const char tail[] = " HTTP/1.x\r\n";
	const uint8_t *c = p, *target, *t_end;
	enum peek_http_method m;
	size_t n;

	while (c < end && c - p < PEEK_METHOD_LEN && is_method_char(*c))
		c++;
	if (c == end || *c != ' ' || c - p >= PEEK_METHOD_LEN)
		return PEEK_NONE;
	m = http_method(p, (size_t)(c - p));
	target = ++c;
	if (m == PEEK_HTTP_OTHER) {
		/* An unknown token is taken for a method only before a target
		 * of the usual forms. */
		if (c == end)
			return PEEK_NONE;
		if (*c != '/' && *c != '*' && (end - c < 4 || !caseeq(c, "http", 4)))
			return PEEK_NONE;
	}
	while (c < end && *c != ' ' && *c != '\r' && *c != '\n')
		c++;
	t_end = c;
	if (c < end && c == target)
		return PEEK_NONE; /* two spaces: no target */
	/* The rest of the line, as far as the segment goes: a line end in
	 * the target fails here too. */
	for (n = 0; c < end && n < sizeof(tail) - 1; n++, c++)
		if (tail[n] == 'x' ? !(*c >= '0' && *c <= '9') : *c != (uint8_t)tail[n])
			return PEEK_NONE;

	/* A request line: the result is cleared only now, so that what is
	 * not HTTP (a banner, a server's first bytes) costs no clear. */
	memset(out, 0, sizeof(*out));
	out->http_method = (uint8_t)m;
	put_str(out->http_method_name, sizeof(out->http_method_name), p, (size_t)(target - 1 - p),
		&out->truncated, 0);
	put_str(out->http_path, sizeof(out->http_path), target, (size_t)(t_end - target),
		&out->truncated, PEEK_TRUNC_PATH);
	if (t_end == end)
		out->truncated |= PEEK_TRUNC_PATH;
	if (n < sizeof(tail) - 1)
		out->truncated |= PEEK_TRUNC_SEGMENT;
	else
		http_host(c, end, out);
	return PEEK_HTTP;
}

/* ------------------------------------------------------------------ */
/* TLS ClientHello                                                     */
/* ------------------------------------------------------------------ */

/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa, offered only to be ignored. */
static bool is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* A list behind a 16-bit length at *@p: narrows [*@p, *@end) to it.
 * False if the length runs past *@end. */
static bool tls_list16(const uint8_t **p, const uint8_t **end)
{
	size_t list;

	if (*end - *p < 2)
		return false;
	list = xdpi_get_be16(*p);
	*p += 2;
	if (list > (size_t)(*end - *p))
		return false;
	*end = *p + list;
	return true;
}

/* server_name: the first entry of type host_name. */
static bool tls_sni(const uint8_t *p, const uint8_t *end, struct peek_result *out)
{
	if (!tls_list16(&p, &end))
		return false;
	while (end - p >= 3) {
		uint8_t type = p[0];
		size_t len = xdpi_get_be16(p + 1);

		p += 3;
		if (len > (size_t)(end - p))
			return false;
		if (type == TLS_SNI_HOST_NAME) {
			put_str(out->tls_sni, sizeof(out->tls_sni), p, len, &out->truncated,
				PEEK_TRUNC_SNI);
			return true;
		}
		p += len;
	}
	return p == end;
}

static bool tls_alpn(const uint8_t *p, const uint8_t *end, struct peek_result *out)
{
	if (!tls_list16(&p, &end))
		return false;
	while (p < end) {
		size_t len = *p++;

		if (!len || len > (size_t)(end - p))
			return false;
		if (out->tls_alpn_count == PEEK_ALPN_MAX) {
			out->truncated |= PEEK_TRUNC_ALPN;
		} else {
			put_str(out->tls_alpn[out->tls_alpn_count], PEEK_ALPN_LEN, p, len,
				&out->truncated, PEEK_TRUNC_ALPN);
			out->tls_alpn_count++;
		}
		p += len;
	}
	return true;
}

static bool tls_versions(const uint8_t *p, const uint8_t *end, struct peek_result *out)
{
	size_t len;

	if (end - p < 1)
		return false;
	len = *p++;
	if (len > (size_t)(end - p) || len % 2)
		return false;
	for (end = p + len; p < end; p += 2) {
		uint16_t v = xdpi_get_be16(p);

		if (is_grease(v))
			continue;
		if (out->tls_version_count == PEEK_TLS_VERSIONS_MAX)
			out->truncated |= PEEK_TRUNC_VERSIONS;
		else
			out->tls_versions[out->tls_version_count++] = v;
	}
	return true;
}

/*
 * The ClientHello body at @p, by offsets from it: @msg_len is the length the
 * handshake header gives (it may run past the bytes we have), @avail how
 * many of its bytes we have. Stops at the first overrun: of what encloses
 * the field (malformed) or of @avail (a cut, flagged by the caller).
 */
static void tls_client_hello(const uint8_t *p, size_t msg_len, size_t avail,
			     struct peek_result *out)
{
	bool sni = false, alpn = false, versions = false;
	size_t off = 0, len;

/* Skips @n bytes, or stops: malformed if they overrun what encloses them.
 * avail <= msg_len throughout, so bytes we have never overrun it: one
 * compare for the common case. */
#define SKIP(n)                                 \
	do {                                    \
		size_t n_ = (n);                \
		if (n_ > avail - off) {         \
			if (n_ > msg_len - off) \
				goto malformed; \
			goto done;              \
		}                               \
		off += n_;                      \
	} while (0)

	SKIP(2);
	out->tls_legacy_version = xdpi_get_be16(p + off - 2);
	SKIP(TLS_RANDOM_LEN + 1);
	len = p[off - 1];
	if (len > TLS_MAX_SESSION_ID)
		goto malformed;
	SKIP(len);
	SKIP(2);
	SKIP(xdpi_get_be16(p + off - 2)); /* cipher suites */
	SKIP(1);
	SKIP(p[off - 1]); /* compression methods */
	if (off == msg_len)
		goto done; /* no extensions at all, as before TLS 1.2 */
	SKIP(2);
	len = xdpi_get_be16(p + off - 2);
	if (len > msg_len - off)
		goto malformed;
	/* From here on the extensions block is what encloses. */
	msg_len = off + len;
	if (avail > msg_len)
		avail = msg_len;
	while (off < msg_len) {
		const uint8_t *data;
		uint16_t type;

		SKIP(4);
		type = xdpi_get_be16(p + off - 4);
		len = xdpi_get_be16(p + off - 2);
		SKIP(len);
		data = p + off - len;
		if (type == TLS_EXT_SERVER_NAME && !sni) {
			sni = true;
			if (!tls_sni(data, data + len, out))
				goto malformed;
		} else if (type == TLS_EXT_ALPN && !alpn) {
			alpn = true;
			if (!tls_alpn(data, data + len, out))
				goto malformed;
		} else if (type == TLS_EXT_SUPPORTED_VERSIONS && !versions) {
			versions = true;
			if (!tls_versions(data, data + len, out))
				goto malformed;
		}
	}
	goto done;
#undef SKIP
malformed:
	out->malformed = true;
done:
	if (!versions && off >= 2) {
		out->tls_versions[0] = out->tls_legacy_version;
		out->tls_version_count = 1;
	}
}

static enum peek_kind peek_tls(const uint8_t *p, const uint8_t *end, struct peek_result *out)
{
	size_t rec_len, hs_len, have;

	/* Record header and handshake type: the least that tells a
	 * ClientHello, so that every longer prefix agrees on the kind. */
	if (end - p < TLS_RECORD_HLEN + 1)
		return PEEK_NONE;
	rec_len = xdpi_get_be16(p + 3);
	if (p[1] != 3 || p[2] > 4 || !rec_len || rec_len > TLS_MAX_RECORD ||
	    p[TLS_RECORD_HLEN] != TLS_HS_CLIENT_HELLO)
		return PEEK_NONE;
	memset(out, 0, sizeof(*out)); /* a ClientHello: now the result */
	p += TLS_RECORD_HLEN;
	if (rec_len < TLS_HS_HLEN) {
		out->malformed = true;
		return PEEK_TLS;
	}
	/* What we have of the record: a ClientHello that continues in a
	 * second record is read as cut where the first ends. */
	have = (size_t)(end - p) < rec_len ? (size_t)(end - p) : rec_len;
	if (have < TLS_HS_HLEN) {
		out->truncated |= PEEK_TRUNC_SEGMENT;
		return PEEK_TLS;
	}
	hs_len = (size_t)p[1] << 16 | xdpi_get_be16(p + 2);
	have -= TLS_HS_HLEN;
	if (have < hs_len)
		out->truncated |= PEEK_TRUNC_SEGMENT;
	tls_client_hello(p + TLS_HS_HLEN, hs_len, have < hs_len ? have : hs_len, out);
	return PEEK_TLS;
}

enum peek_kind peek_payload(const uint8_t *payload, uint32_t len, struct peek_result *out)
{
	enum peek_kind k;

	if (!peek_candidate(payload, len)) {
		out->kind = PEEK_NONE;
		return PEEK_NONE;
	}
	if (payload[0] == TLS_CONTENT_HANDSHAKE)
		k = peek_tls(payload, payload + len, out);
	else
		k = peek_http(payload, payload + len, out);
	out->kind = (uint8_t)k;
	return k;
}

/* ---- Keeping a result in less room ------------------------------------ */

/* @src (a NUL-terminated string within @size bytes, or cut there) to @dst,
 * with its NUL: the bytes up to it only. */
static void copy_str(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

_Static_assert(PEEK_METHOD_LEN % 8 == 0 && PEEK_PATH_LEN % 8 == 0 && PEEK_HOST_LEN % 8 == 0 &&
		       PEEK_SNI_LEN % 8 == 0 && PEEK_ALPN_LEN % 8 == 0,
	       "strings are packed a word at a time");

/* copy_str() for a packed string, whose bytes after the NUL are undefined:
 * whole words up to the one holding the NUL (no length first, no calls). */
static void pack_str(char *dst, const char *src, size_t size)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;

	for (size_t i = 0; i < size; i += 8) {
		uint64_t w;

		memcpy(&w, src + i, 8);
		memcpy(dst + i, &w, 8);
		if ((w - ones) & ~w & high)
			break;
	}
	dst[size - 1] = 0; /* as copy_str() cuts a string without its NUL */
}

void peek_pack(const struct peek_result *in, struct peek_packed *out)
{
	out->kind = in->kind;
	out->truncated = in->truncated;
	out->malformed = in->malformed;
	out->http_method = in->http_method;
	out->tls_legacy_version = in->tls_legacy_version;
	out->tls_version_count = in->tls_version_count < PEEK_TLS_VERSIONS_MAX
					 ? in->tls_version_count
					 : PEEK_TLS_VERSIONS_MAX;
	out->tls_alpn_count =
		in->tls_alpn_count < PEEK_ALPN_MAX ? in->tls_alpn_count : PEEK_ALPN_MAX;
	if (in->kind == PEEK_HTTP) {
		pack_str(out->u.http.method_name, in->http_method_name, PEEK_METHOD_LEN);
		pack_str(out->u.http.path, in->http_path, PEEK_PATH_LEN);
		pack_str(out->u.http.host, in->http_host, PEEK_HOST_LEN);
	} else if (in->kind == PEEK_TLS) {
		memcpy(out->u.tls.versions, in->tls_versions,
		       out->tls_version_count * sizeof(in->tls_versions[0]));
		pack_str(out->u.tls.sni, in->tls_sni, PEEK_SNI_LEN);
		for (unsigned i = 0; i < out->tls_alpn_count; i++)
			pack_str(out->u.tls.alpn[i], in->tls_alpn[i], PEEK_ALPN_LEN);
	}
}

void peek_unpack(const struct peek_packed *in, struct peek_result *out)
{
	unsigned versions = in->tls_version_count < PEEK_TLS_VERSIONS_MAX ? in->tls_version_count
									  : PEEK_TLS_VERSIONS_MAX;
	unsigned alpn = in->tls_alpn_count < PEEK_ALPN_MAX ? in->tls_alpn_count : PEEK_ALPN_MAX;

	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	out->truncated = in->truncated;
	out->malformed = in->malformed;
	out->http_method = in->http_method;
	out->tls_legacy_version = in->tls_legacy_version;
	if (in->kind == PEEK_HTTP) {
		copy_str(out->http_method_name, in->u.http.method_name, PEEK_METHOD_LEN);
		copy_str(out->http_path, in->u.http.path, PEEK_PATH_LEN);
		copy_str(out->http_host, in->u.http.host, PEEK_HOST_LEN);
	} else if (in->kind == PEEK_TLS) {
		out->tls_version_count = (uint8_t)versions;
		out->tls_alpn_count = (uint8_t)alpn;
		memcpy(out->tls_versions, in->u.tls.versions,
		       versions * sizeof(out->tls_versions[0]));
		copy_str(out->tls_sni, in->u.tls.sni, PEEK_SNI_LEN);
		for (unsigned i = 0; i < alpn; i++)
			copy_str(out->tls_alpn[i], in->u.tls.alpn[i], PEEK_ALPN_LEN);
	}
}
