#!/bin/bash
# xdpi live --connections on the veth testbed: tcpreplay sends
# tests/mktop.py's whole connections (FIN each way), tool_pcapgen's
# handshakes and many flows (3,715 TCP conversations); short flow
# timeouts end every connection while the run still goes on. The lines
# must be on stdout before SIGINT (the call_rcu thread queues, the
# reporter prints between ticks), and after the end the lines must be
# tshark's `-z conv,tcp` of the same pcap: every conversation exactly one
# line, same endpoints, packets each way, bytes each way where tshark
# prints them exactly. The default lines fit 80 columns, one per
# connection too; nothing is refused by the queue; exit 0.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "live --connections tests" lc
for tool in tshark tcpreplay mergecap; do
	command -v $tool >/dev/null || { t_fail "$tool is needed (make deps)"; t_done; exit; }
done

python3 tests/mktop.py "$T_TMP" || t_fail "mktop.py"
parts=("$T_TMP/conn.pcap")
for c in handshakes many_flows; do
	"$TOOLS/tool_pcapgen" "$c" "$T_TMP/$c.pcap" && parts+=("$T_TMP/$c.pcap")
done
mergecap -a -F pcap -w "$T_TMP/all.pcap" "${parts[@]}"
tshark -q -n -z conv,tcp -r "$T_TMP/all.pcap" 2>/dev/null >"$T_TMP/conv"
nconv=$(grep -c '<->' "$T_TMP/conv")

live_testbed_up

# tcp_lines FILE: the TCP connections' lines so far (the header not counted).
tcp_lines() { awk 'NR > 1 && $0 ~ / tcp /' "$1" 2>/dev/null | wc -l; }
# wait_lines FILE N: until FILE has N TCP lines, at most 20 s.
wait_lines() {
	for _ in $(seq 200); do
		[ "$(tcp_lines "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# run NAME ARGS...: a run that prints the connections as they end; the
# pcap replayed; the lines awaited while it runs; then SIGINT.
run() {
	local name=$1
	shift
	if ! live_start "$name" --connections --flow-timeout 1 --flow-closed-timeout 0.5 "$@"; then
		t_fail "$name: xdpi live starts" "$(tail -3 "$T_TMP/$name.err")"
		return 1
	fi
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$T_TMP/all.pcap" >/dev/null 2>&1
	wait_lines "$T_TMP/$name.out" "$nconv"
	local before
	before=$(tcp_lines "$T_TMP/$name.out")
	if kill -0 "$LIVE_PID" 2>/dev/null; then
		t_eq "$name: a line per connection while the run goes on (before SIGINT)" \
			"$before" "$nconv"
	else
		t_fail "$name: still running when the lines are checked"
	fi
	cp "$T_TMP/$name.out" "$T_TMP/$name.before"
	kill -INT "$LIVE_PID"
	live_wait_exit "$name" 30
	t_eq "$name: exit 0" "$LIVE_RC" "0"
	grep -q "not printed" "$T_TMP/$name.err" &&
		t_fail "$name: the queue refused lines" "$(grep "not printed" "$T_TMP/$name.err")"
	grep -q "^ledger\|unexplained" "$T_TMP/$name.err" ||
		t_fail "$name: the summary and ledger go to stderr" "$(tail -3 "$T_TMP/$name.err")"
	t_eq "$name: the header first" "$(head -1 "$T_TMP/$name.out" | awk '{print $1}')" "start"
}

if run long -v; then
	out=$(python3 tests/connconv.py --once "$T_TMP/long.out" "$T_TMP/conv")
	t_eq "-v: every connection once, endpoints, packets and bytes each way as tshark's conv,tcp (${out%% *} conversations)" \
		"${out#* * }" "OK"
	t_eq "-v: no line after SIGINT (all ended while running)" \
		"$(tcp_lines "$T_TMP/long.out")" "$nconv"
	# The RTTs are tcpreplay's pacing, not the capture's: measured, a
	# number; the Hosts are the requests'.
	t_eq "-v: a handshake RTT and the Host of mktop.py's connections" \
		"$(awk '$14 ~ /^H:/ && $13 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ { print $14 }' "$T_TMP/long.out" |
			sort | tr '\n' ' ')" "H:big.test H:busy.test H:slow.test "
fi
if run short; then
	t_eq "default: every line fits 80 columns" "$(awk 'length($0) > 80' "$T_TMP/short.out" | head -2)" ""
	t_eq "default: a line per connection" "$(tcp_lines "$T_TMP/short.out")" "$nconv"
fi

# A queue too small for what ends at once (XDPI_TEST_CONN_SLOTS): what it
# refuses is counted and said at the end, so that the lines and the count
# add up to tshark's conversations; the run still exits 0.
if XDPI_TEST_CONN_SLOTS=16 live_start small --connections --flow-timeout 1 \
	--flow-closed-timeout 0.5 -v; then
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$T_TMP/all.pcap" >/dev/null 2>&1
	wait_quiet
	kill -INT "$LIVE_PID"
	live_wait_exit small 30
	t_eq "full queue: exit 0" "$LIVE_RC" "0"
	refused=$(sed -n 's/.*--connections: \([0-9]*\) ended connections not printed.*/\1/p' \
		"$T_TMP/small.err")
	printed=$(tcp_lines "$T_TMP/small.out")
	if [ -n "$refused" ] && [ "$refused" -gt 0 ]; then
		t_eq "full queue: lines printed ($printed) and refused ($refused) add up to tshark's conversations" \
			"$((printed + refused))" "$nconv"
	else
		t_fail "full queue: the refused lines are counted and said" "$(tail -3 "$T_TMP/small.err")"
	fi
	# The ring went round several times: each line printed is still one
	# whole conversation, none twice.
	out=$(python3 tests/connconv.py --once --subset "$T_TMP/small.out" "$T_TMP/conv")
	t_eq "full queue: each line printed one of tshark's conversations, once" "${out#* * }" "OK"
else
	t_fail "small: xdpi live starts" "$(tail -3 "$T_TMP/small.err")"
fi

# A reader that goes away (`| head`): the run stops by itself, in order
# (exit 1, said, nothing left attached), not at the next signal. Its
# stdout a pipe whose reader is gone before xdpi starts (a FIFO opened
# read-write, a writer opened, the read-write end closed): the first
# write, the header, fails with EPIPE, whatever the timing.
mkfifo "$T_TMP/fifo"
# shellcheck disable=SC2094 # both ends of one FIFO, on purpose
exec 4<>"$T_TMP/fifo" 5>"$T_TMP/fifo" 4<&-
timeout 60 ip netns exec "$TB_DUT" sh -c \
	'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' sh \
	"$XDPI" live --takeover --connections "$TB_DUT_IF" >&5 2>"$T_TMP/pipe.err"
echo $? >"$T_TMP/pipe.rc"
exec 5>&-
t_eq "stdout closed: the run stops by itself, exit 1" "$(cat "$T_TMP/pipe.rc")" "1"
grep -q "cannot write to standard output" "$T_TMP/pipe.err" ||
	t_fail "stdout closed: said" "$(tail -3 "$T_TMP/pipe.err")"
grep -q "^ledger\|unexplained" "$T_TMP/pipe.err" ||
	t_fail "stdout closed: the summary and ledger still on stderr" "$(tail -3 "$T_TMP/pipe.err")"
t_eq "stdout closed: nothing attached to $TB_DUT_IF" "$(xdp_attached_dut)" ""

# The conflicts, as `xdpi read --connections`: usage errors (exit 2)
# before anything is set up.
for bad in "--json" "--json-lines -" "-w -" "--no-flows"; do
	# shellcheck disable=SC2086 # the option and its value
	"$XDPI" live --connections $bad "$TB_DUT_IF" >/dev/null 2>"$T_TMP/bad.err"
	t_eq "--connections $bad: exit 2" "$?" "2"
done
t_done
