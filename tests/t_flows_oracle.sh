#!/bin/bash
# Cross-checks the flow table (`xdpi read FILE --json-lines OUT` flow
# records, and the "connections" object of `xdpi read --json`) against
# tshark, an independent dissector, on:
#   - synthetic.pcap: tests/mkflows.py (handshakes with distinct RTTs, HTTP
#     methods and hosts, TLS 1.2/1.3 ClientHellos with SNI and ALPN, FIN,
#     RST and open endings, half-open SYNs, a SYN retransmission, IPv6,
#     802.1Q, UDP, ICMP, hostile strings);
#   - real_*.pcap: real traffic captured at test time on a veth pair between
#     two namespaces (tests/realtraffic.sh: curl against python3's
#     http.server, openssl s_client against s_server, IPv4, IPv6, 802.1Q).
# Every expectation comes from tshark (reassembly off, so that it sees what
# one segment carries, as xdpi does), never from the generators' claims;
# the only literals are the sanitized forms of the hostile strings, which
# the definition fixes (bytes 0x20..0x7e kept except backslash, which
# becomes two backslashes; every other byte \xNN in lower-case hex; at most
# 255 characters, an escape never cut).
#
# Per capture, one TAP result per check group:
#   json-lines   every line a JSON object; every flow an end_reason and
#                every key of the definition;
#   sums         flow packets over all records == IP frames; per record
#                packets/bytes == the two directions';
#   streams      one TCP record per tcp.stream, one UDP record per
#                udp.stream; per stream: initiator and responder (the SYN's
#                sender, else the first sender), packets and bytes each way,
#                start and end, vlan and proto, tcp_flags (OR), end_reason
#                (rst/fin/timeout by what the stream saw and the timeouts,
#                eof if still in the table at the end), rtt_us ==
#                tcp.analysis.initial_rtt within 1 us where the handshake
#                completes (null elsewhere: tshark also times a SYN to a
#                RST-ACK, which is no handshake), http_method/host/path,
#                tls_sni/alpn/versions;
#   connections  syn, synack, established, established_per_sec, flows,
#                ended.*, http_methods, active and half_open at the end,
#                each top-N list (counts within their error, no larger key
#                left out, decreasing).
# And: the hostile strings (synthetic), the same records on stdout with
# --json-lines -, --max-flows 4 (evictions; still every IP frame in one
# record), --no-flows (no record).
# Skips only when a tool is missing: the real traffic without root, ip,
# curl, openssl or tcpdump (its VLAN part without the kernel's 802.1Q
# devices); everything without tshark.
#   tests/t_flows_oracle.sh BUILD_DIR
# Names of xdpi's keys are at the top of the Python part (F_* and C_*), to be
# adjusted in one place; the helper can also be run by hand:
#   python3 $T_TMP/flowchk.py dump FILE.pcap   (what tshark says, as JSON)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_tmpdir
# realtraffic.sh cleans up its own namespaces; it runs in the foreground, so
# the EXIT trap of t_tmpdir (remove $T_TMP) is enough here.

for tool in tshark python3; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "flow oracle" "$tool is not installed"
		t_done
		exit 0
	fi
done
t_require_built "$XDPI"

# The timeouts xdpi runs with; the oracle's end reasons depend on them.
FLOW_TIMEOUT_S=60
CLOSED_TIMEOUT_S=5
XDPI_FLOW_ARGS=(--flow-timeout "$FLOW_TIMEOUT_S" --flow-closed-timeout "$CLOSED_TIMEOUT_S")
export FLOW_TIMEOUT_S CLOSED_TIMEOUT_S

# The comparison, in Python: written once, run per file.
FLOWCHK=$T_TMP/flowchk.py
cat >"$FLOWCHK" <<'PY'
"""flowchk.py dump PCAP | compare PCAP JSONL JSON | hostile JSONL
dump: the oracle's view of PCAP (tshark) as JSON. compare: prints one line
per check group, "ok NAME", "fail NAME<tab>DETAILS" or "skip NAME<tab>REASON"."""
import datetime
import ipaddress
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# ---- xdpi's key names, in one place -------------------------------------
F_TYPE, FLOW_TYPE = "type", "flow"
F_SRC, F_DST, F_SPORT, F_DPORT = "src_ip", "dst_ip", "src_port", "dst_port"
F_PROTO, F_VLAN = "proto", "vlan"
F_PKTS, F_BYTES = "packets", "bytes"
F_PKTS_TS, F_PKTS_TC = "packets_toserver", "packets_toclient"
F_BYTES_TS, F_BYTES_TC = "bytes_toserver", "bytes_toclient"
F_START, F_END, F_REASON = "start", "end", "end_reason"
F_FLAGS, F_STATE, F_RTT = "tcp_flags", "state", "rtt_us"
F_HTTP_METHOD, F_HTTP_HOST, F_HTTP_PATH = "http_method", "http_host", "http_path"
F_SNI, F_ALPN, F_TLS_VERSIONS = "tls_sni", "tls_alpn", "tls_versions"
F_TLS_VERSION_NAMES = "tls_version_names"
# RFC 6101, 2246, 4346, 5246 and 8446 name the versions; any other value
# (a draft, GREASE is left out) by its hexadecimal number.
TLS_VERSION_NAMES = {0x0300: "SSLv3", 0x0301: "TLSv1.0", 0x0302: "TLSv1.1",
                     0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
FLOW_KEYS = [F_SRC, F_DST, F_SPORT, F_DPORT, F_PROTO, F_VLAN, F_PKTS, F_BYTES, F_PKTS_TS,
             F_PKTS_TC, F_BYTES_TS, F_BYTES_TC, F_START, F_END, F_REASON, F_FLAGS, F_STATE,
             F_RTT, F_HTTP_METHOD, F_HTTP_HOST, F_HTTP_PATH, F_SNI, F_ALPN, F_TLS_VERSIONS,
             F_TLS_VERSION_NAMES]
END_REASONS = ("fin", "rst", "timeout", "evicted", "eof")
C_CONN = "connections"
C_SYN, C_SYNACK, C_EST, C_EST_PS = "syn", "synack", "established", "established_per_sec"
C_ENDED, C_FLOWS, C_METHODS = "ended", "flows", "http_methods"
C_ACTIVE, C_HALF_OPEN = "active", "half_open"
# Top-N lists: (key, name field, count field); an entry's "error" bounds
# how much its count may exceed the truth (a count-min/space-saving top-N).
C_TOP_HOSTS = ("top_http_hosts", "host", "flows")
C_TOP_SNI = ("top_tls_sni", "sni", "flows")
C_TOP_SRC_PKTS = ("top_sources_by_packets", "ip", "packets")
C_TOP_SRC_BYTES = ("top_sources_by_bytes", "ip", "bytes")
C_TOP_DPORT_PKTS = ("top_dst_ports_by_packets", "port", "packets")
C_TOP_DPORT_BYTES = ("top_dst_ports_by_bytes", "port", "bytes")
C_TOP_ERROR = "error"
# What a flow's bytes count: the frame's length on the wire, as xdpi's
# "bytes" everywhere else (docs/metrics.md). "ip" would be the IP length.
BYTES_OF = "frame"
STR_BOUND = 255  # host, SNI and path: at most this many characters
# The timeouts the script passes to xdpi (XDPI_FLOW_ARGS) and how often the
# table is maintained, in seconds of capture time.
FLOW_TIMEOUT_S = float(os.environ.get("FLOW_TIMEOUT_S", "60"))
CLOSED_TIMEOUT_S = float(os.environ.get("CLOSED_TIMEOUT_S", "5"))
MAINTAIN_PERIOD_S = 1.0
TOP_N = 10  # entries of a top-N list when there are as many distinct keys
RTT_TOLERANCE_US = 1.0
# ---------------------------------------------------------------------------

TSHARK_PREFS = [
    "tcp.desegment_tcp_streams:FALSE", "tls.desegment_ssl_records:FALSE",
    "tls.desegment_ssl_application_data:FALSE", "http.desegment_headers:FALSE",
    "http.desegment_body:FALSE", "ip.defragment:FALSE", "ipv6.defragment:FALSE",
    "tcp.analyze_sequence_numbers:TRUE", "tcp.relative_sequence_numbers:FALSE",
]
WANT = {"frame.len", "frame.time_epoch", "ip.src", "ip.dst", "ip.len", "ipv6.src", "ipv6.dst",
        "ipv6.plen", "vlan.id", "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags",
        "tcp.analysis.initial_rtt", "udp.stream", "udp.srcport", "udp.dstport",
        "http.request.method", "http.host", "http.request.uri", "tls.handshake.type",
        "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
        "tls.handshake.extensions.supported_version", "tls.handshake.version"}
FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


def sanitize(raw, bound=STR_BOUND):
    """The definition: printable ASCII kept, backslash doubled, any other
    byte \\xNN; then at most `bound` characters (an escape is not cut)."""
    out, n = [], 0
    for c in raw:
        if c == 0x5C:
            s = "\\\\"
        elif 0x20 <= c <= 0x7E:
            s = chr(c)
        else:
            s = "\\x%02x" % c
        if bound is not None and n + len(s) > bound:
            break
        out.append(s)
        n += len(s)
    return "".join(out)


def tshark_packets(path):
    """Per frame, {field: [(show, value-bytes or None), ...]} for WANT, from
    tshark's PDML (which gives the raw bytes of string fields)."""
    cmd = ["tshark", "-n", "-r", path, "-T", "pdml"]
    for p in TSHARK_PREFS:
        cmd += ["-o", p]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    frames = []
    # tshark copies bytes of strings into "show" attributes as they are (not
    # always UTF-8, not always legal XML): only "value" (hex) is used, so
    # the text is made legal before parsing.
    parser = ET.XMLPullParser(events=("end",))
    illegal = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    for line in p.stdout:
        line = line.decode("utf-8", errors="replace")
        if line.startswith("<?xml"):
            continue
        parser.feed(illegal.sub("?", line))
        for ev, el in parser.read_events():
            if el.tag == "packet":
                frames.append(packet_fields(el))
                el.clear()
    parser.close()
    err = p.stderr.read().decode(errors="replace")
    if p.wait() != 0:
        raise SystemExit("tshark failed: %s" % err.strip())
    return frames


def packet_fields(el):
    d = {}
    for f in el.iter("field"):
        name = f.get("name")
        if name in WANT:
            v = f.get("value")
            try:
                raw = bytes.fromhex(v) if v is not None else None
            except ValueError:
                raw = None
            d.setdefault(name, []).append((f.get("show"), raw))
    return d


def first(d, name):
    v = d.get(name)
    return v[0][0] if v else None


def usec_of(epoch):
    sec, _, frac = epoch.partition(".")
    return int(sec) * 1000000 + int((frac + "000000")[:6])


def rfc3339(us):
    t = datetime.datetime.fromtimestamp(us // 1000000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (us % 1000000)


def norm_ip(s):
    return str(ipaddress.ip_address(s))


def header_value(raw):
    """tshark's http.host covers the whole line "Host: VALUE\\r\\n"."""
    if raw is None:
        return None
    _, _, v = raw.partition(b":")
    v = v.lstrip(b" \t")
    if v.endswith(b"\r\n"):
        v = v[:-2]
    elif v.endswith(b"\n"):
        v = v[:-1]
    return v.rstrip(b" \t")


def oracle(path):
    """Streams (TCP by tcp.stream, UDP by udp.stream) as flows, as the
    definition derives them from tshark's fields, plus per-file counts."""
    frames = tshark_packets(path)
    streams = {}
    o = {"ip_frames": 0, "syn": 0, "synack": 0, "src": {}, "dport": {},
         "first_us": None, "last_us": None}
    for fno, d in enumerate(frames, 1):
        us = usec_of(first(d, "frame.time_epoch"))
        flen = int(first(d, "frame.len"))
        o["first_us"] = us if o["first_us"] is None else o["first_us"]
        o["last_us"] = us
        if "ip.src" in d:
            src, dst, iplen = first(d, "ip.src"), first(d, "ip.dst"), int(first(d, "ip.len"))
        elif "ipv6.src" in d:
            src, dst = first(d, "ipv6.src"), first(d, "ipv6.dst")
            iplen = 40 + int(first(d, "ipv6.plen"))
        else:
            continue
        src, dst = norm_ip(src), norm_ip(dst)
        nbytes = flen if BYTES_OF == "frame" else iplen
        o["ip_frames"] += 1
        s = o["src"].setdefault(src, [0, 0])
        s[0] += 1
        s[1] += nbytes
        vlan = first(d, "vlan.id")
        vlan = int(vlan) if vlan is not None else None
        if "tcp.stream" in d:
            proto, sid = "tcp", "t" + first(d, "tcp.stream")
            sp, dp = int(first(d, "tcp.srcport")), int(first(d, "tcp.dstport"))
        elif "udp.stream" in d:
            proto, sid = "udp", "u" + first(d, "udp.stream")
            sp, dp = int(first(d, "udp.srcport")), int(first(d, "udp.dstport"))
        else:
            continue
        dpc = o["dport"].setdefault(dp, [0, 0])
        dpc[0] += 1
        dpc[1] += nbytes
        st = streams.get(sid)
        if st is None:
            st = streams[sid] = {
                "id": sid, "proto": proto, "a": (src, sp), "b": (dst, dp), "init": (src, sp),
                "syn_seen": False, "vlan": vlan, "frames": [], "flags": 0, "rtt": None,
                "rtt_tshark": None,
                "fin_from": set(), "rst": False, "http": None, "tls": None}
        st["frames"].append(fno)
        fwd = (src, sp)
        if proto == "tcp":
            fl = int(first(d, "tcp.flags"), 16)
            st["flags"] |= fl
            if fl & SYN and not fl & ACK:
                o["syn"] += 1
                if not st["syn_seen"]:
                    st["init"], st["syn_seen"] = fwd, True
            elif fl & SYN and fl & ACK:
                o["synack"] += 1
                if not st["syn_seen"] and len(st["frames"]) == 1:
                    st["init"] = (dst, dp)  # the SYN is not in the capture
            if fl & FIN:
                st["fin_from"].add(fwd)
            if fl & RST:
                st["rst"] = True
            # tshark's initial_rtt is the time from the most recent SYN to
            # the first ACK without SYN, whoever sends it: a RST-ACK that
            # refuses the SYN has one too. The handshake is complete (and
            # the RTT the definition's) where that first ACK is the
            # initiator's, after a SYN-ACK, and not a RST.
            r = first(d, "tcp.analysis.initial_rtt")
            if fl & SYN and fl & ACK and fwd != st["init"] and st["syn_seen"]:
                st["synack_seen"] = True
            if r is not None and st["rtt"] is None and st["rtt_tshark"] is None:
                st["rtt_tshark"] = float(r) * 1e6
                if st.get("synack_seen") and fwd == st["init"] and not fl & (SYN | RST):
                    st["rtt"] = st["rtt_tshark"]
        st.setdefault("pkts", {})
        st.setdefault("bytes", {})
        st["pkts"][fwd] = st["pkts"].get(fwd, 0) + 1
        st["bytes"][fwd] = st["bytes"].get(fwd, 0) + nbytes
        st.setdefault("first_us", us)
        st["last_us"] = us
        if "http.request.method" in d and st["http"] is None:
            st["http"] = {"from": fwd, "method": first(d, "http.request.method"),
                          "host": header_value(d["http.host"][0][1]) if "http.host" in d else None,
                          "path": d["http.request.uri"][0][1] if "http.request.uri" in d else None}
        if "tls.handshake.type" in d and st["tls"] is None and \
                "1" in [t for t, _ in d["tls.handshake.type"]]:
            sv = [int(v, 0) for v, _ in d.get("tls.handshake.extensions.supported_version", [])]
            hv = first(d, "tls.handshake.version")
            st["tls"] = {"from": fwd,
                         "sni": d["tls.handshake.extensions_server_name"][0][1]
                         if "tls.handshake.extensions_server_name" in d else None,
                         "alpn": [raw for _, raw in d.get("tls.handshake.extensions_alpn_str", [])]
                         or None,
                         "versions": sv or ([int(hv, 0)] if hv else None)}
    for st in streams.values():
        init = st["init"]
        resp = st["b"] if init == st["a"] else st["a"]
        st["resp"] = resp
        st["pkts_ts"], st["pkts_tc"] = st["pkts"].get(init, 0), st["pkts"].get(resp, 0)
        st["bytes_ts"], st["bytes_tc"] = st["bytes"].get(init, 0), st["bytes"].get(resp, 0)
        st["reasons"] = end_reasons(st, o["last_us"])
    o["streams"] = streams
    return o


def end_reasons(st, capture_end_us):
    """The end reasons the definition allows for a stream: a flow that saw a
    RST ends "rst", else one that saw a FIN (either side) "fin", once idle
    for the closed timeout; any other "timeout" once idle for the timeout;
    a flow still in the table when the capture ends "eof". The table is
    maintained once per MAINTAIN_PERIOD_S of capture time, so a flow idle
    for between the timeout and the timeout plus that period at the end may
    be either."""
    if st["rst"]:
        why, t = "rst", CLOSED_TIMEOUT_S
    elif st["fin_from"]:
        why, t = "fin", CLOSED_TIMEOUT_S
    else:
        why, t = "timeout", FLOW_TIMEOUT_S
    idle = capture_end_us - st["last_us"]
    if idle < t * 1e6:
        return ["eof"]
    if idle >= (t + MAINTAIN_PERIOD_S) * 1e6:
        return [why]
    return [why, "eof"]


def load_jsonl(path):
    """(flow records, other objects, problems)."""
    flows, other, bad = [], [], []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            try:
                obj = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                bad.append("line %d does not parse (%s): %r" % (n, e, line[:120]))
                continue
            if not isinstance(obj, dict):
                bad.append("line %d is not an object" % n)
            elif obj.get(F_TYPE) == FLOW_TYPE:
                flows.append(obj)
            else:
                other.append(obj)
    return flows, other, bad


def ukey(proto, a, b):
    return (proto,) + tuple(sorted([a, b]))


def flow_ends(r):
    try:
        return (norm_ip(r[F_SRC]), r[F_SPORT]), (norm_ip(r[F_DST]), r[F_DPORT])
    except (KeyError, ValueError, TypeError):
        return None, None


class Checks:
    def __init__(self):
        self.lines = []

    def group(self, name, problems, skip=None):
        if skip:
            self.lines.append("skip %s\t%s" % (name, skip))
        elif problems:
            more = " (and %d more)" % (len(problems) - 8) if len(problems) > 8 else ""
            self.lines.append("fail %s\t%s%s" % (name, "; ".join(problems[:8]), more))
        else:
            self.lines.append("ok %s" % name)


def label(st):
    return "stream %s %s %s:%d -> %s:%d" % (st["proto"], st["id"][1:], st["init"][0],
                                             st["init"][1], st["resp"][0], st["resp"][1])


def check_top(got, spec, counts):
    """A top-N list against the true counts: every entry's count within
    [truth, truth + error], as many entries as TOP_N or the distinct keys
    allow, in decreasing order, and no key left out whose true count is
    above the smallest listed count (ties are free)."""
    name, key, val = spec
    out = []
    if not isinstance(got, list):
        return ["%s: got %s, want a list" % (name, json.dumps(got))]
    listed, vals = set(), []
    for e in got:
        k = e.get(key) if isinstance(e, dict) else None
        if key == "ip" and isinstance(k, str):
            try:
                k = norm_ip(k)
            except ValueError:
                pass
        c, err = e.get(val) if isinstance(e, dict) else None, e.get(C_TOP_ERROR, 0) or 0
        want = counts.get(k)
        if want is None:
            out.append("%r is not in the traffic" % (k,))
            continue
        listed.add(k)
        if not isinstance(c, int) or not c - err <= want <= c:
            out.append("%r: %s got %r (error %r), want %d" % (k, val, c, err, want))
        else:
            vals.append(c)
    if len(got) != min(TOP_N, len(counts)):
        out.append("%d entries, want %d (%d distinct)" % (len(got), min(TOP_N, len(counts)),
                                                          len(counts)))
    if vals != sorted(vals, reverse=True):
        out.append("not in decreasing order: %r" % vals)
    if vals:
        lo = min(vals)
        for k, want in sorted(counts.items(), key=lambda kv: -kv[1]):
            if k not in listed and want > lo:
                out.append("%r (%d) is left out, though above a listed one (%d)" % (k, want, lo))
    return out


def compare(pcap, jsonl, jsonf):
    c = Checks()
    o = oracle(pcap)
    streams = o["streams"]
    flows, other, bad = load_jsonl(jsonl)

    # 1. The lines parse; every flow record has an end_reason, every key.
    probs = list(bad)
    for i, r in enumerate(flows):
        if r.get(F_REASON) not in END_REASONS:
            probs.append("flow %d: end_reason %r" % (i, r.get(F_REASON)))
    if not flows:
        probs.append("no flow record at all")
    c.group("json-lines: every line is a JSON object, every flow has an end_reason (%d flows)"
            % len(flows), probs)
    probs = []
    for i, r in enumerate(flows):
        miss = [k for k in FLOW_KEYS if k not in r]
        if miss:
            probs.append("flow %d lacks %s" % (i, ",".join(miss)))
    c.group("json-lines: every flow has every key of the definition", probs)

    # 2. Every IP frame in exactly one record.
    tot = sum(r.get(F_PKTS, 0) for r in flows if isinstance(r.get(F_PKTS), int))
    c.group("sum of flow packets == IP frames (%d)" % o["ip_frames"],
            [] if tot == o["ip_frames"] else ["got %d" % tot])
    probs = []
    for i, r in enumerate(flows):
        p, ts, tc = r.get(F_PKTS), r.get(F_PKTS_TS), r.get(F_PKTS_TC)
        b, bts, btc = r.get(F_BYTES), r.get(F_BYTES_TS), r.get(F_BYTES_TC)
        if not (isinstance(p, int) and isinstance(ts, int) and isinstance(tc, int) and p == ts + tc):
            probs.append("flow %d: packets %r != %r + %r" % (i, p, ts, tc))
        if not (isinstance(b, int) and isinstance(bts, int) and isinstance(btc, int) and b == bts + btc):
            probs.append("flow %d: bytes %r != %r + %r" % (i, b, bts, btc))
    c.group("every flow: packets and bytes are the sums of both directions", probs)

    # 3. One record per stream, per protocol.
    by_key = {}
    for r in flows:
        a, b = flow_ends(r)
        if a is None:
            continue
        by_key.setdefault(ukey(r.get(F_PROTO), a, b), []).append(r)
    for proto in ("tcp", "udp"):
        ns = sum(1 for s in streams.values() if s["proto"] == proto)
        nf = sum(1 for r in flows if r.get(F_PROTO) == proto)
        probs = [] if ns == nf else ["%d %s flow records" % (nf, proto)]
        for st in streams.values():
            if st["proto"] != proto:
                continue
            rs = by_key.get(ukey(proto, st["a"], st["b"]), [])
            if len(rs) != 1:
                probs.append("%s: %d records" % (label(st), len(rs)))
        c.group("%s: one flow record per %s.stream (%d streams)" % (proto, proto, ns), probs)

    # 4. Per stream: the record's fields.
    pairs = []
    for st in sorted(streams.values(), key=lambda s: s["frames"][0]):
        rs = by_key.get(ukey(st["proto"], st["a"], st["b"]), [])
        if len(rs) == 1:
            pairs.append((st, rs[0]))

    def per_stream(name, fn, which=None):
        probs = []
        for st, r in pairs:
            if which and not which(st):
                continue
            for k, got, want in fn(st, r):
                if got != want or type(got) is not type(want):
                    probs.append("%s: %s got %s, want %s" % (label(st), k, json.dumps(got),
                                                             json.dumps(want)))
        c.group(name, probs)

    def ends(st, r):
        a, b = flow_ends(r)
        return [("src", "%s:%d" % a, "%s:%d" % st["init"]),
                ("dst", "%s:%d" % b, "%s:%d" % st["resp"])]
    per_stream("per stream: initiator and responder (ip:port)", ends)

    def counts(st, r):
        return [(F_PKTS_TS, r.get(F_PKTS_TS), st["pkts_ts"]),
                (F_PKTS_TC, r.get(F_PKTS_TC), st["pkts_tc"]),
                (F_BYTES_TS, r.get(F_BYTES_TS), st["bytes_ts"]),
                (F_BYTES_TC, r.get(F_BYTES_TC), st["bytes_tc"])]
    per_stream("per stream: packets and bytes each way (bytes: %s length)" % BYTES_OF, counts)

    def times(st, r):
        return [(F_START, r.get(F_START), rfc3339(st["first_us"])),
                (F_END, r.get(F_END), rfc3339(st["last_us"]))]
    per_stream("per stream: start and end (first and last frame)", times)

    def vlan_proto(st, r):
        return [(F_VLAN, r.get(F_VLAN), st["vlan"]), (F_PROTO, r.get(F_PROTO), st["proto"])]
    per_stream("per stream: vlan and proto", vlan_proto)

    def flags(st, r):
        return [(F_FLAGS, r.get(F_FLAGS), st["flags"])]
    per_stream("tcp: per stream: tcp_flags (OR of both directions)", flags,
               lambda s: s["proto"] == "tcp")

    def reason(st, r):
        got = r.get(F_REASON)
        return [(F_REASON, got, got if got in st["reasons"] else "|".join(st["reasons"]))]
    per_stream("per stream: end_reason (rst if a RST, else fin if a FIN, else timeout; "
               "eof if still in the table at the end)", reason)

    probs = []
    for st, r in pairs:
        if st["proto"] != "tcp":
            continue
        got = r.get(F_RTT)
        if st["rtt"] is None:
            if got is not None:
                probs.append("%s: rtt_us got %r, want null (no handshake; tshark's "
                             "initial_rtt %r)" % (label(st), got, st["rtt_tshark"]))
        elif isinstance(got, bool) or not isinstance(got, (int, float)) or \
                abs(got - st["rtt"]) > RTT_TOLERANCE_US:
            probs.append("%s: rtt_us got %r, want %.3f (tcp.analysis.initial_rtt)"
                         % (label(st), got, st["rtt"]))
    c.group("tcp: per stream: rtt_us == tcp.analysis.initial_rtt (1 us) where the "
            "handshake completes, else null", probs)

    def field(key, want_fn):
        return lambda st, r: [(key, r.get(key), want_fn(st))]

    def san(v):
        return None if v is None else sanitize(v)

    def http_of(k):
        return lambda st: st["http"][k] if st["http"] else None

    def tls_of(k):
        return lambda st: st["tls"][k] if st["tls"] else None
    is_tcp = lambda s: s["proto"] == "tcp"  # noqa: E731
    per_stream("per stream: http_method == http.request.method",
               field(F_HTTP_METHOD, http_of("method")), is_tcp)
    per_stream("per stream: http_host == http.host (sanitized)",
               field(F_HTTP_HOST, lambda st: san(http_of("host")(st))), is_tcp)
    per_stream("per stream: http_path == http.request.uri (sanitized)",
               field(F_HTTP_PATH, lambda st: san(http_of("path")(st))), is_tcp)
    per_stream("per stream: tls_sni == tls.handshake.extensions_server_name (sanitized)",
               field(F_SNI, lambda st: san(tls_of("sni")(st))), is_tcp)
    per_stream("per stream: tls_alpn == tls.handshake.extensions_alpn_str (sanitized)",
               field(F_ALPN, lambda st: None if not tls_of("alpn")(st) else
                     [sanitize(a) for a in tls_of("alpn")(st)]), is_tcp)
    per_stream("per stream: tls_versions == supported_versions, else the ClientHello's version",
               field(F_TLS_VERSIONS, tls_of("versions")), is_tcp)
    per_stream("per stream: tls_version_names == the RFCs' names of those versions",
               field(F_TLS_VERSION_NAMES, lambda st: None if tls_of("versions")(st) is None else
                     [TLS_VERSION_NAMES.get(v, "0x%04x" % v) for v in tls_of("versions")(st)]),
               is_tcp)

    # 5. The connections summary.
    try:
        with open(jsonf) as f:
            summ = json.load(f)
        conn = summ[C_CONN]
        if not isinstance(conn, dict):
            raise KeyError(C_CONN)
    except (OSError, ValueError, KeyError) as e:
        c.group("--json: connections", ["no %r object: %s" % (C_CONN, e)])
        return c.lines
    est = sum(1 for s in streams.values() if s["rtt"] is not None)
    probs = []
    for k, want in ((C_SYN, o["syn"]), (C_SYNACK, o["synack"]), (C_EST, est)):
        if conn.get(k) != want:
            probs.append("%s: got %r, want %d" % (k, conn.get(k), want))
    c.group("connections: syn, synack (frames), established (streams whose "
            "tcp.analysis.initial_rtt ends at the initiator's ACK: %d)" % est, probs)
    span = (o["last_us"] - o["first_us"]) / 1e6
    eps = conn.get(C_EST_PS)
    want = est / span if span > 0 else 0.0
    c.group("connections: established_per_sec == established / the capture's span (%.6f s)"
            % span, [] if isinstance(eps, (int, float)) and not isinstance(eps, bool) and
            abs(eps - want) <= 1e-6 * max(1.0, want) else ["got %r, want %.9g" % (eps, want)])
    # At the capture's end (before the remaining flows end as "eof"): the
    # flows in the table, and the TCP ones among them whose handshake began
    # (a SYN) and did not complete.
    at_end = [st for st in streams.values() if st["reasons"] == ["eof"]]
    maybe = [st for st in streams.values() if "eof" in st["reasons"]]
    n_other = sum(1 for r in flows if r.get(F_PROTO) not in ("tcp", "udp")
                  and r.get(F_REASON) == "eof")
    probs = []
    lo, hi = len(at_end) + n_other, len(maybe) + n_other
    if not isinstance(conn.get(C_ACTIVE), int) or not lo <= conn.get(C_ACTIVE) <= hi:
        probs.append("%s: got %r, want %s flows still in the table at the end" % (
            C_ACTIVE, conn.get(C_ACTIVE), lo if lo == hi else "%d..%d" % (lo, hi)))
    # A SYN refused by a RST: half-open or not, as one reads it.
    ho_lo = sum(1 for st in at_end if st["syn_seen"] and st["rtt"] is None and not st["rst"])
    ho_hi = sum(1 for st in maybe if st["syn_seen"] and st["rtt"] is None)
    if not isinstance(conn.get(C_HALF_OPEN), int) or not ho_lo <= conn.get(C_HALF_OPEN) <= ho_hi:
        probs.append("%s: got %r, want %s (SYN, no completed handshake, in the table at the "
                     "end)" % (C_HALF_OPEN, conn.get(C_HALF_OPEN),
                               ho_lo if ho_lo == ho_hi else "%d..%d" % (ho_lo, ho_hi)))
    c.group("connections: active and half_open as of the capture's end", probs)
    probs = []
    if conn.get(C_FLOWS) != len(flows):
        probs.append("%s: got %r, %d records" % (C_FLOWS, conn.get(C_FLOWS), len(flows)))
    ended = conn.get(C_ENDED) or {}
    for k in END_REASONS:
        n = sum(1 for r in flows if r.get(F_REASON) == k)
        if ended.get(k) != n:
            probs.append("%s.%s: got %r, %d records" % (C_ENDED, k, ended.get(k), n))
    c.group("connections: flows and ended.* == the json-lines records", probs)
    want = {}
    for st in streams.values():
        if st["http"]:
            m = st["http"]["method"]
            want[m] = want.get(m, 0) + 1
    got = conn.get(C_METHODS)
    c.group("connections: http_methods == streams per http.request.method",
            [] if got == want else ["got %s, want %s" % (json.dumps(got), json.dumps(want))])
    hosts, snis = {}, {}
    for st in streams.values():
        if st["http"] and st["http"]["host"] is not None:
            h = sanitize(st["http"]["host"])
            hosts[h] = hosts.get(h, 0) + 1
        if st["tls"] and st["tls"]["sni"] is not None:
            s = sanitize(st["tls"]["sni"])
            snis[s] = snis.get(s, 0) + 1
    for spec, counts in ((C_TOP_HOSTS, hosts), (C_TOP_SNI, snis),
                         (C_TOP_SRC_PKTS, {k: v[0] for k, v in o["src"].items()}),
                         (C_TOP_SRC_BYTES, {k: v[1] for k, v in o["src"].items()}),
                         (C_TOP_DPORT_PKTS, {k: v[0] for k, v in o["dport"].items()}),
                         (C_TOP_DPORT_BYTES, {k: v[1] for k, v in o["dport"].items()})):
        c.group("connections: %s (%s per %s)" % spec, check_top(conn.get(spec[0]), spec, counts))
    return c.lines

def hostile(jsonl):
    """The hostile strings of tests/mkflows.py, by the exact text the
    definition gives them (found by client address and server port, the
    generator's choices)."""
    flows, _, bad = load_jsonl(jsonl)
    out = ["fail the json-lines parse\t%s" % "; ".join(bad[:3])] if bad else []

    def find(src, dport):
        return [f for f in flows if f.get(F_SRC) == src and f.get(F_DPORT) == dport]
    B = "\\"
    cases = [
        ("Host with quotes, backslash, control bytes, UTF-8, 0xff, tab", "192.0.2.17", 80,
         F_HTTP_HOST, 'ev"il' + B + B + "host" + B + "x01" + B + "x1b" + B + "x7f" + B + "xc3"
         + B + "xa9" + B + "xff" + B + "x09q'x"),
        ("path with quote, backslash, 0x02, 0x80, 0xfe", "192.0.2.17", 80, F_HTTP_PATH,
         '/p"a' + B + B + "t" + B + "x02h" + B + "x80?q=" + B + "xfe"),
        ("SNI with quote, backslash, NUL, 0x1f, 0x7f, UTF-8", "192.0.2.17", 443, F_SNI,
         'sni"quo' + B + B + "te" + B + "x00" + B + "x1f" + B + "x7f" + B + "xe2" + B + "x82"
         + B + "xac.example"),
        ("ALPN with quote, backslash, 0x01, 0xff", "192.0.2.17", 443, F_ALPN,
         ["h2", 'a"b' + B + B + "c" + B + "x01" + B + "xff"]),
        ("400-character Host cut to 255", "192.0.2.18", 80, F_HTTP_HOST,
         ("h" + "abcdefghij" * 40)[:255]),
        ("300-character path cut to 255", "192.0.2.18", 80, F_HTTP_PATH, ("/" + "p" * 300)[:255]),
        ("374-character SNI cut to 255", "192.0.2.18", 443, F_SNI,
         (".".join(["l" * 60] * 6) + ".example")[:255]),
        # 300 bytes 01 ff ..., 4 characters each escaped: whole escapes
        # only, 63 of them (252 characters).
        ("300 escaped bytes cut to whole escapes", "192.0.2.19", 80, F_HTTP_HOST,
         ((B + "x01" + B + "xff") * 32)[:252]),
    ]
    for name, src, port, key, want in cases:
        fs = find(src, port)
        if len(fs) != 1:
            out.append("fail %s\t%d records from %s to port %d" % (name, len(fs), src, port))
        elif fs[0].get(key) != want:
            out.append("fail %s\t%s got %s, want %s" % (name, key, json.dumps(fs[0].get(key)),
                                                       json.dumps(want)))
        else:
            out.append("ok %s" % name)
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "dump":
        o = oracle(argv[2])
        for st in o["streams"].values():
            for k in ("pkts", "bytes"):
                st[k] = {"%s:%d" % a: v for a, v in st[k].items()}
            st["fin_from"] = sorted("%s:%d" % a for a in st["fin_from"])
            for k in ("http", "tls"):
                if st[k]:
                    st[k] = {kk: (sanitize(v, None) if isinstance(v, bytes) else
                                  [sanitize(x, None) for x in v] if isinstance(v, list) and v
                                  and isinstance(v[0], bytes) else v)
                             for kk, v in st[k].items()}
        print(json.dumps(o, indent=1, default=str))
        return 0
    if len(argv) == 5 and argv[1] == "compare":
        for line in compare(argv[2], argv[3], argv[4]):
            print(line)
        return 0
    if len(argv) == 3 and argv[1] == "hostile":
        for line in hostile(argv[2]):
            print(line)
        return 0
    if len(argv) == 3 and argv[1] == "sanitize":
        print(json.dumps(sanitize(bytes.fromhex(argv[2]))))
        return 0
    sys.stderr.write(__doc__ + "\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
PY

# report NAME < LINES: "ok X" / "fail X<tab>D" / "skip X<tab>R" as TAP results;
# no line at all is a failure (an oracle that said nothing checked nothing).
report() {
	local name=$1 line tab=$'\t' n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		"ok "*) t_ok "$name: ${line#ok }" ;;
		"skip "*)
			line=${line#skip }
			t_skip "$name: ${line%%"$tab"*}" "${line#*"$tab"}"
			;;
		"fail "*)
			line=${line#fail }
			t_fail "$name: ${line%%"$tab"*}" "${line#*"$tab"}"
			;;
		*) t_fail "$name: oracle" "$line" ;;
		esac
	done
	[ "$n" != 0 ] || t_fail "$name: the oracle reported something" "no line from it"
}

# xdpi_flows NAME PCAP [ARGS...]: xdpi's records in $T_TMP/NAME.jsonl, its
# summary in $T_TMP/NAME.json; one TAP result for a clean read (exit 0,
# nothing on stderr).
xdpi_flows() {
	local name=$1 pcap=$2 rc1 rc2
	shift 2
	"$XDPI" read "${XDPI_FLOW_ARGS[@]}" "$@" --json-lines "$T_TMP/$name.jsonl" "$pcap" \
		>/dev/null 2>"$T_TMP/$name.err1"
	rc1=$?
	"$XDPI" read "${XDPI_FLOW_ARGS[@]}" "$@" --json "$pcap" >"$T_TMP/$name.json" 2>"$T_TMP/$name.err2"
	rc2=$?
	if [ $rc1 != 0 ] || [ $rc2 != 0 ] || [ -s "$T_TMP/$name.err1" ] || [ -s "$T_TMP/$name.err2" ]; then
		t_fail "$name: xdpi read --json-lines / --json" \
			"exit $rc1/$rc2: $(head -c 300 "$T_TMP/$name.err1") $(head -c 300 "$T_TMP/$name.err2")"
		return 1
	fi
	t_ok "$name: xdpi read --json-lines / --json (exit 0, nothing on stderr)"
}

# check_file NAME PCAP: every comparison for one capture.
check_file() {
	local name=$1 pcap=$2
	xdpi_flows "$name" "$pcap" || return
	report "$name" < <(python3 "$FLOWCHK" compare "$pcap" "$T_TMP/$name.jsonl" \
		"$T_TMP/$name.json" 2>&1)
}

# hostile NAME: the hostile strings of tests/mkflows.py in NAME's records.
hostile() {
	[ -s "$T_TMP/$1.jsonl" ] || return
	report "$1: hostile" < <(python3 "$FLOWCHK" hostile "$T_TMP/$1.jsonl" 2>&1)
}

# flow_lines FILE: the flow records of a json-lines file.
flow_lines() { grep -E '"type" *: *"flow"' "$1"; }

# The synthetic capture: as generated (a capture of 2 s: the flows are still
# in the table at its end), and with a last frame 200 s later (every flow
# but that frame's expires first, by its reason).
syn=$T_TMP/synthetic.pcap
if python3 "$HERE/mkflows.py" "$syn" 2>"$T_TMP/mkflows.err" &&
	python3 "$HERE/mkflows.py" "$T_TMP/synthetic_tail.pcap" --tail 200 2>>"$T_TMP/mkflows.err"; then
	t_ok "synthetic: tests/mkflows.py wrote its pcaps"
	check_file synthetic "$syn"
	hostile synthetic
	check_file synthetic_tail "$T_TMP/synthetic_tail.pcap"
	# --json-lines - is the same as to a file.
	if "$XDPI" read "${XDPI_FLOW_ARGS[@]}" --json-lines - "$syn" 2>/dev/null >"$T_TMP/stdout.out" &&
		flow_lines "$T_TMP/synthetic.jsonl" | sort | cmp -s - <(flow_lines "$T_TMP/stdout.out" | sort); then
		t_ok "synthetic: --json-lines - writes the same flow records on stdout (in any order)"
	else
		t_fail "synthetic: --json-lines - writes the same flow records on stdout (in any order)"
	fi
	# A table too small for the capture: flows evicted, still every IP
	# frame in exactly one record (the checks that hold whatever the
	# table's size; not the handshakes: an evicted flow's ACK starts a
	# record that saw no SYN).
	if xdpi_flows synthetic_max4 "$syn" --max-flows 4; then
		python3 "$FLOWCHK" compare "$syn" "$T_TMP/synthetic_max4.jsonl" \
			"$T_TMP/synthetic_max4.json" >"$T_TMP/max4.report" 2>&1
		# Each group of checks must be there: a group renamed in the
		# oracle fails here instead of vanishing from the filter.
		for g in 'json-lines' 'sum of flow packets' 'every flow' 'flows and ended'; do
			grep -q -- "$g" "$T_TMP/max4.report" ||
				t_fail "synthetic --max-flows 4: the oracle's '$g' checks ran" \
					"no line with '$g' in its report"
		done
		report "synthetic --max-flows 4" < <(grep -E \
			'(json-lines|sum of flow packets|every flow|flows and ended)' "$T_TMP/max4.report")
		n=$(flow_lines "$T_TMP/synthetic_max4.jsonl" | grep -c '"end_reason" *: *"evicted"')
		if [ "$n" -gt 0 ]; then
			t_ok "synthetic --max-flows 4: $n flows evicted"
		else
			t_fail "synthetic --max-flows 4: flows evicted" "no record with end_reason evicted"
		fi
	fi
	# --no-flows: no flow record.
	if "$XDPI" read --no-flows --json-lines "$T_TMP/noflows.jsonl" "$syn" >/dev/null 2>"$T_TMP/noflows.err"; then
		t_eq "synthetic --no-flows: no flow record" "$(flow_lines "$T_TMP/noflows.jsonl" | wc -l)" 0
	else
		t_fail "synthetic --no-flows --json-lines" "$(head -c 300 "$T_TMP/noflows.err")"
	fi
else
	t_fail "synthetic: tests/mkflows.py" "$(head -c 300 "$T_TMP/mkflows.err")"
fi

# Real traffic.
need=$(realtraffic_missing)
if [ -n "$need" ]; then
	t_skip "real traffic" "needs $need"
else
	mkdir -p "$T_TMP/real"
	if timeout 180 bash "$HERE/realtraffic.sh" "$T_TMP/real" >"$T_TMP/real.log" 2>&1; then
		t_ok "real traffic: tests/realtraffic.sh captured $(find "$T_TMP/real" -name '*.pcap' | wc -l) files"
		grep -q "no VLAN" "$T_TMP/real.log" &&
			t_skip "real traffic over 802.1Q" "no 802.1Q devices in this kernel (8021q)"
	else
		t_fail "real traffic: tests/realtraffic.sh" "$(tail -c 600 "$T_TMP/real.log")"
	fi
	n=0
	for p in "$T_TMP"/real/*.pcap; do
		[ -s "$p" ] || continue
		n=$((n + 1))
		check_file "real_$(basename "$p" .pcap)" "$p"
	done
	[ "$n" -gt 0 ] || t_fail "real traffic: some capture to compare" \
		"tests/realtraffic.sh left no non-empty pcap in $T_TMP/real"
fi

t_done
