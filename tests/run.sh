#!/bin/bash
# Runs every test program and script, counts their TAP lines and ends with
# the closing line CI reads: "N passed, N failed, N skipped".
#   tests/run.sh BUILD_DIR [NAME_FILTER...]
# A name runs if it contains any of the filters (none: everything); a
# filter ending in $ must be the whole name (t_live$: not t_live_filter).
# Unit tests: BUILD_DIR/tests/test_* (cmocka, TAP output).
# Scripts:    tests/t_*.sh (tests/lib.sh), given BUILD_DIR as $1.
# Each must print its TAP plan (1..N) once, N its number of results: a
# script that dies half-way, or reports more or fewer results than it
# planned, fails.
# XDPI_STRICT=1 (make check STRICT=1; CI): a skip is a failure unless
# tests/skips.allowed names it for this build (XDPI_SAN: 0, 1 or thread,
# as make's SAN; else read from the directory's name).
set -u
build=${1:-build}
shift $(($# > 0))
filters=("$@")
here=$(cd "$(dirname "$0")" && pwd)
strict=${XDPI_STRICT:-0}
if [ -z "${XDPI_SAN:-}" ]; then
	case $(basename "$build") in
	*tsan*) XDPI_SAN=thread ;;
	*san*) XDPI_SAN=1 ;;
	*) XDPI_SAN=0 ;;
	esac
fi
case $XDPI_SAN in
1) kind=san ;;
thread) kind=tsan ;;
*) kind=plain ;;
esac

selected() {
	[ ${#filters[@]} = 0 ] && return 0
	local f
	for f in "${filters[@]}"; do
		if [ "${f%\$}" != "$f" ]; then
			[ "$1" = "${f%\$}" ] && return 0
		elif [[ $1 == *$f* ]]; then
			return 0
		fi
	done
	return 1
}
logdir=$build/test-logs
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
failed_names=()

# allowed_skip SCRIPT TEST: whether tests/skips.allowed lets TEST of
# SCRIPT skip in this build (lines "KIND|SCRIPT|TEST GLOB|why", KIND one of
# all, plain, san, tsan).
allowed_skip() {
	local k s g why
	while IFS='|' read -r k s g why; do
		[ -z "$k" ] || [ "${k:0:1}" = "#" ] && continue
		[ "$k" = all ] || [ "$k" = "$kind" ] || continue
		# shellcheck disable=SC2053 # g is a glob
		[ "$s" = "$1" ] && [[ $2 == $g ]] && return 0
	done <"$here/skips.allowed"
	return 1
}

# What a run without root leaves out: every script that needs root skips
# whole or in part, and says so here before anything runs.
if [ "$(id -u)" != 0 ]; then
	needs=()
	for t in "$here"/t_*.sh; do
		grep -qE 'live_test_begin|t_require_root|id -u' "$t" && needs+=("$(basename "$t" .sh)")
	done
	echo "not root: these need root and will skip what needs it (namespaces, XDP, veth):"
	echo "${needs[*]}" | fmt -w 76 | sed "s/^/  /"
	echo "run as root for the whole suite (CI does, with XDPI_STRICT=1: a skip fails)"
	echo
fi

run_one() {
	local name=$1
	shift
	local log=$logdir/$name.log
	local start=$SECONDS
	# stdin /dev/null: a test reads only what it pipes in itself, however
	# the suite was started (a terminal, a pipe, a background shell).
	CMOCKA_MESSAGE_OUTPUT=tap "$@" </dev/null >"$log" 2>&1
	local rc=$?
	local p f s
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
	p=$(($(grep -cE '^ok [0-9]+' "$log") - s))
	f=$(grep -cE '^not ok [0-9]+' "$log")
	# A crash or a non-zero exit with no failing line is one failure.
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ $((p + f + s)) = 0 ]; then
		f=1
		echo "not ok - $name reported no test" >>"$log"
	fi
	# The plan: exactly one 1..N line, N the results reported.
	local plans planned
	plans=$(grep -cE '^1\.\.[0-9]+' "$log")
	planned=$(grep -oE '^1\.\.[0-9]+' "$log" | head -1)
	planned=${planned#1..}
	if [ "$plans" != 1 ]; then
		f=$((f + 1))
		echo "not ok - $name printed $plans TAP plans (1..N), not one" >>"$log"
	elif [ "$planned" != $(($(grep -cE '^(not )?ok [0-9]+' "$log"))) ]; then
		f=$((f + 1))
		echo "not ok - $name planned $planned results and reported $(grep -cE '^(not )?ok [0-9]+' "$log")" >>"$log"
	fi
	# Strict: a skip tests/skips.allowed does not name is a failure.
	if [ "$strict" = 1 ] && [ "$s" != 0 ]; then
		local line tname
		while IFS= read -r line; do
			tname=${line#ok * - }
			tname=${tname% # SKIP*}
			if ! allowed_skip "$name" "$tname"; then
				s=$((s - 1)) f=$((f + 1))
				echo "not ok - strict: $name skipped '$tname' (${line##*# SKIP }), which tests/skips.allowed does not allow for a $kind build" >>"$log"
			fi
		done < <(grep -E '^ok [0-9]+ .*# SKIP' "$log")
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%-28s %4d passed %3d failed %3d skipped  (%ds)\n' "$name" "$p" "$f" "$s" \
		$((SECONDS - start))
	if [ "$f" != 0 ]; then
		failed_names+=("$name")
		grep -E '^not ok|^# ' "$log" | head -40 | sed 's/^/    /'
	fi
}

# One binary per tests/test_*.c: a source whose binary is missing is a
# failure, not a unit test silently not run.
for src in tests/test_*.c; do
	n=$(basename "$src" .c)
	selected "$n" || continue
	if [ -x "$build/tests/$n" ]; then
		run_one "$n" "$build/tests/$n"
	else
		run_one "$n" sh -c "echo 'not ok 1 - $build/tests/$n was not built'; exit 1"
	fi
done
# The ThreadSanitizer builds of some of them (tests/tests.mk; not in the
# SAN=1 tree, where ASan rules out TSan).
for bin in "$build"/tests/test_*_tsan; do
	[ -x "$bin" ] || continue
	n=$(basename "$bin")
	selected "$n" || continue
	run_one "$n" "$bin"
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	selected "$n" || continue
	run_one "$n" bash "$t" "$build"
done

echo
[ ${#failed_names[@]} = 0 ] || echo "failed: ${failed_names[*]} (logs in $logdir)"
[ "$strict" = 1 ] && echo "strict ($kind build): only the skips tests/skips.allowed names"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
