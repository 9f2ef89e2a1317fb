#!/bin/bash
# bench/pktgen.sh: drives the Linux kernel's packet generator (pktgen,
# CONFIG_NET_PKTGEN, /proc/net/pktgen) to send the traffic of
# `xdpi gen --stamp pktgen` (same sizes, flows, ports, addresses and header),
# for hosts where a second, independent generator is wanted. Run -h for
# usage.
#
# Two parts:
# - bench/pktgen_plan.sh, which needs no kernel: the options and the plan,
#   what is written to /proc/net/pktgen, per thread and device, in order
#   (its file comment says how each option maps onto pktgen's commands).
#   `--dry-run` prints that plan and stops; tests/t_pktgen.sh checks it
#   against the kernel's documentation for many option combinations.
# - this driver: the host's checks (root, pktgen, the interface, the CPUs
#   with a pktgen thread), the plan's writes up to "pgctrl start", the run
#   (stopped at the -d deadline or on a signal), pktgen's results.
#
# Notes:
# - -s is the frame size on the wire with the FCS, as `xdpi gen` counts it;
#   pktgen's pkt_size does not include the FCS, so pkt_size = size - 4, and
#   the receiver sees frames of size - 4 bytes.
# - -r: pktgen "ratep" per device (the rate split over flows); pktgen turns
#   it into a whole number of nanoseconds between frames, so high rates are
#   approximate (3 Mpps per device is 333 ns, 3.003 Mpps).
# - Addresses as `xdpi gen` sets them by default: from 198.18.0.1 to -a
#   (198.18.0.2), destination MAC 02:00:00:00:00:02, which no receiver owns
#   (on veth XDP sees the frames anyway and the kernel drops them after it,
#   so nothing answers; a real NIC drops them in hardware unless it is
#   promiscuous: give -m its MAC). The source MAC is the interface's.
# - pktgen's header carries a sequence number per device (= per flow here)
#   and its send time (CLOCK_REALTIME), read by `xdpi live --check-seq`. A
#   frame the device refuses (pktgen counts it in "errors") does not use up
#   a number: the next frame carries it, so the receiver sees no gap, and
#   the frames pktgen reports as sent are numbered 1..sent per flow.
#   pktgen stamps the time when it builds a frame, before it waits for the
#   frame's turn at a paced rate: its latencies include up to one
#   inter-frame gap of the device (1/ratep).
#
# Exit status: 0 when every pktgen device reported a result, 1 on a failure
# (not root, no pktgen in this kernel, interface unusable, pktgen refused a
# command, a device did not run), 2 on a usage error, 130/143 when stopped by
# SIGINT/SIGTERM (the results so far are still printed). pktgen is reset
# (pgctrl "reset": every device removed from every thread) before the run
# and again on every exit, Ctrl-C and failures included. pktgen has one
# controller by design: do not run two of these at once.
set -u

PG=/proc/net/pktgen
PGCTRL=$PG/pgctrl
# shellcheck source=bench/pktgen_plan.sh
. "$(dirname "${BASH_SOURCE[0]}")/pktgen_plan.sh"

die() {
	echo "$PG_PROG: $*" >&2
	exit 1
}

now_us() {
	# EPOCHREALTIME's decimal separator follows the locale.
	echo "${EPOCHREALTIME//[!0-9]/}"
}

pg_parse_args "$@"

# ---- dry run: the plan for -C's CPUs or this host's; no kernel needed ----

if [ "$dry_run" = 1 ]; then
	online=$(cat /sys/devices/system/cpu/online 2>/dev/null || echo 0)
	ntxq=${txq_opt:-0}
	if [ "$ntxq" = 0 ]; then
		ntxq=1
		if [ -d "/sys/class/net/$iface/queues" ]; then
			ntxq=$(find "/sys/class/net/$iface/queues" -maxdepth 1 -name 'tx-*' | wc -l)
			[ "$ntxq" -ge 1 ] || ntxq=1
		fi
	fi
	# -C names the planned host's CPUs as they are; else this host's.
	if [ -n "$cpu_opt" ]; then
		pg_check_host "$(pg_cpu_list "$cpu_opt")" "$ntxq"
	else
		pg_check_host "$(pg_cpu_list "$online" || echo 0)" "$ntxq"
	fi
	pg_describe >&2
	pg_plan
	exit 0
fi

# ---- the host ----

[ "$(id -u)" = 0 ] || die "needs root (it writes to $PG)"

if [ ! -e "$PGCTRL" ]; then
	if command -v modprobe >/dev/null 2>&1; then
		modprobe pktgen 2>/dev/null
		how="after 'modprobe pktgen'"
	else
		how="and there is no modprobe to load the module with"
	fi
fi
if [ ! -e "$PGCTRL" ]; then
	cat >&2 <<EOF
$PG_PROG: this kernel has no pktgen: $PGCTRL does not exist $how
$PG_PROG: (CONFIG_NET_PKTGEN is off, or the pktgen module is missing)
$PG_PROG: use xdpi's built-in generator instead: xdpi gen --stamp pktgen [OPTIONS] IFACE
$PG_PROG:   (the same frames; see 'xdpi gen --help'; it needs no pktgen)
EOF
	exit 1
fi

sys=/sys/class/net/$iface
[ -d "$sys" ] || die "no interface '$iface'"
[ "$(cat "$sys/type")" = 1 ] || die "$iface is not an Ethernet interface (pktgen sends Ethernet frames)"
[ $(($(cat "$sys/flags") & 1)) = 1 ] || die "$iface is down (ip link set $iface up)"
[ "$(cat "$sys/carrier" 2>/dev/null)" = 1 ] || die "$iface has no carrier: pktgen would stop at once"
mtu=$(cat "$sys/mtu")
for s in "${sizes[@]}"; do
	# 14 bytes of Ethernet header and the FCS are not part of the MTU.
	[ $((s - 14 - PG_FCS_LEN)) -le "$mtu" ] ||
		die "$s-byte frames do not fit $iface's MTU of $mtu (the interface would drop them)"
done
ntxq=0
for q in "$sys"/queues/tx-*; do
	[ -e "$q" ] && ntxq=$((ntxq + 1))
done
[ "$ntxq" -ge 1 ] || ntxq=1

# The CPUs that have a pktgen thread, in order.
have=$(for f in "$PG"/kpktgend_*; do
	[ -e "$f" ] && echo "${f##*_}"
done | sort -n | tr '\n' ' ')
[ -n "$have" ] || die "$PG has no kpktgend_N thread files"
pg_check_host "${have% }" "$ntxq"
mapfile -t plan < <(pg_plan)

# ---- pktgen control ----

PG_TOUCHED=0
START_PID=''
INTERRUPTED=''

# pg_cmd FILE CMD: one pktgen command. Thread and device files answer with
# a "Result: OK: ..." line; anything else is a refusal.
pg_cmd() {
	local file=$1 cmd=$2 result
	if ! { printf '%s\n' "$cmd" >"$file"; } 2>/dev/null; then
		result=$(grep -m 1 '^Result:' "$file" 2>/dev/null)
		echo "$PG_PROG: pktgen refused '$cmd' on ${file#"$PG"/}${result:+ ($result)}" >&2
		return 1
	fi
	[ "$file" = "$PGCTRL" ] && return 0
	if ! grep -q '^Result: OK:' "$file"; then
		result=$(grep -m 1 '^Result:' "$file")
		echo "$PG_PROG: pktgen refused '$cmd' on ${file#"$PG"/} ($result)" >&2
		return 1
	fi
}

# Runs on every exit (the EXIT trap).
# shellcheck disable=SC2317
cleanup() {
	local rc=$?
	trap - INT TERM
	if [ "$PG_TOUCHED" = 1 ]; then
		if [ -n "$START_PID" ] && kill -0 "$START_PID" 2>/dev/null; then
			printf 'stop\n' >"$PGCTRL" 2>/dev/null
			wait "$START_PID" 2>/dev/null
		fi
		if ! { printf 'reset\n' >"$PGCTRL"; } 2>/dev/null; then
			echo "$PG_PROG: warning: could not reset pktgen (echo reset > $PGCTRL)" >&2
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the plan's writes, up to "pgctrl start" ----

PG_TOUCHED=1
devs=()
for line in "${plan[@]}"; do
	[[ $line == "#"* ]] && continue
	[ "$line" = "pgctrl start" ] && break
	file=${line%% *}
	cmd=${line#* }
	pg_cmd "$PG/$file" "$cmd" || exit 1
	[[ $cmd == "add_device "* ]] && devs+=("${cmd#add_device }")
done

pg_describe >&2

# ---- the run ----

# "start" returns when every device has stopped (its count reached, or a
# "stop"). It runs in the background, where SIGINT is ignored, so that this
# shell can stop it at the deadline or on a signal.
trap 'INTERRUPTED=130' INT
trap 'INTERRUPTED=143' TERM
( printf 'start\n' >"$PGCTRL" ) 2>/dev/null &
START_PID=$!
deadline=
[ -n "$duration" ] && deadline=$(($(now_us) + $(pg_seconds_to_us "$duration")))
while kill -0 "$START_PID" 2>/dev/null; do
	[ -n "$INTERRUPTED" ] && break
	[ -n "$deadline" ] && [ "$(now_us)" -ge "$deadline" ] && break
	sleep 0.1 &
	wait $! 2>/dev/null
done
if kill -0 "$START_PID" 2>/dev/null; then
	printf 'stop\n' >"$PGCTRL" 2>/dev/null
fi
# A signal interrupts wait: wait again until "start" has returned.
while kill -0 "$START_PID" 2>/dev/null; do
	wait "$START_PID" 2>/dev/null
done
START_PID=''
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the results ----

# A device's file ends with, after a run:
#   Current:
#        pkts-sofar: 100000  errors: 0
#   ...
#   Result: OK: 15430(c15405+d25) usec, 100000 (60byte,0frags)
#     6480562pps 3110Mb/sec (3110669760bps) errors: 0
size_col=${sizes[0]}
[ "${#sizes[@]}" -gt 1 ] && size_col=imix
failed=0 total_sent=0 total_pps=0
printf '%-24s %6s %6s %14s %12s %8s\n' device port size sent pps errors
for i in "${!devs[@]}"; do
	f=$PG/${devs[i]}
	sent=$(sed -n 's/.*pkts-sofar: *\([0-9]*\).*/\1/p' "$f")
	errors=$(sed -n 's/.*pkts-sofar: *[0-9]* *errors: *\([0-9]*\).*/\1/p' "$f")
	result=$(sed -n '/^Result:/,$p' "$f" | tr '\n' ' ')
	pps=$(printf '%s\n' "$result" | sed -n 's/.*[^0-9]\([0-9][0-9]*\)pps .*/\1/p')
	printf '%-24s %6s %6s %14s %12s %8s\n' "${devs[i]}" $((PG_SPORT_BASE + i)) "$size_col" \
		"${sent:-?}" "${pps:-?}" "${errors:-?}"
	if [[ $result != "Result: OK:"* ]] || [ -z "$pps" ]; then
		echo "    pktgen: ${result:-no result}" >&2
		failed=1
	fi
	total_sent=$((total_sent + ${sent:-0}))
	total_pps=$((total_pps + ${pps:-0}))
done
printf '%-24s %6s %6s %14s %12s\n' total "" "" "$total_sent" "$total_pps"
echo "(pps: each device's frames over its own run time, summed over the devices)"

[ -n "$INTERRUPTED" ] && exit "$INTERRUPTED"
exit "$failed"
