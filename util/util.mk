# Shared by every layer: logging, the clock, shared constants.
UTIL_SRCS := $(wildcard util/*.c)
UTIL_OBJS := $(UTIL_SRCS:%.c=$(BUILD)/%.o)

# Only this object sees the version, so a new commit rebuilds one file.
$(BUILD)/util/version.o: XDPI_CFLAGS += -DXDPI_VERSION='"$(XDPI_VERSION)"'
$(BUILD)/util/version.o: VERSION $(wildcard .git/HEAD .git/index)
