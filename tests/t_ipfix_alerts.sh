#!/bin/bash
# The detection's alerts as IPFIX records (docs/exporting.md, "Alert
# records"), decoded by an independent decoder: Wireshark's cflow dissector
# (tshark) on the UDP messages tcpdump captured on the loopback of a
# namespace of its own (nothing leaves it). `xdpi read --ipfix` of
# tests/mkalerts.py's capture, whose attacks are planted with known
# figures (the oracle: the plan it prints with --expect):
#  - the alert templates (0x2011 IPv4, 0x2016 IPv6) list the standard
#    elements by IANA number and every other under PEN 32473;
#  - the IPv4 and the IPv6 port scan arrive as a start and an end record
#    naming the planted scanner and victim (IPv6 on its own template), at
#    least 15 and at most the planted ports, no more failed attempts than
#    the planted SYNs; the SYN flood names the planted victim and port, no
#    source (0.0.0.0, its flag clear), no completed handshake, no more SYNs
#    than planted;
#  - each alert record of the JSON lines has exactly one IPFIX record with
#    the same id, state, kind, times (ms), rate (bit for bit: a float64
#    sent in the wrong byte order fails here), counts and flags, and no
#    IPFIX alert record is extra;
#  - the exporter's "records" count is the data records tshark decoded;
#  - without --ipfix-alerts (another run, another observation domain) no
#    alert record is sent: a flow collector gets flows only.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_ipfix.sh"

if [ "$(id -u)" != 0 ]; then
	t_skip "IPFIX alert records" "need root (a network namespace)"
	t_done
	exit
fi
t_tmpdir
t_require_built "$XDPI"
XDPI=$(realpath "$XDPI")
for tool in tcpdump tshark; do
	command -v $tool >/dev/null || {
		t_fail "$tool is installed (make deps)"
		t_done
		exit 1
	}
done
NS=xdpi-ipfa-$$
cleanup() {
	[ -n "${TCPDUMP_PID:-}" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null
	[ -n "${SINK_PID:-}" ] && kill "$SINK_PID" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T_TMP"
}
trap cleanup EXIT

python3 "$(dirname "$0")/mkalerts.py" "$T_TMP/attacks.pcap" --expect >"$T_TMP/plan.json" || {
	t_fail "tests/mkalerts.py builds the capture"
	t_done
	exit 1
}
ip netns add "$NS" && ip -n "$NS" link set lo up || {
	t_fail "namespace $NS"
	t_done
	exit 1
}
PORT=4739
ipfix_capture_start "$NS" $PORT || {
	t_fail "a collector socket and tcpdump on $NS's loopback" "$(cat "$T_TMP/ipfix.tcpdump.err")"
	t_done
	exit 1
}
# Without --ipfix-alerts (domain 7): flows only. With it (domain 0): alerts too.
ip netns exec "$NS" timeout 60 "$XDPI" read --ipfix 127.0.0.1:$PORT --ipfix-domain 7 \
	"$T_TMP/attacks.pcap" >/dev/null 2>"$T_TMP/read7.err"
t_eq "xdpi read --ipfix without --ipfix-alerts: exit 0" "$?" 0
ip netns exec "$NS" timeout 60 "$XDPI" read --json --json-lines "$T_TMP/alerts.jsonl" \
	--ipfix 127.0.0.1:$PORT --ipfix-alerts "$T_TMP/attacks.pcap" >"$T_TMP/read.json" 2>"$T_TMP/read.err"
t_eq "xdpi read --ipfix of the attack capture: exit 0" "$?" 0
ipfix_capture_stop
ipfix_tshark -T pdml >"$T_TMP/ipfix.pdml"

# The records tshark decoded, as JSON lines: {"tid":..., "std": {name:
# show}, "pie": {type: hex}, "pen": [...]}, and the templates' elements.
python3 - "$T_TMP/ipfix.pdml" >"$T_TMP/decoded.json" <<'EOF'
import json, re, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = {"records": [], "templates": {}, "data_records": 0, "alerts_domain7": 0}
for proto in root.iter("proto"):
    if proto.get("name") != "cflow":
        continue
    dom = next(int(f.get("show")) for f in proto.iter("field") if f.get("name") == "cflow.od_id")
    for t in proto.iter("field"):
        m = re.match(r"Template \(Id = (\d+), Count = (\d+)\)", t.get("show", ""))
        if not m:
            continue
        els = []
        for f in t.iter("field"):
            if f.get("name") in ("cflow.template_ipfix_field_type",
                                 "cflow.template_ipfix_field_type_enterprise"):
                els.append([int(f.get("show")), None])
            elif f.get("name") == "cflow.template_ipfix_field_pen" and els:
                els[-1][1] = int(f.get("show"))
        out["templates"][m.group(1)] = els
    for st in proto:
        show = st.get("show", "")
        m = re.match(r"Set \d+ \[id=(\d+)\] \((\d+) flows\)", show)
        if not m:
            continue
        tid = int(m.group(1))
        if tid < 256:
            continue
        for flow in st:
            if not flow.get("show", "").startswith("Flow "):
                continue
            if dom == 7:
                out["alerts_domain7"] += tid in (0x2011, 0x2016)
                continue
            out["data_records"] += 1
            if tid not in (0x2011, 0x2016):
                continue
            rec = {"tid": tid, "std": {}, "pie": {}}
            for f in flow:
                n = f.get("name")
                if n == "cflow.enterprise_private_entry":
                    t = int(re.search(r"Type (\d+):", f.get("showname")).group(1))
                    rec["pie"][t] = f.get("value")
                elif n:
                    rec["std"][n] = {"show": f.get("show"), "value": f.get("value")}
            out["records"].append(rec)
json.dump(out, sys.stdout)
EOF

# The templates: standard elements by number, the rest under PEN 32473.
got=$(python3 - "$T_TMP/decoded.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t4, t6 = d["templates"].get(str(0x2011)), d["templates"].get(str(0x2016))
std4 = [359, 360, 8, 12, 11, 4, 210]
std6 = [359, 360, 27, 28, 11, 4, 210]
def check(t, std):
    if not t:
        return "missing"
    s = sorted(e for e, pen in t if pen is None)
    p = sorted((e, pen) for e, pen in t if pen is not None)
    if s != sorted(std):
        return "standard %s" % s
    if p != [(i, 32473) for i in range(1, 16)]:
        return "enterprise %s" % p
    return "OK"
print(check(t4, std4), check(t6, std6))
EOF
)
t_eq "templates 0x2011 and 0x2016: standard elements, the rest under PEN 32473" "$got" "OK OK"

# The records against the plan.
got=$(python3 - "$T_TMP/decoded.json" "$T_TMP/plan.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[2]))
KIND = {1: "syn_flood", 2: "port_scan", 3: "address_scan", 4: "volumetric"}
STATE = {1: "start", 2: "update", 3: "end"}
def u(h):
    return int(h, 16)
def addr(r, which):
    k = "cflow.%saddr%s" % (which, "v6" if r["tid"] == 0x2016 else "")
    return r["std"][k]["show"]
bad = []
seen = {}
for r in d["records"]:
    r["pie"] = {int(k): v for k, v in r["pie"].items()}
    kind, state = KIND.get(u(r["pie"][13])), STATE.get(u(r["pie"][14]))
    seen.setdefault(kind, []).append((state, r))
scans = seen.get("port_scan", [])
for scanner, victim, ports in plan["port_scan"]:
    mine = [(s, r) for s, r in scans if addr(r, "src") == scanner and addr(r, "dst") == victim]
    states = sorted(s for s, _ in mine)
    if states != ["end", "start"]:
        bad.append("port scan %s->%s: %s" % (scanner, victim, states))
        continue
    for s, r in mine:
        flags = u(r["pie"][15])
        if not (15 <= u(r["pie"][10]) <= ports) or u(r["pie"][7]) > ports or flags & 3 != 3:
            bad.append("port scan %s->%s figures %s" % (scanner, victim, r["pie"]))
        if (r["tid"] == 0x2016) != (":" in scanner):
            bad.append("port scan %s->%s on template %x" % (scanner, victim, r["tid"]))
if len(scans) != 2 * len(plan["port_scan"]):
    bad.append("%d port scan records" % len(scans))
dst, port, syns = plan["syn_flood"]
fl = seen.get("syn_flood", [])
if sorted(s for s, _ in fl) != ["end", "start"]:
    bad.append("syn flood records %s" % [s for s, _ in fl])
for s, r in fl:
    flags = u(r["pie"][15])
    if (addr(r, "dst") != dst or int(r["std"]["cflow.dstport"]["show"]) != port or
            addr(r, "src") != "0.0.0.0" or flags & 7 != 6 or u(r["pie"][8]) != 0 or
            u(r["pie"][7]) > syns or (s == "start" and u(r["pie"][7]) == 0)):
        bad.append("syn flood %s: %s %s" % (s, r["std"], r["pie"]))
others = set(seen) - {"port_scan", "syn_flood"}
if others:
    bad.append("other kinds: %s" % others)
print("; ".join(bad) or "OK")
EOF
)
t_eq "the planted port scans (IPv4, IPv6) and SYN flood, as tshark decodes them" "$got" OK

# Each JSON-lines alert has its IPFIX record, field by field.
got=$(python3 - "$T_TMP/decoded.json" "$T_TMP/alerts.jsonl" <<'EOF'
import json, struct, sys, datetime, collections
d = json.load(open(sys.argv[1]))
KIND = {"syn_flood": 1, "port_scan": 2, "address_scan": 3, "volumetric": 4}
STATE = {"start": 1, "update": 2, "end": 3}
def ms(iso):
    t = datetime.datetime.strptime(iso.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1000 + t.microsecond // 1000
def f64(x):
    return struct.pack("!d", x).hex()
def u64(x, n=8):
    return "%0*x" % (2 * n, x)
want = collections.Counter()
for l in open(sys.argv[2]):
    a = json.loads(l)
    if a.get("type") != "alert":
        continue
    flags = (a["src"] is not None) | (a["dst"] is not None) << 1 | \
        (a["port"] is not None) << 2 | a["answers_may_be_unseen"] << 3 | \
        (a.get("baseline_pps") is not None) << 4 | (a["frames_lost"] is None) << 5
    attempts = a.get("syns", a.get("failed_attempts", 0))
    distinct = a.get("ports", a.get("hosts", 0))
    want[(u64(ms(a["window_start"])), u64(ms(a["time"])), u64(a["id"]), u64(ms(a["start"])),
          f64(a["rate"]), f64(a.get("bps", 0.0)), f64(a.get("flows_per_s", 0.0)),
          f64(a.get("baseline_pps") or 0.0), u64(attempts), u64(a.get("completed", 0)),
          u64(a.get("half_open", 0)), u64(distinct), u64(a["frames_lost"] or 0),
          u64(a.get("threshold", 0), 4), u64(a["port"] or 0, 2), u64(KIND[a["kind"]], 1),
          u64(STATE[a["state"]], 1), u64(flags, 1))] += 1
got = collections.Counter()
for r in d["records"]:
    p, s = r["pie"], r["std"]
    got[(s["cflow.monitoring_interval_start_milliseconds"]["value"],
         s["cflow.monitoring_interval_end_milliseconds"]["value"], p["1"], p["2"], p["3"],
         p["4"], p["5"], p["6"], p["7"], p["8"], p["9"], p["10"], p["11"], p["12"],
         s["cflow.dstport"]["value"], p["13"], p["14"], p["15"])] += 1
missing, extra = want - got, got - want
if not want:
    print("no alerts in the JSON lines")
elif missing or extra:
    print("%d wanted, missing %s, extra %s" % (sum(want.values()), list(missing)[:1],
                                               list(extra)[:1]))
else:
    print("OK %d" % sum(want.values()))
EOF
)
t_eq "every JSON-lines alert has its IPFIX record, field by field, and no more" "$got" "OK 6"

got=$(python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['ipfix']
d = json.load(open(sys.argv[2]))
print(r['records'], r['dropped'], r['unsent'], d['data_records'], d['alerts_domain7'])
" "$T_TMP/read.json" "$T_TMP/decoded.json" 2>&1)
set -- $got
t_eq "the exporter's records count is what tshark decoded, none lost" "$1 $2 $3" "$4 0 0"
t_eq "without --ipfix-alerts: no alert record" "${5:-}" 0

t_done
