#!/bin/bash
# Flow records against tshark's conversations: `xdpi read --json-lines`
# flow records (src/dst ip and port, proto, vlan, packets, bytes and IP
# bytes each way, start, end) compared with the flows the definition in
# docs/flows.md makes of tshark's per-frame fields, and those flows with
# tshark's own conversation tables (`-z conv,tcp -z conv,udp`), by
# tests/flowconv.py, which documents where a flow record and a tshark
# conversation legitimately differ (rules a to f: VLANs, restarts after a
# timeout, a reused 4-tuple, IPv6 behind AH, a third VLAN tag, flows
# without ports) and counts each rule. On:
#   - mixed: every case of tests/tool_pcapgen in one file (VLAN, QinQ, a
#     third tag, IPv6 extension chains and AH, fragments, ICMP errors,
#     3,700 flows);
#   - synthetic, synthetic_tail: tests/mkflows.py (whole connections,
#     handshakes, HTTP and TLS, IPv6, 802.1Q), and the same with a frame
#     200 s later (every other flow ends by its timeout);
#   - conv: tests/mkconv.py (flows that end and start again: silences past
#     the timeouts, a 4-tuple reused after FIN and RST, within and after
#     the closed timeout, one 4-tuple in three VLANs, QinQ, fragments,
#     ICMP, a cut TCP header, AH);
#   - real_http, real_tls: traffic captured at test time on a veth pair
#     (tests/realtraffic.sh, as tests/t_flows_oracle.sh does; skipped
#     without root, ip, tcpdump, curl or openssl).
# Per capture, one TAP result per check of flowconv.py; then one per rule
# that it applied somewhere (so that none of the differences it allows is
# left untested), and one that flows were compared at all. tshark is
# required: without it this script fails, it never skips.
#   tests/t_flows_conv.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_tmpdir
GEN=$BUILD/tests/tool_pcapgen
FLOWCONV=$HERE/flowconv.py

for tool in tshark python3; do
	if ! command -v "$tool" >/dev/null; then
		t_fail "$tool is installed" "the conversation oracle needs it (Debian: tshark, python3)"
		t_done
		exit 1
	fi
done
t_require_built "$XDPI" "$GEN"

# The timeouts xdpi runs with; the expected records depend on them.
FLOW_TIMEOUT_S=60
CLOSED_TIMEOUT_S=5

declare -A RULES=([a]=0 [b]=0 [c]=0 [d]=0 [e]=0 [f]=0 [either]=0 [records]=0)
declare -A RULE_TEXT=(
	[a]="one conversation, a record per pair of VLAN tags (outer, inner)"
	[b]="one conversation, a record per idle period (restarts after a timeout)"
	[c]="one conversation, a record per connection on a reused 4-tuple (a SYN with a new ISN)"
	[d]="frames in a conversation and in a flow without ports (IPv6 behind AH, a wrong UDP length)"
	[e]="frames in a conversation and in no flow (behind a third VLAN tag)"
	[f]="records without ports, held to the per-frame flows only"
	[either]="gaps within the maintenance period after the timeout (xdpi's choice taken)"
)

# check NAME PCAP: xdpi's records, then every comparison of flowconv.py.
check() {
	local name=$1 pcap=$2 line tab=$'\t' rule n
	if ! "$XDPI" read --flow-timeout "$FLOW_TIMEOUT_S" --flow-closed-timeout "$CLOSED_TIMEOUT_S" \
		--json-lines "$T_TMP/$name.jsonl" "$pcap" >/dev/null 2>"$T_TMP/$name.err" ||
		[ -s "$T_TMP/$name.err" ]; then
		t_fail "$name: xdpi read --json-lines (exit 0, nothing on stderr)" \
			"$(head -c 300 "$T_TMP/$name.err")"
		return
	fi
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "$name: ${line#ok }" ;;
		"fail "*)
			line=${line#fail }
			t_fail "$name: ${line%%"$tab"*}" "${line#*"$tab"}"
			;;
		"count "*)
			read -r _ rule n <<<"$line"
			RULES[$rule]=$((${RULES[$rule]:-0} + n))
			[ "$rule" != records ] && [ "$n" != 0 ] &&
				echo "# $name: rule $rule ($n): ${RULE_TEXT[$rule]}"
			;;
		*) t_fail "$name: flowconv.py" "$line" ;;
		esac
	done < <(python3 "$FLOWCONV" "$pcap" "$T_TMP/$name.jsonl" "$FLOW_TIMEOUT_S" \
		"$CLOSED_TIMEOUT_S" 2>&1)
}

if "$GEN" mixed "$T_TMP/mixed.pcap"; then
	check mixed "$T_TMP/mixed.pcap"
else
	t_fail "mixed: tool_pcapgen"
fi
if python3 "$HERE/mkflows.py" "$T_TMP/synthetic.pcap" 2>"$T_TMP/gen.err" &&
	python3 "$HERE/mkflows.py" "$T_TMP/synthetic_tail.pcap" --tail 200 2>>"$T_TMP/gen.err"; then
	check synthetic "$T_TMP/synthetic.pcap"
	check synthetic_tail "$T_TMP/synthetic_tail.pcap"
else
	t_fail "synthetic: tests/mkflows.py" "$(head -c 300 "$T_TMP/gen.err")"
fi
if python3 "$HERE/mkconv.py" "$T_TMP/conv.pcap" 2>"$T_TMP/gen.err"; then
	check conv "$T_TMP/conv.pcap"
else
	t_fail "conv: tests/mkconv.py" "$(head -c 300 "$T_TMP/gen.err")"
fi

# Real traffic, as tests/t_flows_oracle.sh captures it (no public capture
# is fetched: the tests make their own).
need=$(realtraffic_missing)
if [ -n "$need" ]; then
	t_skip "real traffic" "needs $need"
else
	mkdir -p "$T_TMP/real"
	if timeout 60 bash "$HERE/realtraffic.sh" "$T_TMP/real" >"$T_TMP/real.log" 2>&1; then
		for p in "$T_TMP"/real/*.pcap; do
			[ -s "$p" ] && check "real_$(basename "$p" .pcap)" "$p"
		done
	else
		t_fail "real traffic: tests/realtraffic.sh" "$(tail -c 600 "$T_TMP/real.log")"
	fi
fi

# Every rule applied somewhere: a documented difference no capture shows is
# not tested (the gaps in the band where either is allowed are counted, not
# required).
for rule in a b c d e f; do
	if [ "${RULES[$rule]}" -gt 0 ]; then
		t_ok "rule $rule applied (${RULES[$rule]}): ${RULE_TEXT[$rule]}"
	else
		t_fail "rule $rule applied: ${RULE_TEXT[$rule]}" "no capture shows it"
	fi
done
echo "# rule either (${RULES[either]}): ${RULE_TEXT[either]}"
if [ "${RULES[records]}" -gt 0 ]; then
	t_ok "flow records compared: ${RULES[records]}"
else
	t_fail "flow records compared" "none"
fi

t_done
