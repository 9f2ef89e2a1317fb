# JSON builders and text renderers: what the subcommands print and record,
# built from the results of the library folders and printed by cmd/.
EXPORT_SRCS := $(wildcard export/*.c)
EXPORT_OBJS := $(EXPORT_SRCS:%.c=$(BUILD)/%.o)
# libfixbuf's API is glib's (GError, gboolean): its include paths for the
# one file that calls it.
$(BUILD)/export/ipfix.o $(BUILD)/export/ipfix_alert.o: XDPI_CFLAGS += $(GLIB_CFLAGS)
