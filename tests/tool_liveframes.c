// SPDX-License-Identifier: MIT
/*
 * Whether this kernel runs XDP programs on live frames (BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18), asked without xdpi's code: the
 * tests' own XDP_PASS program (tests/xdp_pass.bpf.o) loaded with libbpf
 * and run once on one zeroed 60-byte frame injected at IFACE (the stack
 * drops it). The oracle of the tests that need the generator's fastest
 * method, or its refusal. Some kernel builds refuse it (EPERM) while
 * BPF_PROG_TEST_RUN itself works.
 *   tool_liveframes OBJ IFACE    exit 0: yes; 1: refused (errno said); 2: usage, setup
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

int main(int argc, char **argv)
{
	unsigned char frame[60] = {0};
	struct xdp_md ctx = {0};
	struct bpf_object *obj;
	struct bpf_program *prog;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJ IFACE\n", argv[0]);
		return 2;
	}
	ctx.data_end = sizeof(frame);
	ctx.ingress_ifindex = if_nametoindex(argv[2]);
	if (!ctx.ingress_ifindex) {
		fprintf(stderr, "no interface %s\n", argv[2]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s\n", argv[1]);
		return 2;
	}
	prog = bpf_object__next_program(obj, NULL);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	ret = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (ret) {
		printf("refused: %s\n", strerror(errno));
		bpf_object__close(obj);
		return 1;
	}
	printf("live frames\n");
	bpf_object__close(obj);
	return 0;
}
