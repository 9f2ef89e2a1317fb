// SPDX-License-Identifier: MIT
#include "offload.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

static int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	memset(ifr->ifr_name, 0, sizeof(ifr->ifr_name));
	strncpy(ifr->ifr_name, ifname, sizeof(ifr->ifr_name) - 1);
	if (ioctl(fd, req, ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr = {.ifr_data = cmd};
	int ret = if_ioctl(ifname, SIOCETHTOOL, &ifr);

	return ret;
}

int offload_mtu(const char *ifname, uint32_t *mtu)
{
	struct ifreq ifr = {0};
	int ret = if_ioctl(ifname, SIOCGIFMTU, &ifr);

	if (!ret)
		*mtu = (uint32_t)ifr.ifr_mtu;
	return ret;
}

/* Drivers with xdp_metadata_ops in Linux 6.8 to 6.18: which give the VLAN
 * tag, and which give anything (hash, receive time). */
static const char *const vlan_kfunc_drivers[] = {"veth", "mlx5_core", "ice"};
static const char *const metadata_drivers[] = {"veth", "mlx5_core", "ice",	 "mlx4_en",
					       "igc",  "stmmac",    "virtio_net"};

static bool listed(const char *driver, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(driver, list[i]))
			return true;
	return false;
}

bool offload_driver_has_vlan_kfunc(const char *driver)
{
	return listed(driver, vlan_kfunc_drivers,
		      sizeof(vlan_kfunc_drivers) / sizeof(vlan_kfunc_drivers[0]));
}

bool offload_driver_has_metadata(const char *driver)
{
	return listed(driver, metadata_drivers,
		      sizeof(metadata_drivers) / sizeof(metadata_drivers[0]));
}

bool offload_kernel_has_vlan_kfunc(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool has;

	if (libbpf_get_error(btf))
		return false;
	has = btf__find_by_name_kind(btf, "bpf_xdp_metadata_rx_vlan_tag", BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return has;
}

/* The kernel's names of the two features (net/ethtool/common.c). */
static const char *const vlan_feature_names[OFFLOAD_VLAN__MAX] = {
	[OFFLOAD_VLAN_CTAG] = "rx-vlan-hw-parse",
	[OFFLOAD_VLAN_STAG] = "rx-vlan-stag-hw-parse",
};

/* The bit of each feature in the kernel's feature words (-1: unknown),
 * and how many words there are. */
static int feature_bits(const char *ifname, int bit[OFFLOAD_VLAN__MAX], uint32_t *words)
{
	struct ethtool_sset_info *info;
	struct ethtool_gstrings *names;
	uint32_t count;
	int ret;

	info = calloc(1, sizeof(*info) + sizeof(uint32_t));
	if (!info)
		return -ENOMEM;
	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ull << ETH_SS_FEATURES;
	ret = ethtool(ifname, info);
	count = info->data[0];
	free(info);
	if (ret)
		return ret;
	names = calloc(1, sizeof(*names) + (size_t)count * ETH_GSTRING_LEN);
	if (!names)
		return -ENOMEM;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_FEATURES;
	names->len = count;
	ret = ethtool(ifname, names);
	for (int f = 0; f < OFFLOAD_VLAN__MAX; f++) {
		bit[f] = -1;
		for (uint32_t i = 0; !ret && i < names->len; i++)
			if (!strncmp((const char *)names->data + (size_t)i * ETH_GSTRING_LEN,
				     vlan_feature_names[f], ETH_GSTRING_LEN))
				bit[f] = (int)i;
	}
	free(names);
	*words = (count + 31) / 32;
	return ret;
}

int offload_vlan_read(const char *ifname, struct offload_vlan_state *st)
{
	struct ethtool_gfeatures *g;
	int bit[OFFLOAD_VLAN__MAX];
	uint32_t words;
	int ret;

	memset(st->known, 0, sizeof(st->known));
	memset(st->on, 0, sizeof(st->on));
	memset(st->fixed, 0, sizeof(st->fixed));
	ret = feature_bits(ifname, bit, &words);
	if (ret)
		return ret;
	g = calloc(1, sizeof(*g) + words * sizeof(g->features[0]));
	if (!g)
		return -ENOMEM;
	g->cmd = ETHTOOL_GFEATURES;
	g->size = words;
	ret = ethtool(ifname, g);
	for (int f = 0; !ret && f < OFFLOAD_VLAN__MAX; f++) {
		uint32_t w, m;

		if (bit[f] < 0)
			continue;
		w = (uint32_t)bit[f] / 32;
		m = 1u << (bit[f] % 32);
		st->known[f] = true;
		st->on[f] = g->features[w].active & m;
		st->fixed[f] =
			!(g->features[w].available & m) || (g->features[w].never_changed & m);
	}
	free(g);
	return ret;
}

static int vlan_feature_set(const char *ifname, enum offload_vlan_feature f, bool on)
{
	struct ethtool_sfeatures *s;
	int bit[OFFLOAD_VLAN__MAX];
	uint32_t words, w, m;
	int ret;

	ret = feature_bits(ifname, bit, &words);
	if (ret)
		return ret;
	if (bit[f] < 0)
		return -EOPNOTSUPP;
	s = calloc(1, sizeof(*s) + words * sizeof(s->features[0]));
	if (!s)
		return -ENOMEM;
	w = (uint32_t)bit[f] / 32;
	m = 1u << (bit[f] % 32);
	s->cmd = ETHTOOL_SFEATURES;
	s->size = words;
	s->features[w].valid = m;
	s->features[w].requested = on ? m : 0;
	/* A positive answer (ETHTOOL_F_*) says the request was not met in
	 * full: the read-back below decides. */
	ret = ethtool(ifname, s);
	free(s);
	return ret < 0 ? ret : 0;
}

int offload_vlan_strip_off(const char *ifname, struct offload_vlan_state *st)
{
	struct offload_vlan_state now;
	int ret = 0, err;

	for (int f = 0; f < OFFLOAD_VLAN__MAX; f++) {
		st->changed[f] = false;
		if (!st->known[f] || !st->on[f] || st->fixed[f])
			continue;
		err = vlan_feature_set(ifname, (enum offload_vlan_feature)f, false);
		if (!err && !(err = offload_vlan_read(ifname, &now)) && now.on[f])
			err = -EOPNOTSUPP;
		if (err) {
			ret = ret ? ret : err;
			continue;
		}
		st->changed[f] = true;
		st->on[f] = false;
	}
	return ret;
}

int offload_vlan_restore(const char *ifname, struct offload_vlan_state *st)
{
	int ret = 0, err;

	for (int f = 0; f < OFFLOAD_VLAN__MAX; f++) {
		if (!st->changed[f])
			continue;
		err = vlan_feature_set(ifname, (enum offload_vlan_feature)f, true);
		if (err)
			ret = ret ? ret : err;
		else
			st->on[f] = true;
		st->changed[f] = false;
	}
	return ret;
}

bool offload_vlan_stripping(const struct offload_vlan_state *st)
{
	for (int f = 0; f < OFFLOAD_VLAN__MAX; f++)
		if (st->known[f] && st->on[f])
			return true;
	return false;
}
