# Tests: cmocka unit tests (tests/test_*.c, one binary each), helper tools the
# shell tests use (tests/tool_*.c), shell tests (tests/t_*.sh) and the parser
# fuzzer (tests/fuzz_*.c, clang libFuzzer, always with ASan+UBSan).
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(wildcard tests/tool_*.c)
TOOL_BINS := $(TOOL_SRCS:tests/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 300

# The objects stay after the link: make would otherwise delete them as
# intermediates and print its "rm" line after the test runner's summary,
# the lines CI reads last.
.SECONDARY: $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%.o) $(TOOL_SRCS:tests/%.c=$(BUILD)/tests/%.o)

# Each test links the folders it tests and what they need, nothing more.
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(UTIL_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(XDPI_CFLAGS) $(CFLAGS) $^ -o $@ $(XDPI_LDLIBS) -lcmocka
$(BUILD)/tests/test_parse $(BUILD)/tests/test_metrics $(BUILD)/tests/test_keyset: $(INSPECT_OBJS)
$(BUILD)/tests/test_hll $(BUILD)/tests/test_topn: $(INSPECT_OBJS)
$(BUILD)/tests/test_pipeline $(BUILD)/tests/test_seqcheck: $(INSPECT_OBJS)
$(BUILD)/tests/test_tap: $(INSPECT_OBJS) $(BUILD)/sink/pcapng.o
$(BUILD)/tests/test_owner: $(BUILD)/bpf/owner.o
$(BUILD)/tests/test_filter: $(INSPECT_OBJS) $(BPF_LIB_OBJS)
$(BUILD)/tests/test_capture_opts: $(BUILD)/capture/options.o $(XSK_OBJS) $(INSPECT_OBJS) \
	$(BPF_LIB_OBJS)
$(BUILD)/tests/test_config: $(BUILD)/capture/config.o $(BUILD)/capture/options.o $(XSK_OBJS) \
	$(INSPECT_OBJS) $(BPF_LIB_OBJS)
$(BUILD)/tests/test_ndr: $(BUILD)/bench/ndr.o
$(BUILD)/tests/test_benchhist: $(BUILD)/bench/history.o $(BUILD)/bench/receivers.o
$(BUILD)/tests/test_ledger: $(BUILD)/capture/ledger.o $(BUILD)/capture/ledger_report.o \
	$(BUILD)/util/u64json.o $(BUILD)/capture/losscause.o
$(BUILD)/tests/test_losscause: $(BUILD)/capture/losscause.o
$(BUILD)/tests/test_u64json: $(BUILD)/util/u64json.o
$(BUILD)/tests/test_guard: $(BUILD)/capture/guard.o
$(BUILD)/tests/test_peek: $(BUILD)/inspect/peek.o
$(BUILD)/tests/test_prom_text: $(BUILD)/sink/prom_text.o $(INSPECT_OBJS)
$(BUILD)/tests/test_flows $(BUILD)/tests/test_detect: $(INSPECT_OBJS)
$(BUILD)/tests/test_conn_log: $(BUILD)/sink/conn_log.o $(INSPECT_OBJS)

# The flow table's test again under ThreadSanitizer (its own objects: TSan
# cannot mix with the other builds). Not in the SAN=1 tree, which is ASan.
TSAN_SRCS := tests/test_flows.c $(FLOW_TABLE_SRCS) inspect/detect.c inspect/detect_groups.c \
	inspect/flowrate.c inspect/peek.c inspect/topn.c inspect/parse.c inspect/keyset.c inspect/hll.c util/frame.c
$(BUILD)/tests/test_flows_tsan: $(TSAN_SRCS) $(wildcard inspect/*.h) | deps-ok
	$(call msg,TSAN,$@)
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(XDPI_CFLAGS)) $(CFLAGS) -fsanitize=thread \
		$(TSAN_SRCS) -o $@ -lurcu-qsbr -lurcu-common -lpthread -lcmocka -lm
ifeq ($(SAN),0)
TEST_BINS += $(BUILD)/tests/test_flows_tsan
endif
# --connections' queue: the call_rcu thread's producer, the reporter's
# consumer.
CONN_TSAN_SRCS := tests/test_conn_log.c sink/conn_log.c inspect/flowrate.c $(FLOW_TABLE_SRCS) \
	inspect/detect.c inspect/detect_groups.c \
	inspect/peek.c inspect/topn.c inspect/parse.c inspect/keyset.c inspect/hll.c util/frame.c
$(BUILD)/tests/test_conn_log_tsan: $(CONN_TSAN_SRCS) $(wildcard inspect/*.h) | deps-ok
	$(call msg,TSAN,$@)
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(XDPI_CFLAGS)) $(CFLAGS) -fsanitize=thread \
		$(CONN_TSAN_SRCS) -o $@ -lurcu-qsbr -lurcu-common -lpthread -lcmocka -lm
ifeq ($(SAN),0)
TEST_BINS += $(BUILD)/tests/test_conn_log_tsan
endif

$(BUILD)/tests/tool_%: $(BUILD)/tests/tool_%.o $(UTIL_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(XDPI_CFLAGS) $(CFLAGS) $^ -o $@ $(XDPI_LDLIBS)
$(BUILD)/tests/tool_filtercheck: $(INSPECT_OBJS) $(BPF_LIB_OBJS)
$(BUILD)/tests/tool_flowmem: $(INSPECT_OBJS)
$(BUILD)/tests/tool_rebind: $(XSK_OBJS) $(INSPECT_OBJS)
$(BUILD)/tests/tool_fuzzseeds: $(BUILD)/capture/ledger.o $(BUILD)/capture/options.o \
	$(BUILD)/capture/ledger_report.o $(BUILD)/export/report.o $(BUILD)/util/u64json.o \
	$(XSK_OBJS) $(INSPECT_OBJS) $(BPF_LIB_OBJS)

# libFuzzer wants clang and its own main; the parser sources are compiled
# into the fuzzer directly so that they carry its coverage instrumentation.
# Each target lists the sources beyond inspect/ it reaches.
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. -I$(BUILD) -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIBS := -lpcap -ljansson -lurcu-qsbr -lurcu-common -lm
$(BUILD)/fuzz/fuzz_%: tests/fuzz_%.c $(INSPECT_SRCS) $(wildcard inspect/*.h) | deps-ok
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@ $(FUZZ_LIBS)
$(BUILD)/fuzz/fuzz_record: capture/ledger.c capture/ledger_report.c export/compare_report.c \
	util/u64json.c util/isotime.c export/report.c util/version.c
$(BUILD)/fuzz/fuzz_options: capture/options.c util/optval.c util/opttab.c util/log.c $(BPF_LIB_SRCS) xsk/xsk.c \
	| $(BPF_SKELS)
$(BUILD)/fuzz/fuzz_options: FUZZ_LIBS += -lxdp -lbpf -lelf -lz
$(BUILD)/fuzz/fuzz_config: capture/config.c capture/options.c util/optval.c util/opttab.c \
	util/log.c \
	$(BPF_LIB_SRCS) xsk/xsk.c | $(BPF_SKELS)
$(BUILD)/fuzz/fuzz_config: FUZZ_LIBS += -lxdp -lbpf -lelf -lz

# A foreign XDP program for the "already attached" error path, a tc
# program that tags frames out of band as a stripping NIC would (t_jumbo),
# and one that calls bpf_xdp_adjust_meta() (t_write: can this kernel?).
TEST_BPF_OBJS := $(BUILD)/tests/xdp_pass.bpf.o $(BUILD)/tests/vlan_push.bpf.o \
	$(BUILD)/tests/xdp_meta.bpf.o
$(BUILD)/tests/%.bpf.o: tests/%.bpf.c | deps-ok
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Seeds the build writes (tests/tool_fuzzseeds.c, bench/mkcapture), added
# to the corpora kept in tests/fuzz-corpus/ by `make fuzz` and t_fuzz.sh.
$(BUILD)/fuzz/seeds/.done: $(BUILD)/tests/tool_fuzzseeds $(BUILD)/bench/mkcapture
	$(call msg,SEEDS,$(@D))
	$(Q)rm -rf $(@D) && $(BUILD)/tests/tool_fuzzseeds $(@D) && mkdir -p $(@D)/pcap && \
		$(BUILD)/bench/mkcapture 40 $(@D)/pcap/mix-40.pcap >/dev/null && \
		$(BUILD)/bench/mkcapture -s 7 3 $(@D)/pcap/mix-3.pcap >/dev/null && touch $@

.PHONY: check check-build check-build-tests check-tsan fuzz mutate
# What the tests but t_fuzz need (tests/mutate.sh rebuilds only this: the
# fuzz targets recompile every parser source with clang).
check-build-tests: $(BUILD)/xdpi $(TEST_BINS) $(TOOL_BINS) $(TEST_BPF_OBJS) $(BUILD)/bench/mkcapture

check-build: $(BUILD)/xdpi $(TEST_BINS) $(TOOL_BINS) $(FUZZ_BINS) $(TEST_BPF_OBJS) \
	$(BUILD)/bench/mkcapture $(BUILD)/fuzz/seeds/.done

# STRICT=1 (CI): a skip fails unless tests/skips.allowed names it for
# this build.
STRICT ?= 0
check: check-build
	XDPI_STRICT=$(STRICT) XDPI_SAN=$(SAN) tests/run.sh $(BUILD)

# The threaded parts under ThreadSanitizer: the build-tsan tree (SAN=thread,
# mk/common.mk) and the tests that run workers, the reporter, the flow
# expiry thread, the call_rcu frees, the pcapng writer and the exporters.
# A report fails the run (exit status 66). Call it as `make check-tsan`.
TSAN_TESTS := test_flows test_pipeline test_conn_log t_live t_flows t_prometheus t_ipfix t_write t_passive t_privs \
	t_jumbo t_config_live t_bothways t_jsonl_live test_detect t_detect
ifeq ($(SAN),thread)
check-tsan: $(BUILD)/xdpi $(TEST_BINS) $(TOOL_BINS) $(TEST_BPF_OBJS) $(BUILD)/bench/mkcapture
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
		XDPI_STRICT=$(STRICT) XDPI_SAN=$(SAN) tests/run.sh $(BUILD) $(TSAN_TESTS)
else
check-tsan:
	$(MAKE) SAN=thread check-tsan
endif

# Every fuzz target for FUZZ_SECONDS each (tests/t_fuzz.sh, which keeps
# the list of targets and their corpora): fails on any finding, which it
# shows as hex, to be added to tests/fuzz-corpus/ as a regression case.
fuzz: $(FUZZ_BINS) $(BUILD)/fuzz/seeds/.done
	FUZZ_TIME=$(FUZZ_SECONDS) FUZZ_WORK=$(abspath $(BUILD))/fuzz/work tests/t_fuzz.sh $(BUILD)

# Plants known bugs one at a time in a copy of the tree and checks that the
# tests notice each (tests/mutate.sh); as root, about 17 minutes.
mutate: check-build
	tests/mutate.sh $(BUILD)
