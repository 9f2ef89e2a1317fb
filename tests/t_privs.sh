#!/bin/bash
# Least privilege of `xdpi live` (capture/privdrop.h, util/sandbox.h) on the
# veth testbed, read from /proc while generated traffic flows: every thread
# has no effective capability; the workers (named xdpi-qN) none permitted
# either, under seccomp (mode 2) with no_new_privs; the main thread keeps
# exactly the teardown set, and teardown works with it (ledger closed,
# nothing attached). --user nobody: every thread runs as nobody, the record
# is written as nobody, teardown still works. Without the privileges, live
# fails at once naming the missing capabilities; --keep-privileges opts out.
# Needs root (namespaces, XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "privilege tests" p

# Capability bits (linux/capability.h): the teardown set is CAP_NET_ADMIN
# (12), CAP_SYS_ADMIN (21) and CAP_BPF (39); --user adds CAP_DAC_OVERRIDE (1).
TEARDOWN=0000008000201000
TEARDOWN_USER=0000008000201002
ZERO=0000000000000000

testbed_up 1 "$TB_ID" || { t_fail "testbed up"; t_done; exit; }

xdp_attached() {
	ip -n "$TB_DUT" -d link show "$TB_DUT_IF" | grep -oE 'prog/xdp id [0-9]+' | head -1
}

# field TASK_STATUS KEY: the first word of KEY's line in a /proc status file.
field() {
	awk -v k="$2:" '$1 == k {print $2; exit}' "$1"
}

# snapshot NAME: one line per thread of $LIVE_PID into $T_TMP/NAME.threads:
# "tid comm uid CapPrm CapEff Seccomp NoNewPrivs", the main thread first.
snapshot() {
	local t out=$T_TMP/$1.threads
	: >"$out"
	for t in "/proc/$LIVE_PID/task/$LIVE_PID" /proc/"$LIVE_PID"/task/*; do
		# The main thread once, first.
		[ "$t" != "/proc/$LIVE_PID/task/$LIVE_PID" ] || [ ! -s "$out" ] || continue
		echo "${t##*/} $(cat "$t/comm") $(field "$t/status" Uid)" \
			"$(field "$t/status" CapPrm) $(field "$t/status" CapEff)" \
			"$(field "$t/status" Seccomp) $(field "$t/status" NoNewPrivs)" >>"$out"
	done 2>/dev/null
}

# run NAME LIVE_ARGS...: live with the writer thread (-w), flows to a JSON
# lines file and a record, under 40000 frames at 20 kpps; a snapshot of its
# threads 0.5 s into the traffic; SIGINT once the traffic is over. Sets RC.
run() {
	local name=$1
	shift
	RC=
	if ! live_start "$name" --interval 0 --cpus "$RX_CPU" "$@"; then
		t_fail "$name: live starts" "$(tail -3 "$T_TMP/$name.err")"
		return 1
	fi
	testbed_gen "$XDPI" gen --cpus "$GEN_CPU" --rate 20000 --count 40000 "$TB_GEN_IF" \
		>/dev/null 2>"$T_TMP/$name.gerr" &
	local gen=$!
	sleep 0.5
	snapshot "$name"
	wait "$gen"
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	RC=$?
}

# check_threads NAME MAIN_PRM UID: the snapshot's assertions.
check_threads() {
	local name=$1 snap=$T_TMP/$1.threads
	local main workers
	main=$(head -1 "$snap")
	workers=$(awk '$2 ~ /^xdpi-q/' "$snap")
	t_eq "$name: threads seen (main, workers, helpers)" \
		"$(($(wc -l <"$snap") >= 3))/$(echo "$workers" | grep -c .)" "1/1"
	t_eq "$name: CapEff 0 in every thread" \
		"$(awk -v z=$ZERO '$5 != z {print $1, $2, $5}' "$snap")" ""
	t_eq "$name: workers keep nothing, seccomp filter, no_new_privs" \
		"$(echo "$workers" | awk '{print $4, $6, $7}')" "$ZERO 2 1"
	t_eq "$name: main thread keeps the teardown set, no_new_privs, no filter" \
		"$(echo "$main" | awk '{print $4, $6, $7}')" "$2 0 1"
	t_eq "$name: every thread runs as uid $3" \
		"$(awk -v u="$3" '$3 != u {print $1, $2, $3}' "$snap")" ""
}

# check_teardown NAME: exit 0, ledger closed with frames inspected, nothing
# left attached.
check_teardown() {
	local name=$1
	t_eq "$name: exits 0" "$RC" 0
	t_eq "$name: ledger closed, the frames sent inspected" \
		"$(json "$T_TMP/$name.out" 'd["ledger"]["unexplained"], d["packets"]')" "0 40000"
	t_eq "$name: nothing attached after teardown" "$(xdp_attached)" ""
}

# --- 1. default: privileges dropped after set-up
if run drop --json --record "$T_TMP/drop.rec" -w "$T_TMP/drop.pcapng" \
	--json-lines "$T_TMP/drop.jsonl"; then
	check_threads drop "$TEARDOWN" 0
	# Of the helper threads the pcapng writer and the loss monitor drop
	# their permitted set themselves (liburcu's keep what they were born
	# with, docs/live.md).
	t_eq "drop: the pcapng writer and the loss monitor keep nothing" \
		"$(awk -v z=$ZERO 'NR > 1 && $2 !~ /^xdpi-q/ && $4 == z' "$T_TMP/drop.threads" | grep -c .)" 2
	t_eq "drop: the loss monitor runs and keeps nothing" \
		"$(awk -v z=$ZERO '$2 == "xdpi-losswatch" {print $4 == z}' "$T_TMP/drop.threads")" 1
	check_teardown drop
	t_eq "drop: -w wrote every frame" "$(capinfos -c -M "$T_TMP/drop.pcapng" 2>/dev/null |
		awk '/Number of packets/{print $NF}')" 40000
	t_eq "drop: one line says what was kept" \
		"$(grep -c 'privileges: workers none (seccomp), main thread cap_net_admin,cap_bpf,cap_sys_admin for teardown only$' "$T_TMP/drop.err")" 1
fi

# --- 2. --user nobody: the record is written as nobody, teardown still works
chmod o+x "$T_TMP"
mkdir -m 0777 "$T_TMP/nobody"
if run user --user nobody --json --record "$T_TMP/nobody/user.rec"; then
	check_threads user "$TEARDOWN_USER" 65534
	# The threads made before the uid change lose everything with it;
	# those made after (flow expiry) are born with the main thread's
	# permitted set, nothing effective.
	t_eq "user: helper threads keep nothing or the teardown set" \
		"$(awk -v z=$ZERO -v t=$TEARDOWN_USER 'NR > 1 && $4 != z && $4 != t' "$T_TMP/user.threads")" ""
	# Made before the switch: liburcu's call_rcu thread and the loss
	# monitor (the flow index is xdpi's own since issue 24: liburcu's
	# hash-table resize thread is no more).
	t_eq "user: the threads made during set-up keep nothing (the loss monitor too)" \
		"$(awk -v z=$ZERO 'NR > 1 && $2 !~ /^xdpi-q/ && $4 == z' "$T_TMP/user.threads" | grep -c .)" 2
	check_teardown user
	t_eq "user: the record is written, by nobody" \
		"$(stat -c %U "$T_TMP/nobody/user.rec" 2>/dev/null)/$(json "$T_TMP/nobody/user.rec" 'd["ledger"]["unexplained"]')" \
		"nobody/0"
	t_eq "user: said" "$(grep -c 'for teardown only, user nobody$' "$T_TMP/user.err")" 1
fi

# --- 3. --keep-privileges: nothing dropped, said so
if run keep --keep-privileges --json; then
	t_eq "keep: worker not filtered, main thread keeps every capability effective" \
		"$(awk '$2 ~ /^xdpi-q/ {print $6}' "$T_TMP/keep.threads")/$(head -1 "$T_TMP/keep.threads" | awk -v z=$ZERO '{print ($5 != z)}')" \
		"0/1"
	check_teardown keep
	t_eq "keep: said" "$(grep -c 'privileges: kept, every thread (--keep-privileges)' "$T_TMP/keep.err")" 1
fi

# --- 3b. a worker that cannot enter its sandbox (test hook): the run does
# not go on without it: it stops within a few seconds, says why, reports
# stop_reason worker_failed with the ledger closed, exits 1, detaches.
start=$SECONDS
XDPI_TEST_SANDBOX_FAILS=0 live_start nosandbox --interval 0 --json
for _ in $(seq 100); do
	kill -0 "$LIVE_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$LIVE_PID" 2>/dev/null
rc=$?
t_eq "sandbox refused: exit 1 within 10 s, nothing attached" \
	"$rc/$((SECONDS - start < 10))/$(xdp_attached)" "1/1/"
t_eq "sandbox refused: the worker and the run say why" \
	"$(grep -c "queue 0: the worker cannot enter its sandbox" "$T_TMP/nosandbox.err")/$(grep -c "a worker stopped: stopping the run" "$T_TMP/nosandbox.err")" "1/1"
t_eq "sandbox refused: stop_reason worker_failed, ledger closed" \
	"$(json "$T_TMP/nosandbox.out" '(d["stop_reason"], d["ledger"]["unexplained"])')" "('worker_failed', 0)"

# --- 4. refusals: each at once (before the XDP program is attached), exit 1,
# the reason named
refused() { # NAME WANT_MESSAGE CMD_PREFIX... -- LIVE_ARGS...
	local name=$1 want=$2 pre=()
	shift 2
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	ip netns exec "$TB_DUT" timeout 20 "${pre[@]}" "$XDPI" live --takeover "$@" "$TB_DUT_IF" \
		>/dev/null 2>"$T_TMP/$name.err"
	t_eq "$name: exit 1, $want" "$?/$(grep -c -- "$want" "$T_TMP/$name.err")/$(xdp_attached)" "1/1/"
	t_eq "$name: refused before anything was attached" \
		"$(grep -cE 'ready:|XDP program attached' "$T_TMP/$name.err")" 0
}
refused unprivileged "missing CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF (or CAP_SYS_ADMIN)" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all --
refused no_net_raw "missing CAP_NET_RAW: " setpriv --bounding-set=-net_raw --
refused no_bpf "missing CAP_BPF (or CAP_SYS_ADMIN)" setpriv --bounding-set=-bpf,-sys_admin --
refused no_user "--user nosuchuser: no such user" -- --user nosuchuser
refused user_and_keep "--user drops privileges, --keep-privileges keeps them" -- \
	--user nobody --keep-privileges

t_done
