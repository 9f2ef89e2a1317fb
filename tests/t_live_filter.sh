#!/bin/bash
# pcap-filter expressions live, in the XDP program's classic BPF
# interpreter: on the veth testbed, `xdpi live --filter EXPR` inspects
# exactly the frames libpcap selects with EXPR from what tcpdump saw sent
# (every metric as tshark dissects them), the ledger closes, the frames the expression rejects pass to the kernel
# (counted as passed; pings keep working), and `xdpi compare --pcap`
# re-reads with the recorded expression. The interpreter against libpcap's
# on every frame, without a testbed: tests/t_cbpf.sh. Needs root
# (namespaces, XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "live filter expressions" tf
t_require_built "$XDPI" "$TOOLS/tool_pcapgen" "$TOOLS/tool_filtercheck"

# --- traffic: the live test's mix (TCP, IPv6 and extension headers, VLAN,
# QinQ, fragments, UDP, ICMP, ARP, padding, tags), plus the UDP case with
# its destination ports rewritten to 9 (discard): some of it tagged or
# fragmented, which libpcap's `udp port 9` does not select.
cases="handshakes tcp_options tcp_flags vlan qinq ipv6 ipv6_ext ipv4_frag ipv4_options
udp icmp icmpv6 arp padding tag9100 triple_tag"
parts=()
for c in $cases; do
	"$TOOLS/tool_pcapgen" "$c" "$T_TMP/$c.pcap" || t_fail "pcapgen $c"
	parts+=("$T_TMP/$c.pcap")
done
tcprewrite --portmap=51999:9,51201:9,51101:9 --fixcsum -i "$T_TMP/udp.pcap" -o "$T_TMP/udp9.pcap" ||
	t_fail "tcprewrite: UDP to port 9"
parts+=("$T_TMP/udp9.pcap")
mergecap -a -F pcap -w "$T_TMP/traffic.pcap" "${parts[@]}"
total=$(capinfos -c -M "$T_TMP/traffic.pcap" | awk '/Number of packets/{print $NF}')

replay() { # replay PCAP
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$1" >/dev/null 2>&1
}
sum() { # sum FILE KEY: a ledger counter summed over the queues
	json "$1" "sum(q['xdp']['$2'] for q in d['ledger']['queues'])"
}

live_testbed_up

# live_case NAME EXPR: replay the mix under --filter EXPR, tcpdump on the
# sending end. The oracle: the frames of tcpdump's capture that libpcap's
# own interpreter selects with EXPR (tcpdump -r), their metrics as tshark
# dissects them (tests/oracle.py); the XDP program's interpreter and
# xdpi's counting are what is tested.
live_case() {
	local name=$1 expr=$2 want sent why
	if ! gen_capture_start "$name.sent"; then
		t_fail "$name: tcpdump on the sending end started" \
			"$(cat "$T_TMP/$name.sent.tcpdump.err")"
		return
	fi
	if ! live_start "$name" --interval 0 --json --record "$T_TMP/$name.rec.json" \
		--filter "$expr"; then
		t_fail "$name: live started" "$(cat "$T_TMP/$name.err")"
		gen_capture_stop "$name.sent" >/dev/null
		return
	fi
	replay "$T_TMP/traffic.pcap"
	live_stop
	t_eq "$name: exit 0" "$?" 0
	why=$(gen_capture_stop "$name.sent")
	sent=$(pcap_count "$T_TMP/$name.sent.pcap")
	t_eq "$name: tcpdump kept every frame sent ($sent)" "$why/$sent" "/$total"
	tcpdump -r "$T_TMP/$name.sent.pcap" -w "$T_TMP/$name.sel.pcap" "$expr" 2>/dev/null ||
		t_fail "$name: tcpdump -r with '$expr'"
	want=$(pcap_count "$T_TMP/$name.sel.pcap")
	t_check "$name: says the filter" grep -q "filter $expr" "$T_TMP/$name.err"
	oracle_check "$name: live, the $want frames libpcap selects with '$expr'" \
		"$T_TMP/$name.out" "$T_TMP/$name.sel.pcap"
	t_eq "$name: ledger 0 unexplained" "$(json "$T_TMP/$name.out" 'd["ledger"]["unexplained"]')" 0
	t_eq "$name: the XDP program saw all $sent frames" "$(sum "$T_TMP/$name.out" seen)" "$sent"
	t_eq "$name: redirected = inspected = selected" \
		"$(sum "$T_TMP/$name.out" redirected)/$(json "$T_TMP/$name.out" \
			'sum(q["inspected"] for q in d["ledger"]["queues"])')" "$want/$want"
	t_eq "$name: the $((sent - want)) rejected frames passed to the kernel" \
		"$(sum "$T_TMP/$name.out" passed)" $((sent - want))
	t_eq "$name: the record holds the expression" \
		"$(json "$T_TMP/$name.rec.json" 'd["filter"]')" "$expr"
	"$XDPI" compare --pcap "$T_TMP/traffic.pcap" "$T_TMP/$name.rec.json" >"$T_TMP/$name.cmp" 2>&1
	t_eq "$name: compare --pcap re-reads with the expression: exit 0" "$?" 0
	t_check "$name: compare --pcap: every metric matches" \
		grep -q "every metric matches" "$T_TMP/$name.cmp"
}

live_case udp9 "udp port 9"
# On veth the tags stay in the frame (tcpreplay sends them in band): the
# program sees what the pcap holds, and libpcap's `vlan` matches.
live_case vlan "vlan and (tcp or udp)"

# Frames the expression rejects reach the kernel untouched: pings answer.
if live_start ping --interval 0 --json --filter "udp port 9"; then
	if testbed_gen ping -c 3 -i 0.2 -W 2 -q "$TB_DUT_IP" >/dev/null; then
		t_ok "ping through the DUT while only 'udp port 9' is steered"
	else
		t_fail "ping through the DUT while only 'udp port 9' is steered"
	fi
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_eq "ping run: exit 0, nothing redirected" "$?/$(sum "$T_TMP/ping.out" redirected)" 0/0
	p=$(sum "$T_TMP/ping.out" passed)
	if [ "${p:-0}" -ge 3 ]; then t_ok "ping run: the echo requests passed ($p)"; else
		t_fail "ping run: the echo requests passed" "passed '$p'"
	fi
else
	t_fail "live started (ping)" "$(cat "$T_TMP/ping.err")"
fi
testbed_down

t_done
