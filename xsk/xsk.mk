# The AF_XDP engine (sockets, UMEM, rings), interface knobs, the per-queue
# worker, and the userspace side of the XDP program it feeds from.
XSK_SRCS := xsk/xsk.c xsk/iface.c xsk/worker.c bpf/steer.c bench/gen.c bench/gen_pcap.c bench/benchrun.c \
	bench/ndr.c
XSK_OBJS := $(XSK_SRCS:%.c=$(BUILD)/%.o)

# The skeleton header is generated: make it before anything includes it.
$(BUILD)/bpf/steer.o: $(BUILD)/bpf/xdpi.skel.h
$(BUILD)/bench/gen.o: $(BUILD)/bpf/gen.skel.h
