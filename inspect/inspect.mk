# The inspection core: parser, filter, metrics, sequence check, the per-frame
# pipeline and the offline source. Also linked by the unit tests, the fuzzer
# and the offline benchmark; needs only libpcap and liburcu.
INSPECT_SRCS := $(wildcard inspect/*.c)
INSPECT_OBJS := $(INSPECT_SRCS:%.c=$(BUILD)/%.o)
# The flow table's own files (flows.c and its flow_*.c parts), for the
# builds that compile sources directly (the ThreadSanitizer tests).
FLOW_TABLE_SRCS := inspect/flows.c $(wildcard inspect/flow_*.c)
