# The AF_XDP engine: sockets, UMEM and rings, interface knobs and counters,
# the per-queue worker.
XSK_SRCS := $(wildcard xsk/*.c)
XSK_OBJS := $(XSK_SRCS:%.c=$(BUILD)/%.o)
