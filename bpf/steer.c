// SPDX-License-Identifier: MIT
#include "steer.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/filter.h>
#include <xdp/libxdp.h>

#include "attach.h"
#include "egress.h"
#include "owner.h"
#include "progs.h"
#include "bpf/xdpi.skel.h"
#include "../util/log.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#define BPFFS_PATH "/sys/fs/bpf"

struct steer {
	struct xdpi_bpf *skel;
	struct xdp_program *prog;
	struct xdpi_attach link;
	struct xdpi_owner owner; /* held while the program is attached */
	struct egress egress;	 /* passive, frames sent */
	bool want_egress;	 /* the egress program is loaded */
	int ncpus;
	int ring_template_fd; /* passive: the rings' template, -1 otherwise */
	bool frags;	      /* loaded with frags support */
	bool rx_meta;	      /* the metadata variant is the one attached */
	/* Bytes of struct xdpi_rx_meta put in each redirected frame's head. */
	uint32_t meta_head_bytes;
	bool meta_head_probed; /* the kernel refused the metadata area */
	char meta_why[160];    /* why not, when it was asked for */
};

#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif

/* Whether the kernel loads XDP programs with frags support (Linux 5.18):
 * the smallest such program, loaded and dropped. */
static bool kernel_has_xdp_frags(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = BPF_F_XDP_HAS_FRAGS);
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpi_probe", "GPL", insns, 2, &opts);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Whether the kernel lets XDP programs call bpf_xdp_adjust_meta(): the
 * smallest program that does, loaded and dropped. libbpf's own helper probe
 * takes any verifier complaint but "unknown func" for a yes, and 6.18
 * builds refuse it as "program of this type cannot use helper". */
static bool kernel_xdp_has_adjust_meta(void)
{
	const struct bpf_insn insns[] = {
		/* r1 is the context on entry */
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = -8},
		{.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_xdp_adjust_meta},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpi_probe", "GPL", insns, 4, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Loads one of the two steering programs (bpf/xdpi.bpf.c): the plain one,
 * or the metadata variant bound to @ifindex. Without frags support in the
 * kernel, both lose the flag: frames then fit one buffer. */
static void steer_pick_program(struct steer *s, bool rx_meta, int ifindex)
{
	struct bpf_program *plain = s->skel->progs.XDPI_STEER_PROG;
	struct bpf_program *meta = s->skel->progs.XDPI_STEER_META_PROG;

	s->frags = kernel_has_xdp_frags();
	if (!s->frags) {
		bpf_program__set_flags(plain, bpf_program__flags(plain) & ~BPF_F_XDP_HAS_FRAGS);
		bpf_program__set_flags(meta, bpf_program__flags(meta) & ~BPF_F_XDP_HAS_FRAGS);
	}
	bpf_program__set_autoload(plain, !rx_meta);
	bpf_program__set_autoload(meta, rx_meta);
	/* Loaded with the XDP program (by libxdp or the skeleton), so that
	 * both share the object's maps and read-only options. */
	bpf_program__set_autoload(s->skel->progs.XDPI_EGRESS_PROG, s->want_egress);
	if (rx_meta) {
		bpf_program__set_ifindex(meta, (__u32)ifindex);
		bpf_program__set_flags(meta, bpf_program__flags(meta) | BPF_F_XDP_DEV_BOUND_ONLY);
	}
}

static void steer_free(struct steer *s)
{
	xdpi_bpf__destroy(s->skel);
	if (s->ring_template_fd >= 0)
		close(s->ring_template_fd);
	free(s);
}

int steer_ensure_bpffs(void)
{
	struct statfs st;

	if (statfs(BPFFS_PATH, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS_PATH, "bpf", 0, NULL))
		return -errno;
	return 1;
}

/* The opcodes the interpreter in bpf/xdpi.bpf.c implements: libpcap's
 * (bpf_filter()) without the Linux ancillary loads. */
static bool cbpf_known(uint16_t code)
{
	switch (code) {
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
	case BPF_LDX | BPF_MSH | BPF_B:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_ALU | BPF_NEG:
		return true;
	}
	if (BPF_CLASS(code) == BPF_JMP) {
		switch (code & ~BPF_SRC(code)) {
		case BPF_JMP | BPF_JEQ:
		case BPF_JMP | BPF_JGT:
		case BPF_JMP | BPF_JGE:
		case BPF_JMP | BPF_JSET:
			return true;
		}
		return false;
	}
	if (BPF_CLASS(code) == BPF_ALU) {
		switch (code & ~BPF_SRC(code)) {
		case BPF_ALU | BPF_ADD:
		case BPF_ALU | BPF_SUB:
		case BPF_ALU | BPF_MUL:
		case BPF_ALU | BPF_DIV:
		case BPF_ALU | BPF_MOD:
		case BPF_ALU | BPF_AND:
		case BPF_ALU | BPF_OR:
		case BPF_ALU | BPF_XOR:
		case BPF_ALU | BPF_LSH:
		case BPF_ALU | BPF_RSH:
			return true;
		}
	}
	return false;
}

int steer_filter_check(const struct xdpi_cbpf_insn *insns, uint32_t count, char *err,
		       size_t err_len)
{
	if (!count) {
		snprintf(err, err_len, "an empty classic BPF program");
		return -EINVAL;
	}
	if (count > XDPI_CBPF_MAX_INSNS) {
		snprintf(err, err_len,
			 "the filter compiles to %u classic BPF instructions; the XDP program "
			 "runs at most %d: use a shorter expression",
			 count, XDPI_CBPF_MAX_INSNS);
		return -E2BIG;
	}
	for (uint32_t i = 0; i < count; i++) {
		const struct xdpi_cbpf_insn *in = &insns[i];
		uint16_t c = in->code;
		uint32_t op = BPF_OP(c);
		const char *why = NULL;

		if (!cbpf_known(c))
			why = "an opcode the XDP program does not run";
		else if ((c == (BPF_LD | BPF_MEM) || c == (BPF_LDX | BPF_MEM) || c == BPF_ST ||
			  c == BPF_STX) &&
			 in->k >= XDPI_CBPF_MEMWORDS)
			why = "scratch memory beyond M[15]";
		else if (BPF_CLASS(c) == BPF_ALU && BPF_SRC(c) == BPF_K &&
			 (op == BPF_DIV || op == BPF_MOD) && !in->k)
			why = "a division by the constant 0";
		else if (BPF_CLASS(c) == BPF_ALU && BPF_SRC(c) == BPF_K &&
			 (op == BPF_LSH || op == BPF_RSH) && in->k >= 32)
			why = "a shift by 32 or more";
		else if (c == (BPF_JMP | BPF_JA) && in->k >= count - i - 1)
			why = "a jump backwards or past the end (protochain walks back: not "
			      "supported)";
		else if (BPF_CLASS(c) == BPF_JMP && op != BPF_JA &&
			 ((uint32_t)in->jt >= count - i - 1 || (uint32_t)in->jf >= count - i - 1))
			why = "a jump past the end";
		if (why) {
			snprintf(err, err_len,
				 "instruction %u of the classic BPF program (code 0x%02x): %s", i,
				 c, why);
			return -EINVAL;
		}
	}
	if (BPF_CLASS(insns[count - 1].code) != BPF_RET) {
		snprintf(err, err_len, "the classic BPF program does not end with a RET");
		return -EINVAL;
	}
	return 0;
}

/* Opens the embedded object and sets its options; loading is left to
 * libxdp's attach, or to steer_attach's load-only path. */
static int steer_open(struct steer *s, const struct steer_opts *o, char *err, size_t err_len)
{
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus < 1) {
		snprintf(err, err_len, "cannot count the possible CPUs");
		return s->ncpus ? s->ncpus : -EINVAL;
	}
	if (o->filter >= XDPI_FILTER__MAX) {
		snprintf(err, err_len, "unknown filter %d", o->filter);
		return -EINVAL;
	}
	if (o->filter == XDPI_FILTER_EXPR) {
		int ret = steer_filter_check(o->insns, o->insn_count, err, err_len);

		if (ret)
			return ret;
	}
	s->skel = xdpi_bpf__open();
	if (!s->skel) {
		int ret = -errno;

		snprintf(err, err_len, "cannot open the embedded XDP program: %s", strerror(errno));
		return ret;
	}
	s->skel->rodata->filter = o->filter;
	s->skel->rodata->drop_wanted = o->drop_wanted;
	s->skel->rodata->passive = o->passive;
	s->skel->rodata->copy_in = !o->passive || o->copy_in;
	s->skel->rodata->stamp_frames = o->stamp_frames;
	if (!o->passive && !o->drop_wanted && (o->stamp_frames || o->rx_meta)) {
		s->meta_head_probed = !kernel_xdp_has_adjust_meta();
		if (o->meta_in_head || s->meta_head_probed)
			s->skel->rodata->meta_in_head = 1;
	}
	s->skel->rodata->max_take = o->max_take;
	s->want_egress = o->passive && o->copy_out;
	if (o->passive) {
		int ret;

		if (o->snaplen < 1 || o->snaplen > XDPI_SNAPLEN_MAX) {
			snprintf(err, err_len, "snap length %u is not in 1..%d", o->snaplen,
				 XDPI_SNAPLEN_MAX);
			return -EINVAL;
		}
		s->skel->rodata->snaplen = o->snaplen;
		s->skel->rodata->ring_wake_bytes = o->ring_size / 8;
		/* Every ring put in the map must have the template's size.
		 * A ring of that size is the template: libbpf 1.1 cannot
		 * resize the inner map it declares (it has no object). */
		s->ring_template_fd =
			bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xdpi_tmpl", 0, 0, o->ring_size, NULL);
		if (s->ring_template_fd < 0) {
			ret = -errno;
			snprintf(err, err_len, "cannot create a %u-byte ring buffer: %s",
				 o->ring_size, strerror(-ret));
			return ret;
		}
		ret = bpf_map__set_inner_map_fd(s->skel->maps.rings, s->ring_template_fd);
		if (ret) {
			snprintf(err, err_len, "cannot set the ring template: %s", strerror(-ret));
			return ret;
		}
	}
	if (o->filter == XDPI_FILTER_EXPR) {
		memcpy(s->skel->rodata->cbpf_insns, o->insns, o->insn_count * sizeof(*o->insns));
		s->skel->rodata->cbpf_len = o->insn_count;
	}
	return 0;
}

static int steer_program_create(struct steer *s, char *err, size_t err_len)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, popts, .obj = s->skel->obj,
			    .prog_name = XDPI_STEER_PROG_NAME);
	int ret;

	s->prog = xdp_program__create(&popts);
	ret = (int)libxdp_get_error(s->prog);
	if (ret) {
		s->prog = NULL;
		snprintf(err, err_len, "cannot prepare the XDP program: %s", strerror(-ret));
	}
	return ret;
}

/* Records this process as the program's owner (bpf/owner.h), so that
 * `xdpi detach` leaves it alone while the run lasts. Without /run/xdpi the
 * run goes on unrecorded: detach then cannot tell, as before; a /run/xdpi
 * that cannot be trusted (not root's) stops it, said. */
static int steer_take_owner(struct steer *s, const struct xdpi_attach_opts *ao, char *err,
			    size_t err_len)
{
	char why[512] = "";
	pid_t holder;
	int ret = xdpi_owner_lock(&s->owner, ao->ifindex, &holder, why, sizeof(why));

	if (ret == -EBUSY) {
		snprintf(err, err_len, "%s is in use by another xdpi live (pid %d)", ao->ifname,
			 (int)holder);
		return ret;
	}
	if (ret == -EPERM) {
		snprintf(err, err_len, "%s", why);
		return ret;
	}
	if (ret)
		xdpi_warn("cannot record this run as %s's XDP owner (%s): 'xdpi detach' will "
			  "not know it runs",
			  ao->ifname, why);
	return 0;
}

/*
 * The metadata variant: device-bound, so it cannot run behind libxdp's
 * dispatcher (an extension program is not bound) nor in generic mode; it
 * is attached alone in native mode, like the generator's program. Returns
 * 0, or -errno with the reason in s->meta_why (the caller then loads the
 * plain program).
 */
static int steer_attach_meta(struct steer *s, const struct steer_opts *o,
			     const struct xdpi_attach_opts *ao)
{
	struct xdpi_attach_opts direct = *ao;
	int ret;

	if (o->xdp_mode == STEER_XDP_SKB) {
		snprintf(s->meta_why, sizeof(s->meta_why),
			 "the driver's metadata needs native XDP, not skb mode");
		return -EOPNOTSUPP;
	}
	steer_pick_program(s, true, ao->ifindex);
	ret = xdpi_bpf__load(s->skel);
	if (ret) {
		snprintf(s->meta_why, sizeof(s->meta_why),
			 "cannot load the metadata program for %s: %s (kfuncs need Linux 6.3, the "
			 "VLAN tag 6.8)",
			 o->ifname, strerror(-ret));
		return ret;
	}
	direct.mode = XDPI_ATTACH_NATIVE;
	ret = xdpi_attach_fd(&s->link, bpf_program__fd(s->skel->progs.XDPI_STEER_META_PROG),
			     &direct);
	if (ret) {
		snprintf(s->meta_why, sizeof(s->meta_why),
			 "cannot attach the metadata program to %s alone in native mode: %s",
			 o->ifname, strerror(-ret));
		return ret;
	}
	s->rx_meta = true;
	return 0;
}

/* The program attached puts a struct in front of each frame it redirects
 * where it stamps frames or is the metadata variant. */
static void steer_set_meta_head(struct steer *s, const struct steer_opts *o)
{
	s->meta_head_bytes = s->skel->rodata->meta_in_head && (s->rx_meta || o->stamp_frames)
				     ? sizeof(struct xdpi_rx_meta)
				     : 0;
}

struct steer *steer_attach(const struct steer_opts *o, char *err, size_t err_len)
{
	struct xdpi_attach_opts ao = {
		.ifname = o->ifname,
		.mode = (enum xdpi_attach_mode)o->xdp_mode,
		.force = o->force,
	};
	struct steer *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = -ENOMEM;
		snprintf(err, err_len, "out of memory");
		goto err_out;
	}
	s->ring_template_fd = -1;
	s->owner.fd = -1;
	s->egress.link_fd = -1;
	ret = steer_open(s, o, err, err_len);
	if (ret)
		goto err_skel;
	if (!o->ifname) {
		/* Load only: for BPF_PROG_TEST_RUN in tests; a test of the
		 * egress program loads that one alone (the verifier's time). */
		steer_pick_program(s, false, 0);
		if (s->want_egress)
			bpf_program__set_autoload(s->skel->progs.XDPI_STEER_PROG, false);
		ret = xdpi_bpf__load(s->skel);
		if (ret) {
			snprintf(err, err_len, "cannot load the XDP program: %s", strerror(-ret));
			goto err_skel;
		}
		return s;
	}
	ao.ifindex = (int)if_nametoindex(o->ifname);
	if (!ao.ifindex) {
		ret = -ENODEV;
		snprintf(err, err_len, "no interface '%s'", o->ifname);
		goto err_skel;
	}
	ret = steer_take_owner(s, &ao, err, err_len);
	if (ret)
		goto err_skel;
	if (o->rx_meta && !o->passive) {
		if (!steer_attach_meta(s, o, &ao)) {
			steer_set_meta_head(s, o);
			return s;
		}
		/* The plain program from a fresh object: a loaded one cannot
		 * be loaded again. */
		xdpi_bpf__destroy(s->skel);
		s->skel = NULL;
		ret = steer_open(s, o, err, err_len);
		if (ret)
			goto err_owner;
	}
	steer_pick_program(s, false, ao.ifindex);
	ret = steer_program_create(s, err, err_len);
	if (ret)
		goto err_owner;
	ret = xdpi_attach_program(&s->link, s->prog, &ao, err, err_len);
	if (ret)
		goto err_prog;
	steer_set_meta_head(s, o);
	return s;

err_prog:
	xdp_program__close(s->prog);
err_owner:
	xdpi_owner_release(&s->owner);
err_skel:
	steer_free(s);
err_out:
	errno = -ret;
	return NULL;
}

void steer_destroy(struct steer *s)
{
	char name[IF_NAMESIZE];

	if (!s)
		return;
	if (egress_detach(&s->egress))
		xdpi_warn("could not detach the egress program from ifindex %d: remove it with "
			  "'xdpi detach'",
			  s->link.ifindex);
	/* An interface deleted during the run took its hook with it. */
	if (xdpi_detach(&s->link) && if_indextoname((unsigned)s->link.ifindex, name))
		xdpi_warn("could not detach the XDP program from ifindex %d: remove it with "
			  "'xdpi detach'",
			  s->link.ifindex);
	/* Only once detached: no window where detach sees no owner. */
	xdpi_owner_release(&s->owner);
	xdp_program__close(s->prog);
	steer_free(s);
}

int steer_set_ring(struct steer *s, uint32_t queue_id, int ring_fd)
{
	if (bpf_map__update_elem(s->skel->maps.rings, &queue_id, sizeof(queue_id), &ring_fd,
				 sizeof(ring_fd), 0))
		return -errno;
	return 0;
}

int steer_attach_egress(struct steer *s, const uint32_t *queues, int count, bool no_tcx, char *err,
			size_t err_len)
{
	int ret;

	if (!s->want_egress || count < 1) {
		snprintf(err, err_len, "the egress program was not loaded");
		return -EINVAL;
	}
	for (uint32_t txq = 0; txq < XDPI_MAX_QUEUES; txq++) {
		if (bpf_map__update_elem(s->skel->maps.out_queue, &txq, sizeof(txq),
					 &queues[txq % (uint32_t)count], sizeof(*queues), 0)) {
			ret = -errno;
			snprintf(err, err_len, "cannot fill the egress queue map: %s",
				 strerror(errno));
			return ret;
		}
	}
	return egress_attach(&s->egress, s->link.ifindex,
			     bpf_program__fd(s->skel->progs.XDPI_EGRESS_PROG), no_tcx, err,
			     err_len);
}

const char *steer_egress_hook(const struct steer *s)
{
	return egress_hook_name(&s->egress);
}

int steer_xskmap_fd(const struct steer *s)
{
	return bpf_map__fd(s->skel->maps.xsks);
}

int steer_taken(const struct steer *s, uint64_t *taken)
{
	uint32_t key = 0;

	*taken = 0;
	return bpf_map__lookup_elem(s->skel->maps.taken, &key, sizeof(key), taken, sizeof(*taken),
				    0)
		       ? -errno
		       : 0;
}

int steer_stop(struct steer *s)
{
	struct xdpi_bpf__bss bss = {.stopping = 1};
	uint32_t key = 0;

	/* libxdp, not the skeleton, loaded the object, so .bss is not mapped
	 * into this process: write it as the one-element array it is. */
	return bpf_map__update_elem(s->skel->maps.bss, &key, sizeof(key), &bss, sizeof(bss),
				    BPF_ANY);
}

/* Sums over the CPUs one slot of a per-CPU map whose value is @words
 * 64-bit counters (struct xdpi_queue_stats, struct xdpi_meta_stats). */
static int percpu_sum(const struct steer *s, const struct bpf_map *map, uint32_t queue_id,
		      uint64_t *out, size_t words)
{
	uint64_t *percpu;
	int ret;

	memset(out, 0, words * sizeof(*out));
	if (queue_id >= XDPI_MAX_QUEUES)
		return -ERANGE;
	percpu = calloc((size_t)s->ncpus * words, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	ret = bpf_map__lookup_elem(map, &queue_id, sizeof(queue_id), percpu,
				   (size_t)s->ncpus * words * sizeof(*percpu), 0);
	for (size_t i = 0; !ret && i < (size_t)s->ncpus * words; i++)
		out[i % words] += percpu[i];
	free(percpu);
	return ret;
}

_Static_assert(sizeof(struct xdpi_queue_stats) % sizeof(uint64_t) == 0, "u64 counters only");
_Static_assert(sizeof(struct xdpi_meta_stats) % sizeof(uint64_t) == 0, "u64 counters only");
_Static_assert(XDPI_COPY_REC_SIZE(0) == 8 + sizeof(struct xdpi_copy_rec), "a copy record's size");

int steer_queue_stats(const struct steer *s, uint32_t queue_id, struct xdpi_queue_stats *out)
{
	return percpu_sum(s, s->skel->maps.queue_stats, queue_id, (uint64_t *)out,
			  sizeof(*out) / sizeof(uint64_t));
}

int steer_meta_stats(const struct steer *s, uint32_t queue_id, struct xdpi_meta_stats *out)
{
	return percpu_sum(s, s->skel->maps.meta_stats, queue_id, (uint64_t *)out,
			  sizeof(*out) / sizeof(uint64_t));
}

bool steer_rx_meta(const struct steer *s, const char **why)
{
	if (why)
		*why = s->meta_why[0] ? s->meta_why : NULL;
	return s->rx_meta;
}

uint32_t steer_meta_head_bytes(const struct steer *s, const char **why)
{
	if (why)
		*why = s->meta_head_probed ? "this kernel refuses bpf_xdp_adjust_meta() to XDP "
					     "programs"
					   : NULL;
	return s->meta_head_bytes;
}

bool steer_frags(const struct steer *s)
{
	return s->frags;
}

const char *steer_xdp_mode_name(const struct steer *s)
{
	return xdpi_attach_mode_name(&s->link);
}

bool steer_multiprog(const struct steer *s)
{
	return s->link.multiprog;
}

int steer_test_time(const struct steer *s, const void *frame, uint32_t len, uint32_t repeat,
		    uint32_t *ns)
{
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = len,
			    .repeat = repeat);
	int ret = bpf_prog_test_run_opts(bpf_program__fd(s->skel->progs.xdpi_steer), &topts);

	if (ns)
		*ns = topts.duration;
	return ret ? -errno : (int)topts.retval;
}

int steer_egress_test_run(const struct steer *s, const void *frame, uint32_t len)
{
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = len,
			    .repeat = 1);
	struct xdpi_queue_stats before, after;
	int ret;

	if (!s->want_egress)
		return -EINVAL;
	ret = steer_queue_stats(s, 0, &before);
	if (ret)
		return ret;
	if (bpf_prog_test_run_opts(bpf_program__fd(s->skel->progs.XDPI_EGRESS_PROG), &topts))
		return -errno;
	ret = steer_queue_stats(s, 0, &after);
	if (ret)
		return ret;
	return after.copy_out_failed != before.copy_out_failed;
}

int steer_test_run(const struct steer *s, const void *frame, uint32_t len)
{
	return steer_test_time(s, frame, len, 1, NULL);
}

int steer_test_run_out(const struct steer *s, const void *frame, uint32_t len, void *out,
		       uint32_t *out_len)
{
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = len,
			    .data_out = out, .data_size_out = *out_len, .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(s->skel->progs.xdpi_steer), &topts))
		return -errno;
	*out_len = topts.data_size_out;
	return (int)topts.retval;
}

/* The steering program, or the generator's (bench/generator.c attaches it to the
 * sending interface; a killed `xdpi gen` leaves it there). */
static bool steer_is_ours(const char *name)
{
	return !strcmp(name, XDPI_STEER_PROG_NAME) || !strcmp(name, XDPI_STEER_META_PROG_NAME) ||
	       !strcmp(name, XDPI_GEN_PROG_NAME);
}

int steer_detach_iface(const char *ifname, bool force, char *err, size_t err_len)
{
	struct xdpi_owner owner = {.fd = -1};
	pid_t holder;
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int ifindex, ret = 0, egress_removed;

	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		snprintf(err, err_len, "no interface '%s'", ifname);
		return -ENODEV;
	}
	if (!force) {
		char why[512] = "";

		ret = xdpi_owner_lock(&owner, ifindex, &holder, why, sizeof(why));
		if (ret == -EBUSY) {
			snprintf(err, err_len,
				 "%s: the XDP program is in use by a running xdpi live (pid %d): "
				 "stop it, or use --force",
				 ifname, (int)holder);
			return ret;
		}
		/* A record nobody can trust tells nothing either way. */
		if (ret == -EPERM) {
			snprintf(err, err_len, "%s: %s; or use --force", ifname, why);
			return ret;
		}
		ret = 0; /* no record at all: nothing tells us it runs */
	}
	/* A killed passive run's clsact filter (a tcx link went with it). */
	ret = egress_detach_stale(ifindex, err, err_len);
	if (ret < 0) {
		xdpi_owner_release(&owner);
		return ret;
	}
	egress_removed = ret;
	ret = 0;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp)) {
		xdpi_owner_release(&owner);
		return egress_removed;
	}
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (!p)
			goto out;
		if (!steer_is_ours(xdp_program__name(p)) && !force) {
			snprintf(err, err_len,
				 "%s has XDP program '%s' attached, not xdpi's: "
				 "use --force to remove it anyway",
				 ifname, xdp_program__name(p));
			ret = -EBUSY;
			goto out;
		}
		ret = xdp_multiprog__detach(mp);
		ret = ret ? ret : 1;
		goto out;
	}
	/* A dispatcher: remove only our program from it (or all, forced). */
	if (force) {
		ret = xdp_multiprog__detach(mp);
		ret = ret ? ret : 1;
		goto out;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp)) {
		if (!steer_is_ours(xdp_program__name(p)))
			continue;
		/* Every one: a killed run may have left more than one. */
		ret = xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
		if (ret)
			break;
		ret = 1;
	}
out:
	if (ret < 0 && !*err)
		snprintf(err, err_len, "%s: cannot detach: %s", ifname, strerror(-ret));
	xdp_multiprog__close(mp);
	/* The dead owner's record goes with its program. */
	xdpi_owner_release(&owner);
	return ret ? ret : egress_removed;
}
