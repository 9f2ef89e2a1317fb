#!/bin/bash
# Every error path of `xdpi read`, with its exit status and message:
#   1  missing file, unreadable (a directory), corrupt (random bytes, bad
#      magic, a file cut inside its header, an impossible record length),
#      non-Ethernet link type (DLT_RAW, DLT_LINUX_SLL);
#   0  a file cut off inside its last record (warning, metrics of the frames
#      before it, truncated_file true; pcap and pcapng), an empty but valid
#      pcap (header only: all zero);
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
