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

leftovers() { ip netns list | grep -c '^xdpi-.*-b[0-9]'; }
before=$(leftovers)

"$XDPI" bench --duration 1 --rate 100000 --json >"$T_TMP/bench.json" 2>"$T_TMP/bench.err"
t_eq "bench: exit 0" "$?" 0
bad=$(python3 - "$T_TMP/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
for k in ("sent_pps", "ceiling_pps", "inspect_pps", "noinspect_pps", "af_packet_pps"):
    if not isinstance(d.get(k), (int, float)) or d[k] <= 0:
        bad.append(f"{k}={d.get(k)}")
if d.get("unexplained") != 0:
    bad.append(f"unexplained={d.get('unexplained')}")
if sorted(d.get("rx_core_busy", {})) != ["af_packet", "ceiling", "inspect", "noinspect"]:
    bad.append(f"rx_core_busy={d.get('rx_core_busy')}")
for r, run in d.get("runs", {}).items():
    if run["received"] > run["sent"]:
        bad.append(f"{r}: received {run['received']} > sent {run['sent']}")
ins = d["runs"]["inspect"]["receiver"]
if ins["packets"] != d["runs"]["inspect"]["received"]:
    bad.append("inspect: packets != received")
if ins["ledger"]["unexplained"] != 0:
    bad.append("inspect ledger unexplained")
for k in ("kernel", "cpu_model"):
    if not d.get("machine", {}).get(k):
        bad.append(f"machine.{k} missing")
print("; ".join(bad))
PY
)
t_eq "bench --json: every figure present and consistent, ledger closed" "$bad" ""
t_eq "bench: testbed namespaces removed" "$(leftovers)" "$before"

"$XDPI" bench --duration 1 --receivers inspect --rate 50000 >"$T_TMP/bench.txt" 2>&1
t_check "bench table: prints the receiver and the ledger" \
	grep -q "Ledger of xdpi live" "$T_TMP/bench.txt"

"$XDPI" bench --bogus >/dev/null 2>&1
t_eq "bench: unknown option exits 2" "$?" 2
"$XDPI" bench --receivers nonsense >/dev/null 2>&1
t_eq "bench: unknown receiver exits 2" "$?" 2

"$XDPI" tune --duration 1 --rate 100000 --batch 64,256 --rx-size 2048 --fill-size 4096 \
	--frame-size 4096 --need-wakeup 1 --placement busy-poll --out "$T_TMP/tune" \
	>"$T_TMP/tune.txt" 2>&1
t_eq "tune: exit 0" "$?" 0
t_eq "tune: one CSV row per point (2)" "$(($(wc -l <"$T_TMP/tune/tune.csv") - 1))" 2
t_eq "tune: JSON record with machine, command, both points and the best" \
	"$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['points']), bool(d['machine']['kernel']), d['command'].startswith('xdpi tune'), 1 <= d['best_point'] <= 2)" "$T_TMP/tune/tune.json")" \
	"2 True True True"
t_check "tune: PNG plot written" python3 -c "import sys; sys.exit(open(sys.argv[1], 'rb').read(8) != b'\x89PNG\r\n\x1a\n')" "$T_TMP/tune/tune.png"
t_check "tune: ends with a ready xdpi live command line" \
	sh -c "tail -1 '$T_TMP/tune.txt' | grep -q '^recommended .*xdpi live --cpus'"
t_eq "tune: testbed namespaces removed" "$(leftovers)" "$before"

t_done
