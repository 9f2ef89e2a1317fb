# The xdpi binary: argv -> options -> library calls -> output -> exit code,
# one file per subcommand, on top of every library folder.
CMD_SRCS := $(wildcard cmd/*.c)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
XDPI_LIB_OBJS := $(CAPTURE_OBJS) $(EXPORT_OBJS) $(SINK_OBJS) $(INSPECT_OBJS) $(XSK_OBJS) $(BPF_LIB_OBJS) \
	$(BENCH_LIB_OBJS) $(UTIL_OBJS)

$(BUILD)/xdpi: $(CMD_OBJS) $(XDPI_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(XDPI_CFLAGS) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(XDPI_LDLIBS)

# `xdpi --version` names the libxdp it was built against (libxdp has no
# run-time version call), from pkg-config when the build runs: a header,
# not a -D on the command line, because make reads this file before `make
# deps` may have installed pkg-config on a fresh machine.
$(BUILD)/libxdp_version.h: $(wildcard /usr/lib/*/pkgconfig/libxdp.pc) | deps-ok
	@mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q)printf '#define XDPI_LIBXDP_BUILD_VERSION "%s"\n' "$$(pkg-config --modversion libxdp)" >$@
$(BUILD)/cmd/xdpi.o: $(BUILD)/libxdp_version.h
