#!/bin/bash
# Passive mode on the veth testbed: the host keeps its traffic (a TCP
# connection to a server in the receiving namespace works during
# `xdpi live --passive`, and is cut by steering), the copies give the same
# metrics as `xdpi read` of what was sent, and every copy the ring could not
# take is counted, by queue, so that the ledger still closes.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "passive tests" p

live_testbed_up

# A TCP server in the DUT namespace, and one request from the generator's.
t_check "the HTTP server listens on 8080" serve_http 8080
request() { # prints the HTTP status, or "failed"
	ip netns exec "$TB_GEN" python3 -c '
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
        r.read()
        print(r.status)
except Exception:
    print("failed")' "http://$TB_DUT_IP:8080/index.txt"
}
for _ in $(seq 50); do [ "$(request)" = 200 ] && break; sleep 0.1; done
t_eq "before: the request works" "$(request)" 200

# --- 1. passive: the connection keeps working, and its packets are seen
if live_start http --passive --interval 0 --json; then
	t_eq "during --passive: the request works" "$(request)" 200
	live_stop
	t_eq "passive run exits 0" "$?" 0
	t_check "the request's TCP packets were inspected (its SYN, and its FIN or RST)" \
		test "$(json "$T_TMP/http.out" 'd["tcp_flags"]["syn"] >= 1 and d["tcp_flags"]["fin"] + d["tcp_flags"]["rst"] >= 1')" = True
	t_eq "passive: ledger 0 unexplained" "$(json "$T_TMP/http.out" 'd["ledger"]["unexplained"]')" 0
	t_eq "passive: mode passive, nothing redirected" \
		"$(json "$T_TMP/http.out" '(d["passive"], d["queues"][0]["mode"], d["ledger"]["queues"][0]["xdp"]["redirected"])')" \
		"(True, 'passive', 0)"
	t_eq "passive: the copies count as steered (no nothing-steered report)" \
		"$(json "$T_TMP/http.out" 'd["nothing_steered"]')" None
	t_eq "passive: every copy inspected, received and sent (the server's replies)" \
		"$(json "$T_TMP/http.out" '(lambda x: x["copied"] + x["copied_out"] == d["packets"] and x["copied"] > 0 and x["copied_out"] > 0)(d["ledger"]["queues"][0]["xdp"])')" True
else
	t_fail "live --passive started" "$(cat "$T_TMP/http.err")"
fi

# The guard refuses to steer an interface with an address; passive takes
# nothing from the host, so it needs no --takeover.
out=$(testbed_dut "$XDPI" live --passive --duration 0.5 --interval 0 "$TB_DUT_IF" 2>&1)
t_eq "--passive without --takeover on an interface with an address: runs" "$?" 0
out=$(testbed_dut "$XDPI" live --duration 0.5 --interval 0 "$TB_DUT_IF" 2>&1)
t_eq "steering without --takeover there: refused (exit 2)" "$?" 2

# --- 2. steering, for contrast: the same request does not get through
if live_start steer --interval 0 --json; then
	t_eq "during steering: the request is taken away" "$(request)" failed
	live_stop
else
	t_fail "live (steering) started" "$(cat "$T_TMP/steer.err")"
fi
t_eq "after: the request works" "$(request)" 200

# --- 3. the copies give exactly what xdpi read gives of the same traffic
"$TOOLS/tool_pcapgen" many_flows "$T_TMP/flows.pcap"
"$TOOLS/tool_pcapgen" handshakes "$T_TMP/hs.pcap"
mergecap -a -F pcap -w "$T_TMP/sent.pcap" "$T_TMP/flows.pcap" "$T_TMP/hs.pcap"
if live_start exact --passive --interval 0 --json --proto tcp; then
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$T_TMP/sent.pcap" >/dev/null 2>&1
	live_stop
	t_eq "exact: exit 0" "$?" 0
	"$XDPI" read --json --proto tcp "$T_TMP/sent.pcap" >"$T_TMP/expect.json"
	diff=$(python3 - "$T_TMP/exact.out" "$T_TMP/expect.json" <<'EOF'
import json, sys
live, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
keys = ["packets", "bytes", "l3", "l4", "tcp_flags", "tcp_directions", "unique_src_ips",
        "tcp_payload_bytes", "size_histogram", "malformed"]
bad = [k for k in keys if live.get(k) != want.get(k)]
print("; ".join(f"{k}: live {live.get(k)} read {want.get(k)}" for k in bad) or "same")
EOF
)
	t_eq "passive metrics equal xdpi read of the sent pcap" "$diff" same
else
	t_fail "live --passive (exact) started" "$(cat "$T_TMP/exact.err")"
fi

# --- 4. a ring too small for a burst: the copies it refused are counted,
# and the ledger still closes (copied = inspected; copied + copy_failed =
# the wanted frames). The worker is stopped during the burst so that the
# ring cannot keep up whatever the host's speed.
if live_start small --passive --ring-size 4096 --snaplen 64 --interval 0 --json --cpus "$RX_CPU"; then
	kill -STOP "$LIVE_PID"
	testbed_gen "$XDPI" gen --rate 20000 --count 2000 --cpus "$GEN_CPU" "$TB_GEN_IF" >/dev/null 2>&1
	kill -CONT "$LIVE_PID"
	live_stop
	t_eq "small ring: exit 0 (the ledger closes)" "$?" 0
	t_eq "small ring: copies refused, counted, and the rest inspected" \
		"$(json "$T_TMP/small.out" '(lambda q: (q["xdp"]["copy_failed"] > 0, q["xdp"]["copied"] == q["inspected"], q["xdp"]["copied"] + q["xdp"]["copy_failed"] == q["xdp"]["seen"] - q["xdp"]["passed"]))(d["ledger"]["queues"][0])')" \
		"(True, True, True)"
else
	t_fail "live --passive (small ring) started" "$(cat "$T_TMP/small.err")"
fi

# --- 5. what passive cannot go with
out=$(testbed_dut "$XDPI" live --passive --ceiling --duration 1 "$TB_DUT_IF" 2>&1)
t_eq "--passive with --ceiling: refused" "$?" 1
t_check "--passive with --ceiling: says why" grep -q "pick one" <<<"$out"

t_done
