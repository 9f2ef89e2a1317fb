# JSON builders and text renderers: what the subcommands print and record,
# built from the results of the library folders and printed by cmd/.
EXPORT_SRCS := $(wildcard export/*.c)
EXPORT_OBJS := $(EXPORT_SRCS:%.c=$(BUILD)/%.o)
