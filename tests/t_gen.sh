#!/bin/bash
# The generator: frame contents of its pcap sample (against tshark and
# `xdpi read`), live metrics of what it really sent (against `xdpi read` of
# the sample), both send methods, and --check-seq finding a planted loss.
# `--stamp pktgen`: the sample's and the sent frames' pktgen headers against
# tshark's pktgen dissector, field by field, payload byte for byte; its
# traffic checked by --check-seq; a pcap of pktgen frames with planted gaps,
# duplicates, a reordered and a late frame and a sequence wrapping past
# 2^32 (tests/tool_pgframes) replayed into --check-seq: exact counts.
# `--payload http|tls`: the requests and ClientHellos tshark and the peeks
# read in every SYN of a flood.
# Needs root (namespaces, BPF_PROG_RUN, XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
PGFRAMES=$BUILD/tests/tool_pgframes
t_require_built "$XDPI" "$PGFRAMES"

t_require_root "generator tests"
TB_ID=g$$
WATCHDOGS=()
trap 'for w in "${WATCHDOGS[@]}"; do pkill -P "$w"; kill "$w"; done 2>/dev/null; live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT

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
	"$(json "$T_TMP/tcp.json" '(d["tcp_directions"], d["l4"]["tcp"], d["tcp_payload_bytes"], d["malformed"]["total"])')" \
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

# --stamp pktgen: the UDP payload is struct pktgen_hdr as the kernel writes
# it (magic, sequence from 1 per flow, seconds, microseconds; zeros after),
# read by tshark's pktgen dissector (the heuristic pktgen_udp, enabled by name).
# The sample's times are 0. imix: the header in every size.
pg_fields() { # PCAP: one CSV line per frame
	tshark -r "$1" --enable-heuristic pktgen_udp -T fields -E separator=, -e frame.len \
		-e udp.srcport -e udp.dstport -e udp.length -e pktgen.magic -e pktgen.seqnum \
		-e pktgen.tvsec -e pktgen.tvusec -e udp.payload 2>/dev/null
}
# pg_check FILE FLOWS COUNT T0 T1: every frame's header: magic, per-flow
# sequence from 1 in send order, time within [T0, T1] (0.0 if both are 0)
# and not going back within a flow, payload = header + zeros.
pg_check() {
	python3 - "$@" <<'EOF'
import sys
path, flows, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t0, t1 = float(sys.argv[4]), float(sys.argv[5])
rows = [l.strip().split(",") for l in open(path) if l.strip()]
bad, last, nseq = [], {}, {}
if len(rows) != count:
    bad.append(f"{len(rows)} frames, want {count}")
for n, r in enumerate(rows):
    flen, sport, dport, ulen, magic, seq, sec, usec, payload = r
    sport, seq, sec, usec = int(sport), int(seq), int(sec), int(usec)
    nseq[sport] = nseq.get(sport, 0) + 1
    want_payload = "%08x%08x%08x%08x" % (0xbe9be955, seq, sec, usec)
    want_payload += "00" * (int(ulen) - 8 - 16)
    t = sec + usec / 1e6
    if (magic, dport) != ("0xbe9be955", "5201") or not 10000 <= sport < 10000 + flows:
        bad.append(f"frame {n}: {r[:8]}")
    elif seq != nseq[sport]:
        bad.append(f"frame {n}: flow {sport} number {seq}, want {nseq[sport]}")
    elif payload != want_payload:
        bad.append(f"frame {n}: payload {payload[:48]}... is not the header then zeros")
    elif usec >= 1000000 or (t0 == t1 == 0 and (sec, usec) != (0, 0)):
        bad.append(f"frame {n}: time {sec}.{usec:06d}")
    elif t0 != t1 and not t0 - 1e-6 <= t <= t1:
        bad.append(f"frame {n}: time {t:.6f} outside the run [{t0:.6f}, {t1:.6f}]")
    elif t < last.get(sport, 0):
        bad.append(f"frame {n}: time {t:.6f} before the flow's previous frame")
    last[sport] = t
print("; ".join(bad[:3]) or "OK")
EOF
}
"$XDPI" gen --stamp pktgen --count 600 --flows 3 --pcap "$T_TMP/pg.pcap" xdpi-none >/dev/null 2>&1
pg_fields "$T_TMP/pg.pcap" >"$T_TMP/pg.fields"
t_eq "--stamp pktgen sample: tshark's pktgen fields, payload byte for byte (600 frames, 3 flows)" \
	"$(pg_check "$T_TMP/pg.fields" 3 600 0 0)" "OK"
t_eq "--stamp pktgen sample: UDP/IPv4, 64 bytes on the wire, UDP length 26" \
	"$(cut -d, -f1,4 "$T_TMP/pg.fields" | sort -u)" "60,26"
"$XDPI" gen --stamp pktgen --size imix --count 3072 --pcap "$T_TMP/pg_imix.pcap" xdpi-none \
	>/dev/null 2>&1
pg_fields "$T_TMP/pg_imix.pcap" >"$T_TMP/pg_imix.fields"
t_eq "--stamp pktgen imix sample: the header and zeros in every size" \
	"$(pg_check "$T_TMP/pg_imix.fields" 1 3072 0 0) $(cut -d, -f1 "$T_TMP/pg_imix.fields" | sort -un | tr '\n' ' ')" \
	"OK 60 590 1514 "

# spoof_check PCAP FRAMES: frames, distinct sources, sources outside
# 198.18.0.1..198.18.3.232 (1000 from the default --src-ip), and IPv4
# header checksums tshark finds bad, as one line.
spoof_check() {
	tshark -r "$1" -o ip.check_checksum:TRUE -T fields -e ip.src -e ip.checksum.status \
		2>/dev/null | python3 -c '
import ipaddress, sys
rows = [l.split() for l in sys.stdin if l.strip()]
lo, hi = int(ipaddress.ip_address("198.18.0.1")), int(ipaddress.ip_address("198.18.3.232"))
src = [int(ipaddress.ip_address(r[0])) for r in rows]
print(len(rows), len(set(src)), sum(not lo <= a <= hi for a in src), sum(r[1] != "1" for r in rows))'
}
"$XDPI" gen --src-ips 1000 --count 5000 --flows 4 --pcap "$T_TMP/spoof.pcap" xdpi-none >/dev/null 2>&1
t_eq "--src-ips 1000 sample: 5000 frames from 1000 sources in range, every IPv4 checksum good" \
	"$(spoof_check "$T_TMP/spoof.pcap")" "5000 1000 0 0"
t_eq "--src-ips: 0 and 131073 are refused (exit 2)" \
	"$("$XDPI" gen --src-ips 0 -c 1 xdpi-none >/dev/null 2>&1; echo $?)/$("$XDPI" gen --src-ips 131073 -c 1 xdpi-none >/dev/null 2>&1; echo $?)" "2/2"

# --payload: every SYN carries a request or a ClientHello (tshark reads it
# as such, told that port 5201 carries it: its heuristics miss a frame on
# some source ports), in the smallest frame that holds it; xdpi read keeps
# a peek for every flow of a flood of them.
for p in http tls; do
	"$XDPI" gen --preset syn-flood --payload "$p" --count 300 --pcap "$T_TMP/$p.pcap" \
		xdpi-none >/dev/null 2>&1
done
t_eq "--payload http: tshark reads a GET with its Host in each of 300 SYNs" \
	"$(tshark -r "$T_TMP/http.pcap" -d tcp.port==5201,http -Y 'tcp.flags.syn == 1 && http.request.method == "GET" && http.host == "gen.xdpi.test"' 2>/dev/null | wc -l)" 300
t_eq "--payload tls: tshark reads a ClientHello with SNI, ALPN and versions in each" \
	"$(tshark -r "$T_TMP/tls.pcap" -d tcp.port==5201,tls -Y 'tls.handshake.type == 1 && tls.handshake.extensions_server_name == "gen.xdpi.test" && tls.handshake.extensions_alpn_str == "h2" && tls.handshake.extensions.supported_version == 0x0304' 2>/dev/null | wc -l)" 300
"$XDPI" read --json "$T_TMP/http.pcap" >"$T_TMP/http.json"
"$XDPI" read --json "$T_TMP/tls.pcap" >"$T_TMP/tls.json"
t_eq "--payload: xdpi read keeps each flow's peek (300 GET, 300 ClientHellos)" \
	"$(json "$T_TMP/http.json" 'd["connections"]["http_methods"]')/$(json "$T_TMP/tls.json" '(d["connections"]["flows"], d["connections"]["tls_client_hellos"], d["connections"]["top_tls_sni"][0]["sni"])')" \
	"{'GET': 300}/(300, 300, 'gen.xdpi.test')"
t_eq "--payload: the smallest frames that hold it (127 and 163 bytes on the wire)" \
	"$(json "$T_TMP/http.json" 'd["bytes"] // d["packets"] + 4')/$(json "$T_TMP/tls.json" 'd["bytes"] // d["packets"] + 4')" "127/163"
t_eq "--payload: refused with --proto udp, in smaller frames, or imix (exit 2)" \
	"$("$XDPI" gen --payload http --proto udp -c 1 xdpi-none >/dev/null 2>&1; echo $?)/$("$XDPI" gen --payload tls --size 162 -c 1 xdpi-none >/dev/null 2>&1; echo $?)/$("$XDPI" gen --payload http --size imix -c 1 xdpi-none >/dev/null 2>&1; echo $?)" \
	"2/2/2"

# --- 2. what it sends arrives as the sample says, both methods
live_testbed_up

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

# Live frames where the kernel runs them (tests/tool_liveframes), else
# their refusal, said, and the automatic method's fall back to the loop.
# The loop and AF_XDP run on every kernel.
methods=(loop xsk)
if gen_live_frames; then
	methods=(live loop xsk)
	t_skip "gen --method live where the kernel refuses live frames: exit 1, said" \
		"the kernel runs live frames"
	t_skip "gen (method auto) where the kernel refuses live frames: exit 0, falls back to the loop, said" \
		"the kernel runs live frames"
else
	t_skip "gen --method live: sent 1000 frames" "no live frames: $GEN_LIVE_FRAMES"
	t_skip "gen --method live: live metrics equal xdpi read of the sample" \
		"no live frames: $GEN_LIVE_FRAMES"
	testbed_gen "$XDPI" gen --method live --count 10 "$TB_GEN_IF" >"$T_TMP/nolive.out" \
		2>"$T_TMP/nolive.err"
	t_eq "gen --method live where the kernel refuses live frames: exit 1, said" \
		"$?/$(grep -c "live frames (BPF_PROG_RUN, Linux 5.18+) failed on $TB_GEN_IF: ${GEN_LIVE_FRAMES#refused: }" "$T_TMP/nolive.err")" \
		"1/1"
	testbed_gen "$XDPI" gen --count 10 "$TB_GEN_IF" >"$T_TMP/autolive.out" 2>"$T_TMP/autolive.err"
	t_eq "gen (method auto) where the kernel refuses live frames: exit 0, falls back to the loop, said" \
		"$?/$(grep -c "live frames unavailable on $TB_GEN_IF (${GEN_LIVE_FRAMES#refused: })" "$T_TMP/autolive.err")/$(grep -c "sending from a loop of XDP frames" "$T_TMP/autolive.err")/$(grep -c "^sent 10 frames .*(loop" "$T_TMP/autolive.out")" \
		"0/1/1/1"
fi
# A stream the loop cannot send (two sender threads; imix) goes through
# AF_XDP instead, said; asked for explicitly, it is refused.
testbed_gen "$XDPI" gen --method loop --count 10 --cpus 0,1 --flows 2 "$TB_GEN_IF" \
	>"$T_TMP/loop2.out" 2>"$T_TMP/loop2.err"
t_eq "gen --method loop with two sender CPUs: exit 1, said" \
	"$?/$(grep -c "the loop sends from one CPU" "$T_TMP/loop2.err")" "1/1"
testbed_gen "$XDPI" gen --method loop --count 10 --size imix "$TB_GEN_IF" \
	>"$T_TMP/loopimix.out" 2>"$T_TMP/loopimix.err"
t_eq "gen --method loop with imix: exit 1, said" \
	"$?/$(grep -c "the loop sends frames of one size" "$T_TMP/loopimix.err")" "1/1"
if ! gen_live_frames; then
	testbed_gen "$XDPI" gen --count 10 --size imix "$TB_GEN_IF" \
		>"$T_TMP/auto2.out" 2>"$T_TMP/auto2.err"
	t_eq "gen (auto, no live frames) with imix: AF_XDP, said" \
		"$?/$(grep -c "the loop sends frames of one size (no imix): falling back to AF_XDP TX" "$T_TMP/auto2.err")/$(grep -c "^sent 10 frames .*(af_xdp" "$T_TMP/auto2.out")" \
		"0/1/1"
else
	t_skip "gen (auto, no live frames) with imix: AF_XDP, said" \
		"the kernel runs live frames"
fi
# A loop whose seeds never come back (the test hook sends them with another
# source MAC, which the program lets pass): the run ends, said, instead of
# seeding for ever.
testbed_gen timeout 15 env XDPI_TEST_LOOP_FOREIGN_SEEDS=1 "$XDPI" gen --method loop --cpus 0 --count 10 \
	"$TB_GEN_IF" >"$T_TMP/loopdead.out" 2>"$T_TMP/loopdead.err"
t_eq "the loop, its seeds never coming back: exit 1, said" \
	"$?/$(grep -c "the loop on xdpi-l[0-9]*a does not go round: no frame came back after 20 seedings 50 ms apart" "$T_TMP/loopdead.err")" \
	"1/1"
t_eq "the loop's veth pairs are gone after every run" \
	"$(ip -n "$TB_GEN" -o link show | grep -c 'xdpi-l[0-9]')" 0
for method in "${methods[@]}"; do
	live_run "m_$method" -- --method "$method" --count 1000 --flows 4 --proto tcp-data \
		--size 128 --rate 20000
	t_check "gen --method $method: sent 1000 frames" grep -q "^sent 1000 frames" "$T_TMP/m_$method.gen"
	got=$(json "$T_TMP/m_$method.json" '(d["packets"], d["tcp_directions"], d["tcp_payload_bytes"], d["size_histogram"]["65-127"], d["ledger"]["unexplained"])')
	t_eq "gen --method $method: live metrics equal xdpi read of the sample" "$got" \
		"$(json "$T_TMP/tcp.json" '(d["packets"], d["tcp_directions"], d["tcp_payload_bytes"], d["size_histogram"]["65-127"], 0)')"
done

# --- 2b. the loop is bounded in the kernel, not by the process that
# started it. dut_xdp_frames: the frames XDP saw on the DUT end (veth's own
# counter; the tests' XDP_PASS program is there, so veth takes XDP frames).
dut_xdp_frames() {
	ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" 2>/dev/null |
		awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}'
}
# dut_still: 0 once two reads 0.3 s apart agree, within 10 s.
dut_still() {
	local prev=-1 now
	for _ in $(seq 33); do
		now=$(dut_xdp_frames)
		[ "$now" = "$prev" ] && return 0
		prev=$now
		sleep 0.3
	done
	return 1
}
ip -n "$TB_DUT" link set dev "$TB_DUT_IF" xdpdrv obj "$BUILD/tests/xdp_pass.bpf.o" sec xdp
# Stopped by SIGSTOP 0.5 s into a 1.5 s run: the program itself goes on
# sending, and stops at the deadline; the DUT's counter goes still at no
# more than the whole run's 150,000 frames (the rate is 100,000 a second).
base=$(dut_xdp_frames)
ip netns exec "$TB_GEN" "$XDPI" gen --method loop --cpus 0 --duration 1.5 --rate 100000 \
	"$TB_GEN_IF" >"$T_TMP/loopstop.out" 2>&1 &
gpid=$!
sleep 0.5
kill -STOP $gpid
stopped=$(dut_xdp_frames)
sleep 1.5
dut_still
still=$?
total=$(($(dut_xdp_frames) - base))
t_eq "the loop, its process stopped: frames sent on, until the program's deadline only" \
	"$still/$(($(dut_xdp_frames) - stopped > 0))/$((total <= 150001))" "0/1/1"
kill -CONT $gpid
wait $gpid
t_eq "the loop, its process resumed after the deadline: exit 0, pair gone" \
	"$?/$(ip -n "$TB_GEN" -o link show | grep -c 'xdpi-l[0-9]')" "0/0"
# Killed (SIGKILL) in the middle of a 30 s run: the kernel takes its BPF
# link, and with it the program, away with the process; the frames stop.
# The pair stays behind, empty, under the name the generator documents.
ip netns exec "$TB_GEN" "$XDPI" gen --method loop --cpus 0 --duration 30 --rate 100000 \
	"$TB_GEN_IF" >"$T_TMP/loopkill.out" 2>&1 &
gpid=$!
for _ in $(seq 50); do
	ip -n "$TB_GEN" -d link show "xdpi-l${gpid}a" 2>/dev/null | grep -q "prog/xdp" && break
	sleep 0.1
done
kill -9 $gpid
wait $gpid 2>/dev/null
dut_still
t_eq "the loop, its process killed: the frames stop, no program left on its pair" \
	"$?/$(ip -n "$TB_GEN" -d link show "xdpi-l${gpid}a" 2>/dev/null | grep -c "prog/xdp")/$(ip -n "$TB_GEN" -o link show "xdpi-l${gpid}a" 2>/dev/null | wc -l)" \
	"0/0/1"
ip -n "$TB_GEN" link del "xdpi-l${gpid}a" 2>/dev/null
ip -n "$TB_DUT" link set dev "$TB_DUT_IF" xdp off

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
	"$XDPI" live --takeover --json --interval 0 --proto udp --check-seq "$TB_DUT_IF" \
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

# --- 3b. pktgen headers as sent: captured on the DUT (GRO on, so that veth
# takes the live frames into its stack), each field as tshark reads it,
# the send time within the run's wall-clock time.
ip netns exec "$TB_DUT" ethtool -K "$TB_DUT_IF" gro on >/dev/null 2>&1
# dut_capture NAME COUNT GEN_ARGS...: tcpdump on the DUT takes COUNT UDP
# frames into $T_TMP/NAME.pcap while `xdpi gen GEN_ARGS` sends; T0 and T1
# are the wall-clock times around the send.
dut_capture() {
	local name=$1 count=$2 tpid
	shift 2
	ip netns exec "$TB_DUT" tcpdump -i "$TB_DUT_IF" -w "$T_TMP/$name.pcap" -c "$count" \
		-U udp >/dev/null 2>"$T_TMP/$name.tcpdump" &
	tpid=$!
	for _ in $(seq 50); do
		grep -q "listening on" "$T_TMP/$name.tcpdump" && break
		sleep 0.1
	done
	T0=$(date +%s.%N)
	testbed_gen "$XDPI" gen --cpus 0 "$@" "$TB_GEN_IF" >/dev/null 2>&1
	T1=$(date +%s.%N)
	for _ in $(seq 50); do
		kill -0 $tpid 2>/dev/null || break
		sleep 0.1
	done
	kill $tpid 2>/dev/null
	wait $tpid
}
if ! gen_live_frames; then
	t_skip "--stamp pktgen --method live: the 300 frames sent, tshark's fields, times in the run" \
		"no live frames: $GEN_LIVE_FRAMES"
	t_skip "--src-ips 1000 --method live: 3000 frames from 1000 sources, checksums good" \
		"no live frames: $GEN_LIVE_FRAMES"
fi
for method in "${methods[@]}"; do
	dut_capture "pg_$method" 300 --method "$method" --stamp pktgen --count 300 --flows 3 \
		--rate 10000
	pg_fields "$T_TMP/pg_$method.pcap" >"$T_TMP/pg_$method.fields"
	t_eq "--stamp pktgen --method $method: the 300 frames sent, tshark's fields, times in the run" \
		"$(pg_check "$T_TMP/pg_$method.fields" 3 300 "$T0" "$T1")" "OK"
	# The same frames from spoofed sources, as the program (live) and the
	# AF_XDP path (xsk) rewrite them.
	dut_capture "spoof_$method" 3000 --method "$method" --proto udp --src-ips 1000 \
		--count 3000 --flows 3 --rate 20000
	t_eq "--src-ips 1000 --method $method: 3000 frames from 1000 sources, checksums good" \
		"$(spoof_check "$T_TMP/spoof_$method.pcap")" "3000 1000 0 0"
done
ip netns exec "$TB_DUT" ethtool -K "$TB_DUT_IF" gro off >/dev/null 2>&1

# --- 3c. --check-seq on `xdpi gen --stamp pktgen`: as with xdpi's stamp,
# every frame sent is seen or lost where the kernel counted it; pktgen
# flows (4-tuples), nothing duplicated or reordered; on veth the sender is
# on this host, so the wall-clock latency is measured.
live_run pg_ok --check-seq --proto udp -- --json --stamp pktgen --count 20000 --flows 8 \
	--rate 50000
refused=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).read())['iface_xdp_xmit_errors'])" "$T_TMP/pg_ok.gen")
t_eq "--check-seq, pktgen stamps: 8 flows; seen + kernel-counted losses = 20000; gaps within them; no dup/reorder" \
	"$(json "$T_TMP/pg_ok.json" '(lambda k, p: (p["flows"], p["stamped"] + k, p["lost"] <= k, p["duplicated"], p["reordered"], p["untracked"], d["seq_check"]["stamps"]["xdpi"]["stamped"]))('"$refused"' + sum(q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] for q in d["ledger"]["queues"]), d["seq_check"]["stamps"]["pktgen"])')" \
	"(8, 20000, True, 0, 0, 0, 0)"
t_eq "--check-seq, pktgen stamps: clock local (veth), latency measured (0 < p50 <= p99 <= max < 4 s)" \
	"$(json "$T_TMP/pg_ok.json" '(lambda s, p, l: (s["clock"], s["latency_measured"], p["negative_latency"], 0 < l["p50"] <= l["p99"] <= l["max"] < 4e9) if (0 < l["p50"] <= l["p99"] <= l["max"] < 4e9) else (s["clock"], s["latency_measured"], p["negative_latency"], l))(d["seq_check"], d["seq_check"]["stamps"]["pktgen"], d["seq_check"]["stamps"]["pktgen"]["latency_ns"])')" \
	"('local', True, 0, True)"

# --- 3d. pktgen frames with known faults, replayed: exact counts.
#   flow 10000: 1-100, 103-200 (101, 102 lost), 150 again (a duplicate)
#   flow 10001: 1-50, 52, 51 (reordered), 53-100
#   flow 10002: 2^32-96 .. 2^32-1, 0-99 (the wrap), then 2^32-46: 145
#               behind, late
"$PGFRAMES" "$T_TMP/pg_faults.pcap" 10000:1-100 10000:103-200 10000:150 \
	10001:1-50 10001:52 10001:51 10001:53-100 \
	10002:4294967200-99 10002:4294967250
# pg_replay NAME LIVE-ARGS...: the faults pcap into `xdpi live LIVE-ARGS`.
pg_replay() {
	local name=$1
	shift
	live_start "$name" --interval 0 --proto udp --check-seq "$@" ||
		t_fail "$name: receiver ready" "$(cat "$T_TMP/$name.err")"
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 2000 "$T_TMP/pg_faults.pcap" >/dev/null 2>&1
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
}
pg_replay pg_faults --json
t_eq "--check-seq on replayed pktgen frames: flows, stamped, lost, duplicated, reordered, late" \
	"$(json "$T_TMP/pg_faults.out" '(lambda p: (p["flows"], p["stamped"], p["lost"], p["duplicated"], p["reordered"], p["late"]))(d["seq_check"]["stamps"]["pktgen"])')" \
	"(3, 496, 2, 1, 1, 1)"
t_eq "...the same totals; send times 0.0 not timed; no socket drop" \
	"$(json "$T_TMP/pg_faults.out" '(d["seq_check"]["stamped"], d["seq_check"]["lost"], d["seq_check"]["stamps"]["pktgen"]["untimed"], d["seq_check"]["latency_measured"], sum(q["socket"]["rx_dropped"] for q in d["ledger"]["queues"]))')" \
	"(496, 2, 496, False, 0)"
# The text summary, with the sender said to be on another host.
pg_replay pg_text --sender-clock unsynced
if grep -q "^Sequence check: 496 stamped frames in 3 flows: lost 2, duplicated 1, reordered 1, late 1 " "$T_TMP/pg_text.out" &&
	grep -q "^one-way latency: not measured: the senders' clocks are not known" "$T_TMP/pg_text.out"; then
	t_ok "--check-seq text summary: the pktgen counts, and why there is no latency"
else
	t_fail "--check-seq text summary: the pktgen counts, and why there is no latency" \
		"$(grep -A4 "^Sequence" "$T_TMP/pg_text.out")"
fi

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
expect "gen: bad stamp refused" 2 "$XDPI" gen --count 1 --stamp trafgen xdpi-none
expect "gen: --stamp pktgen over TCP refused" 2 "$XDPI" gen --count 1 --stamp pktgen --proto tcp-syn xdpi-none
expect "gen: unknown interface" 1 "$XDPI" gen --count 1 xdpi-none
expect "gen --help" 0 "$XDPI" gen --help

t_done
