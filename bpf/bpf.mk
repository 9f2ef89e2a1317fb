# The XDP program: compiled with clang -target bpf, embedded in the binary as
# a skeleton (bpftool gen skeleton), so xdpi needs no object file at run time.
BPF_SRCS := bpf/xdpi.bpf.c
BPF_SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
BPF_CFLAGS := -g -O2 -target bpf -Wall -Werror -I/usr/include/$(shell uname -m)-linux-gnu -Ibpf

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/xdpi_shared.h | deps-ok
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@
