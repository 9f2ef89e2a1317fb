#!/bin/bash
# bench/pktgen.sh without sending anything:
#   - the script parses (bash -n) and is shellcheck-clean (that check is
#     skipped where shellcheck is not installed);
#   - -h prints the usage on stdout and exits 0;
#   - usage errors exit 2 with a message and nothing on stdout: no -i, a size
#     outside 64..1518 (20, 2000), an unknown option, a missing option value,
#     neither -d nor -n;
#   - on a kernel without pktgen (no /proc/net/pktgen, even after modprobe)
#     it refuses with exit 1 and a message that names pktgen and `xdpi gen`.
#     Where the kernel has pktgen that case is skipped: the test never drives
#     a real generator. It also names an interface that does not exist, so
#     that even a wrong guess sends nothing.
# Usage errors are caught before the root and pktgen checks, so those cases
# run anywhere.
#   tests/t_pktgen.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"
SCRIPT=$HERE/../bench/pktgen.sh
t_tmpdir
OUT=$T_TMP/out
ERR=$T_TMP/err

if [ ! -f "$SCRIPT" ]; then
	t_fail "bench/pktgen.sh exists"
	t_done
	exit 1
fi

# run ARGS...: the script with ARGS, status in $RC, output in $OUT and $ERR.
run() {
	bash "$SCRIPT" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# expect NAME RC_WANT STDERR_REGEX...: checks the last run; every regex must
# match stderr (grep -E, case-insensitive). On failure stdout must be empty.
expect() {
	local name=$1 want=$2 re
	shift 2
	if [ "$RC" = "$want" ]; then
		t_ok "$name: exit $want"
	else
		t_fail "$name: exit $want" "exit $RC; stderr: $(head -c 300 "$ERR")"
	fi
	for re in "$@"; do
		if grep -Eiq -- "$re" "$ERR"; then
			t_ok "$name: message matches /$re/"
		else
			t_fail "$name: message matches /$re/" "stderr: $(head -c 300 "$ERR")"
		fi
	done
	if [ "$want" != 0 ]; then
		if [ -s "$OUT" ]; then
			t_fail "$name: nothing on stdout" "stdout: $(head -c 200 "$OUT")"
		else
			t_ok "$name: nothing on stdout"
		fi
	fi
}

# --- the script itself
t_check "bash -n bench/pktgen.sh" bash -n "$SCRIPT"
if command -v shellcheck >/dev/null; then
	if shellcheck "$SCRIPT" >"$T_TMP/sc" 2>&1; then
		t_ok "shellcheck bench/pktgen.sh"
	else
		t_fail "shellcheck bench/pktgen.sh" "$(head -c 600 "$T_TMP/sc")"
	fi
else
	t_skip "shellcheck bench/pktgen.sh" "shellcheck is not installed"
fi

# --- help
run -h
t_eq "-h: exit 0" "$RC" 0
if grep -q '^Usage: bench/pktgen.sh -i IFACE' "$OUT" && grep -q -- 'xdpi live --filter udp' "$OUT"; then
	t_ok "-h: usage on stdout, with the receiver's filter"
else
	t_fail "-h: usage on stdout, with the receiver's filter" "stdout: $(head -c 300 "$OUT")"
fi

# --- usage errors: exit 2
run -s 64
expect "no -i" 2 '-i IFACE is required'
run -i xdpi-nope0 -s 20
expect "size 20" 2 "-s '20'" '64\.\.1518'
run -i xdpi-nope0 -s 2000
expect "size 2000" 2 "-s '2000'" '64\.\.1518'
run -i xdpi-nope0 -s jumbo
expect "size jumbo" 2 "-s 'jumbo'"
run -i xdpi-nope0 -z
expect "unknown option -z" 2 'unknown option -z'
run -i xdpi-nope0 -s
expect "-s without a value" 2 'option -s needs a value'
run -i xdpi-nope0 -f 0
expect "0 flows" 2 "-f '0'"
run -i xdpi-nope0 -r fast
expect "rate fast" 2 "-r 'fast'"
run -i xdpi-nope0 extra
expect "extra argument" 2 "unexpected argument 'extra'"
run -i xdpi-nope0 -s 64
expect "neither -d nor -n" 2 '-d SECONDS or -n COUNT is needed'

# --- no pktgen in this kernel: exit 1, pointing at xdpi gen
if [ -e /proc/net/pktgen ] ||
	{ command -v modprobe >/dev/null && modprobe -n -q pktgen 2>/dev/null; }; then
	t_skip "no pktgen: refused" "this kernel has pktgen (/proc/net/pktgen or a loadable module)"
elif [ "$(id -u)" != 0 ]; then
	t_skip "no pktgen: refused" "needs root (the script checks root first)"
else
	run -i xdpi-nope0 -n 1
	expect "no pktgen" 1 'no pktgen' 'CONFIG_NET_PKTGEN' 'xdpi gen'
	if [ -e /proc/net/pktgen ]; then
		t_fail "no pktgen: nothing loaded" "/proc/net/pktgen appeared"
	else
		t_ok "no pktgen: nothing loaded"
	fi
fi

t_done
