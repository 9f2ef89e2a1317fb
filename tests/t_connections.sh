#!/bin/bash
# xdpi read --connections: one line per connection, held to tshark's own
# conversation table (-z conv,tcp) of the same capture: every TCP
# conversation has a line and every line a conversation, with the same
# endpoints, and packets each way, and bytes each way where tshark prints
# them exactly (below 10 kB; it rounds above). The default lines fit 80
# columns; -v adds the columns (RTT as the capture was built, the Host).
# Captures: tests/mktop.py's whole connections and tool_pcapgen's
# handshakes and many flows.
. tests/lib.sh
t_tmpdir
t_require_built "$XDPI"
command -v tshark >/dev/null || { t_fail "tshark is needed (make deps)"; t_done; exit; }

python3 tests/mktop.py "$T_TMP" || t_fail "mktop.py"
caps=("$T_TMP/conn.pcap")
for c in handshakes many_flows; do
	"$BUILD/tests/tool_pcapgen" "$c" "$T_TMP/$c.pcap" && caps+=("$T_TMP/$c.pcap")
done

for cap in "${caps[@]}"; do
	name=$(basename "$cap" .pcap)
	"$XDPI" read "$cap" --connections >"$T_TMP/short" 2>"$T_TMP/summary"
	t_eq "$name: --connections exits 0" "$?" "0"
	wide=$(awk 'length($0) > 80' "$T_TMP/short" | head -2)
	t_eq "$name: every line fits 80 columns" "$wide" ""
	grep -q "^packets" "$T_TMP/summary" || t_fail "$name: the summary goes to stderr"
	"$XDPI" read "$cap" --connections -v >"$T_TMP/long" 2>/dev/null
	t_eq "$name: a line per connection, short and -v alike" \
		"$(($(wc -l <"$T_TMP/short")))" "$(($(wc -l <"$T_TMP/long")))"
	tshark -q -n -z conv,tcp -r "$cap" 2>/dev/null >"$T_TMP/conv"
	out=$(python3 - "$T_TMP/long" "$T_TMP/conv" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()[1:]
ours = {}
for l in lines:
    f = l.split()
    if f[2] != "tcp":
        continue
    key = frozenset([(f[3], f[4]), (f[5], f[6])])
    ours.setdefault(key, []).append(f)
bad, exact, n = [], 0, 0
rows = re.findall(r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+) (\d+) (\w+)\s+(\d+) (\d+) (\w+)",
                  open(sys.argv[2]).read(), re.M)
if not rows:
    bad.append("no conversation in tshark's table")
for a, ap, b, bp, f_ba, by_ba, u_ba, f_ab, by_ab, u_ab in rows:
    n += 1
    key = frozenset([(a, ap), (b, bp)])
    recs = ours.pop(key, None)
    if not recs:
        bad.append(f"no line for {a}:{ap} <-> {b}:{bp}")
        continue
    # Packets and bytes sent by a, and by b, over every line of the pair.
    sent = {(a, ap): [0, 0], (b, bp): [0, 0]}
    for f in recs:
        sent[(f[3], f[4])][0] += int(f[8]); sent[(f[3], f[4])][1] += int(f[9])
        sent[(f[5], f[6])][0] += int(f[10]); sent[(f[5], f[6])][1] += int(f[11])
    if sent[(a, ap)][0] != int(f_ab) or sent[(b, bp)][0] != int(f_ba):
        bad.append(f"{a}:{ap} <-> {b}:{bp} packets {sent} vs tshark {f_ab}/{f_ba}")
    for who, by, unit in (((a, ap), by_ab, u_ab), ((b, bp), by_ba, u_ba)):
        if unit == "bytes":
            exact += 1
            if sent[who][1] != int(by):
                bad.append(f"{who} sent {sent[who][1]} bytes, tshark {by}")
for k in ours:
    bad.append(f"a line tshark has no conversation for: {sorted(k)}")
print(f"{n} {exact} " + ("; ".join(bad[:5]) or "OK"))
PY
)
	t_eq "$name: endpoints, packets and bytes each way as tshark's conv,tcp (${out%% *} conversations)" "${out#* * }" "OK"
done

# -v: what the capture was built with (tests/mktop.py): RTTs and Hosts.
"$XDPI" read "$T_TMP/conn.pcap" --connections -v 2>/dev/null >"$T_TMP/long"
t_eq "-v: RTT and Host of each connection" \
	"$(awk 'NR > 1 { print $13, $14 }' "$T_TMP/long" | tr '\n' ' ')" \
	"1.000 H:busy.test 5.000 H:big.test 20.000 H:slow.test "
"$XDPI" read "$T_TMP/conn.pcap" --connections --json >/dev/null 2>"$T_TMP/err"
t_eq "--connections with --json: exit 2" "$?" "2"
t_done
