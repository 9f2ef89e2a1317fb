#!/bin/bash
# logrotate running the shipped dist/xdpi.logrotate (a copy: the path
# /var/log/xdpi/*.jsonl made the test's directory and `systemctl reload` a
# kill -HUP of the run, nothing else changed) against `xdpi live
# --json-lines` while traffic goes on: three `logrotate -f` in a row, each
# while a part of the traffic is being replayed (after frames of that part
# reached XDP, before it ends), with flows ending all the time (1 s
# timeouts). Then, over the four files the configuration leaves (the live
# one, .1 kept plain by delaycompress, .2.gz and .3.gz compressed): every
# line is whole JSON, and the TCP flows are exactly tshark's TCP
# connections of the pcaps sent (tcp.stream, by their endpoints), each
# once: nothing lost or written twice across the rotations. tests/
# t_outputs.sh runs one rotation between two replays with --user nobody
# (ownership of the files); this one rotates under traffic, repeatedly,
# through compression. Needs root, logrotate, tshark and editcap.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "logrotate under traffic" lr
for tool in logrotate tshark editcap gzip; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "logrotate under traffic" "$tool is not installed (make deps)"
		t_done
		exit 0
	fi
done

"$TOOLS/tool_pcapgen" many_flows "$T_TMP/mf.pcap" &&
	"$TOOLS/tool_pcapgen" handshakes "$T_TMP/hs.pcap" || {
	t_fail "the captures are built"
	t_done
	exit 1
}
# Three parts of many_flows (each frame its own connection), then the
# handshakes: a rotation during each of the first three.
editcap -r "$T_TMP/mf.pcap" "$T_TMP/p1.pcap" 1-1200 &&
	editcap -r "$T_TMP/mf.pcap" "$T_TMP/p2.pcap" 1201-2400 &&
	editcap -r "$T_TMP/mf.pcap" "$T_TMP/p3.pcap" 2401-3700 || t_fail "editcap splits the capture"
parts=("$T_TMP/p1.pcap" "$T_TMP/p2.pcap" "$T_TMP/p3.pcap" "$T_TMP/hs.pcap")

testbed_up 1 "$TB_ID" || {
	t_fail "testbed up"
	t_done
	exit 1
}

LOGDIR=$T_TMP/log
mkdir -m 0755 "$LOGDIR"
J=$LOGDIR/flows.jsonl
CONF=$T_TMP/logrotate.conf
sed -e "s|^/var/log/xdpi/\*\.jsonl {|$LOGDIR/*.jsonl {|" \
	-e "s|systemctl reload 'xdpi@\*\.service'|kill -HUP \$(cat $T_TMP/live.pid)|" \
	dist/xdpi.logrotate >"$CONF"
t_eq "the shipped file with the test's path and reload, nothing else changed" \
	"$(diff dist/xdpi.logrotate "$CONF" | grep -c '^[<>]')" 4

# xdp_frames: what the DUT's XDP program has seen (veth's counters).
xdp_frames() {
	ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" 2>/dev/null |
		awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}'
}
reopens() { grep -c "SIGHUP: reopened $J" "$T_TMP/live.err"; }
flow_lines() { if [ -e "$1" ]; then grep -c '"type": *"flow"' "$1"; else echo 0; fi; }
frames_above() { [ "$(xdp_frames)" -gt "$1" ]; }
has_flows() { [ "$(flow_lines "$1")" -gt 0 ]; }
reopens_above() { [ "$(reopens)" -gt "$1" ]; }
wait_until() { # SECONDS CMD...
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

if ! live_start live --interval 0 --json --json-lines "$J" --flow-timeout 1 \
	--flow-closed-timeout 0.5; then
	t_fail "xdpi live --json-lines starts" "$(tail -3 "$T_TMP/live.err")"
	t_done
	exit 1
fi
echo "$LIVE_PID" >"$T_TMP/live.pid"
under=0
for i in 0 1 2 3; do
	before=$(xdp_frames)
	# 400 frames a second: each part of 1200 lasts 3 s.
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 400 "${parts[$i]}" >/dev/null 2>&1 &
	REPLAY=$!
	[ "$i" = 3 ] && { wait "$REPLAY"; break; }
	# Rotate once frames of this part arrive, and records are in the file
	# (notifempty would skip an empty one).
	wait_until 30 frames_above "$before" ||
		t_fail "part $((i + 1)): frames reach XDP"
	wait_until 30 has_flows "$J" ||
		t_fail "part $((i + 1)): flow records in the new file before rotating"
	n=$(reopens)
	logrotate -f -s "$T_TMP/logrotate.state" "$CONF" >"$T_TMP/logrotate.out" 2>&1
	t_eq "rotation $((i + 1)): logrotate -f exits 0" "$?" 0
	wait_until 30 reopens_above "$n" ||
		t_fail "rotation $((i + 1)): the run reopened $J"
	at_reopen=$(xdp_frames)
	kill -0 "$REPLAY" 2>/dev/null && under=$((under + 1))
	wait "$REPLAY"
	echo "# rotation $((i + 1)): frames before $before, at the reopen $at_reopen, after the part $(xdp_frames)"
done
echo "# rotations done while their part was still being sent: $under of 3"
wait_quiet
kill -INT "$LIVE_PID"
live_wait_exit live 60
t_eq "xdpi live exits 0" "$LIVE_RC" 0
t_eq "no reopen failed" "$(grep -c 'SIGHUP: cannot' "$T_TMP/live.err")" 0
t_eq "files left: the live one, .1 plain (delaycompress), .2.gz and .3.gz compressed" \
	"$(cd "$LOGDIR" && for f in *; do
		gzip -t "$f" 2>/dev/null && k=gzip || k=plain
		printf '%s:%s ' "$f" "$k"
	done)" "flows.jsonl:plain flows.jsonl.1:plain flows.jsonl.2.gz:gzip flows.jsonl.3.gz:gzip "

got=$(python3 - "$LOGDIR" "${parts[@]}" <<'EOF'
import collections, gzip, ipaddress, json, os, subprocess, sys
def ip(a):
    return ipaddress.ip_address(a).compressed
d, pcaps = sys.argv[1], sys.argv[2:]
want = set()
for p in pcaps:
    out = subprocess.run(["tshark", "-n", "-r", p, "-Y", "tcp", "-T", "fields", "-E", "separator=;",
                          "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                          "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         universal_newlines=True, check=True).stdout
    streams = {}
    for line in out.splitlines():
        st, sa4, sa6, sp, da4, da6, dp = line.split(";")
        sa, da = ip(sa4 or sa6), ip(da4 or da6)
        streams.setdefault(st, tuple(sorted([(sa, int(sp)), (da, int(dp))])))
    want |= {(p, k) for k in streams.values()}
want_keys = collections.Counter(k for _, k in want)
got, bad, per_file = collections.Counter(), [], {}
for name in sorted(os.listdir(d)):
    op = gzip.open if name.endswith(".gz") else open
    with op(os.path.join(d, name), "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        bad.append("%s: last line not whole" % name)
    n = 0
    for i, line in enumerate(data.splitlines(), 1):
        try:
            r = json.loads(line)
        except ValueError:
            bad.append("%s:%d: not JSON: %r" % (name, i, line[:80]))
            continue
        if r.get("type") != "flow" or r.get("proto") != "tcp":
            continue
        n += 1
        got[tuple(sorted([(ip(r["src_ip"]), r["src_port"]), (ip(r["dst_ip"]), r["dst_port"])]))] += 1
    per_file[name] = n
lost = want_keys - got
extra = got - want_keys
if lost:
    bad.append("%d connections in no file (e.g. %s)" % (sum(lost.values()), list(lost)[:2]))
if extra:
    bad.append("%d records too many (e.g. %s)" % (sum(extra.values()), list(extra)[:2]))
empty = [n for n, c in per_file.items() if not c]
if empty:
    bad.append("files without a flow: %s" % empty)
print("; ".join(bad) if bad else "OK %d connections in %s" % (
    sum(want_keys.values()), ", ".join("%s %d" % kv for kv in sorted(per_file.items()))))
EOF
)
echo "# $got"
if [[ $got == "OK "* ]]; then
	t_ok "every TCP connection of tshark's exactly once over the rotated files (${got#OK })"
else
	t_fail "every TCP connection of tshark's exactly once over the rotated files" "$got"
fi
t_done
