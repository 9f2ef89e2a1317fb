#!/bin/bash
# `xdpi live --config` and SIGHUP on the veth testbed: the JSON-lines file
# rotated mid-run (mv, then kill -HUP) loses and repeats no flow record
# (the records of both files are exactly the flows `xdpi read` finds in
# what was sent, each once), a reload applies what can change mid-run and
# names what it cannot, and a config that no longer parses keeps the run
# going with its settings. Needs root (namespaces, XDP).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "config reload tests" c

live_testbed_up

# Two sets of flows with no tuple in common: the first ends by timeout
# before the rotation (so the old file has records), the second at the end.
"$TOOLS/tool_pcapgen" many_flows "$T_TMP/a.pcap"
"$TOOLS/tool_pcapgen" handshakes "$T_TMP/b.pcap"
mergecap -a -F pcap -w "$T_TMP/ab.pcap" "$T_TMP/a.pcap" "$T_TMP/b.pcap"
want=$("$XDPI" read --json --proto tcp "$T_TMP/ab.pcap" | python3 -c \
	'import json,sys; print(json.load(sys.stdin)["connections"]["flows"])')

replay() { # replay PCAP
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$1" >/dev/null 2>&1
}

# flow_records FILE: the flow lines in FILE (0 if it is missing).
flow_records() {
	[ -e "$1" ] || {
		echo 0
		return
	}
	grep -c '"type": *"flow"' "$1"
}

CONF=$T_TMP/xdpi.conf
J=$T_TMP/flows.jsonl
cat >"$CONF" <<CONF
# the stats lines every 0.2 s write next to the flow records
interval = 0.2
flow-timeout = 1
flow-closed-timeout = 0.5
prometheus = 127.0.0.1:9100
CONF

# scrape PORT: whether the run serves its metrics on PORT in its namespace.
scrape() {
	ip netns exec "$TB_DUT" curl -s -f --max-time 5 "http://127.0.0.1:$1/metrics" >/dev/null
}

if ! live_start cfg --config "$CONF" --json-lines "$J" --json; then
	t_fail "live --config starts" "$(tail -3 "$T_TMP/cfg.err")"
	t_done
	exit
fi
t_ok "live --config starts"
replay "$T_TMP/a.pcap"
# Some of the first flows written, most likely not all: the rotation
# comes while the flow records are being written.
for _ in $(seq 100); do
	[ "$(flow_records "$J")" -gt 0 ] && break
	sleep 0.1
done
mv "$J" "$J.1"
kill -HUP "$LIVE_PID"
t_check "SIGHUP: the JSON-lines file reopened" wait_err cfg "SIGHUP: reopened $J"
t_check "SIGHUP: the file re-read, nothing changed" wait_err cfg "SIGHUP: re-read $CONF: nothing changed"
t_check "a new $J after the rotation" test -e "$J"

# A changed filter cannot apply without a restart; the interval, a flow
# timeout and the Prometheus address can.
t_check "metrics served on the first port" scrape 9100
sed -i 's/^interval = 0.2/interval = 0.3/; s/^flow-timeout = 1$/flow-timeout = 2/
	s/^prometheus = .*/prometheus = 127.0.0.1:9101/' "$CONF"
echo "filter = tcp port 80" >>"$CONF"
kill -HUP "$LIVE_PID"
t_check "SIGHUP: the filter named as not applied" \
	wait_err cfg "SIGHUP: filter changed in $CONF; not applied (needs a restart)"
t_check "SIGHUP: the interval, the flow timeout and the Prometheus address applied" \
	wait_err cfg "SIGHUP: re-read $CONF: applied interval, flow-timeout, prometheus"
t_check "metrics served on the new port" scrape 9101
t_check "and no more on the old one" eval '! scrape 9100'

# A file that does not parse: said, and the run goes on as it was.
echo "batch = lots" >>"$CONF"
kill -HUP "$LIVE_PID"
t_check "SIGHUP: a bad file said with its line" \
	wait_err cfg "SIGHUP: $CONF:7: invalid value 'lots' for batch"
t_check "SIGHUP: a bad file keeps the previous settings" \
	wait_err cfg "keeping the previous settings"
t_check "the run goes on after a bad reload" kill -0 "$LIVE_PID"

replay "$T_TMP/b.pcap"
wait_quiet
kill -INT "$LIVE_PID"
wait "$LIVE_PID"
rc=$?
t_eq "live exits 0 after the reloads" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T_TMP/cfg.err" | head -60

old=$(flow_records "$J.1")
new=$(flow_records "$J")
t_check "records in the rotated file ($old)" test "$old" -gt 0
t_check "records in the new file ($new)" test "$new" -gt 0
got=$(python3 - "$J.1" "$J" <<'PY'
import json, sys
keys = []
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)  # every line whole: none split by the reopen
        if r["type"] == "flow":
            keys.append((r["proto"], r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"]))
print(len(keys), len(keys) - len(set(keys)))
PY
)
t_eq "both files: every flow once (records, duplicates)" "$got" "$want 0"
t_eq "the run's own flow count agrees" \
	"$(json "$T_TMP/cfg.out" 'd["connections"]["flows"]')" "$want"
grep SIGHUP "$T_TMP/cfg.err" | sed "s/^/# /"
t_eq "ledger: 0 unexplained" "$(json "$T_TMP/cfg.out" 'd["ledger"]["unexplained"]')" 0
t_done
