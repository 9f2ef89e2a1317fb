#!/bin/bash
# Jumbo frames on the sending side: `bench/testbed.sh up --mtu 9000` sets
# both veth ends and `down` removes them; `xdpi gen --size` up to 9018 is
# checked against the interface's MTU (the error names it); frames up to
# 3412 bytes go as live frames, larger ones through AF_XDP multi-buffer TX
# (`--method live` refuses them, naming the limit); what the peer receives
# is counted exactly by its own interface counters (packets and bytes, no
# FCS) and, for 9018 bytes, captured whole by tcpdump; imix-jumbo's sample
# has exactly 7:4:1:1 of 64/594/1518/9018 bytes (tshark) and the peer
# receives exactly its frames and bytes; `xdpi bench --size 9018` without
# --mtu is a usage error. Counts only: nothing depends on the host's speed.
# Needs root (namespaces, BPF_PROG_RUN, XDP, AF_XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
t_require_built "$XDPI"
t_require_root "jumbo generator tests"
TB_ID=j$$
trap 'testbed_down; rm -rf "$T_TMP"' EXIT

# --- 1. the testbed script: --mtu on both ends, down removes everything
id=jc$$
out=$(bash bench/testbed.sh up --mtu 9000 -n "$id" 2>&1)
t_eq "testbed.sh up --mtu 9000: TB_MTU printed" "$(grep '^TB_MTU=' <<<"$out")" "TB_MTU=9000"
t_eq "testbed.sh up --mtu 9000: both veth ends at MTU 9000" \
	"$(ip netns exec "xdpi-gen-$id" cat /sys/class/net/xdpi-g/mtu 2>&1) $(ip netns exec "xdpi-dut-$id" cat /sys/class/net/xdpi-d/mtu 2>&1)" \
	"9000 9000"
bash bench/testbed.sh down -n "$id"
t_eq "testbed.sh down: both namespaces gone" \
	"$(ip netns list | grep -c -e "xdpi-gen-$id\b" -e "xdpi-dut-$id\b")" 0
bash bench/testbed.sh up --mtu 9001 -n "$id" >/dev/null 2>"$T_TMP/mtu_bad.err"
rc=$?
t_eq "testbed.sh up --mtu 9001: exit 2, the range named, nothing created" \
	"$rc $(grep -c "68..9000" "$T_TMP/mtu_bad.err") $(ip netns list | grep -c "xdpi-[a-z]*-$id\b")" "2 2 0"

# --- 2. the MTU check, on a testbed at the default 1500
live_testbed_up
testbed_gen "$XDPI" gen --count 10 --size 9018 "$TB_GEN_IF" >/dev/null 2>"$T_TMP/mtu.err"
rc=$?
t_eq "gen --size 9018 at MTU 1500: exit 1, the MTU and the MTU needed named" \
	"$rc $(grep -c "9018-byte frames do not fit the MTU of xdpi-g, 1500: they need an MTU of at least 9000" "$T_TMP/mtu.err")" \
	"1 1"
testbed_gen "$XDPI" gen --count 10 --size 1519 "$TB_GEN_IF" >/dev/null 2>"$T_TMP/mtu1519.err"
t_eq "gen --size 1519 at MTU 1500: exit 1 (needs 1501)" \
	"$? $(grep -c "at least 1501" "$T_TMP/mtu1519.err")" "1 1"
testbed_gen "$XDPI" gen --count 10 --size 1518 "$TB_GEN_IF" >/dev/null 2>&1
t_eq "gen --size 1518 at MTU 1500: sent" "$?" 0

# --- 3. usage errors: the live-frames limit, the size range, bench's MTU
expect() { # NAME CODE PATTERN CMD...: exit CODE, PATTERN on stderr
	local name=$1 code=$2 pat=$3 rc
	shift 3
	"$@" >/dev/null 2>"$T_TMP/expect.err"
	rc=$?
	if [ "$rc" = "$code" ] && grep -q -- "$pat" "$T_TMP/expect.err"; then
		t_ok "$name"
	else
		t_fail "$name" "exit $rc, stderr: $(head -3 "$T_TMP/expect.err")"
	fi
}
expect "gen --method live --size 9018: exit 2, the 3412-byte limit named" 2 \
	"live frames carry at most 3412 bytes" "$XDPI" gen --method live --count 1 --size 9018 xdpi-none
expect "gen --method live --size 3413: exit 2" 2 "at most 3412 bytes" \
	"$XDPI" gen --method live --count 1 --size 3413 xdpi-none
expect "gen --method live --size imix-jumbo: exit 2" 2 "imix-jumbo (9018-byte frames)" \
	"$XDPI" gen --method live --count 1 --size imix-jumbo xdpi-none
expect "gen --size 9019: exit 2, the range named" 2 "64..9018, imix or imix-jumbo" \
	"$XDPI" gen --count 1 --size 9019 xdpi-none
expect "bench --size 9018 without --mtu: exit 2, --mtu 9000 named" 2 "need --mtu 9000 or more" \
	"$XDPI" bench --size 9018 --quick
expect "bench --mtu 9001: exit 2, the range named" 2 "68..9000" "$XDPI" bench --mtu 9001 --quick

# --- 4. sizes on a 9000-byte MTU: every frame arrives whole. GRO on the
# DUT, so that veth takes live frames (XDP_TX into it) into its stack; the
# destination MAC is not the DUT's, so its stack drops them after counting.
live_testbed_up 9000
ip netns exec "$TB_DUT" ethtool -K "$TB_DUT_IF" gro on >/dev/null 2>&1
rx_counts() { # packets and bytes the DUT's veth received
	ip netns exec "$TB_DUT" cat "/sys/class/net/$TB_DUT_IF/statistics/rx_packets" \
		"/sys/class/net/$TB_DUT_IF/statistics/rx_bytes" | tr '\n' ' '
}
# sent_check NAME COUNT SIZE METHOD GEN-ARGS...: COUNT frames of SIZE bytes
# on the wire, sent with the method named METHOD: exactly COUNT frames and
# COUNT * (SIZE - 4) bytes (no FCS) arrive.
sent_check() {
	local name=$1 count=$2 size=$3 method=$4 before after
	shift 4
	before=$(rx_counts)
	testbed_gen "$XDPI" gen --cpus 0 --count "$count" --rate 20000 "$@" "$TB_GEN_IF" \
		>"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
	after=$(rx_counts)
	t_eq "$name: sent $count, method $method" \
		"$(grep -o "^sent [0-9]* frames" "$T_TMP/$name.out") $(grep -o "($method," "$T_TMP/$name.out")" \
		"sent $count frames ($method,"
	t_eq "$name: the peer received exactly $count frames, $((count * (size - 4))) bytes" \
		"$(python3 -c 'import sys; b, a = sys.argv[1].split(), sys.argv[2].split(); print(int(a[0]) - int(b[0]), int(a[1]) - int(b[1]))' "$before" "$after")" \
		"$count $((count * (size - 4)))"
}
# The automatic method sends through live frames where the kernel runs them
# (tests/tool_liveframes), else from its loop (frames of one size, at most
# 3412 bytes), and says so.
if gen_live_frames; then
	auto_method=live-frames
else
	auto_method=loop
fi
sent_check s1518 1000 1518 "$auto_method" --size 1518
sent_check s3412 1000 3412 "$auto_method" --size 3412
sent_check s4000 1000 4000 af_xdp --size 4000
t_check "gen --size 4000 (auto): says it takes AF_XDP multi-buffer TX" \
	grep -q "4000-byte frames are larger than live frames carry (3412): sending through AF_XDP multi-buffer TX" "$T_TMP/s4000.err"
sent_check s9018 1000 9018 af_xdp --size 9018
sent_check s9018_xsk 1000 9018 af_xdp --size 9018 --method xsk --proto udp
sent_check s1518_xsk 1000 1518 af_xdp --size 1518 --method xsk
if [ "$auto_method" = live-frames ]; then
	t_eq "gen at MTU 9000: the generator program attached (frags), no warning" \
		"$(cat "$T_TMP/s1518.err" "$T_TMP/s3412.err")" ""
else
	t_skip "gen at MTU 9000: the generator program attached (frags), no warning" \
		"no live frames: $GEN_LIVE_FRAMES"
fi

# 9018-byte frames captured whole on the DUT, each as the sample has it.
ip netns exec "$TB_DUT" tcpdump -i "$TB_DUT_IF" -w "$T_TMP/cap9018.pcap" -c 200 -U udp \
	>/dev/null 2>"$T_TMP/cap9018.tcpdump" &
tpid=$!
for _ in $(seq 50); do
	grep -q "listening on" "$T_TMP/cap9018.tcpdump" && break
	sleep 0.1
done
testbed_gen "$XDPI" gen --cpus 0 --count 200 --rate 10000 --size 9018 --proto udp --flows 2 \
	--pcap "$T_TMP/sample9018.pcap" "$TB_GEN_IF" >/dev/null 2>&1
for _ in $(seq 50); do
	kill -0 $tpid 2>/dev/null || break
	sleep 0.1
done
kill $tpid 2>/dev/null
wait $tpid
fields() { # PCAP: length, ports, UDP length, payload magic and sequence (not the send time)
	tshark -r "$1" -T fields -E separator=, -e frame.len -e udp.srcport -e udp.dstport \
		-e udp.length -e data.data 2>/dev/null | sed -E 's/^(([^,]*,){4}.{16}).*/\1/'
}
t_eq "tcpdump on the DUT: 200 frames of 9014 bytes" \
	"$(tshark -r "$T_TMP/cap9018.pcap" -T fields -e frame.len 2>/dev/null | sort | uniq -c | tr -s ' ')" \
	" 200 9014"
fields "$T_TMP/cap9018.pcap" >"$T_TMP/cap9018.fields"
fields "$T_TMP/sample9018.pcap" >"$T_TMP/sample9018.fields"
t_eq "...equal to the sample's frames, field by field (ports, UDP length, magic, sequence)" \
	"$(wc -l <"$T_TMP/cap9018.fields") $(diff "$T_TMP/cap9018.fields" "$T_TMP/sample9018.fields" | head -3)" \
	"200 "
t_check "...the payload past the first 4 KiB buffer is the template's (zeros), byte for byte" \
	python3 - "$T_TMP/cap9018.pcap" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, frames = 24, 0
while off < len(data):
    _, _, caplen, wire = struct.unpack_from("<IIII", data, off)
    frame = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    # Ethernet 14 + IPv4 20 + UDP 8 + stamp 12 bytes; the rest is zero.
    if caplen != 9014 or wire != 9014 or any(frame[14 + 20 + 8 + 12:]):
        sys.exit(1)
    frames += 1
sys.exit(frames != 200)
EOF

# --- 5. imix-jumbo: 7:4:1:1 of 64/594/1518/9018 bytes in runs of 256
# frames; one cycle is 13 runs, 3328 frames.
"$XDPI" gen --count 3328 --size imix-jumbo --pcap "$T_TMP/ij.pcap" xdpi-none >/dev/null 2>&1
t_eq "imix-jumbo sample: 1792 x 64, 1024 x 594, 256 x 1518, 256 x 9018 (tshark, no FCS)" \
	"$(tshark -r "$T_TMP/ij.pcap" -T fields -e frame.len 2>/dev/null | sort -n | uniq -c | tr -s ' ' | tr '\n' ';')" \
	" 1792 60; 1024 590; 256 1514; 256 9014;"
"$XDPI" read --json "$T_TMP/ij.pcap" >"$T_TMP/ij.json"
t_eq "imix-jumbo sample: xdpi read's histogram, 3406848 bytes, nothing malformed" \
	"$(json "$T_TMP/ij.json" '(d["size_histogram"]["64"], d["size_histogram"]["512-1023"], d["size_histogram"]["1024-1518"], d["size_histogram"]["1519+"], d["bytes"], d["malformed"]["total"])')" \
	"(1792, 1024, 256, 256, 3406848, 0)"
# ...and sent: the peer receives exactly the sample's frames and bytes.
before=$(rx_counts)
testbed_gen "$XDPI" gen --cpus 0 --count 3328 --rate 20000 --size imix-jumbo "$TB_GEN_IF" \
	>"$T_TMP/ij.out" 2>&1
after=$(rx_counts)
t_check "gen --size imix-jumbo: sent 3328 frames through AF_XDP" \
	grep -q "^sent 3328 frames .*(af_xdp, .*imix-jumbo" "$T_TMP/ij.out"
t_eq "gen --size imix-jumbo: the peer received exactly 3328 frames, 3406848 bytes" \
	"$(python3 -c 'import sys; b, a = sys.argv[1].split(), sys.argv[2].split(); print(int(a[0]) - int(b[0]), int(a[1]) - int(b[1]))' "$before" "$after")" \
	"3328 3406848"

# --- 6. `xdpi bench --mtu 9000 --size 9018`: its own testbed at that MTU,
# the generator's jumbo frames into the AF_PACKET receiver at 10 kpps (a
# load no receiver loses frames at), every frame
# received; the testbed removed. (xdpi live's receivers need XDP
# multi-buffer support to attach at this MTU.)
testbed_down
# Started directly (not under timeout), so that $! is bench itself, whose
# pid names its namespaces; a watchdog kills it if it hangs.
"$XDPI" bench --mtu 9000 --size 9018 --receivers af_packet --rate 10000 -d 1 --json \
	>"$T_TMP/bench.json" 2>"$T_TMP/bench.err" &
bpid=$!
(sleep 120 && kill -HUP "$bpid" 2>/dev/null) &
wdog=$!
disown $wdog
wait $bpid
rc=$?
t_eq "bench --mtu 9000 --size 9018 --rate 10000 (af_packet): exit 0, mtu 9000, one trial, received = sent > 0" \
	"$rc $(json "$T_TMP/bench.json" '(d["mtu"], [(t["receiver"], t["received"] == t["sent"] > 0) for t in d["trials"]])' 2>&1)" \
	"0 (9000, [('af_packet', True)])"
t_check "bench: its heading names the MTU" grep -q "^MTU 9000 on both veth ends" "$T_TMP/bench.err"
t_eq "bench: its testbed removed" "$(ip netns list | grep -c "xdpi-[a-z]*-b$bpid\b")" 0
kill "$wdog" 2>/dev/null
t_done
