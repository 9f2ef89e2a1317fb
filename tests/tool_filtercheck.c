// SPDX-License-Identifier: MIT
/*
 * Holds the XDP program's steering decision against userspace on every
 * frame of the given pcaps. The program runs in the kernel through
 * BPF_PROG_TEST_RUN in count-and-drop mode, so XDP_DROP_ACTION means
 * "wanted". Prints TAP lines:
 *   - per built-in filter (tcp, udp, ip, all): against the userspace mirror
 *     (inspect/filter.c);
 *   - per -e EXPR: the program's classic BPF interpreter running libpcap's
 *     program for EXPR, against libpcap's own interpreter
 *     (pcap_offline_filter() on a program this tool compiles itself), and
 *     xdpi_filter_match() (what `xdpi read` runs) against both;
 *   - with --raw: hand-written classic BPF programs for what libpcap's
 *     compiler seldom emits (ALU by X, division by a zero X, shifts by 32
 *     or more, indirect loads that wrap, loads at the last byte, scratch
 *     memory, LEN, jumps where > and >= part), each ending in RET A: run once as is and once per
 * bit of A (RET A replaced by a test of that bit), so that the kernel must compute every bit of A
 * as libpcap does, on every frame. A frame the kernel cannot test-run (under 14 bytes) is counted
 * apart.
 * --egress runs the same checks on the tc egress program (passive mode's
 * copies of frames sent: the same classification, instantiated for a
 * socket buffer), which says "wanted" by counting a copy it could not make.
 * --time N also runs every frame N times more and prints, as a comment,
 * the program's mean time per frame for each filter (the kernel's own
 * measure: docs/live.md quotes it).
 *
 * --raw-name S runs only the hand-written programs whose name has S (a
 * mutant of one instruction needs only the program that uses it).
 * --head runs the steering program as `xdpi live` does where the struct
 * xdpi_rx_meta goes in the frame's head (time stamps on, filter all): with
 * no socket to take them, every frame must pass to the kernel as it came,
 * byte for byte and no longer.
 *
 *   tool_filtercheck [-e EXPR]... [--raw] [--raw-name S] [--no-builtin] [--egress]
 *                    [--time N] [--head] FILE.pcap...
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "bpf/steer.h"
#include "inspect/filter.h"

/* linux/bpf.h and pcap.h both define struct bpf_insn; only this is needed. */
#define XDP_DROP_ACTION 1
#define XDP_PASS_ACTION 2

struct frames {
	struct pcap_pkthdr *h;
	u_char **data;
	size_t n, cap;
};

static int frames_load(struct frames *fr, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, errbuf);

	if (!p) {
		printf("# %s\n", errbuf);
		return -1;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		if (fr->n == fr->cap) {
			fr->cap = fr->cap ? fr->cap * 2 : 1024;
			fr->h = realloc(fr->h, fr->cap * sizeof(*fr->h));
			fr->data = realloc(fr->data, fr->cap * sizeof(*fr->data));
			if (!fr->h || !fr->data)
				abort();
		}
		fr->h[fr->n] = *h;
		/* Live, a frame is whole: the length is what was captured. */
		fr->h[fr->n].len = h->caplen;
		fr->data[fr->n] = malloc(h->caplen ? h->caplen : 1);
		if (!fr->data[fr->n])
			abort();
		memcpy(fr->data[fr->n], data, h->caplen);
		fr->n++;
	}
	pcap_close(p);
	return 0;
}

static int test_num;
static int failed;
static uint32_t time_repeat;

static bool egress;	     /* --egress */
static const char *raw_name; /* --raw-name: only the raw programs named so */

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - %s", ok ? "ok" : "not ok", ++test_num, egress ? "egress program: " : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed += !ok;
}

/* The kernel's verdicts for @so on every frame: 1 wanted, 0 not, -1 not
 * testable. Returns NULL (said) when the program does not load. */
static signed char *kernel_verdicts(const struct steer_opts *in, const struct frames *fr,
				    const char *name)
{
	struct steer_opts so = *in;
	char err[512];
	struct steer *s;
	signed char *v;

	if (egress) {
		so.drop_wanted = false;
		so.passive = true;
		so.copy_out = true;
		so.snaplen = 512;
		so.ring_size = 4096;
	}
	s = steer_attach(&so, err, sizeof(err));

	if (!s) {
		tap(false, "%s: the XDP program loads: %s", name, err);
		return NULL;
	}
	v = calloc(fr->n ? fr->n : 1, 1);
	if (!v)
		abort();
	for (size_t i = 0; i < fr->n; i++) {
		int act;

		if (egress) {
			act = steer_egress_test_run(s, fr->data[i], fr->h[i].caplen);
			v[i] = act < 0 ? -1 : act;
			continue;
		}
		act = steer_test_run(s, fr->data[i], fr->h[i].caplen);
		v[i] = act < 0 ? -1 : act == XDP_DROP_ACTION;
	}
	if (time_repeat) {
		double sum = 0;
		size_t n = 0;
		uint32_t ns;

		for (size_t i = 0; i < fr->n; i++)
			if (v[i] >= 0 && steer_test_time(s, fr->data[i], fr->h[i].caplen,
							 time_repeat, &ns) >= 0) {
				sum += ns;
				n++;
			}
		printf("# %s: %.1f ns per frame in the XDP program (%zu frames, %u runs each)\n",
		       name, n ? sum / (double)n : 0, n, time_repeat);
	}
	steer_destroy(s);
	return v;
}

static void check_builtins(const struct frames *fr)
{
	for (int f = 0; f < XDPI_FILTER__BUILTIN; f++) {
		struct steer_opts so = {.filter = f, .drop_wanted = true};
		const char *name = xdpi_filter_kind_name(f);
		unsigned long wanted = 0, mismatches = 0, untested = 0;
		signed char *k = kernel_verdicts(&so, fr, name);

		if (!k)
			continue;
		for (size_t i = 0; i < fr->n; i++) {
			bool user = xdpi_filter_builtin_match(f, fr->data[i], fr->h[i].caplen);

			wanted += user;
			if (k[i] < 0) {
				untested++;
				continue;
			}
			if (k[i] != user && mismatches++ < 5)
				printf("# filter %s frame %zu (%u bytes): kernel %s, userspace %s\n",
				       name, i + 1, fr->h[i].caplen, k[i] ? "steers" : "passes",
				       user ? "steers" : "passes");
		}
		free(k);
		tap(!mismatches,
		    "filter %s: kernel and userspace agree on %zu frames (%lu steered, %lu "
		    "not testable)",
		    name, fr->n - untested - mismatches, wanted, untested);
	}
}

static void check_head(const struct frames *fr)
{
	struct steer_opts so = {
		.filter = XDPI_FILTER_ALL, .stamp_frames = true, .meta_in_head = true};
	static uint8_t out[65536 + 256];
	unsigned long passed = 0, differ = 0, untested = 0;
	char err[512];
	struct steer *s = steer_attach(&so, err, sizeof(err));

	if (!s) {
		tap(false, "--head: the XDP program loads: %s", err);
		return;
	}
	for (size_t i = 0; i < fr->n; i++) {
		uint32_t len = sizeof(out);
		int act = steer_test_run_out(s, fr->data[i], fr->h[i].caplen, out, &len);

		if (act < 0) {
			untested++;
			continue;
		}
		if (act == XDP_PASS_ACTION && len == fr->h[i].caplen &&
		    !memcmp(out, fr->data[i], len)) {
			passed++;
		} else if (differ++ < 5) {
			printf("# --head: frame %zu (%u bytes): action %d, %u bytes back%s\n",
			       i + 1, fr->h[i].caplen, act, len,
			       len == fr->h[i].caplen ? ", not the same" : "");
		}
	}
	steer_destroy(s);
	tap(!differ && passed,
	    "--head: with no socket to take them, %lu frames passed to the kernel as they came "
	    "(%lu not testable)",
	    passed, untested);
}

/* Kernel against libpcap for program @insns; also @x (when set) against
 * libpcap. Returns the number of frames that differ. */
static unsigned long compare(const char *name, const struct xdpi_cbpf_insn *insns, uint32_t len,
			     const struct xdpi_filter *x, const struct frames *fr,
			     unsigned long *selected, unsigned long *untested)
{
	struct steer_opts so = {
		.filter = XDPI_FILTER_EXPR, .insns = insns, .insn_count = len, .drop_wanted = true};
	struct bpf_program prog = {.bf_len = len, .bf_insns = (struct bpf_insn *)insns};
	unsigned long mismatches = 0;
	signed char *k = kernel_verdicts(&so, fr, name);

	if (!k)
		return 1;
	*selected = *untested = 0;
	for (size_t i = 0; i < fr->n; i++) {
		bool ref = pcap_offline_filter(&prog, &fr->h[i], fr->data[i]) != 0;
		bool xm =
			x ? xdpi_filter_match(x, fr->data[i], fr->h[i].caplen, fr->h[i].len) : ref;

		*selected += ref;
		if (xm != ref && mismatches++ < 5)
			printf("# %s frame %zu: xdpi_filter_match %d, libpcap %d\n", name, i + 1,
			       xm, ref);
		if (k[i] < 0) {
			++*untested;
			continue;
		}
		if (k[i] != ref && mismatches++ < 5)
			printf("# %s frame %zu (%u bytes): kernel %s, libpcap %s\n", name, i + 1,
			       fr->h[i].caplen, k[i] ? "accepts" : "rejects",
			       ref ? "accepts" : "rejects");
	}
	free(k);
	return mismatches;
}

static void check_expression(const char *expr, const struct frames *fr)
{
	char errbuf[PCAP_ERRBUF_SIZE], err[512];
	struct bpf_program own;
	struct xdpi_filter x;
	unsigned long sel, untested, bad;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);

	/* libpcap's program, compiled here apart from xdpi's plumbing. */
	if (!dead || pcap_compile(dead, &own, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(errbuf, sizeof(errbuf), "%s", dead ? pcap_geterr(dead) : "no handle");
		tap(false, "expression '%s' compiles: %s", expr, errbuf);
		if (dead)
			pcap_close(dead);
		return;
	}
	pcap_close(dead);
	if (xdpi_filter_compile(&x, expr, err, sizeof(err)) || x.kind != XDPI_FILTER_EXPR ||
	    x.len != own.bf_len || memcmp(x.insns, own.bf_insns, own.bf_len * sizeof(*x.insns))) {
		tap(false, "expression '%s': xdpi_filter_compile gives libpcap's program %s", expr,
		    err);
		pcap_freecode(&own);
		xdpi_filter_destroy(&x);
		return;
	}
	bad = compare(expr, (const struct xdpi_cbpf_insn *)own.bf_insns, own.bf_len, &x, fr, &sel,
		      &untested);
	tap(!bad,
	    "expression '%s' (%u instructions): kernel interpreter, libpcap and "
	    "xdpi_filter_match agree on %zu frames (%lu selected, %lu not testable)",
	    expr, own.bf_len, fr->n - untested, sel, untested);
	pcap_freecode(&own);
	xdpi_filter_destroy(&x);
}

/* Hand-written programs: each computes A from the frame and ends with RET A. */
#define S(c, k)                \
	{                      \
		(c), 0, 0, (k) \
	}
#define J(c, k, t, f)              \
	{                          \
		(c), (t), (f), (k) \
	}
#define LDW_ABS (BPF_LD | BPF_W | BPF_ABS)
#define LDH_ABS (BPF_LD | BPF_H | BPF_ABS)
#define LDB_ABS (BPF_LD | BPF_B | BPF_ABS)
#define LDW_IND (BPF_LD | BPF_W | BPF_IND)
#define LDH_IND (BPF_LD | BPF_H | BPF_IND)
#define LDB_IND (BPF_LD | BPF_B | BPF_IND)
#define ALU_K(op) (BPF_ALU | (op) | BPF_K)
#define ALU_X(op) (BPF_ALU | (op) | BPF_X)
#define RET_A S(BPF_RET | BPF_A, 0)
#define TAX S(BPF_MISC | BPF_TAX, 0)
#define TXA S(BPF_MISC | BPF_TXA, 0)

struct raw_prog {
	const char *name;
	struct xdpi_cbpf_insn insns[24];
	uint32_t len;
};

#define RAW(n, ...)                                                     \
	{                                                               \
		.name = (n), .insns = {__VA_ARGS__},                    \
		.len = sizeof((struct xdpi_cbpf_insn[]){__VA_ARGS__}) / \
		       sizeof(struct xdpi_cbpf_insn),                   \
	}

static const struct raw_prog raw_progs[] = {
	RAW("msh and indirect word", S(BPF_LDX | BPF_MSH | BPF_B, 14), S(LDW_IND, 14), RET_A),
	RAW("indirect half and byte, X from the frame", S(LDB_ABS, 23), TAX, S(LDH_IND, 0),
	    S(ALU_K(BPF_AND), 0xff), TAX, S(LDB_IND, 2), RET_A),
	RAW("ALU by constants", S(LDW_ABS, 26), S(ALU_K(BPF_ADD), 0x12345678), S(ALU_K(BPF_MUL), 7),
	    S(ALU_K(BPF_SUB), 3), S(ALU_K(BPF_XOR), 0xdeadbeef), S(ALU_K(BPF_OR), 0x11),
	    S(ALU_K(BPF_AND), 0xfff0fff), S(ALU_K(BPF_RSH), 3), S(ALU_K(BPF_LSH), 5),
	    S(ALU_K(BPF_DIV), 3), S(ALU_K(BPF_MOD), 100003), S(BPF_ALU | BPF_NEG, 0), RET_A),
	RAW("ALU by X", S(LDB_ABS, 23), S(ALU_K(BPF_OR), 1), TAX, S(LDW_ABS, 26),
	    S(ALU_X(BPF_ADD), 0), S(ALU_X(BPF_MUL), 0), S(ALU_X(BPF_SUB), 0), S(ALU_X(BPF_XOR), 0),
	    S(ALU_X(BPF_DIV), 0), S(ALU_X(BPF_OR), 0), S(ALU_X(BPF_MOD), 0), S(ALU_X(BPF_AND), 0),
	    RET_A),
	RAW("division by an X that may be 0", S(LDB_ABS, 15), TAX, S(LDW_ABS, 30),
	    S(ALU_X(BPF_DIV), 0), S(ALU_K(BPF_ADD), 1), RET_A),
	RAW("modulo by an X that may be 0", S(LDB_ABS, 21), TAX, S(LDW_ABS, 30),
	    S(ALU_X(BPF_MOD), 0), S(ALU_K(BPF_ADD), 1), RET_A),
	RAW("shift left by X of 0 to 63", S(LDB_ABS, 19), S(ALU_K(BPF_AND), 63), TAX,
	    S(LDW_ABS, 26), S(ALU_X(BPF_LSH), 0), RET_A),
	RAW("shift right by X of 0 to 63", S(LDB_ABS, 19), S(ALU_K(BPF_AND), 63), TAX,
	    S(LDW_ABS, 26), S(ALU_X(BPF_RSH), 0), RET_A),
	RAW("frame length", S(BPF_LD | BPF_W | BPF_LEN, 0), RET_A),
	RAW("X is the length: the last word", S(BPF_LDX | BPF_W | BPF_LEN, 0), TXA,
	    S(ALU_K(BPF_SUB), 4), TAX, S(LDW_IND, 0), RET_A),
	RAW("a word one byte past the end", S(BPF_LDX | BPF_W | BPF_LEN, 0), TXA,
	    S(ALU_K(BPF_SUB), 3), TAX, S(LDW_IND, 0), S(ALU_K(BPF_OR), 1), RET_A),
	RAW("the last byte", S(BPF_LD | BPF_W | BPF_LEN, 0), S(ALU_K(BPF_SUB), 1), TAX,
	    S(LDB_IND, 0), S(ALU_K(BPF_ADD), 1), RET_A),
	RAW("an indirect load whose offset wraps", S(BPF_LDX | BPF_IMM, 0x20),
	    S(LDW_IND, 0xfffffff0), S(ALU_K(BPF_OR), 1), RET_A),
	RAW("a load far past the frame", S(LDB_ABS, 60000), S(ALU_K(BPF_OR), 1), RET_A),
	RAW("scratch memory", S(LDW_ABS, 26), S(BPF_ST, 3), S(BPF_LDX | BPF_IMM, 5), S(BPF_STX, 15),
	    S(LDW_ABS, 30), S(BPF_LDX | BPF_MEM, 3), S(ALU_X(BPF_ADD), 0), S(BPF_LDX | BPF_MEM, 15),
	    S(ALU_X(BPF_MUL), 0), S(BPF_ST, 7), S(BPF_LD | BPF_MEM, 15), S(BPF_LDX | BPF_MEM, 7),
	    S(ALU_X(BPF_XOR), 0), RET_A),
	/* A and X from the low bits of the IPv4 addresses: equal a quarter of
	 * the time, where > and >= part. */
	RAW("JGE by X at equality", S(LDB_ABS, 29), S(ALU_K(BPF_AND), 3), TAX, S(LDB_ABS, 33),
	    S(ALU_K(BPF_AND), 3), J(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 2), S(BPF_LD | BPF_IMM, 0x11),
	    S(BPF_JMP | BPF_JA, 1), S(BPF_LD | BPF_IMM, 0x22), RET_A),
	RAW("JGT by X at equality", S(LDB_ABS, 29), S(ALU_K(BPF_AND), 3), TAX, S(LDB_ABS, 33),
	    S(ALU_K(BPF_AND), 3), J(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 2), S(BPF_LD | BPF_IMM, 0x11),
	    S(BPF_JMP | BPF_JA, 1), S(BPF_LD | BPF_IMM, 0x22), RET_A),
	RAW("JGE and JGT by K at equality", S(LDB_ABS, 33), S(ALU_K(BPF_AND), 3),
	    J(BPF_JMP | BPF_JGE | BPF_K, 2, 0, 1), S(ALU_K(BPF_OR), 0x100),
	    J(BPF_JMP | BPF_JGT | BPF_K, 2, 0, 1), S(ALU_K(BPF_OR), 0x1000), RET_A),
	RAW("conditional jumps by K and X", S(LDB_ABS, 22), TAX, S(LDB_ABS, 23),
	    J(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 2), S(ALU_K(BPF_ADD), 0x100),
	    J(BPF_JMP | BPF_JGE | BPF_K, 0x40, 0, 1), S(ALU_K(BPF_ADD), 0x1000),
	    J(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), S(ALU_K(BPF_ADD), 0x10000),
	    J(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0), S(ALU_K(BPF_ADD), 0x100000),
	    J(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 1), S(ALU_K(BPF_ADD), 0x1000000),
	    J(BPF_JMP | BPF_JSET | BPF_K, 0x3, 1, 0), S(BPF_JMP | BPF_JA, 1),
	    S(ALU_K(BPF_OR), 0x80000000), J(BPF_JMP | BPF_JEQ | BPF_K, 0x11, 0, 1),
	    S(BPF_LD | BPF_IMM, 0xabc), RET_A),
};

/* Runs @r as is, then once per bit of A. Returns the frames that differ. */
/* --egress: the raw programs whose answer depends on the context, the
 * loads and the length (CLS_LOAD, CLS_LEN in bpf/classify.bpf.h); the
 * arithmetic and the jumps are the same template code for both. */
static bool raw_reads_frame(const char *name)
{
	static const char *const names[] = {
		"msh and indirect word",
		"indirect half and byte, X from the frame",
		"frame length",
		"X is the length: the last word",
		"a word one byte past the end",
		"the last byte",
		"an indirect load whose offset wraps",
		"a load far past the frame",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void check_raw(const struct raw_prog *r, const struct frames *fr)
{
	struct xdpi_cbpf_insn v[sizeof(r->insns) / sizeof(r->insns[0]) + 2];
	unsigned long bad, sel, untested, bad_bits = 0;
	char err[256];

	if (steer_filter_check(r->insns, r->len, err, sizeof(err))) {
		tap(false, "raw program '%s' is valid: %s", r->name, err);
		return;
	}
	bad = compare(r->name, r->insns, r->len, NULL, fr, &sel, &untested);
	/* RET A -> JSET #bit, RET #1, RET #0 */
	memcpy(v, r->insns, r->len * sizeof(*v));
	for (int bit = 0; bit < 32; bit++) {
		unsigned long s2, u2;

		v[r->len - 1] =
			(struct xdpi_cbpf_insn)J(BPF_JMP | BPF_JSET | BPF_K, 1u << bit, 0, 1);
		v[r->len] = (struct xdpi_cbpf_insn)S(BPF_RET | BPF_K, 1);
		v[r->len + 1] = (struct xdpi_cbpf_insn)S(BPF_RET | BPF_K, 0);
		bad_bits += compare(r->name, v, r->len + 2, NULL, fr, &s2, &u2);
	}
	tap(!bad && !bad_bits,
	    "raw program '%s': kernel and libpcap agree on A, bit by bit, on %zu frames (%lu "
	    "with A != 0, %lu not testable)",
	    r->name, fr->n - untested, sel, untested);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"expression", required_argument, NULL, 'e'},
		{"raw", no_argument, NULL, 'r'},
		{"no-builtin", no_argument, NULL, 'n'},
		{"time", required_argument, NULL, 't'},
		{"egress", no_argument, NULL, 'o'},
		{"raw-name", required_argument, NULL, 'R'},
		{"head", no_argument, NULL, 'H'},
		{0},
	};
	const char *exprs[64];
	int nexprs = 0, c;
	bool raw = false, builtin = true, head = false;
	struct frames fr = {0};

	while ((c = getopt_long(argc, argv, "e:rnt:oR:H", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (nexprs < 64)
				exprs[nexprs++] = optarg;
			break;
		case 'r':
			raw = true;
			break;
		case 'n':
			builtin = false;
			break;
		case 't':
			time_repeat = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			egress = true;
			break;
		case 'R':
			raw_name = optarg;
			break;
		case 'H':
			head = true;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-e EXPR]... [--raw] [--no-builtin] FILE.pcap...\n",
			argv[0]);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (frames_load(&fr, argv[i])) {
			tap(false, "read %s", argv[i]);
			printf("1..%d\n", test_num);
			return 1;
		}
	if (builtin)
		check_builtins(&fr);
	if (head)
		check_head(&fr);
	for (int i = 0; i < nexprs; i++)
		check_expression(exprs[i], &fr);
	if (raw)
		for (size_t i = 0; i < sizeof(raw_progs) / sizeof(raw_progs[0]); i++)
			if ((!egress || raw_reads_frame(raw_progs[i].name)) &&
			    (!raw_name || strstr(raw_progs[i].name, raw_name)))
				check_raw(&raw_progs[i], &fr);
	printf("1..%d\n", test_num);
	for (size_t i = 0; i < fr.n; i++)
		free(fr.data[i]);
	free(fr.data);
	free(fr.h);
	return failed ? 1 : 0;
}
