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
	out=$(python3 tests/connconv.py "$T_TMP/long" "$T_TMP/conv")
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
