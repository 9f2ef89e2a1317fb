/* SPDX-License-Identifier: MIT */
/*
 * The guard: does an interface carry this host's own traffic?
 *
 * `xdpi live` steers the frames it inspects into AF_XDP sockets; the host's
 * stack never sees them. On an interface the host uses, that stalls its
 * connections (the SSH session of whoever typed `xdpi live eth0`). So
 * before anything is attached, capture_open() asks guard_check(), which
 * refuses such an interface unless the user said --takeover. A dedicated
 * capture port (no address, no default route, not the SSH interface, no
 * master or stacked device) passes without it.
 *
 * What counts as the host's own (docs/live.md, "What steering does to the
 * host"):
 *  - an address: any IPv4 address, any IPv6 address but a link-local one
 *    (fe80::/10). The kernel gives every interface that is up with IPv6 on
 *    a link-local address; alone it carries nothing the host set up, so a
 *    capture port would otherwise always be refused.
 *  - a default route through it: IPv4 (/proc/net/route, the main table)
 *    or IPv6 (/proc/net/ipv6_route); up, not a reject route.
 *  - the local end of $SSH_CONNECTION ("client_ip client_port server_ip
 *    server_port") is one of its addresses, link-local ones included.
 *    sudo drops that variable by default; the address check covers the
 *    same interface then.
 *  - a master (bridge, bond, team, VRF, Open vSwitch: /sys/class/net/IF/
 *    master), or a device stacked on it (VLAN, macvlan: upper_*): their
 *    frames come in through this interface's XDP hook first.
 *
 * Split so that the decision is unit-tested (tests/test_guard.c):
 * guard_facts_gather() reads the system; guard_decide(), guard_explain(),
 * guard_summary() and guard_link_problem() take the facts only, as do the
 * parsers of /proc/net/route, /proc/net/ipv6_route and SSH_CONNECTION.
 *
 * Concurrency: none inside; facts belong to the caller.
 * Errors: int functions return 0 or a negative errno; guard_check()
 * returns -GUARD_REFUSED after logging the refusal (util/log.h).
 */
#ifndef XDPI_CAPTURE_GUARD_H
#define XDPI_CAPTURE_GUARD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <net/if.h>
#include <netinet/in.h>

/* What guard_check() (and so capture_open()) returns, negated, when it
 * refuses an interface: a refusal by policy, not a failure. No other step
 * of a capture's set-up returns it; `xdpi live` exits 2 on it. */
#define GUARD_REFUSED ECANCELED

/* Addresses kept per interface; more are counted in nmore. */
#define GUARD_MAX_ADDRS 32

struct guard_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct guard_facts {
	char ifname[IF_NAMESIZE];
	struct guard_addr addr[GUARD_MAX_ADDRS]; /* every address, link-local too */
	int naddr;
	int nmore;		  /* addresses beyond addr[]: counted as the host's */
	bool route4, route6;	  /* a default route through it */
	bool has_ssh;		  /* SSH_CONNECTION was set and parsed */
	struct guard_addr ssh;	  /* its local (server) address */
	char master[IF_NAMESIZE]; /* "" when none */
	char master_kind[16];	  /* "bridge", "bond" or "" (another kind) */
	char upper[IF_NAMESIZE];  /* a device stacked on it, other than master */
	int nupper;		  /* how many */
	bool link_known;	  /* up and running were read */
	bool up, running;	  /* IFF_UP, IFF_RUNNING */
	char operstate[16];	  /* /sys/class/net/IF/operstate, "" if unread */
};

enum guard_reason {
	GUARD_ADDRESS = 1u << 0,
	GUARD_ROUTE4 = 1u << 1,
	GUARD_ROUTE6 = 1u << 2,
	GUARD_SSH = 1u << 3,
	GUARD_MASTER = 1u << 4,
	GUARD_UPPER = 1u << 5,
	GUARD__LAST = GUARD_UPPER,
};

/* Reads what the system says about @ifname in the current network
 * namespace; @ssh_connection is $SSH_CONNECTION, or NULL. 0, or -ENODEV
 * when there is no such interface. Facts it cannot read stay unset. */
int guard_facts_gather(const char *ifname, const char *ssh_connection, struct guard_facts *f);

/* The reasons (enum guard_reason bits) the host uses the interface; 0 for
 * a capture port. */
unsigned guard_decide(const struct guard_facts *f);
/* Addresses that count: all but IPv6 link-local ones, plus nmore. */
int guard_host_addresses(const struct guard_facts *f);
/* One line per reason of @reasons, each ending in '\n' ("it has 1 address:
 * 198.18.0.2"). Returns the length snprintf would have written. */
size_t guard_explain(const struct guard_facts *f, unsigned reasons, char *buf, size_t len);
/* The same in a few words, comma-separated ("1 address, IPv4 default
 * route"); "" for no reason. */
size_t guard_summary(const struct guard_facts *f, unsigned reasons, char *buf, size_t len);
/* The JSON name of one reason bit: "address", "default_route_ipv4", ... */
const char *guard_reason_name(unsigned reason);
/* When the link cannot receive (not up, or up without carrier): true and
 * one line in @buf saying so and what to do. */
bool guard_link_problem(const struct guard_facts *f, char *buf, size_t len);

/* Parsers of what the system gives, for the gatherer and the tests. */
/* An up, non-reject default route through @ifname in /proc/net/route. */
bool guard_route4_default(FILE *route, const char *ifname);
/* The same in /proc/net/ipv6_route. */
bool guard_route6_default(FILE *route, const char *ifname);
/* The local (server) address of an SSH_CONNECTION value; an IPv4-mapped
 * IPv6 address becomes IPv4. 0 or -EINVAL. */
int guard_parse_ssh(const char *value, struct guard_addr *out);
/* An address as text. */
const char *guard_addr_str(const struct guard_addr *a, char *buf, size_t len);

/*
 * For capture_open(): gathers the facts about @ifname and warns when its
 * link is down. Unless @takeover, refuses an interface the host uses:
 * logs why (a few lines naming --passive and --takeover) and returns
 * -GUARD_REFUSED. With @takeover it says at info level what it steers
 * anyway. @filter_name is the steering filter, for the message. 0 when
 * the run may go on; -ENODEV when the interface is gone. A @passive run
 * takes no frame from the host: it is never refused.
 */
int guard_check(const char *ifname, const char *filter_name, bool takeover, bool passive);

#endif /* XDPI_CAPTURE_GUARD_H */
