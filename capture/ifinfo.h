/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi interfaces` shows of each interface of the current network
 * namespace: RX queues, driver, link state, addresses and whether the
 * guard (guard.h) would refuse it without --takeover, the program on its
 * XDP hook, and the XDP features the kernel reports (native XDP,
 * AF_XDP zero-copy; Linux 6.3+, else unknown). export/iface_report.h
 * renders it.
 *
 * Concurrency: none inside.
 * Errors: ifinfo_list() returns a count or a negative errno.
 */
#ifndef XDPI_CAPTURE_IFINFO_H
#define XDPI_CAPTURE_IFINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "../bpf/attach.h"
#include "guard.h"

struct ifinfo {
	char name[IF_NAMESIZE];
	int ifindex;
	int rx_queues;		  /* < 0: unknown */
	char driver[32];	  /* "" when the driver does not say (lo) */
	struct guard_facts facts; /* addresses, routes, master, link state */
	unsigned guard;		  /* guard_decide(): 0 for a capture port */
	bool hook_known;	  /* the XDP hook could be read */
	struct xdpi_hook hook;
	/* The hook holds xdpi's steering program and no running `xdpi live`
	 * owns it (bpf/owner.h): left by a run that was killed. */
	bool stale;
	bool features_known;   /* the kernel reported the XDP features */
	uint64_t xdp_features; /* IFACE_XDP_* (xsk/iface.h) */
};

/* The interfaces named in @names (@n of them), or every interface of the
 * namespace when @n is 0, in ifindex order. Returns the count and sets
 * *@out (free() it), or -ENOMEM, or -ENODEV with *@bad set to the first
 * name that is no interface. */
int ifinfo_list(const char *const *names, int n, struct ifinfo **out, const char **bad);

#endif /* XDPI_CAPTURE_IFINFO_H */
