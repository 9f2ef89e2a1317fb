#!/bin/bash
# --json-lines as a log shipper reads it, mid-run (issue 31): each interval's
# "stats" line is on the pipe within 1 s of the time it carries (a reader
# stamps each line as it arrives), and a file written while flow records
# pour out holds only whole lines whenever it is looked at, each stats line
# there within 1 s too; -q prints nothing but what is asked for. The oracle is the reader's clock and json.loads.
# Needs root (namespaces, XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "live JSON lines" jl

"$TOOLS/tool_pcapgen" many_flows "$T_TMP/flows.pcap" || t_fail "pcapgen many_flows"
live_testbed_up

# --- 1. a pipe: every stats line read within 1 s of its time
ip netns exec "$TB_DUT" sh -c \
	'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' sh \
	"$XDPI" live --takeover --interval 1 --duration 5 --json-lines - "$TB_DUT_IF" \
	2>"$T_TMP/pipe.err" | python3 -u -c '
import sys, time
for line in sys.stdin:
    print("%.6f %s" % (time.time(), line), end="", flush=True)
' >"$T_TMP/pipe.arrivals"
got=$(python3 - "$T_TMP/pipe.arrivals" <<'EOF'
import datetime, json, sys
late, n = [], 0
for l in open(sys.argv[1]):
    t, rec = l.split(" ", 1)
    d = json.loads(rec)
    if d.get("type") != "stats":
        continue
    n += 1
    made = datetime.datetime.strptime(d["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    if float(t) - made > 1.0:
        late.append(round(float(t) - made, 2))
print("%d stats lines, late: %s" % (n, late) if n < 3 or late else "OK")
EOF
)
t_eq "--json-lines -: every stats line on the pipe within 1 s" "$got" OK

# --- -q: warnings and errors only; no table, no summary, no ledger
ip netns exec "$TB_DUT" "$XDPI" live --takeover -q --duration 2 "$TB_DUT_IF" \
	>"$T_TMP/quiet.out" 2>"$T_TMP/quiet.err"
t_eq "live -q: exit 0, nothing on stdout or stderr" \
	"$? $(wc -c <"$T_TMP/quiet.out") $(wc -c <"$T_TMP/quiet.err")" "0 0 0"
ip netns exec "$TB_DUT" "$XDPI" live --takeover -q --duration 2 --json "$TB_DUT_IF" \
	>"$T_TMP/quiet.json" 2>"$T_TMP/quiet.err"
t_eq "live -q --json: the JSON asked for, its ledger closed" \
	"$? $(json "$T_TMP/quiet.json" 'd["ledger"]["unexplained"]')" "0 0"

# --- 2. a file mid-run: whole lines only, stats lines within 1 s
J=$T_TMP/run.jsonl
if live_start file --interval 1 --json-lines "$J" --flow-timeout 0.5 \
	--flow-closed-timeout 0.2; then
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 1000 "$T_TMP/flows.pcap" \
		>/dev/null 2>&1 &
	replay_pid=$!
	# Samples the file every 50 ms until the sender is done and 2 s more.
	python3 - "$J" "$replay_pid" >"$T_TMP/samples" <<'EOF'
import os, sys, time
path, pid = sys.argv[1], int(sys.argv[2])
done_at = None
while True:
    now = time.time()
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        data = b""
    print("%.6f %d %d %d" % (now, len(data), data.count(b"\n"),
                             1 if data and not data.endswith(b"\n") else 0))
    # the stats lines seen so far, with when they were first seen
    for l in data.split(b"\n"):
        if b'"type":"stats"' in l:
            print("S %.6f %s" % (now, l.decode()))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        done_at = done_at or now
    if done_at and now - done_at > 2:
        break
    time.sleep(0.05)
EOF
	wait "$replay_pid"
	kill -INT "$LIVE_PID"
	live_wait_exit file 60
	t_eq "--json-lines FILE: the run exits 0" "$LIVE_RC" 0
	got=$(python3 - "$T_TMP/samples" "$J" <<'EOF'
import datetime, json, sys
samples, half, first = 0, 0, {}
for l in open(sys.argv[1]):
    if l.startswith("S "):
        _, t, rec = l.split(" ", 2)
        first.setdefault(rec.strip(), float(t))
        continue
    samples += 1
    half += int(l.split()[3])
late = []
for rec, seen in first.items():
    try:
        d = json.loads(rec)
    except ValueError: # a cut line
        half += 1
        continue
    made = datetime.datetime.strptime(d["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    if seen - made > 1.0:
        late.append(round(seen - made, 2))
lines = [json.loads(l) for l in open(sys.argv[2])]
flows = sum(1 for d in lines if d["type"] == "flow")
print("samples %d, ending in half a line %d, stats lines seen %d, late %s, flows %d"
      % (samples, half, len(first), late, flows) if half or late or len(first) < 3
      or flows < 1000 else "OK")
EOF
)
	t_eq "--json-lines FILE: only whole lines mid-run, stats lines within 1 s" "$got" OK
else
	t_fail "file: live started" "$(tail -3 "$T_TMP/file.err")"
fi
t_done
