# Shared by every layer: logging, the clock, shared constants.
UTIL_SRCS := $(wildcard util/*.c)
UTIL_OBJS := $(UTIL_SRCS:%.c=$(BUILD)/%.o)
