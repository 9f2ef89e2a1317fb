#!/bin/bash
# bench/pktgen.sh: drives the Linux kernel's packet generator (pktgen,
# CONFIG_NET_PKTGEN, /proc/net/pktgen) to send the traffic of
# `xdpi gen -p udp` (same sizes, flows, ports and addresses), for hosts where
# a second, independent generator is wanted. Run -h for usage.
#
# How the options map onto pktgen (Documentation/networking/pktgen.rst):
# - One pktgen device per kernel thread: IFACE@T is added to kpktgend_<cpu>
#   of the T-th CPU that has a pktgen thread ("add_device IFACE@T").
# - -s is the frame size on the wire with the FCS, as `xdpi gen` counts it;
#   pktgen's pkt_size does not include the FCS, so pkt_size = size - 4, and
#   the receiver sees frames of size - 4 bytes.
# - imix (7:4:1 of 64/594/1518): pktgen gives a device one size, so each
#   thread gets three devices, IFACE@T-64, IFACE@T-594 and IFACE@T-1518,
#   with counts (-n) and rates (-r) in 7:4:1. A pktgen thread sends next on
#   the device whose next send time is earliest; with no delay that time
#   never moves and one device would send alone. At max rate the devices
#   therefore get delays of 4, 7 and 28 ns: far below what a thread can
#   reach, so the thread is always behind and never waits, but each device's
#   send clock advances by its delay per frame and the thread interleaves
#   them 7:4:1 exactly. (Linux 5.15+ also has "imix_weights", which draws a
#   size at random for every frame; per-size devices give exact counts and
#   work on older kernels too.)
# - -f flows: the UDP source port walks the range 10000..10000+F-1
#   (udp_src_min/udp_src_max, max exclusive; sequential, each flow the same
#   share), destination port 5201: the ports `xdpi gen` uses. The flows are
#   split between the threads so that each flow is sent by one thread only
#   (when there are fewer flows than threads, threads share flows).
# - -r: pktgen "ratep" per device (the rate split over threads and sizes);
#   pktgen turns it into a whole number of nanoseconds between frames, so
#   high rates are approximate (3 Mpps per device is 333 ns, 3.003 Mpps).
# - clone_skb 0 (a new frame for every send, so ports change per frame; veth
#   refuses clone_skb > 0 anyway) and burst 1.
# - Addresses as `xdpi gen` sets them by default: from 198.18.0.1 to -a
#   (198.18.0.2), destination MAC 02:00:00:00:00:02, which no receiver owns
#   (on veth XDP sees the frames anyway and the kernel drops them after it,
#   so nothing answers; a real NIC drops them in hardware unless it is
#   promiscuous: give -m its MAC). The source MAC is the interface's.
# - The frames are pktgen's own UDP/IPv4 frames: the payload is pktgen's
#   header (magic, sequence, time), not the stamp of `xdpi gen`, so
#   `xdpi live --check-seq` does not apply.
#
# Exit status: 0 when every pktgen device reported a result, 1 on a failure
# (not root, no pktgen in this kernel, interface unusable, pktgen refused a
# command, a device did not run), 2 on a usage error, 130/143 when stopped by
# SIGINT/SIGTERM (the results so far are still printed). pktgen is reset
# (pgctrl "reset": every device removed from every thread) before the run
# and again on every exit, Ctrl-C and failures included. pktgen has one
# controller by design: do not run two of these at once.
set -u

PROG=pktgen.sh
PG=/proc/net/pktgen
PGCTRL=$PG/pgctrl
# bpf/gen_shared.h: XDPI_GEN_SPORT_BASE, XDPI_GEN_DPORT, XDPI_GEN_MAX_FLOWS.
SPORT_BASE=10000
DPORT=5201
MAX_FLOWS=50000
FCS_LEN=4
SRC_IP=198.18.0.1
DEFAULT_DST_MAC=02:00:00:00:00:02

usage() {
	cat <<EOF
Usage: bench/pktgen.sh -i IFACE [-s SIZE|imix] [-f FLOWS] [-r PPS|max]
                       [-d SECONDS] [-n COUNT] [-t THREADS] [-m MAC]
                       [-a IPV4] [-q cpu|rnd|N|N-M]

Sends UDP/IPv4 frames out of IFACE with the kernel's pktgen: the traffic of
\`xdpi gen -p udp\` (same sizes, flows, ports and addresses). Needs root and a
kernel with pktgen (CONFIG_NET_PKTGEN, module pktgen); without it, use
\`xdpi gen\`. pktgen sends UDP only: the receiver must run
\`xdpi live --filter udp\` (or --filter all).
Option letters here and in xdpi gen: -i IFACE is its IFACE argument, -f its
-F, -t its -c (a number of CPUs here, a list there), -m its --dst-mac, -a its
--dst-ip.

  -i IFACE    interface to send on (required; up, Ethernet)
  -s SIZE     frame size on the wire, FCS included: 64..1518 (default 64), or
              imix: 64, 594 and 1518 in the proportion 7:4:1
  -f FLOWS    UDP flows, 1..$MAX_FLOWS (default 1): source ports $SPORT_BASE and up,
              destination port $DPORT
  -r PPS      frames per second over all threads, or max (default max)
  -d SECONDS  stop after this long
  -n COUNT    stop after this many frames over all threads (-d or -n is
              needed; with both, at whichever comes first)
  -t THREADS  pktgen kernel threads, one per CPU (kpktgend_N; default 1)
  -m MAC      destination MAC (default $DEFAULT_DST_MAC, as xdpi gen: no
              receiver owns it; on a real NIC give the receiver's MAC)
  -a IPV4     destination address (default 198.18.0.2; the source is
              $SRC_IP)
  -q QUEUES   TX queue of each frame: cpu (default: the queue of the sending
              thread's CPU), rnd (random over all TX queues), N (queue N),
              N-M (queues N to M in turn)
  -h          this text

Prints the plan on stderr, then per pktgen device the frames sent and the
rate from pktgen's result line, and a total. Exit status: 0 ok, 1 failure
(not root, no pktgen, interface unusable, a device did not run), 2 usage
error, 130/143 after SIGINT/SIGTERM (results so far printed). pktgen is
reset before the run and on every exit.
EOF
}

die_usage() {
	echo "$PROG: $*" >&2
	echo "$PROG: see 'bench/pktgen.sh -h'" >&2
	exit 2
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

# is_uint S: a decimal number small enough for shell arithmetic.
is_uint() {
	[[ $1 =~ ^[0-9]{1,15}$ ]]
}

is_mac() {
	[[ $1 =~ ^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$ ]]
}

is_ipv4() {
	local IFS=. o
	[[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
	for o in $1; do
		[ $((10#$o)) -le 255 ] || return 1
	done
}

# seconds_to_us S: "2", "0.5", "1.25" -> microseconds.
seconds_to_us() {
	local s=$1 int frac=
	int=${s%%.*}
	[[ $s == *.* ]] && frac=${s#*.}
	frac=${frac}000000
	echo $((10#$int * 1000000 + 10#${frac:0:6}))
}

now_us() {
	# EPOCHREALTIME's decimal separator follows the locale.
	echo "${EPOCHREALTIME//[!0-9]/}"
}

# share TOTAL PARTS I: part I of TOTAL split as evenly as possible.
share() {
	local total=$1 parts=$2 i=$3
	echo $((total / parts + (i < total % parts ? 1 : 0)))
}

# share_start TOTAL PARTS I: where part I starts.
share_start() {
	local total=$1 parts=$2 i=$3 r
	r=$((total % parts))
	echo $((i * (total / parts) + (i < r ? i : r)))
}

# ---- options ----

iface='' size_opt=64 flows=1 rate=max duration='' count='' threads=1
dst_mac=$DEFAULT_DST_MAC dst_ip=198.18.0.2 qmap=cpu
while getopts ":i:s:f:r:d:n:t:m:a:q:h" opt; do
	case $opt in
	i) iface=$OPTARG ;;
	s) size_opt=$OPTARG ;;
	f) flows=$OPTARG ;;
	r) rate=$OPTARG ;;
	d) duration=$OPTARG ;;
	n) count=$OPTARG ;;
	t) threads=$OPTARG ;;
	m) dst_mac=$OPTARG ;;
	a) dst_ip=$OPTARG ;;
	q) qmap=$OPTARG ;;
	h)
		usage
		exit 0
		;;
	:) die_usage "option -$OPTARG needs a value" ;;
	*) die_usage "unknown option -$OPTARG" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die_usage "unexpected argument '$1'"

[ -n "$iface" ] || die_usage "-i IFACE is required"
[[ $iface =~ ^[A-Za-z0-9_.:-]{1,15}$ ]] || die_usage "-i '$iface' is not an interface name"

# sizes[k] are sent in the proportion weights[k]; max_delays[k] are the
# nanosecond delays that interleave them in that proportion at max rate.
if [ "$size_opt" = imix ]; then
	sizes=(64 594 1518)
	weights=(7 4 1)
	max_delays=(4 7 28)
elif is_uint "$size_opt" && [ $((10#$size_opt)) -ge 64 ] && [ $((10#$size_opt)) -le 1518 ]; then
	sizes=($((10#$size_opt)))
	weights=(1)
	max_delays=(0)
else
	die_usage "-s '$size_opt': the size on the wire is 64..1518 bytes, or imix"
fi
wsum=0
for w in "${weights[@]}"; do
	wsum=$((wsum + w))
done

if ! is_uint "$flows" || [ $((10#$flows)) -lt 1 ] || [ $((10#$flows)) -gt $MAX_FLOWS ]; then
	die_usage "-f '$flows': flows are 1..$MAX_FLOWS"
fi
flows=$((10#$flows))
if ! is_uint "$threads" || [ $((10#$threads)) -lt 1 ]; then
	die_usage "-t '$threads': at least 1 thread"
fi
threads=$((10#$threads))
if [ "$rate" != max ]; then
	if ! is_uint "$rate" || [ $((10#$rate)) -lt 1 ]; then
		die_usage "-r '$rate': frames per second, or max"
	fi
	rate=$((10#$rate))
	# Every device needs a rate of at least 1 frame per second.
	[ "$rate" -ge $((wsum * threads)) ] ||
		die_usage "-r $rate is too low for $threads thread(s) and -s $size_opt (at least $((wsum * threads)))"
fi
if [ -n "$count" ]; then
	if ! is_uint "$count" || [ $((10#$count)) -lt 1 ]; then
		die_usage "-n '$count': at least 1 frame"
	fi
	count=$((10#$count))
fi
if [ -n "$duration" ]; then
	if ! [[ $duration =~ ^[0-9]{1,9}(\.[0-9]+)?$ ]] ||
		[ "$(seconds_to_us "$duration")" -le 0 ]; then
		die_usage "-d '$duration': seconds, more than 0"
	fi
elif [ -z "$count" ]; then
	die_usage "-d SECONDS or -n COUNT is needed"
fi
is_mac "$dst_mac" || die_usage "-m '$dst_mac' is not a MAC address"
is_ipv4 "$dst_ip" || die_usage "-a '$dst_ip' is not an IPv4 address"
case $qmap in
cpu | rnd) ;;
*)
	if [[ $qmap =~ ^([0-9]{1,5})(-([0-9]{1,5}))?$ ]]; then
		q_min=$((10#${BASH_REMATCH[1]}))
		q_max=$q_min
		[ -n "${BASH_REMATCH[3]}" ] && q_max=$((10#${BASH_REMATCH[3]}))
		[ "$q_min" -le "$q_max" ] || die_usage "-q $qmap: the first queue is above the last"
	else
		die_usage "-q '$qmap': cpu, rnd, N or N-M"
	fi
	;;
esac

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
$PROG: this kernel has no pktgen: $PGCTRL does not exist $how
$PROG: (CONFIG_NET_PKTGEN is off, or the pktgen module is missing)
$PROG: use xdpi's built-in generator instead: xdpi gen -p udp [OPTIONS] IFACE
$PROG:   (see 'xdpi gen --help'; it needs no pktgen)
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
	[ $((s - 14 - FCS_LEN)) -le "$mtu" ] ||
		die "$s-byte frames do not fit $iface's MTU of $mtu (the interface would drop them)"
done
ntxq=0
for q in "$sys"/queues/tx-*; do
	[ -e "$q" ] && ntxq=$((ntxq + 1))
done
[ "$ntxq" -ge 1 ] || ntxq=1
if [ -n "${q_max:-}" ] && [ "$q_max" -ge "$ntxq" ]; then
	die_usage "-q $qmap: $iface has $ntxq TX queue(s), 0-$((ntxq - 1))"
fi

# The CPUs that have a pktgen thread, in order.
mapfile -t cpus < <(for f in "$PG"/kpktgend_*; do
	[ -e "$f" ] && echo "${f##*_}"
done | sort -n)
[ "${#cpus[@]}" -ge 1 ] || die "$PG has no kpktgend_N thread files"
[ "$threads" -le "${#cpus[@]}" ] ||
	die_usage "-t $threads: this host has ${#cpus[@]} pktgen thread(s) (one per CPU)"

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
		echo "$PROG: pktgen refused '$cmd' on ${file#"$PG"/}${result:+ ($result)}" >&2
		return 1
	fi
	[ "$file" = "$PGCTRL" ] && return 0
	if ! grep -q '^Result: OK:' "$file"; then
		result=$(grep -m 1 '^Result:' "$file")
		echo "$PROG: pktgen refused '$cmd' on ${file#"$PG"/} ($result)" >&2
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
			echo "$PROG: warning: could not reset pktgen (echo reset > $PGCTRL)" >&2
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the devices ----

dev_name=() dev_cpu=() dev_size=() dev_count=() dev_rate=() dev_delay=()
dev_sport_min=() dev_sport_max=()
for ((t = 0; t < threads; t++)); do
	# This thread's flows: a contiguous range of source ports.
	if [ "$flows" -ge "$threads" ]; then
		smin=$((SPORT_BASE + $(share_start "$flows" "$threads" "$t")))
		smax=$((smin + $(share "$flows" "$threads" "$t")))
	else
		smin=$((SPORT_BASE + t % flows))
		smax=$((smin + 1))
	fi
	t_count=
	[ -n "$count" ] && t_count=$(share "$count" "$threads" "$t")
	t_rate=
	[ "$rate" != max ] && t_rate=$(share "$rate" "$threads" "$t")
	for k in "${!sizes[@]}"; do
		# Size k's part of this thread's count and rate; size 0 takes
		# what the rounding leaves.
		c='' r=''
		if [ -n "$t_count" ]; then
			if [ "$k" = 0 ]; then
				c=$t_count
				for j in "${!weights[@]}"; do
					[ "$j" = 0 ] || c=$((c - t_count * weights[j] / wsum))
				done
			else
				c=$((t_count * weights[k] / wsum))
			fi
			# pktgen's count 0 means "forever": leave such a device out.
			[ "$c" -ge 1 ] || continue
		fi
		if [ -n "$t_rate" ]; then
			if [ "$k" = 0 ]; then
				r=$t_rate
				for j in "${!weights[@]}"; do
					[ "$j" = 0 ] || r=$((r - t_rate * weights[j] / wsum))
				done
			else
				r=$((t_rate * weights[k] / wsum))
			fi
		fi
		name=$iface@$t
		[ "${#sizes[@]}" -gt 1 ] && name=$iface@$t-${sizes[k]}
		dev_name+=("$name")
		dev_cpu+=("${cpus[t]}")
		dev_size+=("${sizes[k]}")
		dev_count+=("${c:-0}")
		dev_rate+=("$r")
		dev_delay+=("${max_delays[k]}")
		dev_sport_min+=("$smin")
		dev_sport_max+=("$smax")
	done
done

PG_TOUCHED=1
pg_cmd "$PGCTRL" reset || exit 1
for i in "${!dev_name[@]}"; do
	dev=$PG/${dev_name[i]}
	pg_cmd "$PG/kpktgend_${dev_cpu[i]}" "add_device ${dev_name[i]}" || exit 1
	cmds=(
		"count ${dev_count[i]}"
		"clone_skb 0"
		"burst 1"
		"pkt_size $((dev_size[i] - FCS_LEN))"
		"src_min $SRC_IP"
		"src_max $SRC_IP"
		"dst $dst_ip"
		"dst_mac $dst_mac"
		"udp_dst_min $DPORT"
		"udp_dst_max $DPORT"
		"udp_src_min ${dev_sport_min[i]}"
	)
	# udp_src_max is exclusive; equal to min, the port stays fixed.
	if [ $((dev_sport_max[i] - dev_sport_min[i])) -gt 1 ]; then
		cmds+=("udp_src_max ${dev_sport_max[i]}")
	else
		cmds+=("udp_src_max ${dev_sport_min[i]}")
	fi
	if [ -n "${dev_rate[i]}" ]; then
		cmds+=("ratep ${dev_rate[i]}")
	else
		cmds+=("delay ${dev_delay[i]}")
	fi
	case $qmap in
	cpu) cmds+=("flag QUEUE_MAP_CPU") ;;
	rnd) cmds+=("queue_map_min 0" "queue_map_max $((ntxq - 1))" "flag QUEUE_MAP_RND") ;;
	*) cmds+=("queue_map_min $q_min" "queue_map_max $q_max") ;;
	esac
	for c in "${cmds[@]}"; do
		pg_cmd "$dev" "$c" || exit 1
	done
done

# ---- the plan ----

if [ "${#sizes[@]}" -gt 1 ]; then
	size_txt="imix (64, 594, 1518 bytes 7:4:1)"
else
	size_txt="${sizes[0]}-byte frames (${sizes[0]} on the wire, $((sizes[0] - FCS_LEN)) without FCS)"
fi
if [ "$flows" = 1 ]; then
	flow_txt="1 flow (source port $SPORT_BASE)"
else
	flow_txt="$flows flows (source ports $SPORT_BASE-$((SPORT_BASE + flows - 1)))"
fi
rate_txt="max rate"
[ "$rate" != max ] && rate_txt="$rate pps"
stop_txt=
[ -n "$duration" ] && stop_txt="$duration s"
[ -n "$count" ] && stop_txt="${stop_txt:+$stop_txt or }$count frames"
{
	echo "$PROG: UDP $SRC_IP -> $dst_ip:$DPORT ($dst_mac) on $iface: $size_txt, $flow_txt,"
	echo "$PROG:   $rate_txt, until $stop_txt, ${#dev_name[@]} pktgen device(s) on $threads thread(s), TX queue $qmap"
	echo "$PROG: pktgen sends UDP only: the receiver must run 'xdpi live --filter udp'"
	echo "$PROG:   (or --filter all); with the default --filter tcp it sees none of it"
} >&2

# ---- the run ----

# "start" returns when every device has stopped (its count reached, or a
# "stop"). It runs in the background, where SIGINT is ignored, so that this
# shell can stop it at the deadline or on a signal.
trap 'INTERRUPTED=130' INT
trap 'INTERRUPTED=143' TERM
( printf 'start\n' >"$PGCTRL" ) 2>/dev/null &
START_PID=$!
deadline=
[ -n "$duration" ] && deadline=$(($(now_us) + $(seconds_to_us "$duration")))
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
failed=0 total_sent=0 total_pps=0
printf '%-24s %6s %14s %12s %8s\n' device size sent pps errors
for i in "${!dev_name[@]}"; do
	f=$PG/${dev_name[i]}
	sent=$(sed -n 's/.*pkts-sofar: *\([0-9]*\).*/\1/p' "$f")
	errors=$(sed -n 's/.*pkts-sofar: *[0-9]* *errors: *\([0-9]*\).*/\1/p' "$f")
	result=$(sed -n '/^Result:/,$p' "$f" | tr '\n' ' ')
	pps=$(printf '%s\n' "$result" | sed -n 's/.*[^0-9]\([0-9][0-9]*\)pps .*/\1/p')
	printf '%-24s %6s %14s %12s %8s\n' "${dev_name[i]}" "${dev_size[i]}" "${sent:-?}" \
		"${pps:-?}" "${errors:-?}"
	if [[ $result != "Result: OK:"* ]] || [ -z "$pps" ]; then
		echo "    pktgen: ${result:-no result}" >&2
		failed=1
	fi
	total_sent=$((total_sent + ${sent:-0}))
	total_pps=$((total_pps + ${pps:-0}))
done
printf '%-24s %6s %14s %12s\n' total "" "$total_sent" "$total_pps"
echo "(pps: each device's frames over its own run time, summed over the devices)"

[ -n "$INTERRUPTED" ] && exit "$INTERRUPTED"
exit "$failed"
