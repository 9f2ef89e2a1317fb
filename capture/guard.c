// SPDX-License-Identifier: MIT
/*
 * The guard (guard.h): facts about an interface, then a decision taken
 * from the facts alone. Reading the facts never fails the run: a fact
 * that cannot be read (no IPv6, no sysfs) is simply not there.
 */
#include "guard.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/route.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../util/log.h"

/* Appends to a bounded buffer; the length grows as snprintf's would. */
struct strbuf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void sb_add(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->len < b->cap ? b->s + b->len : NULL, b->len < b->cap ? b->cap - b->len : 0,
		      fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

static bool addr_link_local(const struct guard_addr *a)
{
	return a->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a->v6);
}

static bool addr_equal(const struct guard_addr *a, const struct guard_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET ? a->v4.s_addr == b->v4.s_addr
				    : !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

const char *guard_addr_str(const struct guard_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family,
		       a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

int guard_parse_ssh(const char *value, struct guard_addr *out)
{
	char client[64], server[64], *scope;
	unsigned cport, sport;

	memset(out, 0, sizeof(*out));
	if (!value || sscanf(value, "%63s %u %63s %u", client, &cport, server, &sport) != 4)
		return -EINVAL;
	scope = strchr(server, '%'); /* fe80::1%eth0 */
	if (scope)
		*scope = 0;
	if (inet_pton(AF_INET, server, &out->v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, server, &out->v6) != 1)
		return -EINVAL;
	out->family = AF_INET6;
	if (IN6_IS_ADDR_V4MAPPED(&out->v6)) {
		struct in_addr v4;

		memcpy(&v4, &out->v6.s6_addr[12], sizeof(v4));
		out->family = AF_INET;
		out->v4 = v4;
	}
	return 0;
}

/* /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask
 * ...", hexadecimal; the default route has destination and mask 0. */
bool guard_route4_default(FILE *route, const char *ifname)
{
	char line[512], dev[IF_NAMESIZE + 1];
	unsigned dst, gw, flags, mask;
	int refcnt, use, metric;

	while (fgets(line, sizeof(line), route)) {
		if (sscanf(line, "%16s %x %x %x %d %d %d %x", dev, &dst, &gw, &flags, &refcnt, &use,
			   &metric, &mask) != 8)
			continue; /* the header */
		if (!strcmp(dev, ifname) && !dst && !mask && (flags & RTF_UP) &&
		    !(flags & RTF_REJECT))
			return true;
	}
	return false;
}

/* /proc/net/ipv6_route: "dest plen src plen nexthop metric refcnt use
 * flags dev", hexadecimal; the default route is ::/0. */
bool guard_route6_default(FILE *route, const char *ifname)
{
	char line[512], dst[33], src[33], nh[33], dev[IF_NAMESIZE + 1];
	unsigned plen, splen, metric, refcnt, use, flags;

	while (fgets(line, sizeof(line), route)) {
		if (sscanf(line, "%32s %x %32s %x %32s %x %x %x %x %16s", dst, &plen, src, &splen,
			   nh, &metric, &refcnt, &use, &flags, dev) != 10)
			continue;
		if (!strcmp(dev, ifname) && !plen && strspn(dst, "0") == 32 && (flags & RTF_UP) &&
		    !(flags & RTF_REJECT))
			return true;
	}
	return false;
}

static bool route_file(const char *path, bool (*parse)(FILE *, const char *), const char *ifname)
{
	FILE *f = fopen(path, "re");
	bool found;

	if (!f)
		return false; /* no IPv6, or no procfs: no route known */
	found = parse(f, ifname);
	fclose(f);
	return found;
}

/* IPv4 addresses carry a label, "eth0" or an alias "eth0:1"; IPv6
 * addresses the device name. */
static bool addr_on(const struct ifaddrs *ifa, const char *ifname)
{
	size_t n = strlen(ifname);

	return ifa->ifa_name && !strncmp(ifa->ifa_name, ifname, n) &&
	       (ifa->ifa_name[n] == 0 ||
		(ifa->ifa_name[n] == ':' && ifa->ifa_addr->sa_family == AF_INET));
}

static void gather_addresses(struct guard_facts *f)
{
	struct ifaddrs *list, *ifa;

	if (getifaddrs(&list))
		return;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		struct guard_addr *a = &f->addr[f->naddr];

		if (!ifa->ifa_addr ||
		    (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6) ||
		    !addr_on(ifa, f->ifname))
			continue;
		if (f->naddr == GUARD_MAX_ADDRS) {
			f->nmore++;
			continue;
		}
		a->family = ifa->ifa_addr->sa_family;
		if (a->family == AF_INET)
			a->v4 = ((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr;
		else
			a->v6 = ((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)
					->sin6_addr;
		f->naddr++;
	}
	freeifaddrs(list);
}

static bool sys_exists(const char *ifname, const char *entry)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, entry);
	return !access(path, F_OK);
}

/* The master (bridge, bond, ...) and the devices stacked on the interface:
 * sysfs links "master" and "upper_NAME" (the master has one too). */
static void gather_stacking(struct guard_facts *f)
{
	char path[128], target[256], *base;
	struct dirent *de;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", f->ifname);
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = 0;
		base = strrchr(target, '/');
		snprintf(f->master, sizeof(f->master), "%.*s", (int)sizeof(f->master) - 1,
			 base ? base + 1 : target);
		if (sys_exists(f->ifname, "brport"))
			snprintf(f->master_kind, sizeof(f->master_kind), "bridge");
		else if (sys_exists(f->ifname, "bonding_slave"))
			snprintf(f->master_kind, sizeof(f->master_kind), "bond");
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s", f->ifname);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *up = de->d_name + 6;

		if (strncmp(de->d_name, "upper_", 6) || !strcmp(up, f->master))
			continue;
		if (!f->nupper++)
			snprintf(f->upper, sizeof(f->upper), "%.*s", (int)sizeof(f->upper) - 1, up);
	}
	closedir(d);
}

static void gather_link(struct guard_facts *f)
{
	struct ifreq ifr = {0};
	char path[128];
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", f->ifname);
		if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
			f->link_known = true;
			f->up = ifr.ifr_flags & IFF_UP;
			f->running = ifr.ifr_flags & IFF_RUNNING;
		}
		close(fd);
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", f->ifname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, f->operstate, sizeof(f->operstate) - 1);
	close(fd);
	f->operstate[n > 0 ? n : 0] = 0;
	f->operstate[strcspn(f->operstate, "\n")] = 0;
}

int guard_facts_gather(const char *ifname, const char *ssh_connection, struct guard_facts *f)
{
	memset(f, 0, sizeof(*f));
	if (strlen(ifname) >= sizeof(f->ifname) || !if_nametoindex(ifname))
		return -ENODEV;
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	gather_addresses(f);
	f->route4 = route_file("/proc/net/route", guard_route4_default, ifname);
	f->route6 = route_file("/proc/net/ipv6_route", guard_route6_default, ifname);
	f->has_ssh = ssh_connection && !guard_parse_ssh(ssh_connection, &f->ssh);
	gather_stacking(f);
	gather_link(f);
	return 0;
}

int guard_host_addresses(const struct guard_facts *f)
{
	int n = f->nmore;

	for (int i = 0; i < f->naddr; i++)
		n += !addr_link_local(&f->addr[i]);
	return n;
}

static bool ssh_on(const struct guard_facts *f)
{
	if (!f->has_ssh)
		return false;
	for (int i = 0; i < f->naddr; i++)
		if (addr_equal(&f->addr[i], &f->ssh))
			return true;
	return false;
}

unsigned guard_decide(const struct guard_facts *f)
{
	unsigned r = 0;

	if (guard_host_addresses(f))
		r |= GUARD_ADDRESS;
	if (f->route4)
		r |= GUARD_ROUTE4;
	if (f->route6)
		r |= GUARD_ROUTE6;
	if (ssh_on(f))
		r |= GUARD_SSH;
	if (f->master[0])
		r |= GUARD_MASTER;
	if (f->nupper)
		r |= GUARD_UPPER;
	return r;
}

const char *guard_reason_name(unsigned reason)
{
	switch (reason) {
	case GUARD_ADDRESS:
		return "address";
	case GUARD_ROUTE4:
		return "default_route_ipv4";
	case GUARD_ROUTE6:
		return "default_route_ipv6";
	case GUARD_SSH:
		return "ssh_session";
	case GUARD_MASTER:
		return "master";
	case GUARD_UPPER:
		return "upper";
	default:
		return "?";
	}
}

/* "port of bridge br0", "slave of bond bond0", "enslaved to vrf0". */
static void sb_master(struct strbuf *b, const struct guard_facts *f)
{
	if (!strcmp(f->master_kind, "bridge"))
		sb_add(b, "port of bridge %s", f->master);
	else if (!strcmp(f->master_kind, "bond"))
		sb_add(b, "slave of bond %s", f->master);
	else
		sb_add(b, "enslaved to %s", f->master);
}

/* Up to three addresses that count, then how many more. */
static void sb_addresses(struct strbuf *b, const struct guard_facts *f)
{
	int n = guard_host_addresses(f), shown = 0;
	char s[INET6_ADDRSTRLEN];

	for (int i = 0; i < f->naddr && shown < 3; i++) {
		if (addr_link_local(&f->addr[i]))
			continue;
		sb_add(b, "%s%s", shown++ ? ", " : "", guard_addr_str(&f->addr[i], s, sizeof(s)));
	}
	if (n > shown)
		sb_add(b, "%s%d more", shown ? " and " : "", n - shown);
}

size_t guard_explain(const struct guard_facts *f, unsigned reasons, char *buf, size_t len)
{
	struct strbuf b = {buf, 0, len};
	char s[INET6_ADDRSTRLEN];
	int n = guard_host_addresses(f);

	if (len)
		*buf = 0;
	if (reasons & GUARD_ADDRESS) {
		sb_add(&b, "it has %d address%s: ", n, n == 1 ? "" : "es");
		sb_addresses(&b, f);
		sb_add(&b, "\n");
	}
	if (reasons & GUARD_ROUTE4)
		sb_add(&b, "the IPv4 default route goes through it\n");
	if (reasons & GUARD_ROUTE6)
		sb_add(&b, "the IPv6 default route goes through it\n");
	if (reasons & GUARD_SSH)
		sb_add(&b, "your SSH session arrives on it (SSH_CONNECTION's local address %s)\n",
		       guard_addr_str(&f->ssh, s, sizeof(s)));
	if (reasons & GUARD_MASTER) {
		sb_add(&b, "it is a ");
		sb_master(&b, f);
		sb_add(&b, ", whose traffic comes in through it\n");
	}
	if (reasons & GUARD_UPPER) {
		sb_add(&b, "%s", f->upper);
		if (f->nupper > 1)
			sb_add(&b, " and %d more device%s", f->nupper - 1,
			       f->nupper > 2 ? "s" : "");
		sb_add(&b, " %s stacked on it (VLAN, macvlan, ...)\n",
		       f->nupper > 1 ? "are" : "is");
	}
	return b.len;
}

size_t guard_summary(const struct guard_facts *f, unsigned reasons, char *buf, size_t len)
{
	struct strbuf b = {buf, 0, len};
	int n = guard_host_addresses(f);
	const char *sep = "";

	if (len)
		*buf = 0;
	if (reasons & GUARD_ADDRESS) {
		sb_add(&b, "%d address%s", n, n == 1 ? "" : "es");
		sep = ", ";
	}
	if (reasons & GUARD_ROUTE4) {
		sb_add(&b, "%sIPv4 default route", sep);
		sep = ", ";
	}
	if (reasons & GUARD_ROUTE6) {
		sb_add(&b, "%sIPv6 default route", sep);
		sep = ", ";
	}
	if (reasons & GUARD_SSH) {
		sb_add(&b, "%sSSH session", sep);
		sep = ", ";
	}
	if (reasons & GUARD_MASTER) {
		sb_add(&b, "%s", sep);
		sb_master(&b, f);
		sep = ", ";
	}
	if (reasons & GUARD_UPPER)
		sb_add(&b, "%sunder %s", sep, f->upper);
	return b.len;
}

bool guard_link_problem(const struct guard_facts *f, char *buf, size_t len)
{
	if (!f->link_known)
		return false;
	if (!f->up) {
		snprintf(buf, len,
			 "%s is down: no frame arrives until it is up (ip link set %s up)",
			 f->ifname, f->ifname);
		return true;
	}
	if (!f->running) {
		snprintf(buf, len,
			 "%s is up but has no link (operstate %s): no frame arrives until it "
			 "has one",
			 f->ifname, f->operstate[0] ? f->operstate : "unknown");
		return true;
	}
	return false;
}

int guard_check(const char *ifname, const char *filter_name, bool takeover, bool passive)
{
	struct guard_facts f;
	char buf[1024], *line, *save = NULL;
	unsigned reasons;
	int ret;

	ret = guard_facts_gather(ifname, getenv("SSH_CONNECTION"), &f);
	if (ret) {
		xdpi_err("no interface '%s'", ifname);
		return ret;
	}
	/* A passive run takes nothing from the host: only the link matters. */
	reasons = passive ? 0 : guard_decide(&f);
	if (reasons && !takeover) {
		xdpi_err("refusing to steer %s: this host uses it, and the frames xdpi steers "
			 "(filter %s) never reach the host's stack:",
			 ifname, filter_name);
		guard_explain(&f, reasons, buf, sizeof(buf));
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			xdpi_err("  - %s", line);
		xdpi_err("--passive inspects a copy and leaves the host its traffic; --takeover "
			 "steers anyway (inline use, a dedicated capture port)");
		return -GUARD_REFUSED;
	}
	if (reasons) {
		guard_summary(&f, reasons, buf, sizeof(buf));
		xdpi_info("--takeover: steering %s although this host uses it (%s); the frames "
			  "xdpi steers (filter %s) never reach the host's stack",
			  ifname, buf, filter_name);
	}
	if (guard_link_problem(&f, buf, sizeof(buf)))
		xdpi_warn("%s", buf);
	return 0;
}
