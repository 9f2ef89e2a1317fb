#!/bin/bash
# IPFIX export (docs/exporting.md) against two real collectors: nfdump's
# nfcapd and pmacct's nfacctd, on loopback UDP ports, in the host's
# namespace (nothing leaves 127.0.0.1). `xdpi read --ipfix` on captures
# built here; every direction of every flow of the JSON lines must arrive in
# both collectors with the same addresses, ports, protocol, packets, IP
# bytes (octetDeltaCount: what both collectors show as bytes), start and end
# in milliseconds, and TCP flags. Then a collector that is down: exit 0,
# the send errors reported, no hang. Every wait is bounded; every daemon
# started here is killed on exit, failed or not.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# udp_bound PORT: until a socket is bound to UDP PORT on 127.0.0.1 (ss),
# at most 10 s: a collector is ready before the first message, whatever
# the host's speed.
udp_bound() {
	for _ in $(seq 100); do
		ss -H -uln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# udp_drained PORT: until the collector on UDP PORT has read every message
# (its socket's Recv-Q 0 twice in a row), at most 10 s: replaces a sleep
# before stopping it.
udp_drained() {
	local q quiet=0
	for _ in $(seq 100); do
		q=$(ss -H -uln "sport = :$1" | awk '{print $2; exit}')
		if [ "${q:-x}" = 0 ]; then
			quiet=$((quiet + 1))
			[ "$quiet" -ge 2 ] && return 0
		else
			quiet=0
		fi
		sleep 0.1
	done
	return 1
}
MKCAP=$BUILD/bench/mkcapture
t_require_built "$XDPI" "$MKCAP"
t_tmpdir

trap t_bg_cleanup EXIT

# Collectors print local time: keep it UTC, as xdpi's JSON lines are.
export TZ=UTC

if ! python3 "$(dirname "$0")/mkflows.py" "$T_TMP/flows.pcap" >/dev/null 2>&1 ||
	! "$MKCAP" -s 3 3000 "$T_TMP/big.pcap" >/dev/null 2>&1; then
	t_fail "the test captures are built"
	t_done
	exit 1
fi

# compare NAME JSONL COLLECTOR_OUTPUT FORMAT [SECONDS]: every direction of
# every flow in the JSON lines is in the collector's output, and nothing
# else; with SECONDS, checked again until then while some are missing (a
# collector that writes as it goes may still be behind).
compare() {
	local got deadline=$((SECONDS + ${5:-0}))
	while got=$(flows_match "$2" "$3" "$4") && [ "$got" != OK ] &&
		[[ $got == *" 0 extra"* ]] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.5
	done
	t_eq "$1" "$got" "OK"
}

flows_match() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, sys, datetime, collections, socket
jl, out, fmt = sys.argv[1:4]
PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132}
# Milliseconds since the epoch, truncated as xdpi exports them.
def to_ms(s, fmt):
    t = datetime.datetime.strptime(s.strip(), fmt).replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1000 + t.microsecond // 1000
def ms(iso):
    return to_ms(iso.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
def coll_ms(s):
    return to_ms(s, "%Y-%m-%d %H:%M:%S.%f")
# nfdump shows an ICMP destination port as TYPE.CODE.
def port(p):
    t, _, c = p.partition(".")
    return int(t) * 256 + int(c) if c else int(t)
def proto(p):
    p = str(p).strip().lower()
    if p in PROTO:
        return PROTO[p]
    return int(p) if p.isdigit() else socket.getprotobyname(p)
want = collections.Counter()
for line in open(jl):
    f = json.loads(line)
    if f["type"] != "flow":
        continue
    p = proto(f["proto"])
    for d, (sa, da, sp, dp) in (("toserver", (f["src_ip"], f["dst_ip"], f["src_port"], f["dst_port"])),
                                ("toclient", (f["dst_ip"], f["src_ip"], f["dst_port"], f["src_port"]))):
        if f["packets_" + d]:
            want[(sa, da, sp, dp, p, f["packets_" + d], f["ip_bytes_" + d],
                  ms(f["start"]), ms(f["end"]), f["tcp_flags"])] += 1
got = collections.Counter()
if fmt == "nfdump":
    # ts;te;sa;da;sp;dp;pr;flg;pkt;byt, flags as "CEUAPRSF" letters.
    for line in open(out):
        v = [x.strip() for x in line.split(";")]
        if len(v) != 10:
            continue
        flags = sum(1 << (7 - i) for i, c in enumerate(v[7].rjust(8, ".")) if c != ".")
        got[(v[2], v[3], port(v[4]), port(v[5]), proto(v[6]), int(v[8]), int(v[9]),
             coll_ms(v[0]), coll_ms(v[1]), flags)] += 1
else:
    # pmacct's csv: the header names the columns.
    # Appended at every refresh, each time with its header.
    rows = [l.rstrip("\n").split(",") for l in open(out) if l.strip()]
    h = rows[0] if rows else []
    for r in rows[1:]:
        if r == h:
            continue
        c = dict(zip(h, r))
        got[(c["SRC_IP"], c["DST_IP"], int(c["SRC_PORT"]), int(c["DST_PORT"]),
             proto(c["PROTOCOL"]), int(c["PACKETS"]), int(c["BYTES"]),
             coll_ms(c["TIMESTAMP_START"]), coll_ms(c["TIMESTAMP_END"]),
             int(c["TCP_FLAGS"]))] += 1
missing = want - got
extra = got - want
if not want:
    print("no flows in the JSON lines")
elif missing or extra:
    print(f"{sum(want.values())} wanted, {sum(missing.values())} missing "
          f"(e.g. {list(missing)[:2]}), {sum(extra.values())} extra (e.g. {list(extra)[:2]})")
else:
    print("OK")
EOF
}

# wait_for FILE SECONDS: until FILE is not empty.
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

run_case() {
	local name=$1 pcap=$2 nfport acport dir=$T_TMP/$1 cap_pid acct_pid
	mkdir -p "$dir/nfcapd"
	nfport=$(t_free_port udp)
	acport=$(t_free_port udp)
	# nfcapd leaves a work directory (nfx<pid>) in its current one
	(cd "$dir" && exec nfcapd -b 127.0.0.1 -p "$nfport" -w "$dir/nfcapd" -t 3600 >"$dir/nfcapd.log" 2>&1) &
	cap_pid=$!
	T_PIDS+=("$cap_pid")
	cat >"$dir/nfacctd.conf" <<EOF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $acport
plugins: print[x]
aggregate[x]: src_host, dst_host, src_port, dst_port, proto, tcpflags, vlan, timestamp_start, timestamp_end
print_output[x]: csv
print_output_file[x]: $dir/nfacctd.csv
print_refresh_time[x]: 1
print_output_file_append[x]: true
EOF
	nfacctd -f "$dir/nfacctd.conf" >"$dir/nfacctd.log" 2>&1 &
	acct_pid=$!
	T_PIDS+=("$acct_pid")
	udp_bound "$nfport" && udp_bound "$acport" ||
		t_fail "$name: nfcapd and nfacctd bound their ports" "$(tail -3 "$dir/nfacctd.log")"
	# One read per collector: --ipfix takes one collector.
	if ! timeout 60 "$XDPI" read -q "$pcap" --ipfix "127.0.0.1:$nfport" \
		--json-lines "$dir/flows.jsonl" --json >"$dir/nf.json" ||
		! timeout 60 "$XDPI" read -q "$pcap" --ipfix "127.0.0.1:$acport" \
			--ipfix-domain 7 --json >"$dir/acct.json"; then
		t_fail "$name: xdpi read --ipfix exits 0"
		return
	fi
	t_eq "$name: nothing dropped or refused" \
		"$(json "$dir/nf.json" '(d["ipfix"]["dropped"], d["ipfix"]["send_errors"])')" "(0, 0)"
	# nfcapd writes its file on SIGTERM; nfacctd's print plugin writes
	# every print_refresh_time.
	udp_drained "$nfport" || t_fail "$name: nfcapd read every message"
	t_bg_stop "$cap_pid"
	nfdump -6 -q -R "$dir/nfcapd" -o 'fmt:%ts;%te;%sa;%da;%sp;%dp;%pr;%flg;%pkt;%byt' \
		>"$dir/nfdump.txt" 2>"$dir/nfdump.err"
	compare "$name: nfcapd has every direction of every flow" "$dir/flows.jsonl" \
		"$dir/nfdump.txt" nfdump
	if wait_for "$dir/nfacctd.csv" 30; then
		# Each refresh appends what arrived since the last one.
		compare "$name: nfacctd has every direction of every flow" "$dir/flows.jsonl" \
			"$dir/nfacctd.csv" pmacct 20
	else
		t_fail "$name: nfacctd wrote its output" "$(tail -3 "$dir/nfacctd.log")"
	fi
	t_bg_stop "$acct_pid"
}

# Active-timeout records: a short timeout splits flows into several
# records per direction; summed by nfdump per direction, they give the
# totals of the JSON lines, and there are more records than directions.
active_case() {
	local dir=$T_TMP/active nfport pid got
	mkdir -p "$dir/nfcapd"
	nfport=$(t_free_port udp)
	# nfcapd leaves a work directory (nfx<pid>) in its current one
	(cd "$dir" && exec nfcapd -b 127.0.0.1 -p "$nfport" -w "$dir/nfcapd" -t 3600 >"$dir/nfcapd.log" 2>&1) &
	pid=$!
	T_PIDS+=("$pid")
	udp_bound "$nfport" || t_fail "active timeout: nfcapd bound its port"
	if ! timeout 60 "$XDPI" read -q "$T_TMP/big.pcap" --ipfix "127.0.0.1:$nfport" \
		--ipfix-active-timeout 0.01 --json-lines "$dir/flows.jsonl" --json >"$dir/out.json"; then
		t_fail "active timeout: xdpi read --ipfix exits 0"
		return
	fi
	udp_drained "$nfport" || t_fail "active timeout: nfcapd read every message"
	t_bg_stop "$pid"
	nfdump -6 -q -R "$dir/nfcapd" -A srcip,dstip,srcport,dstport,proto \
		-o 'fmt:%sa;%da;%sp;%dp;%pr;%pkt;%byt' >"$dir/sums.txt" 2>"$dir/nfdump.err"
	got=$(python3 - "$dir/flows.jsonl" "$dir/sums.txt" "$dir/out.json" <<'EOF'
import json, sys, collections
want = collections.Counter()
dirs = 0
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f["type"] != "flow":
        continue
    for d, k in (("toserver", (f["src_ip"], f["dst_ip"], f["src_port"], f["dst_port"])),
                 ("toclient", (f["dst_ip"], f["src_ip"], f["dst_port"], f["src_port"]))):
        if f["packets_" + d]:
            dirs += 1
            want[k + ("p",)] += f["packets_" + d]
            want[k + ("b",)] += f["ip_bytes_" + d]
got = collections.Counter()
for line in open(sys.argv[2]):
    v = [x.strip() for x in line.split(";")]
    if len(v) != 7:
        continue
    p = lambda x: int(x.split(".")[0]) * 256 + int(x.split(".")[1]) if "." in x else int(x)
    k = (v[0], v[1], p(v[2]), p(v[3]))
    got[k + ("p",)] += int(v[5])
    got[k + ("b",)] += int(v[6])
records = json.load(open(sys.argv[3]))["ipfix"]["records"]
bad = []
if records <= dirs:
    bad.append(f"{records} records for {dirs} directions: no active-timeout record")
if want != got:
    bad.append(f"sums differ: {len(want - got)} missing, {len(got - want)} extra")
print("; ".join(bad) or "OK")
EOF
	)
	t_eq "active timeout: records per direction sum to the flow's totals in nfcapd" "$got" OK
}

if ! command -v nfcapd >/dev/null || ! command -v nfdump >/dev/null ||
	! command -v nfacctd >/dev/null; then
	t_skip "IPFIX against nfcapd and nfacctd" "nfdump or pmacct not installed (make deps)"
else
	run_case mkflows "$T_TMP/flows.pcap"
	run_case mkcapture "$T_TMP/big.pcap"
	active_case
fi

# A collector that is down: a closed port answers ICMP port unreachable,
# which fails the sends after the first. Exit 0, counted, bounded.
port=$(t_free_port udp)
start=$SECONDS
timeout 60 "$XDPI" read -q "$T_TMP/big.pcap" --ipfix "127.0.0.1:$port" --json \
	>"$T_TMP/down.json" 2>"$T_TMP/down.err"
t_eq "collector down: exit 0" "$?" "0"
t_check "collector down: done within 20 s" test $((SECONDS - start)) -lt 20
t_eq "collector down: send errors counted" \
	"$(json "$T_TMP/down.json" 'd["ipfix"]["send_errors"] > 0 and d["ipfix"]["unsent"] > 0')" \
	"True"
t_check "collector down: reported on stderr" grep -q "sends failed" "$T_TMP/down.err"

# Values that do not parse: exit 1 with the reason.
"$XDPI" read -q "$T_TMP/flows.pcap" --ipfix localhost:4739 >/dev/null 2>"$T_TMP/bad.err"
t_eq "a host name is refused" "$?" "1"
"$XDPI" read -q "$T_TMP/flows.pcap" --ipfix 127.0.0.1:4739 --no-flows >/dev/null 2>&1
t_eq "--ipfix with --no-flows is refused" "$?" "1"

t_done
