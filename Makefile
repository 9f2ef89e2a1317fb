# xdpi: an AF_XDP packet inspector. `make` builds build/xdpi, `make check`
# runs every test (SAN=1 under ASan+UBSan), `make deps` installs the Debian
# packages. Each part keeps its sources in its own fragment.
.DEFAULT_GOAL := all

include mk/common.mk
include util/util.mk
include sink/sink.mk
include export/export.mk
include bpf/bpf.mk
include inspect/inspect.mk
include xsk/xsk.mk
include capture/capture.mk
include bench/bench.mk
include cmd/cmd.mk
include tests/tests.mk
include mk/install.mk

.PHONY: all deps deps-ok deps-dpdk clean format

all: $(BUILD)/xdpi

# Installs what is missing (needs root); silent and quick when all is there.
deps:
	@mk/deps.sh

# What every compile waits for: the package check runs once per build
# tree, not on every make (`make deps` always checks).
deps-ok: $(BUILD)/.deps-ok
# XDPI_SKIP_DEPS=1: the Debian package's build, whose Build-Depends
# (debian/control) stand for the check.
$(BUILD)/.deps-ok: mk/deps.sh
	@[ "$(XDPI_SKIP_DEPS)" = 1 ] || mk/deps.sh
	@mkdir -p $(@D) && touch $@

# Optional: dpdk-testpmd for `xdpi bench`'s DPDK receiver.
deps-dpdk:
	@mk/deps.sh --dpdk

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-tsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
