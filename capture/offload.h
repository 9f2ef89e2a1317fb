/* SPDX-License-Identifier: MIT */
/*
 * What a NIC does to a frame before XDP sees it, and what xdpi does about
 * it (docs/live.md, "Jumbo frames" and "NIC metadata"):
 *
 * - the MTU, which decides the longest frame and so whether the sockets
 *   need multi-buffer;
 * - VLAN tag stripping (rx-vlan-offload): most NICs take the 802.1Q tag
 *   out of the frame. Where the driver hands the tag to XDP (the
 *   bpf_xdp_metadata_rx_vlan_tag kfunc: veth, mlx5, ice on Linux 6.8+),
 *   the XDP program passes it on; elsewhere xdpi turns stripping off for
 *   the run and restores it at the end (offload_vlan_strip_off()).
 *
 * Errors: int functions return 0 or a negative errno.
 * Concurrency: none; the capture's controlling thread.
 */
#ifndef XDPI_CAPTURE_OFFLOAD_H
#define XDPI_CAPTURE_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The interface's MTU (SIOCGIFMTU). */
int offload_mtu(const char *ifname, uint32_t *mtu);

/* Whether @driver hands XDP the VLAN tag it stripped, when the running
 * kernel has the kfunc for it (offload_kernel_has_vlan_kfunc()). */
bool offload_driver_has_vlan_kfunc(const char *driver);
/* Whether the driver gives XDP any metadata at all (hash, time, tag). */
bool offload_driver_has_metadata(const char *driver);
/* Whether the kernel has bpf_xdp_metadata_rx_vlan_tag (Linux 6.8), from
 * its BTF. */
bool offload_kernel_has_vlan_kfunc(void);

/* The two stripping features: 802.1Q (rx-vlan-offload, the kernel's
 * "rx-vlan-hw-parse") and 802.1ad ("rx-vlan-stag-hw-parse"). */
enum offload_vlan_feature {
	OFFLOAD_VLAN_CTAG = 0,
	OFFLOAD_VLAN_STAG,
	OFFLOAD_VLAN__MAX,
};

struct offload_vlan_state {
	bool known[OFFLOAD_VLAN__MAX];	 /* the NIC has the feature */
	bool on[OFFLOAD_VLAN__MAX];	 /* it is active */
	bool fixed[OFFLOAD_VLAN__MAX];	 /* the driver cannot change it */
	bool changed[OFFLOAD_VLAN__MAX]; /* turned off by xdpi: to restore */
};

/* Reads the stripping features of @ifname. */
int offload_vlan_read(const char *ifname, struct offload_vlan_state *st);
/* Turns off the active, changeable stripping features, recording which in
 * st->changed. Returns 0, or -errno when one could not be turned off (the
 * others stay off and recorded). */
int offload_vlan_strip_off(const char *ifname, struct offload_vlan_state *st);
/* Turns back on what offload_vlan_strip_off() turned off. */
int offload_vlan_restore(const char *ifname, struct offload_vlan_state *st);
/* Some stripping feature is active now. */
bool offload_vlan_stripping(const struct offload_vlan_state *st);

#endif /* XDPI_CAPTURE_OFFLOAD_H */
