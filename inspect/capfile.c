// SPDX-License-Identifier: MIT
#include "capfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "../util/bytes.h"
#include "../util/clock.h"
#include "pcapbuf.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#define CAPFILE_ETH_HLEN 14
/* libpcap's largest snap length. */
#define CAPFILE_SNAP_MAX 262144
/* The pcap header's link-type field above the link type (pcap_datalink_ext()):
 * bit 26 says the frames end with an FCS of bits 28..31 16-bit words
 * (draft-ietf-opsawg-pcap, "LinkType and additional information"). */
#define CAPFILE_LT_FCS_PRESENT 0x04000000u
#define CAPFILE_LT_FCS_WORDS(x) (((uint32_t)(x) >> 28) & 0xf)

/*
 * Link types read besides Ethernet: Linux cooked captures (`tcpdump -i
 * any` writes SLL, newer ones SLL2) and raw IP. Each frame is given an
 * Ethernet header in a scratch buffer in place of its own, so that every
 * stage after (filter, parser, metrics) reads Ethernet as it does live;
 * lengths count as if the frame had been Ethernet (docs/metrics.md).
 */
struct capfile_ctx {
	struct pipeline *p;
	pcap_t *pc;
	const struct capfile_opts *o;
	int dlt;
	uint32_t fcs; /* bytes of FCS at the end of each frame, not inspected */
	/* Per frame, worked out once: the write stage or the flows need the
	 * frame's time; -c's limit (UINT64_MAX: none); frames until the
	 * progress line's next look at the clock (UINT64_MAX: none). */
	bool stamp;
	uint64_t count_limit;
	uint64_t progress_countdown;
	/* Progress (a terminal only): when to look next, what was said. */
	uint64_t seen;
	double started;
	FILE *file;
	long long file_size;
	bool progress_shown;
	uint8_t *buf;		    /* cooked and raw links: the frame behind an Ethernet header */
	struct timeval first, last; /* the records' time stamps (ns in tv_usec) */
	bool any;
	char *vbuf; /* the stdio buffer of the file, freed after pcap_close() */
	/* A classic pcap regular file is read by pcapbuf, not libpcap
	 * (@pc NULL): its descriptor, and -c's stop. */
	struct pcapbuf pb;
	int fd;
	bool stop;
};

#define CAPFILE_PROGRESS_EVERY 65536 /* frames between two looks at the clock */
#define CAPFILE_PROGRESS_AFTER_S 2.0

/* Before a frame: its time, for the write stage (which copies it) and the
 * flow table (which times flows out by it). */
static inline void capfile_stamp(struct capfile_ctx *c, const struct pcap_pkthdr *h)
{
	uint64_t ns;

	if (!c->stamp)
		return;
	/* Both readers give ns in tv_usec (capfile_open(), pcapbuf). */
	ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	c->p->tap_ts_ns = ns;
	if (c->p->cfg.flows)
		pipeline_clock(c->p, ns);
}

/* After a frame: -c, and now and then the progress line. */
static inline __attribute__((always_inline)) void capfile_around(struct capfile_ctx *c,
								 const struct pcap_pkthdr *h)
{
	(void)h;
	if (c->p->m.c.packets >= c->count_limit) {
		c->stop = true;
		if (c->pc)
			pcap_breakloop(c->pc);
	}
	if (__builtin_expect(--c->progress_countdown == 0, 0)) {
		double now;

		c->progress_countdown = CAPFILE_PROGRESS_EVERY;
		c->seen += CAPFILE_PROGRESS_EVERY;
		now = xdpi_now();

		if (now - c->started < CAPFILE_PROGRESS_AFTER_S)
			return;
		if (c->file_size > 0)
			fprintf(stderr, "\rxdpi read: %" PRIu64 " frames, %.0f%%  ", c->seen,
				100.0 *
					(double)(c->pc ? ftell(c->file)
						       : (long)pcapbuf_offset(&c->pb)) /
					(double)c->file_size);
		else
			fprintf(stderr, "\rxdpi read: %" PRIu64 " frames  ", c->seen);
		c->progress_shown = true;
	}
}

/* The link header's length and the frame's EtherType; false if the record
 * is shorter than its link header. */
static bool cooked_header(int dlt, const u_char *b, uint32_t caplen, uint32_t *hlen, uint16_t *type)
{
	switch (dlt) {
	case DLT_LINUX_SLL: /* packet type, ARPHRD, address length, address[8], protocol */
		*hlen = 16;
		if (caplen < *hlen)
			return false;
		*type = xdpi_get_be16(b + 14);
		return true;
	case DLT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, length, address */
		*hlen = 20;
		if (caplen < *hlen)
			return false;
		*type = xdpi_get_be16(b);
		return true;
	default: /* raw IP: the version says which */
		*hlen = 0;
		if (caplen < 1)
			return false;
		*type = (b[0] >> 4) == 6 ? 0x86DD : 0x0800;
		return true;
	}
}

/* The record's lengths without its FCS: the wire length loses the FCS,
 * the captured length what of it was captured. A record claiming fewer
 * bytes on the wire than it holds is broken; the parser then trusts the
 * capture, and so do the byte counts. */
static void capfile_lengths(const struct capfile_ctx *c, const struct pcap_pkthdr *h,
			    uint32_t *caplen, uint32_t *wire)
{
	*wire = h->len > h->caplen ? h->len : h->caplen;
	*caplen = h->caplen;
	if (!c->fcs)
		return;
	*wire = *wire > c->fcs ? *wire - c->fcs : 0;
	if (*caplen > *wire)
		*caplen = *wire;
}

static void capfile_frame_cooked(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capfile_ctx *c = (struct capfile_ctx *)user;
	uint32_t wire, hlen, cap, caplen;
	uint16_t type;

	capfile_lengths(c, h, &caplen, &wire);

	capfile_stamp(c, h);
	if (!c->any) {
		c->first = h->ts;
		c->any = true;
	}
	c->last = h->ts;
	if (!cooked_header(c->dlt, bytes, caplen, &hlen, &type)) {
		/* Shorter than its link header: counts as a cut Ethernet one. */
		wire = wire + CAPFILE_ETH_HLEN > hlen ? wire + CAPFILE_ETH_HLEN - hlen : 0;
		pipeline_frame(c->p, c->buf, 0, wire, 0, c->p->cfg.filter != NULL, true, false);
		capfile_around(c, h);
		return;
	}
	cap = caplen - hlen;
	if (cap > CAPFILE_SNAP_MAX)
		cap = CAPFILE_SNAP_MAX;
	memset(c->buf, 0, 12);
	/* SLL2's address: the sender's link address, where it is a MAC. */
	if (c->dlt == DLT_LINUX_SLL2 && bytes[11] == 6)
		memcpy(c->buf + 6, bytes + 12, 6);
	else if (c->dlt == DLT_LINUX_SLL && xdpi_get_be16(bytes + 4) == 6)
		memcpy(c->buf + 6, bytes + 6, 6);
	xdpi_put_be16(c->buf + 12, type);
	memcpy(c->buf + CAPFILE_ETH_HLEN, bytes + hlen, cap);
	pipeline_frame(c->p, c->buf, cap + CAPFILE_ETH_HLEN, wire - hlen + CAPFILE_ETH_HLEN, 0,
		       c->p->cfg.filter != NULL, true, false);
	capfile_around(c, h);
}

static bool capfile_cooked_link(int dlt)
{
	return dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 || dlt == DLT_RAW || dlt == DLT_IPV4 ||
	       dlt == DLT_IPV6;
}

/* Ethernet, the common case: nothing around the pipeline. */
static inline __attribute__((always_inline)) void
capfile_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capfile_ctx *c = (struct capfile_ctx *)user;
	uint32_t caplen, wire;

	capfile_lengths(c, h, &caplen, &wire);
	/* Offline there are no generator stamps to time: no sequence check. */
	pipeline_frame(c->p, bytes, caplen, wire, 0, c->p->cfg.filter != NULL, true, false);
	/* The capture's time span, for the summary's rates. */
	if (!c->any) {
		c->first = h->ts;
		c->any = true;
	}
	c->last = h->ts;
}

/* Ethernet with -w, -c, progress or flows. Inlined into pcapbuf's read
 * loop as capfile_frame() is (a call a frame costs its prologue: about 20
 * instructions); libpcap's loop calls the out-of-line copy. */
static inline __attribute__((always_inline)) void
capfile_frame_around(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capfile_ctx *c = (struct capfile_ctx *)user;

	capfile_stamp(c, h);
	capfile_frame(user, h, bytes);
	capfile_around(c, h);
}

/* The stdio buffer libpcap reads a file through: one read() per MiB. */
#define CAPFILE_STDIO_BUF (1u << 20)

/* Opens @path (or reads @fp, named @path), with nanosecond time stamps
 * whatever the file has. @fp is closed in any case. @vbuf (CAPFILE_STDIO_BUF
 * bytes or NULL) must outlive the pcap_t. */
static pcap_t *capfile_open(const char *path, FILE *fp, char *vbuf, char *err, size_t err_len)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;

	/* Opened here rather than by pcap_open_offline() (which does only
	 * this fopen()) so that the stream can be set up for one reader:
	 * libpcap makes two fread() calls a record, each taking and dropping
	 * the FILE's lock (about 60 instructions a frame) though only this
	 * thread ever reads it. */
	if (!fp && strcmp(path, "-")) {
		fp = fopen(path, "rb");
		if (!fp) {
			snprintf(err, err_len, "%s: %s", path, strerror(errno));
			return NULL;
		}
	} else if (!fp) {
		fp = stdin; /* left as it is: it outlives the read */
	}
	if (fp != stdin) {
		__fsetlocking(fp, FSETLOCKING_BYCALLER);
		if (vbuf)
			setvbuf(fp, vbuf, _IOFBF, CAPFILE_STDIO_BUF);
	}
	pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	/* libpcap closes @fp only once it holds it */
	if (!pc && fp != stdin)
		fclose(fp);
	/* libpcap's text names the cause (missing, bad magic, ...) and
	 * sometimes the file. */
	if (!pc && strstr(errbuf, path))
		snprintf(err, err_len, "%s", errbuf);
	else if (!pc)
		snprintf(err, err_len, "%s: %s", path, errbuf);
	return pc;
}

/* Whether the reader of @f stopped at the end of the file. */
static bool capfile_at_end(FILE *f)
{
	struct stat st;
	long pos;

	if (!f)
		return false;
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode)) {
		pos = ftell(f);
		return pos >= 0 && (long long)pos >= (long long)st.st_size;
	}
	return feof(f);
}

static void capfile_progress_init(struct capfile_ctx *c)
{
	struct stat st;

	int fd;

	c->started = xdpi_now();
	c->file = c->pc ? pcap_file(c->pc) : NULL;
	fd = c->file ? fileno(c->file) : c->fd;
	c->file_size =
		fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
}

/* The one release of what capfile_read() opened. */
static void capfile_close(struct capfile_ctx *c)
{
	if (c->pc)
		pcap_close(c->pc); /* and the FILE, and its descriptor */
	else
		close(c->fd);
	pcapbuf_close(&c->pb);
	free(c->vbuf);
}

/* pcapbuf's read loop, as pcap_loop() with @fn; inlined for each handler
 * so that the common one is inlined in turn. */
static inline __attribute__((always_inline)) int capfile_buf_loop(struct capfile_ctx *c,
								  pcap_handler fn)
{
	struct pcap_pkthdr h;
	const uint8_t *data;
	int r;

	while ((r = pcapbuf_next(&c->pb, &h, &data)) > 0) {
		fn((u_char *)c, &h, data);
		if (c->stop)
			return PCAP_ERROR_BREAK;
	}
	return r < 0 ? PCAP_ERROR : 0;
}

static int capfile_buf_read(struct capfile_ctx *c, pcap_handler fn)
{
	if (fn == capfile_frame)
		return capfile_buf_loop(c, capfile_frame);
	if (fn == capfile_frame_around)
		return capfile_buf_loop(c, capfile_frame_around);
	return capfile_buf_loop(c, fn);
}

/* A regular file that pcapbuf reads exactly is read by it (1); else the
 * file is left to libpcap, as a stream (0, *@fp) or, for stdin and a
 * stream already open, by name (0). Negative errno with @err. */
static int capfile_open_buf(struct capfile_ctx *c, const char *path, FILE **fp, char *err,
			    size_t err_len)
{
	struct stat st;
	int ret;

	if (*fp || !strcmp(path, "-"))
		return 0;
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = fstat(c->fd, &st) ? -errno : S_ISREG(st.st_mode) ? pcapbuf_open(&c->pb, c->fd, 0) : 0;
	if (ret == 1)
		return 1;
	if (!ret && !(*fp = fdopen(c->fd, "rb")))
		ret = -errno;
	if (ret < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
		close(c->fd);
		c->fd = -1;
		return ret;
	}
	c->fd = -1; /* the FILE's now */
	return 0;
}

int capfile_read(const char *path, struct pipeline *p, const struct capfile_opts *o,
		 struct capfile_result *res, char *err, size_t err_len)
{
	uint64_t frames = p->m.c.packets, snapped = p->snapped, filtered = p->filtered_out;
	struct capfile_ctx c = {.p = p,
				.o = o,
				.stamp = p->tap || p->cfg.flows,
				.count_limit = o->count ? o->count : UINT64_MAX,
				.progress_countdown =
					o->progress ? CAPFILE_PROGRESS_EVERY : UINT64_MAX,
				.fd = -1};
	FILE *fp = o->fp;
	pcap_handler fn;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = capfile_open_buf(&c, path, &fp, err, err_len);
	if (ret < 0)
		return -EINVAL;
	if (!ret) {
		/* No buffer (stdio's own) if this allocation fails. */
		c.vbuf = malloc(CAPFILE_STDIO_BUF);
		c.pc = capfile_open(path, fp, c.vbuf, err, err_len);
		if (!c.pc) {
			free(c.vbuf);
			return -EINVAL;
		}
	}
	c.dlt = c.pc ? pcap_datalink(c.pc) : DLT_EN10MB;
	res->link = pcap_datalink_val_to_name(c.dlt);
	{
		int ext = c.pc ? pcap_datalink_ext(c.pc) : (int)(c.pb.linktype & ~0x03ffffffu);

		/* pcap only: libpcap passes pcapng's if_fcslen on to no one */
		if (ext > 0 && ((uint32_t)ext & CAPFILE_LT_FCS_PRESENT))
			c.fcs = 2 * CAPFILE_LT_FCS_WORDS(ext);
		res->fcs = c.fcs;
	}
	if (c.dlt == DLT_EN10MB) {
		fn = p->tap || p->cfg.flows || o->count || o->progress ? capfile_frame_around
								       : capfile_frame;
	} else if (capfile_cooked_link(c.dlt)) {
		fn = capfile_frame_cooked;
		c.buf = malloc(CAPFILE_ETH_HLEN + CAPFILE_SNAP_MAX);
		if (!c.buf) {
			snprintf(err, err_len, "out of memory");
			capfile_close(&c);
			return -ENOMEM;
		}
	} else {
		snprintf(err, err_len,
			 "%s: link type %s (%d) is not one xdpi reads (Ethernet, Linux cooked "
			 "SLL/SLL2, raw IP)",
			 path, pcap_datalink_val_to_name(c.dlt) ?: "unknown", c.dlt);
		capfile_close(&c);
		return -EPROTONOSUPPORT;
	}
	if (o->progress)
		capfile_progress_init(&c);
	ret = c.pc ? pcap_loop(c.pc, -1, fn, (u_char *)&c) : capfile_buf_read(&c, fn);
	free(c.buf);
	if (c.progress_shown)
		fputc('\n', stderr);
	res->counted_out = ret == PCAP_ERROR_BREAK;
	if (c.any) {
		res->first_s = (double)c.first.tv_sec + (double)c.first.tv_usec / 1e9;
		res->last_s = (double)c.last.tv_sec + (double)c.last.tv_usec / 1e9;
		res->span_s = (double)(c.last.tv_sec - c.first.tv_sec) +
			      ((double)c.last.tv_usec - (double)c.first.tv_usec) / 1e9;
	}
	if (ret == PCAP_ERROR_BREAK)
		ret = 0;
	res->frames = p->m.c.packets - frames;
	res->snapped = p->snapped - snapped;
	res->filtered_out = p->filtered_out - filtered;
	if (ret == PCAP_ERROR) {
		const char *why = c.pc ? pcap_geterr(c.pc) : c.pb.err;

		/* libpcap reports a short last record as an error; for a
		 * capture cut off by a crash or a full disk the records before
		 * it are good, so keep them and warn. Told by where the reading
		 * stopped, not by libpcap's wording: at the end of the file
		 * (a regular file's size, else the stream's end of file) it
		 * was cut; before it, a record (a length past any snap length,
		 * a link-type change inside a pcapng file) is corrupt. */
		if (c.pc ? capfile_at_end(pcap_file(c.pc)) : c.pb.at_end) {
			res->truncated = true;
			snprintf(res->warning, sizeof(res->warning), "%s: %s", path, why);
		} else {
			snprintf(err, err_len, "%s: %s", path, why);
			capfile_close(&c);
			return -EIO;
		}
	}
	capfile_close(&c);
	return 0;
}

int capfile_inspect(const char *path, struct pipeline *p, struct capfile_result *res, char *err,
		    size_t err_len)
{
	const struct capfile_opts none = {0};

	return capfile_read(path, p, &none, res, err, err_len);
}
