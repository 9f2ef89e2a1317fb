/* SPDX-License-Identifier: MIT */
/*
 * Interface facts and knobs around the AF_XDP sockets: RX queue count, the
 * driver and the XDP features it reports (iface_xdp.c), the driver's own
 * per-queue counters (ethtool -S), and the sysfs settings busy polling and
 * threaded NAPI need, saved and restored.
 *
 * Errors: int functions return 0 (or a count) or a negative errno.
 */
#ifndef XDPI_XSK_IFACE_H
#define XDPI_XSK_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RX queues: ETHTOOL_GCHANNELS rx + combined (veth reports only rx),
 * else the count of /sys/class/net/IF/queues/rx-*. */
int iface_rx_queues(const char *ifname);

/* The driver's name (ETHTOOL_GDRVINFO): 0, or -errno (lo has none). */
int iface_driver(const char *ifname, char *buf, size_t len);

/* The XDP features a device reports (NETDEV_XDP_ACT_*, linux/netdev.h,
 * which Debian 12's headers predate). */
enum {
	IFACE_XDP_BASIC = 1u << 0, /* native XDP: pass, drop, abort, tx */
	IFACE_XDP_REDIRECT = 1u << 1,
	IFACE_XDP_NDO_XMIT = 1u << 2, /* target of XDP_REDIRECT */
	IFACE_XDP_XSK_ZEROCOPY = 1u << 3,
	IFACE_XDP_HW_OFFLOAD = 1u << 4,
	IFACE_XDP_RX_SG = 1u << 5,
	IFACE_XDP_NDO_XMIT_SG = 1u << 6,
	IFACE_XDP__COUNT = 7,
};
/* The kernel's name of feature bit @i ("basic", "xsk-zerocopy", ...). */
const char *iface_xdp_feature_name(int i);
/* The device's XDP features, from the netdev generic-netlink family
 * (NETDEV_CMD_DEV_GET, Linux 6.3+). 0, -EOPNOTSUPP when the kernel does
 * not report them, or another -errno. */
int iface_xdp_features(int ifindex, uint64_t *features);

#define IFACE_MAX_QUEUE_COUNTERS 16

struct iface_queue_counters {
	int count;
	struct {
		char name[32]; /* the part after "rx_queue_N_" */
		uint64_t value;
	} c[IFACE_MAX_QUEUE_COUNTERS];
};

/* The driver's counters named <dir>_queue_<queue>_* (dir "rx" or "tx");
 * count 0 if it has none. */
int iface_queue_counters(const char *ifname, const char *dir, uint32_t queue,
			 struct iface_queue_counters *out);

/* A sysfs knob of /sys/class/net/IF/, saved so that it can be put back. */
struct iface_knob {
	char path[128];
	char saved[32];
	bool changed;
};

/* Writes @value to /sys/class/net/@ifname/@name, saving the old value in
 * @k. Restoring a knob that was not changed does nothing. */
int iface_knob_set(struct iface_knob *k, const char *ifname, const char *name, const char *value);
int iface_knob_restore(struct iface_knob *k);
/* Reads /sys/class/net/@ifname/@name as a number. */
int iface_knob_read(const char *ifname, const char *name, long *value);

/*
 * The IRQ deferral that preferred busy polling wants (napi_defer_hard_irqs,
 * gro_flush_timeout) holds a NAPI for gro_flush_timeout after each poll. The
 * device ring must absorb the traffic of that time, or the NIC (or veth's
 * peer) drops before XDP sees anything. These size it.
 */
struct iface_rx_path {
	uint32_t ring_depth; /* RX descriptors: ETHTOOL_GRINGPARAM, else the driver's known size */
	uint32_t speed_mbps; /* link speed, else 10000 */
	bool ring_guessed;   /* the driver did not report its ring */
	char driver[32];
};

void iface_rx_path(const char *ifname, struct iface_rx_path *p);
/* The longest deferral the ring absorbs at line rate with 64-byte frames,
 * halved for the worker's own latency, in ns (at least 2000, at most
 * 200000). */
uint32_t iface_safe_deferral_ns(const struct iface_rx_path *p);
/* The highest packet rate the ring absorbs while a NAPI is held @defer_ns
 * (0 when @defer_ns is 0: no bound). */
double iface_deferral_max_pps(const struct iface_rx_path *p, uint64_t defer_ns);

#endif /* XDPI_XSK_IFACE_H */
