// SPDX-License-Identifier: MIT
#include "attach.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "progs.h"

/* Refuses to attach over a program libxdp cannot share, unless forced
 * (then removes it). Our own program left by a killed run is named as
 * such, with the command that removes it. */
static int check_existing(struct xdp_program *prog, const struct xdpi_attach_opts *o, char *err,
			  size_t err_len)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(o->ifindex);
	struct xdp_program *main_prog;
	int ret = 0;

	if (libxdp_get_error(mp))
		return 0; /* nothing attached (or unreadable: attach will tell) */
	main_prog = xdp_multiprog__main_prog(mp);
	if (!main_prog || !xdp_multiprog__is_legacy(mp))
		goto out; /* empty, or a dispatcher we can join */
	if (o->force) {
		ret = xdp_multiprog__detach(mp);
		if (ret)
			snprintf(err, err_len, "%s: cannot remove program '%s': %s", o->ifname,
				 xdp_program__name(main_prog), strerror(-ret));
		goto out;
	}
	if (!strcmp(xdp_program__name(main_prog), xdp_program__name(prog)) ||
	    !strcmp(xdp_program__name(main_prog), XDPI_STEER_META_PROG_NAME))
		snprintf(err, err_len,
			 "%s already has an xdpi program attached (id %u), maybe from a "
			 "killed run: remove it with 'xdpi detach %s'",
			 o->ifname, xdp_program__id(main_prog), o->ifname);
	else
		snprintf(err, err_len,
			 "%s already has XDP program '%s' (id %u) attached, which libxdp "
			 "cannot share: detach it, or use --force to replace it",
			 o->ifname, xdp_program__name(main_prog), xdp_program__id(main_prog));
	ret = -EBUSY;
out:
	xdp_multiprog__close(mp);
	return ret;
}

static enum xdp_attach_mode libxdp_mode(enum xdpi_attach_mode m)
{
	return m == XDPI_ATTACH_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

static int attach_in(struct xdpi_attach *a, enum xdpi_attach_mode m)
{
	int ret = xdp_program__attach(a->prog, a->ifindex, libxdp_mode(m), 0);

	if (!ret)
		a->mode = m;
	return ret;
}

static void attach_error(const struct xdpi_attach_opts *o, int ret, char *err, size_t err_len)
{
	if (ret == -EPERM)
		snprintf(err, err_len,
			 "cannot attach XDP to %s: permission denied "
			 "(needs CAP_NET_ADMIN and CAP_BPF)",
			 o->ifname);
	else if (ret == -EEXIST || ret == -EBUSY)
		snprintf(err, err_len,
			 "cannot attach XDP to %s: another program is attached "
			 "in another mode (use --force or detach it)",
			 o->ifname);
	else
		snprintf(err, err_len, "cannot attach XDP to %s (%s mode): %s", o->ifname,
			 o->mode == XDPI_ATTACH_SKB ? "skb" : "native", strerror(-ret));
}

int xdpi_attach_program(struct xdpi_attach *a, struct xdp_program *prog,
			const struct xdpi_attach_opts *o, char *err, size_t err_len)
{
	struct xdp_multiprog *mp;
	int ret;

	memset(a, 0, sizeof(*a));
	a->ifindex = o->ifindex;
	a->prog = prog;
	ret = check_existing(prog, o, err, err_len);
	if (ret)
		return ret;
	switch (o->mode) {
	case XDPI_ATTACH_NATIVE:
	case XDPI_ATTACH_SKB:
		ret = attach_in(a, o->mode);
		break;
	default:
		ret = attach_in(a, XDPI_ATTACH_NATIVE);
		if (ret == -EOPNOTSUPP || ret == -EINVAL)
			ret = attach_in(a, XDPI_ATTACH_SKB);
		break;
	}
	if (ret) {
		attach_error(o, ret, err, err_len);
		return ret;
	}
	a->attached = true;
	mp = xdp_multiprog__get_from_ifindex(a->ifindex);
	if (!libxdp_get_error(mp)) {
		a->multiprog = !xdp_multiprog__is_legacy(mp);
		xdp_multiprog__close(mp);
	}
	return 0;
}

static uint32_t direct_mode_flags(enum xdpi_attach_mode m)
{
	switch (m) {
	case XDPI_ATTACH_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	case XDPI_ATTACH_SKB:
		return XDP_FLAGS_SKB_MODE;
	default:
		return 0; /* the kernel's choice */
	}
}

int xdpi_attach_fd(struct xdpi_attach *a, int prog_fd, const struct xdpi_attach_opts *o)
{
	uint32_t flags = direct_mode_flags(o->mode);
	int ret;

	memset(a, 0, sizeof(*a));
	a->ifindex = o->ifindex;
	a->prog_fd = prog_fd;
	a->mode = o->mode;
	if (!o->force)
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	ret = bpf_xdp_attach(o->ifindex, prog_fd, flags, NULL);
	a->attached = !ret;
	return ret;
}

int xdpi_detach(struct xdpi_attach *a)
{
	int ret;

	if (!a->attached)
		return 0;
	if (a->prog) {
		ret = xdp_program__detach(a->prog, a->ifindex, libxdp_mode(a->mode), 0);
	} else {
		/* Only if it is still ours: someone may have replaced it. */
		LIBBPF_OPTS(bpf_xdp_attach_opts, dopts, .old_prog_fd = a->prog_fd);

		ret = bpf_xdp_detach(a->ifindex, direct_mode_flags(a->mode) | XDP_FLAGS_REPLACE,
				     &dopts);
	}
	a->attached = false;
	return ret;
}

const char *xdpi_attach_mode_name(const struct xdpi_attach *a)
{
	return a->mode == XDPI_ATTACH_SKB ? "skb" : "native";
}

int xdpi_hook_query(int ifindex, struct xdpi_hook *out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {0};
	uint32_t len = sizeof(info);
	int ret, fd;

	memset(out, 0, sizeof(*out));
	ret = bpf_xdp_query(ifindex, 0, &q);
	if (ret)
		return ret;
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		out->mode = "native";
		out->prog_id = q.drv_prog_id;
		break;
	case XDP_ATTACHED_SKB:
		out->mode = "skb";
		out->prog_id = q.skb_prog_id;
		break;
	case XDP_ATTACHED_HW:
		out->mode = "hw";
		out->prog_id = q.hw_prog_id;
		break;
	case XDP_ATTACHED_MULTI:
		out->mode = "multi";
		out->prog_id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
		break;
	default:
		return 0;
	}
	fd = bpf_prog_get_fd_by_id(out->prog_id);
	if (fd < 0)
		return 0; /* the id is known, the name needs privileges */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		snprintf(out->prog_name, sizeof(out->prog_name), "%.*s",
			 (int)sizeof(out->prog_name) - 1, info.name);
	close(fd);
	return 0;
}
