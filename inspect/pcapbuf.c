// SPDX-License-Identifier: MIT
#include "pcapbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCAPBUF_FILE_HDR 24
#define PCAPBUF_MAGIC_US 0xa1b2c3d4u
#define PCAPBUF_MAGIC_NS 0xa1b23c4du
#define PCAPBUF_LT_TYPE(x) ((x)&0x03ffffffu) /* below the FCS bits */
#define PCAPBUF_LT_ETHERNET 1

int pcapbuf_open(struct pcapbuf *b, int fd, size_t bufsize)
{
	uint8_t h[PCAPBUF_FILE_HDR];
	uint32_t magic, snap;
	uint16_t major, minor;
	ssize_t n;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	do
		n = pread(fd, h, sizeof(h), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A header cut short: libpcap says how. */
	if (n < (ssize_t)sizeof(h))
		return 0;
	memcpy(&magic, h, sizeof(magic));
	if (magic == PCAPBUF_MAGIC_US || magic == PCAPBUF_MAGIC_NS) {
		b->nano = magic == PCAPBUF_MAGIC_NS;
	} else if (magic == __builtin_bswap32(PCAPBUF_MAGIC_US) ||
		   magic == __builtin_bswap32(PCAPBUF_MAGIC_NS)) {
		b->swapped = true;
		b->nano = magic == __builtin_bswap32(PCAPBUF_MAGIC_NS);
	} else {
		return 0;
	}
	memcpy(&major, h + 4, sizeof(major));
	memcpy(&minor, h + 6, sizeof(minor));
	if (b->swapped) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	/* 2.0 to 2.3 may have caplen and len the other way round. */
	if (major != 2 || minor != 4)
		return 0;
	b->linktype = pcapbuf_u32(b, h + 20);
	if (PCAPBUF_LT_TYPE(b->linktype) != PCAPBUF_LT_ETHERNET)
		return 0;
	snap = pcapbuf_u32(b, h + 16);
	/* libpcap 1.10 takes the field as an int: <= 0 is unset. */
	b->snap = (int32_t)snap <= 0 ? PCAPBUF_SNAP_MAX : snap;
	b->size = bufsize ? bufsize : PCAPBUF_SIZE;
	/* no record holds more than PCAPBUF_SNAP_MAX */
	if (b->size < PCAPBUF_HDR + (size_t)PCAPBUF_SNAP_MAX &&
	    b->size < PCAPBUF_HDR + (size_t)b->snap)
		b->size = PCAPBUF_HDR + (b->snap < PCAPBUF_SNAP_MAX ? b->snap : PCAPBUF_SNAP_MAX);
	b->buf = malloc(b->size);
	if (!b->buf)
		return -ENOMEM;
	if (lseek(fd, PCAPBUF_FILE_HDR, SEEK_SET) < 0) {
		int e = errno;

		pcapbuf_close(b);
		return -e;
	}
	b->fd = fd;
	b->base = PCAPBUF_FILE_HDR;
	return 1;
}

void pcapbuf_close(struct pcapbuf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->fd = -1;
}

/* Moves the unread bytes to the front of the buffer and reads until @want
 * of them are there (@want <= size) or the file ends. 0 or -errno. */
static int pcapbuf_fill(struct pcapbuf *b, size_t want)
{
	ssize_t n;

	if (b->start) {
		memmove(b->buf, b->buf + b->start, b->end - b->start);
		b->base += b->start;
		b->end -= b->start;
		b->start = 0;
	}
	while (b->end < want && !b->eof) {
		n = read(b->fd, b->buf + b->end, b->size - b->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			b->eof = true;
		b->end += (size_t)n;
	}
	return 0;
}

/* A broken record: the message, and whether reading stopped at the end of
 * the file, told as capfile tells it for libpcap (the position against the
 * file's size). */
__attribute__((format(printf, 2, 3))) static int pcapbuf_broken(struct pcapbuf *b, const char *fmt,
								...)
{
	struct stat st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	b->at_end = !fstat(b->fd, &st) && pcapbuf_offset(b) >= (uint64_t)st.st_size;
	return -1;
}

int pcapbuf_next_slow(struct pcapbuf *b, struct pcap_pkthdr *h, const uint8_t **data)
{
	size_t left, want, keep, avail;
	int ret;

	if (b->end - b->start < PCAPBUF_HDR) {
		ret = pcapbuf_fill(b, PCAPBUF_HDR);
		if (ret)
			return pcapbuf_broken(b, "error reading dump file: %s", strerror(-ret));
		left = b->end - b->start;
		if (!left)
			return 0;
		if (left < PCAPBUF_HDR) {
			b->start = b->end;
			return pcapbuf_broken(
				b,
				"truncated dump file; tried to read %u header bytes, only got %zu",
				PCAPBUF_HDR, left);
		}
	}
	pcapbuf_header(b, b->buf + b->start, h);
	if (h->caplen > PCAPBUF_SNAP_MAX) {
		b->start += PCAPBUF_HDR;
		if (h->caplen > b->snap)
			return pcapbuf_broken(
				b, "invalid packet capture length %u, bigger than snaplen of %u",
				h->caplen, b->snap);
		return pcapbuf_broken(b,
				      "invalid packet capture length %u, bigger than maximum of %u",
				      h->caplen, PCAPBUF_SNAP_MAX);
	}
	want = PCAPBUF_HDR + (size_t)h->caplen;
	/* What must be in the buffer: past the snapshot length libpcap
	 * keeps the snapshot length and skips the rest. */
	keep = PCAPBUF_HDR + (size_t)(h->caplen > b->snap ? b->snap : h->caplen);
	if (b->end - b->start < keep) {
		ret = pcapbuf_fill(b, keep);
		if (ret)
			return pcapbuf_broken(b, "error reading dump file: %s", strerror(-ret));
	}
	left = b->end - b->start;
	if (left < keep) {
		avail = left - PCAPBUF_HDR;
		b->start = b->end;
		return pcapbuf_broken(
			b, "truncated dump file; tried to read %u captured bytes, only got %zu",
			(uint32_t)(keep - PCAPBUF_HDR), avail);
	}
	*data = b->buf + b->start + PCAPBUF_HDR;
	if (left >= want) {
		b->start += want;
	} else {
		/* The skipped part runs past the buffer: seek over it, the
		 * record's kept bytes staying where they are. */
		uint64_t data_off = b->base + b->start + PCAPBUF_HDR,
			 rec_end = data_off + h->caplen;
		struct stat st;

		if (fstat(b->fd, &st))
			return pcapbuf_broken(b, "error reading dump file: %s", strerror(errno));
		if ((uint64_t)st.st_size < rec_end) {
			b->base = (uint64_t)st.st_size - b->end;
			b->start = b->end;
			return pcapbuf_broken(
				b,
				"truncated dump file; tried to read %u captured bytes, only got %llu",
				h->caplen, (unsigned long long)((uint64_t)st.st_size - data_off));
		}
		if (lseek(b->fd, (off_t)rec_end, SEEK_SET) < 0)
			return pcapbuf_broken(b, "error reading dump file: %s", strerror(errno));
		b->base = rec_end - b->end;
		b->start = b->end;
	}
	/* Past the snapshot length but sane: cut to it, as libpcap does. */
	if (h->caplen > b->snap)
		h->caplen = b->snap;
	return 1;
}
