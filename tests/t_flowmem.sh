#!/bin/bash
# The flow table's memory bound against hostile input, offline (issue 25):
# a million spoofed SYNs that each carry a payload the peeks keep, read by
# `xdpi read --max-flows 100000` from
#   - a capture whose time stands still (every frame the same time stamp:
#     no maintenance pass ever comes, the table evicts only when its pool
#     is spent), each SYN with a TLS ClientHello;
#   - the same flood with its time running (a frame every 10 us, short
#     timeouts: passes, idle flows ending, evictions), each SYN with an
#     HTTP request.
# Each read's peak resident set (tests/peakrss.py) must stay under the
# budget: a read of the same capture with --no-flows (the binary, its
# libraries, the other metrics), plus what docs/flows.md declares for a
# table of that bound (flow_budget_kib). And nothing is lost silently: every
# frame is counted, every flow tracked or its packet counted untracked,
# every tracked flow's peek kept.
#   tests/t_flowmem.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_tmpdir
t_require_built "$XDPI"

N=1000000
MAX=100000
PEAK=$HERE/peakrss.py
budget=$(flow_budget_kib "$MAX") || {
	t_fail "docs/flows.md declares the bytes a flow takes"
	t_done
	exit 1
}

# The generator's sample (tests/t_gen.sh): its frames, time stamps 0, are
# written before it looks for the interface, which does not exist.
sample() { # OUT PAYLOAD
	"$XDPI" gen --preset syn-flood --payload "$2" --count "$N" --pcap-max "$N" \
		--pcap "$1" xdpi-none >/dev/null 2>&1
	[ -s "$1" ]
}
if ! sample "$T_TMP/frozen.pcap" tls || ! sample "$T_TMP/http.pcap" http; then
	t_fail "xdpi gen --payload writes a sample of $N frames"
	t_done
	exit 1
fi
# The HTTP flood with its time running: frame k at k * 10 us.
python3 - "$T_TMP/http.pcap" "$T_TMP/running.pcap" <<'EOF'
import struct, sys
src = open(sys.argv[1], "rb").read()
out = bytearray(src[:24])
off, k = 24, 0
while off < len(src):
    caplen = struct.unpack_from("<I", src, off + 8)[0]
    t = 1700000000 * 1000000 + k * 10
    out += struct.pack("<II", t // 1000000, t % 1000000) + src[off + 8:off + 16 + caplen]
    off, k = off + 16 + caplen, k + 1
open(sys.argv[2], "wb").write(out)
EOF
rm -f "$T_TMP/http.pcap"

# check NAME PCAP PEEK_EXPR ARGS...: the read with flows against the read
# without; PEEK_EXPR counts, over the connections `c`, the flows whose peek
# was kept.
check() {
	local name=$1 pcap=$2 peeks=$3 base got
	shift 3
	python3 "$PEAK" "$T_TMP/$name.base" "$XDPI" read "$pcap" --json --no-flows "$@" \
		>"$T_TMP/$name.base.json"
	t_eq "$name: read --no-flows exits 0" "$?" 0
	python3 "$PEAK" "$T_TMP/$name.rss" "$XDPI" read "$pcap" --json --max-flows "$MAX" "$@" \
		>"$T_TMP/$name.json"
	t_eq "$name: read --max-flows $MAX exits 0" "$?" 0
	got=$(json "$T_TMP/$name.json" "(lambda c: (d['packets'], c['flows'] + c['untracked'], \
c['flows'] == $peeks, c['max_flows'], c['active'] <= $MAX, sum(c['ended'].values()) == c['flows']))\
(d['connections'])")
	t_eq "$name: every frame counted, each a flow tracked or untracked, every peek kept" \
		"$got" "($N, $N, True, $MAX, True, True)"
	base=$(cat "$T_TMP/$name.base")
	got=$(cat "$T_TMP/$name.rss")
	echo "# $name: peak $got KiB, --no-flows $base KiB, budget $base + $budget KiB"
	if [[ $BUILD == *san* ]]; then
		t_skip "$name: peak resident set within the budget" "ASan build (shadow memory)"
	elif [ "$got" -le $((base + budget)) ]; then
		t_ok "$name: peak resident set $got KiB within --no-flows $base + $budget KiB"
	else
		t_fail "$name: peak resident set within the budget" \
			"$got KiB > $base KiB (--no-flows) + $budget KiB (docs/flows.md, --max-flows $MAX)"
	fi
}

check "time stands still, ClientHellos" "$T_TMP/frozen.pcap" "c['tls_client_hellos']"
check "time runs, HTTP requests" "$T_TMP/running.pcap" "c['http_methods'].get('GET', 0)" \
	--flow-timeout 2 --flow-closed-timeout 1
t_done
