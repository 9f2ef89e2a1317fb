# Offline benchmark: `make bench-offline` compares the instructions per frame
# (callgrind) and frames per second of `xdpi read` with the bare libpcap loop,
# tcpdump and ndpiReader on generated captures. Results: docs/benchmarks.md.
# BENCH_OFFLINE_ARGS passes options to bench/offline.sh (e.g. --json).
BENCH_TOOLS := $(BUILD)/bench/mkcapture $(BUILD)/bench/pcap_floor

$(BUILD)/bench/mkcapture: $(BUILD)/bench/mkcapture.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) $(CFLAGS) $^ -o $@ -lpcap

$(BUILD)/bench/pcap_floor: $(BUILD)/bench/pcap_floor.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) $(CFLAGS) $^ -o $@ -lpcap

.PHONY: bench-offline bench-tools
bench-tools: $(BUILD)/xdpi $(BENCH_TOOLS)

bench-offline: bench-tools
	bench/offline.sh --build $(BUILD) $(BENCH_OFFLINE_ARGS)
