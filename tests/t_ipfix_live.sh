#!/bin/bash
# `xdpi live --ipfix` into a real collector under replayed traffic: nfdump's
# nfcapd listens on the DUT namespace's loopback (UDP 4739), xdpi steers the
# TCP frames tcpreplay sends through the veth testbed and exports a record
# per direction of every flow, as flows end (FIN, RST, the closed timeout)
# and at the stop. After nfcapd has written its file, `nfdump -r` lists the
# records, and they are compared flow by flow with tshark's conversations
# of the pcaps sent (an oracle outside xdpi): per TCP connection of tshark
# (tcp.stream) and per direction that carried frames, the endpoints
# (address and port), the frames, the IP bytes (ip.len, or 40 + ipv6.plen:
# IPFIX octetDeltaCount) and the OR of the TCP flags of the whole
# connection (tcpControlBits); every direction exactly one record, and no
# record that is not one of them. Traffic: tool_pcapgen's handshakes (12
# connections both ways, FIN and RST), tests/mkflows.py's TCP (HTTP, TLS,
# IPv6, 802.1Q, half-open, refused, retransmitted SYN) and many_flows
# (3,700 one-frame connections). Also: xdpi's own counts say nothing was
# dropped or failed to send. Needs root, nfcapd, nfdump and tshark.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "xdpi live --ipfix into nfcapd" ix
for tool in nfcapd nfdump tshark; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "xdpi live --ipfix into nfcapd" "$tool is not installed (make deps)"
		t_done
		exit 0
	fi
done
CAP_PID=
trap '[ -n "$CAP_PID" ] && t_bg_stop "$CAP_PID"; live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT
# nfdump prints local time; nothing here compares times, but keep it fixed.
export TZ=UTC

pcaps=("$T_TMP/hs.pcap" "$T_TMP/mk.pcap" "$T_TMP/mf.pcap")
"$TOOLS/tool_pcapgen" handshakes "$T_TMP/hs.pcap" &&
	python3 tests/mkflows.py "$T_TMP/mk.pcap" >/dev/null &&
	"$TOOLS/tool_pcapgen" many_flows "$T_TMP/mf.pcap" || {
	t_fail "the captures are built"
	t_done
	exit 1
}

testbed_up 1 "$TB_ID" || {
	t_fail "testbed up"
	t_done
	exit 1
}

mkdir -p "$T_TMP/nfcapd"
# nfcapd leaves a work directory (nfx<pid>) in its current one.
(cd "$T_TMP" && exec ip netns exec "$TB_DUT" nfcapd -b 127.0.0.1 -p 4739 \
	-w "$T_TMP/nfcapd" -t 3600 >"$T_TMP/nfcapd.log" 2>&1) &
CAP_PID=$!
bound() { ip netns exec "$TB_DUT" ss -Hlun 'sport = :4739' | grep -q .; }
for _ in $(seq 100); do
	bound && break
	sleep 0.1
done
t_check "nfcapd listens on 127.0.0.1:4739 in the DUT namespace" bound

if ! live_start live --interval 0 --json --ipfix 127.0.0.1:4739 --flow-timeout 2 \
	--flow-closed-timeout 1; then
	t_fail "xdpi live --ipfix starts" "$(tail -3 "$T_TMP/live.err")"
	t_done
	exit 1
fi
for p in "${pcaps[@]}"; do
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 4000 "$p" >/dev/null 2>&1 ||
		t_fail "tcpreplay $(basename "$p")"
done
wait_quiet || t_fail "the traffic stopped (wait_quiet)"
kill -INT "$LIVE_PID"
live_wait_exit live 60
t_eq "xdpi live exits 0" "$LIVE_RC" 0
t_eq "xdpi: records sent, none dropped, no send error" \
	"$(json "$T_TMP/live.out" '(d["ipfix"]["records"] > 0, d["ipfix"]["dropped"], d["ipfix"]["send_errors"], d["ipfix"]["unsent"])')" \
	"(True, 0, 0, 0)"
# xdpi has sent everything when it exits; what nfcapd received is in its
# socket buffer or decoded. SIGTERM makes it write the file, after it has
# read what is queued (it stops only between packets).
t_bg_stop "$CAP_PID"
CAP_PID=
nfdump -6 -N -q -R "$T_TMP/nfcapd" -o 'fmt:%sa;%da;%sp;%dp;%pr;%flg;%pkt;%byt' \
	>"$T_TMP/nfdump.txt" 2>"$T_TMP/nfdump.err"
t_check "nfdump reads nfcapd's file" [ -s "$T_TMP/nfdump.txt" ]
grep -i 'sequence' "$T_TMP/nfcapd.log" | sed 's/^/# nfcapd: /' | head -3

got=$(python3 - "$T_TMP/nfdump.txt" "${pcaps[@]}" <<'EOF'
import collections, ipaddress, subprocess, sys
FLAGS = "CEUAPRSF"  # nfdump's letters, high bit first
out, pcaps = sys.argv[1], sys.argv[2:]
def addr(a):
    return ipaddress.ip_address(a.strip()).compressed
# tshark: per connection (pcap, tcp.stream) and direction, the frames and
# IP bytes; per connection, the OR of the flags.
want, flags = collections.Counter(), collections.defaultdict(int)
dirs = {}
for i, p in enumerate(pcaps):
    r = subprocess.run(["tshark", "-n", "-r", p, "-Y", "tcp", "-o", "ip.tso_support:FALSE",
                        "-T", "fields", "-E", "separator=;", "-e", "tcp.stream", "-e", "ip.src",
                        "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "tcp.srcport",
                        "-e", "tcp.dstport", "-e", "ip.len", "-e", "ipv6.plen", "-e", "tcp.flags"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode:
        sys.exit(print("tshark failed on %s: %s" % (p, r.stderr.strip())) or 0)
    for line in r.stdout.splitlines():
        st, s4, d4, s6, d6, sp, dp, l4, pl6, fl = line.split(";")
        src, dst = (s4, d4) if s4 else (s6, d6)
        iplen = int(l4) if s4 else 40 + int(pl6)
        d = (addr(src), addr(dst), int(sp), int(dp))
        conn = (i, st)
        dirs.setdefault(d, set()).add(conn)
        want[d + ("p",)] += 1
        want[d + ("b",)] += iplen
        flags[conn] |= int(fl, 16) & 0xFF
if any(len(c) > 1 for c in dirs.values()):
    sys.exit(print("a direction in two tshark connections: the pcaps reuse a 4-tuple") or 0)
got, nrec, bad = collections.Counter(), collections.Counter(), []
for line in open(out):
    v = [x.strip() for x in line.split(";")]
    if len(v) != 8:
        continue
    if v[4].upper() not in ("TCP", "6"):
        bad.append("a record that is not TCP: %s" % line.strip())
        continue
    d = (addr(v[0]), addr(v[1]), int(v[2]), int(v[3]))
    nrec[d] += 1
    got[d + ("p",)] += int(v[6])
    got[d + ("b",)] += int(v[7])
    fl = sum(1 << (7 - k) for k, c in enumerate(v[5].rjust(8, ".")) if c != ".")
    if d in dirs and fl != flags[next(iter(dirs[d]))]:
        bad.append("%s: flags %s, tshark's connection %02x" % (d, v[5], flags[next(iter(dirs[d]))]))
for d in dirs:
    if nrec[d] != 1:
        bad.append("%s:%d -> %s:%d: %d records, want 1" % (d[0], d[2], d[1], d[3], nrec[d]))
for d in nrec:
    if d not in dirs:
        bad.append("%s:%d -> %s:%d: a record for no connection of tshark's" % (d[0], d[2], d[1], d[3]))
for k in sorted(set(want) | set(got)):
    if k[:4] in dirs and want[k] != got[k]:
        bad.append("%s:%d -> %s:%d %s: nfdump %d, tshark %d" % (
            k[0], k[2], k[1], k[3], "frames" if k[4] == "p" else "IP bytes", got[k], want[k]))
conns = len({c for cs in dirs.values() for c in cs})
if not dirs:
    print("tshark found no TCP connection")
elif bad:
    print("%d of %d directions wrong: " % (len(bad), len(dirs)) + "; ".join(bad[:6]))
else:
    print("OK %d connections, %d directions, %d records" % (conns, len(dirs), sum(nrec.values())))
EOF
)
echo "# $got"
if [[ $got == "OK "* ]]; then
	t_ok "nfcapd's records = tshark's connections, direction by direction: endpoints, frames, IP bytes, flags (${got#OK })"
else
	t_fail "nfcapd's records = tshark's connections, direction by direction" "$got"
fi
t_done
