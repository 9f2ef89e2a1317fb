/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The classification that reads a frame through a load-bytes helper: the
 * classic BPF interpreter that runs a pcap-filter expression, and the
 * built-in keywords' walk for headers that are not in the directly
 * readable part. Both the XDP program (frames received) and the tc egress
 * program (frames sent, --passive) need it, with different contexts and
 * helpers, so this file is included once per context type, after
 * defining:
 *
 *   CLS_CTX                         the program's context type
 *   CLS_SUFFIX                      appended to every name defined here
 *   CLS_LOAD(ctx, off, buf, len)    0, or negative past the frame's end
 *   CLS_LEN(ctx)                    the frame's whole length
 *
 * and the read-only globals `filter`, `cbpf_len` and `cbpf_insns` of
 * bpf/xdpi.bpf.c. The macros are undefined at the end.
 */
#define CLS_PASTE_(a, b) a##_##b
#define CLS_PASTE(a, b) CLS_PASTE_(a, b)
#define CLS_FN(name) CLS_PASTE(name, CLS_SUFFIX)

/*
 * The classic BPF interpreter. Its state lives on the caller's stack and
 * bpf_loop() runs one instruction per call, so the verifier checks the step
 * once whatever the program. Packet loads go through bpf_xdp_load_bytes(),
 * which takes any offset and fails past the end: the load then rejects the
 * frame (returns 0), as libpcap's and the kernel's interpreters do. Scratch
 * memory and the program are indexed under masks the checks in userspace
 * make redundant, so that the verifier sees every access bounded.
 */
struct CLS_FN(cbpf_run) {
	CLS_CTX *ctx;
	__u32 pc;
	__u32 a;
	__u32 x;
	__u32 verdict;
	__u32 mem[XDPI_CBPF_MEMWORDS];
};

/* Big-endian load of @size (1, 2 or 4) bytes at @off; -1 past the end. */
static __always_inline int CLS_FN(cbpf_load)(struct CLS_FN(cbpf_run) * r, __u32 off, __u32 size,
					     __u32 *out)
{
	__u8 b[4];

	if (size == 4) {
		if (CLS_LOAD(r->ctx, off, b, 4))
			return -1;
		*out = (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
	} else if (size == 2) {
		if (CLS_LOAD(r->ctx, off, b, 2))
			return -1;
		*out = (__u32)b[0] << 8 | b[1];
	} else {
		if (CLS_LOAD(r->ctx, off, b, 1))
			return -1;
		*out = b[0];
	}
	return 0;
}

/* X + k for an indirect load; -1 when it wraps (past any frame). */
static __always_inline int CLS_FN(cbpf_ind)(const struct CLS_FN(cbpf_run) * r, __u32 k, __u32 *off)
{
	*off = r->x + k;
	return *off < k ? -1 : 0;
}

/* One instruction: returns 0 to go on, 1 once r->verdict is set. */
static long CLS_FN(cbpf_step)(__u64 index, void *data)
{
	struct CLS_FN(cbpf_run) *r = data;
	__u32 pc = r->pc, k, off, v;
	__u16 code;
	__u8 jt, jf;

	if (pc >= cbpf_len || pc >= XDPI_CBPF_MAX_INSNS)
		goto reject; /* ran off the end: the check in userspace forbids it */
	code = cbpf_insns[pc].code;
	jt = cbpf_insns[pc].jt;
	jf = cbpf_insns[pc].jf;
	k = cbpf_insns[pc].k;
	r->pc = pc + 1;

	switch (code) {
	case BPF_RET | BPF_K:
		r->verdict = k;
		return 1;
	case BPF_RET | BPF_A:
		r->verdict = r->a;
		return 1;

	case BPF_LD | BPF_W | BPF_ABS:
		if (CLS_FN(cbpf_load)(r, k, 4, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_H | BPF_ABS:
		if (CLS_FN(cbpf_load)(r, k, 2, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_B | BPF_ABS:
		if (CLS_FN(cbpf_load)(r, k, 1, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_W | BPF_IND:
		if (CLS_FN(cbpf_ind)(r, k, &off) || CLS_FN(cbpf_load)(r, off, 4, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_H | BPF_IND:
		if (CLS_FN(cbpf_ind)(r, k, &off) || CLS_FN(cbpf_load)(r, off, 2, &r->a))
			goto reject;
		return 0;
	case BPF_LD | BPF_B | BPF_IND:
		if (CLS_FN(cbpf_ind)(r, k, &off) || CLS_FN(cbpf_load)(r, off, 1, &r->a))
			goto reject;
		return 0;
	case BPF_LDX | BPF_MSH | BPF_B:
		if (CLS_FN(cbpf_load)(r, k, 1, &v))
			goto reject;
		r->x = (v & 0xf) << 2;
		return 0;
	/* The whole frame's length, fragments included (a test run hands
	 * the program a long frame in several buffers). */
	case BPF_LD | BPF_W | BPF_LEN:
		r->a = CLS_LEN(r->ctx);
		return 0;
	case BPF_LDX | BPF_W | BPF_LEN:
		r->x = CLS_LEN(r->ctx);
		return 0;
	case BPF_LD | BPF_IMM:
		r->a = k;
		return 0;
	case BPF_LDX | BPF_IMM:
		r->x = k;
		return 0;
	case BPF_LD | BPF_MEM:
		r->a = r->mem[k & (XDPI_CBPF_MEMWORDS - 1)];
		return 0;
	case BPF_LDX | BPF_MEM:
		r->x = r->mem[k & (XDPI_CBPF_MEMWORDS - 1)];
		return 0;
	case BPF_ST:
		r->mem[k & (XDPI_CBPF_MEMWORDS - 1)] = r->a;
		return 0;
	case BPF_STX:
		r->mem[k & (XDPI_CBPF_MEMWORDS - 1)] = r->x;
		return 0;

	case BPF_ALU | BPF_ADD | BPF_K:
		r->a += k;
		return 0;
	case BPF_ALU | BPF_ADD | BPF_X:
		r->a += r->x;
		return 0;
	case BPF_ALU | BPF_SUB | BPF_K:
		r->a -= k;
		return 0;
	case BPF_ALU | BPF_SUB | BPF_X:
		r->a -= r->x;
		return 0;
	case BPF_ALU | BPF_MUL | BPF_K:
		r->a *= k;
		return 0;
	case BPF_ALU | BPF_MUL | BPF_X:
		r->a *= r->x;
		return 0;
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		if (!v)
			goto reject; /* classic BPF: division by zero returns 0 */
		r->a /= v;
		return 0;
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_X:
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		if (!v)
			goto reject;
		r->a %= v;
		return 0;
	case BPF_ALU | BPF_AND | BPF_K:
		r->a &= k;
		return 0;
	case BPF_ALU | BPF_AND | BPF_X:
		r->a &= r->x;
		return 0;
	case BPF_ALU | BPF_OR | BPF_K:
		r->a |= k;
		return 0;
	case BPF_ALU | BPF_OR | BPF_X:
		r->a |= r->x;
		return 0;
	case BPF_ALU | BPF_XOR | BPF_K:
		r->a ^= k;
		return 0;
	case BPF_ALU | BPF_XOR | BPF_X:
		r->a ^= r->x;
		return 0;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
		/* As libpcap: a shift by 32 or more gives 0 (and the check
		 * in userspace refuses a constant one, as libpcap does). */
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		r->a = v < 32 ? r->a << v : 0;
		return 0;
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
		v = BPF_SRC(code) == BPF_X ? r->x : k;
		r->a = v < 32 ? r->a >> v : 0;
		return 0;
	case BPF_ALU | BPF_NEG:
		r->a = 0 - r->a;
		return 0;

	case BPF_JMP | BPF_JA:
		r->pc += k; /* forward and inside: checked in userspace */
		return 0;
	case BPF_JMP | BPF_JEQ | BPF_K:
		r->pc += r->a == k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JEQ | BPF_X:
		r->pc += r->a == r->x ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGT | BPF_K:
		r->pc += r->a > k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGT | BPF_X:
		r->pc += r->a > r->x ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGE | BPF_K:
		r->pc += r->a >= k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JGE | BPF_X:
		r->pc += r->a >= r->x ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JSET | BPF_K:
		r->pc += r->a & k ? jt : jf;
		return 0;
	case BPF_JMP | BPF_JSET | BPF_X:
		r->pc += r->a & r->x ? jt : jf;
		return 0;

	case BPF_MISC | BPF_TAX:
		r->x = r->a;
		return 0;
	case BPF_MISC | BPF_TXA:
		r->a = r->x;
		return 0;
	}
reject: /* an unknown opcode too: the check in userspace forbids them */
	r->verdict = 0;
	return 1;
}

/* The expression's verdict: non-zero accepts (libpcap returns the snap
 * length), 0 rejects, as does a program that never reaches a RET. */
static __noinline int CLS_FN(cbpf_wanted)(CLS_CTX *ctx)
{
	struct CLS_FN(cbpf_run) r = {.ctx = ctx};

	bpf_loop(XDPI_CBPF_MAX_INSNS, CLS_FN(cbpf_step), &r, 0);
	return r.verdict != 0;
}

/*
 * wanted()'s classification for a frame whose headers run past its first
 * buffer, through bpf_xdp_load_bytes(), which reads across fragments. The
 * same reads as the direct path, so the same answers: a header is taken
 * only whole (20 bytes of IPv4, 40 of IPv6, 8 of an extension header).
 */
static __noinline int CLS_FN(wanted_slow)(CLS_CTX *ctx)
{
	__u8 b[40];
	__u32 off = 12, cur;
	__u16 type;
	__u8 next, hdr;
	int i;

	if (CLS_LOAD(ctx, off, b, 2))
		return 0;
	type = (__u16)(b[0] << 8 | b[1]);
	off += 2;
	for (i = 0; i < 2; i++) {
		if (type != ETH_P_8021Q && type != ETH_P_8021AD_)
			break;
		if (CLS_LOAD(ctx, off, b, 4))
			return 0;
		type = (__u16)(b[2] << 8 | b[3]);
		off += 4;
	}
	if (type != ETH_P_IP && type != ETH_P_IPV6)
		return 0;
	if (filter == XDPI_FILTER_IP)
		return 1;
	if (type == ETH_P_IP) {
		if (CLS_LOAD(ctx, off, b, 20) || (b[0] >> 4) != 4)
			return 0;
		next = b[9];
		goto l4;
	}
	if (CLS_LOAD(ctx, off, b, 40) || (b[0] >> 4) != 6)
		return 0;
	next = b[6];
	cur = off + 40;
	for (i = 0; i < XDPI_FILTER_IPV6_EXT_MAX; i++) {
		if (next != 0 && next != 43 && next != 44 && next != 60)
			goto l4;
		if (cur > 0xffff || CLS_LOAD(ctx, cur, b, 8))
			return 0;
		hdr = next;
		next = b[0];
		if (hdr == 44 && ((b[2] << 8 | b[3]) >> 3))
			goto l4;
		cur += hdr == 44 ? 8 : ((__u32)b[1] + 1) * 8;
	}
	return 0;
l4:
	return next == (filter == XDPI_FILTER_TCP ? IPPROTO_TCP : IPPROTO_UDP);
}

#undef CLS_FN
#undef CLS_PASTE
#undef CLS_PASTE_
#undef CLS_CTX
#undef CLS_SUFFIX
#undef CLS_LOAD
#undef CLS_LEN
