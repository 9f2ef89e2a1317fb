# The inspection core: parser, metrics, reports, offline source. Also linked
# by the unit tests, the fuzzer and the offline benchmark.
INSPECT_SRCS := inspect/parse.c inspect/keyset.c inspect/metrics.c inspect/report.c \
	inspect/capfile.c inspect/filter.c inspect/seqcheck.c
INSPECT_OBJS := $(INSPECT_SRCS:%.c=$(BUILD)/%.o)
