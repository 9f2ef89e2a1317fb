// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A test's stand-in for a NIC that strips VLAN tags: on the sender's egress
 * (tc), it gives every frame an 802.1Q tag out of band (the skb's VLAN
 * field, not the bytes), as a NIC's receive offload leaves a stripped tag.
 * veth carries the field across, and its XDP metadata kfunc hands it to the
 * receiver's XDP program; the frame's bytes never hold it. A frame with a
 * tag in its bytes keeps it there, inside the new one (QinQ).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TEST_VLAN_ID 100

SEC("tc")
int vlan_push(struct __sk_buff *skb)
{
	bpf_skb_vlan_push(skb, bpf_htons(0x8100), TEST_VLAN_ID);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
