// SPDX-License-Identifier: MIT
#include "filter.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define ETH_HLEN 14
/* What libpcap's programs return to accept (tcpdump's default snap length):
 * any non-zero value accepts, here and in the XDP program. */
#define FILTER_SNAPLEN 262144

/* The instructions are handed to libpcap as its own type. */
_Static_assert(sizeof(struct xdpi_cbpf_insn) == sizeof(struct bpf_insn), "insn size");
_Static_assert(offsetof(struct xdpi_cbpf_insn, code) == offsetof(struct bpf_insn, code), "code");
_Static_assert(offsetof(struct xdpi_cbpf_insn, jt) == offsetof(struct bpf_insn, jt), "jt");
_Static_assert(offsetof(struct xdpi_cbpf_insn, jf) == offsetof(struct bpf_insn, jf), "jf");
_Static_assert(offsetof(struct xdpi_cbpf_insn, k) == offsetof(struct bpf_insn, k), "k");

static int l4_proto(const uint8_t *d, uint32_t len, uint16_t type, uint32_t off)
{
	const uint8_t *ip = d + off;
	uint32_t cur;
	uint8_t next, hdr;

	if (type == 0x0800) {
		if (len < off + 20 || ip[0] >> 4 != 4)
			return -1;
		return ip[9];
	}
	if (len < off + 40 || ip[0] >> 4 != 6)
		return -1;
	next = ip[6];
	cur = off + 40;
	for (int i = 0; i < XDPI_FILTER_IPV6_EXT_MAX; i++) {
		if (next != 0 && next != 43 && next != 44 && next != 60)
			return next;
		if (len < cur + 8)
			return -1;
		hdr = next;
		next = d[cur];
		/* Past a fragment header with a non-zero offset comes fragment
		 * payload, not headers (bpf/xdpi.bpf.c does the same). */
		if (hdr == 44 && ((d[cur + 2] << 8 | d[cur + 3]) >> 3))
			return next;
		/* The fragment header has no length field: always 8 bytes. */
		cur += hdr == 44 ? 8 : ((uint32_t)d[cur + 1] + 1) * 8;
	}
	return -1;
}

bool xdpi_filter_builtin_match(enum xdpi_filter_kind f, const uint8_t *d, uint32_t len)
{
	uint32_t off = ETH_HLEN;
	uint16_t type;
	int proto;

	if (f == XDPI_FILTER_ALL)
		return true;
	if (len < ETH_HLEN)
		return false;
	type = (uint16_t)(d[12] << 8 | d[13]);
	for (int i = 0; i < 2; i++) {
		if (type != 0x8100 && type != 0x88a8)
			break;
		if (len < off + 4)
			return false;
		type = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
		off += 4;
	}
	if (type != 0x0800 && type != 0x86dd)
		return false;
	if (f == XDPI_FILTER_IP)
		return true;
	proto = l4_proto(d, len, type, off);
	return proto == (f == XDPI_FILTER_TCP ? 6 : 17);
}

bool xdpi_filter_match(const struct xdpi_filter *f, const uint8_t *frame, uint32_t caplen,
		       uint32_t wire_len)
{
	if (f->kind == XDPI_FILTER_EXPR) {
		const struct bpf_program prog = {
			.bf_len = f->len,
			.bf_insns = (struct bpf_insn *)f->insns,
		};
		const struct pcap_pkthdr h = {.caplen = caplen, .len = wire_len};

		return pcap_offline_filter(&prog, &h, frame) != 0;
	}
	return xdpi_filter_builtin_match(f->kind, frame, caplen);
}

const char *xdpi_filter_kind_name(enum xdpi_filter_kind k)
{
	static const char *const names[XDPI_FILTER__MAX] = {"tcp", "udp", "ip", "all",
							    "expression"};

	return (unsigned)k < XDPI_FILTER__MAX ? names[k] : "invalid";
}

int xdpi_filter_keyword(const char *name)
{
	for (int k = 0; k < XDPI_FILTER__BUILTIN; k++)
		if (!strcmp(name, xdpi_filter_kind_name(k)))
			return k;
	return -EINVAL;
}

/* The keyword @text is, blanks around it allowed; -EINVAL if none. An
 * empty text is `all`. */
static int keyword_of(const char *text)
{
	const char *end;
	char word[8];

	while (isspace((unsigned char)*text))
		text++;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		end--;
	if (end == text)
		return XDPI_FILTER_ALL;
	if ((size_t)(end - text) >= sizeof(word))
		return -EINVAL;
	memcpy(word, text, (size_t)(end - text));
	word[end - text] = 0;
	return xdpi_filter_keyword(word);
}

const char *xdpi_filter_user_text(const char *text)
{
	static const char *const exprs[XDPI_FILTER__BUILTIN] = {[XDPI_FILTER_TCP] = "(tcp)",
								[XDPI_FILTER_UDP] = "(udp)",
								[XDPI_FILTER_IP] = "(ip)"};
	int kw = keyword_of(text);

	return kw >= 0 && exprs[kw] ? exprs[kw] : text;
}

int xdpi_filter_compile(struct xdpi_filter *f, const char *text, char *err, size_t err_len)
{
	struct bpf_program prog;
	pcap_t *pc;
	int kw;

	*f = (struct xdpi_filter){.kind = XDPI_FILTER_ALL};
	kw = keyword_of(text);
	if (kw >= 0) {
		f->kind = (enum xdpi_filter_kind)kw;
		return 0;
	}
	/* A dead handle: libpcap compiles for the link type alone, without
	 * the Linux socket extensions (VLAN tags in metadata) a live one
	 * would use, which is what both interpreters run. */
	pc = pcap_open_dead(DLT_EN10MB, FILTER_SNAPLEN);
	if (!pc) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	if (pcap_compile(pc, &prog, text, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, err_len, "%s", pcap_geterr(pc));
		pcap_close(pc);
		return -EINVAL;
	}
	pcap_close(pc);
	f->insns = calloc(prog.bf_len ? prog.bf_len : 1, sizeof(*f->insns));
	if (!f->insns) {
		pcap_freecode(&prog);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	for (u_int i = 0; i < prog.bf_len; i++) {
		f->insns[i].code = prog.bf_insns[i].code;
		f->insns[i].jt = prog.bf_insns[i].jt;
		f->insns[i].jf = prog.bf_insns[i].jf;
		f->insns[i].k = prog.bf_insns[i].k;
	}
	f->len = prog.bf_len;
	f->kind = XDPI_FILTER_EXPR;
	pcap_freecode(&prog);
	return 0;
}

void xdpi_filter_destroy(struct xdpi_filter *f)
{
	if (!f)
		return;
	free(f->insns);
	*f = (struct xdpi_filter){.kind = XDPI_FILTER_ALL};
}
