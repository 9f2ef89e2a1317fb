/* SPDX-License-Identifier: MIT */
/*
 * Putting the passive mode's tc egress program (bpf/xdpi.bpf.c,
 * XDPI_EGRESS_PROG) on an interface's egress hook and taking it off.
 *
 * tcx (Linux 6.6) first: a BPF link owned by this process, which the
 * kernel detaches when the last descriptor closes, also when the process
 * is killed: nothing is left behind. Where the kernel has no tcx, a
 * clsact qdisc and a direct-action filter through libbpf's bpf_tc_*()
 * calls, under a handle and priority of xdpi's own so that `xdpi detach`
 * finds a filter a killed run left. A clsact qdisc xdpi had to create
 * stays, empty: removing it would also remove any filter another tool
 * added there meanwhile (`tc qdisc del dev IF clsact` removes it).
 *
 * Errors: int functions return 0 or a negative errno, with a one-line
 * reason in @err where they take one.
 * Concurrency: none; an attachment belongs to the thread that made it.
 */
#ifndef XDPI_BPF_EGRESS_H
#define XDPI_BPF_EGRESS_H

#include <stdbool.h>
#include <stddef.h>

/* The clsact filter's handle and priority ("xd"), xdpi's alone. */
#define XDPI_TC_HANDLE 0x7864
#define XDPI_TC_PRIORITY 0x7864

struct egress {
	int ifindex;
	int link_fd; /* tcx link, -1 if none */
	bool filter; /* clsact filter attached */
};

/* Attaches @prog_fd at @ifindex's egress: tcx, else clsact (also when
 * @no_tcx, for tests of that path). */
int egress_attach(struct egress *e, int ifindex, int prog_fd, bool no_tcx, char *err,
		  size_t err_len);
/* "tcx" or "clsact". */
const char *egress_hook_name(const struct egress *e);
/* Detaches; accepts an egress never attached (all zero but link_fd -1). */
int egress_detach(struct egress *e);
/* `xdpi detach`: removes a clsact filter of xdpi's a killed run left on
 * @ifindex (a tcx link does not outlive its process). Returns 1 if one was
 * removed, 0 if none, -errno. */
int egress_detach_stale(int ifindex, char *err, size_t err_len);

#endif /* XDPI_BPF_EGRESS_H */
