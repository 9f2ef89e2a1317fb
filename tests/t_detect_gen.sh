#!/bin/bash
# Detection (issue 30) against `xdpi gen`'s flood presets at the
# generator's full rate, bounded by a count, into `xdpi live` steering the
# DUT end of the veth testbed; then host groups on a live run. The oracle
# for what was sent is the generator's own JSON (frames sent, distinct
# 4-tuples: every frame a new flow) and the kernel's count of the frames
# that reached the DUT's XDP hook (veth's rx_queue_N_xdp_packets), never
# xdpi's own figures.
#  1. --preset syn-flood, 200,000 frames: exactly one SYN flood, on the
#     generator's destination and port, started within 1 s of the
#     generator's start, counting no more SYNs than reached the hook, and
#     ended after the flood (the hold); no scan.
#  2. --preset udp-flood, 200,000 frames, `--proto all`: a volumetric
#     alert on the destination, no SYN flood, no scan.
#  2b. nmap -sU over 30 ports (none answered): one UDP port scan naming
#     the scanner and the victim, at most the ports tcpdump saw probed.
#  3. --host-groups: 400 SYNs/s (below the run's 1000) to three hosts in
#     turn: 198.18.0.2, in a /24 group at 20/s and in a /32 group at
#     100000/s (the /32 wins: nothing), 198.18.0.3, only in the /24 (a SYN
#     flood naming the group), 198.18.5.5 in none (the run's threshold:
#     nothing); a SIGHUP that adds a group for 198.18.5.0/24 to the
#     --config file: the same SYNs to 198.18.5.5 raise a flood naming it;
#     with --ipfix-alerts, the live path's alert records as
#     Wireshark's IPFIX dissector decodes them (the start and end of that
#     flood, frames lost known and as in the JSON lines).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
. tests/lib_ipfix.sh

live_test_begin "detection against xdpi gen's floods" dg
N=200000
live_testbed_up

# alerts JSONL KIND [STATE]: how many alert records of KIND (and STATE).
alerts() {
	python3 - "$@" <<'EOF'
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("type") == "alert" and r["kind"] == sys.argv[2] and (
            len(sys.argv) < 4 or r["state"] == sys.argv[3]):
        n += 1
print(n)
EOF
}

# xdp_seen: frames that reached the DUT's XDP hook so far (the kernel's).
xdp_seen() {
	ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" |
		awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}'
}

# flood NAME PRESET LIVE_ARGS...: xdpi live, then the generator's preset
# at full rate for N frames; NAME.gen its JSON, NAME.seen the frames that
# reached the hook meanwhile. 1 if live did not start.
flood() {
	local name=$1 preset=$2 before
	shift 2
	if ! live_start "$name" --interval 0 --json --json-lines "$T_TMP/$name.jsonl" "$@"; then
		t_fail "$name: live started" "$(cat "$T_TMP/$name.err")"
		return 1
	fi
	before=$(xdp_seen)
	testbed_gen "$XDPI" gen --cpus "$GEN_CPU" --preset "$preset" --count "$N" --json \
		"$TB_GEN_IF" >"$T_TMP/$name.gen" 2>"$T_TMP/$name.gen.err"
	wait_quiet
	echo $(($(xdp_seen) - before)) >"$T_TMP/$name.seen"
	t_eq "$name: the generator sent $N frames, each a new 4-tuple" \
		"$(json "$T_TMP/$name.gen" '(d["sent"], d["distinct_tuples"] >= d["sent"])')" \
		"($N, True)"
	echo "# $name: sent $(json "$T_TMP/$name.gen" 'd["sent"]') at" \
		"$(json "$T_TMP/$name.gen" 'round(d["pps"])') pps, $(cat "$T_TMP/$name.seen") reached XDP"
}

stop_live() {
	kill -INT "$LIVE_PID"
	live_wait_exit "$1" 60
}

# --- 1. SYN flood
if flood syn syn-flood; then
	t_check "syn: the SYN flood alert ended after the flood (hold 5 s)" \
		wait_err syn "alert end syn_flood"
	stop_live syn
	t_eq "syn: exactly one SYN flood, none ended twice" \
		"$(alerts "$T_TMP/syn.jsonl" syn_flood start) $(alerts "$T_TMP/syn.jsonl" syn_flood end)" "1 1"
	t_eq "syn: on the generator's destination and port, within 1 s of its start, no more SYNs than reached the hook" \
		"$(python3 - "$T_TMP/syn.jsonl" "$T_TMP/syn.gen" "$(cat "$T_TMP/syn.seen")" <<'EOF'
import datetime, json, sys
def t(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
g = json.load(open(sys.argv[2]))
seen = int(sys.argv[3])
a = [json.loads(l) for l in open(sys.argv[1])]
a = [x for x in a if x.get("type") == "alert" and x["kind"] == "syn_flood"]
s = [x for x in a if x["state"] == "start"][0]
print(s["dst"], s["port"], 0 <= t(s["start"]) - t(g["start"]) <= 1.0,
      all(0 < x["syns"] <= seen for x in a if x["state"] != "end"), s["rate"] >= 1000)
EOF
)" "198.18.0.2 5201 True True True"
	t_eq "syn: no port scan, no address scan" \
		"$(alerts "$T_TMP/syn.jsonl" port_scan) $(alerts "$T_TMP/syn.jsonl" address_scan)" "0 0"
fi

# --- 2. UDP flood, UDP steered too
if flood udp udp-flood --proto all; then
	wait_err udp "alert start volumetric"
	stop_live udp
	t_eq "udp: a volumetric alert on the destination, within 1 s of the generator's start" \
		"$(python3 - "$T_TMP/udp.jsonl" "$T_TMP/udp.gen" <<'EOF'
import datetime, json, sys
def t(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
g = json.load(open(sys.argv[2]))
a = [json.loads(l) for l in open(sys.argv[1])]
s = [x for x in a if x.get("type") == "alert" and x["kind"] == "volumetric"
     and x["state"] == "start"]
print(len(s), s[0]["dst"] if s else None, bool(s) and 0 <= t(s[0]["start"]) - t(g["start"]) <= 1.0)
EOF
)" "1 198.18.0.2 True"
	t_eq "udp: no SYN flood, no scan" \
		"$(alerts "$T_TMP/udp.jsonl" syn_flood) $(alerts "$T_TMP/udp.jsonl" port_scan) $(alerts "$T_TMP/udp.jsonl" address_scan)" \
		"0 0 0"
fi

# --- 2b. nmap -sU over 30 ports, IP steered (`--proto ip`: not ARP, so
# that nmap finds the DUT's address): the DUT's kernel never sees the
# probes, so none is answered; tcpdump on the generator's side counts the
# ports probed.
if command -v nmap >/dev/null; then
	ip netns exec "$TB_GEN" tcpdump -Z root --immediate-mode -i "$TB_GEN_IF" -n -U \
		-w "$T_TMP/nmapu.pcap" "udp and dst host $TB_DUT_IP" 2>"$T_TMP/nmapu.tcpdump.err" &
	NMAPU_TCPDUMP=$!
	for _ in $(seq 100); do
		grep -qs "listening on" "$T_TMP/nmapu.tcpdump.err" && break
		sleep 0.1
	done
	if live_start nmapu --interval 0 --json --json-lines "$T_TMP/nmapu.jsonl" --proto ip; then
		ip netns exec "$TB_GEN" timeout 60 nmap -n -Pn -sU -p 1-30 --max-retries 0 \
			"$TB_DUT_IP" >"$T_TMP/nmapu.txt" 2>&1
		wait_err nmapu "alert start port_scan"
		stop_live nmapu
		kill -INT "$NMAPU_TCPDUMP"
		wait "$NMAPU_TCPDUMP" 2>/dev/null
		ports=$(tshark -r "$T_TMP/nmapu.pcap" -T fields -e udp.dstport 2>/dev/null |
			sort -u | wc -l)
		t_eq "nmap -sU: tcpdump saw UDP probes to 30 ports" "$ports" 30
		t_eq "nmap -sU: exactly one port scan, UDP, naming the scanner and the victim, at most the ports probed" \
			"$(python3 - "$T_TMP/nmapu.jsonl" "$ports" <<'EOF'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
s = [x for x in a if x.get("type") == "alert" and x["state"] == "start"]
print([(x["kind"], x.get("proto"), x["src"], x["dst"], 15 <= x.get("ports", 0) <= int(sys.argv[2]))
       for x in s])
EOF
)" "[('port_scan', 'udp', '$TB_GEN_IP', '$TB_DUT_IP', True)]"
	else
		kill -INT "$NMAPU_TCPDUMP"
		t_fail "nmapu: live started" "$(cat "$T_TMP/nmapu.err")"
	fi
else
	t_skip "nmap -sU: a UDP port scan" "nmap is not installed (make deps)"
fi

# --- 3. host groups; the alerts to IPFIX too, captured on the DUT's
# loopback, read by a socket that only reads.
t_check "groups: a collector socket and tcpdump on the DUT's loopback" \
	ipfix_capture_start "$TB_DUT" 4739
# syn400 DST NAME [GEN_ARGS...]: 400 SYNs at 400/s to DST (the generator's
# JSON in NAME.gen).
syn400() {
	local dst=$1 name=$2
	shift 2
	testbed_gen "$XDPI" gen --cpus "$GEN_CPU" --preset syn-flood --rate 400 --count 400 \
		--dst-ip "$dst" "$@" --json "$TB_GEN_IF" >"$T_TMP/$name.gen" 2>"$T_TMP/$name.gen.err"
}
GROUPS_LINE='host-groups = lan 198.18.0.0/24 syn-flood-rate=20; dut 198.18.0.2 syn-flood-rate=100000'
echo "$GROUPS_LINE" >"$T_TMP/groups.conf"
if live_start groups --config "$T_TMP/groups.conf" --interval 0 --json \
	--json-lines "$T_TMP/groups.jsonl" --ipfix 127.0.0.1:4739 --ipfix-alerts \
	--volumetric-pps 0 --volumetric-flows 0 --volumetric-deviations 0; then
	syn400 198.18.0.2 g1
	syn400 198.18.0.3 g2
	syn400 198.18.5.5 g3
	wait_quiet
	wait_err groups "alert start syn_flood to 198.18.0.3"
	# SIGHUP: a new group for 198.18.5.0/24 in the file, then the same
	# 400 SYNs/s to 198.18.5.5 again.
	echo "$GROUPS_LINE; far 198.18.5.0/24 syn-flood-rate=20" >"$T_TMP/groups.conf"
	kill -HUP "$LIVE_PID"
	t_check "groups: SIGHUP applied host-groups" wait_err groups "applied host-groups"
	# Other sources: the preset's 4-tuples start over in every run, and
	# the first run's flows to 198.18.5.5 are still in the table (their
	# SYNs again would be retransmissions, not new attempts).
	syn400 198.18.5.5 g4 --src-ip 198.19.0.1
	wait_quiet
	wait_err groups "alert start syn_flood to 198.18.5.5"
	stop_live groups
	t_eq "groups: the generator sent 400 SYNs each time" \
		"$(for g in g1 g2 g3 g4; do json "$T_TMP/$g.gen" 'd["sent"]'; done | tr '\n' ' ')" \
		"400 400 400 400 "
	t_eq "groups: SYN floods on the host only in the /24 group, then on the host in the group SIGHUP added, each naming its group" \
		"$(python3 - "$T_TMP/groups.jsonl" <<'EOF'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
print([(x["dst"], x["group"]) for x in a if x.get("type") == "alert" and x["state"] == "start"])
EOF
)" "[('198.18.0.3', 'lan'), ('198.18.5.5', 'far')]"
	ipfix_capture_stop
	ipfix_tshark -Y 'cflow.flowset_id == 8209' -T fields -E occurrence=a -E aggregator=' ' \
		-e cflow.dstaddr -e cflow.dstport -e cflow.enterprise_private_entry >"$T_TMP/ipfix.fields"
	# PEN 32473 elements 1..15 in template order: 11 frames lost, 13 kind,
	# 14 state, 15 flags (0x20: frames lost not known).
	t_eq "groups, live --ipfix-alerts: tshark decodes the SYN flood's start and end, its destination and port, frames lost known and as in the JSON lines" \
		"$(python3 - "$T_TMP/ipfix.fields" "$T_TMP/groups.jsonl" <<'EOF'
import json, sys
lost = {}
for l in open(sys.argv[2]):
    a = json.loads(l)
    if a.get("type") == "alert" and a["dst"] == "198.18.0.3":
        lost[a["state"]] = a["frames_lost"]
out = []
for line in open(sys.argv[1]):
    dst, port, pie = line.rstrip("\n").split("\t")
    pie = pie.split(" ")
    for i, rec in enumerate(zip(dst.split(" "), port.split(" "))):
        v = [int(x.replace(":", ""), 16) for x in pie[15 * i:15 * i + 15]]
        state = {1: "start", 2: "update", 3: "end"}[v[13]]
        if rec[0] == "198.18.0.3":
            out.append((rec[0], int(rec[1]), v[12], state, v[14] & 0x20, v[10] == lost.get(state)))
print(sorted(out, key=lambda r: r[3], reverse=True))
EOF
)" "[('198.18.0.3', 5201, 1, 'start', 0, True), ('198.18.0.3', 5201, 1, 'end', 0, True)]"
else
	t_fail "groups: live started" "$(cat "$T_TMP/groups.err")"
fi
t_done
