// SPDX-License-Identifier: MIT
#include "egress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "progs.h"

/* Linux 6.6's attach type; Debian 12's kernel headers predate it. */
#ifndef BPF_TCX_EGRESS
#define XDPI_BPF_TCX_EGRESS 47
#else
#define XDPI_BPF_TCX_EGRESS BPF_TCX_EGRESS
#endif

static int egress_attach_clsact(struct egress *e, int prog_fd, char *err, size_t err_len)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = e->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = XDPI_TC_HANDLE,
		    .priority = XDPI_TC_PRIORITY);
	int ret = bpf_tc_hook_create(&hook);

	if (ret && ret != -EEXIST) {
		snprintf(err, err_len, "cannot add a clsact qdisc for the egress program: %s",
			 strerror(-ret));
		return ret;
	}
	ret = bpf_tc_attach(&hook, &opts);
	if (ret) {
		snprintf(err, err_len, "cannot attach the egress program as a clsact filter: %s%s",
			 strerror(-ret),
			 ret == -EEXIST ? " (a killed run left one: 'xdpi detach' removes it)"
					: "");
		return ret;
	}
	e->filter = true;
	return 0;
}

int egress_attach(struct egress *e, int ifindex, int prog_fd, bool no_tcx, char *err,
		  size_t err_len)
{
	e->ifindex = ifindex;
	e->link_fd = -1;
	e->filter = false;
	if (!no_tcx) {
		e->link_fd = bpf_link_create(prog_fd, ifindex, XDPI_BPF_TCX_EGRESS, NULL);
		if (e->link_fd >= 0)
			return 0;
		/* EINVAL: no tcx in this kernel; anything else is a real
		 * refusal that clsact would meet as well. */
		if (errno != EINVAL && errno != EOPNOTSUPP) {
			int ret = -errno;

			snprintf(err, err_len, "cannot attach the egress program (tcx): %s",
				 strerror(errno));
			return ret;
		}
	}
	return egress_attach_clsact(e, prog_fd, err, err_len);
}

const char *egress_hook_name(const struct egress *e)
{
	return e->link_fd >= 0 ? "tcx" : e->filter ? "clsact" : "none";
}

int egress_detach(struct egress *e)
{
	int ret = 0;

	if (e->link_fd >= 0) {
		close(e->link_fd);
		e->link_fd = -1;
	}
	if (e->filter) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = e->ifindex,
			    .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XDPI_TC_HANDLE,
			    .priority = XDPI_TC_PRIORITY);

		ret = bpf_tc_detach(&hook, &opts);
		/* The interface (and its qdisc) may be gone already. */
		if (ret == -ENOENT || ret == -ENODEV || ret == -EINVAL)
			ret = 0;
		e->filter = false;
	}
	return ret;
}

/* Whether the program @id is xdpi's egress program. */
static bool egress_prog_is_ours(__u32 id)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	bool ours;

	if (fd < 0)
		return false;
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       !strcmp(info.name, XDPI_EGRESS_PROG_NAME);
	close(fd);
	return ours;
}

int egress_detach_stale(int ifindex, char *err, size_t err_len)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XDPI_TC_HANDLE, .priority = XDPI_TC_PRIORITY);
	int ret = bpf_tc_query(&hook, &opts);

	if (ret == -ENOENT || ret == -EINVAL)
		return 0; /* no clsact, or no filter of ours */
	if (ret) {
		snprintf(err, err_len, "cannot query the egress hook: %s", strerror(-ret));
		return ret;
	}
	if (!egress_prog_is_ours(opts.prog_id)) {
		snprintf(err, err_len,
			 "the clsact egress filter %#x:%#x is not xdpi's program: left in place",
			 XDPI_TC_HANDLE, XDPI_TC_PRIORITY);
		return -EBUSY;
	}
	/* bpf_tc_detach() wants the handle and priority alone. */
	LIBBPF_OPTS(bpf_tc_opts, del, .handle = XDPI_TC_HANDLE, .priority = XDPI_TC_PRIORITY);
	ret = bpf_tc_detach(&hook, &del);
	if (ret) {
		snprintf(err, err_len, "cannot remove the egress filter: %s", strerror(-ret));
		return ret;
	}
	return 1;
}
