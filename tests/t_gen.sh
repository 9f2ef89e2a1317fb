#!/bin/bash
# The generator: frame contents of its pcap sample (against tshark and
# `xdpi read`), live metrics of what it really sent (against `xdpi read` of
# the sample), both send methods, and --check-seq finding a planted loss.
# Needs root (namespaces, BPF_PROG_RUN, XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
t_tmpdir
XDPI=$(realpath "$XDPI")

t_require_root "generator tests"
TB_ID=g$$
WATCHDOGS=()
trap 'for w in "${WATCHDOGS[@]}"; do pkill -P "$w"; kill "$w"; done 2>/dev/null; testbed_down; rm -rf "$T_TMP"' EXIT

# --- 1. the sample's frames, field by field, as tshark reads them
"$XDPI" gen --count 1000 --flows 4 --proto tcp-data --size 128 --pcap "$T_TMP/tcp.pcap" \
	xdpi-none >/dev/null 2>&1
t_check "gen --pcap writes the sample before sending" test -s "$T_TMP/tcp.pcap"
tshark -r "$T_TMP/tcp.pcap" -T fields -E separator=, -e frame.len -e ip.src -e ip.dst \
	-e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.flags -e tcp.len \
	>"$T_TMP/tcp.fields" 2>/dev/null
bad=$(python3 - "$T_TMP/tcp.fields" <<'EOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
bad = []
if len(rows) != 1000:
    bad.append(f"{len(rows)} frames, want 1000")
for n, r in enumerate(rows):
    flen, src, dst, sport, dport, seq, flags, tlen = r
    want = ["124", "198.18.0.1", "198.18.0.2", str(10000 + n % 4), "5201", str(n // 4),
            "0x0018", "70"]
    if r != want:
        bad.append(f"frame {n}: {r} want {want}")
        break
print("; ".join(bad[:3]) or "OK")
EOF
)
t_eq "tshark: sizes, addresses, flow ports, per-flow sequence, flags of every frame" "$bad" "OK"
"$XDPI" read --json "$T_TMP/tcp.pcap" >"$T_TMP/tcp.json"
t_eq "xdpi read of the sample: 4 flows, 1000 TCP, payload 70 each" \
	"$(json "$T_TMP/tcp.json" '(d["tcp_flows"], d["l4"]["tcp"], d["tcp_payload_bytes"], d["malformed"]["total"])')" \
	"(4, 1000, 70000, 0)"

"$XDPI" gen --count 600 --flows 3 --proto udp --size 64 --pcap "$T_TMP/udp.pcap" \
	xdpi-none >/dev/null 2>&1
bad=$(tshark -r "$T_TMP/udp.pcap" -T fields -E separator=, -e frame.len -e udp.srcport \
	-e udp.dstport -e udp.length -e data.data 2>/dev/null | python3 -c '
import sys
bad = []
rows = 0
for n, l in enumerate(sys.stdin):
    rows += 1
    flen, sport, dport, ulen, data = l.strip().split(",")
    magic, seq = data[0:8], int(data[8:16], 16)
    if (flen, sport, dport, ulen, magic, seq) != ("60", str(10000 + n % 3), "5201", "26", "58445049", n // 3):
        bad.append(f"frame {n}: {l.strip()}")
if rows != 600:
    bad.append(f"{rows} rows from tshark, want 600")
print("; ".join(bad[:3]) or "OK")')
t_eq "tshark: UDP stamp (magic, sequence) in every payload" "$bad" "OK"

# imix changes size every 256 frames (one kernel call): one 7:4:1 cycle
# is 12 runs, 3072 frames.
"$XDPI" gen --count 3072 --size imix --pcap "$T_TMP/imix.pcap" xdpi-none >/dev/null 2>&1
"$XDPI" read --json "$T_TMP/imix.pcap" >"$T_TMP/imix.json"
t_eq "imix sample: 7:4:1 of 64/594/1518 bytes" \
	"$(json "$T_TMP/imix.json" '(d["size_histogram"]["64"], d["size_histogram"]["512-1023"], d["size_histogram"]["1024-1518"])')" \
	"(1792, 1024, 256)"

# --- 2. what it sends arrives as the sample says, both methods
testbed_up 1 "$TB_ID" || { t_fail "testbed up"; t_done; exit; }

# live_run NAME LIVE-ARGS... -- GEN-ARGS...: the receiver runs until the
# generator has returned, then gets SIGINT (no fixed window to race).
live_run() {
	local name=$1
	shift
	local live=() gen=()
	while [ "$1" != "--" ]; do live+=("$1"); shift; done
	shift
	gen=("$@")
	ip netns exec "$TB_DUT" sh -c \
		'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' sh \
		"$XDPI" live --takeover --json --interval 0 --cpus 1 "${live[@]}" "$TB_DUT_IF" \
		>"$T_TMP/$name.json" 2>"$T_TMP/$name.err" &
	local pid=$!
	(sleep 120 && kill -9 $pid 2>/dev/null) &
	WATCHDOGS+=($!)
	disown $!
	local ready=0
	for _ in $(seq 300); do
		grep -q "ready:" "$T_TMP/$name.err" 2>/dev/null && { ready=1; break; }
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	[ "$ready" = 1 ] || t_fail "$name: receiver ready" "$(cat "$T_TMP/$name.err")"
	testbed_gen "$XDPI" gen --cpus 0 "${gen[@]}" "$TB_GEN_IF" >"$T_TMP/$name.gen" 2>&1
	wait_quiet
	kill -INT $pid 2>/dev/null
	wait $pid
}

for method in live xsk; do
	live_run "m_$method" -- --method "$method" --count 1000 --flows 4 --proto tcp-data \
		--size 128 --rate 20000
	t_check "gen --method $method: sent 1000 frames" grep -q "^sent 1000 frames" "$T_TMP/m_$method.gen"
	got=$(json "$T_TMP/m_$method.json" '(d["packets"], d["tcp_flows"], d["tcp_payload_bytes"], d["size_histogram"]["65-127"], d["ledger"]["unexplained"])')
	t_eq "gen --method $method: live metrics equal xdpi read of the sample" "$got" \
		"$(json "$T_TMP/tcp.json" '(d["packets"], d["tcp_flows"], d["tcp_payload_bytes"], d["size_histogram"]["65-127"], 0)')"
done

# --- 3. --check-seq on paced traffic: every frame sent is either stamped
# and seen or lost where the kernel counted it (the veth ring refusing it,
# the socket dropping it); the gaps --check-seq finds are among those (a
# loss at the very end of a flow leaves no gap); nothing duplicated or
# reordered.
live_run seq_ok --check-seq -- --json --count 20000 --flows 8 --rate 50000
refused=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).read())['iface_xdp_xmit_errors'])" "$T_TMP/seq_ok.gen")
t_eq "--check-seq: 8 flows; seen + kernel-counted losses = 20000; gaps within them; no dup/reorder" \
	"$(json "$T_TMP/seq_ok.json" '(lambda k: (d["seq_check"]["flows"], d["seq_check"]["stamped"] + k, d["seq_check"]["lost"] <= k, d["seq_check"]["duplicated"], d["seq_check"]["reordered"]))('"$refused"' + sum(q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] for q in d["ledger"]["queues"]))')" \
	"(8, 20000, True, 0, 0)"
t_check "--check-seq: latency percentiles reported (p50 <= p99 <= max)" \
	python3 -c "import json,sys; l=json.load(open(sys.argv[1]))['seq_check']['latency_ns']; sys.exit(not (0 < l['p50'] <= l['p99'] <= l['max'] < 4e9))" "$T_TMP/seq_ok.json"

# ...and a planted loss is found exactly: frames 101-150 and 401 of the
# sample filtered out (editcap), the rest replayed in order.
"$XDPI" gen --count 600 --flows 3 --proto udp --pcap "$T_TMP/seq.pcap" xdpi-none >/dev/null 2>&1
editcap -r "$T_TMP/seq.pcap" "$T_TMP/seq_cut.pcap" 1-100 151-400 402-600
ip netns exec "$TB_DUT" sh -c \
	'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' sh \
	"$XDPI" live --takeover --json --interval 0 --filter udp --check-seq "$TB_DUT_IF" \
	>"$T_TMP/seq_cut.json" 2>"$T_TMP/seq_cut.err" &
pid=$!
ready=0
for _ in $(seq 300); do
	grep -q "ready:" "$T_TMP/seq_cut.err" 2>/dev/null && { ready=1; break; }
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
t_eq "--check-seq receiver ready before the replay" "$ready" 1
testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 2000 "$T_TMP/seq_cut.pcap" >/dev/null 2>&1
wait_quiet
kill -INT $pid
wait $pid
t_eq "--check-seq finds the 51 frames planted as lost" \
	"$(json "$T_TMP/seq_cut.json" '(d["seq_check"]["stamped"], d["seq_check"]["lost"], d["seq_check"]["reordered"])')" \
	"(549, 51, 0)"

# --- 4. usage errors
expect() { # NAME CODE CMD...
	local name=$1 code=$2
	shift 2
	"$@" >/dev/null 2>&1
	t_eq "$name" "$?" "$code"
}
expect "gen: unbounded traffic refused (no count or duration)" 2 "$XDPI" gen xdpi-none
expect "gen: size 63 refused" 2 "$XDPI" gen --count 1 --size 63 xdpi-none
expect "gen: bad proto refused" 2 "$XDPI" gen --count 1 --proto sctp xdpi-none
expect "gen: unknown interface" 1 "$XDPI" gen --count 1 xdpi-none
expect "gen --help" 0 "$XDPI" gen --help

t_done
