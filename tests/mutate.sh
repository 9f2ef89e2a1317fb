#!/bin/bash
# Mutation check: plants one bug at a time in a copy of the tree, rebuilds
# it and runs the tests that should notice; every mutant must make them
# fail. A mutant they miss is a hole in the suite. `make mutate` (as root:
# some of the tests need namespaces and XDP).
#   tests/mutate.sh [BUILD_DIR]
# Each mutant: file, a sed expression that must change that file, the
# tests (a tests/run.sh name filter) that must fail, what it plants.
set -u
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/xdpi-mutate.XXXXXX)
trap 'rm -rf "$work"' EXIT
caught=0 missed=0

while IFS='|' read -r file expr filter what; do
	[ -z "$file" ] || [ "${file:0:1}" = "#" ] && continue
	rm -rf "$work/tree"
	# the built tree too, so that only the mutated file is recompiled
	cp -a "$src" "$work/tree"
	cp "$work/tree/$file" "$work/orig"
	sed -i -e "$expr" "$work/tree/$file"
	if cmp -s "$work/orig" "$work/tree/$file"; then
		echo "not ok - mutant '$what': its sed expression changed nothing in $file"
		missed=$((missed + 1))
		continue
	fi
	if ! make -C "$work/tree" BUILD="$build" check-build >"$work/build.log" 2>&1; then
		echo "ok - mutant '$what': does not even build"
		caught=$((caught + 1))
		continue
	fi
	if (cd "$work/tree" && tests/run.sh "$build" "$filter") >"$work/test.log" 2>&1; then
		echo "not ok - mutant '$what' ($file) passed the tests matching '$filter'"
		missed=$((missed + 1))
	else
		echo "ok - mutant '$what' caught by: $(grep -E '^ *not ok' "$work/test.log" | head -1 | sed 's/^ *//')"
		caught=$((caught + 1))
	fi
done <<'MUTANTS'
inspect/metrics.h|s/if (wire_len <= 64)/if (wire_len < 64)/|test_metrics|off-by-one in the 64-byte size bucket
inspect/parse.c|0,/pi->malformed = PKT_MAL_TCP_TRUNCATED;/s//pi->malformed = PKT_OK;/|test_parse|a truncated TCP header not counted as malformed
capture/ledger.c|s/d = d - q->sock.rx_dropped - q->sock.rx_ring_full/d = d - q->sock.rx_ring_full/|t_loss|the socket's drops left out of the ledger
capture/ledger.c|s/total += d;/total = d;/|test_ledger|the ledger's total is the last queue's, not the sum
export/u64json.c|s/if (json_integer_value(v) < 0)/if (json_integer_value(v) < -1)/|test_ledger|a negative counter read from a record
export/u64json.c|s/if (n <= INT64_MAX)/if (n < 5)/|test_u64json|a counter below 2^63 read from a string
capture/options.c|s/o->ifname \&\& o->ifname\[0\] == .-./0/|test_capture_opts|an interface named like an option written without --
inspect/capfile.c|s/c.fcs = 2 \* CAPFILE_LT_FCS_WORDS(ext);/c.fcs = 0;/|t_read_errors|the FCS counted as frame bytes
util/optval.c|s/if (hi < lo)/if (hi < lo - 1)/|test_optval|a list range reversed by one accepted
cmd/detach.c|s/flush == (long)iface_safe_deferral_ns(&path)/flush == 1/|t_live|detach no longer resets the IRQ deferral xdpi sized
xsk/xsk.h|s/#define XDPI_XSK_BIND_TIMEOUT_MS 2000/#define XDPI_XSK_BIND_TIMEOUT_MS 0/|t_rate|no wait for the kernel to release a queue
bench/ndr.c|s/b->lo_ndr = rate < b->hi_ndr ? rate : b->lo_ndr;/b->lo_ndr = rate;/|test_ndr|a loss-free trial above a lossy rate raises the NDR
xsk/worker.c|s/	xdpi_xsk_rx_done(x, idx, n);/	xdpi_xsk_rx_done(x, idx, n > 1 ? n - 1 : n);/|t_rate|the worker returns one frame too few per batch
bpf/xdpi.bpf.c|s/r->pc += r->a >= r->x ? jt : jf;/r->pc += r->a > r->x ? jt : jf;/|t_live_filter|the filter interpreter's JGE by X compares strictly
bpf/xdpi.bpf.c|s/r->a = v < 32 ? r->a << v : 0;/r->a = r->a << (v \& 31);/|t_live_filter|the filter interpreter shifts by X modulo 32
inspect/filter.c|s/	return xdpi_filter_keyword(word);/	return -EINVAL;/|test_filter|the keywords compiled as libpcap expressions
MUTANTS

echo "$caught passed, $missed failed"
[ "$missed" = 0 ]
