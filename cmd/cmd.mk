# The xdpi binary: subcommand drivers on top of inspect/, xsk/ and bpf/.
CMD_SRCS := cmd/xdpi.c cmd/read.c cmd/live.c cmd/detach.c cmd/compare.c cmd/ledger.c cmd/util.c cmd/gen.c cmd/afpacket.c cmd/bench.c cmd/tune.c
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
XDPI_OBJS := $(CMD_OBJS) $(INSPECT_OBJS) $(XSK_OBJS) $(UTIL_OBJS)

$(BUILD)/xdpi: $(XDPI_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(XDPI_CFLAGS) $(CFLAGS) $^ -o $@ $(XDPI_LDLIBS)
