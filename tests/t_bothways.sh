#!/bin/bash
# Live truth on a host (issue 27), with real clients and servers and no
# hand-made frames: curl against a Python HTTP server and openssl s_client
# against openssl s_server in the DUT namespace, while tcpdump records the
# same interface as the oracle.
#  1. `xdpi live --passive` (both directions by default: the tc egress
#     program copies what the server sends): every connection established,
#     none half-open, each flow's rtt_us within 100 us of tshark's
#     SYN-to-ACK time, frames per direction exactly tcpdump's, the ledger
#     closed; `xdpi read` of the pcapng it wrote gives the same RTTs.
#  2. `--direction in`: the same connections established, flagged one-way,
#     no half-open count for SYNs that were answered.
#  3. the clsact path (XDPI_TEST_NO_TCX=1) and `xdpi detach` of the filter a
#     killed run leaves there.
#  4. steering behind a mirror port (tc mirred copies both directions of the
#     server's interface into a veth pair xdpi steers from): rtt_us within
#     100 us of tcpdump's on the capture port, and the pcapng's per-frame
#     times strictly increasing within each queue for a paced stream.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "both directions, per-frame times" w
live_need curl openssl tcpdump tshark
live_testbed_up
HTTP=8080
TLS=8443
N_HTTP=6
N_TLS=3
t_check "the HTTP server listens on $HTTP" serve_http $HTTP
t_check "s_server listens on $TLS" serve_tls $TLS

# clients CONNECTIONS_OK_FILE: the curl and s_client runs, one line per
# connection that completed.
clients() {
	: >"$1"
	for _ in $(seq $N_HTTP); do
		ip netns exec "$TB_GEN" curl -s -o /dev/null -w '%{http_code}\n' \
			"http://$TB_DUT_IP:$HTTP/index.txt" >>"$1"
	done
	for _ in $(seq $N_TLS); do
		# A handshake, then an orderly close at the end of input.
		echo | ip netns exec "$TB_GEN" timeout 10 openssl s_client \
			-connect "$TB_DUT_IP:$TLS" -servername sni.xdpi.test 2>/dev/null |
			grep -q '^CONNECTED' && echo tls >>"$1"
	done
}

# initial_rtts PCAP: tshark's handshake times, one line per frame that has
# one (rttcheck.py keeps each connection's first).
initial_rtts() {
	tshark -r "$1" -Y tcp.analysis.initial_rtt -T fields -e tcp.srcport -e tcp.dstport \
		-e tcp.analysis.initial_rtt 2>"$T_TMP/tshark.err"
}
# frame_times PCAP: every frame's ports and time, for the flows' spans.
frame_times() {
	tshark -r "$1" -T fields -e tcp.srcport -e tcp.dstport -e frame.time_epoch \
		2>"$T_TMP/tshark.err"
}
# handshakes PCAP: connections whose handshake tshark saw complete.
handshakes() {
	initial_rtts "$1" | awk '{print ($2 == 8080 || $2 == 8443) ? $1 : $2}' | sort -u | wc -l
}

# --- 1. passive, both directions (the default)
# The worker pauses 3 ms after every batch (a busy host's worker, and
# XDPI_TEST_SLOW_QUEUE's test hook): a time taken when the worker reads a
# frame would be up to 3 ms late, the program's stamp is not.
export XDPI_TEST_SLOW_QUEUE=0:3000
tcpdump_start passive "$TB_DUT_IF"
if live_start passive --passive --interval 0 --json --json-lines "$T_TMP/passive.jsonl" \
	-w "$T_TMP/passive.pcapng"; then
	clients "$T_TMP/clients1"
	live_stop
	t_eq "passive: exit 0" "$?" 0
	tcpdump_stop
	want=$(wc -l <"$T_TMP/clients1")
	t_eq "the clients completed every connection" "$want" $((N_HTTP + N_TLS))
	t_eq "tshark saw as many handshakes" "$(handshakes "$T_TMP/passive.pcap")" "$want"
	t_eq "passive: direction inout, by a tc egress program (tcx)" \
		"$(json "$T_TMP/passive.out" '(d["direction"], d["egress_hook"])')" "('inout', 'tcx')"
	t_eq "passive: every connection established, none half-open" \
		"$(json "$T_TMP/passive.out" '(d["connections"]["established"], d["connections"]["half_open"], d["connections"]["one_way"])')" \
		"($want, 0, 0)"
	t_eq "passive: every flow record established, two-way" \
		"$(python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
rs = [r for r in rs if r.get("type") == "flow"]
print(len(rs), sorted({(r["state"], r["one_way"]) for r in rs}))' "$T_TMP/passive.jsonl")" \
		"$want [('established', False)]"
	t_eq "passive: rtt_us of every flow within 100 us of tshark's SYN-to-ACK" \
		"$(initial_rtts "$T_TMP/passive.pcap" >"$T_TMP/rtt1" &&
			python3 tests/rttcheck.py rtt "$T_TMP/rtt1" "$T_TMP/passive.jsonl" $HTTP,$TLS 100)" \
		"OK $want"
	t_eq "passive: each flow's start and end within 100 us of its first and last frame" \
		"$(frame_times "$T_TMP/passive.pcap" >"$T_TMP/frames1" &&
			python3 tests/rttcheck.py span "$T_TMP/frames1" "$T_TMP/passive.jsonl" \
				$HTTP,$TLS 100)" "OK $want"
	# Frames each way, as tcpdump on the same interface counts them
	# (sent frames before segmentation: a GSO packet is one frame there
	# and here).
	in_want=$(tshark -r "$T_TMP/passive.pcap" -Y "ip.dst == $TB_DUT_IP" 2>/dev/null | wc -l)
	out_want=$(tshark -r "$T_TMP/passive.pcap" -Y "ip.src == $TB_DUT_IP" 2>/dev/null | wc -l)
	t_eq "passive: frames copied each way = tcpdump's, all inspected, ledger closed" \
		"$(json "$T_TMP/passive.out" '(lambda x, q: (x["copied"], x["copied_out"], q["inspected"] - q["inspected_out"], q["inspected_out"], d["ledger"]["unexplained"]))(d["ledger"]["queues"][0]["xdp"], d["ledger"]["queues"][0])')" \
		"($in_want, $out_want, $in_want, $out_want, 0)"
	t_eq "passive: the TLS connections' SNI seen" \
		"$(grep -c '"tls_sni": *"sni.xdpi.test"' "$T_TMP/passive.jsonl")" "$N_TLS"
	# The pcapng xdpi wrote, read offline: the same RTTs (the frames
	# carry the program's time stamps).
	"$XDPI" read --json-lines "$T_TMP/reread.jsonl" "$T_TMP/passive.pcapng" >/dev/null 2>&1
	t_eq "xdpi read of the written pcapng: rtt_us within 100 us of tshark's" \
		"$(python3 tests/rttcheck.py rtt "$T_TMP/rtt1" "$T_TMP/reread.jsonl" $HTTP,$TLS 100)" \
		"OK $want"
else
	t_fail "live --passive started" "$(cat "$T_TMP/passive.err")"
	tcpdump_stop
fi

# The same offline, on tcpdump's capture cut to what the server received:
# every handshake completes (by the client's ACK), the records one-way,
# and the summary says its figures are one-sided.
if [ -s "$T_TMP/passive.pcap" ]; then
	tcpdump -r "$T_TMP/passive.pcap" -w "$T_TMP/in.pcap" "dst host $TB_DUT_IP" 2>/dev/null
	"$XDPI" read "$T_TMP/in.pcap" >"$T_TMP/in.txt" 2>&1
	t_check "read of one direction: the summary says the figures are one-sided" \
		grep -q "^one-sided  *$want of $want flows" "$T_TMP/in.txt"
	t_eq "read of one direction: every handshake established, none half-open, all one-way" \
		"$("$XDPI" read --json "$T_TMP/in.pcap" | python3 -c '
import json, sys
c = json.load(sys.stdin)["connections"]
print(c["established"], c["half_open"], c["one_way_ratio"])')" "$want 0 1.0"
fi

unset XDPI_TEST_SLOW_QUEUE

# --- 2. one direction: answered SYNs are not half-open, flows are one-way
if live_start inonly --passive --direction in --interval 0 --json \
	--json-lines "$T_TMP/inonly.jsonl"; then
	clients "$T_TMP/clients2"
	live_stop
	t_eq "--direction in: exit 0" "$?" 0
	want=$(wc -l <"$T_TMP/clients2")
	t_eq "--direction in: established, no half-open, no lone SYN, all one-way" \
		"$(json "$T_TMP/inonly.out" '(d["direction"], d["egress_hook"], d["connections"]["established"], d["connections"]["half_open"], d["connections"]["syn_only"], d["connections"]["one_way_ratio"])')" \
		"('in', None, $want, 0, 0, 1.0)"
	t_eq "--direction in: the records say one_way" \
		"$(python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(sorted({(r["state"], r["one_way"], r["packets_toclient"]) for r in rs if r.get("type") == "flow"}))' \
			"$T_TMP/inonly.jsonl")" "[('established', True, 0)]"
else
	t_fail "live --direction in started" "$(cat "$T_TMP/inonly.err")"
fi

if live_start outonly --passive --direction out --interval 0 --json \
	--json-lines "$T_TMP/outonly.jsonl"; then
	clients "$T_TMP/clients2b"
	live_stop
	t_eq "--direction out: exit 0" "$?" 0
	t_eq "--direction out: only frames sent copied, ledger closed, none half-open" \
		"$(json "$T_TMP/outonly.out" '(lambda x: (d["direction"], x["copied"], x["copied_out"] > 0, d["ledger"]["unexplained"], d["connections"]["half_open"], d["connections"]["one_way_ratio"]))(d["ledger"]["queues"][0]["xdp"])')" \
		"('out', 0, True, 0, 0, 1.0)"
	t_eq "--direction out: the records hold the server's side, one-way, the client the source" \
		"$(python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(sorted({(r["one_way"], r["packets_toserver"], r["dst_port"] in (8080, 8443)) for r in rs if r.get("type") == "flow"}))' \
			"$T_TMP/outonly.jsonl")" "[(True, 0, True)]"
else
	t_fail "live --direction out started" "$(cat "$T_TMP/outonly.err")"
fi

# --- 3. clsact where there is no tcx; a killed run's filter removed by detach
tc_egress_filters() {
	ip netns exec "$TB_DUT" tc filter show dev "$TB_DUT_IF" egress 2>/dev/null | grep -c xdpi_egress
}
if XDPI_TEST_NO_TCX=1 live_start clsact --passive --interval 0 --json; then
	t_eq "clsact: the egress program is a tc filter" "$(tc_egress_filters)" 1
	clients "$T_TMP/clients3"
	live_stop
	t_eq "clsact: exit 0, hook clsact, frames sent copied, ledger closed" \
		"$(json "$T_TMP/clsact.out" '(d["egress_hook"], d["ledger"]["queues"][0]["xdp"]["copied_out"] > 0, d["ledger"]["unexplained"])')" \
		"('clsact', True, 0)"
	t_eq "clsact: the filter is gone after the run" "$(tc_egress_filters)" 0
else
	t_fail "live with clsact started" "$(cat "$T_TMP/clsact.err")"
fi
if XDPI_TEST_NO_TCX=1 live_start killed --passive --interval 0; then
	kill -9 "$LIVE_PID"
	wait "$LIVE_PID" 2>/dev/null
	t_eq "kill -9 leaves the clsact filter" "$(tc_egress_filters)" 1
	ip netns exec "$TB_DUT" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
		exec "$@"' sh "$XDPI" detach "$TB_DUT_IF" >/dev/null 2>&1
	t_eq "xdpi detach removes it (and the XDP program)" \
		"$(tc_egress_filters) $(xdp_attached_dut)" "0 "
else
	t_fail "live to be killed started" "$(cat "$T_TMP/killed.err")"
fi
if live_start tcxkill --passive --interval 0; then
	kill -9 "$LIVE_PID"
	wait "$LIVE_PID" 2>/dev/null
	t_eq "tcx: a killed run leaves no egress program" \
		"$(ip netns exec "$TB_DUT" bpftool net show dev "$TB_DUT_IF" 2>/dev/null | grep -c xdpi_egress)" 0
	ip netns exec "$TB_DUT" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
		exec "$@"' sh "$XDPI" detach "$TB_DUT_IF" >/dev/null 2>&1
fi
t_eq "--direction out without --passive: refused (exit 2)" \
	"$("$XDPI" live --direction out lo >/dev/null 2>&1; echo $?)" 2

# --- 4. steering behind a mirror port
ip netns exec "$TB_DUT" ip link add xdpi-m type veth peer name xdpi-c
ip netns exec "$TB_DUT" ip link set xdpi-m up
ip netns exec "$TB_DUT" ip link set xdpi-c up
# (section 3 left its clsact qdisc: the kernel's, not xdpi's, to remove)
ip netns exec "$TB_DUT" tc qdisc replace dev "$TB_DUT_IF" clsact
for dir in ingress egress; do
	ip netns exec "$TB_DUT" tc filter add dev "$TB_DUT_IF" $dir protocol all \
		u32 match u32 0 0 action mirred egress mirror dev xdpi-m
done
# The oracle records the mirror's sending end: steered frames never reach
# the capture end's stack, so tcpdump there would see none.
tcpdump_start mirror xdpi-m
XDPI_TEST_SLOW_QUEUE=0:3000 ip netns exec "$TB_DUT" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	exec "$@"' sh "$XDPI" live --interval 0 --json --json-lines "$T_TMP/mirror.jsonl" \
	-w "$T_TMP/mirror.pcapng" xdpi-c >"$T_TMP/mirror.out" 2>"$T_TMP/mirror.err" &
MIRROR_PID=$!
PIDS+=($MIRROR_PID)
for _ in $(seq 300); do
	grep -q "ready:" "$T_TMP/mirror.err" && break
	sleep 0.1
done
clients "$T_TMP/clients4"
# A paced stream too, for the per-frame times. The generator sends from
# AF_XDP: veth takes such frames only into a peer with NAPI on (GRO here,
# as xdpi's own XDP program gives it when it runs there).
ip netns exec "$TB_DUT" ethtool -K "$TB_DUT_IF" gro on >/dev/null
testbed_gen "$XDPI" gen --count 20000 --rate 100000 --dst-ip "$TB_DUT_IP" \
	--dst-mac "$TB_DUT_MAC" "$TB_GEN_IF" >/dev/null 2>"$T_TMP/gen.err"
sleep 0.5
kill -INT "$MIRROR_PID"
wait "$MIRROR_PID"
t_eq "mirror port: exit 0" "$?" 0
tcpdump_stop
want=$(wc -l <"$T_TMP/clients4")
t_eq "mirror port: per-frame times from the XDP program" \
	"$(json "$T_TMP/mirror.out" '(d["frame_times"], d["connections"]["established"] >= '"$want"')')" \
	"(True, True)"
t_eq "mirror port: rtt_us within 100 us of tcpdump's on the same port" \
	"$(initial_rtts "$T_TMP/mirror.pcap" >"$T_TMP/rtt4" &&
		python3 tests/rttcheck.py rtt "$T_TMP/rtt4" "$T_TMP/mirror.jsonl" $HTTP,$TLS 100)" \
	"OK $want"
t_eq "mirror port: each flow's start and end within 100 us of its first and last frame" \
	"$(frame_times "$T_TMP/mirror.pcap" >"$T_TMP/frames4" &&
		python3 tests/rttcheck.py span "$T_TMP/frames4" "$T_TMP/mirror.jsonl" $HTTP,$TLS 100)" \
	"OK $want"
t_eq "mirror port: pcapng times strictly increasing within each queue" \
	"$(tshark -r "$T_TMP/mirror.pcapng" -T fields -e frame.interface_id -e frame.time_epoch \
		2>/dev/null | python3 -c '
import sys
from decimal import Decimal
last, n, bad = {}, 0, 0
for line in sys.stdin:
    q, t = line.split()
    t = Decimal(t)
    n += 1
    if q in last and t <= last[q]:
        bad += 1
    last[q] = t
print("frames", n >= 1000, "not increasing", bad)')" "frames True not increasing 0"
t_done
