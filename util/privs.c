// SPDX-License-Identifier: MIT
#include "privs.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "log.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int xdpi_check_privileges(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (has_cap(data, CAP_NET_ADMIN) &&
	    (has_cap(data, CAP_BPF) || has_cap(data, CAP_SYS_ADMIN)))
		return 0;
	xdpi_err("needs CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach XDP "
		 "and bind AF_XDP sockets: run as root");
	return -EPERM;
}
