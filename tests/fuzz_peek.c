// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the payload peeks (inspect/peek.c) called directly on
 * arbitrary bytes, the first client segment of a TCP flow as the flow
 * table hands it over, and the two escapers every peeked string goes
 * through before a terminal or a Prometheus label sees it.
 *
 * Invariants, checked on every input:
 * - peek_payload() keeps no state: a second call gives the same result,
 *   byte for byte; peek_candidate() false means PEEK_NONE;
 * - every string of the result is NUL-terminated inside its array and
 *   printable ASCII; counts, kinds and methods are in range; a PEEK_NONE
 *   result writes nothing but its kind (the caller's bytes stay);
 * - peek_sanitize() into a buffer sized by the input: printable ASCII
 *   only, its return value the string's length, and undoing the escapes
 *   gives back exactly a prefix of the input, the whole input unless it
 *   says it truncated, never an escape split in two;
 * - peek_prom_label_escape() of that string: undoing '\\', '\"' and '\n'
 *   gives it back (or a prefix of it when the buffer was too small), and
 *   no bare '"' or newline is left in the label.
 * libFuzzer hands over an exactly sized heap copy: ASan reports a read
 * past the segment. Run by tests/t_fuzz.sh and `make fuzz`, seeded from
 * tests/fuzz-corpus/peek and the payloads the build writes (tests/tests.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/peek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, size_t size)
{
	fprintf(stderr, "fuzz_peek: invariant broken: %s (input of %zu bytes)\n", what, size);
	abort();
}

/* NUL inside @len bytes, and printable ASCII before it. */
static int clean(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return i < len;
}

static void check_result(const struct peek_result *r, size_t size)
{
	if (r->kind >= PEEK_KIND__MAX)
		fail("kind out of range", size);
	if (r->kind == PEEK_NONE)
		return;
	if (r->http_method >= PEEK_HTTP__MAX || r->tls_alpn_count > PEEK_ALPN_MAX ||
	    r->tls_version_count > PEEK_TLS_VERSIONS_MAX)
		fail("a count or the method out of range", size);
	if (!clean(r->http_method_name, sizeof(r->http_method_name)) ||
	    !clean(r->http_path, sizeof(r->http_path)) ||
	    !clean(r->http_host, sizeof(r->http_host)) || !clean(r->tls_sni, sizeof(r->tls_sni)))
		fail("a string not terminated or not printable", size);
	for (int i = 0; i < PEEK_ALPN_MAX; i++)
		if (!clean(r->tls_alpn[i], sizeof(r->tls_alpn[i])) ||
		    (i >= r->tls_alpn_count && r->tls_alpn[i][0]))
			fail("an ALPN name not terminated, not printable or past the count", size);
	if (r->kind == PEEK_HTTP && (r->tls_sni[0] || r->tls_alpn_count || r->tls_version_count))
		fail("TLS fields set on an HTTP result", size);
	if (r->kind == PEEK_TLS && (r->http_method_name[0] || r->http_path[0] || r->http_host[0]))
		fail("HTTP fields set on a TLS result", size);
	if (r->kind == PEEK_HTTP && !r->http_method_name[0])
		fail("HTTP without a method", size);
}

/* Undoes peek_sanitize(): the bytes it stood for, into @out; -1 on an
 * escape it cannot have written (split, unknown, upper-case hex). */
static long unsanitize(const char *s, uint8_t *out)
{
	long n = 0;

	for (size_t i = 0; s[i]; i++) {
		unsigned v;

		if (s[i] != '\\') {
			out[n++] = (uint8_t)s[i];
			continue;
		}
		if (s[i + 1] == '\\') {
			out[n++] = '\\';
			i++;
			continue;
		}
		if (s[i + 1] != 'x' || !strchr("0123456789abcdef", s[i + 2]) || !s[i + 2] ||
		    !strchr("0123456789abcdef", s[i + 3]) || !s[i + 3] ||
		    sscanf(s + i + 2, "%2x", &v) != 1)
			return -1;
		/* a byte that needs no escape is never escaped */
		if (v >= 0x20 && v <= 0x7e && v != '\\')
			return -1;
		out[n++] = (uint8_t)v;
		i += 3;
	}
	return n;
}

static void check_sanitize(const uint8_t *data, size_t size)
{
	/* a buffer from 1 to 4 * size + 1 bytes, picked by the input */
	size_t cap = size ? 1 + data[0] % (4 * size + 1) : 1;
	char *dst = malloc(cap), *prom;
	uint8_t *back = malloc(size + 1);
	bool cut = false;
	size_t len;
	long n;

	if (!dst || !back)
		abort();
	len = peek_sanitize(dst, cap, data, size, &cut);
	if (len >= cap || strlen(dst) != len || !clean(dst, cap))
		fail("peek_sanitize: not printable, not terminated or a wrong length", size);
	n = unsanitize(dst, back);
	if (n < 0)
		fail("peek_sanitize: an escape split or not its own", size);
	if ((size_t)n > size || memcmp(back, data, (size_t)n))
		fail("peek_sanitize: not a prefix of the input", size);
	if (cut != ((size_t)n < size))
		fail("peek_sanitize: truncated flag wrong", size);
	/* the whole input fits in 4 bytes per byte, plus the NUL */
	if (cap == 4 * size + 1 && cut)
		fail("peek_sanitize: cut in a buffer of 4 bytes per byte", size);

	cap = 2 * len + 1;
	prom = malloc(cap);
	if (!prom)
		abort();
	n = (long)peek_prom_label_escape(prom, cap, dst);
	if ((size_t)n != strlen(prom) || strlen(prom) >= cap)
		fail("peek_prom_label_escape: wrong length", size);
	{
		size_t j = 0;

		for (size_t i = 0; prom[i]; i++, j++) {
			char c = prom[i];

			if (c == '"' || c == '\n')
				fail("peek_prom_label_escape: a bare quote or newline", size);
			if (c == '\\') {
				c = prom[++i];
				if (c == 'n')
					c = '\n';
				else if (c != '\\' && c != '"')
					fail("peek_prom_label_escape: an escape split", size);
			}
			if (dst[j] != c)
				fail("peek_prom_label_escape: does not undo to its input", size);
		}
		/* 2 bytes per byte always fit */
		if (j != len)
			fail("peek_prom_label_escape: cut with room for all of it", size);
	}
	free(prom);
	free(back);
	free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peek_result a, b;
	enum peek_kind k;

	if (size > UINT32_MAX)
		return 0;
	check_sanitize(data, size);
	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	k = peek_payload(data, (uint32_t)size, &a);
	if (k != (enum peek_kind)a.kind)
		fail("return value and kind differ", size);
	if (!peek_candidate(data, (uint32_t)size)) {
		if (k != PEEK_NONE)
			fail("not a candidate but a result", size);
		return 0;
	}
	peek_payload(data, (uint32_t)size, &b);
	/* PEEK_NONE writes the kind only: the rest keeps each fill. */
	if (k == PEEK_NONE ? b.kind != PEEK_NONE : memcmp(&a, &b, sizeof(a)))
		fail("a second peek differs", size);
	if (k == PEEK_NONE)
		for (size_t i = 1; i < sizeof(a); i++)
			if (((const uint8_t *)&a)[i] != 0x5a)
				fail("PEEK_NONE wrote more than its kind", size);
	check_result(&a, size);
	return 0;
}
