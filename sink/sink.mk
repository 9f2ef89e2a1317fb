# Where a run's results go while it runs: the JSON-lines writer, the IPFIX
# exporter, the pcapng writer, --connections' lines, the alert hook and the
# Prometheus HTTP server, with the record formats they write. Below the
# engine (capture/), which opens them; above the flow table they are fed by.
SINK_SRCS := $(wildcard sink/*.c)
SINK_OBJS := $(SINK_SRCS:%.c=$(BUILD)/%.o)
# libfixbuf's API is glib's (GError, gboolean): its include paths for the
# one file that calls it.
$(BUILD)/sink/ipfix.o $(BUILD)/sink/ipfix_alert.o: XDPI_CFLAGS += $(GLIB_CFLAGS)
