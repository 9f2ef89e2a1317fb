/* SPDX-License-Identifier: MIT */
/*
 * Putting one of xdpi's XDP programs on an interface's XDP hook and taking
 * it off again: the one place xdpi changes what runs there. One rule holds
 * for both ways in: a program that is not ours is never replaced unless the
 * caller forces it.
 *
 * - Through libxdp (xdpi_attach_program), for the steering program: libxdp
 *   shares the hook with other programs through its dispatcher where the
 *   kernel allows it. A program attached alone, which libxdp cannot share,
 *   is refused, or removed first when forced.
 * - Directly (xdpi_attach_fd), for the generator's program, which must
 *   itself be the program on the hook (bpf/gen.bpf.c says why): a
 *   dispatcher in front of it would defeat the purpose. The kernel refuses
 *   it when any program is there, unless forced; it is detached only while
 *   it is still the one there.
 *
 * Errors: int functions return 0 or a negative errno; xdpi_attach_program
 * also writes a one-line reason into @err.
 * Concurrency: none; an attachment belongs to the thread that made it.
 */
#ifndef XDPI_BPF_ATTACH_H
#define XDPI_BPF_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdp_program;

enum xdpi_attach_mode {
	XDPI_ATTACH_AUTO = 0, /* native (driver) if possible, else generic (skb) */
	XDPI_ATTACH_NATIVE,
	XDPI_ATTACH_SKB,
};

struct xdpi_attach_opts {
	const char *ifname; /* for messages */
	int ifindex;
	enum xdpi_attach_mode mode;
	bool force; /* replace a program that is not ours */
};

/* One attachment, filled by the attach functions and read by the caller;
 * all zero: nothing attached. */
struct xdpi_attach {
	int ifindex;
	/* In force: native or skb through libxdp; as asked for directly. */
	enum xdpi_attach_mode mode;
	struct xdp_program *prog; /* through libxdp (not owned), else NULL */
	int prog_fd;		  /* directly */
	bool attached;
	bool multiprog; /* libxdp attached through its dispatcher (shareable) */
};

/* Attaches @prog through libxdp, in o->mode (auto: native, then skb where
 * the driver has no native XDP). */
int xdpi_attach_program(struct xdpi_attach *a, struct xdp_program *prog,
			const struct xdpi_attach_opts *o, char *err, size_t err_len);
/* Attaches the loaded program @prog_fd alone on the hook. */
int xdpi_attach_fd(struct xdpi_attach *a, int prog_fd, const struct xdpi_attach_opts *o);
/* Takes off what @a attached, and marks it detached. Accepts an attachment
 * that is not attached (returns 0). */
int xdpi_detach(struct xdpi_attach *a);
/* "native" or "skb". */
const char *xdpi_attach_mode_name(const struct xdpi_attach *a);

/* What is on an interface's XDP hook, whoever put it there. */
struct xdpi_hook {
	uint32_t prog_id;   /* 0: nothing attached */
	const char *mode;   /* "native", "skb", "hw", "multi" (several modes), NULL */
	char prog_name[16]; /* "" when unknown (reading it needs CAP_SYS_ADMIN) */
};

/* Reads @ifindex's XDP hook into @out. 0 or a negative errno. */
int xdpi_hook_query(int ifindex, struct xdpi_hook *out);

#endif /* XDPI_BPF_ATTACH_H */
