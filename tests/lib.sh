# shellcheck shell=bash
# Shared helpers for the shell tests (sourced). Results are TAP lines that
# tests/run.sh counts: "ok N - name", "not ok N - name", "ok N - name # SKIP".
# A test script gets the build directory as $1 (default build).
BUILD=${1:-build}
XDPI=${XDPI:-$BUILD/xdpi}
T_NUM=0
T_FAILED=0

t_ok() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1"
}

t_fail() {
	T_NUM=$((T_NUM + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_NUM - $1"
	shift
	[ $# -gt 0 ] && echo "# $*"
	return 0
}

t_skip() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1 # SKIP $2"
}

# t_check NAME CMD...: ok if CMD exits 0.
t_check() {
	local name=$1
	shift
	if "$@"; then t_ok "$name"; else t_fail "$name" "command failed: $*"; fi
}

# t_eq NAME GOT WANT
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', want '$3'"; fi
}

t_done() {
	echo "1..$T_NUM"
	[ "$T_FAILED" = 0 ]
}

t_tmpdir() {
	T_TMP=$(mktemp -d /tmp/xdpi-test.XXXXXX)
	trap 'rm -rf "$T_TMP"' EXIT
}

# json FILE EXPR: a python expression over the JSON object `d` in FILE.
json() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# t_require_built BIN...: a missing binary fails the script (not a skip).
t_require_built() {
	local bin
	for bin in "$@"; do
		if [ ! -x "$bin" ]; then
			t_fail "$bin is built" "run 'make check-build' first"
			t_done
			exit 1
		fi
	done
}

# Daemons a test starts in the background: T_PIDS+=("$!") after each;
# t_bg_cleanup (from the EXIT trap) stops them all, then removes T_TMP.
T_PIDS=()

# t_bg_stop PID: SIGINT (the way out for daemons that ignore SIGTERM),
# SIGKILL if it is still there after 5 s.
t_bg_stop() {
	local i
	kill -INT "$1" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

t_bg_cleanup() {
	local p
	for p in "${T_PIDS[@]}"; do
		t_bg_stop "$p"
	done
	rm -rf "$T_TMP"
}

# t_free_port [udp]: a loopback TCP (or UDP) port nobody uses now (the
# kernel's pick, released at once).
t_free_port() {
	python3 - "${1:-tcp}" <<'EOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

# flow_budget_kib MAX_FLOWS: what docs/flows.md says a flow table bounded
# at MAX_FLOWS may take at most, in KiB: MAX_FLOWS times the bytes it
# declares per flow ("Declared: N bytes"), plus the table's fixed part
# ("plus N MiB whatever the bound") where it states one. Taken from the
# document, not from the binary: the tests hold the binary to what it says.
flow_budget_kib() {
	python3 - "$1" "$(dirname "${BASH_SOURCE[0]}")/../docs/flows.md" <<'PY'
import re, sys
doc = open(sys.argv[2]).read()
per = re.search(r"Declared:\s+([0-9,]+)\s+bytes", doc)
fixed = re.search(r"plus\s+([0-9]+)\s+MiB\s+whatever\s+the\s+bound", doc)
if not per:
    sys.exit("docs/flows.md declares no bytes per flow")
per = int(per.group(1).replace(",", ""))
print(int(sys.argv[1]) * per // 1024 + (int(fixed.group(1)) * 1024 if fixed else 0))
PY
}

# realtraffic_missing: what tests/realtraffic.sh needs and this host lacks
# (root, its tools), space-separated; empty when it can run.
realtraffic_missing() {
	local need=() tool
	[ "$(id -u)" = 0 ] || need+=(root)
	for tool in ip tcpdump curl openssl timeout; do
		command -v "$tool" >/dev/null || need+=("$tool")
	done
	echo "${need[*]}"
}
