// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: `xdpi read`'s file path (inspect/capfile.c: libpcap's
 * pcap and pcapng readers, then the filter, the parser and the metrics) on
 * arbitrary files, with no filter, the built-in `tcp` or a pcap-filter
 * expression, by the input's size. Each input becomes the contents of a memory file, read
 * through its /proc/self/fd path exactly as `xdpi read FILE` reads a file.
 * Invariants: a read either fails with a message or accounts exactly the
 * frames it says it read, and every packet is either well formed or counted
 * under one malformed reason. Run by tests/t_fuzz.sh and `make fuzz`,
 * seeded from tests/fuzz-corpus/pcap/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "inspect/capfile.h"
#include "inspect/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const texts[] = {"all", "tcp", "vlan and udp or tcp[13] & 2 != 0"};
	static struct xdpi_filter filters[3];
	struct capfile_result res = {0};
	struct pipeline pipe;
	struct metrics *m = &pipe.m;
	char path[64], err[512] = "";
	int ret;

	if (memfd < 0) {
		memfd = memfd_create("fuzz_pcap", 0);
		if (memfd < 0)
			abort();
		for (int i = 0; i < 3; i++)
			if (xdpi_filter_compile(&filters[i], texts[i], err, sizeof(err)))
				abort();
	}
	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	if (pipeline_init(&pipe,
			  &(struct pipeline_config){.filter = &filters[size % 3], .inspect = true}))
		abort();
	ret = capfile_inspect(path, &pipe, &res, err, sizeof(err));
	if (ret && !*err) {
		fprintf(stderr, "fuzz_pcap: a failed read without a message\n");
		abort();
	}
	if (!ret && m->c.packets != res.frames) {
		fprintf(stderr, "fuzz_pcap: %llu packets accounted, %llu frames read\n",
			(unsigned long long)m->c.packets, (unsigned long long)res.frames);
		abort();
	}
	if (m->c.packets != m->c.malformed[PKT_OK] + metrics_malformed_total(m)) {
		fprintf(stderr, "fuzz_pcap: packets != ok + malformed\n");
		abort();
	}
	pipeline_destroy(&pipe);
	return 0;
}
