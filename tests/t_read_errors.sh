#!/bin/bash
# Every error path of `xdpi read`, with its exit status and message:
#   1  missing file, unreadable (a directory), corrupt (random bytes, bad
#      magic, a file cut inside its header, an impossible record length),
#      non-Ethernet link type (DLT_RAW, DLT_LINUX_SLL);
#   0  a file cut off inside its last record (warning, metrics of the frames
#      before it, truncated_file true; pcap and pcapng), an empty but valid
#      pcap (header only: all zero);
#   0  a pcap whose frames carry an FCS (the link-type field's FCS bits):
#      the metrics of the same frames without it; a FIFO or pipe with no
#      data yet: "waiting for data ..." after a second, then the capture;
#   1/0 cut or corrupt by where reading stopped (pcapng cut at six points,
#      a block corrupt in the middle);
#   2  usage errors (no FILE, two FILEs, unknown option, missing option
#      argument); --help exits 0 on stdout.
# On every failure stdout stays empty: no partial JSON.
#   tests/t_read_errors.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
GEN=$BUILD/tests/tool_pcapgen
t_tmpdir

t_require_built "$XDPI" "$GEN"

OUT=$T_TMP/out
ERR=$T_TMP/err

# run ARGS...: xdpi read ARGS, exit status in $RC, output in $OUT and $ERR.
run() {
	"$XDPI" read "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# expect NAME RC_WANT STDERR_REGEX: checks the last run. An empty regex
# means stderr must be empty.
expect() {
	local name=$1 want=$2 re=$3
	if [ "$RC" != "$want" ]; then
		t_fail "$name: exit $want" "exit $RC; stderr: $(head -c 300 "$ERR")"
	else
		t_ok "$name: exit $want"
	fi
	if [ -z "$re" ]; then
		if [ -s "$ERR" ]; then
			t_fail "$name: nothing on stderr" "stderr: $(head -c 300 "$ERR")"
		else
			t_ok "$name: nothing on stderr"
		fi
	elif grep -Eq -- "$re" "$ERR"; then
		t_ok "$name: message"
	else
		t_fail "$name: message" "stderr '$(head -c 300 "$ERR")' does not match /$re/"
	fi
	if [ "$want" != 0 ]; then
		if [ -s "$OUT" ]; then
			t_fail "$name: nothing on stdout" "stdout: $(head -c 200 "$OUT")"
		else
			t_ok "$name: nothing on stdout"
		fi
	fi
}

# jget FILE KEY: a top-level value of a JSON file (Python repr), or ERROR.
jget() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$1" "$2" 2>/dev/null || echo ERROR
}

# --- exit 1 ---
missing=$T_TMP/no-such-dir/missing.pcap
run --json "$missing"
expect "missing file" 1 "missing\.pcap"

run --json "$T_TMP"
expect "directory" 1 "^xdpi read: "

# Random bytes from a fixed seed.
python3 -c '
import random, sys
r = random.Random(7)
open(sys.argv[1], "wb").write(bytes(r.randrange(256) for _ in range(300)))' "$T_TMP/random.bin"
run --json "$T_TMP/random.bin"
expect "random bytes" 1 "^xdpi read: "

"$GEN" arp "$T_TMP/arp.pcap"
{ printf 'XXXX'; tail -c +5 "$T_TMP/arp.pcap"; } >"$T_TMP/magic.pcap"
run --json "$T_TMP/magic.pcap"
expect "bad magic" 1 "format|magic"

: >"$T_TMP/zero.pcap"
run --json "$T_TMP/zero.pcap"
expect "zero-byte file" 1 "^xdpi read: "

head -c 12 "$T_TMP/arp.pcap" >"$T_TMP/header-cut.pcap"
run --json "$T_TMP/header-cut.pcap"
expect "file cut inside its header" 1 "^xdpi read: .*truncated"

# A record header claiming 2 GB: not a truncation but a corrupt record.
python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d[:24] + struct.pack("<IIII", 0, 0, 0x7ffffff0, 0x7ffffff0) + d[40:])' \
	"$T_TMP/arp.pcap" "$T_TMP/badrec.pcap"
run --json "$T_TMP/badrec.pcap"
expect "corrupt record length" 1 "badrec\.pcap"

# raw IP and Linux cooked (SLL) are read (t_read_oracle); 802.11 is not.
"$GEN" raw "$T_TMP/raw.pcap"
python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d[:20] + struct.pack("<I", 105) + d[24:])' \
	"$T_TMP/raw.pcap" "$T_TMP/wlan.pcap"
run --json "$T_TMP/wlan.pcap"
expect "link type 802.11" 1 "is not one xdpi reads"
for lt in raw sll; do
	"$GEN" "$lt" "$T_TMP/$lt.pcap"
	run --json "$T_TMP/$lt.pcap"
	expect "link type $lt: read" 0 ""
done

# --- exit 0 ---
# "mixed" cut a few bytes into its last record: once inside the record
# header, once inside the frame data. The offsets come from walking the
# record headers.
mixed=$T_TMP/mixed.pcap
"$GEN" mixed "$mixed"
read -r nrec last_off < <(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n, last = 24, 0, None
while off < len(d):
    last = off
    off += 16 + struct.unpack_from("<I", d, off + 8)[0]
    n += 1
assert off == len(d)
print(n, last)' "$mixed")
for cut in 8 36; do
	name="cut $cut bytes into the last record"
	head -c $((last_off + cut)) "$mixed" >"$T_TMP/cut.pcap"
	run --json "$T_TMP/cut.pcap"
	expect "$name" 0 "warning.*truncated"
	t_eq "$name: packets" "$(jget "$OUT" packets)" $((nrec - 1))
	t_eq "$name: truncated_file" "$(jget "$OUT" truncated_file)" True
done

# The metrics of the cut file are those of its complete frames.
if command -v editcap >/dev/null; then
	editcap -r "$mixed" "$T_TMP/head.pcap" "1-$((nrec - 1))"
	"$XDPI" read --json "$T_TMP/head.pcap" >"$T_TMP/head.json" 2>/dev/null
	if python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for o in (a, b):  # the metrics, not the file they came from
    o.pop("truncated_file", None)
    o.pop("file", None)
d = [k for k in b if a.get(k) != b[k]]
print(" ".join(d))
sys.exit(1 if d else 0)' "$OUT" "$T_TMP/head.json" >"$T_TMP/diff" 2>&1; then
		t_ok "cut file: same metrics as its complete frames"
	else
		t_fail "cut file: same metrics as its complete frames" "differ: $(cat "$T_TMP/diff")"
	fi
	# A pcapng cut inside its last block.
	if mergecap -F pcapng -w "$T_TMP/mixed.pcapng" "$mixed"; then
		head -c -10 "$T_TMP/mixed.pcapng" >"$T_TMP/cut.pcapng"
		run --json "$T_TMP/cut.pcapng"
		expect "pcapng cut inside its last block" 0 "warning.*truncated"
		t_eq "pcapng cut: packets" "$(jget "$OUT" packets)" $((nrec - 1))
		t_eq "pcapng cut: truncated_file" "$(jget "$OUT" truncated_file)" True
	else
		t_fail "mergecap -F pcapng"
	fi
else
	t_fail "editcap is installed" "the wireshark tools are needed (Debian: tshark)"
fi

"$GEN" empty "$T_TMP/empty.pcap"
run --json "$T_TMP/empty.pcap"
expect "empty pcap" 0 ""
t_eq "empty pcap: all zero" "$(python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
def nums(v):
    if isinstance(v, dict):
        for x in v.values():
            yield from nums(x)
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        yield v  # counters; strings (the version, the file) are not
o.pop("distinct")  # the bound and the error of the estimate: settings, not counts
o["connections"].pop("max_flows")
print(sum(1 for x in nums(o) if x != 0), o["truncated_file"])' "$OUT" 2>&1)" "0 False"

# --- the FCS: a pcap whose link-type field says each frame ends with a
# 4-byte FCS (bit 26, 2 words in bits 28-31) reads as the same frames
# without it: every metric equal to the capture without FCS. tshark (which
# honours the field) must see the FCS, or the test file is wrong.
"$GEN" mixed "$T_TMP/nofcs.pcap"
python3 -c '
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
magic, vmaj, vmin, tz, sig, snap, lt = struct.unpack("<IHHiIII", d[:24])
out = [struct.pack("<IHHiIII", magic, vmaj, vmin, tz, sig, snap + 4, lt | 0x04000000 | (2 << 28))]
off = 24
while off < len(d):
    s, us, cap, wire = struct.unpack("<IIII", d[off:off + 16])
    frame = d[off + 16:off + 16 + cap]
    fcs = struct.pack("<I", zlib.crc32(frame)) if cap == wire else b""
    out.append(struct.pack("<IIII", s, us, cap + len(fcs), wire + 4) + frame + fcs)
    off += 16 + cap
open(sys.argv[2], "wb").write(b"".join(out))' "$T_TMP/nofcs.pcap" "$T_TMP/fcs.pcap"
if command -v tshark >/dev/null; then
	# (a runt under 14 bytes has no Ethernet header for tshark to end)
	t_eq "FCS capture: tshark sees an FCS on every frame" \
		"$(tshark -r "$T_TMP/fcs.pcap" -T fields -e eth.fcs 2>/dev/null | grep -c .)" \
		"$(tshark -r "$T_TMP/nofcs.pcap" -Y "frame.len >= 14" -T fields -e frame.number 2>/dev/null | grep -c .)"
else
	t_skip "FCS capture: tshark sees an FCS on every frame" "no tshark"
fi
"$XDPI" read --json "$T_TMP/nofcs.pcap" >"$T_TMP/nofcs.json" 2>/dev/null
run --json "$T_TMP/fcs.pcap"
expect "FCS capture" 0 ""
t_eq "FCS capture: every metric as without the FCS" "$(python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for o in (a, b):
    o.pop("file"); o.pop("time", None)
print(sorted(k for k in a if a[k] != b[k]) or "same")' "$T_TMP/nofcs.json" "$OUT")" "same"
t_check "FCS capture: bytes counted without the FCS" test "$(jget "$OUT" bytes)" = \
	"$(jget "$T_TMP/nofcs.json" bytes)"

# --- cut or corrupt, told by where reading stopped: every cut inside the
# last record or block is a truncation (exit 0), a block too short for
# its contents in the middle of a pcapng is corrupt (exit 1).
if command -v tshark >/dev/null && tshark -r "$T_TMP/arp.pcap" -F pcapng -w "$T_TMP/arp.pcapng" 2>/dev/null; then
	size=$(stat -c %s "$T_TMP/arp.pcapng")
	bad=0
	for cut in 1 4 8 12 40 $((size - 308 - 1)); do
		head -c $((308 + cut)) "$T_TMP/arp.pcapng" >"$T_TMP/c.pcapng"
		run --json "$T_TMP/c.pcapng"
		[ "$RC" = 0 ] && [ "$(jget "$OUT" truncated_file)" = True ] || bad=$((bad + 1))
	done
	t_eq "pcapng cut at 6 points of its last block: each a truncation" "$bad" 0
	python3 -c '
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off = 0
while off < len(d):
    t, l = struct.unpack_from("<II", d, off)
    if t == 6:
        struct.pack_into("<I", d, off + 20, 0xffff)  # caplen past the block
        break
    off += l
open(sys.argv[2], "wb").write(d)' "$T_TMP/arp.pcapng" "$T_TMP/badepb.pcapng"
	run --json "$T_TMP/badepb.pcapng"
	expect "pcapng block corrupt in the middle" 1 "badepb\.pcapng"
else
	t_skip "pcapng cut and corrupt cases" "no tshark to write pcapng"
fi

# --- a FIFO or a pipe with nothing in it: read waits, says so after a
# second, and reads what comes. The writer starts only once the message
# is there (at most 20 s: no timing assumption but a generous bound).
wait_for() { # FILE REGEX: 0 once FILE matches, 1 after 20 s
	for _ in $(seq 200); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
mkfifo "$T_TMP/fifo"
"$XDPI" read --json "$T_TMP/fifo" >"$OUT" 2>"$ERR" &
reader=$!
if wait_for "$ERR" "waiting for data on FIFO .*fifo"; then
	t_ok "FIFO without a writer: says it waits"
else
	t_fail "FIFO without a writer: says it waits" "stderr: $(head -c 300 "$ERR")"
fi
cat "$T_TMP/arp.pcap" >"$T_TMP/fifo" &
writer=$!
( sleep 30 && kill "$reader" "$writer" ) 2>/dev/null &
watchdog=$!
wait "$reader"
RC=$?
kill "$watchdog" 2>/dev/null
wait "$writer" 2>/dev/null
t_eq "FIFO: then reads the capture (exit, packets)" "$RC $(jget "$OUT" packets)" \
	"0 $("$XDPI" read --json "$T_TMP/arp.pcap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])')"

{ wait_for "$ERR" "waiting for data on stdin" && cat "$T_TMP/arp.pcap"; } |
	"$XDPI" read --json - >"$OUT" 2>"$ERR"
RC=$?
t_check "read - on an empty pipe: says it waits" grep -q "waiting for data on stdin" "$ERR"
t_eq "read - on an empty pipe: then reads the capture" "$RC $(jget "$OUT" packets)" \
	"0 $("$XDPI" read --json "$T_TMP/arp.pcap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])')"
cat "$T_TMP/arp.pcap" | "$XDPI" read --json - >"$OUT" 2>"$ERR"
t_check "read - on a pipe with data: no waiting message" test ! -s "$ERR"

# --- exit 2 ---
run
expect "no argument" 2 "FILE|[Uu]sage"
run --json
expect "--json without FILE" 2 "FILE|[Uu]sage"
run "$T_TMP/arp.pcap" "$T_TMP/empty.pcap"
expect "two files" 2 "FILE|[Uu]sage"
run --json "$T_TMP/arp.pcap" "$T_TMP/empty.pcap"
expect "--json with two files" 2 "FILE|[Uu]sage"
run --no-such-option "$T_TMP/arp.pcap"
expect "unknown long option" 2 "no-such-option|[Uu]sage"
run -Z "$T_TMP/arp.pcap"
expect "unknown short option" 2 "invalid option|[Uu]sage"

# --- help ---
run --help
expect "--help" 0 ""
if grep -q -- "--json" "$OUT"; then t_ok "--help mentions --json"; else
	t_fail "--help mentions --json" "stdout: $(head -c 200 "$OUT")"
fi

t_done
