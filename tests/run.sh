#!/bin/bash
# Runs every test program and script, counts their TAP lines and ends with
# the closing line CI reads: "N passed, N failed, N skipped".
#   tests/run.sh BUILD_DIR [NAME_FILTER...]
# A name runs if it contains any of the filters (none: everything).
# Unit tests: BUILD_DIR/tests/test_* (cmocka, TAP output).
# Scripts:    tests/t_*.sh (tests/lib.sh), given BUILD_DIR as $1.
set -u
build=${1:-build}
shift $(($# > 0))
filters=("$@")

selected() {
	[ ${#filters[@]} = 0 ] && return 0
	local f
	for f in "${filters[@]}"; do
		[[ $1 == *$f* ]] && return 0
	done
	return 1
}
logdir=$build/test-logs
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
failed_names=()

run_one() {
	local name=$1
	shift
	local log=$logdir/$name.log
	local start=$SECONDS
	CMOCKA_MESSAGE_OUTPUT=tap "$@" >"$log" 2>&1
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
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
