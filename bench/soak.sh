#!/bin/bash
# The soak (`make soak`, not in `make check`): xdpi live for SOAK_SECONDS
# (default 600) at the generator's full rate, with the flow table under
# constant churn (spoofed sources: more five-tuples than --max-flows), and
# every exporter on: JSON lines, Prometheus (scraped at each sample) and
# IPFIX to a collector that discards. Every SOAK_INTERVAL seconds (default
# 10) it samples xdpi's resident memory, its open descriptors and the
# ledger so far, and it fails if
#   - the resident memory passes the configured bound (what --max-flows
#     declares, 256 bytes a flow twice over for the table's buckets and the
#     records liburcu has yet to free, plus a fixed 96 MiB for the UMEM,
#     libraries and buffers), or grows by more than 5% in the second half,
#     when the table has long been full;
#   - the open descriptors ever differ from the first sample;
#   - a sample's ledger does not hold: the frames the kernel handed to the
#     socket (veth's xdp_redirect and its redirect failures) minus those
#     xdpi inspected or counted as dropped by a reason must be between 0
#     and what can be in flight (the rings, and the frames since the
#     reporter last published, at most 2 s: it publishes every second);
#   - a Prometheus scrape fails;
#   - the final ledger leaves a frame unexplained, or xdpi exits non-zero.
# One line per sample, then a summary (also as JSON with --json FILE).
#   bench/soak.sh [--build DIR] [--json FILE]
set -u
cd "$(dirname "$0")/.." || exit 2
build=build json_out=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2 shift ;;
	--json) json_out=$2 shift ;;
	*)
		echo "usage: bench/soak.sh [--build DIR] [--json FILE]" >&2
		exit 2
		;;
	esac
	shift
done
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_INTERVAL=${SOAK_INTERVAL:-10}
MAX_FLOWS=${SOAK_MAX_FLOWS:-32768}
SRC_IPS=131072 GEN_FLOWS=64 # 131072 five-tuples in turn, 4x the table
RX_RING=8192 FILL=8192     # xdpi live defaults: RX ring, UMEM frames
XDPI=$(realpath "$build/xdpi")
[ "$(id -u)" = 0 ] || {
	echo "soak: needs root (network namespaces, XDP)" >&2
	exit 2
}
[ -x "$XDPI" ] || {
	echo "soak: no $XDPI (make)" >&2
	exit 2
}

. bench/testbed.sh
TB_ID=soak$$
tmp=$(mktemp -d /tmp/xdpi-soak.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 1
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	testbed_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

testbed_up 1 "$TB_ID" >/dev/null || {
	echo "soak: testbed up failed" >&2
	exit 1
}

# The IPFIX collector: a UDP socket in the DUT namespace that reads and
# discards, counting messages.
port_ipfix=4739 port_prom=9464
ip netns exec "$TB_DUT" python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("127.0.0.1", int(sys.argv[1])))
n = 0
while True:
    s.recv(65536)
    n += 1
    if n % 1000 == 0:
        open(sys.argv[2], "w").write(str(n))
' "$port_ipfix" "$tmp/ipfix.count" &
pids+=("$!")

testbed_dut "$XDPI" live "$TB_DUT_IF" --takeover --interval 1 \
	--max-flows "$MAX_FLOWS" --flow-timeout 5 --flow-closed-timeout 1 \
	--json-lines /dev/null --prometheus "127.0.0.1:$port_prom" \
	--ipfix "127.0.0.1:$port_ipfix" --json >"$tmp/live.json" 2>"$tmp/live.err" &
pids+=("$!")
live_launcher=$!
# The xdpi process itself (ip netns exec and sh exec, so it is the same
# pid; found by name in case a wrapper stays).
xpid=
for _ in $(seq 100); do
	xpid=$(pgrep -f "^$XDPI live $TB_DUT_IF" | head -1)
	[ -n "$xpid" ] && grep -q "workers" "$tmp/live.err" 2>/dev/null && break
	sleep 0.1
done
if [ -z "$xpid" ]; then
	echo "soak: xdpi live did not start:" >&2
	cat "$tmp/live.err" >&2
	exit 1
fi
sleep 1

testbed_gen "$XDPI" gen "$TB_GEN_IF" --duration "$SOAK_SECONDS" --src-ips "$SRC_IPS" \
	--flows "$GEN_FLOWS" --json >"$tmp/gen.json" 2>"$tmp/gen.err" &
gen_pid=$!
pids+=("$gen_pid")

# kernel_handed: frames veth's XDP redirected to the socket (xdp_redirect)
# plus those whose redirect failed, counted as drops (a full socket, an
# empty fill ring: xsk_rcv() refused), summed over the DUT's queues.
kernel_handed() {
	ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" 2>/dev/null |
		awk '/rx_queue_[0-9]+_(xdp_redirect|drops):/ { s += $2 } END { printf "%d", s }'
}

bound_kb=$(((MAX_FLOWS * 320 * 2 + 96 * 1024 * 1024) / 1024))
fail=0
samples=0 rss0="" fds0="" rss_half="" rss_max=0 flight_max=0 scrape_fail=0
half=$((SOAK_SECONDS / 2))
start=$SECONDS
printf '%6s %10s %5s %14s %14s %10s %8s\n' time rss_kib fds kernel_handed inspected+drops in_flight flows
while kill -0 "$gen_pid" 2>/dev/null; do
	sleep "$SOAK_INTERVAL"
	kill -0 "$xpid" 2>/dev/null || {
		echo "soak: xdpi exited during the run" >&2
		fail=1
		break
	}
	t=$((SECONDS - start))
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$xpid/status")
	fds=$(find "/proc/$xpid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	# Inspected and dropped: Prometheus, which also proves the endpoint.
	if ! ip netns exec "$TB_DUT" curl -sf --max-time 5 "http://127.0.0.1:$port_prom/metrics" \
		>"$tmp/metrics"; then
		scrape_fail=$((scrape_fail + 1))
		continue
	fi
	red=$(kernel_handed)
	# fill_ring_empty is a cause of rx_dropped, not another drop.
	seen=$(awk '/^xdpi_packets_total\{/ { s += $2 }
		/^xdpi_drops_total\{/ && !/fill_ring_empty/ { s += $2 } END { printf "%d", s }' "$tmp/metrics")
	flows=$(awk '/^xdpi_flows_active / { printf "%d", $2 }' "$tmp/metrics")
	# What Prometheus serves is as of the reporter's last tick (every
	# second): frames handed over since are in flight too, so the bound is
	# the rings plus two seconds at the rate since the last sample.
	flight=$((red - seen))
	rate=$(((red - ${red_prev:-0}) / (t - ${t_prev:-0})))
	red_prev=$red t_prev=$t
	printf '%6d %10d %5d %14d %14d %10d %8s\n' "$t" "$rss" "$fds" "$red" "$seen" "$flight" \
		"$flows"
	samples=$((samples + 1))
	[ -z "$rss0" ] && rss0=$rss fds0=$fds
	[ -z "$rss_half" ] && [ "$t" -ge "$half" ] && rss_half=$rss
	[ "$rss" -gt "$rss_max" ] && rss_max=$rss
	[ "$flight" -gt "$flight_max" ] && flight_max=$flight
	if [ "$rss" -gt "$bound_kb" ]; then
		echo "soak: FAIL: resident memory ${rss} KiB passes the bound ${bound_kb} KiB" >&2
		fail=1
	fi
	if [ "$fds" != "$fds0" ]; then
		echo "soak: FAIL: open descriptors went from $fds0 to $fds" >&2
		fail=1
	fi
	if [ "$flight" -lt 0 ] || [ "$flight" -gt $((RX_RING + FILL + 2 * rate)) ]; then
		echo "soak: FAIL: $flight frames in flight: the kernel handed over $red, xdpi inspected or counted as dropped $seen" >&2
		fail=1
	fi
done
wait "$gen_pid"
gen_rc=$?
sleep 1
kill -INT "$xpid" 2>/dev/null
wait "$live_launcher"
live_rc=$?
rss_end=${rss:-0}

unexplained=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ledger"]["unexplained"])' \
	"$tmp/live.json" 2>/dev/null || echo "?")
summary=$(python3 - "$tmp/live.json" "$tmp/gen.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
g = json.load(open(sys.argv[2]))
c = d.get("connections", {})
q = d["ledger"]["queues"][0]
print(json.dumps({
    "sent": g.get("sent"), "pps_sent": g.get("pps"),
    "inspected": d["packets"], "redirected": q["xdp"]["redirected"],
    "rx_dropped": q["socket"]["rx_dropped"], "rx_ring_full": q["socket"]["rx_ring_full"],
    "unexplained": d["ledger"]["unexplained"],
    "flows": c.get("flows"), "evicted": c.get("ended", {}).get("evicted"),
    "untracked": c.get("untracked"), "ipfix": d.get("ipfix"),
}))
EOF
)
[ "$gen_rc" = 0 ] || {
	echo "soak: FAIL: xdpi gen exited with $gen_rc: $(tail -2 "$tmp/gen.err")" >&2
	fail=1
}
[ "$live_rc" = 0 ] || {
	echo "soak: FAIL: xdpi live exited with $live_rc: $(tail -3 "$tmp/live.err")" >&2
	fail=1
}
[ "$unexplained" = 0 ] || {
	echo "soak: FAIL: the final ledger leaves $unexplained frames unexplained" >&2
	fail=1
}
[ "$scrape_fail" = 0 ] || {
	echo "soak: FAIL: $scrape_fail Prometheus scrapes failed" >&2
	fail=1
}
[ "$samples" -ge 2 ] || {
	echo "soak: FAIL: only $samples samples" >&2
	fail=1
}
if [ -n "$rss_half" ] && [ $((rss_end * 100)) -gt $((rss_half * 105)) ] &&
	[ $((rss_end - rss_half)) -gt 4096 ]; then
	echo "soak: FAIL: resident memory grew from ${rss_half} KiB at half time to ${rss_end} KiB" >&2
	fail=1
fi
ipfix_msgs=$(cat "$tmp/ipfix.count" 2>/dev/null || echo 0)
echo
echo "soak: ${SOAK_SECONDS} s, $samples samples: RSS first ${rss0:-?} KiB, half ${rss_half:-?}," \
	"end $rss_end, max $rss_max (bound $bound_kb); fds ${fds0:-?} throughout: $([ $fail = 0 ] && echo yes || echo see above);" \
	"in flight at most $flight_max frames (RX ring $RX_RING, UMEM $FILL); IPFIX messages received >= $ipfix_msgs"
echo "soak: final $summary"
if [ -n "$json_out" ]; then
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(seconds=int(sys.argv[2]), samples=int(sys.argv[3]), rss_first_kib=int(sys.argv[4] or 0), rss_half_kib=int(sys.argv[5] or 0), rss_end_kib=int(sys.argv[6]), rss_max_kib=int(sys.argv[7]), rss_bound_kib=int(sys.argv[8]), fds=int(sys.argv[9] or 0), in_flight_max=int(sys.argv[10]), ok=sys.argv[11]=="0"); json.dump(d, open(sys.argv[12], "w"), indent=1)' \
		"$summary" "$SOAK_SECONDS" "$samples" "${rss0:-0}" "${rss_half:-0}" "$rss_end" "$rss_max" \
		"$bound_kb" "${fds0:-0}" "$flight_max" "$fail" "$json_out"
fi
if [ "$fail" = 0 ]; then
	echo "soak: PASS"
else
	echo "soak: FAIL"
fi
exit "$fail"
