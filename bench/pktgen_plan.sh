# shellcheck shell=bash
# bench/pktgen_plan.sh: the part of bench/pktgen.sh that needs no kernel:
# its options, and what it writes to /proc/net/pktgen for them. Sourced by
# bench/pktgen.sh (which prints the plan with --dry-run, or applies it) and
# usable alone; it reads and writes nothing itself.
#
#   pg_parse_args "$@"   options -> the variables below; usage errors exit 2
#   pg_plan              the command sequence on stdout, one write a line:
#                          FILE COMMAND
#                        FILE relative to /proc/net/pktgen: pgctrl, a thread
#                        (kpktgend_CPU) or a device (IFACE@FLOW); lines
#                        starting with '#' say when the next one is written.
#
# The plan follows Documentation/networking/pktgen.rst (thread commands
# add_device, rem_device_all; device commands; pgctrl start, stop, reset)
# and net/core/pktgen.c for imix_weights, which the documentation does not
# list:
#
#   pgctrl reset                     every device off every thread
#   per flow k (k = 0..F-1), on the thread of CPU cpus[k % T]:
#     kpktgend_CPU add_device IFACE@k   creates the device file IFACE@k
#     IFACE@k count N                   its share of -n (0: until stopped)
#     IFACE@k clone_skb 0               a new frame per send: a copy would
#     IFACE@k burst 1                   repeat a sequence number
#     IFACE@k pkt_size SIZE-4           (FCS excluded) or, for imix,
#     IFACE@k imix_weights 60,7 590,4 1514,1
#                                       (Linux 5.15+; refused with clone_skb
#                                       > 0, so after it)
#     IFACE@k src_min/src_max 198.18.0.1, dst ADDR, dst_mac MAC
#     IFACE@k udp_src_min/udp_src_max 10000+k, udp_dst_min/udp_dst_max 5201
#     IFACE@k ratep R (its share of -r) or delay D (max rate)
#     IFACE@k flag QUEUE_MAP_CPU, or queue_map_min/max [flag QUEUE_MAP_RND]
#   pgctrl start                     returns when every device is done
#   pgctrl stop                      only at the -d deadline
#   pgctrl reset                     on every exit
#
# Why one pktgen device per flow: pktgen numbers the frames of a device
# (its header's sequence number, from 1), not of a flow. A device that
# walked a range of source ports would spread one sequence over several
# flows, and a receiver checking each flow's sequence (`xdpi live
# --check-seq`, which takes pktgen's flow to be its 4-tuple) would see gaps.
# With one device per flow, each flow is numbered 1, 2, 3, ... The cost:
# pktgen walks a thread's devices for every frame it sends and allocates
# ~1.5 MiB per device, hence at most PG_MAX_FLOWS flows.
#
# Max rate with several devices on a thread: a device with delay 0 never
# moves its next send time, so the first device would send alone; with
# delay 1 (ns, far below what a thread reaches) each send moves it by 1 ns
# and the thread takes its devices in turn. A thread with one device gets
# delay 0.

PG_PROG=pktgen.sh
# bpf/gen_shared.h: XDPI_GEN_SPORT_BASE, XDPI_GEN_DPORT.
PG_SPORT_BASE=10000
PG_DPORT=5201
PG_MAX_FLOWS=64
PG_FCS_LEN=4
PG_SRC_IP=198.18.0.1
PG_DEFAULT_DST_MAC=02:00:00:00:00:02
PG_IMIX_WEIGHTS="60,7 590,4 1514,1" # 64, 594, 1518 on the wire: 7:4:1

pg_usage() {
	cat <<EOF
Usage: bench/pktgen.sh -i IFACE [-s SIZE|imix] [-f FLOWS] [-r PPS|max]
                       [-d SECONDS] [-n COUNT] [-t THREADS] [-m MAC]
                       [-a IPV4] [-q cpu|rnd|N|N-M] [-C CPUS]
       bench/pktgen.sh --dry-run [-Q TXQUEUES] (the same options)

Sends UDP/IPv4 frames out of IFACE with the kernel's pktgen: the traffic of
\`xdpi gen --stamp pktgen\` (same sizes, flows, ports and addresses, the
same pktgen header), which \`xdpi live --check-seq\` checks per flow. Needs
root and a kernel with pktgen (CONFIG_NET_PKTGEN, module pktgen); without
it, use \`xdpi gen\`. pktgen sends UDP only: the receiver must run
\`xdpi live --proto udp\` (or --proto all).
Option letters here and in xdpi gen: -i IFACE is its -i IFACE, -n its -c, -f
its --flows, -r its --rate, -t its --cpus (a number of CPUs here, a list
there), -m its --dst-mac, -a its --dst-ip.

  -i IFACE    interface to send on (required; up, Ethernet)
  -s SIZE     frame size on the wire, FCS included: 64..1518 (default 64), or
              imix: 64, 594 and 1518 drawn 7:4:1 per frame (pktgen's
              imix_weights, Linux 5.15+)
  -f FLOWS    UDP flows, 1..$PG_MAX_FLOWS (default 1), one pktgen device each:
              source ports $PG_SPORT_BASE and up, destination port $PG_DPORT; every
              flow numbered 1, 2, 3, ... in pktgen's header
  -r PPS      frames per second over all flows (at least one per flow), or
              max (default max)
  -d SECONDS  stop after this long
  -n COUNT    stop after this many frames over all flows, at least one per
              flow (-d or -n is needed; with both, at whichever comes first)
  -t THREADS  pktgen kernel threads, one per CPU (kpktgend_N; default 1);
              flow k is sent by thread k % THREADS; at most FLOWS
  -C CPUS     the CPUs whose pktgen threads to use, e.g. 2,3 or 0-3 (default:
              every CPU that has one; a dry run: this host's online CPUs)
  -m MAC      destination MAC (default $PG_DEFAULT_DST_MAC, as xdpi gen: no
              receiver owns it; on a real NIC give the receiver's MAC)
  -a IPV4     destination address (default 198.18.0.2; the source is
              $PG_SRC_IP)
  -q QUEUES   TX queue of each frame: cpu (default: the queue of the sending
              thread's CPU), rnd (random over all TX queues), N (queue N),
              N-M (queues N to M in turn). rnd and N-M spread a flow over
              queues: a receiver may then see it on several queues, which
              its per-flow sequence check cannot follow
  --dry-run, -D
              check the options and print what would be written to
              /proc/net/pktgen, one write a line ("FILE COMMAND"); needs no
              root, no pktgen and no IFACE
  -Q N        with --dry-run: IFACE's TX queues (default: IFACE's if it
              exists here, else 1)
  -h          this text

Prints the plan on stderr, then per pktgen device (flow) the frames sent
and the rate from pktgen's result line, and a total. Exit status: 0 ok, 1
failure (not root, no pktgen, interface unusable, pktgen refused a command,
a device did not run), 2 usage error, 130/143 after SIGINT/SIGTERM (results
so far printed). pktgen is reset before the run and on every exit.
EOF
}

pg_die_usage() {
	echo "$PG_PROG: $*" >&2
	echo "$PG_PROG: see 'bench/pktgen.sh -h'" >&2
	exit 2
}

# pg_is_uint S: a decimal number small enough for shell arithmetic.
pg_is_uint() {
	[[ $1 =~ ^[0-9]{1,15}$ ]]
}

pg_is_mac() {
	[[ $1 =~ ^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$ ]]
}

pg_is_ipv4() {
	local IFS=. o
	[[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
	for o in $1; do
		[ $((10#$o)) -le 255 ] || return 1
	done
}

# pg_seconds_to_us S: "2", "0.5", "1.25" -> microseconds.
pg_seconds_to_us() {
	local s=$1 int frac=
	int=${s%%.*}
	[[ $s == *.* ]] && frac=${s#*.}
	frac=${frac}000000
	echo $((10#$int * 1000000 + 10#${frac:0:6}))
}

# pg_cpu_list LIST: "0,2-3" -> "0 2 3" (each once, in order given), or
# fails.
pg_cpu_list() {
	local item a b items out=() seen=" "
	[[ $1 =~ ^[0-9]{1,4}(-[0-9]{1,4})?(,[0-9]{1,4}(-[0-9]{1,4})?)*$ ]] || return 1
	IFS=, read -r -a items <<<"$1"
	for item in "${items[@]}"; do
		a=$((10#${item%-*}))
		b=$((10#${item#*-}))
		[ "$a" -le "$b" ] || return 1
		for ((; a <= b; a++)); do
			[[ $seen == *" $a "* ]] && return 1
			seen="$seen$a "
			out+=("$a")
		done
	done
	echo "${out[*]}"
}

# Parses the options into: iface size_opt sizes flows threads rate count
# duration dst_mac dst_ip qmap q_min q_max cpu_opt dry_run txq_opt.
pg_parse_args() {
	local opt args=() a
	# getopts has no long options: --dry-run and --help become -D and -h.
	for a in "$@"; do
		case $a in
		--dry-run) args+=(-D) ;;
		--help) args+=(-h) ;;
		--*) pg_die_usage "unknown option $a" ;;
		*) args+=("$a") ;;
		esac
	done
	iface='' size_opt=64 flows=1 rate=max duration='' count='' threads=1
	dst_mac=$PG_DEFAULT_DST_MAC dst_ip=198.18.0.2 qmap=cpu cpu_opt='' dry_run=0 txq_opt=''
	q_min='' q_max=''
	OPTIND=1
	while getopts ":i:s:f:r:d:n:t:m:a:q:C:Q:Dh" opt "${args[@]}"; do
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
		C) cpu_opt=$OPTARG ;;
		Q) txq_opt=$OPTARG ;;
		D) dry_run=1 ;;
		h)
			pg_usage
			exit 0
			;;
		:) pg_die_usage "option -$OPTARG needs a value" ;;
		*) pg_die_usage "unknown option -$OPTARG" ;;
		esac
	done
	[ ${#args[@]} -ge "$OPTIND" ] && pg_die_usage "unexpected argument '${args[OPTIND - 1]}'"

	[ -n "$iface" ] || pg_die_usage "-i IFACE is required"
	[[ $iface =~ ^[A-Za-z0-9_.:-]{1,15}$ ]] || pg_die_usage "-i '$iface' is not an interface name"
	if [ "$size_opt" = imix ]; then
		sizes=(64 594 1518)
	elif pg_is_uint "$size_opt" && [ $((10#$size_opt)) -ge 64 ] &&
		[ $((10#$size_opt)) -le 1518 ]; then
		sizes=($((10#$size_opt)))
	else
		pg_die_usage "-s '$size_opt': the size on the wire is 64..1518 bytes, or imix"
	fi
	if ! pg_is_uint "$flows" || [ $((10#$flows)) -lt 1 ] || [ $((10#$flows)) -gt $PG_MAX_FLOWS ]; then
		pg_die_usage "-f '$flows': flows are 1..$PG_MAX_FLOWS (one pktgen device each)"
	fi
	flows=$((10#$flows))
	if ! pg_is_uint "$threads" || [ $((10#$threads)) -lt 1 ]; then
		pg_die_usage "-t '$threads': at least 1 thread"
	fi
	threads=$((10#$threads))
	[ "$threads" -le "$flows" ] ||
		pg_die_usage "-t $threads: each thread needs a flow of its own (-f $flows)"
	if [ "$rate" != max ]; then
		if ! pg_is_uint "$rate" || [ $((10#$rate)) -lt 1 ]; then
			pg_die_usage "-r '$rate': frames per second, or max"
		fi
		rate=$((10#$rate))
		[ "$rate" -ge "$flows" ] ||
			pg_die_usage "-r $rate is too low for $flows flows (at least one frame per second each)"
	fi
	if [ -n "$count" ]; then
		if ! pg_is_uint "$count" || [ $((10#$count)) -lt 1 ]; then
			pg_die_usage "-n '$count': at least 1 frame"
		fi
		count=$((10#$count))
		# pktgen's count 0 means "forever".
		[ "$count" -ge "$flows" ] ||
			pg_die_usage "-n $count is below -f $flows: every flow needs a frame"
	fi
	if [ -n "$duration" ]; then
		if ! [[ $duration =~ ^[0-9]{1,9}(\.[0-9]+)?$ ]] ||
			[ "$(pg_seconds_to_us "$duration")" -le 0 ]; then
			pg_die_usage "-d '$duration': seconds, more than 0"
		fi
	elif [ -z "$count" ]; then
		pg_die_usage "-d SECONDS or -n COUNT is needed"
	fi
	pg_is_mac "$dst_mac" || pg_die_usage "-m '$dst_mac' is not a MAC address"
	pg_is_ipv4 "$dst_ip" || pg_die_usage "-a '$dst_ip' is not an IPv4 address"
	case $qmap in
	cpu | rnd) ;;
	*)
		if [[ $qmap =~ ^([0-9]{1,5})(-([0-9]{1,5}))?$ ]]; then
			q_min=$((10#${BASH_REMATCH[1]}))
			q_max=$q_min
			[ -n "${BASH_REMATCH[3]}" ] && q_max=$((10#${BASH_REMATCH[3]}))
			[ "$q_min" -le "$q_max" ] || pg_die_usage "-q $qmap: the first queue is above the last"
		else
			pg_die_usage "-q '$qmap': cpu, rnd, N or N-M"
		fi
		;;
	esac
	if [ -n "$cpu_opt" ]; then
		pg_cpu_list "$cpu_opt" >/dev/null ||
			pg_die_usage "-C '$cpu_opt': CPUs as 0,2-3, each once"
	fi
	if [ -n "$txq_opt" ]; then
		[ "$dry_run" = 1 ] || pg_die_usage "-Q describes the interface of a dry run: use it with --dry-run"
		if ! pg_is_uint "$txq_opt" || [ $((10#$txq_opt)) -lt 1 ] || [ $((10#$txq_opt)) -gt 65535 ]; then
			pg_die_usage "-Q '$txq_opt': TX queues, 1..65535"
		fi
		txq_opt=$((10#$txq_opt))
	fi
	return 0
}

# pg_check_host CPUS NTXQ: what the options ask of the host (its CPUs with a
# pktgen thread, in order, and IFACE's TX queues); sets `cpus`, the CPUs
# of the threads used. Usage errors exit 2.
pg_check_host() {
	local have=" $1 " ntxq=$2 c list
	if [ -n "$cpu_opt" ]; then
		list=$(pg_cpu_list "$cpu_opt")
		for c in $list; do
			[[ $have == *" $c "* ]] || pg_die_usage "-C $cpu_opt: CPU $c has no pktgen thread (these do: $1)"
		done
	else
		list=$1
	fi
	read -r -a cpus <<<"$list"
	[ "$threads" -le "${#cpus[@]}" ] ||
		pg_die_usage "-t $threads: only ${#cpus[@]} pktgen thread(s) to use (one per CPU: $list)"
	cpus=("${cpus[@]:0:threads}")
	if [ -n "$q_max" ] && [ "$q_max" -ge "$ntxq" ]; then
		pg_die_usage "-q $qmap: $iface has $ntxq TX queue(s), 0-$((ntxq - 1))"
	fi
	pg_ntxq=$ntxq
}

# pg_plan: the writes, in order (see the file comment). Needs pg_parse_args
# and pg_check_host.
pg_plan() {
	local k name c r cmds cmd
	local -A on_thread=()
	for ((k = 0; k < flows; k++)); do
		on_thread[$((k % threads))]=$((${on_thread[$((k % threads))]:-0} + 1))
	done
	echo "pgctrl reset"
	for ((k = 0; k < flows; k++)); do
		name=$iface@$k
		# Flow k's shares of -n and -r, as even as can be.
		c=0
		[ -n "$count" ] && c=$((count / flows + (k < count % flows ? 1 : 0)))
		cmds=("count $c" "clone_skb 0" "burst 1")
		if [ "${#sizes[@]}" -gt 1 ]; then
			cmds+=("imix_weights $PG_IMIX_WEIGHTS")
		else
			cmds+=("pkt_size $((sizes[0] - PG_FCS_LEN))")
		fi
		cmds+=("src_min $PG_SRC_IP" "src_max $PG_SRC_IP" "dst $dst_ip" "dst_mac $dst_mac"
			"udp_src_min $((PG_SPORT_BASE + k))" "udp_src_max $((PG_SPORT_BASE + k))"
			"udp_dst_min $PG_DPORT" "udp_dst_max $PG_DPORT")
		if [ "$rate" != max ]; then
			r=$((rate / flows + (k < rate % flows ? 1 : 0)))
			cmds+=("ratep $r")
		elif [ "${on_thread[$((k % threads))]}" -gt 1 ]; then
			cmds+=("delay 1")
		else
			cmds+=("delay 0")
		fi
		case $qmap in
		cpu) cmds+=("flag QUEUE_MAP_CPU") ;;
		rnd) cmds+=("queue_map_min 0" "queue_map_max $((pg_ntxq - 1))" "flag QUEUE_MAP_RND") ;;
		*) cmds+=("queue_map_min $q_min" "queue_map_max $q_max") ;;
		esac
		echo "kpktgend_${cpus[k % threads]} add_device $name"
		for cmd in "${cmds[@]}"; do
			echo "$name $cmd"
		done
	done
	echo "pgctrl start"
	if [ -n "$duration" ]; then
		echo "# after $duration s, if a device still runs:"
		echo "pgctrl stop"
	fi
	echo "# on exit:"
	echo "pgctrl reset"
}

# pg_describe: the plan in words, for stderr.
pg_describe() {
	local size_txt flow_txt rate_txt stop_txt
	if [ "${#sizes[@]}" -gt 1 ]; then
		size_txt="imix (64, 594, 1518 bytes drawn 7:4:1)"
	else
		size_txt="${sizes[0]}-byte frames (${sizes[0]} on the wire, $((sizes[0] - PG_FCS_LEN)) without FCS)"
	fi
	if [ "$flows" = 1 ]; then
		flow_txt="1 flow (source port $PG_SPORT_BASE)"
	else
		flow_txt="$flows flows (source ports $PG_SPORT_BASE-$((PG_SPORT_BASE + flows - 1)))"
	fi
	rate_txt="max rate"
	[ "$rate" != max ] && rate_txt="$rate pps"
	stop_txt=
	[ -n "$duration" ] && stop_txt="$duration s"
	[ -n "$count" ] && stop_txt="${stop_txt:+$stop_txt or }$count frames"
	echo "$PG_PROG: UDP $PG_SRC_IP -> $dst_ip:$PG_DPORT ($dst_mac) on $iface: $size_txt, $flow_txt,"
	echo "$PG_PROG:   $rate_txt, until $stop_txt, one pktgen device per flow on $threads thread(s) (CPU ${cpus[*]}), TX queue $qmap"
	echo "$PG_PROG: pktgen sends UDP only: the receiver must run 'xdpi live --proto udp'"
	echo "$PG_PROG:   (or --proto all); with the default --proto tcp it sees none of it"
	if [ "$qmap" = rnd ] || { [ -n "$q_max" ] && [ "$q_min" != "$q_max" ]; }; then
		echo "$PG_PROG: note: -q $qmap sends each flow on several TX queues: a receiver may get a"
		echo "$PG_PROG:   flow on several queues, and 'xdpi live --check-seq' then sees gaps"
	fi
}
