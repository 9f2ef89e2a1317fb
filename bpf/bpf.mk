# The XDP programs and their userspace side. The programs are compiled with
# clang -target bpf and embedded in the binary as skeletons (bpftool gen
# skeleton), so xdpi needs no object file at run time.
BPF_SRCS := bpf/xdpi.bpf.c bpf/gen.bpf.c
BPF_SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
BPF_CFLAGS := -g -O2 -target bpf -Wall -Werror -I/usr/include/$(shell uname -m)-linux-gnu -Ibpf

# Userspace: attach, steer, counters, libbpf/libxdp logging.
BPF_LIB_SRCS := $(filter-out %.bpf.c,$(wildcard bpf/*.c))
BPF_LIB_OBJS := $(BPF_LIB_SRCS:%.c=$(BUILD)/%.o)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/classify.bpf.h bpf/xdpi_shared.h bpf/gen_shared.h bpf/progs.h | deps-ok
	@mkdir -p $(@D)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@
.SECONDARY: $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)

# The skeleton headers are generated: make them before anything includes them.
$(BPF_LIB_OBJS): $(BPF_SKELS)
