#!/bin/bash
# `xdpi compare RECORD --pcap SENT`, the offline check of a live run
# against the generator's sample, on the veth testbed, three ways:
#   complete  the sample holds every frame sent: every metric matches,
#             exit 0 (text and --json: "match", no difference);
#   partial   gen --count 3000 --pcap-max 1000: "partial sample: 1000 of
#             3000 frames", no metric listed as differing, exit 0 (the
#             ledger closes), --json "partial_sample" with the keys under
#             "not_compared" and "differences" empty;
#   loss      the receiver stopped (SIGSTOP) under 100 kpps, so its socket
#             drops frames: every difference explained by the ledger
#             ("explained_by_loss"; lost.socket = the ledger's drops, the
#             packets short by exactly the frames lost), exit 1.
# Offline too: a sample taken with GRO on (frames longer than the MTU)
# said as merged frames with the way out; a record's strings (escape sequences, C1 controls) are
# printed escaped; a record whose counters add up past 2^64 - 1 is refused
# (no total wraps). Needs root for the testbed part.
#   tests/t_compare.sh BUILD_DIR
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
. tests/lib_live.sh

# --- offline: a record's strings reach the terminal escaped
python3 - "$T_TMP/esc.json" <<'PY'
import json, sys
q = {"queue": 0, "socket_bound": True, "inspected": 0, "unexplained": 0, "iface": {},
     "xdp": {k: 0 for k in ("seen", "seen_bytes", "passed", "redirected", "redirected_bytes",
             "redirect_failed", "dropped", "stopping_passed", "copied", "copy_failed")},
     "socket": {k: 0 for k in ("rx_dropped", "rx_invalid_descs", "rx_ring_full",
                "rx_fill_ring_empty_descs")}}
json.dump({"interface": "x\x1b]0;t\x07\u009b", "filter": "tcp\r\nok", "duration_s": 1,
           "packets": 0, "ledger": {"queues": [q], "unexplained": 0}}, open(sys.argv[1], "w"))
PY
"$XDPI" compare "$T_TMP/esc.json" >"$T_TMP/esc.out" 2>&1
t_eq "record strings escaped: exit 0" "$?" 0
t_check "record strings escaped: \\xNN for ESC, BEL, C1, CR, LF" grep -qF \
	'interface x\x1b]0;t\x07\xc2\x9b, filter tcp\x0d\x0aok,' "$T_TMP/esc.out"
t_eq "record strings escaped: no control byte or byte past 0x7e on the terminal" \
	"$(LC_ALL=C tr -d '\n\040-\176' <"$T_TMP/esc.out" | wc -c)" 0

# --- offline: counters whose sums pass 2^64 - 1 (issue 25, defect 7b). Each
# queue closes on its own (redirected = inspected = 2^64 - 1, written as
# the decimal string docs/metrics.md gives for counters past 2^63 - 1);
# their totals would wrap to 2^64 - 2 and be believed. Refused instead,
# before anything is printed, in text and JSON; and with --pcap, whose
# verdict compares the total with the sample's frame count.
python3 - "$T_TMP/big.json" "$T_TMP/big_drop.json" <<'PY'
import json, sys
MAX = str(2**64 - 1)
def queue(n, **kw):
    q = {"queue": n, "socket_bound": True, "inspected": 0, "unexplained": 0, "iface": {},
         "xdp": {k: 0 for k in ("seen", "seen_bytes", "passed", "redirected", "redirected_bytes",
                 "redirect_failed", "dropped", "stopping_passed", "copied", "copy_failed")},
         "socket": {k: 0 for k in ("rx_dropped", "rx_invalid_descs", "rx_ring_full",
                    "rx_fill_ring_empty_descs")}}
    for k, v in kw.items():
        group, _, key = k.partition("__")
        if key:
            q[group][key] = v
        else:
            q[group] = v
    return q
def record(path, queues):
    json.dump({"interface": "xdpi-x", "filter": "tcp", "inspect": True, "duration_s": 1,
               "packets": 0, "ledger": {"queues": queues, "unexplained": 0}}, open(path, "w"))
record(sys.argv[1], [queue(0, xdp__redirected=MAX, inspected=MAX),
                     queue(1, xdp__redirected=MAX, inspected=MAX)])
# only the socket's drops pass it: rx_dropped of one, rx_ring_full of the other
record(sys.argv[2], [queue(0, xdp__redirected=MAX, socket__rx_dropped=MAX),
                     queue(1, xdp__redirected=1, socket__rx_ring_full=1)])
PY
for f in big big_drop; do
	for j in "" --json; do
		# shellcheck disable=SC2086 # no option or one
		"$XDPI" compare $j "$T_TMP/$f.json" >"$T_TMP/$f.out" 2>"$T_TMP/$f.err"
		rc=$?
		t_eq "sums past 2^64 - 1 ($f${j:+ $j}): exit 1, said, nothing printed, nothing wrapped" \
			"$rc $(grep -c "big.*json: the ledger's counters add up past 2^64 - 1" "$T_TMP/$f.err") $(wc -c <"$T_TMP/$f.out") $(grep -c 18446744073709551614 "$T_TMP/$f.out")" \
			"1 1 0 0"
	done
done
printf '' >"$T_TMP/empty.pcap"
"$XDPI" compare --pcap "$T_TMP/empty.pcap" "$T_TMP/big.json" >"$T_TMP/big.out" 2>"$T_TMP/big.err"
t_eq "sums past 2^64 - 1 with --pcap: exit 1, refused before the pcap is read" \
	"$? $(grep -c "add up past 2^64 - 1" "$T_TMP/big.err")" "1 1"

# --- offline: a sample taken with GRO on (issue 31): 30 segments of 1514
# bytes went over the wire, the pcap holds 10 frames of 4434 (three merged
# into each). Said as merged frames with the way out, not as a partial
# sample; exit 0 (the ledger closes, nothing compared). The same record
# against 10 wire-sized frames is still a partial sample.
python3 - "$T_TMP/gro.json" "$T_TMP/gro.pcap" "$T_TMP/short.pcap" <<'PY'
import json, struct, sys
q = {"queue": 0, "socket_bound": True, "inspected": 30, "unexplained": 0, "iface": {},
     "xdp": {k: 0 for k in ("seen", "seen_bytes", "passed", "redirected", "redirected_bytes",
             "redirect_failed", "dropped", "stopping_passed", "copied", "copy_failed")},
     "socket": {k: 0 for k in ("rx_dropped", "rx_invalid_descs", "rx_ring_full",
                "rx_fill_ring_empty_descs")}}
q["xdp"].update(seen=30, redirected=30, seen_bytes=30 * 1514, redirected_bytes=30 * 1514)
json.dump({"interface": "xdpi-x", "filter": "tcp", "inspect": True, "duration_s": 1,
           "packets": 30, "bytes": 30 * 1514, "nic": {"mtu": 1500, "max_frame": 1522},
           "ledger": {"queues": [q], "unexplained": 0}}, open(sys.argv[1], "w"))
def pcap(path, n, payload):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1 + i * payload, 1, 5 << 4, 0x18, 502, 0, 0)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + payload, i, 0x4000, 64, 6, 0,
                             bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
            fr = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp + bytes(payload)
            f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)
pcap(sys.argv[2], 10, 3 * 1460)
pcap(sys.argv[3], 10, 1460)
PY
"$XDPI" compare --pcap "$T_TMP/gro.pcap" "$T_TMP/gro.json" >"$T_TMP/gro.out" 2>&1
t_eq "GRO-merged sample: exit 0, merged frames said with ethtool -K gro off, not partial" \
	"$? $(grep -c '^merged frames: 10 of the pcap.s frames are longer than the run.s interface could receive (its MTU + 22 = 1522 bytes), up to 4434 bytes: .*GRO.*ethtool -K IFACE gro off' "$T_TMP/gro.out") $(grep -c 'partial sample' "$T_TMP/gro.out")" \
	"0 1 0"
"$XDPI" compare --json --pcap "$T_TMP/gro.pcap" "$T_TMP/gro.json" >"$T_TMP/gro.jout" 2>/dev/null
t_eq "GRO-merged sample --json: merged_frames, the count and the longest" \
	"$(json "$T_TMP/gro.jout" '(d["metrics"], d["merged_frames"], d["differences"])')" \
	"('merged_frames', {'frames': 10, 'longest': 4434, 'limit': 1522}, {})"
"$XDPI" compare --pcap "$T_TMP/short.pcap" "$T_TMP/gro.json" >"$T_TMP/short.out" 2>&1
t_eq "wire-sized frames, fewer than sent: still a partial sample" \
	"$(grep -c '^partial sample: 10 of 30 frames' "$T_TMP/short.out") $(grep -c merged "$T_TMP/short.out")" \
	"1 0"

live_test_begin "compare on the testbed" c
live_testbed_up

# run NAME GEN-ARGS...: a recorded live run while the generator sends
# GEN-ARGS with a sample in NAME.pcap; SIGINT once the generator returned.
run() {
	local name=$1
	shift
	if ! live_start "$name" --interval 0 --json --cpus "$RX_CPU" --record "$T_TMP/$name.rec"; then
		t_fail "$name: live started" "$(cat "$T_TMP/$name.err")"
		return 1
	fi
	testbed_gen "$XDPI" gen --json --cpus "$GEN_CPU" --pcap "$T_TMP/$name.pcap" "$@" \
		"$TB_GEN_IF" >"$T_TMP/$name.gen" 2>&1 &
	GEN_PID=$!
}
stop() { # NAME
	wait "$GEN_PID"
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_check "$1: the record was written" test -s "$T_TMP/$1.rec"
}
# cmp NAME: compare, text and JSON; exit status in CMP_RC.
cmp() {
	"$XDPI" compare --pcap "$T_TMP/$1.pcap" "$T_TMP/$1.rec" >"$T_TMP/$1.cmp" 2>&1
	CMP_RC=$?
	"$XDPI" compare --json --pcap "$T_TMP/$1.pcap" "$T_TMP/$1.rec" >"$T_TMP/$1.cmpj" 2>/dev/null
}

# --- complete: 2000 frames, all in the sample
if run complete --count 2000 --flows 4 --rate 20000; then
	stop complete
	cmp complete
	t_eq "complete sample: exit 0" "$CMP_RC" 0
	t_check "complete sample: every metric matches" grep -q "^every metric matches" "$T_TMP/complete.cmp"
	t_eq "complete sample: --json metrics, differences, pcap_frames" \
		"$(json "$T_TMP/complete.cmpj" '(d["metrics"], d["differences"], d["pcap_frames"])')" \
		"('match', {}, 2000)"
fi

# --- partial: 3000 sent, the first 1000 sampled
if run partial --count 3000 --pcap-max 1000 --flows 4 --rate 20000; then
	stop partial
	cmp partial
	t_eq "partial sample: exit 0 (the ledger closes)" "$CMP_RC" 0
	t_check "partial sample: says 1000 of 3000 frames" \
		grep -q "^partial sample: 1000 of 3000 frames" "$T_TMP/partial.cmp"
	t_eq "partial sample: no metric listed as differing" \
		"$(grep -cE '^  +(live|sent) ' "$T_TMP/partial.cmp")" 0
	t_eq "partial sample: --json metrics, differences, packets among not_compared" \
		"$(json "$T_TMP/partial.cmpj" '(d["metrics"], d["differences"], "packets" in d["not_compared"], d["ok"])')" \
		"('partial_sample', {}, True, True)"
fi

# --- loss: the receiver stopped for 0.6 s under 100 kpps
if run loss --count 200000 --pcap-max 200000 --flows 8 --rate 100000; then
	sleep 0.5
	kill -STOP "$LIVE_PID"
	sleep 0.6
	kill -CONT "$LIVE_PID"
	stop loss
	cmp loss
	dropped=$(json "$T_TMP/loss.rec" 'sum(q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] for q in d["ledger"]["queues"])')
	t_check "loss: the socket dropped frames (> 1000)" test "$dropped" -gt 1000
	t_eq "loss: exit 1 (frames were lost)" "$CMP_RC" 1
	t_check "loss: the differences explained by the ledger" \
		grep -q "metrics differ, explained by the ledger: .* $dropped dropped by the socket" "$T_TMP/loss.cmp"
	t_eq "loss: --json verdict, lost.socket = the ledger's drops, packets short by the frames lost" \
		"$(json "$T_TMP/loss.cmpj" '(d["metrics"], d["lost"]["socket"] == '"$dropped"', d["differences"]["packets"]["sent"] - d["differences"]["packets"]["live"] == d["lost"]["socket"] + d["lost"]["not_redirected"], d["ledger_closes"])')" \
		"('explained_by_loss', True, True, True)"
fi
t_done
