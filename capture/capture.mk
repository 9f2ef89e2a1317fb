# The layer that owns a live run: lifecycle, options, receive path, ledger.
CAPTURE_SRCS := $(wildcard capture/*.c)
CAPTURE_OBJS := $(CAPTURE_SRCS:%.c=$(BUILD)/%.o)
