// SPDX-License-Identifier: MIT
#include "xdpcost.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../bpf/steer.h"

/* Ethernet, IPv4 (20 bytes), TCP (20 bytes, SYN), padded to 64 bytes with
 * the FCS left out: what the generator sends by default. */
static void syn_frame(uint8_t *f)
{
	static const uint8_t head[] = {
		0x02, 0,    0,	 0,  0, 0x02, 0x02, 0, 0,  0, 0, 0x01, 0x08, 0x00, /* Ethernet */
		0x45, 0,    0,	 40, 0, 1,    0,    0, 64, 6, 0, 0,    198,  18,
		0,    1,    198, 18, 0, 2, /* IPv4 */
		0x30, 0x39, 0,	 80, 0, 0,    0,    1, 0,  0, 0, 0,    0x50, 0x02,
		0xff, 0xff, 0,	 0,  0, 0, /* TCP */
	};

	memset(f, 0, 60);
	memcpy(f, head, sizeof(head));
}

static struct steer *xdp_cost_load(bool stamp, char *err, size_t err_len)
{
	struct steer_opts o = {
		.filter = XDPI_FILTER_TCP,
		.stamp_frames = stamp,
	};

	return steer_attach(&o, err, err_len);
}

int xdp_cost_measure(struct xdp_cost *out, unsigned runs, char *err, size_t err_len)
{
	struct steer *s[2];
	uint64_t total[2] = {0, 0};
	uint8_t frame[60];
	int ret = 0;

	memset(out, 0, sizeof(*out));
	syn_frame(frame);
	s[0] = xdp_cost_load(false, err, err_len);
	if (!s[0])
		return -errno;
	s[1] = xdp_cost_load(true, err, err_len);
	if (!s[1]) {
		ret = -errno;
		steer_destroy(s[0]);
		return ret;
	}
	for (unsigned i = 0; i < runs && !ret; i++) {
		for (int v = 0; v < 2; v++) {
			uint32_t ns = 0;

			ret = steer_test_time(s[v], frame, sizeof(frame), 1, &ns);
			if (ret < 0) {
				snprintf(err, err_len, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
				break;
			}
			ret = 0;
			total[v] += ns;
		}
	}
	if (!ret) {
		out->plain_ns = (double)total[0] / runs;
		out->stamped_ns = (double)total[1] / runs;
		out->runs = runs;
	}
	steer_destroy(s[1]);
	steer_destroy(s[0]);
	return ret;
}
