EXPORT_SRCS := $(wildcard export/*.c)
EXPORT_OBJS := $(EXPORT_SRCS:%.c=$(BUILD)/%.o)
