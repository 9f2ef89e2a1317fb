# The benchmark library: the traffic generator engine, benchmark trials and
# the C testbed, the NDR/PDR search. The generator needs its XDP skeleton.
BENCH_LIB_SRCS := bench/generator.c bench/genloop.c bench/generator_pcap.c bench/benchrun.c bench/ndr.c \
	bench/xdpcost.c bench/history.c bench/receivers.c bench/afpacket.c bench/inproc.c
BENCH_LIB_OBJS := $(BENCH_LIB_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/bench/generator.o: $(BUILD)/bpf/gen.skel.h

# Offline benchmark: `make bench-offline` compares the instructions per frame
# (callgrind) and frames per second of `xdpi read` with the bare libpcap loop,
# tcpdump and ndpiReader on generated captures. Results: docs/benchmarks.md.
# BENCH_OFFLINE_ARGS passes options to bench/offline.sh (e.g. --json).
BENCH_TOOLS := $(BUILD)/bench/mkcapture $(BUILD)/bench/pcap_floor

$(BUILD)/bench/mkcapture: $(BUILD)/bench/mkcapture.o $(UTIL_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) $(CFLAGS) $^ -o $@ -lpcap -lcap-ng -lseccomp -ljansson

$(BUILD)/bench/pcap_floor: $(BUILD)/bench/pcap_floor.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) $(CFLAGS) $^ -o $@ -lpcap

.PHONY: bench-offline bench-tools
bench-tools: $(BUILD)/xdpi $(BENCH_TOOLS)

bench-offline: bench-tools
	bench/offline.sh --build $(BUILD) $(BENCH_OFFLINE_ARGS)

# The soak: `make soak` runs xdpi live for 10 minutes (SOAK_SECONDS) at the
# generator's full rate with flows under churn and every exporter on, and
# fails if memory or descriptors grow or a frame goes unexplained
# (bench/soak.sh). A benchmark, not part of `make check`; as root.
.PHONY: soak
soak: $(BUILD)/xdpi
	bench/soak.sh --build $(BUILD) $(SOAK_ARGS)
