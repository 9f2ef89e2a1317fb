# The layer that owns a live run; for now the drop ledger's arithmetic.
CAPTURE_SRCS := $(wildcard capture/*.c)
CAPTURE_OBJS := $(CAPTURE_SRCS:%.c=$(BUILD)/%.o)
