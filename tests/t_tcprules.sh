#!/bin/bash
# The connection-tracking rules of docs/flows.md ("Connection tracking"),
# one hand-written capture each (tests/tool_tcprules.c: the frames in the
# order and with the timestamps the rule is about):
#   offline: `xdpi read` gives the documented records (state, end reason,
#   RTT, tags, packets) and the established and half-open counts; where
#   tshark applies (an RTT it times from the same SYN and ACK, the frames of
#   each of its tcp.streams) its figures must equal xdpi's;
#   live: the same frames replayed on a veth testbed with two queues, each
#   direction on its own queue (the client's frames sent from CPU 0, the
#   server's from CPU 1, with XPS mapping CPU N to transmit queue N, and
#   veth delivering on the peer's queue of that number), give the
#   documented records but for the RTT, which is then the wire's.
. tests/lib.sh
TOOL=$BUILD/tests/tool_tcprules
t_require_built "$XDPI" "$TOOL"
for tool in tshark python3; do
	command -v "$tool" >/dev/null || {
		t_fail "$tool is installed" "the oracle needs it"
		t_done
		exit 1
	}
done
t_tmpdir

# The documented result per case: one line per record, in order of start:
# "state end_reason rtt_us vlan inner_vlan packets"; then the run's
# established and half-open counts.
declare -A WANT COUNTS
WANT[synack_first]="established eof 13140 - - 8"
WANT[rst_handshake]="reset eof - - - 4"
WANT[new_isn]="established eof 20000 - - 9"
WANT[fastopen]="established eof 20000 - - 8"
WANT[port_reuse]="established reuse 20000 - - 8
established reuse 20000 - - 3
established eof 20000 - - 8"
WANT[qinq]="established eof 20000 100 10 8
established eof 20000 100 20 8"
WANT[simultaneous]="established eof - - - 9"
WANT[zero_rtt]="established eof 0 - - 8"
WANT[rst_ack_answer]="reset eof - - - 2"
WANT[vlan_copies]="established eof 20000 10 - 7
established eof 20000 20 - 7"
COUNTS=([synack_first]="1 0" [rst_handshake]="0 0" [new_isn]="1 0" [fastopen]="1 0"
	[port_reuse]="3 0" [qinq]="2 0" [simultaneous]="1 0" [zero_rtt]="1 0"
	[rst_ack_answer]="0 0" [vlan_copies]="2 0")
# Where tshark's initial_rtt times the same SYN and ACK as the rule.
TSHARK_RTT=(synack_first new_isn fastopen port_reuse)
# Where each of tshark's tcp.streams is one of xdpi's records.
TSHARK_STREAMS=(synack_first fastopen port_reuse zero_rtt)

# records JSONL [RTT]: the records of a JSON-lines file, as WANT has them
# (sorted by start, then tags); with RTT=no the RTT left out.
records() {
	python3 - "$1" "${2:-yes}" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
recs = [r for r in recs if r.get("type") == "flow"]
recs.sort(key=lambda r: (r["start"], r["vlan"] or 0, r["inner_vlan"] or 0))
n = lambda v: "-" if v is None else str(v)
for r in recs:
    rtt = n(None if r["rtt_us"] is None else round(r["rtt_us"]))
    print(r["state"], r["end_reason"], rtt if sys.argv[2] == "yes" else "x",
          n(r["vlan"]), n(r["inner_vlan"]), r["packets"])
EOF
}

# counts JSON: "established half_open" of a report.
counts() {
	json "$1" '"%d %d" % (d["connections"]["established"], d["connections"]["half_open"])'
}

cases=$("$TOOL" list)
t_eq "every case has its documented result" "$(echo "$cases" | wc -l)" "${#WANT[@]}"
for c in $cases; do
	"$TOOL" "$c" "$T_TMP/$c.pcap" || t_fail "$c: written"
	"$XDPI" read -q --json --json-lines "$T_TMP/$c.jsonl" "$T_TMP/$c.pcap" \
		>"$T_TMP/$c.json" 2>"$T_TMP/$c.err"
	t_eq "$c: records" "$(records "$T_TMP/$c.jsonl")" "${WANT[$c]}"
	t_eq "$c: established, half-open" "$(counts "$T_TMP/$c.json")" "${COUNTS[$c]}"
	t_eq "$c: every frame in a record (tshark's count)" \
		"$(records "$T_TMP/$c.jsonl" | awk '{s += $6} END {print s}')" \
		"$(tshark -r "$T_TMP/$c.pcap" 2>/dev/null | wc -l)"
done

# tshark_rtts PCAP: initial_rtt per stream, in us, in stream order.
tshark_rtts() {
	tshark -r "$1" -T fields -e tcp.stream -e tcp.analysis.initial_rtt 2>/dev/null |
		awk '$2 != "" {print $1, int($2 * 1e6 + 0.5)}' | sort -un | awk '{print $2}'
}
for c in "${TSHARK_RTT[@]}"; do
	t_eq "$c: RTT = tshark's initial_rtt" \
		"$(records "$T_TMP/$c.jsonl" | awk '$3 != "-" {print $3}')" \
		"$(tshark_rtts "$T_TMP/$c.pcap")"
done
for c in "${TSHARK_STREAMS[@]}"; do
	t_eq "$c: packets per record = frames per tshark tcp.stream" \
		"$(records "$T_TMP/$c.jsonl" | awk '{print $6}' | xargs)" \
		"$(tshark -r "$T_TMP/$c.pcap" -T fields -e tcp.stream 2>/dev/null | sort -n |
			uniq -c | awk '{print $1}' | xargs)"
done

# --- live: both directions, two queues ---------------------------------
if [ "$(id -u)" != 0 ] || [ "$(nproc)" -lt 2 ]; then
	t_skip "live replay on two queues" "needs root and two CPUs"
	t_done
	exit
fi
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "connection tracking, live" r
for tool in editcap tcpreplay taskset; do
	command -v "$tool" >/dev/null || {
		t_fail "$tool is installed"
		t_done
		exit 1
	}
done
testbed_up 2 "$TB_ID" || {
	t_fail "testbed up"
	t_done
	exit
}
# Transmit queue by CPU (XPS), not by the flow's hash: CPU 0 -> queue 0.
for q in 0 1; do
	ip netns exec "$TB_GEN" sh -c "echo $((1 << q)) >/sys/class/net/$TB_GEN_IF/queues/tx-$q/xps_cpus" ||
		t_fail "XPS on queue $q"
done

# replay PCAP: each frame on its own, in file order, the client's
# (10.26.0.1) from CPU 0, the server's from CPU 1; a frame's queue is
# checked against veth's per-queue counters.
replay() {
	local i=1 src
	for src in $(tshark -r "$1" -T fields -e ip.src 2>/dev/null); do
		editcap -r "$1" "$T_TMP/one.pcap" "$i" 2>/dev/null
		testbed_gen taskset -c "$([ "$src" = 10.26.0.1 ] && echo 0 || echo 1)" \
			tcpreplay -q -i "$TB_GEN_IF" "$T_TMP/one.pcap" >/dev/null 2>&1
		i=$((i + 1))
	done
}

queue_frames() { # the DUT's XDP frames per queue, "q0 q1"
	ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" 2>/dev/null |
		awk '/rx_queue_0_xdp_packets/ {a = $2} /rx_queue_1_xdp_packets/ {b = $2}
			END {print a + 0, b + 0}'
}

for c in $cases; do
	before=$(queue_frames)
	if ! live_start "$c" --interval 0 --cpus 0,1 --json --json-lines "$T_TMP/$c.live.jsonl"; then
		t_fail "$c: live starts" "$(tail -3 "$T_TMP/$c.err")"
		continue
	fi
	replay "$T_TMP/$c.pcap"
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	after=$(queue_frames)
	t_eq "$c live: each direction on its own queue (client frames, server frames)" \
		"$(echo "$before $after" | awk '{print $3 - $1, $4 - $2}')" \
		"$(tshark -r "$T_TMP/$c.pcap" -T fields -e ip.src 2>/dev/null |
			awk '$1 == "10.26.0.1" {c++} $1 != "10.26.0.1" {s++} END {print c + 0, s + 0}')"
	t_eq "$c live: the documented records (the RTT is the wire's)" \
		"$(records "$T_TMP/$c.live.jsonl" no)" "$(echo "${WANT[$c]}" | awk '{$3 = "x"; print}')"
	t_eq "$c live: established, half-open" "$(counts "$T_TMP/$c.out")" "${COUNTS[$c]}"
done
t_done
