// SPDX-License-Identifier: MIT
/* The generator's pcap sample: the frames a run sends, rebuilt in userspace
 * with the same template and stamp (time stamps 0), so `xdpi read` of the
 * sample gives what a receiver of the run should count. Kept apart from
 * gen.c because libpcap's and the kernel's BPF headers collide. */
#include "generator.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "../util/outfile.h"

int gen_write_pcap(const struct gen_opts *o, const char *path, uint64_t max, char *err,
		   size_t err_len)
{
	uint32_t threads = o->ncpus ? (uint32_t)o->ncpus : 1;
	static uint8_t frame[GEN_MAX_SIZE]; /* one caller at a time: `xdpi gen` */
	pcap_dumper_t *d;
	pcap_t *p;
	FILE *f;
	int ret = 0;

	if (o->count && o->count < max)
		max = o->count;
	/* Written as root: never through a symbolic link, only into a
	 * regular file (util/outfile.h). */
	f = xdpi_output_fopen(path, XDPI_OUTPUT_TRUNCATE, 0666, NULL, err, err_len);
	if (!f)
		return -errno;
	p = pcap_open_dead(DLT_EN10MB, 65535);
	d = p ? pcap_dump_fopen(p, f) : NULL;
	if (!d) {
		snprintf(err, err_len, "%s: %s", path, p ? pcap_geterr(p) : "out of memory");
		fclose(f);
		if (p)
			pcap_close(p);
		return -EIO;
	}
	/* Thread t sends its share in order; the sample lists them thread
	 * by thread, as count splits them in gen_run(). */
	for (uint32_t t = 0; t < threads && !ret; t++) {
		uint64_t share = max / threads + (t < max % threads);

		for (uint64_t n = 0; n < share; n++) {
			uint32_t size = gen_size_of(o->size, n);
			struct pcap_pkthdr h = {0};
			uint32_t flow, seq;
			int len = gen_build_frame(o, size, frame, sizeof(frame));

			if (len < 0) {
				ret = len;
				break;
			}
			gen_flow_seq(o->flows, t, threads, n, &flow, &seq);
			gen_stamp(frame, o, flow, seq, 0);
			h.caplen = h.len = (bpf_u_int32)len;
			pcap_dump((u_char *)d, &h, frame);
		}
	}
	pcap_dump_close(d);
	pcap_close(p);
	return ret;
}
