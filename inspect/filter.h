/* SPDX-License-Identifier: MIT */
/*
 * Which frames a filter selects, in userspace: `xdpi read --filter F` and
 * `xdpi compare --pcap` use it to know what a live run with `--filter F`
 * should have seen, and `xdpi live` compiles its filter here for the XDP
 * program.
 *
 * A filter is held as one string, and is one of two kinds (what a user
 * writes with --filter goes through xdpi_filter_user_text() first, so that
 * `udp` there means libpcap's; the keywords come from --proto):
 *   - a keyword, `tcp`, `udp`, `ip` or `all`: xdpi's built-in steering
 *     decision. It reads the raw frame exactly as bpf/xdpi.bpf.c does (two
 *     VLAN tags, IPv4 or IPv6 with up to 8 extension headers, the L4
 *     protocol), not through pkt_parse(), whose classification is richer;
 *     tests/tool_filtercheck runs both on the same frames.
 *   - anything else: a pcap-filter expression (pcap-filter(7)), compiled by
 *     libpcap for Ethernet into classic BPF (optimiser on) and run with
 *     libpcap's interpreter; live, the XDP program runs the same program in
 *     its own interpreter. Its semantics are libpcap's, word for word: its
 *     `tcp` does not look past VLAN tags or IPv6 extension headers (other
 *     than one fragment header), unlike the keyword. `(tcp)` is the
 *     expression.
 * A string of blanks only is `all`.
 *
 * Errors: int functions return 0 or a negative errno with a one-line reason
 * in @err (libpcap's, for an expression it cannot compile).
 * Concurrency: a compiled filter is read-only; any thread may match with it.
 */
#ifndef XDPI_INSPECT_FILTER_H
#define XDPI_INSPECT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/xdpi_shared.h"

struct xdpi_filter {
	enum xdpi_filter_kind kind;
	uint32_t len;		      /* EXPR: instructions in insns */
	struct xdpi_cbpf_insn *insns; /* EXPR: libpcap's program, owned */
};

/* Compiles @text (see above) into @f. Returns 0, -EINVAL (the expression
 * does not compile: libpcap's message in @err) or -ENOMEM. */
int xdpi_filter_compile(struct xdpi_filter *f, const char *text, char *err, size_t err_len);
/* Frees what compile allocated. Accepts a zeroed or destroyed filter. */
void xdpi_filter_destroy(struct xdpi_filter *f);

/* Whether @f selects a frame of which @caplen bytes were captured, of
 * @wire_len on the wire (an expression's `len` is the wire length, as in
 * tcpdump; the built-ins read only what was captured). */
bool xdpi_filter_match(const struct xdpi_filter *f, const uint8_t *frame, uint32_t caplen,
		       uint32_t wire_len);

/* The built-in decision of kind @k (< XDPI_FILTER__BUILTIN). */
bool xdpi_filter_builtin_match(enum xdpi_filter_kind k, const uint8_t *frame, uint32_t len);
/* "tcp", "udp", "ip", "all", "expression". */
const char *xdpi_filter_kind_name(enum xdpi_filter_kind k);
/* Returns the built-in kind of keyword @name, or -EINVAL. */
int xdpi_filter_keyword(const char *name);
/* What a filter the user wrote (--filter, read's EXPRESSION) means: a
 * word that is also a pcap-filter expression (tcp, udp, ip, blanks around
 * allowed) is libpcap's, as tcpdump reads it, so it becomes the expression
 * "(tcp)"; anything else is returned as it is (an expression, `all`, a
 * blank text). The built-in classes are chosen by name with --proto
 * (xdpi_filter_kind_name()). Static strings or @text. */
const char *xdpi_filter_user_text(const char *text);

#endif /* XDPI_INSPECT_FILTER_H */
