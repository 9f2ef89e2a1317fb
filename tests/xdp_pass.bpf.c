// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A foreign XDP program for tests: attached with iproute2, not libxdp, so
 * libxdp cannot share the interface with it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int foreign_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
