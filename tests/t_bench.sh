#!/bin/bash
# xdpi bench and xdpi tune end to end, briefly and rate-limited: the JSON
# keys and their consistency, the ledger, the CSV and PNG, and that nothing
# is left behind. Figures are not asserted (timing belongs in benchmarks).
. tests/lib.sh
t_tmpdir
XDPI=$(realpath "$XDPI")

if [ "$(id -u)" != 0 ]; then
	t_skip "bench tests" "need root"
	t_done
	exit
fi

# Searched runs join a history (bench/history.h): the test's own.
export XDG_STATE_HOME="$T_TMP/state"
hist="$XDG_STATE_HOME/xdpi/bench-history.jsonl"

leftovers() { ip netns list | grep -c '^xdpi-.*-b[0-9]'; }
before=$(leftovers)

# Issue 25: bench's --record and tune's files (tune.csv in --out) through
# a symlink to a root-only file are refused at once, before any testbed is
# made, and the file is left as it was.
printf 'root only\n' >"$T_TMP/root-only"
chmod 0600 "$T_TMP/root-only"
ln -s "$T_TMP/root-only" "$T_TMP/bench.rec"
timeout 20 "$XDPI" bench --quick --record "$T_TMP/bench.rec" >"$T_TMP/b.out" 2>"$T_TMP/b.err"
rc=$?
t_eq "bench --record through a symlink: exit 1 at once, said, no testbed, the target unchanged" \
	"$rc $(grep -c "cannot write $T_TMP/bench.rec: it is a symbolic link" "$T_TMP/b.err") $(leftovers) $(head -c 40 "$T_TMP/root-only" | tr -c '[:print:]' .)" \
	"1 1 $before root only."
mkdir "$T_TMP/tune-link"
ln -s "$T_TMP/root-only" "$T_TMP/tune-link/tune.csv"
timeout 20 "$XDPI" tune --duration 1 --batch 64 --out "$T_TMP/tune-link" >"$T_TMP/tl.out" 2>"$T_TMP/tl.err"
rc=$?
t_eq "tune with tune.csv a symlink: exit 1 at once, said, no testbed, the target unchanged" \
	"$rc $(grep -c "cannot write $T_TMP/tune-link/tune.csv: it is a symbolic link" "$T_TMP/tl.err") $(leftovers) $(head -c 40 "$T_TMP/root-only" | tr -c '[:print:]' .)" \
	"1 1 $before root only."

# What bench and tune hand their children: every child but gnuplot and
# the in-process ones (xdpi's receivers, AF_PACKET, the generator: forks
# that exec nothing) starts through `ip`, so an `ip` first in PATH records
# what it inherited and runs the real one; no `xdpi live|gen` among them. The shell adds only its script's descriptor, as long as no
# command of it has a redirection (the shell would keep the original fd).
mkdir "$T_TMP/wrap"
py=/usr/bin/python3 # a version manager's shim costs a second a call
[ -x "$py" ] || py=$(command -v python3)
cat >"$T_TMP/wrap/ip" <<EOF
#!/bin/sh
$py -c '
import os, sys
pid, log, args = sys.argv[1:]
fds = []
for n in os.listdir(f"/proc/{pid}/fd"):
    try:
        fds.append(f" {n} -> " + os.readlink(f"/proc/{pid}/fd/{n}") + "\\n")
    except OSError:
        pass
sig = [l for l in open(f"/proc/{pid}/status") if l.startswith(("SigBlk:", "SigIgn:"))]
open(f"{log}/{pid}.args", "w").write(args)
open(f"{log}/{pid}.fd", "w").write("".join(fds))
open(f"{log}/{pid}.sig", "w").write("".join(sig))
' "\$\$" "\$XDPI_WRAP_LOG" "\$*"
exec $(command -v ip) "\$@"
EOF
chmod 755 "$T_TMP/wrap/ip"
# Every descriptor a child holds past 0-2 (the wrapper's own script aside),
# a blocked or ignored signal, and a receiver's or generator's output that
# is not an anonymous file: each a line, or OK.
inherited() {
	python3 - "$1" "$T_TMP/wrap/ip" <<'PY'
import glob, re, sys
logdir, script = sys.argv[1:]
bad, n, spawned = [], 0, 0
for args in sorted(glob.glob(logdir + "/*.args")):
    base = args[:-5]
    cmd = open(args).read().strip()
    fds = {}
    for line in open(base + ".fd"):
        m = re.search(r" (\d+) -> (.*)$", line)
        if m:
            fds[int(m.group(1))] = m.group(2)
    n += 1
    for fd, target in fds.items():
        if fd > 2 and target != script:
            bad.append(f"'{cmd[:60]}' inherited fd {fd} -> {target}")
    for line in open(base + ".sig"):
        k, v = line.split()
        if int(v, 16):
            bad.append(f"'{cmd[:60]}' {k} {v}")
    # xdpi's receivers and generator run in-process (bench/inproc.h):
    # no command line of this binary's
    if re.search(r"/xdpi (live|gen|afpacket|detach) ", cmd):
        spawned += 1
        bad.append(f"'{cmd[:60]}' runs xdpi through a command line")
if n < 5:
    bad.append(f"only {n} children recorded")
print("; ".join(bad[:6]) or "OK")
PY
}

# In the background: the shell starts it with SIGINT and SIGQUIT ignored,
# which its children must not inherit.
mkdir "$T_TMP/wrap_bench"
PATH="$T_TMP/wrap:$PATH" XDPI_WRAP_LOG="$T_TMP/wrap_bench" \
	"$XDPI" bench --duration 1 --rate 100000 --json >"$T_TMP/bench.json" 2>"$T_TMP/bench.err" &
wait $!
t_eq "bench: exit 0" "$?" 0
t_eq "bench: children inherit no descriptor, blocked or ignored signal, or file in /tmp" \
	"$(inherited "$T_TMP/wrap_bench")" "OK"
bad=$(python3 - "$T_TMP/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
ran = sorted(d.get("runs", {}))
want = ["af_packet", "ceiling", "inspect", "noflows", "noinspect", "passive"]
if [r for r in ran if r != "dpdk"] != want:
    bad.append(f"runs={ran}")
for k in ("sent_pps", "ceiling_pps", "inspect_pps", "noinspect_pps", "af_packet_pps", "passive_pps",
          "noflows_pps"):
    if not isinstance(d.get(k), (int, float)) or d[k] <= 0:
        bad.append(f"{k}={d.get(k)}")
if d.get("unexplained") != 0:
    bad.append(f"unexplained={d.get('unexplained')}")
if sorted(d.get("rx_core_busy", {})) != ran:
    bad.append(f"rx_core_busy={sorted(d.get('rx_core_busy', {}))} runs={ran}")
for r, run in d.get("runs", {}).items():
    if run["received"] > run["sent"]:
        bad.append(f"{r}: received {run['received']} > sent {run['sent']}")
for r in ("inspect", "noinspect", "noflows"):
    run = d["runs"][r]
    led = run["receiver"]["ledger"]
    redirected = sum(q["xdp"]["redirected"] for q in led["queues"])
    drops = sum(q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] for q in led["queues"])
    # what bench calls received is what the kernel says reached the worker
    if run["received"] != redirected - drops:
        bad.append(f"{r}: received {run['received']} != redirected {redirected} - drops {drops}")
    # every frame sent is received, refused by veth, or dropped by the socket
    if run["sent"] != run["received"] + run["veth_refused"] + run["socket_drops"]:
        bad.append(f"{r}: sent {run['sent']} != received + refused + socket drops")
    if led["unexplained"] != 0:
        bad.append(f"{r}: ledger unexplained {led['unexplained']}")
# one trial per receiver at the requested rate, no search
if len(d.get("trials", [])) != len(ran) + 2:  # + the ceiling's two placement trials
    bad.append(f"trials={len(d.get('trials', []))}, want {len(ran) + 2}")
if any(t["requested_pps"] != 100000 for t in d["trials"]):
    bad.append("a trial not at the requested 100 kpps")
if "ndr_pps" in d:
    bad.append("ndr_pps reported without a search")
for k in ("kernel", "cpu_model"):
    if not d.get("machine", {}).get(k):
        bad.append(f"machine.{k} missing")
print("; ".join(bad) or "OK")
PY
)
t_eq "bench --rate --json: every figure present and consistent, ledger closed" "$bad" "OK"
t_eq "bench: testbed namespaces removed" "$(leftovers)" "$before"

# The NDR/PDR search, kept short: two trials after the full-rate one.
"$XDPI" bench --duration 1 --receivers inspect,noinspect --max-trials 2 --json \
	>"$T_TMP/ndr.json" 2>"$T_TMP/ndr.err"
t_eq "bench search: exit 0" "$?" 0
bad=$(python3 - "$T_TMP/ndr.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
rx = ["inspect", "noinspect"]
for key in ("ndr_pps", "pdr_pps", "full_rate", "gen_limited", "search", "cpu_ns_per_frame"):
    if sorted(d.get(key, {})) != rx:
        bad.append(f"{key} keys {sorted(d.get(key, {}))}")
trials = d.get("trials", [])
for r in rx:
    ts = [t for t in trials if t["receiver"] == r]
    if not 1 <= len(ts) <= 3:
        bad.append(f"{r}: {len(ts)} trials, want 1..3")
    if not ts or ts[0]["requested_pps"] != 0:
        bad.append(f"{r}: the first trial is not at full rate")
    for t in ts:
        for k, ty in (("achieved_pps", float), ("loss", float), ("valid", bool), ("sent", int),
                      ("received", int)):
            if not isinstance(t.get(k), ty):
                bad.append(f"{r}: trial {k}={t.get(k)!r}")
        if not 0 <= t["loss"] <= 1 or t["received"] > t["sent"]:
            bad.append(f"{r}: trial loss {t['loss']} received {t['received']} sent {t['sent']}")
        if t["requested_pps"] and t["valid"] != (t["achieved_pps"] >= 0.99 * t["requested_pps"]):
            bad.append(f"{r}: valid={t['valid']} for {t['achieved_pps']} of {t['requested_pps']}")
    ndr, pdr = d["ndr_pps"][r], d["pdr_pps"][r]
    if pdr < ndr:
        bad.append(f"{r}: pdr {pdr} < ndr {ndr}")
    # MLRsearch (bench/ndr.h): each goal's result is the conditional
    # throughput at its lower bound, backed by trials at exactly that load,
    # most of whose time met the goal's loss (exceed ratio 0.5); an upper
    # bound has a trial that exceeded it. Checked against the trials'
    # own counts.
    s = d["search"][r]
    for goal, goal_loss in (("ndr", 0.0), ("pdr", 0.005)):
        g = s[goal]
        load = lambda t: t["requested_pps"] or t["achieved_pps"]
        back = [trials[i] for i in g["backing_trials"]]
        if any(t["receiver"] != r or not t["valid"] or abs(load(t) - g["lower_bound_pps"]) > 1
               for t in back):
            bad.append(f"{r} {goal}: a backing trial is not a valid trial at the lower bound")
        good = sum(t["duration_s"] for t in back if t["loss"] <= goal_loss)
        if back and good < sum(t["duration_s"] for t in back) / 2:
            bad.append(f"{r} {goal}: lower bound {g['lower_bound_pps']} mostly lost")
        if g["conditional_throughput_pps"] > g["lower_bound_pps"] + 1:
            bad.append(f"{r} {goal}: conditional throughput above its lower bound")
        if goal == "ndr" and back and abs(g["conditional_throughput_pps"] - g["lower_bound_pps"]) > 1:
            bad.append(f"{r}: the NDR is not its lower bound's load")
        # an upper bound is a rate that lost, or one the generator could
        # not offer (then the goal says the generator was the limit)
        at_upper = [t for t in ts if abs(load(t) - g["upper_bound_pps"]) <= 1]
        if g["upper_bound_pps"] and not any(t["valid"] and t["loss"] > goal_loss for t in at_upper) \
                and not (g["gen_limited"] and any(not t["valid"] for t in at_upper)):
            bad.append(f"{r} {goal}: no trial exceeded the loss at the upper bound {at_upper}")
        if g["upper_bound_pps"] and g["upper_bound_pps"] < g["lower_bound_pps"]:
            bad.append(f"{r} {goal}: upper bound below lower bound")
    if abs((d["ndr_pps"][r] or 0) - s["ndr"]["conditional_throughput_pps"]) > 1:
        bad.append(f"{r}: ndr_pps is not the search's conditional throughput")
    if not d["cpu_ns_per_frame"].get(r, 0) > 0:
        bad.append(f"{r}: no cpu_ns_per_frame")
    # the loss causes split the kernel's own fill_empty count exactly
    for q in d["runs"][r]["receiver"]["ledger"]["queues"]:
        if q["socket_bound"] and sum(q["fill_empty_causes"].values()) != q["socket"]["rx_fill_ring_empty_descs"]:
            bad.append(f"{r}: causes {q['fill_empty_causes']} do not sum to fill_empty")
    fr = d["full_rate"][r]
    if not (fr["sent_pps"] > 0 and 0 <= fr["loss"] <= 1 and fr["received_pps"] <= fr["sent_pps"]):
        bad.append(f"{r}: full_rate {fr}")
v = d.get("verdict", {})
if not isinstance(v.get("noisy"), bool) or (v.get("ranking") is None) != v.get("noisy"):
    bad.append(f"verdict {v}")
elif not v["noisy"] and sorted(e["receiver"] for e in v["ranking"]) != rx:
    bad.append(f"ranking {v['ranking']}")
if d.get("unexplained") != 0:
    bad.append(f"unexplained={d.get('unexplained')}")
print("; ".join(bad) or "OK")
PY
)
t_eq "bench search --json: ndr/pdr/full_rate/trials consistent" "$bad" "OK"
t_check "bench search: the table has NDR and PDR columns" grep -q "NDR *PDR" "$T_TMP/ndr.err"

# The verdict across runs: runs without a search kept no history; the
# first search is alone in it, the second is judged with the first. The
# oracle is arithmetic on the two records' own figures.
t_eq "bench history: one line after the first search (none from --quick/--rate)" \
	"$(wc -l <"$hist" 2>/dev/null)" 1
"$XDPI" bench --duration 1 --receivers inspect,noinspect --max-trials 2 --json \
	>"$T_TMP/ndr2.json" 2>"$T_TMP/ndr2.err"
t_eq "bench search again: exit 0" "$?" 0
t_eq "bench history: two lines after the second search" "$(wc -l <"$hist")" 2
bad=$(python3 - "$T_TMP/ndr.json" "$T_TMP/ndr2.json" "$hist" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
lines = [json.loads(l) for l in open(sys.argv[3])]
bad = []
if a["across_runs"]["runs"] != 1 or b["across_runs"]["runs"] != 2:
    bad.append(f"runs {a['across_runs']['runs']} {b['across_runs']['runs']}")
if lines[0]["setup"] != lines[1]["setup"]:
    bad.append("the two runs' set-ups differ")
for r in ("inspect", "noinspect"):
    x = b["across_runs"]["receivers"][r]
    for goal in ("ndr", "pdr"):
        v = [a[goal + "_pps"][r], b[goal + "_pps"][r]]
        med = sum(v) / 2
        if abs(x[goal + "_median_pps"] - med) > 1e-6 * max(med, 1):
            bad.append(f"{r} {goal} median {x[goal + '_median_pps']} != {med}")
        if abs(x[goal + "_min_pps"] - min(v)) > 1e-3 or abs(x[goal + "_max_pps"] - max(v)) > 1e-3:
            bad.append(f"{r} {goal} min/max")
        dev = max(abs(y / med - 1) for y in v) if med > 0 else (0 if max(v) == 0 else float("inf"))
        if med > 0 and abs(x[goal + "_spread"] - dev) > 1e-9:
            bad.append(f"{r} {goal} spread {x[goal + '_spread']} != {dev}")
    devs = [max(abs(y / m - 1) for y in v) if m > 0 else (0 if max(v) == 0 else 9)
            for v, m in (([a[g + "_pps"][r], b[g + "_pps"][r]],
                          (a[g + "_pps"][r] + b[g + "_pps"][r]) / 2) for g in ("ndr", "pdr"))]
    if x["steady"] != all(d <= 0.15 + 1e-9 for d in devs):
        bad.append(f"{r}: steady={x['steady']} for spreads {devs}")
    if abs(lines[1]["receivers"][r]["ndr_pps"] - b["ndr_pps"][r]) > 1e-3:
        bad.append(f"{r}: history line is not the record")
if sorted(e["receiver"] for e in b["across_runs"]["ranking"]) != ["inspect", "noinspect"]:
    bad.append(f"ranking {b['across_runs']['ranking']}")
print("; ".join(bad) or "OK")
PY
)
t_eq "bench across runs: medians, spreads and steadiness of the two records" "$bad" "OK"
t_check "bench across runs: the table says it" grep -q "across the last 2 runs" "$T_TMP/ndr2.err"

"$XDPI" bench --duration 1 --receivers inspect --rate 50000 >"$T_TMP/bench.txt" 2>&1
t_check "bench table: prints the receiver and the ledger" \
	grep -q "Ledger of xdpi live" "$T_TMP/bench.txt"

# --flow-cases: the three traffics on one testbed, paced so that the
# receivers take every frame. The oracles: the generator's arithmetic (a
# flood's frames never repeat a 4-tuple, so every SYN inspected opened a
# flow or was refused one; 10,000 source ports are 10,000 flows) and the
# kernel's counters (the ledger closes).
"$XDPI" bench --flow-cases --duration 1 --rate 300000 --max-flows 100000 --json \
	>"$T_TMP/cases.json" 2>"$T_TMP/cases.err"
t_eq "bench --flow-cases: exit 0" "$?" 0
bad=$(python3 - "$T_TMP/cases.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
cases = d.get("flow_cases", [])
want = [("1-flow", 1, 1), ("10k-flows", 10000, 1), ("flood", 50000, 131071)]
got = [(c.get("case"), c["traffic"]["flows"], c["traffic"]["src_ips"]) for c in cases]
if got != want:
    bad.append(f"cases {got}")
for c in cases:
    if sorted(c.get("runs", {})) != ["inspect", "noflows"]:
        bad.append(f"{c['case']}: runs {sorted(c.get('runs', {}))}")
        continue
    for r, run in c["runs"].items():
        led = run["receiver"]["ledger"]
        redirected = sum(q["xdp"]["redirected"] for q in led["queues"])
        drops = sum(q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] for q in led["queues"])
        if run["received"] != redirected - drops or led["unexplained"] != 0:
            bad.append(f"{c['case']} {r}: ledger does not close")
        if run["sent"] != run["received"] + run["veth_refused"] + run["socket_drops"]:
            bad.append(f"{c['case']} {r}: sent != received + refused + drops")
    conn = c["runs"]["inspect"]["receiver"]["connections"]
    pk = c["runs"]["inspect"]["receiver"]["packets"]
    if c["case"] == "flood":
        if conn["flows"] + conn["untracked"] != pk or conn["syn"] != pk:
            bad.append(f"flood: flows {conn['flows']} + untracked {conn['untracked']} != SYNs {pk}")
        if conn["active"] > 100000:
            bad.append(f"flood: {conn['active']} active over --max-flows")
    elif c["case"] == "10k-flows" and (conn["flows"], conn["untracked"]) != (10000, 0):
        bad.append(f"10k: flows {conn['flows']} untracked {conn['untracked']}")
    elif c["case"] == "1-flow" and (conn["flows"], conn["untracked"]) != (1, 0):
        bad.append(f"1 flow: flows {conn['flows']} untracked {conn['untracked']}")
print("; ".join(bad) or "OK")
PY
)
t_eq "bench --flow-cases --json: three traffics, ledgers closed, a new flow every flood frame" "$bad" "OK"
t_eq "bench --flow-cases: the cases table has six rows" \
	"$(grep -cE '^(1-flow|10k-flows|flood) +xdpi live' "$T_TMP/cases.err")" 6

"$XDPI" bench --bogus >/dev/null 2>&1
t_eq "bench: unknown option exits 2" "$?" 2
"$XDPI" bench --receivers nonsense >/dev/null 2>&1
t_eq "bench: unknown receiver exits 2" "$?" 2

# The output directory's name is gnuplot code if pasted into the plot
# script: a quote ends the string, a newline the command (run in $T_TMP).
tune_name="tune'
system('touch pwned')
'"
tune_dir="$T_TMP/$tune_name"
mkdir "$T_TMP/wrap_tune"
(cd "$T_TMP" && PATH="$T_TMP/wrap:$PATH" XDPI_WRAP_LOG="$T_TMP/wrap_tune" exec \
	"$XDPI" tune --duration 1 --rate 100000 --batch 64,256 --rx-size 2048 --fill-size 4096 \
	--frame-size 4096 --need-wakeup 1 --placement busy-poll --out "$tune_name" \
	>"$T_TMP/tune.txt" 2>&1) &
wait $!
t_eq "tune: exit 0" "$?" 0
t_eq "tune: children inherit no descriptor (tune.csv), blocked or ignored signal" \
	"$(inherited "$T_TMP/wrap_tune")" "OK"
t_check "tune: a quote and a newline in --out run no gnuplot command" test ! -e "$T_TMP/pwned"
t_eq "tune: one CSV row per point (2)" "$(($(wc -l <"$tune_dir/tune.csv") - 1))" 2
bad=$(python3 - "$tune_dir" "$T_TMP/tune.txt" <<'PY'
import csv, json, re, sys
d = json.load(open(sys.argv[1] + "/tune.json"))
rows = list(csv.DictReader(open(sys.argv[1] + "/tune.csv")))
bad = []
if not d["machine"].get("kernel") or not d["command"].startswith("xdpi tune"):
    bad.append("machine or command missing")
pts = d["points"]
if len(pts) != 2 or len(rows) != 2:
    bad.append(f"{len(pts)} points, {len(rows)} CSV rows, want 2")
for p, r in zip(pts, rows):
    # the CSV says what the JSON says, point by point
    if (int(r["point"]), r["label"], int(r["unexplained"])) != (p["point"], p["setting"], p["unexplained"]):
        bad.append(f"point {p['point']}: CSV {r} vs JSON")
    if abs(float(r["inspected_pps"]) - p["inspected_pps"]) > 1 or abs(float(r["loss_pct"]) - p["loss_pct"]) > 1e-4:
        bad.append(f"point {p['point']}: CSV figures differ from JSON")
    if p["unexplained"] != 0 or p["receiver"]["ledger"]["unexplained"] != 0:
        bad.append(f"point {p['point']}: unexplained {p['unexplained']}")
b = d["best_point"]
best = pts[b - 1]
if any(q["inspected_pps"] > best["inspected_pps"] * 1.01 for q in pts):
    bad.append(f"best point {b} is not the fastest (within 1%)")
row = rows[b - 1]
last = open(sys.argv[2]).read().strip().splitlines()[-1]
words = last.split()
# each size the best row names, as option and value, in any order
for opt, col in (("--batch", "batch"), ("--rx-size", "rx_size"), ("--fill-size", "fill_size"),
                 ("--frame-size", "frame_size")):
    if opt not in words or words.index(opt) + 1 >= len(words) or words[words.index(opt) + 1] != row[col]:
        bad.append(f"recommendation '{last}' lacks '{opt} {row[col]}'")
print("; ".join(bad) or "OK")
PY
)
t_eq "tune: CSV equals JSON per point, 0 unexplained, the best point recommended" "$bad" "OK"
t_check "tune: PNG plot written" python3 -c "import sys; sys.exit(open(sys.argv[1], 'rb').read(8) != b'\x89PNG\r\n\x1a\n')" "$tune_dir/tune.png"
t_check "tune: ends with a ready xdpi live command line" \
	sh -c "tail -1 '$T_TMP/tune.txt' | grep -q '^recommended .*xdpi live --cpus'"
t_eq "tune: testbed namespaces removed" "$(leftovers)" "$before"

t_done
