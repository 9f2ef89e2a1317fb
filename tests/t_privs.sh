#!/bin/bash
# Least privilege of `xdpi live` (capture/privdrop.h, util/sandbox.h) on the
# veth testbed, read from /proc while generated traffic flows, with every
# thread a run can have (-w, --json-lines, --prometheus, --ipfix, flows):
# exactly the table of docs/security.md. The main thread: the teardown set
# permitted, nothing effective, an empty bounding set, no_new_privs, no
# filter. Every other thread (workers xdpi-qN, xdpi-rcu, xdpi-flows,
# xdpi-losswatch, xdpi-writer, xdpi-http, xdpi-ipfix): nothing effective,
# permitted or bounding, no_new_privs, a seccomp filter. Again after a
# SIGHUP that moves the Prometheus listener (the new HTTP thread is made
# mid-run). --user nobody: every thread runs as nobody, the same sets. The
# ledger closes and teardown works with what the main thread kept. Without
# the privileges, live fails at once naming the missing capabilities;
# --keep-privileges opts out. Needs root (namespaces, XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "privilege tests" p

# Capability bits (linux/capability.h): the teardown set is CAP_NET_ADMIN
# (12), CAP_SYS_ADMIN (21) and CAP_BPF (39); --user adds CAP_DAC_OVERRIDE (1).
TEARDOWN=0000008000201000
TEARDOWN_USER=0000008000201002
ZERO=0000000000000000
# Every thread of a run with all the sinks on, by name, sorted.
THREADS="xdpi xdpi-flows xdpi-http xdpi-ipfix xdpi-losswatch xdpi-q0 xdpi-rcu xdpi-writer"

live_testbed_up
ip -n "$TB_DUT" link set lo up

xdp_attached() {
	ip -n "$TB_DUT" -d link show "$TB_DUT_IF" | grep -oE 'prog/xdp id [0-9]+' | head -1
}

# field TASK_STATUS KEY: the first word of KEY's line in a /proc status file.
field() {
	awk -v k="$2:" '$1 == k {print $2; exit}' "$1"
}

# snapshot NAME: one line per thread of $LIVE_PID into $T_TMP/NAME.threads:
# "tid comm uid CapPrm CapEff CapBnd Seccomp NoNewPrivs", the main thread
# first.
snapshot() {
	local t out=$T_TMP/$1.threads
	: >"$out"
	for t in "/proc/$LIVE_PID/task/$LIVE_PID" /proc/"$LIVE_PID"/task/*; do
		# The main thread once, first.
		[ "$t" != "/proc/$LIVE_PID/task/$LIVE_PID" ] || [ ! -s "$out" ] || continue
		echo "${t##*/} $(cat "$t/comm") $(field "$t/status" Uid)" \
			"$(field "$t/status" CapPrm) $(field "$t/status" CapEff)" \
			"$(field "$t/status" CapBnd) $(field "$t/status" Seccomp)" \
			"$(field "$t/status" NoNewPrivs)" >>"$out"
	done 2>/dev/null
}

# scrape PORT: the run's metrics, served in its namespace.
scrape() {
	ip netns exec "$TB_DUT" curl -s -f --max-time 5 "http://127.0.0.1:$1/metrics" |
		grep -c '^xdpi_scrapes_total '
}

# run NAME LIVE_ARGS...: live with every thread (-w, flows to a JSON-lines
# file, Prometheus from a config file, IPFIX to a port nobody listens on)
# and a record, under 40000 frames at 20 kpps; a snapshot of its threads
# 0.5 s into the traffic, then a SIGHUP that moves the listener and a
# second snapshot; SIGINT once the traffic is over. Sets RC.
run() {
	local name=$1 conf=$T_TMP/$1.conf
	shift
	RC=
	P1=$(t_free_port tcp)
	P2=$(t_free_port tcp)
	echo "prometheus = 127.0.0.1:$P1" >"$conf"
	if ! live_start "$name" --interval 0 --cpus "$RX_CPU" --config "$conf" \
		--ipfix "127.0.0.1:$(t_free_port udp)" -w "$T_TMP/$name.pcapng" \
		--json-lines "$T_TMP/$name.jsonl" "$@"; then
		t_fail "$name: live starts" "$(tail -3 "$T_TMP/$name.err")"
		return 1
	fi
	testbed_gen "$XDPI" gen --cpus "$GEN_CPU" --rate 20000 --count 40000 --flows 100 "$TB_GEN_IF" \
		>/dev/null 2>"$T_TMP/$name.gerr" &
	local gen=$!
	sleep 0.5
	snapshot "$name"
	t_eq "$name: metrics served" "$(scrape "$P1")" 1
	sed -i "s/^prometheus = .*/prometheus = 127.0.0.1:$P2/" "$conf"
	kill -HUP "$LIVE_PID"
	wait_err "$name" "SIGHUP: re-read $conf: applied prometheus"
	t_eq "$name: after SIGHUP, metrics served on the new port, not the old" \
		"$(scrape "$P2")/$(scrape "$P1")" "1/0"
	snapshot "$name.hup"
	wait "$gen"
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	RC=$?
}

# check_threads NAME MAIN_PRM UID: the table of docs/security.md.
check_threads() {
	local name=$1 snap=$T_TMP/$1.threads
	t_eq "$name: exactly the threads of a run with every sink" \
		"$(awk '{print $2}' "$snap" | sort | xargs)" "$THREADS"
	t_eq "$name: the main thread keeps the teardown set permitted only, no bounding set, no_new_privs, no filter" \
		"$(head -1 "$snap" | awk '{print $2, $4, $5, $6, $7, $8}')" \
		"xdpi $2 $ZERO $ZERO 0 1"
	t_eq "$name: every other thread: nothing effective, permitted or bounding, seccomp, no_new_privs" \
		"$(awk -v z=$ZERO 'NR > 1 && ($4 != z || $5 != z || $6 != z || $7 != 2 || $8 != 1)' "$snap")" ""
	t_eq "$name: every thread runs as uid $3" \
		"$(awk -v u="$3" '$3 != u {print $1, $2, $3}' "$snap")" ""
}

# check_teardown NAME: exit 0, ledger closed with frames inspected, nothing
# left attached, every frame in -w's file, every flow in the JSON lines.
check_teardown() {
	local name=$1
	t_eq "$name: exits 0" "$RC" 0
	t_eq "$name: ledger closed, the frames sent inspected" \
		"$(json "$T_TMP/$name.out" 'd["ledger"]["unexplained"], d["packets"]')" "0 40000"
	t_eq "$name: nothing attached after teardown" "$(xdp_attached)" ""
	t_eq "$name: -w wrote every frame" "$(capinfos -c -M "$T_TMP/$name.pcapng" 2>/dev/null |
		awk '/Number of packets/{print $NF}')" 40000
	t_eq "$name: the sandboxed call_rcu thread wrote the line of every flow sent" \
		"$(grep -c '"type":"flow"' "$T_TMP/$name.jsonl")" 100
}

# --- 1. default: privileges dropped after set-up
if run drop --json --record "$T_TMP/drop.rec"; then
	check_threads drop "$TEARDOWN" 0
	check_threads drop.hup "$TEARDOWN" 0
	check_teardown drop
	t_eq "drop: one line says what was kept" \
		"$(grep -c 'privileges: every thread but the main one none (seccomp), main thread cap_net_admin,cap_bpf,cap_sys_admin for teardown only$' "$T_TMP/drop.err")" 1
fi

# --- 2. --user nobody: the record is written as nobody, teardown still works
chmod o+x "$T_TMP"
mkdir -m 0777 "$T_TMP/nobody"
if run user --user nobody --json --record "$T_TMP/nobody/user.rec"; then
	check_threads user "$TEARDOWN_USER" 65534
	check_threads user.hup "$TEARDOWN_USER" 65534
	check_teardown user
	t_eq "user: the record is written, by nobody" \
		"$(stat -c %U "$T_TMP/nobody/user.rec" 2>/dev/null)/$(json "$T_TMP/nobody/user.rec" 'd["ledger"]["unexplained"]')" \
		"nobody/0"
	t_eq "user: said" "$(grep -c 'for teardown only, user nobody$' "$T_TMP/user.err")" 1
fi

# --- 3. --keep-privileges: nothing dropped, said so
if run keep --keep-privileges --json; then
	t_eq "keep: no thread filtered, main thread keeps every capability effective" \
		"$(awk '$7 != 0' "$T_TMP/keep.threads")/$(head -1 "$T_TMP/keep.threads" | awk -v z=$ZERO '{print ($5 != z)}')" \
		"/1"
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
