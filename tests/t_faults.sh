#!/bin/bash
# Faults on the veth testbed (issue 10): a worker that fails to start under
# traffic, `xdpi detach` against a running owner, the interface deleted
# while running, kill -9 and the cleanup after it, the link going down and
# up, a stalled worker seen by the watchdog, malformed frames on the wire.
# Each asserts the exit, the message and the ledger; what was inspected is
# held to the generator's own count, veth's XDP counter or tshark's
# dissection of a tcpdump capture, never to xdpi itself; every wait is
# bounded.
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
. tests/lib_live.sh
live_test_begin "fault tests" f

LIVE_WATCHDOG_S=90
ledger_closed() { # FILE: the JSON record's verdict
	json "$1" '(d["ledger"]["unexplained"], d["ledger"]["queues"][0]["unexplained"])'
}

testbed_up 2 "$TB_ID" || { t_fail "testbed up"; t_done; exit; }

# --- 1. defect 4: worker 1 fails to start while worker 0 already receives
# a generator running flat out into queue 0 (the XDP frames of a sender on
# CPU 0 land in queue 0). Worker 0 is made slower than its traffic (5 ms
# per batch, at most 12.8 kpps; veth's sender alone is slower than a worker,
# a NIC at line rate is not): teardown must stop the redirect before it
# joins worker 0, whose ring otherwise never empties: the run must end.
ip netns exec "$TB_GEN" "$XDPI" gen --cpus "$GEN_CPU" --duration 20 --flows 4 "$TB_GEN_IF" \
	>"$T_TMP/flat.gen" 2>&1 &
gen_pid=$!
sleep 0.5
t0=$(date +%s%N)
XDPI_TEST_FAIL_WORKER=1 XDPI_TEST_SLOW_QUEUE=0:5000 live_start failstart --interval 0 \
	--cpus "$RX_CPU,$GEN_CPU"
live_wait_exit failstart 30
took=$((($(date +%s%N) - t0) / 1000000))
echo "# from launch to exit: $took ms"
# With the redirect stopped first, worker 0 drains at most its 16384 UMEM
# frames (1.28 s at 64 frames per 5 ms); joined first, it drains for as long
# as the generator sends (over 8 s here).
t_eq "worker 1 fails to start under traffic: exit 1 within 5 s of the start" \
	"$LIVE_RC/$((took < 5000))" "1/1"
t_check "worker 1 fails to start: says so" grep -q "cannot start worker 1" "$T_TMP/failstart.err"
t_eq "worker 1 fails to start: nothing attached" "$(xdp_attached_dut)" ""
kill "$gen_pid" 2>/dev/null
wait "$gen_pid" 2>/dev/null

# --- 2. defect 11: detach refuses while the run that attached still runs
if live_start owner --interval 0 --json; then
	lock=$(owner_lock_path)
	t_eq "the run records its pid in $lock" "$(cat "$lock" 2>/dev/null)" "$LIVE_PID"
	out=$(testbed_dut "$XDPI" detach "$TB_DUT_IF" 2>&1)
	t_eq "detach while live runs: exit 1" "$?" 1
	t_check "detach while live runs: names the running owner" \
		grep -q "in use by a running xdpi live (pid $LIVE_PID).*--force" <<<"$out"
	t_check "detach while live runs: the program stays" test -n "$(xdp_attached_dut)"
	testbed_dut "$XDPI" live --takeover --duration 1 "$TB_DUT_IF" >/dev/null 2>"$T_TMP/second.err"
	t_eq "a second live on the interface: exit 1" "$?" 1
	t_check "a second live: names the first" grep -q "in use by another xdpi live (pid $LIVE_PID)" \
		"$T_TMP/second.err"
	xdp_before=$(dut_xdp_packets)
	testbed_gen "$XDPI" gen --rate 20000 --count 2000 "$TB_GEN_IF" >/dev/null 2>&1
	wait_quiet
	xdp_seen=$(($(dut_xdp_packets) - xdp_before))
	kill -INT "$LIVE_PID"
	live_wait_exit owner 20
	t_eq "the owner still works: exit 0, the 2000 sent through XDP (veth's counter) and inspected, ledger closed" \
		"$LIVE_RC/$xdp_seen/$(json "$T_TMP/owner.out" 'd["packets"]')/$(ledger_closed "$T_TMP/owner.out")" \
		"0/2000/2000/(0, 0)"
	t_eq "a clean exit removes its record and its program" \
		"$(test -e "$lock" && echo "$lock")$(xdp_attached_dut)" ""
else
	t_fail "live started (owner)" "$(cat "$T_TMP/owner.err")"
fi
if live_start forced --interval 0; then
	out=$(testbed_dut "$XDPI" detach --force "$TB_DUT_IF" 2>&1)
	t_eq "detach --force while live runs: exit 0, nothing attached" \
		"$?/$(xdp_attached_dut)" "0/"
	kill -INT "$LIVE_PID"
	live_wait_exit forced 20
	t_check "the run whose program was removed still ends" test "$LIVE_RC" != 137
else
	t_fail "live started (forced)" "$(cat "$T_TMP/forced.err")"
fi

# --- 3. fault b: kill -9 under traffic; xdpi detach cleans up (the dead
# owner's lock is free), then the next run works
if live_start killed --interval 0; then
	testbed_gen "$XDPI" gen --rate 20000 --duration 3 "$TB_GEN_IF" >/dev/null 2>&1 &
	gen_pid=$!
	sleep 1
	kill -9 "$LIVE_PID"
	wait "$LIVE_PID" 2>/dev/null
	wait "$gen_pid"
	t_check "kill -9 leaves the program" test -n "$(xdp_attached_dut)"
	out=$(testbed_dut "$XDPI" detach "$TB_DUT_IF" 2>&1)
	t_eq "detach after kill -9: exit 0, detached, nothing attached, no record left" \
		"$?/$(grep -c "XDP program detached" <<<"$out")/$(xdp_attached_dut)/$(test -e "$(owner_lock_path)" && echo left)" \
		"0/1//"
	if live_start again --interval 0 --json; then
		xdp_before=$(dut_xdp_packets)
		testbed_gen "$XDPI" gen --rate 20000 --count 3000 "$TB_GEN_IF" >/dev/null 2>&1
		wait_quiet
		xdp_seen=$(($(dut_xdp_packets) - xdp_before))
		kill -INT "$LIVE_PID"
		live_wait_exit again 20
		t_eq "the next run after kill -9: exit 0, the 3000 sent through XDP (veth's counter) and inspected, ledger closed" \
			"$LIVE_RC/$xdp_seen/$(json "$T_TMP/again.out" 'd["packets"]')/$(ledger_closed "$T_TMP/again.out")" \
			"0/3000/3000/(0, 0)"
	else
		t_fail "live after kill -9 and detach" "$(cat "$T_TMP/again.err")"
	fi
else
	t_fail "live started (killed)" "$(cat "$T_TMP/killed.err")"
fi

# --- 4. fault d/e: a worker stalled for 3 s under 50 kpps (test hook) is
# reported once by the watchdog and its recovery said; the run goes on, the
# drops are counted for their reason (an empty fill ring) and the ledger
# closes.
if XDPI_TEST_STALL_QUEUE=0:3000 live_start stall --interval 0 --json --cpus "$RX_CPU,$GEN_CPU"; then
	testbed_gen "$XDPI" gen --cpus "$GEN_CPU" --rate 50000 --duration 6 "$TB_GEN_IF" \
		>"$T_TMP/stall.gen" 2>&1
	wait_quiet
	kill -INT "$LIVE_PID"
	live_wait_exit stall 20
	t_eq "stalled worker: exit 0, ledger closed" \
		"$LIVE_RC/$(ledger_closed "$T_TMP/stall.out")" "0/(0, 0)"
	t_eq "stalled worker: warned once, its recovery said once" \
		"$(grep -c "queue 0: worker stalled" "$T_TMP/stall.err")/$(grep -c "queue 0: worker resumed" "$T_TMP/stall.err")" \
		"1/1"
	got=$(json "$T_TMP/stall.out" '(lambda q: (q["socket"]["rx_dropped"] > 0, q["socket"]["rx_fill_ring_empty_descs"] == q["socket"]["rx_dropped"], q["inspected"] + q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] == q["xdp"]["redirected"], q["inspected"] > 0))(d["ledger"]["queues"][0])')
	t_eq "stalled worker: drops counted for an empty fill ring, inspected + dropped = redirected" \
		"$got" "(True, True, True, True)"
else
	t_fail "live started (stall)" "$(cat "$T_TMP/stall.err")"
fi
t_eq "no stall reported in runs that did not stall" \
	"$(cat "$T_TMP/owner.err" "$T_TMP/again.err" | grep -c "stalled")" 0

# --- 5. fault c: the link goes down for 1.5 s and comes back: the run goes
# on, the intervals show the gap, the ledger closes
if live_start link --interval 0.5 --json --json-lines "$T_TMP/link.jsonl"; then
	testbed_gen "$XDPI" gen --rate 10000 --duration 6 "$TB_GEN_IF" >"$T_TMP/link.gen" 2>&1 &
	gen_pid=$!
	sleep 1.5
	ip -n "$TB_GEN" link set "$TB_GEN_IF" down
	sleep 1.5
	ip -n "$TB_GEN" link set "$TB_GEN_IF" up
	wait "$gen_pid"
	wait_quiet
	kill -INT "$LIVE_PID"
	live_wait_exit link 20
	t_eq "link down and up: exit 0, ledger closed" \
		"$LIVE_RC/$(ledger_closed "$T_TMP/link.out")" "0/(0, 0)"
	# packets per interval: some, then at least one interval of none, then some again
	got=$(python3 - "$T_TMP/link.jsonl" <<'PY'
import json, sys
p = [json.loads(l)["packets"] for l in open(sys.argv[1]) if '"stats"' in l]
s = "".join("0" if n == 0 else "1" for n in p)
print("gap" if "10" in s and "01" in s[s.index("10"):] else s)
PY
)
	t_eq "link down and up: the intervals show traffic, a gap of 0 packets, traffic again" "$got" gap
else
	t_fail "live started (link)" "$(cat "$T_TMP/link.err")"
fi

# --- 6. fault f: malformed frames on the wire (tests/badframes.py:
# truncated headers, bad IHL, a chain of 20 IPv6 extension headers, TCP data
# offsets of 0 and 2, bad lengths; oversized frames never reach XDP: veth
# drops frames past its MTU) are counted as malformed exactly as tshark's
# dissection of the frames tcpdump saw sent defines them (tests/oracle.py),
# every other metric too; veth's own XDP counter saw as many frames.
python3 tests/badframes.py "$T_TMP/bad.pcap" 10
xdp_before=$(dut_xdp_packets)
if ! gen_capture_start badcap; then
	t_fail "malformed frames: tcpdump on the sending end started" \
		"$(cat "$T_TMP/badcap.tcpdump.err")"
elif live_start bad --interval 0 --json --filter all; then
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$T_TMP/bad.pcap" >/dev/null 2>&1
	wait_quiet
	kill -INT "$LIVE_PID"
	live_wait_exit bad 20
	why=$(gen_capture_stop badcap)
	t_eq "malformed frames: exit 0, ledger closed" "$LIVE_RC/$(ledger_closed "$T_TMP/bad.out")" \
		"0/(0, 0)"
	t_eq "malformed frames: tcpdump kept every frame sent" "$why" ""
	oracle_check "malformed frames" "$T_TMP/bad.out" "$T_TMP/badcap.pcap"
	t_eq "malformed frames: 140 sent (tcpdump), 140 through XDP (veth's counter), 140 inspected, 80 malformed as tshark's fields define it" \
		"$(pcap_count "$T_TMP/badcap.pcap")/$(($(dut_xdp_packets) - xdp_before))/$(json "$T_TMP/bad.out" '(d["packets"], d["malformed"]["total"])')/$(json "$ORACLE_JSON" 'd["malformed"]["total"]')" \
		"140/140/(140, 80)/80"
else
	t_fail "live started (bad)" "$(cat "$T_TMP/bad.err")"
	gen_capture_stop badcap >/dev/null
fi

# --- 7. fault g: UMEM without hugepages falls back and says why; a UMEM
# that cannot be mapped at all (an address-space limit below 128 MiB of
# frames) is a clear error, with nothing left attached
if [ "$(cat /proc/sys/vm/nr_hugepages)" = 0 ]; then
	t_check "no hugepages reserved: the UMEM is on normal pages, and the run says why" \
		grep -q "UMEM 32768 KiB on normal pages (no hugepages: " "$T_TMP/owner.err"
else
	t_check "hugepages reserved: the UMEM is on them" grep -q "UMEM 32768 KiB on hugepages" \
		"$T_TMP/owner.err"
fi
# limited KIB ARGS...: xdpi live under ulimit -v KIB, 1 s. A small flow
# table: its buckets' address space is reserved at start (16 bytes per
# --max-flows, 64 MiB by default), and this is about the UMEM.
limited() {
	local kib=$1
	shift
	ip netns exec "$TB_DUT" sh -c 'ulimit -v "$1"; shift; exec "$@"' sh "$kib" "$XDPI" live \
		--takeover --duration 1 --interval 0 --max-flows 65536 "$@" "$TB_DUT_IF"
}
# 170,000 KiB: two queues' default UMEM (2 x 32 MiB), the binary and its
# libraries, thread stacks, a 65536-flow table and the detection stage's
# tables (about 15 MiB, docs/detect.md) fit; two 128 MiB UMEMs do not.
if ! sh -c 'ulimit -v 170000; exec "$1" --version' sh "$XDPI" >/dev/null 2>&1; then
	t_skip "UMEM that cannot be mapped" "this build cannot run under ulimit -v (sanitizers reserve their shadow memory)"
else
	limited 170000 >/dev/null 2>"$T_TMP/limit_ok.err"
	t_eq "under ulimit -v 170000 the default 32 MiB UMEM runs (exit 0)" "$?" 0
	limited 170000 --fill-size 32768 --frame-size 4096 >/dev/null 2>"$T_TMP/limit.err"
	t_eq "a 128 MiB UMEM under ulimit -v 170000: exit 1, nothing attached" \
		"$?/$(xdp_attached_dut)" "1/"
	t_check "a 128 MiB UMEM under ulimit -v 170000: says what and why" \
		grep -q "cannot map 134217728 bytes of UMEM for queue 0: Cannot allocate memory" \
		"$T_TMP/limit.err"
fi

# --- 8. fault h: memory runs out during the run. The address-space limit
# is what set-up needed (VmPeak of a run that got ready) plus 8 MiB, then
# 600,000 new TCP flows arrive: the flow table counts the packets it could
# not track instead of failing, the run stays responsive (SIGINT ends it),
# exits 0 with the ledger closed, and says what it gave up.
if ! sh -c 'ulimit -v 170000; exec "$1" --version' sh "$XDPI" >/dev/null 2>&1; then
	t_skip "out of memory during the run" "this build cannot run under ulimit -v (sanitizers reserve their shadow memory)"
elif live_start probe --interval 0; then
	peak=$(awk '/VmPeak/ {print $2}' "/proc/$LIVE_PID/status")
	kill -INT "$LIVE_PID"
	live_wait_exit probe 20
	ip netns exec "$TB_DUT" sh -c 'ulimit -v "$1"; shift; exec "$@"' sh "$((peak + 8192))" \
		"$XDPI" live --takeover --interval 0 --json "$TB_DUT_IF" >"$T_TMP/oom.out" 2>"$T_TMP/oom.err" &
	LIVE_PID=$!
	for _ in $(seq 300); do
		grep -q "ready:" "$T_TMP/oom.err" && break
		kill -0 "$LIVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if grep -q "ready:" "$T_TMP/oom.err"; then
		# Every frame a new flow (spoofed sources: 16 million five-tuples
		# in turn): 600,000 flows, 150 MB of records, far past the 8 MiB
		# and whatever malloc arenas set-up already reserved.
		testbed_gen "$XDPI" gen --rate 200000 --duration 3 --flows 1000 --src-ips 131072 \
			"$TB_GEN_IF" >/dev/null 2>&1
		wait_quiet
		kill -INT "$LIVE_PID"
		live_wait_exit oom 20
		t_eq "out of memory: SIGINT ends the run, exit 0, ledger closed" \
			"$LIVE_RC/$(ledger_closed "$T_TMP/oom.out")" "0/(0, 0)"
		t_eq "out of memory: packets of flows not tracked are counted (> 0), every SYN inspected still counted" \
			"$(json "$T_TMP/oom.out" '(lambda c: (c["untracked"] > 0, c["syn"] == d["packets"]))(d["connections"])')" \
			"(True, True)"
		t_check "out of memory: says what it gave up" \
			grep -q "flow table: [0-9]* packets of new flows not tracked" "$T_TMP/oom.err"
	else
		t_fail "live started under ulimit -v $((peak + 8192)) (set-up peak + 8 MiB)" \
			"$(cat "$T_TMP/oom.err")"
		kill -9 "$LIVE_PID" 2>/dev/null
	fi
else
	t_fail "live started (probe)" "$(cat "$T_TMP/probe.err")"
fi

# --- 9. fault a: the interface is deleted while the run receives: it ends
# within a few seconds, names the interface, prints the report so far
if live_start gone --interval 0 --json; then
	testbed_gen "$XDPI" gen --rate 20000 --duration 5 "$TB_GEN_IF" >/dev/null 2>&1 &
	gen_pid=$!
	sleep 1
	ip -n "$TB_DUT" link del "$TB_DUT_IF"
	if live_wait_exit gone 5; then
		t_eq "interface deleted: exit 1 within 5 s" "$LIVE_RC" 1
	else
		t_fail "interface deleted: exit 1 within 5 s" "still running"
	fi
	t_check "interface deleted: the message names it" \
		grep -q "$TB_DUT_IF: the interface went away" "$T_TMP/gone.err"
	t_eq "interface deleted: the report so far (stop reason, frames inspected)" \
		"$(json "$T_TMP/gone.out" '(d["stop_reason"], d["packets"] > 0)')" "('interface_gone', True)"
	t_eq "interface deleted: no warning about detaching a program from an interface that is gone" \
		"$(grep -c "could not detach" "$T_TMP/gone.err")" 0
	wait "$gen_pid" 2>/dev/null
else
	t_fail "live started (gone)" "$(cat "$T_TMP/gone.err")"
fi

t_done
