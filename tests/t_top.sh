#!/bin/bash
# xdpi top in a real terminal (tmux, 80x24) on the veth testbed: three
# connections from tests/mktop.py whose handshakes set their RTTs (1, 5,
# 20 ms) and whose data round, replayed in a loop by tcpreplay at a rate
# it is asked for, makes one clearly busiest by packets (8 of 11 frames)
# and another by bits (2 frames of 1400 bytes). The screen must show the
# busiest connection on top at a rate within a wide band of what
# tcpreplay was asked for; b and r change the sort (the header says so
# and the order follows the generator's design); / filters; q and SIGTERM
# both end it with exit status 0, the terminal's settings (stty -a in the
# pane) as before, and nothing left attached to the interface.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "top tests" tp
command -v tmux >/dev/null || { t_skip "top tests" "no tmux (make deps)"; t_done; exit; }

python3 tests/mktop.py "$T_TMP" || t_fail "mktop.py"
live_testbed_up
TMUX_SOCK=xdpi-top-$$
tm() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'live_watchdogs_kill; tm kill-server 2>/dev/null; pkill -f "tcpreplay.*$T_TMP/data.pcap"; testbed_down; rm -rf "$T_TMP"' EXIT
PPS=2000
BUSY_PPS=$((PPS * 8 / 11))

# The pane: the terminal's settings before, xdpi top (stdout the pane),
# its status and the settings after, then it waits to be read.
cat >"$T_TMP/pane.sh" <<EOF
stty -a >"$T_TMP/stty.before"
ip netns exec "$TB_DUT" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "\$@"' sh \
	"$XDPI" top --takeover "$TB_DUT_IF" 2>"$T_TMP/top.err"
echo \$? >"$T_TMP/rc"
stty -a >"$T_TMP/stty.after"
exec sleep 600
EOF

screen() { tm capture-pane -p -t top; }
# wait_screen PATTERN: until the pane shows PATTERN (an ERE), at most 15 s.
wait_screen() {
	for _ in $(seq 150); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# conn_order: the connections' client ports, top to bottom.
conn_order() {
	screen | awk '/^CONNECTION/ { f = 1; next } /^SOURCE/ { f = 0 } f' |
		grep -oE '^198\.18\.1\.[0-9]+:4000[0-9]' | sed 's/.*://' | tr '\n' ' '
}
top_pid() { pgrep -f "^$XDPI top --takeover $TB_DUT_IF"; }

top_start() {
	rm -f "$T_TMP/rc" "$T_TMP/stty.before" "$T_TMP/stty.after" "$T_TMP/top.err"
	tm new-session -d -s top -x 80 -y 24 "bash $T_TMP/pane.sh"
	(sleep 120 && tm kill-server) &
	LIVE_WATCHDOGS+=($!)
	disown $!
	for _ in $(seq 300); do
		grep -q "ready:" "$T_TMP/top.err" 2>/dev/null && wait_screen '^xdpi top' && return 0
		sleep 0.1
	done
	return 1
}
# top_end HOW: after q or SIGTERM, exit 0, stty the same, nothing attached.
top_end() {
	for _ in $(seq 150); do
		[ -s "$T_TMP/stty.after" ] && break
		sleep 0.1
	done
	t_eq "$1: exit status 0" "$(cat "$T_TMP/rc" 2>/dev/null)" "0"
	if [ -s "$T_TMP/stty.after" ] && cmp -s "$T_TMP/stty.before" "$T_TMP/stty.after"; then
		t_ok "$1: the terminal's settings (stty -a) as before"
	else
		t_fail "$1: the terminal's settings (stty -a) as before" \
			"$(diff "$T_TMP/stty.before" "$T_TMP/stty.after" 2>&1 | head -5)"
	fi
	t_eq "$1: nothing attached to $TB_DUT_IF" "$(xdp_attached_dut)" ""
	t_eq "$1: no owner record left" "$(ls "$(owner_lock_path)" 2>/dev/null)" ""
	if screen | grep -q "ledger"; then
		t_ok "$1: the summary and ledger printed after the view"
	else
		t_fail "$1: the summary and ledger printed after the view" "$(screen | tail -5)"
	fi
	tm kill-session -t top 2>/dev/null
}

# A terminal is required: a usage error otherwise.
"$XDPI" top lo </dev/null >"$T_TMP/notty.out" 2>&1
rc=$?
t_eq "top without a terminal: exit 2" "$rc" "2"
grep -q "top draws on a terminal" "$T_TMP/notty.out" ||
	t_fail "top without a terminal says why" "$(head -3 "$T_TMP/notty.out")"

if ! top_start; then
	t_fail "top starts in tmux" "$(tail -5 "$T_TMP/top.err" 2>/dev/null)"
	t_done
	exit
fi
t_ok "top starts in tmux"
testbed_gen tcpreplay -q -i "$TB_GEN_IF" "$T_TMP/hs.pcap" >/dev/null 2>&1
testbed_gen timeout 90 tcpreplay -q -i "$TB_GEN_IF" --pps "$PPS" --loop 0 "$T_TMP/data.pcap" \
	>/dev/null 2>&1 &
GEN=$!

# pps, the busiest first: busy (40001), big (40002), slow (40003).
wait_screen '^198\.18\.1\.3:40003' && sleep 2.2
t_eq "sort by pps (default): header" "$(screen | head -1 | grep -oE 'sort: [a-z]+')" "sort: pps"
t_eq "sort by pps: busy, big, slow" "$(conn_order)" "40001 40002 40003 "
row=$(screen | grep -E '^198\.18\.1\.1:40001 ' | head -1)
rate=$(awk '{ v = $4; m = 1; if (v ~ /k$/) { m = 1000; sub(/k$/, "", v) } print v * m }' <<<"$row")
if awk -v r="$rate" -v w="$BUSY_PPS" 'BEGIN { exit !(r >= w * 0.5 && r <= w * 1.5) }'; then
	t_ok "the busiest connection's rate $rate pps is near the $BUSY_PPS asked for"
else
	t_fail "the busiest connection's rate is near the $BUSY_PPS pps asked for" "row: $row"
fi
if grep -q "H busy.test" <<<"$row"; then
	t_ok "its HTTP Host is shown"
else
	t_fail "its HTTP Host is shown" "row: $row"
fi

tm send-keys -t top b
wait_screen 'sort: bps' && sleep 0.3
t_eq "b: the header says bps" "$(screen | head -1 | grep -oE 'sort: [a-z]+')" "sort: bps"
t_eq "b: big, slow, busy" "$(conn_order)" "40002 40003 40001 "
tm send-keys -t top r
wait_screen 'sort: rtt' && sleep 0.3
t_eq "r: the header says rtt" "$(screen | head -1 | grep -oE 'sort: [a-z]+')" "sort: rtt"
t_eq "r: slow (20 ms), big (5), busy (1)" "$(conn_order)" "40003 40002 40001 "
tm send-keys -t top p
wait_screen 'sort: pps'
t_eq "p: busy, big, slow again" "$(conn_order)" "40001 40002 40003 "

tm send-keys -t top / b i g Enter
for _ in $(seq 50); do
	[ "$(conn_order)" = "40002 " ] && break
	sleep 0.1
done
t_eq "/big: only the connection whose Host has it" "$(conn_order)" "40002 "
tm send-keys -t top / 1 9 8 . 1 8 . 2 . 3 Enter
for _ in $(seq 50); do
	[ "$(conn_order)" = "40003 " ] && break
	sleep 0.1
done
t_eq "/198.18.2.3: only the connection to that endpoint" "$(conn_order)" "40003 "

tm send-keys -t top q
top_end "q"

# SIGTERM under traffic.
if top_start; then
	wait_screen '^198\.18\.1\.1:40001'
	pid=$(top_pid)
	if [ -n "$pid" ]; then
		kill -TERM "$pid"
		top_end "SIGTERM"
	else
		t_fail "SIGTERM: found xdpi top's process"
	fi
else
	t_fail "top starts again" "$(tail -5 "$T_TMP/top.err" 2>/dev/null)"
fi
kill "$GEN" 2>/dev/null
wait "$GEN" 2>/dev/null

# An active alert (issue 31): hping3's SYN flood from random sources to
# the DUT's port 80, steered to xdpi so that nothing answers: the
# detection's syn_flood alert on a line of its own, with its destination
# and a rate, while it lasts.
if ! command -v hping3 >/dev/null; then
	t_skip "alerts in top" "no hping3 (make deps)"
elif top_start; then
	ip netns exec "$TB_GEN" timeout 6 hping3 -q -S -p 80 -i u200 --rand-source \
		"$TB_DUT_IP" >/dev/null 2>&1 &
	FLOOD=$!
	if wait_screen '^alert (start|update) syn_flood'; then
		row=$(screen | grep -E '^alert (start|update) syn_flood' | head -1)
		t_check "alert: syn_flood to $TB_DUT_IP port 80 with its rate, on a line of its own, as the log writes it" \
			grep -qE "^alert (start|update) syn_flood to $TB_DUT_IP port 80: [1-9][0-9]* SYN/s" <<<"$row"
		echo "# $row"
	else
		t_fail "alert: a syn_flood line in top while hping3 floods" "$(screen | tail -8)"
	fi
	wait "$FLOOD" 2>/dev/null
	tm send-keys -t top q
	top_end "after the alert"
	t_check "alert: the log (stderr after the view) has its start" \
		grep -q "alert start syn_flood" "$T_TMP/top.err"
else
	t_fail "top starts for the alert" "$(tail -5 "$T_TMP/top.err" 2>/dev/null)"
fi
t_done
