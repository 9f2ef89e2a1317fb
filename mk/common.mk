# Flags shared by every part of the build. SAN=1 builds an ASan+UBSan tree
# in build-san/ so that it never mixes objects with the normal build.
# SAN=thread builds a ThreadSanitizer tree in build-tsan/ for the threaded
# parts (workers, reporter, flow expiry, exporters): `make check-tsan`.
SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SAN),thread)
BUILD ?= build-tsan
# TSan does not model fences (the seqlock in inspect/pipeline.c); its
# words are atomics, which TSan checks without them.
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan
else
BUILD ?= build
SAN_FLAGS :=
endif

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers -Wformat=2 -Wvla
OPT ?= -O2
CFLAGS ?= $(OPT) -g
# CPPFLAGS and LDFLAGS (empty here) are the packager's: the Debian build
# passes dpkg-buildflags' hardening (_FORTIFY_SOURCE, -z relro -z now).
# The release in VERSION, and the commit when built from a git checkout.
XDPI_VERSION := $(shell cat VERSION)$(shell git describe --always --dirty 2>/dev/null | sed 's/^/+/')
XDPI_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -I$(BUILD) -I. $(SAN_FLAGS) -MMD -MP
# Named directly, not through pkg-config: on a fresh machine this file is
# read before `make deps` has installed pkg-config and the libraries.
XDPI_LDLIBS := -lxdp -lbpf -ljansson -lncurses -lurcu-qsbr -lurcu-common -lpcap -lmicrohttpd -lelf -lz \
	-lfixbuf -lgthread-2.0 -lglib-2.0 -lcap-ng -lseccomp -lpthread -lm
# libfixbuf's headers include glib's; only sink/ipfix.c and sink/ipfix_alert.c
# include them (sink/sink.mk). -isystem: glib's headers are not built with our
# warnings. The multiarch directory holds glibconfig.h.
GLIB_CFLAGS := -isystem /usr/include/glib-2.0 \
	-isystem /usr/lib/$(shell $(CC) -print-multiarch)/glib-2.0/include

# V=1 shows the commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

$(BUILD)/%.o: %.c | deps-ok
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(XDPI_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
