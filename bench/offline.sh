#!/bin/bash
# Offline benchmark (`make bench-offline`): instructions per frame and frames
# per second of `xdpi read` against three other libpcap readers:
#   floor      bench/pcap_floor: pcap_open_offline + pcap_next_ex, nothing else
#   tcpdump    tcpdump -r FILE -w /dev/null
#   ndpiReader ndpiReader -q -i FILE (nDPI's demo reader, full DPI)
#
#   bench/offline.sh [--build DIR] [--small N] [--big N] [--runs N] [--json]
#                    [--strict]
#
# Instructions come from callgrind (Ir, the "totals:" line of its output
# file), which counts the same on a loaded machine as on an idle one. Each
# reader runs on two captures made by mkcapture (the small one is a prefix of
# the big one), and the figure reported is the marginal cost
#   (Ir_big - Ir_small) / (frames_big - frames_small)
# so that start-up, teardown and the final report cancel out. Frames per
# second are wall clock, best of --runs runs on the big capture, start-up
# included; on a shared machine they are indicative only.
#
# --json (or BENCH_JSON=1) also writes DIR/bench/offline.json. --strict (or
# BENCH_STRICT=1) exits 1 when a target is missed (default: report only).
# Targets: xdpi read <= 1.5x the floor (flows and peeks on, the default),
# xdpi read --no-flows <= 1.3x, and xdpi read <= 0.4x ndpiReader per frame.
set -euo pipefail

build=build
small=200000
big=400000
runs=3
json=${BENCH_JSON:-0}
strict=${BENCH_STRICT:-0}
invocation="bench/offline.sh $*"

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--small) small=$2; shift 2 ;;
	--big) big=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--json) json=1; shift ;;
	--strict) strict=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "offline.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done
if ! [ "$small" -gt 0 ] 2>/dev/null || ! [ "$big" -gt "$small" ] 2>/dev/null; then
	echo "offline.sh: need 0 < --small < --big" >&2
	exit 2
fi

die() {
	echo "offline.sh: $*" >&2
	exit 1
}

out=$build/bench
xdpi=$build/xdpi
mkcapture=$out/mkcapture
floor=$out/pcap_floor
for f in "$xdpi" "$mkcapture" "$floor"; do
	[ -x "$f" ] || die "$f is missing (run 'make bench-offline')"
done
for t in valgrind callgrind_annotate tcpdump ndpiReader; do
	command -v "$t" >/dev/null || die "$t is not installed (run 'make deps')"
done
mkdir -p "$out"

# --- captures -------------------------------------------------------------
declare -A cap
for n in "$small" "$big"; do
	cap[$n]=$out/offline-$n.pcap
	# Deterministic: regenerate only when missing or older than the generator.
	if ! [ "${cap[$n]}" -nt "$mkcapture" ]; then
		"$mkcapture" "$n" "${cap[$n]}.tmp" 2>"$out/mkcapture-$n.log" ||
			die "mkcapture failed: $(cat "$out/mkcapture-$n.log")"
		mv "${cap[$n]}.tmp" "${cap[$n]}"
	fi
	got=$("$floor" "${cap[$n]}")
	[ "$got" = "$n" ] || die "${cap[$n]}: pcap_floor read $got frames, expected $n"
done
big_file=${cap[$big]}

# --- readers --------------------------------------------------------------
readers=(xdpi xdpi_noflows floor tcpdump ndpi)
declare -A label
label[xdpi]="xdpi read"
label[xdpi_noflows]="xdpi read --no-flows"
label[floor]="libpcap floor"
label[tcpdump]="tcpdump -w /dev/null"
label[ndpi]="ndpiReader -q"

# The command line of reader $1 on file $2, one word per line.
reader_cmd() {
	case $1 in
	xdpi) printf '%s\n' "$xdpi" read "$2" ;;
	xdpi_noflows) printf '%s\n' "$xdpi" read --no-flows "$2" ;;
	floor) printf '%s\n' "$floor" "$2" ;;
	# As root tcpdump drops to its own user after opening the files, and
	# callgrind could then not write its output: -Z keeps the current user.
	tcpdump) printf '%s\n' tcpdump "${tcpdump_user[@]}" -r "$2" -w /dev/null ;;
	ndpi) printf '%s\n' ndpiReader -q -i "$2" ;;
	esac
}

tcpdump_user=()
[ "$(id -u)" = 0 ] && tcpdump_user=(-Z "$(id -un)")

run_reader() { # reader file: runs it, output discarded
	local -a cmd
	mapfile -t cmd < <(reader_cmd "$1" "$2")
	"${cmd[@]}" >/dev/null 2>&1
}

# Sanity: every reader really goes through every frame of the big capture.
echo "checking that each reader reads all $big frames..."
n=$("$xdpi" read "$big_file" | awk '$1 == "packets" { print $2 }')
[ "$n" = "$big" ] || die "xdpi read counted '$n' packets, expected $big"
n=$(tcpdump "${tcpdump_user[@]}" -r "$big_file" -w - 2>/dev/null | "$floor" -)
[ "$n" = "$big" ] || die "tcpdump -w passed on '$n' frames, expected $big"
# -q silences ndpiReader entirely; without it the summary has the total.
n=$(ndpiReader -i "$big_file" 2>&1 | sed -n 's/.*IP packets:.* of \([0-9]*\) packets total.*/\1/p')
[ "$n" = "$big" ] || die "ndpiReader read '$n' packets, expected $big"

declare -A ir ipf wall walls fps
for r in "${readers[@]}"; do
	for n in "$small" "$big"; do
		cg=$out/cg.$r.$n.out
		mapfile -t cmd < <(reader_cmd "$r" "${cap[$n]}")
		echo "callgrind: ${cmd[*]}"
		valgrind --tool=callgrind --vgdb=no --callgrind-out-file="$cg" "${cmd[@]}" \
			>/dev/null 2>"$out/cg.$r.$n.log" ||
			die "valgrind ${cmd[*]} failed (see $out/cg.$r.$n.log)"
		ir[$r.$n]=$(awk '/^totals:/ { t = $2 } /^summary:/ { s = $2 }
			END { print (t != "" ? t : s) }' "$cg")
		[ -n "${ir[$r.$n]}" ] || die "$cg: no totals line"
	done
	ipf[$r]=$(awk -v a="${ir[$r.$small]}" -v b="${ir[$r.$big]}" -v fa="$small" -v fb="$big" \
		'BEGIN { printf "%.1f", (b - a) / (fb - fa) }')
done

for r in "${readers[@]}"; do
	best=
	walls[$r]=
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		run_reader "$r" "$big_file"
		t1=$(date +%s%N)
		ns=$((t1 - t0))
		walls[$r]+="${walls[$r]:+,}$(awk -v ns="$ns" 'BEGIN { printf "%.4f", ns / 1e9 }')"
		if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
	done
	wall[$r]=$(awk -v ns="$best" 'BEGIN { printf "%.4f", ns / 1e9 }')
	fps[$r]=$(awk -v ns="$best" -v n="$big" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# --- report ---------------------------------------------------------------
kernel=$(uname -r)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ncpu=$(nproc)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain -- inspect cmd 2>/dev/null)" ] && rev+="-dirty"

echo
echo "Offline readers: $small vs $big frames ($(stat -c %s "$big_file") bytes), $now"
echo "xdpi at $rev; machine: $kernel, $cpu, $ncpu CPUs (shared: frames/s are indicative, instructions are not affected)"
printf '%-22s %12s %10s %12s %12s\n' reader instr/frame "x floor" "x ndpiReader" frames/s
for r in "${readers[@]}"; do
	printf '%-22s %12s %10s %12s %12s\n' "${label[$r]}" "${ipf[$r]}" \
		"$(ratio "${ipf[$r]}" "${ipf[floor]}")" "$(ratio "${ipf[$r]}" "${ipf[ndpi]}")" \
		"${fps[$r]}"
done
echo "(instr/frame: callgrind Ir, marginal between the two captures; frames/s: wall clock,"
echo " best of $runs on the big capture, start-up included)"

r_floor=$(ratio "${ipf[xdpi]}" "${ipf[floor]}")
r_ndpi=$(ratio "${ipf[xdpi]}" "${ipf[ndpi]}")
r_noflows=$(ratio "${ipf[xdpi_noflows]}" "${ipf[floor]}")
pass_floor=$(awk -v x="${ipf[xdpi]}" -v f="${ipf[floor]}" 'BEGIN { print (x <= 1.5 * f) ? "pass" : "FAIL" }')
pass_noflows=$(awk -v x="${ipf[xdpi_noflows]}" -v f="${ipf[floor]}" 'BEGIN { print (x <= 1.3 * f) ? "pass" : "FAIL" }')
pass_ndpi=$(awk -v x="${ipf[xdpi]}" -v f="${ipf[ndpi]}" 'BEGIN { print (x <= 0.4 * f) ? "pass" : "FAIL" }')
echo
echo "target xdpi read (flows, peeks) <= 1.5x floor: ${r_floor}x  $pass_floor"
echo "target xdpi read --no-flows <= 1.3x floor:     ${r_noflows}x  $pass_noflows"
echo "target xdpi read <= 0.4x ndpiReader: ${r_ndpi}x  $pass_ndpi"

# Where xdpi read's instructions go: self cost of each function, marginal
# between the two captures like the totals (start-up cancels out).
for n in "$small" "$big"; do
	callgrind_annotate --auto=no --threshold=100 "$out/cg.xdpi.$n.out" >"$out/xdpi-profile.$n.txt" 2>/dev/null
done
awk -v ns="$small" -v nb="$big" -v total="${ipf[xdpi]}" '
	FNR == 1 { f++; body = 0 }
	/file:function/ { body = 1; next }
	body && /^ *[0-9,]+ +\(/ {
		line = $0; sub(/^ +/, "", line)
		ir = line; sub(/ .*/, "", ir); gsub(",", "", ir)
		fn = line; sub(/^[0-9,]+ +\([^)]*\) +/, "", fn)
		sub(/\[.*\//, "[", fn)
		if (f == 1) a[fn] += ir; else b[fn] += ir
	}
	END {
		for (fn in b) {
			d = (b[fn] - a[fn]) / (nb - ns)
			if (fn ~ /^(inspect|cmd)\// || fn ~ /\[xdpi\]$/) own += d
			if (d >= 0.5 || d <= -0.5)
				printf "%9.1f %6.1f%%  %s\n", d, 100 * d / total, fn
		}
		printf "%9.1f %6.1f%%  (sum: xdpi code, inspect/ and cmd/)\n", own, 100 * own / total > "/dev/stderr"
		printf "%9.1f %6.1f%%  (sum: libpcap, libc and the rest)\n", total - own, 100 * (total - own) / total > "/dev/stderr"
	}' "$out/xdpi-profile.$small.txt" "$out/xdpi-profile.$big.txt" 2>"$out/xdpi-profile.sums" |
	sort -rn >"$out/xdpi-profile.txt"
cat "$out/xdpi-profile.sums" >>"$out/xdpi-profile.txt"
echo
echo "xdpi read: self instructions per frame by function (marginal; all: $out/xdpi-profile.txt)"
head -15 "$out/xdpi-profile.txt"
cat "$out/xdpi-profile.sums"

if [ "$json" = 1 ]; then
	esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
	{
		printf '{\n'
		printf '  "benchmark": "offline",\n'
		printf '  "date": "%s",\n' "$now"
		printf '  "command": "%s",\n' "$(esc "$invocation")"
		printf '  "xdpi_revision": "%s",\n' "$rev"
		printf '  "machine": {"kernel": "%s", "cpu_model": "%s", "cpus": %s, "shared": true},\n' \
			"$(esc "$kernel")" "$(esc "$cpu")" "$ncpu"
		printf '  "captures": {"generator": "%s", "small_frames": %s, "big_frames": %s, "small_bytes": %s, "big_bytes": %s},\n' \
			"$(esc "$mkcapture N FILE")" "$small" "$big" \
			"$(stat -c %s "${cap[$small]}")" "$(stat -c %s "$big_file")"
		printf '  "method": "instr_per_frame = (callgrind Ir big - Ir small) / (frames big - frames small); frames_per_s = big frames / best wall-clock time of %s runs, start-up included",\n' "$runs"
		printf '  "readers": [\n'
		sep=
		for r in "${readers[@]}"; do
			mapfile -t cmd < <(reader_cmd "$r" FILE)
			printf '%s    {"name": "%s", "command": "%s", "ir_small": %s, "ir_big": %s, "instr_per_frame": %s, "ratio_floor": %s, "ratio_ndpireader": %s, "wall_s": [%s], "wall_best_s": %s, "frames_per_s": %s}' \
				"$sep" "$(esc "${label[$r]}")" "$(esc "${cmd[*]}")" "${ir[$r.$small]}" \
				"${ir[$r.$big]}" "${ipf[$r]}" "$(ratio "${ipf[$r]}" "${ipf[floor]}")" \
				"$(ratio "${ipf[$r]}" "${ipf[ndpi]}")" "${walls[$r]}" "${wall[$r]}" "${fps[$r]}"
			sep=$',\n'
		done
		printf '\n  ],\n'
		printf '  "targets": [\n'
		printf '    {"name": "xdpi read <= 1.5x floor", "ratio": %s, "limit": 1.5, "pass": %s},\n' \
			"$r_floor" "$([ "$pass_floor" = pass ] && echo true || echo false)"
		printf '    {"name": "xdpi read --no-flows <= 1.3x floor", "ratio": %s, "limit": 1.3, "pass": %s},\n' \
			"$r_noflows" "$([ "$pass_noflows" = pass ] && echo true || echo false)"
		printf '    {"name": "xdpi read <= 0.4x ndpiReader", "ratio": %s, "limit": 0.4, "pass": %s}\n' \
			"$r_ndpi" "$([ "$pass_ndpi" = pass ] && echo true || echo false)"
		printf '  ]\n}\n'
	} >"$out/offline.json"
	echo
	echo "wrote $out/offline.json"
fi

if [ "$strict" = 1 ] && { [ "$pass_floor" != pass ] || [ "$pass_noflows" != pass ] ||
	[ "$pass_ndpi" != pass ]; }; then
	exit 1
fi
exit 0
