#!/bin/bash
# The output files of `xdpi live` against a local user who can write where
# they go (issue 25, defects 4 and 5), on the veth testbed:
#   - a symbolic link to a root-only file at the name of --json-lines,
#     --record or -w: refused at start, exit 1, one line naming the path,
#     before anything is attached, the file it points to unchanged;
#   - a --record name made a symbolic link while the run goes on: the
#     record is refused at the end, the file pointed to unchanged;
#   - the --json-lines name made a symbolic link before a SIGHUP (a
#     rotation): the reopen refuses it, the run keeps writing to the file
#     it had, and loses no flow;
#   - rotation with --user nobody, by logrotate itself running the shipped
#     configuration (dist/xdpi.logrotate, its path and reload command put
#     in a copy): the file xdpi made is nobody's, logrotate's `create` makes
#     the new one nobody's, the run (nobody by then) reopens it, the flows
#     after the rotation are all in the new file, and the two files hold
#     every flow of the traffic once (tshark's count of TCP streams in the
#     pcaps sent: 3700 + 12, what tool_pcapgen's many_flows and handshakes
#     make).
# The appending of --json-lines across runs is tested offline (t_flows.sh:
# `xdpi read` opens the file through the same code). Needs root.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "output file tests" o

live_testbed_up
"$TOOLS/tool_pcapgen" many_flows "$T_TMP/a.pcap"
"$TOOLS/tool_pcapgen" handshakes "$T_TMP/b.pcap"

replay() { # replay PCAP
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$1" >/dev/null 2>&1
}

# streams PCAP: the TCP connections in PCAP by tshark's own reckoning.
streams() {
	tshark -r "$1" -Y tcp -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l
}
want_a=$(streams "$T_TMP/a.pcap")
want_b=$(streams "$T_TMP/b.pcap")
t_eq "tshark counts the flows sent: many_flows, handshakes" "$want_a $want_b" "3700 12"

# flow_records FILE: the flow lines in FILE (0 if it is missing).
flow_records() {
	if [ -e "$1" ]; then grep -c '"type": *"flow"' "$1"; else echo 0; fi
}

# wait_records FILE: until FILE has a flow record (at most 10 s).
wait_records() {
	for _ in $(seq 100); do
		[ "$(flow_records "$1")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# A file of root's nobody else may read: what a planted link points to.
TARGET=$T_TMP/root-only
printf 'root only\n' >"$TARGET"
chmod 0600 "$TARGET"
target_state() { stat -c '%a %U %s' "$TARGET" && sha256sum <"$TARGET" | cut -c1-16; }
TARGET_WAS=$(target_state | tr '\n' ' ')

# --- 1. a symbolic link at start: refused before anything is attached
for opt in --json-lines --record -w; do
	name=start${opt//-/}
	link=$T_TMP/$name.link
	ln -s "$TARGET" "$link"
	if live_start "$name" --interval 0 --json "$opt" "$link"; then
		# Taken (the defect): stopped, so that it writes what it would.
		kill -INT "$LIVE_PID"
	fi
	live_wait_exit "$name" 30
	t_eq "$opt through a symlink at start: exit 1, one line naming it, the target unchanged" \
		"$LIVE_RC/$(grep -c "cannot write $link: it is a symbolic link" "$T_TMP/$name.err")/$(target_state | tr '\n' ' ')" \
		"1/1/$TARGET_WAS"
	t_eq "$opt through a symlink at start: refused before the attach (no XDP line, no ready)" \
		"$(grep -cE 'ready:|XDP|attach' "$T_TMP/$name.err")" 0
done

# --- 2. the record's name made a symlink during the run
rec=$T_TMP/late.rec
if live_start late --interval 0 --json --record "$rec"; then
	ln -s "$TARGET" "$rec"
	kill -INT "$LIVE_PID"
	live_wait_exit late 30
	t_eq "--record made a symlink during the run: exit 1, said, the target unchanged" \
		"$LIVE_RC/$(grep -c "cannot write $rec: it is a symbolic link" "$T_TMP/late.err")/$(target_state | tr '\n' ' ')" \
		"1/1/$TARGET_WAS"
	t_eq "--record made a symlink during the run: the report still on stdout" \
		"$(json "$T_TMP/late.out" 'd["ledger"]["unexplained"]')" 0
else
	t_fail "late: live started" "$(tail -3 "$T_TMP/late.err")"
fi

# --- 3. the JSON lines' name made a symlink before SIGHUP
J=$T_TMP/hup.jsonl
if live_start hup --interval 0 --json --json-lines "$J" --flow-timeout 1 \
	--flow-closed-timeout 0.5; then
	replay "$T_TMP/a.pcap"
	wait_records "$J"
	mv "$J" "$J.1"
	ln -s "$TARGET" "$J"
	kill -HUP "$LIVE_PID"
	t_check "SIGHUP onto a symlink: refused, said, the previous file kept" wait_err hup \
		"SIGHUP: cannot write $J: it is a symbolic link (not followed: name the file itself); still writing to the previous file"
	replay "$T_TMP/b.pcap"
	wait_quiet
	kill -INT "$LIVE_PID"
	live_wait_exit hup 60
	t_eq "SIGHUP onto a symlink: the run goes on, exit 0" "$LIVE_RC" 0
	t_eq "SIGHUP onto a symlink: the target unchanged" "$(target_state | tr '\n' ' ')" \
		"$TARGET_WAS"
	t_eq "SIGHUP onto a symlink: every flow in the file it kept" \
		"$(flow_records "$J.1")" $((want_a + want_b))
else
	t_fail "hup: live started" "$(tail -3 "$T_TMP/hup.err")"
fi

# --- 4. rotation with --user nobody, by logrotate and the shipped file
chmod 0711 "$T_TMP" # nobody reaches the log directory, nothing else
LOGDIR=$T_TMP/log
mkdir -m 0755 "$LOGDIR"
J=$LOGDIR/flows.jsonl
CONF=$T_TMP/logrotate.conf
sed -e "s|^/var/log/xdpi/\*\.jsonl {|$LOGDIR/*.jsonl {|" \
	-e "s|systemctl reload 'xdpi@\*\.service'|kill -HUP \$(cat $T_TMP/rot.pid)|" \
	dist/xdpi.logrotate >"$CONF"
t_eq "the shipped logrotate file, its path and reload made the test's" \
	"$(grep -c "^$LOGDIR/\*\.jsonl {" "$CONF") $(grep -c 'kill -HUP' "$CONF") $(grep -c "^[[:space:]]*systemctl" "$CONF")" \
	"1 1 0"
if live_start rot --user nobody --interval 0 --json --json-lines "$J" --flow-timeout 1 \
	--flow-closed-timeout 0.5; then
	echo "$LIVE_PID" >"$T_TMP/rot.pid"
	t_eq "--user nobody: the JSON-lines file xdpi made is nobody's" "$(stat -c %U "$J")" nobody
	replay "$T_TMP/a.pcap"
	wait_records "$J"
	logrotate -f -s "$T_TMP/logrotate.state" "$CONF" >"$T_TMP/logrotate.out" 2>&1
	t_eq "logrotate -f runs the shipped configuration" "$?" 0
	sed 's/^/# logrotate: /' "$T_TMP/logrotate.out"
	t_check "rotation: the run reopened $J" wait_err rot "SIGHUP: reopened $J"
	t_eq "rotation: no reopen failed" "$(grep -c 'SIGHUP: cannot' "$T_TMP/rot.err")" 0
	t_eq "rotation: logrotate made the new file nobody's" "$(stat -c %U "$J")" nobody
	replay "$T_TMP/b.pcap"
	wait_quiet
	kill -INT "$LIVE_PID"
	live_wait_exit rot 60
	t_eq "rotation as nobody: exit 0" "$LIVE_RC" 0
	grep SIGHUP "$T_TMP/rot.err" | sed 's/^/# /'
	# handshakes' flows (to 192.0.2.0/24) all came after the rotation
	got=$(python3 - "$J.1" "$J" <<'PY'
import json, sys
keys, after = [], [0, 0]
for i, path in enumerate(sys.argv[1:]):
    for line in open(path):
        r = json.loads(line)  # whole lines only
        if r["type"] != "flow":
            continue
        keys.append((r["proto"], r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"]))
        if r["dst_ip"].startswith("192.0.2."):
            after[i] += 1
print(len(keys), len(keys) - len(set(keys)), after[0], after[1])
PY
	)
	t_eq "rotation: every flow once in the two files; the later ones all in the new file (flows, duplicates, later ones in the old file, in the new)" \
		"$got" "$((want_a + want_b)) 0 0 $want_b"
else
	t_fail "rot: live --user nobody started" "$(tail -3 "$T_TMP/rot.err")"
fi
t_done
