#!/bin/bash
# The Prometheus exporter of `xdpi live` on the veth testbed: while the run
# goes on, /metrics (scraped inside the DUT's namespace, where xdpi listens
# on its own loopback) reaches the packets `xdpi read --proto tcp` counts
# in the replayed pcap, per queue, with drop reasons, and after SIGINT the
# final JSON says the same. Needs root (namespaces, XDP); the offline side
# and a real Prometheus server are tests/t_prometheus.sh.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "live Prometheus tests" p

"$TOOLS/tool_pcapgen" handshakes "$T_TMP/hs.pcap" || t_fail "pcapgen handshakes"
"$XDPI" read -q --json --proto tcp "$T_TMP/hs.pcap" >"$T_TMP/expect.json"
want=$(json "$T_TMP/expect.json" "d['packets']")

live_testbed_up

# scrape FILE: /metrics from inside the DUT's namespace; 0 if it answered.
scrape() {
	ip netns exec "$TB_DUT" curl -s -f --max-time 5 -o "$1" http://127.0.0.1:9100/metrics
}
sum_metric() {
	awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%d\n", s }' "$1"
}
# reached N: the scraped packets equal N (published once a second).
reached() {
	scrape "$T_TMP/m.txt" && [ "$(sum_metric "$T_TMP/m.txt" xdpi_packets_total)" = "$1" ]
}

if live_start prom --interval 0 --json --prometheus 127.0.0.1:9100; then
	if scrape "$T_TMP/m0.txt"; then
		t_ok "live: /metrics answers while the run goes on"
	else
		t_fail "live: /metrics answers while the run goes on"
	fi
	t_check "live: per-queue packets" grep -q '^xdpi_packets_total{queue="0"} ' "$T_TMP/m0.txt"
	t_check "live: drop reasons per queue" \
		grep -q '^xdpi_drops_total{queue="0",reason="rx_ring_full"} ' "$T_TMP/m0.txt"
	t_check "live: xdpi_info names the interface" \
		grep -q "^xdpi_info{.*mode=\"live\",source=\"$TB_DUT_IF\"} 1$" "$T_TMP/m0.txt"
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$T_TMP/hs.pcap" >/dev/null 2>&1
	wait_quiet
	got=
	for _ in $(seq 50); do
		reached "$want" && { got=$want; break; }
		sleep 0.2
	done
	t_eq "live: scraped packets reach 'xdpi read --proto tcp'" "${got:-$(sum_metric "$T_TMP/m.txt" xdpi_packets_total)}" "$want"
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_eq "live: exits 0" "$?" 0
	t_eq "live: final JSON packets = scraped" "$(json "$T_TMP/prom.out" "d['packets']")" "$want"
else
	t_fail "live --prometheus starts" "$(cat "$T_TMP/prom.err")"
	kill -INT "$LIVE_PID" 2>/dev/null
	wait "$LIVE_PID"
fi

# A port in use (another xdpi serving on it) fails before anything is
# attached: exit 1.
ip netns exec "$TB_DUT" "$XDPI" read -q "$T_TMP/hs.pcap" --prometheus 127.0.0.1:9101 \
	2>"$T_TMP/holder.err" &
HOLD=$!
for _ in $(seq 100); do
	grep -q serving "$T_TMP/holder.err" && break
	sleep 0.1
done
ip netns exec "$TB_DUT" "$XDPI" live --takeover -q -d 5 --prometheus 9101 "$TB_DUT_IF" \
	>/dev/null 2>"$T_TMP/inuse.err"
rc=$?
kill -INT "$HOLD"
wait "$HOLD"
if [ "$rc" = 1 ] && grep -q "Address already in use" "$T_TMP/inuse.err"; then
	t_ok "live: a port in use is exit 1, said"
else
	t_fail "live: a port in use is exit 1, said" "exit $rc: $(cat "$T_TMP/inuse.err")"
fi
t_eq "live: nothing left attached" \
	"$(ip -n "$TB_DUT" -d link show "$TB_DUT_IF" | grep -c 'prog/xdp')" 0
t_done
