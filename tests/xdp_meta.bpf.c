// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* For tests: an XDP program that calls bpf_xdp_adjust_meta(). Whether
 * iproute2 can load it tells a test, independently of xdpi's own probe,
 * whether this kernel lets XDP programs use the metadata area. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int meta_probe(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_PASS;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
