#!/bin/bash
# The ledger under real loss, and every signal. Drops are forced (the whole
# xdpi process stopped with SIGSTOP while a paced generator sends): the
# ledger must count them by their reason and still close, and --check-seq
# must find exactly the frames the socket dropped. Then every signal that
# ends a process by default ends `xdpi live`, `xdpi gen`, `xdpi bench` and
# `xdpi tune` through their teardown: stop reason, exit status, nothing
# left attached or in a namespace.
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
. tests/lib_live.sh
live_test_begin "loss and signal tests" l

xdp_attached() { # IFACE NS: the XDP attachment of IFACE in NS, if any
	ip -n "$2" -d link show "$1" | grep -oE 'prog/xdp id [0-9]+' | head -1
}

live_testbed_up

# --- 1. forced loss: xdpi stopped in the middle of 3 s at 100 kpps until
# 40,000 frames have reached its XDP program (against a 16384-frame UMEM). With the worker stopped the
# RX ring fills every UMEM frame, so the socket drops for want of a fill
# ring frame: that is the reason the ledger must show.
if live_start loss --interval 0 --json --check-seq --cpus "$RX_CPU"; then
	ip netns exec "$TB_GEN" "$XDPI" gen --json --cpus "$GEN_CPU" --rate 100000 --duration 3 \
		--flows 8 "$TB_GEN_IF" >"$T_TMP/loss.gen" 2>"$T_TMP/loss.gen.err" &
	gen_pid=$!
	# Conditions, not sleeps: stopped once frames flow, resumed once the
	# XDP program (which runs while xdpi is stopped) has seen 40,000 more,
	# more than the UMEM's 16,384 frames can hold, whatever the host's
	# speed (at most 20 s each).
	xdp_seen() {
		ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" 2>/dev/null |
			awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}'
	}
	for _ in $(seq 200); do [ "$(xdp_seen)" -gt 1000 ] && break; sleep 0.1; done
	kill -STOP "$LIVE_PID"
	at_stop=$(xdp_seen)
	for _ in $(seq 200); do
		[ "$(xdp_seen)" -gt $((at_stop + 40000)) ] && break
		kill -0 "$gen_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -CONT "$LIVE_PID"
	wait "$gen_pid"
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_eq "forced loss: xdpi exits 0 (the ledger closes)" "$?" 0
	got=$(json "$T_TMP/loss.out" '(lambda q: (q["socket"]["rx_dropped"] > 16384, q["socket"]["rx_fill_ring_empty_descs"] == q["socket"]["rx_dropped"], q["inspected"] + q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] == q["xdp"]["redirected"], q["unexplained"], d["ledger"]["unexplained"]))(d["ledger"]["queues"][0])')
	t_eq "forced loss: drops counted (> 16384), all for an empty fill ring, inspected + dropped = redirected, 0 unexplained" \
		"$got" "(True, True, True, 0, 0)"
	# The loss monitor lays each fill-ring drop at a cause; the whole
	# process was stopped, so every drop was made while the worker was off
	# its CPU, whether the stop found it spinning or asleep in poll().
	t_eq "forced loss: every fill_empty drop laid at 'off CPU' (split sums to fill_empty)" \
		"$(json "$T_TMP/loss.out" '(lambda q: (q["fill_empty_causes"]["off_cpu"] == q["socket"]["rx_fill_ring_empty_descs"], q["fill_empty_causes"]["running"], q["fill_empty_causes"]["asleep"], q["worker"]["longest_gap_ns"] >= 300000000))(d["ledger"]["queues"][0])')" \
		"(True, 0, 0, True)"
	t_eq "forced loss: every frame sent reached the XDP program or was refused by veth" \
		"$(json "$T_TMP/loss.out" 'd["ledger"]["queues"][0]["xdp"]["seen"]')" \
		"$(json "$T_TMP/loss.gen" 'd["sent"] - d["iface_xdp_xmit_errors"]')"
	t_eq "forced loss: --check-seq finds exactly the frames the socket dropped" \
		"$(json "$T_TMP/loss.out" '(d["seq_check"]["lost"] == d["ledger"]["queues"][0]["socket"]["rx_dropped"], d["seq_check"]["duplicated"], d["seq_check"]["reordered"])')" \
		"(True, 0, 0)"
else
	t_fail "live started (loss)" "$(cat "$T_TMP/loss.err")"
fi

# --- 2. xdpi live ends through its teardown on every fatal signal
for sig in TERM HUP QUIT INT; do
	if live_start "sig$sig" --interval 0; then
		kill "-$sig" "$LIVE_PID"
		wait "$LIVE_PID"
		rc=$?
		t_eq "live SIG$sig: exit 0, stopped by SIG$sig, nothing attached" \
			"$rc/$(grep -c "stopped by SIG$sig" "$T_TMP/sig$sig.out")/$(xdp_attached "$TB_DUT_IF" "$TB_DUT")" \
			"0/1/"
	else
		t_fail "live started (SIG$sig)" "$(cat "$T_TMP/sig$sig.err")"
	fi
done
# SIGPIPE: the reader of its output goes away; the run still tears down.
# The reader takes one byte (the run did write), then goes; xdpi's next
# write gets EPIPE or SIGPIPE: it must still end through its teardown, say
# why, and leave nothing attached or locked.
ip netns exec "$TB_DUT" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' \
	sh "$XDPI" live --takeover --interval 0.1 --duration 5 "$TB_DUT_IF" 2>"$T_TMP/pipe.err" |
	head -c 1 >"$T_TMP/pipe.byte"
rc=${PIPESTATUS[0]}
t_eq "live with a closed pipe: the reader got a byte before it went" "$(wc -c <"$T_TMP/pipe.byte")" 1
t_eq "live with a closed pipe: exits through the teardown (status 0 or 1, not killed by the signal)" \
	"$([ "$rc" = 0 ] || [ "$rc" = 1 ] && echo yes)" "yes"
t_check "live with a closed pipe: says it stopped (the reason on stderr)" \
	grep -qiE "stopped|broken pipe|SIGPIPE|cannot write" "$T_TMP/pipe.err"
t_eq "live with a closed pipe: nothing attached, no owner lock left" \
	"$(xdp_attached "$TB_DUT_IF" "$TB_DUT")/$(test -e "$(owner_lock_path)" && echo locked)" "/"

# --- 3. xdpi gen: every fatal signal stops the senders and detaches its
# program from the sending interface
for sig in TERM HUP QUIT INT; do
	# ip netns exec execs xdpi: $! is xdpi itself, so the signal reaches it
	ip netns exec "$TB_GEN" "$XDPI" gen --rate 1000 --duration 30 "$TB_GEN_IF" \
		>"$T_TMP/gsig.out" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		[ -n "$(xdp_attached "$TB_GEN_IF" "$TB_GEN")" ] && break
		sleep 0.1
	done
	kill "-$sig" "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		t_fail "gen SIG$sig: still running 10 s after the signal"
	else
		wait "$pid"
		t_eq "gen SIG$sig: exit 0, program detached" \
			"$?/$(xdp_attached "$TB_GEN_IF" "$TB_GEN")" "0/"
	fi
done
testbed_down

# --- 4. bench and tune: a hang-up or quit leaves no namespace behind
leftovers() { ip netns list | grep -c '^xdpi-.*-b[0-9]'; }
before=$(leftovers)
for cmd in "bench --quick --duration 1 --receivers inspect" \
	"tune --duration 1 --rate 100000 --batch 64,128 --rx-size 8192 --fill-size 8192 --frame-size 2048 --need-wakeup 1 --placement busy-poll --out $T_TMP/tune"; do
	for sig in HUP QUIT; do
		# shellcheck disable=SC2086
		"$XDPI" $cmd >"$T_TMP/bsig.out" 2>&1 &
		pid=$!
		# once the testbed is up
		for _ in $(seq 100); do
			[ "$(leftovers)" != "$before" ] && break
			sleep 0.1
		done
		kill "-$sig" "$pid"
		wait "$pid"
		rc=$?
		t_eq "${cmd%% *} SIG$sig: exit 1 (interrupted), no namespace left" \
			"$rc/$(leftovers)" "1/$before"
	done
done

t_done
