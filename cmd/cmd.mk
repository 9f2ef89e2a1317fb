# The xdpi binary: argv -> options -> library calls -> output -> exit code,
# one file per subcommand, on top of every library folder.
CMD_SRCS := $(wildcard cmd/*.c)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
XDPI_LIB_OBJS := $(INSPECT_OBJS) $(XSK_OBJS) $(BPF_LIB_OBJS) $(BENCH_LIB_OBJS) $(EXPORT_OBJS) $(UTIL_OBJS)

$(BUILD)/xdpi: $(CMD_OBJS) $(XDPI_LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(XDPI_CFLAGS) $(CFLAGS) $^ -o $@ $(XDPI_LDLIBS)
