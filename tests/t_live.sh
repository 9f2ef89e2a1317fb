#!/bin/bash
# Live capture on the veth testbed: exact metrics against `xdpi read` of the
# replayed pcap, the drop ledger against the XDP program's own counters,
# passing traffic, two queues, clean teardown on SIGINT and after kill -9,
# and every setup error with its message and exit code.
# Needs root (namespaces, XDP). Sender: tcpreplay at a rate where nothing is
# lost, so any difference is the inspector's.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "live tests" t

# --- traffic: TCP handshakes, data, FIN/RST, options, IPv6 (+extension
# headers), VLAN, QinQ, fragments; plus UDP, ICMP, ARP and non-IP that must
# pass to the kernel.
cases="handshakes tcp_options tcp_flags vlan qinq ipv6 ipv6_ext ipv4_frag ipv4_options
udp icmp icmpv6 arp padding tag9100 triple_tag"
parts=()
for c in $cases; do
	"$TOOLS/tool_pcapgen" "$c" "$T_TMP/$c.pcap" || t_fail "pcapgen $c"
	parts+=("$T_TMP/$c.pcap")
done
mergecap -a -F pcap -w "$T_TMP/traffic.pcap" "${parts[@]}"
"$TOOLS/tool_pcapgen" many_flows "$T_TMP/flows.pcap"
total=$(capinfos -c -M "$T_TMP/traffic.pcap" | awk '/Number of packets/{print $NF}')

replay() { # replay PCAP [PPS]
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps "${2:-3000}" "$1" >/dev/null 2>&1
}

xdp_attached() { # prints the XDP attachment of the DUT interface, if any
	ip -n "$TB_DUT" -d link show "$TB_DUT_IF" | grep -oE 'prog/xdp id [0-9]+|xdp[a-z]* ' | head -1
}

live_testbed_up

# live_stop: once the sender has returned, SIGINT, and the exit status. A
# fixed --duration would race a slow sender on a loaded machine.

# --- 1. exact metrics and ledger, one queue
if live_start exact --interval 0 --json --record "$T_TMP/rec.json" \
	--json-lines "$T_TMP/exact.jsonl"; then
	# A run's own program is not stale.
	testbed_dut "$XDPI" interfaces --json "$TB_DUT_IF" >"$T_TMP/ifs_run.json"
	t_eq "a running run's program: not stale" \
		"$(json "$T_TMP/ifs_run.json" 'd["interfaces"][0]["xdp_program"]["stale"]')" False
	replay "$T_TMP/traffic.pcap"
	live_stop
	rc=$?
	t_eq "live exits 0 with a closed ledger" "$rc" 0
	"$XDPI" read --json --proto tcp "$T_TMP/traffic.pcap" >"$T_TMP/expect.json"
	diff=$(live_metrics_diff "$T_TMP/exact.out" "$T_TMP/expect.json")
	t_eq "live metrics equal 'xdpi read --proto tcp' of the sent pcap" "$diff" "OK"
	t_eq "ledger: 0 unexplained" "$(json "$T_TMP/exact.out" 'd["ledger"]["unexplained"]')" 0
	# The flow records of the live run: one per flow, every inspected
	# packet in one of them (the traffic is all IP).
	got=$(python3 - "$T_TMP/exact.out" "$T_TMP/exact.jsonl" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
fl = [json.loads(l) for l in open(sys.argv[2])]
fl = [f for f in fl if f["type"] == "flow"]
ip = d["l3"]["ipv4"] + d["l3"]["ipv6"]
print(len(fl) == d["connections"]["flows"] and sum(f["packets"] for f in fl) == ip
      and all(f["end_reason"] == "eof" for f in fl))
EOF
	)
	t_eq "live --json-lines: a record per flow, every IP packet in one" "$got" True
	t_eq "XDP program saw every frame sent" \
		"$(json "$T_TMP/exact.out" 'sum(q["xdp"]["seen"] for q in d["ledger"]["queues"])')" "$total"
	t_eq "redirected = inspected = TCP frames" \
		"$(json "$T_TMP/exact.out" 'sum(q["xdp"]["redirected"] for q in d["ledger"]["queues"])')" \
		"$(json "$T_TMP/expect.json" 'd["packets"]')"
	t_eq "non-TCP frames passed to the kernel" \
		"$(json "$T_TMP/exact.out" 'sum(q["xdp"]["passed"] for q in d["ledger"]["queues"])')" \
		$((total - $(json "$T_TMP/expect.json" 'd["packets"]')))
	t_eq "queue mode read back: copy (veth has no zero-copy)" \
		"$(json "$T_TMP/exact.out" 'd["queues"][0]["mode"]')" copy
	t_eq "driver counters in the ledger (veth xdp_redirect)" \
		"$(json "$T_TMP/exact.out" 'd["ledger"]["queues"][0]["iface"].get("xdp_redirect")')" \
		"$(json "$T_TMP/exact.out" 'd["ledger"]["queues"][0]["xdp"]["redirected"]')"
	t_eq "nothing attached after the run" "$(xdp_attached)" ""
	out=$("$XDPI" compare --pcap "$T_TMP/traffic.pcap" "$T_TMP/rec.json")
	rc=$?
	t_eq "compare --pcap: exit 0" "$rc" 0
	t_check "compare --pcap: every metric matches" grep -q "every metric matches" <<<"$out"
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['ledger']['queues'][0]['inspected']-=1; json.dump(d,open(sys.argv[2],'w'))" \
		"$T_TMP/rec.json" "$T_TMP/bad.json"
	out=$("$XDPI" compare "$T_TMP/bad.json")
	rc=$?
	t_eq "compare: a record with a lost packet exits 1" "$rc" 1
	t_check "compare: says the ledger does not close" grep -q "1 packets unexplained" <<<"$out"
	# a metric that differs: shown with both values, exit 1
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['tcp_directions']+=1; json.dump(d,open(sys.argv[2],'w'))" \
		"$T_TMP/rec.json" "$T_TMP/flows.json"
	out=$("$XDPI" compare --pcap "$T_TMP/traffic.pcap" "$T_TMP/flows.json")
	rc=$?
	want=$(json "$T_TMP/rec.json" 'd["tcp_directions"]')
	t_eq "compare: a differing metric exits 1" "$rc" 1
	t_check "compare: shows both values of the differing metric" \
		grep -qE "tcp_directions +live $((want + 1))\$" <<<"$out"
	t_check "compare: ... and what was sent" grep -qE "^ +sent $want\$" <<<"$out"
	t_check "compare: counts one differing metric" grep -q "^1 metric differ" <<<"$out"
	# a sample shorter than the run: partial, only the ledger checked
	half=$(($(capinfos -c -M "$T_TMP/traffic.pcap" | awk '/Number of packets/{print $NF}') / 2))
	editcap -r "$T_TMP/traffic.pcap" "$T_TMP/half.pcap" "1-$half"
	out=$("$XDPI" compare --pcap "$T_TMP/half.pcap" "$T_TMP/rec.json")
	t_eq "compare: a partial sample exits 0 (the ledger closes)" "$?" 0
	t_check "compare: says the sample is partial" grep -q "the sample is partial" <<<"$out"
	# errors, and a record's strings never reach the terminal raw
	echo "not json" >"$T_TMP/junk.json"
	"$XDPI" compare "$T_TMP/junk.json" >/dev/null 2>"$T_TMP/cmp.err"
	t_eq "compare: not JSON exits 1 with the parser's line" "$?/$(grep -c 'line 1' "$T_TMP/cmp.err")" "1/1"
	echo '{"packets": 1}' >"$T_TMP/noledger.json"
	"$XDPI" compare "$T_TMP/noledger.json" >/dev/null 2>"$T_TMP/cmp.err"
	t_eq "compare: a record without a ledger exits 1" \
		"$?/$(grep -c 'not an xdpi live record' "$T_TMP/cmp.err")" "1/1"
	"$XDPI" compare --pcap "$T_TMP/nope.pcap" "$T_TMP/rec.json" >/dev/null 2>"$T_TMP/cmp.err"
	t_eq "compare: a missing --pcap exits 1" "$?/$(grep -c 'nope.pcap' "$T_TMP/cmp.err")" "1/1"
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['interface']='x\x1b[2Jy'; json.dump(d,open(sys.argv[2],'w'))" \
		"$T_TMP/rec.json" "$T_TMP/esc.json"
	t_check "compare: control bytes in a record are not printed" \
		sh -c "'$XDPI' compare '$T_TMP/esc.json' | grep -qF 'interface x\\x1b[2Jy,'"
else
	t_fail "live started" "$(cat "$T_TMP/exact.err")"
fi

# --- 2. non-TCP keeps flowing: ping through the DUT while xdpi runs; SIGINT
if live_start ping --interval 0; then
	t_check "ping through the DUT while xdpi runs" \
		testbed_gen ping -c 3 -i 0.2 -W 2 -q "$TB_DUT_IP"
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_eq "SIGINT: exit 0" "$?" 0
	t_check "SIGINT: summary printed" grep -q "stopped by SIGINT" "$T_TMP/ping.out"
	t_eq "SIGINT: no XDP program attached" "$(xdp_attached)" ""
	t_eq "SIGINT: the interface's IRQ deferral as before the run (0/0)" \
		"$(ip netns exec "$TB_DUT" cat /sys/class/net/$TB_DUT_IF/napi_defer_hard_irqs)/$(ip netns exec "$TB_DUT" cat /sys/class/net/$TB_DUT_IF/gro_flush_timeout)" "0/0"
else
	t_fail "live started (ping)" "$(cat "$T_TMP/ping.err")"
fi

# --- 2b. --duration ends the run by itself, exit 0, nothing attached
testbed_dut "$XDPI" live --takeover --duration 1 --interval 0 "$TB_DUT_IF" >"$T_TMP/dur.out" 2>&1
t_eq "--duration 1: exit 0, stopped by the duration, nothing attached" \
	"$?/$(grep -c 'stopped by duration reached' "$T_TMP/dur.out")/$(xdp_attached)" "0/1/"

# --- 3. inspection off: packets and bytes still exact
if live_start noinspect --interval 0 --no-inspect --no-busy-poll --json; then
	replay "$T_TMP/traffic.pcap"
	live_stop
	t_eq "--no-inspect --no-busy-poll: packets and bytes exact" \
		"$(json "$T_TMP/noinspect.out" '(d["packets"], d["bytes"], d["ledger"]["unexplained"])')" \
		"$(json "$T_TMP/expect.json" '(d["packets"], d["bytes"], 0)')"
else
	t_fail "live started (no-inspect)" "$(cat "$T_TMP/noinspect.err")"
fi

# --- 4. kill -9 leaves the program; a new run refuses; detach removes it
if live_start killed --interval 0; then
	kill -KILL "$LIVE_PID"
	wait "$LIVE_PID" 2>/dev/null
	t_check "kill -9 leaves the program attached" test -n "$(xdp_attached)"
	# interfaces tells the leftover from a live run's program (issue 31):
	# stale, with the command that removes it; JSON "stale": true.
	testbed_dut "$XDPI" interfaces "$TB_DUT_IF" >"$T_TMP/ifs.out" 2>&1
	t_eq "kill -9: interfaces says stale and how to remove it" \
		"$(awk -v i="$TB_DUT_IF" '$1 == i {print $NF}' "$T_TMP/ifs.out") $(grep -c "remove it with 'xdpi detach $TB_DUT_IF'" "$T_TMP/ifs.out")" \
		"stale 1"
	testbed_dut "$XDPI" interfaces --json "$TB_DUT_IF" >"$T_TMP/ifs.json"
	t_eq "kill -9: interfaces --json xdp_program.stale" \
		"$(json "$T_TMP/ifs.json" 'd["interfaces"][0]["xdp_program"]["stale"]')" True
	testbed_dut "$XDPI" live --takeover --duration 1 "$TB_DUT_IF" >/dev/null 2>"$T_TMP/again.err"
	t_eq "a stale xdpi program: exit 1" "$?" 1
	t_check "a stale xdpi program: says to run xdpi detach" grep -q "xdpi detach" "$T_TMP/again.err"
	# What a killed run that busy-polled leaves: xdpi's deferral, sized
	# for veth's 256-slot ring at 10 Gb/s (256 x 67.2 ns / 2).
	knobs() { ip netns exec "$TB_DUT" sh -c "cat /sys/class/net/$TB_DUT_IF/napi_defer_hard_irqs /sys/class/net/$TB_DUT_IF/gro_flush_timeout" | paste -sd/; }
	ip netns exec "$TB_DUT" sh -c "echo 2 > /sys/class/net/$TB_DUT_IF/napi_defer_hard_irqs; echo 8601 > /sys/class/net/$TB_DUT_IF/gro_flush_timeout"
	out=$(testbed_dut "$XDPI" detach "$TB_DUT_IF")
	t_eq "detach: exit 0" "$?" 0
	t_check "detach: says it detached" grep -q "XDP program detached" <<<"$out"
	t_eq "after kill -9 and detach: nothing attached" "$(xdp_attached)" ""
	t_eq "detach reset xdpi's own IRQ deferral (2/8601) to 0/0" "$(knobs)" "0/0"
	ip netns exec "$TB_DUT" sh -c "echo 2 > /sys/class/net/$TB_DUT_IF/napi_defer_hard_irqs; echo 50000 > /sys/class/net/$TB_DUT_IF/gro_flush_timeout"
	testbed_dut "$XDPI" detach "$TB_DUT_IF" >/dev/null
	t_eq "detach leaves a deferral that is not xdpi's (2/50000)" "$(knobs)" "2/50000"
	ip netns exec "$TB_DUT" sh -c "echo 0 > /sys/class/net/$TB_DUT_IF/napi_defer_hard_irqs; echo 0 > /sys/class/net/$TB_DUT_IF/gro_flush_timeout"
	out=$(testbed_dut "$XDPI" detach "$TB_DUT_IF")
	t_check "detach with nothing attached: exit 0, says so" grep -q "no xdpi XDP program" <<<"$out"
else
	t_fail "live started (kill -9)" "$(cat "$T_TMP/killed.err")"
fi

# --- 5. errors: message and exit code, and nothing left attached
expect_error() { # NAME CODE PATTERN CMD...
	local name=$1 code=$2 pattern=$3
	shift 3
	"$@" >"$T_TMP/err.out" 2>"$T_TMP/err.err"
	local rc=$?
	if [ "$rc" = "$code" ] && grep -q -- "$pattern" "$T_TMP/err.err"; then
		t_ok "$name"
	else
		t_fail "$name" "exit $rc (want $code), stderr: $(head -3 "$T_TMP/err.err")"
	fi
}
expect_error "unknown interface" 1 "no interface 'xdpi-nope'" \
	testbed_dut "$XDPI" live --duration 1 xdpi-nope
expect_error "not root" 1 "needs CAP_NET_ADMIN" \
	testbed_dut setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$XDPI" live --takeover --duration 1 "$TB_DUT_IF"
expect_error "queue beyond the channel count" 1 "queue 3 is beyond xdpi-d's 1 RX queue" \
	testbed_dut "$XDPI" live --takeover --duration 1 --queues 3 "$TB_DUT_IF"
expect_error "invalid frame size" 1 "frame size 1000 is invalid" \
	testbed_dut "$XDPI" live --takeover --duration 1 --frame-size 1000 "$TB_DUT_IF"
expect_error "invalid ring size" 1 "rx_size 100 is invalid" \
	testbed_dut "$XDPI" live --takeover --duration 1 --rx-size 100 "$TB_DUT_IF"
expect_error "zero-copy forced on veth" 1 "no AF_XDP zero-copy" \
	testbed_dut "$XDPI" live --takeover --duration 1 --mode zerocopy "$TB_DUT_IF"
t_eq "zero-copy failure left nothing attached" "$(xdp_attached)" ""
expect_error "unknown option" 2 "" testbed_dut "$XDPI" live --bogus "$TB_DUT_IF"
expect_error "bad filter" 2 "invalid filter 'tcp port x': unknown port 'x'" \
	testbed_dut "$XDPI" live --filter 'tcp port x' "$TB_DUT_IF"
ip -n "$TB_DUT" link set dev "$TB_DUT_IF" xdpdrv obj "$BUILD/tests/xdp_pass.bpf.o" sec xdp
expect_error "a foreign XDP program libxdp cannot share" 1 "use --force to replace" \
	testbed_dut "$XDPI" live --takeover --duration 1 "$TB_DUT_IF"
t_check "the foreign program is still there" test -n "$(xdp_attached)"
testbed_dut "$XDPI" live --takeover --force --duration 1 --interval 0 "$TB_DUT_IF" >/dev/null 2>&1
t_eq "--force replaces it, and the run detaches at exit" "$?/$(xdp_attached)" "0/"

# --- 6. two queues both receive when the traffic has several flows
testbed_down
testbed_up 2 "$TB_ID" || { t_fail "testbed up (2 queues)"; t_done; exit; }
if live_start twoq --interval 0 --json; then
	replay "$T_TMP/flows.pcap" 5000
	live_stop
	t_eq "two queues: both inspected frames" \
		"$(json "$T_TMP/twoq.out" 'all(q["packets"] > 0 for q in d["queues"]) and len(d["queues"]) == 2')" True
	t_eq "two queues: ledger 0 unexplained" "$(json "$T_TMP/twoq.out" 'd["ledger"]["unexplained"]')" 0
	t_eq "two queues: metrics equal xdpi read" \
		"$(json "$T_TMP/twoq.out" '(d["packets"], d["tcp_directions"], d["unique_src_ips"])')" \
		"$("$XDPI" read --json --proto tcp "$T_TMP/flows.pcap" | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d["packets"], d["tcp_directions"], d["unique_src_ips"]))')"
else
	t_fail "live started (2 queues)" "$(cat "$T_TMP/twoq.err")"
fi

# A failure halfway through set-up: queue 1 belongs to another socket, so
# set-up fails after the XDP program and queue 0's socket are in place.
# Everything must be released: no program left, queue 0 free again.
mkfifo "$T_TMP/hold.in"
ip netns exec "$TB_DUT" "$TOOLS/tool_rebind" "$TB_DUT_IF" 1 hold <"$T_TMP/hold.in" >"$T_TMP/hold.out" 2>&1 &
hold_pid=$!
exec 7>"$T_TMP/hold.in"
for _ in $(seq 100); do grep -q held "$T_TMP/hold.out" && break; sleep 0.1; done
if grep -q held "$T_TMP/hold.out"; then
	expect_error "set-up fails at queue 1's socket" 1 "queue 1" \
		testbed_dut "$XDPI" live --takeover --queues 0,1 --duration 1 "$TB_DUT_IF"
	t_eq "after the halfway failure: nothing attached" "$(xdp_attached)" ""
	ip netns exec "$TB_DUT" "$TOOLS/tool_rebind" "$TB_DUT_IF" 0 1 >/dev/null 2>&1
	t_eq "after the halfway failure: queue 0 can be bound again" "$?" 0
else
	t_fail "the holder bound queue 1" "$(cat "$T_TMP/hold.out")"
fi
exec 7>&-
wait "$hold_pid"

# --- 7. the kernel filter agrees with its userspace mirror on every frame
# (its own TAP lines count; a crash must count too)
"$TOOLS/tool_filtercheck" "$T_TMP/traffic.pcap" | sed -e '/^1\.\./d' -e 's/^/# /'
t_eq "tool_filtercheck: exit 0" "${PIPESTATUS[0]}" 0

t_done
