#!/bin/bash
# Output that cannot be written is an error: every subcommand's stdout
# sent to /dev/full (the disk-full case, ENOSPC at the final flush) exits
# 1 with "write error on standard output" on stderr, text and --json;
# the same command into /dev/null exits 0, so the failure is the write's.
#   read FILE, read --json, read --help, xdpi --version, compare RECORD
#   (text, --json), interfaces --json (in a namespace of its own, as root),
#   gen --json (on the veth testbed, as root).
#   tests/t_write_errors.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
GEN=$BUILD/tests/tool_pcapgen
t_tmpdir
t_require_built "$XDPI" "$GEN"
XDPI=$(realpath "$XDPI")

# full NAME CMD...: CMD into /dev/null exits 0; into /dev/full exits 1 and
# says why.
full() {
	local name=$1 rc
	shift
	"$@" >/dev/null 2>"$T_TMP/err"
	rc=$?
	t_eq "$name > /dev/null: exit 0" "$rc" 0
	"$@" >/dev/full 2>"$T_TMP/err"
	rc=$?
	t_eq "$name > /dev/full: exit 1" "$rc" 1
	t_check "$name > /dev/full: says so" \
		grep -q "write error on standard output: No space left on device" "$T_TMP/err"
}

"$GEN" mixed "$T_TMP/mix.pcap" >/dev/null
t_check "a capture to read" test -s "$T_TMP/mix.pcap"
full "read" "$XDPI" read "$T_TMP/mix.pcap"
full "read --json" "$XDPI" read --json "$T_TMP/mix.pcap"
full "read --help" "$XDPI" read --help
full "xdpi --version" "$XDPI" --version

# A record as `xdpi live --record` writes it, its ledger closed.
cat >"$T_TMP/rec.json" <<'JSON'
{"interface": "xdpi-d", "filter": "all", "inspect": true, "duration_s": 1.0, "packets": 10,
 "ledger": {"queues": [{"queue": 0, "socket_bound": true,
  "xdp": {"seen": 10, "seen_bytes": 640, "passed": 0, "redirected": 10,
   "redirected_bytes": 640, "redirect_failed": 0, "dropped": 0, "stopping_passed": 0,
   "copied": 0, "copy_failed": 0},
  "socket": {"rx_dropped": 0, "rx_invalid_descs": 0, "rx_ring_full": 0,
   "rx_fill_ring_empty_descs": 0},
  "iface": {}, "inspected": 10, "unexplained": 0}], "unexplained": 0}}
JSON
full "compare" "$XDPI" compare "$T_TMP/rec.json"
full "compare --json" "$XDPI" compare --json "$T_TMP/rec.json"

if [ "$(id -u)" != 0 ]; then
	t_skip "interfaces --json and gen --json into /dev/full" "need root"
	t_done
	exit
fi
. "$HERE/../bench/testbed.sh"
TB_ID=w$$
trap 'testbed_down; rm -rf "$T_TMP"' EXIT
testbed_up 1 "$TB_ID" || { t_fail "testbed up"; t_done; exit; }
full "interfaces --json" testbed_dut "$XDPI" interfaces --json
full "gen --json" testbed_gen "$XDPI" gen --count 100 --json "$TB_GEN_IF"
t_done
