// SPDX-License-Identifier: MIT
/*
 * mkcapture: writes a deterministic, synthetic but realistic Ethernet pcap
 * for the offline benchmarks (bench/offline.sh).
 *
 *   mkcapture [-s SEED] N OUT.pcap
 *
 * The traffic is a busy access link: ~4,500 clients (IPv4 and IPv6, some
 * behind 802.1Q or QinQ tags) talking to ~500 servers.
 * - TCP (~80% of frames): complete connections (SYN with MSS/SACK/TS/WS
 *   options, SYN-ACK, ACK, request/response rounds with the timestamps option,
 *   delayed ACKs, FIN or RST teardown), plus unanswered and refused SYNs.
 *   Payloads start like the application on the port: TLS ClientHello with SNI
 *   and ServerHello on 443, HTTP/1.1 on 80/8080, SSH banners on 22.
 * - UDP (~15%): DNS query/response pairs, long QUIC-like flows on 443, NTP,
 *   mDNS, SSDP, syslog, and large datagrams fragmented over IPv4 and IPv6
 *   (Fragment header); some IPv6 datagrams carry a Destination Options header.
 * - ICMP (~3%): echo pairs (v4 and v6), port unreachable, neighbour
 *   solicitations, MLDv2 reports behind a Hop-by-Hop header.
 * - ARP, LLDP and ESP for the non-IP and "other L4" classes.
 * Frame sizes follow from that: most are 60..100 bytes (ACKs, DNS, control),
 * a band around 600 (ClientHellos, requests, tails of responses) and many
 * full 1514-byte segments.
 *
 * Determinism: one xoshiro256** stream seeded from SEED drives everything,
 * including timestamps, and its use does not depend on N, so the capture of
 * N frames is exactly the first N frames of any larger one. The benchmark
 * relies on that: the marginal cost between two sizes is then the cost of
 * the extra frames alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <netinet/in.h>
#include <pcap/pcap.h>

#include "util/frame.h"
#include "util/optval.h"

#define SNAPLEN 262144
#define FRAME_MAX 2048
#define MIN_FRAME 60 /* Ethernet minimum without FCS, as captures show it */

/* ---- PRNG: xoshiro256**, seeded through splitmix64 ---- */

static uint64_t rng[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
	uint64_t r = rotl(rng[1] * 5, 7) * 9;
	uint64_t t = rng[1] << 17;

	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return r;
}

static void rnd_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rng[i] = splitmix64(&seed);
}

/* Uniform in [0, n). */
static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + rnd_below(hi - lo + 1);
}

static bool chance(uint32_t permille)
{
	return rnd_below(1000) < permille;
}

static void fill_random(uint8_t *p, uint32_t len)
{
	while (len >= 8) {
		uint64_t r = rnd();

		memcpy(p, &r, 8);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t r = rnd();

		memcpy(p, &r, len);
	}
}

/* ---- hosts and paths ---- */

struct vlans {
	uint8_t n;
	struct frame_vlan tag[2]; /* [0] outermost */
};

struct host {
	bool v6;
	uint8_t ttl; /* as seen at the capture point */
	uint8_t ip[16];
	uint8_t mac[6];
	struct vlans vl; /* the client's access VLAN; servers use the client's */
	uint16_t name;	 /* index into the name generator (servers) */
};

#define NCLI4 4000
#define NCLI6 500
#define NSRV4 400
#define NSRV6 100

static struct host cli4[NCLI4], cli6[NCLI6], srv4[NSRV4], srv6[NSRV6];
static struct host dns4[2], dns6[2], ntp4[2], esp_a, esp_b;
static struct host mdns4, mdns6, ssdp4, mld6, syslog4;

static const uint8_t router_mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* One direction of a conversation as it appears on the captured link. */
struct path {
	const struct host *src, *dst;
	const uint8_t *smac, *dmac;
	const struct vlans *vl;
};

static void path_up(struct path *p, const struct host *cli, const struct host *srv)
{
	p->src = cli;
	p->dst = srv;
	p->smac = cli->mac;
	p->dmac = router_mac;
	p->vl = &cli->vl;
}

static void path_down(struct path *p, const struct host *cli, const struct host *srv)
{
	p->src = srv;
	p->dst = cli;
	p->smac = router_mac;
	p->dmac = cli->mac;
	p->vl = &cli->vl;
}

static void host_v4(struct host *h, uint32_t a, uint8_t ttl)
{
	memset(h, 0, sizeof(*h));
	xdpi_put_be32(h->ip, a);
	h->ttl = ttl;
	h->mac[0] = 0x02;
	xdpi_put_be32(h->mac + 2, a);
}

static void host_v6(struct host *h, uint64_t hi, uint64_t lo, uint8_t ttl)
{
	memset(h, 0, sizeof(*h));
	h->v6 = true;
	xdpi_put_be32(h->ip, (uint32_t)(hi >> 32));
	xdpi_put_be32(h->ip + 4, (uint32_t)hi);
	xdpi_put_be32(h->ip + 8, (uint32_t)(lo >> 32));
	xdpi_put_be32(h->ip + 12, (uint32_t)lo);
	h->ttl = ttl;
	h->mac[0] = 0x02;
	h->mac[1] = 0x06;
	xdpi_put_be32(h->mac + 2, (uint32_t)lo);
}

static void client_vlan(struct host *h)
{
	static const uint16_t vids[] = {10, 20, 30, 100, 200, 300};
	uint32_t r = rnd_below(1000);

	if (r < 850)
		return;
	if (r < 980) {
		h->vl.n = 1;
		h->vl.tag[0].tpid = ETH_P_8021Q;
		h->vl.tag[0].tci = vids[rnd_below(6)];
	} else {
		h->vl.n = 2;
		h->vl.tag[0].tpid = ETH_P_8021AD;
		h->vl.tag[0].tci = (uint16_t)rnd_range(1000, 1007);
		h->vl.tag[1].tpid = ETH_P_8021Q;
		h->vl.tag[1].tci = (uint16_t)rnd_range(100, 149);
	}
}

static uint8_t server_ttl(void)
{
	static const uint8_t ttls[] = {49, 52, 55, 56, 57, 58, 116, 117, 118, 241, 243};

	return ttls[rnd_below(sizeof(ttls))];
}

static uint32_t public_v4(void)
{
	uint32_t a;

	do
		a = (uint32_t)rnd();
	while ((a >> 24) < 2 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 24) >= 224 ||
	       (a >> 16) == 0xc0a8 || (a >> 20) == 0xac1 || (a & 0xff) == 0 || (a & 0xff) == 255);
	return a;
}

static void hosts_init(void)
{
	uint32_t i;

	for (i = 0; i < NCLI4; i++) {
		host_v4(&cli4[i], 0x0a000000u | (1 + i / 250) << 8 | (2 + i % 250), 64);
		client_vlan(&cli4[i]);
	}
	for (i = 0; i < NCLI6; i++) {
		host_v6(&cli6[i], 0x20010db801000000ull | (i / 64), rnd() | 1, 64);
		client_vlan(&cli6[i]);
	}
	for (i = 0; i < NSRV4; i++) {
		host_v4(&srv4[i], public_v4(), server_ttl());
		srv4[i].name = (uint16_t)i;
	}
	for (i = 0; i < NSRV6; i++) {
		host_v6(&srv6[i], 0x2a00145040000000ull | rnd_below(1 << 16), rnd(), server_ttl());
		srv6[i].name = (uint16_t)(NSRV4 + i);
	}
	host_v4(&dns4[0], 0x08080808, 118);
	host_v4(&dns4[1], 0x01010101, 57);
	host_v6(&dns6[0], 0x2001486048600000ull, 0x8888, 118);
	host_v6(&dns6[1], 0x2606470047000000ull, 0x1111, 57);
	host_v4(&ntp4[0], public_v4(), 52);
	host_v4(&ntp4[1], public_v4(), 55);
	host_v4(&esp_a, 0x0a0000fe, 64);
	host_v4(&esp_b, public_v4(), 50);
	host_v4(&mdns4, 0xe00000fb, 255);
	host_v6(&mdns6, 0xff02000000000000ull, 0xfb, 255);
	host_v4(&ssdp4, 0xeffffffa, 4);
	host_v6(&mld6, 0xff02000000000000ull, 0x16, 1);
	host_v4(&syslog4, 0x0a0000fd, 64);
	/* Multicast groups map to their multicast MACs. */
	memcpy(mdns4.mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}, 6);
	memcpy(mdns6.mac, (const uint8_t[]){0x33, 0x33, 0x00, 0x00, 0x00, 0xfb}, 6);
	memcpy(ssdp4.mac, (const uint8_t[]){0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa}, 6);
	memcpy(mld6.mac, (const uint8_t[]){0x33, 0x33, 0x00, 0x00, 0x00, 0x16}, 6);
}

/* Skewed towards low indices: a few busy hosts, a long tail of quiet ones. */
static uint32_t pick_skewed(uint32_t n)
{
	uint32_t a = rnd_below(n), b = rnd_below(n);

	return a < b ? a : b;
}

static const struct host *pick_client(bool v6)
{
	return v6 ? &cli6[pick_skewed(NCLI6)] : &cli4[pick_skewed(NCLI4)];
}

static const struct host *pick_server(bool v6)
{
	return v6 ? &srv6[pick_skewed(NSRV6)] : &srv4[pick_skewed(NSRV4)];
}

static const char *const name_words[] = {
	"static", "cdn",    "api",   "img", "video",  "mail", "news",  "shop", "login", "cloud",
	"edge",	  "assets", "media", "www", "update", "push", "stats", "docs", "auth",	"files",
};
static const char *const name_sites[] = {
	"example", "acme",   "contoso", "initech", "globex",   "umbrella",  "hooli",	"stark",
	"wayne",   "tyrell", "soylent", "wonka",   "vandelay", "cyberdyne", "aperture",
};
static const char *const name_tlds[] = {"com", "net", "org", "io", "de", "co.uk"};

#define NWORDS (sizeof(name_words) / sizeof(name_words[0]))
#define NSITES (sizeof(name_sites) / sizeof(name_sites[0]))
#define NTLDS (sizeof(name_tlds) / sizeof(name_tlds[0]))

static void host_name(uint32_t idx, char *buf, size_t len)
{
	snprintf(buf, len, "%s%u.%s.%s", name_words[idx % NWORDS], (unsigned)(idx / NWORDS % 7),
		 name_sites[idx / 3 % NSITES], name_tlds[idx % NTLDS]);
}

/* ---- output ---- */

static pcap_dumper_t *dumper;
static uint64_t frames_target, frames_written, bytes_written;
static uint64_t now_us = 1700000000ull * 1000000;
static uint8_t fbuf[FRAME_MAX];

enum {
	ST_TCP,
	ST_UDP,
	ST_ICMP,
	ST_ARP,
	ST_OTHER,
	ST__MAX,
};
static uint64_t st_frames[ST__MAX];
static uint64_t st_tcp_conns, st_udp_flows, st_v6, st_vlan, st_frags;
static uint64_t st_size[4]; /* <=100, 101..400, 401..1000, >1000 */

static void write_frame(uint32_t len, int kind)
{
	struct pcap_pkthdr h;

	if (frames_written >= frames_target)
		return;
	if (len < MIN_FRAME) {
		memset(fbuf + len, 0, MIN_FRAME - len);
		len = MIN_FRAME;
	}
	/* ~50k frames/s, bursty: mostly a few microseconds apart. */
	now_us += chance(900) ? rnd_range(1, 25) : rnd_range(26, 200);
	h.ts.tv_sec = (time_t)(now_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(now_us % 1000000);
	h.caplen = h.len = len;
	pcap_dump((u_char *)dumper, &h, fbuf);
	frames_written++;
	bytes_written += len;
	st_frames[kind]++;
	st_size[len <= 100 ? 0 : len <= 400 ? 1 : len <= 1000 ? 2 : 3]++;
}

static uint32_t put_eth(const struct path *p, uint16_t type)
{
	uint8_t ntags = p->vl ? p->vl->n : 0;

	if (ntags)
		st_vlan++;
	return (uint32_t)frame_eth(fbuf, p->dmac, p->smac, ntags ? p->vl->tag : NULL, ntags, type);
}

enum {
	EXT_HBH_RA = 1,	 /* Hop-by-Hop with Router Alert (MLD) */
	EXT_DSTOPTS = 2, /* Destination Options with PadN */
};

/* One IP packet carrying @len bytes of @l4 (whole or one fragment). */
static void put_ip_frame(const struct path *p, uint8_t proto, unsigned ext, const uint8_t *l4,
			 uint32_t len, bool frag, uint32_t frag_off, bool more, uint32_t ident,
			 int kind)
{
	uint32_t o = put_eth(p, p->src->v6 ? ETH_P_IPV6 : ETH_P_IP), l3 = o;

	if (!p->src->v6) {
		const struct frame_ipv4 h = {
			.src = xdpi_get_be32(p->src->ip),
			.dst = xdpi_get_be32(p->dst->ip),
			.payload_len = len,
			.id = frag ? (uint16_t)ident : (uint16_t)rnd(),
			.frag = frag ? (uint16_t)((more ? FRAME_IP_MF : 0) | frag_off / 8)
				     : FRAME_IP_DF,
			.ttl = p->src->ttl,
			.proto = proto,
		};

		o += (uint32_t)frame_ipv4(fbuf + o, &h);
	} else {
		static const uint8_t router_alert[] = {5, 2, 0, 0};
		const struct frame_ipv6 h = {
			.src = p->src->ip,
			.dst = p->dst->ip,
			.next = proto,
			.hops = p->src->ttl,
		};
		/* Each header says proto follows until another one does. */
		uint8_t *next = fbuf + o + 6;

		o += (uint32_t)frame_ipv6(fbuf + o, &h);
		if (ext & EXT_HBH_RA) {
			*next = IPPROTO_HOPOPTS;
			next = fbuf + o;
			o += (uint32_t)frame_ipv6_opts(fbuf + o, proto, 0, router_alert,
						       sizeof(router_alert));
		}
		if (ext & EXT_DSTOPTS) {
			*next = IPPROTO_DSTOPTS;
			next = fbuf + o;
			o += (uint32_t)frame_ipv6_opts(fbuf + o, proto, 0, NULL, 0);
		}
		if (frag) {
			*next = IPPROTO_FRAGMENT;
			o += (uint32_t)frame_ipv6_frag(fbuf + o, proto, (uint16_t)(frag_off / 8),
						       more, ident);
		}
		frame_ipv6_set_len(fbuf + l3, o - l3 + len);
		st_v6++;
	}
	memcpy(fbuf + o, l4, len);
	write_frame(o + len, kind);
}

static void l4_checksum(const struct path *p, uint8_t proto, uint8_t *l4, uint32_t len)
{
	uint32_t pseudo = p->src->v6 ? frame_pseudo6(p->src->ip, p->dst->ip, proto, len)
				     : frame_pseudo4(p->src->ip, p->dst->ip, proto, len);

	frame_l4_csum(l4, len, proto, pseudo);
}

/* Sends @l4 (L4 header and payload), fragmented in pieces of at most @mtu
 * bytes of IP payload when it does not fit. */
static void send_ip(const struct path *p, uint8_t proto, unsigned ext, uint8_t *l4, uint32_t len,
		    uint32_t mtu, int kind)
{
	uint32_t hdr =
		p->src->v6 ? 40 + ((ext & EXT_HBH_RA) ? 8 : 0) + ((ext & EXT_DSTOPTS) ? 8 : 0) : 20;
	uint32_t room, off, ident;

	l4_checksum(p, proto, l4, len);
	if (hdr + len <= mtu) {
		put_ip_frame(p, proto, ext, l4, len, false, 0, false, 0, kind);
		return;
	}
	room = (mtu - hdr - (p->src->v6 ? 8 : 0)) & ~7u;
	ident = (uint32_t)rnd();
	if (!p->src->v6)
		ident &= 0xffff;
	for (off = 0; off < len; off += room) {
		uint32_t n = len - off < room ? len - off : room;

		put_ip_frame(p, proto, ext, l4 + off, n, true, off, off + n < len, ident, kind);
		st_frags++;
	}
}

/* ---- TCP ---- */

enum tcp_state {
	T_SYN,
	T_SYN_LOST, /* SYN, then a retransmission; half never answered */
	T_SYN_RETX,
	T_SYNACK,
	T_ACK,
	T_REQ,
	T_RESP,
	T_CACK,
	T_FIN1,
	T_FIN2,
	T_LAST,
	T_RST_SRV,
	T_REFUSE,
	T_RST_CLI,
	T_DONE,
};

enum tcp_app {
	APP_TLS,
	APP_HTTP,
	APP_SSH,
	APP_OTHER,
};

enum tcp_end {
	END_FIN,
	END_RST_SRV,
	END_RST_CLI,
};

struct tcp_conn {
	const struct host *cli, *srv;
	uint16_t sport, dport;
	uint32_t cseq, sseq;
	uint32_t cts, sts; /* timestamp clock offsets */
	uint16_t cwin, swin;
	uint8_t state, app, end;
	bool tsopt;
	uint16_t rounds, round;
	uint32_t resp_total, resp_left;
	uint8_t unacked;
};

#define TCP_POOL 600
static struct tcp_conn tcp_pool[TCP_POOL];
static uint8_t l4buf[65536 + 64];

static uint16_t ephemeral_port(void)
{
	return (uint16_t)rnd_range(32768, 60999);
}

static void tcp_new(struct tcp_conn *c)
{
	bool v6 = chance(180);
	uint32_t r = rnd_below(1000);

	memset(c, 0, sizeof(*c));
	c->cli = pick_client(v6);
	c->srv = pick_server(v6);
	c->sport = ephemeral_port();
	if (r < 620) {
		c->dport = 443;
		c->app = APP_TLS;
	} else if (r < 800) {
		c->dport = r < 770 ? 80 : 8080;
		c->app = APP_HTTP;
	} else if (r < 840) {
		c->dport = 22;
		c->app = APP_SSH;
	} else if (r < 880) {
		c->dport = 993;
		c->app = APP_TLS;
	} else {
		static const uint16_t ports[] = {25, 110, 143, 3306, 5432, 5222, 6379, 8443, 9000};

		c->dport = chance(500) ? ports[rnd_below(9)] : (uint16_t)rnd_range(1024, 65000);
		c->app = c->dport == 8443 ? APP_TLS : APP_OTHER;
	}
	c->cseq = (uint32_t)rnd();
	c->sseq = (uint32_t)rnd();
	c->cts = (uint32_t)rnd();
	c->sts = (uint32_t)rnd();
	c->cwin = (uint16_t)rnd_range(500, 2048);
	c->swin = (uint16_t)rnd_range(200, 65535);
	c->tsopt = !chance(60); /* some stacks run without timestamps */
	r = rnd_below(1000);
	c->rounds = (uint16_t)(r < 720 ? 1 : r < 960 ? rnd_range(2, 3) : rnd_range(4, 12));
	r = rnd_below(1000);
	c->end = r < 880 ? END_FIN : r < 960 ? END_RST_SRV : END_RST_CLI;
	r = rnd_below(1000);
	c->state = T_SYN;
	if (r < 25)
		c->state = T_SYN_LOST;
	else if (r < 45)
		c->state = T_REFUSE; /* closed port: SYN, RST */
	st_tcp_conns++;
}

static uint32_t tcp_mss(const struct tcp_conn *c)
{
	return (c->cli->v6 ? 1440 : 1460) - (c->tsopt ? 12 : 0);
}

static uint32_t resp_size(void)
{
	uint32_t r = rnd_below(1000);

	if (r < 620)
		return rnd_range(200, 1400);
	if (r < 910)
		return rnd_range(1401, 8000);
	if (r < 985)
		return rnd_range(8001, 60000);
	return rnd_range(60001, 250000);
}

static void tcp_send(struct tcp_conn *c, bool up, uint8_t flags, const uint8_t *payload,
		     uint32_t plen, bool syn)
{
	uint32_t ms = (uint32_t)(now_us / 1000);
	uint8_t o[20];
	struct frame_tcp h = {
		.sport = up ? c->sport : c->dport,
		.dport = up ? c->dport : c->sport,
		.seq = up ? c->cseq : c->sseq,
		.ack = (flags & 0x10) ? (up ? c->sseq : c->cseq) : 0,
		.flags = flags,
		.window = syn  ? 64240
			  : up ? c->cwin
			       : c->swin,
		.opts = o,
	};
	struct path p;

	if (up)
		path_up(&p, c->cli, c->srv);
	else
		path_down(&p, c->cli, c->srv);
	if (syn && c->tsopt) {
		memcpy(o, (const uint8_t[]){2, 4, 0, 0, 4, 2, 8, 10}, 8);
		xdpi_put_be16(o + 2, (uint16_t)(tcp_mss(c) + 12));
		xdpi_put_be32(o + 8, ms + (up ? c->cts : c->sts));
		xdpi_put_be32(o + 12, (flags & 0x10) ? ms + c->cts : 0);
		memcpy(o + 16, (const uint8_t[]){1, 3, 3, 7}, 4);
		h.opts_len = 20;
	} else if (syn) {
		memcpy(o, (const uint8_t[]){2, 4, 0, 0, 1, 3, 3, 8, 1, 1, 4, 2}, 12);
		xdpi_put_be16(o + 2, (uint16_t)tcp_mss(c));
		h.opts_len = 12;
	} else if (c->tsopt && !(flags & 0x04)) {
		memcpy(o, (const uint8_t[]){1, 1, 8, 10}, 4);
		xdpi_put_be32(o + 4, ms + (up ? c->cts : c->sts));
		xdpi_put_be32(o + 8, ms - rnd_below(3) + (up ? c->sts : c->cts));
		h.opts_len = 12;
	}
	send_ip(&p, IPPROTO_TCP, 0, l4buf, (uint32_t)frame_tcp(l4buf, &h, payload, plen), 1500,
		ST_TCP);
	if (up)
		c->cseq += plen + ((flags & 0x03) ? 1 : 0);
	else
		c->sseq += plen + ((flags & 0x03) ? 1 : 0);
}

static uint8_t pbuf[4096];

static uint32_t tls_client_hello(uint8_t *b, const char *sni)
{
	static const uint8_t suites[] = {
		0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f,
		0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x13,
		0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d, 0x00, 0x2f, 0x00, 0x35,
	};
	static const uint8_t exts[] = {
		0x00, 0x17, 0x00, 0x00,	      /* extended master secret */
		0xff, 0x01, 0x00, 0x01, 0x00, /* renegotiation info */
		0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00,
		0x17, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, /* ec point formats */
		0x00, 0x23, 0x00, 0x00,				      /* session ticket */
		0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 'h',	'2',
		0x08, 'h',  't',  't',	'p',  '/',  '1',  '.',	'1', /* ALPN */
		0x00, 0x0d, 0x00, 0x0a, 0x00, 0x08, 0x04, 0x03, 0x08,
		0x04, 0x04, 0x01, 0x05, 0x03,			      /* signature algorithms */
		0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03, /* versions */
		0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,		      /* psk modes */
	};
	uint32_t n = (uint32_t)strlen(sni), o = 0, ext_at, hs_at;

	memcpy(b, (const uint8_t[]){0x16, 3, 1}, 3);
	o = 5;
	b[o] = 1;
	hs_at = o + 1;
	o += 4;
	b[o++] = 3;
	b[o++] = 3;
	fill_random(b + o, 32);
	o += 32;
	b[o++] = 32;
	fill_random(b + o, 32);
	o += 32;
	xdpi_put_be16(b + o, sizeof(suites));
	memcpy(b + o + 2, suites, sizeof(suites));
	o += 2 + sizeof(suites);
	b[o++] = 1;
	b[o++] = 0;
	ext_at = o;
	o += 2;
	xdpi_put_be16(b + o, 0);
	xdpi_put_be16(b + o + 2, n + 5);
	xdpi_put_be16(b + o + 4, n + 3);
	b[o + 6] = 0;
	xdpi_put_be16(b + o + 7, n);
	memcpy(b + o + 9, sni, n);
	o += 9 + n;
	memcpy(b + o, exts, sizeof(exts));
	o += sizeof(exts);
	xdpi_put_be16(b + o, 0x33);
	xdpi_put_be16(b + o + 2, 38);
	xdpi_put_be16(b + o + 4, 36);
	xdpi_put_be16(b + o + 6, 0x1d);
	xdpi_put_be16(b + o + 8, 32);
	fill_random(b + o + 10, 32);
	o += 42;
	if (o + 4 < 5 + 512) { /* padding extension up to 512 bytes, as browsers do */
		uint32_t pad = 5 + 512 - 4 - o;

		xdpi_put_be16(b + o, 0x15);
		xdpi_put_be16(b + o + 2, pad);
		memset(b + o + 4, 0, pad);
		o += 4 + pad;
	}
	xdpi_put_be16(b + ext_at, o - ext_at - 2);
	b[hs_at] = (uint8_t)((o - hs_at - 3) >> 16);
	xdpi_put_be16(b + hs_at + 1, o - hs_at - 3);
	xdpi_put_be16(b + 3, o - 5);
	return o;
}

static uint32_t tls_server_hello(uint8_t *b)
{
	uint32_t o = 0;

	memcpy(b, (const uint8_t[]){0x16, 3, 3, 0, 0, 2, 0, 0, 0, 3, 3}, 11);
	o = 11;
	fill_random(b + o, 32);
	o += 32;
	b[o++] = 32;
	fill_random(b + o, 32);
	o += 32;
	memcpy(b + o,
	       (const uint8_t[]){0x13, 0x01, 0x00, 0x00, 0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
				 0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20},
	       19);
	o += 19;
	fill_random(b + o, 32);
	o += 32;
	xdpi_put_be16(b + 3, o - 5);
	xdpi_put_be16(b + 7, o - 9);
	memcpy(b + o, (const uint8_t[]){0x14, 3, 3, 0, 1, 1}, 6);
	return o + 6;
}

static const char *const user_agents[] = {
	"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
	"Gecko) "
	"Chrome/119.0.0.0 Safari/537.36",
	"curl/7.88.1",
	"Debian APT-HTTP/1.3 (2.6.1)",
};

static uint32_t tcp_request(struct tcp_conn *c, uint8_t *b)
{
	char name[64];
	uint32_t n;

	host_name(c->srv->name, name, sizeof(name));
	switch (c->app) {
	case APP_TLS:
		if (c->round == 0)
			return tls_client_hello(b, name);
		n = rnd_range(40, 900);
		memcpy(b, (const uint8_t[]){0x17, 3, 3}, 3);
		xdpi_put_be16(b + 3, n - 5);
		fill_random(b + 5, n - 5);
		return n;
	case APP_HTTP:
		return (uint32_t)snprintf((char *)b, sizeof(pbuf),
					  "GET /%s/%u/%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
					  "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
					  "Connection: keep-alive\r\n\r\n",
					  name_words[rnd_below(NWORDS)], rnd_below(100000),
					  name_words[rnd_below(NWORDS)], name,
					  user_agents[rnd_below(4)]);
	case APP_SSH:
		if (c->round == 0)
			return (uint32_t)snprintf((char *)b, sizeof(pbuf),
						  "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n");
		/* fall through */
	default:
		n = rnd_range(20, 600);
		fill_random(b, n);
		return n;
	}
}

/* The start of a response's first segment (the rest is random). */
static uint32_t tcp_response_head(struct tcp_conn *c, uint8_t *b)
{
	switch (c->app) {
	case APP_TLS:
		if (c->round == 1)
			return tls_server_hello(b);
		memcpy(b, (const uint8_t[]){0x17, 3, 3}, 3);
		xdpi_put_be16(b + 3, c->resp_total > 16389 ? 16384 : c->resp_total - 5);
		return 5;
	case APP_HTTP:
		return (uint32_t)snprintf(
			(char *)b, sizeof(pbuf),
			"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
			"Date: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: %s\r\n"
			"Content-Length: %u\r\nConnection: keep-alive\r\n\r\n",
			chance(500) ? "text/html; charset=utf-8" : "image/jpeg",
			c->resp_total > 200 ? c->resp_total - 200 : 0);
	case APP_SSH:
		if (c->round == 1)
			return (uint32_t)snprintf((char *)b, sizeof(pbuf),
						  "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n");
		return 0;
	default:
		return 0;
	}
}

static void tcp_step(struct tcp_conn *c)
{
	uint32_t n, head;

	switch (c->state) {
	case T_SYN:
		tcp_send(c, true, 0x02, NULL, 0, true);
		c->state = T_SYNACK;
		return;
	case T_SYN_LOST:
	case T_SYN_RETX:
	case T_REFUSE:
		tcp_send(c, true, 0x02, NULL, 0, true);
		if (c->state == T_REFUSE) {
			c->state = T_RST_SRV;
			return;
		}
		c->cseq--; /* a retransmission reuses the sequence number */
		if (c->state == T_SYN_LOST)
			c->state = T_SYN_RETX;
		else
			c->state = chance(500) ? T_SYN : T_DONE;
		return;
	case T_SYNACK:
		tcp_send(c, false, 0x12, NULL, 0, true);
		c->state = T_ACK;
		return;
	case T_ACK:
		tcp_send(c, true, 0x10, NULL, 0, false);
		c->state = T_REQ;
		return;
	case T_REQ:
		n = tcp_request(c, pbuf);
		tcp_send(c, true, 0x18, pbuf, n, false);
		c->round++;
		c->resp_total = c->resp_left = resp_size();
		c->state = T_RESP;
		return;
	case T_RESP:
		n = c->resp_left < tcp_mss(c) ? c->resp_left : tcp_mss(c);
		head = c->resp_left == c->resp_total ? tcp_response_head(c, pbuf) : 0;
		if (head > n)
			head = n;
		fill_random(pbuf + head, n - head);
		c->resp_left -= n;
		tcp_send(c, false, c->resp_left ? 0x10 : 0x18, pbuf, n, false);
		if (++c->unacked == 2 || !c->resp_left)
			c->state = T_CACK;
		return;
	case T_CACK:
		tcp_send(c, true, 0x10, NULL, 0, false);
		c->unacked = 0;
		if (c->resp_left)
			c->state = T_RESP;
		else if (c->round < c->rounds)
			c->state = T_REQ;
		else
			c->state = c->end == END_FIN	   ? T_FIN1
				   : c->end == END_RST_SRV ? T_RST_SRV
							   : T_RST_CLI;
		return;
	case T_FIN1:
		tcp_send(c, true, 0x11, NULL, 0, false);
		c->state = T_FIN2;
		return;
	case T_FIN2:
		tcp_send(c, false, 0x11, NULL, 0, false);
		c->state = T_LAST;
		return;
	case T_LAST:
		tcp_send(c, true, 0x10, NULL, 0, false);
		c->state = T_DONE;
		return;
	case T_RST_SRV:
		tcp_send(c, false, 0x14, NULL, 0, false);
		c->state = T_DONE;
		return;
	case T_RST_CLI:
		tcp_send(c, true, 0x14, NULL, 0, false);
		c->state = T_DONE;
		return;
	default:
		return;
	}
}

static void step_tcp(void)
{
	struct tcp_conn *c = &tcp_pool[rnd_below(TCP_POOL)];

	if (c->state == T_DONE)
		tcp_new(c);
	tcp_step(c);
}

/* ---- UDP ---- */

static void udp_send(const struct path *p, uint16_t sport, uint16_t dport, const uint8_t *payload,
		     uint32_t plen, unsigned ext, uint32_t mtu)
{
	send_ip(p, IPPROTO_UDP, ext, l4buf, (uint32_t)frame_udp(l4buf, sport, dport, payload, plen),
		mtu, ST_UDP);
}

struct dns_txn {
	bool pending;
	const struct host *cli, *res;
	uint16_t sport, id, qtype;
	uint32_t name;
};

#define DNS_POOL 32
static struct dns_txn dns_pool[DNS_POOL];

static uint32_t put_qname(uint8_t *b, const char *name)
{
	uint32_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		uint32_t n = dot ? (uint32_t)(dot - name) : (uint32_t)strlen(name);

		b[o++] = (uint8_t)n;
		memcpy(b + o, name, n);
		o += n;
		name += n + (dot ? 1 : 0);
	}
	b[o++] = 0;
	return o;
}

static void step_dns(void)
{
	struct dns_txn *t = &dns_pool[rnd_below(DNS_POOL)];
	char name[64];
	struct path p;
	bool answer = t->pending && !chance(50); /* 5% of queries are retried */
	uint32_t o;

	if (!t->pending) {
		bool v6 = chance(180);

		t->cli = pick_client(v6);
		t->res = v6 ? &dns6[rnd_below(2)] : &dns4[rnd_below(2)];
		t->sport = ephemeral_port();
		t->id = (uint16_t)rnd();
		t->qtype = chance(600) ? 1 : chance(700) ? 28 : 65;
		t->name = rnd_below(NSRV4 + NSRV6);
		t->pending = true;
		st_udp_flows++;
	}
	host_name(t->name, name, sizeof(name));
	xdpi_put_be16(pbuf, t->id);
	xdpi_put_be16(pbuf + 2, 0x0100);
	xdpi_put_be16(pbuf + 4, 1);
	memset(pbuf + 6, 0, 6);
	o = 12 + put_qname(pbuf + 12, name);
	xdpi_put_be16(pbuf + o, t->qtype);
	xdpi_put_be16(pbuf + o + 2, 1);
	o += 4;
	if (!answer) {
		path_up(&p, t->cli, t->res);
		udp_send(&p, t->sport, 53, pbuf, o, 0, 1500);
		return;
	}
	/* The answer: the question plus one to three records. */
	uint32_t an = rnd_range(1, 3);
	uint16_t rlen = t->qtype == 28 ? 16 : 4;

	xdpi_put_be16(pbuf + 2, 0x8180);
	xdpi_put_be16(pbuf + 6, an);
	for (uint32_t i = 0; i < an; i++) {
		xdpi_put_be16(pbuf + o, 0xc00c);
		xdpi_put_be16(pbuf + o + 2, t->qtype == 65 ? 1 : t->qtype);
		xdpi_put_be16(pbuf + o + 4, 1);
		xdpi_put_be32(pbuf + o + 6, rnd_range(30, 3600));
		xdpi_put_be16(pbuf + o + 10, rlen);
		fill_random(pbuf + o + 12, rlen);
		o += 12 + rlen;
	}
	path_down(&p, t->cli, t->res);
	udp_send(&p, 53, t->sport, pbuf, o, 0, 1500);
	t->pending = false;
}

struct quic_flow {
	bool active;
	const struct host *cli, *srv;
	uint16_t sport;
	uint32_t left;
	uint8_t dcid[8];
};

#define QUIC_POOL 48
static struct quic_flow quic_pool[QUIC_POOL];

static void step_quic(void)
{
	struct quic_flow *q = &quic_pool[rnd_below(QUIC_POOL)];
	struct path p;
	uint32_t n;

	if (!q->active || !q->left) {
		bool v6 = chance(300);

		q->active = true;
		q->cli = pick_client(v6);
		q->srv = pick_server(v6);
		q->sport = ephemeral_port();
		q->left = rnd_range(10, 400);
		fill_random(q->dcid, 8);
		st_udp_flows++;
		/* Initial: long header, padded to 1200 bytes. */
		memcpy(pbuf, (const uint8_t[]){0xc3, 0, 0, 0, 1, 8}, 6);
		memcpy(pbuf + 6, q->dcid, 8);
		memcpy(pbuf + 14, (const uint8_t[]){0, 0, 0x44, 0x9e}, 4);
		fill_random(pbuf + 18, 1200 - 18);
		path_up(&p, q->cli, q->srv);
		udp_send(&p, q->sport, 443, pbuf, 1200, 0, 1500);
		return;
	}
	q->left--;
	if (chance(250)) {
		n = rnd_range(30, 120);
		path_up(&p, q->cli, q->srv);
	} else {
		n = rnd_range(1200, 1350);
		path_down(&p, q->cli, q->srv);
	}
	pbuf[0] = (uint8_t)(0x40 | rnd_below(64));
	memcpy(pbuf + 1, q->dcid, 8);
	fill_random(pbuf + 9, n - 9);
	if (p.src == q->cli)
		udp_send(&p, q->sport, 443, pbuf, n, 0, 1500);
	else
		udp_send(&p, 443, q->sport, pbuf, n, 0, 1500);
}

static void step_udp_misc(void)
{
	uint32_t r = rnd_below(100), n;
	struct path p;

	st_udp_flows++;
	if (r < 25) { /* NTP: client request and server reply */
		const struct host *cli = pick_client(false), *srv = &ntp4[rnd_below(2)];
		uint16_t sport = chance(500) ? 123 : ephemeral_port();

		memset(pbuf, 0, 48);
		pbuf[0] = 0x23;
		fill_random(pbuf + 40, 8);
		path_up(&p, cli, srv);
		udp_send(&p, sport, 123, pbuf, 48, 0, 1500);
		pbuf[0] = 0x24;
		pbuf[1] = 2;
		fill_random(pbuf + 16, 24);
		path_down(&p, cli, srv);
		udp_send(&p, 123, sport, pbuf, 48, 0, 1500);
	} else if (r < 40) { /* mDNS to the multicast group, v4 or v6 */
		bool v6 = chance(400);
		const struct host *cli = pick_client(v6);

		static const char *const services[] = {
			"_googlecast._tcp.local",      "_airplay._tcp.local", "_ipp._tcp.local",
			"_spotify-connect._tcp.local", "_hap._tcp.local",
		};

		memset(pbuf, 0, 12);
		xdpi_put_be16(pbuf + 4, 1);
		n = 12 + put_qname(pbuf + 12, services[rnd_below(5)]);
		xdpi_put_be16(pbuf + n, 12); /* PTR, IN */
		xdpi_put_be16(pbuf + n + 2, 1);
		n += 4;
		p.src = cli;
		p.dst = v6 ? &mdns6 : &mdns4;
		p.smac = cli->mac;
		p.dmac = p.dst->mac;
		p.vl = &cli->vl;
		udp_send(&p, 5353, 5353, pbuf, n, 0, 1500);
	} else if (r < 50) { /* SSDP M-SEARCH */
		const struct host *cli = pick_client(false);

		n = (uint32_t)snprintf((char *)pbuf, sizeof(pbuf),
				       "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
				       "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n");
		p.src = cli;
		p.dst = &ssdp4;
		p.smac = cli->mac;
		p.dmac = ssdp4.mac;
		p.vl = &cli->vl;
		udp_send(&p, ephemeral_port(), 1900, pbuf, n, 0, 1500);
	} else if (r < 65) { /* syslog */
		const struct host *cli = pick_client(false);

		n = (uint32_t)snprintf((char *)pbuf, sizeof(pbuf),
				       "<30>Nov 14 22:13:20 host%u systemd[1]: Started session %u "
				       "of user u%u.",
				       rnd_below(4000), rnd_below(100000), rnd_below(900));
		path_up(&p, cli, &syslog4);
		udp_send(&p, 514, 514, pbuf, n, 0, 1500);
	} else if (r < 92) { /* IPv6 with a Destination Options header */
		const struct host *cli = pick_client(true), *srv = pick_server(true);

		n = rnd_range(60, 900);
		fill_random(pbuf, n);
		path_up(&p, cli, srv);
		udp_send(&p, ephemeral_port(), (uint16_t)rnd_range(5000, 6000), pbuf, n,
			 EXT_DSTOPTS, 1500);
	} else { /* a large datagram, fragmented (v4, or v6 Fragment header) */
		bool v6 = chance(400);
		const struct host *cli = pick_client(v6), *srv = pick_server(v6);

		n = rnd_range(1600, 4000);
		fill_random(pbuf, n);
		path_down(&p, cli, srv);
		udp_send(&p, (uint16_t)rnd_range(2000, 3000), ephemeral_port(), pbuf, n, 0, 1500);
	}
}

static void step_udp(void)
{
	uint32_t r = rnd_below(100);

	if (r < 50)
		step_dns();
	else if (r < 82)
		step_quic();
	else
		step_udp_misc();
}

/* ---- ICMP, ARP, other ---- */

static void step_icmp(void)
{
	uint32_t r = rnd_below(100), n;
	struct path p;
	uint8_t *b = l4buf;

	if (r < 45) { /* ping: echo request and reply */
		const struct host *cli = pick_client(false), *srv = pick_server(false);
		uint16_t id = (uint16_t)rnd(), seq = (uint16_t)rnd_below(100);

		n = chance(800) ? 64 : rnd_range(8, 1400);
		fill_random(b + 8, n - 8);
		frame_icmp(b, 8, 0, (uint32_t)id << 16 | seq, NULL, n - 8); /* echo */
		path_up(&p, cli, srv);
		send_ip(&p, IPPROTO_ICMP, 0, b, n, 1500, ST_ICMP);
		frame_icmp(b, 0, 0, (uint32_t)id << 16 | seq, NULL, n - 8); /* reply */
		path_down(&p, cli, srv);
		send_ip(&p, IPPROTO_ICMP, 0, b, n, 1500, ST_ICMP);
	} else if (r < 60) { /* ping6 */
		const struct host *cli = pick_client(true), *srv = pick_server(true);
		uint32_t echo = (uint32_t)rnd();

		n = 64;
		fill_random(b + 8, n - 8);
		frame_icmp(b, 128, 0, echo, NULL, n - 8);
		path_up(&p, cli, srv);
		send_ip(&p, IPPROTO_ICMPV6, 0, b, n, 1500, ST_ICMP);
		frame_icmp(b, 129, 0, echo, NULL, n - 8);
		path_down(&p, cli, srv);
		send_ip(&p, IPPROTO_ICMPV6, 0, b, n, 1500, ST_ICMP);
	} else if (r < 75) { /* port unreachable quoting a UDP header */
		const struct host *cli = pick_client(false), *srv = pick_server(false);

		/* The quoted header is kept as the first captures had it:
		 * checksum, TOS, ID and flags are what the buffer held. */
		frame_icmp(b, 3, 3, 0, NULL, 28);
		b[8] = 0x45;
		xdpi_put_be16(b + 10, 28 + rnd_below(400));
		b[16] = 64;
		b[17] = 17;
		memcpy(b + 20, cli->ip, 4);
		memcpy(b + 24, srv->ip, 4);
		fill_random(b + 28, 8);
		path_down(&p, cli, srv);
		send_ip(&p, IPPROTO_ICMP, 0, b, 36, 1500, ST_ICMP);
	} else if (r < 90) { /* neighbour solicitation */
		const struct host *cli = pick_client(true), *srv = pick_client(true);

		frame_icmp(b, 135, 0, 0, NULL, 24);
		memcpy(b + 8, srv->ip, 16);
		b[24] = 1;
		b[25] = 1;
		memcpy(b + 26, cli->mac, 6);
		p.src = cli;
		p.dst = srv;
		p.smac = cli->mac;
		p.dmac = srv->mac;
		p.vl = &cli->vl;
		send_ip(&p, IPPROTO_ICMPV6, 0, b, 32, 1500, ST_ICMP);
	} else { /* MLDv2 report behind Hop-by-Hop (Router Alert) */
		const struct host *cli = pick_client(true);

		memset(b + 8, 0, 4);
		frame_icmp(b, 143, 0, 1, NULL, 20); /* one record */
		b[8] = 4;
		memcpy(b + 12, mdns6.ip, 16);
		p.src = cli;
		p.dst = &mld6;
		p.smac = cli->mac;
		p.dmac = mld6.mac;
		p.vl = &cli->vl;
		send_ip(&p, IPPROTO_ICMPV6, EXT_HBH_RA, b, 28, 1500, ST_ICMP);
	}
}

static void step_arp(void)
{
	const struct host *cli = pick_client(false);
	struct path p = {.smac = cli->mac, .dmac = bcast_mac, .vl = &cli->vl};
	uint32_t o;

	if (chance(400)) { /* the router's reply */
		p.smac = router_mac;
		p.dmac = cli->mac;
		o = put_eth(&p, ETH_P_ARP);
		o += (uint32_t)frame_arp(fbuf + o, 2, router_mac, 0x0a000001, cli->mac,
					 xdpi_get_be32(cli->ip));
	} else {
		o = put_eth(&p, ETH_P_ARP);
		o += (uint32_t)frame_arp(fbuf + o, 1, cli->mac, xdpi_get_be32(cli->ip), NULL,
					 0x0a000001);
	}
	write_frame(o, ST_ARP);
}

static void step_other(void)
{
	if (chance(400)) { /* LLDP from the switch */
		static const uint8_t lldp_mac[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
		static const uint8_t sw_mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x99};
		struct path p = {.smac = sw_mac, .dmac = lldp_mac};
		uint32_t o = put_eth(&p, ETH_P_LLDP), port = rnd_below(48);
		uint8_t *t = fbuf + o;
		int n;

		/* Chassis ID (MAC), Port ID (name), TTL, System name, End. */
		memcpy(t, (const uint8_t[]){0x02, 0x07, 0x04}, 3);
		memcpy(t + 3, sw_mac, 6);
		n = snprintf((char *)t + 11, 32, "ge-0/0/%u", port);
		t[9] = 0x04;
		t[10] = (uint8_t)(n + 1);
		t[11 + n] = 0;
		memmove(t + 12, t + 11, (size_t)n);
		t[11] = 0x05; /* subtype: interface name */
		t += 12 + n;
		memcpy(t, (const uint8_t[]){0x06, 0x02, 0x00, 0x78}, 4);
		n = snprintf((char *)t + 6, 32, "access-sw%u.lab", port / 12);
		t[4] = 0x0a;
		t[5] = (uint8_t)n;
		t += 6 + n;
		t[0] = t[1] = 0;
		write_frame((uint32_t)(t + 2 - fbuf), ST_OTHER);
	} else { /* an IPsec tunnel: ESP, L4 "other" */
		struct path p;
		uint32_t n = chance(500) ? rnd_range(60, 200) : rnd_range(1000, 1420);

		if (chance(500))
			path_up(&p, &esp_a, &esp_b);
		else
			path_down(&p, &esp_a, &esp_b);
		xdpi_put_be32(l4buf, 0xc0ffee01);
		xdpi_put_be32(l4buf + 4, (uint32_t)frames_written);
		fill_random(l4buf + 8, n - 8);
		send_ip(&p, IPPROTO_ESP, 0, l4buf, n, 1500, ST_OTHER);
	}
}

static void step(void)
{
	uint32_t r = rnd_below(1000);

	if (r < 800)
		step_tcp();
	else if (r < 955)
		step_udp();
	else if (r < 980)
		step_icmp();
	else if (r < 994)
		step_arp();
	else
		step_other();
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: mkcapture [-s SEED] N OUT.pcap\n"
		     "Writes N frames of synthetic mixed traffic (deterministic for a given\n"
		     "SEED; the capture of N frames is a prefix of any larger one).\n");
}

int main(int argc, char **argv)
{
	uint64_t seed = 0x78647069626e6368ull; /* "xdpibnch" */
	pcap_t *dead;
	int opt;

	while ((opt = getopt(argc, argv, "s:h")) != -1) {
		switch (opt) {
		case 's':
			/* decimal, like every number xdpi takes */
			if (xdpi_parse_u64(optarg, 0, UINT64_MAX, &seed)) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	if (xdpi_parse_u64(argv[optind], 1, 1000000000ull, &frames_target)) {
		fprintf(stderr, "mkcapture: N must be 1..1000000000\n");
		return 2;
	}
	dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	if (!dead) {
		fprintf(stderr, "mkcapture: pcap_open_dead failed\n");
		return 1;
	}
	dumper = pcap_dump_open(dead, argv[optind + 1]);
	if (!dumper) {
		fprintf(stderr, "mkcapture: %s\n", pcap_geterr(dead));
		pcap_close(dead);
		return 1;
	}
	rnd_seed(seed);
	hosts_init();
	for (uint32_t i = 0; i < TCP_POOL; i++)
		tcp_pool[i].state = T_DONE;
	while (frames_written < frames_target)
		step();
	if (pcap_dump_flush(dumper) || ferror(pcap_dump_file(dumper))) {
		fprintf(stderr, "mkcapture: %s: write error\n", argv[optind + 1]);
		pcap_dump_close(dumper);
		pcap_close(dead);
		return 1;
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	fprintf(stderr,
		"mkcapture: %" PRIu64 " frames, %" PRIu64 " bytes (avg %.0f) to %s\n"
		"  tcp %" PRIu64 "  udp %" PRIu64 "  icmp %" PRIu64 "  arp %" PRIu64
		"  other %" PRIu64 "\n"
		"  ipv6 %" PRIu64 "  vlan-tagged %" PRIu64 "  fragments %" PRIu64
		"  tcp connections %" PRIu64 "  udp flows %" PRIu64 "\n"
		"  sizes <=100 %" PRIu64 "  101-400 %" PRIu64 "  401-1000 %" PRIu64
		"  >1000 %" PRIu64 "\n",
		frames_written, bytes_written, (double)bytes_written / (double)frames_written,
		argv[optind + 1], st_frames[ST_TCP], st_frames[ST_UDP], st_frames[ST_ICMP],
		st_frames[ST_ARP], st_frames[ST_OTHER], st_v6, st_vlan, st_frags, st_tcp_conns,
		st_udp_flows, st_size[0], st_size[1], st_size[2], st_size[3]);
	return 0;
}
