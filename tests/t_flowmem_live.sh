#!/bin/bash
# The flow table's memory bound against hostile input, live (issue 25), on
# the veth testbed: a million spoofed SYNs that each carry an HTTP request
# (`xdpi gen --preset syn-flood --payload http`) at `xdpi live --max-flows
# 200000`; then a million that each carry a ClientHello while the reader
# of `--json-lines -` (standard output, a FIFO) reads nothing until the
# flood is over, so that the records the table removes wait for their
# lines (they hold up the call_rcu thread). Each run's peak resident set (tests/peakrss.py)
# must stay under the budget: a --no-flows run of the same flood (the
# binary, its libraries, the UMEM, the other metrics) plus what
# docs/flows.md declares for a table of that bound (flow_budget_kib). And
# nothing is lost silently: the ledger closes, every frame inspected is a
# flow tracked or a packet counted untracked, every tracked flow's peek is
# kept, and once the reader reads, every flow has its line.
#   tests/t_flowmem_live.sh BUILD_DIR
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
. tests/lib_live.sh
live_test_begin "flow table budget, live" fb

N=1000000
MAX=200000
RATE=300000
PEAK=$PWD/tests/peakrss.py
budget=$(flow_budget_kib "$MAX") || {
	t_fail "docs/flows.md declares the bytes a flow takes"
	t_done
	exit 1
}
live_testbed_up

# flood NAME PAYLOAD LIVE_ARGS...: xdpi live (under peakrss.py; its JSON
# record in NAME.json), a flood of N new flows with PAYLOAD, then SIGINT
# once the frames have arrived. FLOOD_DONE (a command, optional) runs
# between the two. 0 if the run exited 0 with its ledger closed, every
# frame sent.
flood() {
	local name=$1 payload=$2 got
	shift 2
	LIVE_WRAP=(python3 "$PEAK" "$T_TMP/$name.rss")
	if ! live_start "$name" --interval 0 --record "$T_TMP/$name.json" --cpus "$RX_CPU" "$@"; then
		LIVE_WRAP=()
		t_fail "$name: live started" "$(cat "$T_TMP/$name.err")"
		return 1
	fi
	LIVE_WRAP=()
	testbed_gen "$XDPI" gen --cpus "$GEN_CPU" --preset syn-flood --payload "$payload" \
		--rate "$RATE" --count "$N" --json "$TB_GEN_IF" >"$T_TMP/$name.gen" 2>"$T_TMP/$name.gen.err"
	wait_quiet
	${FLOOD_DONE:-}
	kill -INT "$LIVE_PID"
	live_wait_exit "$name" 60
	got="$LIVE_RC/$(json "$T_TMP/$name.json" 'd["ledger"]["unexplained"]' 2>/dev/null)"
	got+="/$(json "$T_TMP/$name.gen" 'd["sent"]' 2>/dev/null)"
	t_eq "$name: exit 0, ledger closed, every frame sent" "$got" "0/0/$N"
	[ "$got" = "0/0/$N" ]
}

# within NAME: its peak resident set against the --no-flows run's plus the
# budget.
within() {
	local got base
	got=$(cat "$T_TMP/$1.rss")
	base=$(cat "$T_TMP/base.rss")
	echo "# $1: peak $got KiB, --no-flows $base KiB, budget $base + $budget KiB"
	if [[ $BUILD == *san* ]]; then
		t_skip "$1: peak resident set within the budget" "ASan build (shadow memory)"
	elif [ "$got" -le $((base + budget)) ]; then
		t_ok "$1: peak resident set $got KiB within --no-flows $base + $budget KiB"
	else
		t_fail "$1: peak resident set within the budget" \
			"$got KiB > $base KiB (--no-flows) + $budget KiB (docs/flows.md, --max-flows $MAX)"
	fi
}

# counted NAME PEEK_EXPR: every frame inspected a flow tracked or a packet
# untracked; PEEK_EXPR (over the connections `c`) counts the flows whose
# peek was kept: all of them.
counted() {
	t_eq "$1: every frame inspected a flow tracked or untracked, every peek kept" \
		"$(json "$T_TMP/$1.json" "(lambda c: (c['flows'] + c['untracked'] == d['packets'], \
c['flows'] == $2, c['max_flows'], sum(c['ended'].values()) == c['flows']))(d['connections'])")" \
		"(True, True, $MAX, True)"
}

flood base http --no-flows

if flood http http --max-flows "$MAX"; then
	within http
	counted http "c['http_methods'].get('GET', 0)"
fi

# The stalled reader: xdpi's standard output is a FIFO (--json-lines -
# writes there; a --json-lines FILE must be a regular file); the reader
# opens it, so that the shell's open for xdpi returns, then reads only
# once told to, after the flood.
mkfifo "$T_TMP/stalled.out"
(
	exec 3<"$T_TMP/stalled.out"
	while [ ! -e "$T_TMP/read" ]; do sleep 0.1; done
	cat <&3 >"$T_TMP/lines.jsonl"
) &
reader=$!
FLOOD_DONE="touch $T_TMP/read"
if flood stalled tls --max-flows "$MAX" --json-lines -; then
	wait "$reader"
	within stalled
	counted stalled "c['tls_client_hellos']"
	t_eq "stalled: new flows were refused while records waited for their lines" \
		"$(json "$T_TMP/stalled.json" 'd["connections"]["untracked"] > 0')" True
	t_eq "stalled: then every flow had its line" \
		"$(python3 -c 'import json, sys
n = sum(json.loads(l)["type"] == "flow" for l in open(sys.argv[1]))
print(n == json.load(open(sys.argv[2]))["connections"]["flows"])' \
			"$T_TMP/lines.jsonl" "$T_TMP/stalled.json")" True
else
	touch "$T_TMP/read"
	kill "$reader" 2>/dev/null
fi
t_done
