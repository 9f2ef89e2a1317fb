CAPTURE_SRCS := $(wildcard capture/*.c)
CAPTURE_OBJS := $(CAPTURE_SRCS:%.c=$(BUILD)/%.o)
