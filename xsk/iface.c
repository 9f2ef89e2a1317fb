// SPDX-License-Identifier: MIT
#include "iface.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

static int ethtool_ioctl(const char *ifname, void *cmd)
{
	struct ifreq ifr = {0};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		ret = -errno;
	close(fd);
	return ret;
}

int iface_rx_queues(const char *ifname)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	char path[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (!ethtool_ioctl(ifname, &ch) && ch.rx_count + ch.combined_count > 0)
		return (int)(ch.rx_count + ch.combined_count);
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "rx-", 3);
	closedir(d);
	return n ? n : 1;
}

int iface_driver(const char *ifname, char *buf, size_t len)
{
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	int ret = ethtool_ioctl(ifname, &drv);

	if (!ret)
		snprintf(buf, len, "%.*s", (int)sizeof(drv.driver), drv.driver);
	return ret;
}

int iface_queue_counters(const char *ifname, const char *dir, uint32_t queue,
			 struct iface_queue_counters *out)
{
	struct ethtool_sset_info *info;
	struct ethtool_gstrings *strings = NULL;
	struct ethtool_stats *stats = NULL;
	char prefix[32];
	uint32_t n, i;
	size_t plen;
	int ret;

	memset(out, 0, sizeof(*out));
	info = calloc(1, sizeof(*info) + sizeof(uint32_t));
	if (!info)
		return -ENOMEM;
	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ull << ETH_SS_STATS;
	ret = ethtool_ioctl(ifname, info);
	if (ret || !info->sset_mask) {
		ret = ret == -EOPNOTSUPP ? 0 : ret; /* no driver counters */
		goto out;
	}
	n = info->data[0];
	strings = calloc(1, sizeof(*strings) + (size_t)n * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + (size_t)n * sizeof(uint64_t));
	if (!strings || !stats) {
		ret = -ENOMEM;
		goto out;
	}
	strings->cmd = ETHTOOL_GSTRINGS;
	strings->string_set = ETH_SS_STATS;
	strings->len = n;
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = n;
	ret = ethtool_ioctl(ifname, strings);
	if (!ret)
		ret = ethtool_ioctl(ifname, stats);
	if (ret)
		goto out;
	snprintf(prefix, sizeof(prefix), "%s_queue_%u_", dir, queue);
	plen = strlen(prefix);
	for (i = 0; i < n && out->count < IFACE_MAX_QUEUE_COUNTERS; i++) {
		const char *name = (const char *)strings->data + (size_t)i * ETH_GSTRING_LEN;

		if (strncmp(name, prefix, plen))
			continue;
		snprintf(out->c[out->count].name, sizeof(out->c[0].name), "%.*s",
			 (int)(ETH_GSTRING_LEN - plen), name + plen);
		out->c[out->count].value = stats->data[i];
		out->count++;
	}
out:
	free(info);
	free(strings);
	free(stats);
	return ret;
}

static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int write_file(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

int iface_knob_read(const char *ifname, const char *name, long *value)
{
	char path[128], buf[32];
	int ret;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, name);
	ret = read_file(path, buf, sizeof(buf));
	if (!ret)
		*value = strtol(buf, NULL, 0);
	return ret;
}

int iface_knob_set(struct iface_knob *k, const char *ifname, const char *name, const char *value)
{
	int ret;

	memset(k, 0, sizeof(*k));
	snprintf(k->path, sizeof(k->path), "/sys/class/net/%s/%s", ifname, name);
	ret = read_file(k->path, k->saved, sizeof(k->saved));
	if (ret)
		return ret;
	if (!strcmp(k->saved, value))
		return 0;
	ret = write_file(k->path, value);
	if (!ret)
		k->changed = true;
	return ret;
}

int iface_knob_restore(struct iface_knob *k)
{
	int ret;

	if (!k->changed)
		return 0;
	ret = write_file(k->path, k->saved);
	if (!ret)
		k->changed = false;
	return ret;
}

/* veth's ptr_ring (VETH_RING_SIZE); veth reports no ring parameters. */
#define VETH_RING_SIZE 256
/* A 64-byte frame takes 84 bytes of wire time (preamble, FCS, gap). */
#define MIN_FRAME_WIRE_BITS 672

void iface_rx_path(const char *ifname, struct iface_rx_path *p)
{
	struct ethtool_ringparam ring = {.cmd = ETHTOOL_GRINGPARAM};
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	struct ethtool_cmd link = {.cmd = ETHTOOL_GSET};

	memset(p, 0, sizeof(*p));
	if (!ethtool_ioctl(ifname, &drv))
		snprintf(p->driver, sizeof(p->driver), "%s", drv.driver);
	if (!ethtool_ioctl(ifname, &ring) && ring.rx_pending) {
		p->ring_depth = ring.rx_pending;
	} else {
		p->ring_depth = VETH_RING_SIZE; /* veth's, and a small NIC ring */
		p->ring_guessed = strcmp(p->driver, "veth") != 0;
	}
	p->speed_mbps = 10000;
	if (!ethtool_ioctl(ifname, &link)) {
		uint32_t speed = ethtool_cmd_speed(&link);

		if (speed && speed != (uint32_t)SPEED_UNKNOWN)
			p->speed_mbps = speed;
	}
}

uint32_t iface_safe_deferral_ns(const struct iface_rx_path *p)
{
	/* ns per minimum frame at line rate = bits / (Mbit/s * 1e6) * 1e9 */
	uint64_t frame_ns_x1000 = (uint64_t)MIN_FRAME_WIRE_BITS * 1000000 / p->speed_mbps;
	uint64_t ns = (uint64_t)p->ring_depth * frame_ns_x1000 / 1000 / 2;

	if (ns < 2000)
		ns = 2000;
	if (ns > 200000)
		ns = 200000;
	return (uint32_t)ns;
}

double iface_deferral_max_pps(const struct iface_rx_path *p, uint64_t defer_ns)
{
	return defer_ns ? (double)p->ring_depth * 1e9 / (double)defer_ns : 0;
}
