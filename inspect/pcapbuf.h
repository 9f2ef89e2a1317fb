/* SPDX-License-Identifier: MIT */
/*
 * A reader of classic pcap files (not pcapng) that hands out each record in
 * place in its own read buffer: one read() a MiB, no stdio, no copy of the
 * frame. libpcap's reader costs about 500 instructions a frame (two fread()
 * calls through stdio and a copy into its own buffer), which is as much as
 * xdpi's whole parse and metrics; this one costs about 20
 * (docs/dependencies.md says why libpcap is bypassed here, and only here).
 *
 * It takes only what it reads exactly as libpcap 1.10 does: a regular file,
 * version 2.4, microsecond or nanosecond magic in either byte order,
 * Ethernet (its FCS bits included). Anything else (pcapng, other versions
 * and link types, Kuznetzov's records, pipes) is left to libpcap:
 * pcapbuf_open() then says 0 and leaves the descriptor at offset 0.
 *
 * Records read as libpcap reads them (tests/fuzz_pcapbuf.c holds the two
 * to the same records, bytes and end on any input): time stamps from signed
 * 32-bit fields, microseconds scaled to nanoseconds; a captured length past
 * the file's snapshot length (0 or past 2^31 means 262144) but within
 * 262144 is cut to the snapshot length, the rest skipped; one past 262144
 * is a corrupt record; a file that ends inside a record is cut there.
 * A file that grows while it is read is read to where read() says it ends.
 *
 * Errors: functions return a negative errno; a broken record is reported
 * by pcapbuf_next() with a message in b->err, and b->at_end says whether
 * reading stopped at the end of the file (a cut record, as libpcap's
 * reader tells it from the stream position) or before it (corrupt).
 * One thread reads a pcapbuf.
 */
#ifndef XDPI_INSPECT_PCAPBUF_H
#define XDPI_INSPECT_PCAPBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pcap/pcap.h>

#define PCAPBUF_HDR 16		/* a record's header */
#define PCAPBUF_SNAP_MAX 262144 /* libpcap's largest captured length (Ethernet) */
#define PCAPBUF_SIZE (1u << 20) /* the default read buffer */

struct pcapbuf {
	int fd;
	uint8_t *buf;
	size_t size;	   /* of buf: at least one whole record of snap bytes */
	size_t start, end; /* the unread bytes of buf */
	uint64_t base;	   /* the file offset of buf[0] */
	bool eof;	   /* read() said the end */
	bool swapped;	   /* the file's byte order is not ours */
	bool nano;	   /* time stamps in ns (else us, scaled) */
	uint32_t snap;	   /* the snapshot length, as libpcap adjusts it */
	uint32_t linktype; /* the header's field whole: FCS bits above the type */
	bool at_end;	   /* after an error: it stopped at the end of the file */
	char err[128];	   /* after an error: why, in libpcap's words */
};

/* Takes @fd (a regular file at offset 0) if its header is one this reader
 * reads exactly: 1, @b ready (it owns neither @fd nor the caller's errors);
 * 0, not one (@fd back at offset 0, for libpcap); negative errno on a read
 * or allocation failure. @bufsize: the read buffer, 0 for PCAPBUF_SIZE;
 * grown to one record of the snapshot length if smaller. */
int pcapbuf_open(struct pcapbuf *b, int fd, size_t bufsize);
/* Frees the buffer; @fd is the caller's. Accepts a zeroed pcapbuf. */
void pcapbuf_close(struct pcapbuf *b);
/* Out of line: the end of the buffer, of the file, and every odd record. */
int pcapbuf_next_slow(struct pcapbuf *b, struct pcap_pkthdr *h, const uint8_t **data);

static inline uint32_t pcapbuf_u32(const struct pcapbuf *b, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return b->swapped ? __builtin_bswap32(v) : v;
}

/* The record header at @r into @h, as libpcap 1.10's pcap_pkthdr: the
 * time's fields are signed 32-bit in the file, but its byte swap yields
 * them unsigned, so a swapped file's second count past 2038 is positive
 * and a native file's negative (the fuzzer holds this to libpcap). */
static inline void pcapbuf_header(const struct pcapbuf *b, const uint8_t *r, struct pcap_pkthdr *h)
{
	uint32_t sec = pcapbuf_u32(b, r), frac = pcapbuf_u32(b, r + 4);

	h->ts.tv_sec = b->swapped ? (time_t)sec : (time_t)(int32_t)sec;
	h->ts.tv_usec = b->swapped ? (suseconds_t)frac : (suseconds_t)(int32_t)frac;
	if (!b->nano)
		h->ts.tv_usec *= 1000;
	h->caplen = pcapbuf_u32(b, r + 8);
	h->len = pcapbuf_u32(b, r + 12);
}

/* The next record: 1 and @h, @*data (valid until the next call); 0 at the
 * end of the file; -1 for a broken record (b->err, b->at_end). */
static inline int pcapbuf_next(struct pcapbuf *b, struct pcap_pkthdr *h, const uint8_t **data)
{
	const uint8_t *r = b->buf + b->start;
	size_t left = b->end - b->start;

	if (__builtin_expect(left < PCAPBUF_HDR, 0))
		return pcapbuf_next_slow(b, h, data);
	pcapbuf_header(b, r, h);
	if (__builtin_expect(h->caplen > b->snap || h->caplen > left - PCAPBUF_HDR, 0))
		return pcapbuf_next_slow(b, h, data);
	*data = r + PCAPBUF_HDR;
	b->start += PCAPBUF_HDR + h->caplen;
	return 1;
}

/* The file offset of the next unread byte (progress lines). */
static inline uint64_t pcapbuf_offset(const struct pcapbuf *b)
{
	return b->base + b->start;
}

#endif /* XDPI_INSPECT_PCAPBUF_H */
