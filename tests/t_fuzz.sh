#!/bin/bash
# Runs each libFuzzer target for a bounded time from its corpus in the
# repository plus the seeds the build writes, and reports one TAP line per
# target: not ok if the binary is missing, if it found a crash, an overread
# or a broken invariant, or if it ran too few inputs to mean anything (a
# fuzzer that stalls passes nothing).
#   fuzz_parse    the parser, metrics, snapped path, prefixes, filter mirror
#   fuzz_pcap     the file reader: libpcap, filter, parser, metrics
#   fuzz_pcapbuf  the classic pcap reader (inspect/pcapbuf.c) against libpcap
#   fuzz_peek     the HTTP and TLS peeks and the two escapers
#   fuzz_record   the record reader of `xdpi compare` and what it prints
#   fuzz_options  the capture option table and util/optval.c
#   fuzz_config   the config file reader (capture/config.c)
# (tests/fuzz_*.c; corpora tests/fuzz-corpus/NAME, seeds BUILD/fuzz/seeds/NAME
# from tests/tool_fuzzseeds.c and bench/mkcapture.)
# The corpora are copied to a work directory first, so that what the
# fuzzer adds (and any artifact) never lands in the repository; a crashing
# input is shown as hex, to be added to the corpus as a regression case.
#   tests/t_fuzz.sh BUILD_DIR
# FUZZ_TIME: seconds per target (default 12: make check runs every target);
# FUZZ_WORK: a directory that keeps the grown corpora between runs
# (`make fuzz FUZZ_SECONDS=N` uses BUILD/fuzz/work), else a temporary one.
. "$(dirname "$0")/lib.sh"

FUZZ_TIME=${FUZZ_TIME:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
t_tmpdir

# target corpus minimum-inputs-per-second: a tenth or less of the lowest
# rate each did on the shared 2-core VM (about 30,000-50,000/s,
# 2,000-3,000/s, 30,000-40,000/s, 4,000-5,000/s and 14,000-18,000/s; the
# config reader about as fast as the options; pcapbuf 16,000/s), so that a host five times
# slower still passes and only a stall or a hang trips it.
while read -r target corpus min_rate; do
	name="$target: ${FUZZ_TIME}s from tests/fuzz-corpus/$corpus and the seeds without a finding"
	fuzzer=$BUILD/fuzz/$target
	if [ ! -x "$fuzzer" ]; then
		t_fail "$name" "no fuzzer binary at $fuzzer (make check-build builds it with clang)"
		continue
	fi
	fuzzer=$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer")
	work=${FUZZ_WORK:-$T_TMP}/$target
	rm -rf "$work/artifacts"
	mkdir -p "$work/artifacts" "$work/corpus"
	cp -rn "$root/tests/fuzz-corpus/$corpus/." "$work/corpus/"
	if [ -d "$BUILD/fuzz/seeds/$corpus" ]; then
		cp -rn "$BUILD/fuzz/seeds/$corpus/." "$work/corpus/"
	elif [ "$corpus" != frames ]; then
		t_fail "$name" "no seeds at $BUILD/fuzz/seeds/$corpus (make check-build writes them)"
		continue
	fi
	# libFuzzer writes crash-*, leak-*, timeout-* at -artifact_prefix; run it
	# from the temporary directory too.
	(cd "$work" && "$fuzzer" -max_total_time="$FUZZ_TIME" -max_len=4096 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
		"$work/corpus" >"$work/log" 2>&1)
	rc=$?
	artifact=$(find "$work/artifacts" -type f | head -1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	if [ "$rc" = 0 ] && [ -z "$artifact" ] && [ "${runs:-0}" -ge $((min_rate * FUZZ_TIME)) ]; then
		t_ok "$name"
		echo "# $target: ${runs} inputs"
	else
		t_fail "$name" "exit status $rc, ${runs:-no} inputs run (at least $((min_rate * FUZZ_TIME)) wanted)"
		grep -E 'ERROR|invariant|fuzz_|SUMMARY|runtime error|^    #[0-3] ' "$work/log" |
			head -12 | sed 's/^/# /'
		if [ -n "$artifact" ]; then
			echo "# input $(basename "$artifact") ($(wc -c <"$artifact") bytes):"
			od -An -tx1 -v "$artifact" | head -40 | sed 's/^/#/'
		fi
	fi
done <<'TARGETS'
fuzz_parse frames 3000
fuzz_pcap pcap 200
fuzz_pcapbuf pcap 1000
fuzz_peek peek 3000
fuzz_record record 400
fuzz_options options 1000
fuzz_config config 500
TARGETS
t_done
