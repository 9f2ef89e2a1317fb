# shellcheck shell=bash
# Helpers for the tests that run `xdpi live` on the veth testbed (sourced
# after tests/lib.sh and bench/testbed.sh, with T_TMP, XDPI and TB_* set).

# t_require_root WHAT: skip the whole script without root.
t_require_root() {
	if [ "$(id -u)" != 0 ]; then
		t_skip "$1" "need root"
		t_done
		exit
	fi
}

# live_test_begin WHAT ID_PREFIX: root or skip; a temporary directory (kept
# if the script made one already), TOOLS and an absolute XDPI; a testbed id
# of this run, teardown at exit (which also kills the pids the script, or
# serve_http, serve_tls and tcpdump_start, put in PIDS); the generator and
# the worker on different CPUs where there are two (GEN_CPU, RX_CPU).
# shellcheck disable=SC2034 # the variables are the calling script's
live_test_begin() {
	t_require_root "$1"
	[ -n "${T_TMP:-}" ] || t_tmpdir
	TOOLS=$BUILD/tests
	XDPI=$(realpath "$XDPI")
	TB_ID=$2$$
	PIDS=()
	trap 'kill "${PIDS[@]}" 2>/dev/null; live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT
	GEN_CPU=0
	RX_CPU=$(($(nproc) > 1 ? 1 : 0))
}

# live_need TOOL...: every TOOL on PATH, else the script fails there (make
# deps installs them: a missing one is a failure, not a skip).
live_need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null && continue
		t_fail "$tool is installed (make deps)"
		t_done
		exit
	done
}

# live_testbed_up [MTU]: the testbed of this run (TB_ID, one queue) up,
# else the script fails there.
live_testbed_up() {
	testbed_up 1 "$TB_ID" ${1:+"$1"} && return 0
	t_fail "testbed up${1:+ --mtu $1}"
	t_done
	exit
}

# gen_live_frames: whether the kernel runs XDP programs on live frames from
# the generator's end (the generator's fastest method), asked by
# tests/tool_liveframes, not by xdpi; the answer cached in GEN_LIVE_FRAMES
# (yes, or why not). Exit 0 where it does.
gen_live_frames() {
	if [ -z "${GEN_LIVE_FRAMES:-}" ]; then
		GEN_LIVE_FRAMES=$(ip netns exec "$TB_GEN" "$BUILD/tests/tool_liveframes" \
			"$BUILD/tests/xdp_pass.bpf.o" "$TB_GEN_IF" 2>&1)
		[ $? = 0 ] && GEN_LIVE_FRAMES=yes
	fi
	[ "$GEN_LIVE_FRAMES" = yes ]
}

# wait_listen PORT: until a TCP socket listens on PORT in the DUT
# namespace; 1 if none does within 10 s.
wait_listen() {
	for _ in $(seq 100); do
		ip netns exec "$TB_DUT" ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
		sleep 0.1
	done
	return 1
}

# serve_http PORT: python3's http.server on TB_DUT_IP:PORT in the DUT
# namespace, serving $T_TMP, whose index.txt says "hello"; its pid in
# SERVER_PID and in PIDS (the exit trap stops it). 0 once it listens, 1 if
# it does not within 10 s.
serve_http() {
	echo hello >"$T_TMP/index.txt"
	ip netns exec "$TB_DUT" python3 -m http.server --bind "$TB_DUT_IP" "$1" \
		--directory "$T_TMP" >/dev/null 2>&1 &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	wait_listen "$1"
}

# serve_tls PORT: openssl s_server -www on TB_DUT_IP:PORT in the DUT
# namespace, with a self-signed certificate for CN xdpi.test made once per
# run ($T_TMP/cert.pem, key.pem); pid and result as serve_http.
serve_tls() {
	if [ ! -s "$T_TMP/cert.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj /CN=xdpi.test -days 1 -keyout "$T_TMP/key.pem" \
			-out "$T_TMP/cert.pem" 2>/dev/null || return 1
	fi
	ip netns exec "$TB_DUT" openssl s_server -quiet -accept "$TB_DUT_IP:$1" \
		-cert "$T_TMP/cert.pem" -key "$T_TMP/key.pem" -www >/dev/null 2>&1 &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	wait_listen "$1"
}

# live_start NAME ARGS...: xdpi live on the DUT interface in the background,
# with --takeover (the DUT end has an address, so the guard would refuse
# it: tests/t_guard.sh tests that), output in $T_TMP/NAME.out and .err; returns once every socket is bound and
# every worker runs ("ready:"), 1 if it exited first. LIVE_PID is xdpi
# itself (ip netns exec and sh both exec), so signals reach it. A watchdog
# kills a run that hangs (LIVE_WATCHDOG_S, default 120: slow SAN builds).
# LIVE_WRAP (an array, empty by default): a command that runs xdpi and
# passes signals on to it (tests/peakrss.py OUT); LIVE_PID is then the
# wrapper.
LIVE_WATCHDOGS=()
LIVE_WRAP=()
live_start() {
	local name=$1
	shift
	ip netns exec "$TB_DUT" sh -c \
		'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' sh \
		"${LIVE_WRAP[@]}" "$XDPI" live --takeover "$@" "$TB_DUT_IF" \
		>"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
	LIVE_PID=$!
	(sleep "${LIVE_WATCHDOG_S:-120}" && kill -9 "$LIVE_PID" 2>/dev/null &&
		echo "watchdog killed $name" >>"$T_TMP/$name.err") &
	LIVE_WATCHDOGS+=($!)
	disown $!
	for _ in $(seq 300); do
		grep -q "ready:" "$T_TMP/$name.err" 2>/dev/null && return 0
		kill -0 "$LIVE_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# live_stop: once the DUT is quiet (wait_quiet), SIGINT to LIVE_PID, as a
# person stops a run; returns its exit status.
live_stop() {
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
}

# wait_err NAME PATTERN: until run NAME's stderr has PATTERN, a fixed
# string (at most 10 s).
wait_err() {
	for _ in $(seq 100); do
		grep -qF -- "$2" "$T_TMP/$1.err" && return 0
		sleep 0.1
	done
	return 1
}

# live_watchdogs_kill: for the EXIT trap.
live_watchdogs_kill() {
	for w in "${LIVE_WATCHDOGS[@]}"; do
		pkill -P "$w"
		kill "$w"
	done 2>/dev/null
}

# wait_quiet: until the DUT interface's XDP has seen no new frame for
# 200 ms (veth's own per-queue counter, rx_queue_N_xdp_packets), at most
# 10 s: frames still in flight have reached the program when it returns.
# Replaces a fixed sleep before stopping a receiver.
wait_quiet() {
	local prev=-1 now quiet=0
	for _ in $(seq 100); do
		now=$(ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" 2>/dev/null |
			awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}')
		if [ "$now" = "$prev" ]; then
			quiet=$((quiet + 1))
			[ "$quiet" -ge 2 ] && return 0
		else
			quiet=0
		fi
		prev=$now
		sleep 0.1
	done
	return 1
}

# live_metrics_diff LIVE_JSON READ_JSON: "OK", or the metric keys where a
# live run's JSON differs from `xdpi read --json` of the same frames. Not
# compared: what describes the run (source, span, version); in connections,
# the rate (it depends on the span) and the order of top-N ties.
live_metrics_diff() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
live = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))
run = ("truncated_file", "file", "interface", "filter", "start", "end", "duration_s", "pps",
       "mbps", "version", "written", "connections")
bad = [k for k in want if k not in run and live.get(k) != want[k]]
def conn(d):
    c = dict(d.get("connections") or {})
    c.pop("established_per_sec", None)
    for k in [k for k in c if k.startswith("top_")]:
        c[k] = sorted(json.dumps(e, sort_keys=True) for e in c[k])
    return c
if conn(live) != conn(want):
    bad.append("connections")
print(" ".join(f"{k}: live {live.get(k)} want {want.get(k)}" for k in bad) or "OK")
EOF
}

# live_wait_exit NAME SECONDS: waits up to SECONDS for LIVE_PID to exit;
# 0 and its status in LIVE_RC, or 1 after killing a run still going
# (its status is then 137, and NAME's .err says the test killed it).
live_wait_exit() {
	local deadline=$((SECONDS + $2))
	while kill -0 "$LIVE_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.1
	done
	if kill -0 "$LIVE_PID" 2>/dev/null; then
		kill -9 "$LIVE_PID"
		echo "killed by the test: still running after $2 s" >>"$T_TMP/$1.err"
		wait "$LIVE_PID" 2>/dev/null
		LIVE_RC=137
		return 1
	fi
	wait "$LIVE_PID"
	LIVE_RC=$?
	return 0
}

# xdp_attached_dut: the XDP attachment of the DUT interface, if any.
xdp_attached_dut() {
	ip -n "$TB_DUT" -d link show "$TB_DUT_IF" 2>/dev/null | grep -oE 'prog/xdp id [0-9]+' | head -1
}

# owner_lock_path: where a run on the DUT interface records itself
# (bpf/owner.h): /run/xdpi/NETNS_INODE-IFINDEX.lock.
owner_lock_path() {
	ip netns exec "$TB_DUT" sh -c \
		"echo /run/xdpi/\$(stat -L -c %i /proc/self/ns/net)-\$(cat /sys/class/net/$TB_DUT_IF/ifindex).lock"
}

# tcpdump_start NAME [IFACE [SNAPLEN]]: the oracle's own capture of the TCP
# frames of IFACE (default the DUT's) in the DUT namespace, into
# $T_TMP/NAME.pcap (SNAPLEN default 0: whole frames), returned once
# tcpdump says it listens; TCPDUMP_PID is its pid, also put in PIDS for
# the caller's exit trap. tcpdump_stop: stops it, the file complete.
tcpdump_start() {
	ip netns exec "$TB_DUT" tcpdump -Z root --immediate-mode -i "${2:-$TB_DUT_IF}" -n \
		-s "${3:-0}" -U -w "$T_TMP/$1.pcap" tcp 2>"$T_TMP/$1.tcpdump.err" &
	TCPDUMP_PID=$!
	PIDS+=("$TCPDUMP_PID")
	for _ in $(seq 100); do
		grep -q "listening on" "$T_TMP/$1.tcpdump.err" && return 0
		sleep 0.1
	done
	return 1
}
tcpdump_stop() {
	kill -INT "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" 2>/dev/null
}

# --- the traffic as an independent capture sees it (issue 28: xdpi's own
# output is never the oracle for xdpi)

# gen_capture_start NAME: tcpdump on the generator's end, in its namespace:
# every frame it sends (-Q out: not what comes back), whole, into
# $T_TMP/NAME.pcap; returns once tcpdump listens, 1 if it did not start.
# The frames tcpdump sees there are the ones handed to veth, after the
# sender's tc egress programs (so a tag pushed out of band is written into
# the frame by libpcap, as a capture of a NIC that strips tags would be).
# XDP frames (xdpi gen --method live) pass no tap: not seen.
gen_capture_start() {
	ip netns exec "$TB_GEN" tcpdump -Z root --immediate-mode -i "$TB_GEN_IF" -Q out -n -s 0 \
		-B 16384 -U -w "$T_TMP/$1.pcap" 2>"$T_TMP/$1.tcpdump.err" &
	GENCAP_PID=$!
	LIVE_WATCHDOGS+=("$GENCAP_PID")
	for _ in $(seq 100); do
		grep -q "listening on" "$T_TMP/$1.tcpdump.err" && return 0
		kill -0 "$GENCAP_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# gen_capture_stop NAME: once the capture file has not grown for 200 ms
# (at most 10 s), stops tcpdump; 0 if it kept every frame the kernel gave
# it (captured = received by filter, 0 dropped by kernel), else 1 and why
# on stdout.
gen_capture_stop() {
	local prev=-1 now quiet=0 st
	for _ in $(seq 100); do
		now=$(stat -c %s "$T_TMP/$1.pcap" 2>/dev/null || echo 0)
		if [ "$now" = "$prev" ]; then
			quiet=$((quiet + 1))
			[ "$quiet" -ge 2 ] && break
		else
			quiet=0
		fi
		prev=$now
		sleep 0.1
	done
	kill -INT "$GENCAP_PID" 2>/dev/null
	wait "$GENCAP_PID" 2>/dev/null
	st=$(python3 - "$T_TMP/$1.tcpdump.err" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
n = {k: int(v) for v, k in re.findall(r"^(\d+) packets? (captured|received by filter|dropped by kernel)", t, re.M)}
ok = len(n) == 3 and n["captured"] == n["received by filter"] and n["dropped by kernel"] == 0
print("OK" if ok else "tcpdump's own figures: %s" % (n or t.strip()[-300:]))
PY
	)
	[ "$st" = OK ] && return 0
	echo "$st"
	return 1
}

# pcap_count FILE: the frames in FILE, as capinfos counts them.
pcap_count() {
	capinfos -c -M "$1" 2>/dev/null | awk '/Number of packets/ {print $NF}'
}

# oracle_check NAME GOT_JSON PCAP [--filter tcp|udp|ip]: xdpi's JSON
# record against tests/oracle.py, which computes the same metrics from
# tshark's dissection of PCAP (docs/testing.md, "Malformed frames against
# tshark"): one TAP result, failed with every group that differs. The
# oracle's JSON is left in $ORACLE_JSON.
# shellcheck disable=SC2034 # ORACLE_JSON is the calling script's
oracle_check() {
	local name=$1 got=$2 pcap=$3 want bad oracle
	want=$T_TMP/oracle_${name//[^A-Za-z0-9]/_}.json
	ORACLE_JSON=$want
	oracle=$(dirname "${BASH_SOURCE[0]}")/oracle.py
	shift 3
	if ! python3 "$oracle" "$@" "$pcap" >"$want" 2>"$want.err"; then
		t_fail "$name: the oracle (tshark) read the capture" "$(head -c 300 "$want.err")"
		return
	fi
	bad=$(python3 "$oracle" --compare "$got" "$want" 2>&1 | grep -v '^ok ')
	if [ -z "$bad" ]; then
		t_ok "$name: every metric equals tshark's of $(basename "$pcap") ($(json "$want" 'd["packets"]') frames)"
	else
		t_fail "$name: every metric equals tshark's of $(basename "$pcap")" \
			"$(head -c 1500 <<<"$bad")"
	fi
}

# pcap_frames_cmp GOT WANT [--snap N] [--subset]: the frames of GOT (what
# xdpi wrote) against WANT (tcpdump's capture), both read by editcap (the
# Wireshark library) into classic pcaps: "OK N" if each has the same
# frames, byte for byte, with the same wire lengths, in any order (queues
# are written apart); --snap N: GOT's frames are WANT's cut to N bytes;
# --subset: GOT's frames are some of WANT's (each at most as often). Else
# what differs.
pcap_frames_cmp() {
	local got=$1 want=$2
	shift 2
	if ! editcap -F pcap "$got" "$T_TMP/cmp_got.pcap" 2>"$T_TMP/cmp.err" ||
		! editcap -F pcap "$want" "$T_TMP/cmp_want.pcap" 2>>"$T_TMP/cmp.err" ||
		[ -s "$T_TMP/cmp.err" ]; then
		echo "editcap failed: $(head -c 300 "$T_TMP/cmp.err")"
		return 1
	fi
	python3 - "$T_TMP/cmp_got.pcap" "$T_TMP/cmp_want.pcap" "$@" <<'PY'
import collections, struct, sys
def frames(path):
    d = open(path, "rb").read()
    magic = struct.unpack_from("<I", d, 0)[0]
    e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off, out = 24, []
    while off < len(d):
        _, _, incl, orig = struct.unpack_from(e + "IIII", d, off)
        out.append((orig, d[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out
got, want = frames(sys.argv[1]), frames(sys.argv[2])
args = sys.argv[3:]
snap = int(args[args.index("--snap") + 1]) if "--snap" in args else None
if snap:
    want = [(o, b[:snap]) for o, b in want]
g, w = collections.Counter(got), collections.Counter(want)
extra, missing = g - w, w - g
if "--subset" in args:
    missing = collections.Counter()
if got and not extra and not missing:
    print("OK %d" % len(got))
else:
    print("written %d, captured %d: %d written not captured, %d captured not written" %
          (len(got), len(want), sum(extra.values()), sum(missing.values())))
PY
}

# dut_xdp_packets: the frames the DUT interface's XDP has run on so far,
# veth's own count (rx_queue_N_xdp_packets summed over its queues).
dut_xdp_packets() {
	ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" 2>/dev/null |
		awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}'
}
