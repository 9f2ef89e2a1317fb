// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: inspect/pcapbuf.c, the classic pcap reader `xdpi read`
 * uses instead of libpcap for regular files, against libpcap itself on the
 * same bytes. Each input becomes a memory file; when pcapbuf takes it,
 * libpcap must open it too with the same link type, FCS bits and snapshot
 * length, and the two must give the same records one by one (time stamp,
 * captured and wire length, every byte) and end the same way: both at the
 * end of the file, or both on a broken record with the same message and
 * the same verdict on whether reading stopped at the end of the file (a
 * cut record) or before it (corrupt). The read buffer is as small as the
 * input's snapshot length allows, by the input's size, so that records
 * cross buffer refills. Run by tests/t_fuzz.sh and `make fuzz`, seeded
 * from tests/fuzz-corpus/pcap/.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "inspect/pcapbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

static void fail(const char *what, unsigned long long n)
{
	fprintf(stderr, "fuzz_pcapbuf: record %llu: %s\n", n, what);
	abort();
}

/* An independent open file description of the memory file (its own
 * offset). */
static int reopen(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *lh, bh;
	const u_char *ld;
	const uint8_t *bd;
	struct pcapbuf b;
	unsigned long long n = 0;
	struct stat st;
	pcap_t *pc;
	FILE *fp;
	int fd, ret, lr, br;

	if (memfd < 0 && (memfd = memfd_create("fuzz_pcapbuf", 0)) < 0)
		abort();
	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	fd = reopen();
	ret = pcapbuf_open(&b, fd, size % 512);
	if (ret < 0)
		abort();
	if (ret == 0) {
		/* left to libpcap, at the file's start */
		if (lseek(fd, 0, SEEK_CUR) != 0)
			fail("not taken, but the descriptor moved", 0);
		close(fd);
		return 0;
	}
	fp = fdopen(reopen(), "rb");
	if (!fp)
		abort();
	pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fprintf(stderr, "fuzz_pcapbuf: taken, libpcap refuses: %s\n", errbuf);
		abort();
	}
	if (pcap_datalink(pc) != DLT_EN10MB)
		fail("libpcap's link type is not Ethernet", 0);
	if ((uint32_t)pcap_datalink_ext(pc) != (b.linktype & 0xfc000000u))
		fail("FCS bits differ", 0);
	if ((uint32_t)pcap_snapshot(pc) != b.snap)
		fail("snapshot length differs", 0);
	for (;; n++) {
		lr = pcap_next_ex(pc, &lh, &ld);
		br = pcapbuf_next(&b, &bh, &bd);
		if (lr == 1 && br == 1) {
			if (lh->ts.tv_sec != bh.ts.tv_sec || lh->ts.tv_usec != bh.ts.tv_usec)
				fail("time stamps differ", n);
			if (lh->caplen != bh.caplen || lh->len != bh.len)
				fail("lengths differ", n);
			if (memcmp(ld, bd, bh.caplen))
				fail("bytes differ", n);
			continue;
		}
		if (lr == PCAP_ERROR_BREAK && br == 0)
			break;
		if (lr == PCAP_ERROR && br < 0) {
			long pos = ftell(pcap_file(pc));
			bool at_end = !fstat(fileno(pcap_file(pc)), &st) && pos >= st.st_size;

			if (strcmp(pcap_geterr(pc), b.err)) {
				fprintf(stderr, "fuzz_pcapbuf: libpcap \"%s\", pcapbuf \"%s\"\n",
					pcap_geterr(pc), b.err);
				fail("messages differ", n);
			}
			if (at_end != b.at_end)
				fail("cut or corrupt: the two disagree", n);
			break;
		}
		fprintf(stderr, "fuzz_pcapbuf: libpcap %d, pcapbuf %d (%s / %s)\n", lr, br,
			lr == PCAP_ERROR ? pcap_geterr(pc) : "", br < 0 ? b.err : "");
		fail("one read a record, the other did not", n);
	}
	pcap_close(pc);
	pcapbuf_close(&b);
	close(fd);
	return 0;
}
