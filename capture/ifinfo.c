// SPDX-License-Identifier: MIT
#include "ifinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf/owner.h"
#include "../bpf/progs.h"
#include "../xsk/iface.h"

/* xdpi's steering program on the hook (its name needs privileges to read;
 * without, nothing is said) with no running run owning it. */
static bool ifinfo_stale(const struct ifinfo *i)
{
	if (!i->hook_known || !i->hook.prog_id ||
	    (strcmp(i->hook.prog_name, XDPI_STEER_PROG_NAME) &&
	     strcmp(i->hook.prog_name, XDPI_STEER_META_PROG_NAME)))
		return false;
	return xdpi_owner_probe(i->ifindex) == 0;
}

static int ifinfo_one(const char *name, struct ifinfo *i)
{
	int ret;

	memset(i, 0, sizeof(*i));
	ret = guard_facts_gather(name, getenv("SSH_CONNECTION"), &i->facts);
	if (ret)
		return ret;
	snprintf(i->name, sizeof(i->name), "%s", i->facts.ifname);
	i->ifindex = (int)if_nametoindex(name);
	i->guard = guard_decide(&i->facts);
	i->rx_queues = iface_rx_queues(name);
	iface_driver(name, i->driver, sizeof(i->driver));
	i->hook_known = !xdpi_hook_query(i->ifindex, &i->hook);
	i->stale = ifinfo_stale(i);
	i->features_known = !iface_xdp_features(i->ifindex, &i->xdp_features);
	return 0;
}

int ifinfo_list(const char *const *names, int n, struct ifinfo **out, const char **bad)
{
	struct if_nameindex *all = NULL;
	struct ifinfo *list;
	int count = 0, ret;

	*out = NULL;
	if (!n) {
		all = if_nameindex();
		if (!all)
			return -errno;
		while (all[n].if_index)
			n++;
	}
	list = calloc((size_t)(n ? n : 1), sizeof(*list));
	if (!list) {
		if_freenameindex(all);
		return -ENOMEM;
	}
	for (int k = 0; k < n; k++) {
		const char *name = all ? all[k].if_name : names[k];

		ret = ifinfo_one(name, &list[count]);
		if (!ret) {
			count++;
		} else if (!all) { /* one the user named */
			*bad = name;
			free(list);
			return ret;
		} /* else: gone since the listing */
	}
	if (all)
		if_freenameindex(all);
	*out = list;
	return count;
}
