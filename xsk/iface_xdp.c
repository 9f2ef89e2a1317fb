// SPDX-License-Identifier: MIT
/*
 * A device's XDP features (iface.h), asked of the kernel's "netdev"
 * generic-netlink family (Linux 6.3+): the family id first (nlctrl), then
 * NETDEV_CMD_DEV_GET for one ifindex. Plain netlink, one request at a
 * time: the constants of linux/netdev.h are written here because Debian
 * 12's kernel headers (6.1) predate it; libbpf 1.1's bpf_xdp_query() has
 * no feature_flags yet.
 */
#include "iface.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#define NETDEV_FAMILY_NAME "netdev"
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3

static const char *const feature_names[IFACE_XDP__COUNT] = {
	"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg",
};

const char *iface_xdp_feature_name(int i)
{
	return i >= 0 && i < IFACE_XDP__COUNT ? feature_names[i] : "?";
}

struct genl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[64];
};

static void req_put(struct genl_req *r, unsigned short type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void req_init(struct genl_req *r, unsigned short family, unsigned char cmd)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = family;
	r->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->n.nlmsg_seq = 1;
	r->g.cmd = cmd;
	r->g.version = 1;
}

/* Sends @r and finds attribute @want in the answer: copies at most @len
 * bytes of it into @out. 0, -ENOENT when the answer lacks it, or the
 * kernel's -errno. */
static int genl_ask(int fd, struct genl_req *r, unsigned short want, void *out, size_t len)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool found = false;
	ssize_t n;

	if (send(fd, r, r->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct nlattr *a;
			int rest;

			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				/* The ack (error 0) ends the answer. */
				return e->error ? e->error : found ? 0 : -ENOENT;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return found ? 0 : -ENOENT;
			a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
			rest = (int)h->nlmsg_len - (int)NLMSG_LENGTH(GENL_HDRLEN);
			while (rest >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= rest) {
				if ((a->nla_type & NLA_TYPE_MASK) == want) {
					size_t alen = a->nla_len - NLA_HDRLEN;

					memcpy(out, (char *)a + NLA_HDRLEN,
					       alen < len ? alen : len);
					found = true;
				}
				rest -= NLA_ALIGN(a->nla_len);
				a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
			}
		}
	}
}

int iface_xdp_features(int ifindex, uint64_t *features)
{
	struct genl_req r;
	unsigned short family = 0;
	uint32_t idx = (uint32_t)ifindex;
	uint64_t v = 0;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	req_put(&r, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME, sizeof(NETDEV_FAMILY_NAME));
	ret = genl_ask(fd, &r, CTRL_ATTR_FAMILY_ID, &family, sizeof(family));
	if (ret) {
		ret = ret == -ENOENT ? -EOPNOTSUPP : ret; /* no netdev family: before 6.3 */
		goto out;
	}
	req_init(&r, family, NETDEV_CMD_DEV_GET);
	req_put(&r, NETDEV_A_DEV_IFINDEX, &idx, sizeof(idx));
	ret = genl_ask(fd, &r, NETDEV_A_DEV_XDP_FEATURES, &v, sizeof(v));
	if (ret == -ENOENT)
		ret = -EOPNOTSUPP;
	if (!ret)
		*features = v;
out:
	close(fd);
	return ret;
}
