// SPDX-License-Identifier: MIT
/*
 * The loop's veth pair. iproute2 makes and deletes it: the testbed does the
 * same (bench/benchrun.c), and a veth with its peer in one netlink request
 * is iproute2's job more than ours.
 */
#include "genloop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "../util/child.h"

int gen_loop_pair_create(struct gen_loop_pair *p, uint32_t mtu, char *err, size_t err_len)
{
	char m[16];
	int pid = (int)getpid();

	memset(p, 0, sizeof(*p));
	snprintf(p->a, sizeof(p->a), "xdpi-l%da", pid);
	snprintf(p->b, sizeof(p->b), "xdpi-l%db", pid);
	snprintf(m, sizeof(m), "%u", mtu ? mtu : 1500);
	{
		/* addrgenmode none: no IPv6 link-local address, so nothing the
		 * kernel sends of its own goes round. */
		char *const steps[][24] = {
			{"ip",		"link",	       "add",	      p->a,  "mtu",  m,
			 "numrxqueues", "1",	       "numtxqueues", "1",   "type", "veth",
			 "peer",	"name",	       p->b,	      "mtu", m,	     "numrxqueues",
			 "1",		"numtxqueues", "1",	      NULL},
			{"ip", "link", "set", p->a, "addrgenmode", "none", "up", NULL},
			{"ip", "link", "set", p->b, "addrgenmode", "none", "up", NULL},
		};

		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			char out[256];
			int ret = xdpi_run_cmd(steps[i], out, sizeof(out));

			if (ret) {
				snprintf(err, err_len,
					 "cannot make the generator's loop (veth %s-%s): %s%s%s",
					 p->a, p->b,
					 ret == 127 ? "`ip` could not run (iproute2 installed?)"
					 : ret < 0  ? strerror(-ret)
						    : "`ip link` failed",
					 *out ? ": " : "", out);
				gen_loop_pair_destroy(p);
				return ret < 0 ? ret : -EIO;
			}
			p->made = true; /* from the first step on, destroy deletes it */
		}
	}
	p->a_index = (int)if_nametoindex(p->a);
	p->b_index = (int)if_nametoindex(p->b);
	if (!p->a_index || !p->b_index) {
		snprintf(err, err_len, "the generator's loop %s-%s vanished as it was made", p->a,
			 p->b);
		gen_loop_pair_destroy(p);
		return -ENODEV;
	}
	return 0;
}

void gen_loop_pair_destroy(struct gen_loop_pair *p)
{
	char *const del[] = {"ip", "link", "del", p->a, NULL};

	if (p->made)
		xdpi_run_cmd(del, NULL, 0); /* deletes the peer too */
	p->made = false;
}

int gen_loop_seed(const struct gen_loop_pair *p, const uint8_t *frame, size_t len, int n)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = p->b_index,
		.sll_halen = ETH_ALEN,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), sent = 0;

	if (fd < 0)
		return -errno;
	memcpy(to.sll_addr, frame, ETH_ALEN);
	for (; sent < n; sent++)
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
			break;
	close(fd);
	return sent;
}
