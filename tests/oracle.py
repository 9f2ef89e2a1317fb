#!/usr/bin/env python3
"""Independent oracle for `xdpi read --json`, built on tshark's dissection.

    oracle.py FILE                 print the metrics of FILE as one JSON object
    oracle.py --filter F FILE      the same over the frames xdpi's filter F
                                   (tcp, udp, ip) selects
    oracle.py --compare GOT WANT   compare two such JSON files, key group by
                                   key group: one line per group, "ok GROUP"
                                   or "fail GROUP: key got X want Y; ..."

The metrics are computed from the fields tshark (4.0) prints for each frame,
following the definitions in docs/metrics.md; nothing here looks at the
bytes itself or shares code with xdpi's parser. Reassembly is off so that
every frame is dissected on its own, as xdpi sees it.

How each tshark field is used:
- frame.len: packets, bytes, histogram (the wire length).
- Link layer: eth.type, then vlan.etype, the type after each tag in order.
  tshark is told to dissect 0x88a8 with its VLAN dissector
  (vlan.qinq_ethertype:0x88a8): its own 802.1ad dissector takes two
  stacked S-tags as one layer and names the type after them otherwise
  (ieee8021ah.etype), so the tag count would be lost. Only 0x8100 and
  0x88a8 are tags for the metrics; a third tag, or any other type, ends the
  walk (with the preference above, 0x9100 is not dissected as a tag at all).
- IPv4: the first ip.* occurrence is the outermost header (later ones are
  headers quoted by ICMP errors). ip.frag_offset != 0: l4 other.
- IPv6: ipv6.nxt, then through the extension headers with the
  ipv6.{hopopts,routing,dstopts,fraghdr}.nxt fields (the k-th header of a
  kind is the k-th occurrence of its field); a fragment header with
  ipv6.fraghdr.offset != 0 ends the walk as l4 other.
- TCP: first tcp.* occurrence. Payload: tcp.len. tshark leaves tcp.len out
  for fragments (first fragments included); there the payload is
  ip.len - ip.hdr_len - tcp.hdr_len, or for IPv6 ipv6.plen - the extension
  headers (their *.len_oct, 8 for a fragment header) - tcp.hdr_len, checked
  against the length of tcp.payload when tshark gives it. The same sum is
  checked against tcp.len wherever tshark gives that, so the arithmetic is
  itself checked on every unfragmented segment.
"""
import json
import subprocess
import sys

FIELDS = [
    "frame.len",
    "eth.type",
    "vlan.etype",
    "ip.src",
    "ip.dst",
    "ip.proto",
    "ip.frag_offset",
    "ip.len",
    "ip.hdr_len",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.nxt",
    "ipv6.plen",
    "ipv6.hopopts.len_oct",
    "ipv6.routing.len_oct",
    "ipv6.dstopts.len_oct",
    "ipv6.hopopts.nxt",
    "ipv6.routing.nxt",
    "ipv6.dstopts.nxt",
    "ipv6.fraghdr.nxt",
    "ipv6.fraghdr.offset",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.flags",
    "tcp.hdr_len",
    "tcp.len",
    "tcp.payload",
]

TAGS = (0x8100, 0x88A8)
MAX_TAGS = 2
ETH_IPV4, ETH_IPV6, ETH_ARP = 0x0800, 0x86DD, 0x0806
IPV6_EXT = {0: "ipv6.hopopts", 43: "ipv6.routing", 60: "ipv6.dstopts"}
IPV6_FRAG = 44
IPV6_FRAG_LEN = 8  # RFC 8200 4.5: the fragment header has a fixed size
L4_BY_PROTO = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}
BUCKETS = ["64", "65-127", "128-255", "256-511", "512-1023", "1024-1518", "1519+"]
TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10


class OracleError(Exception):
    pass


def run_tshark(path):
    cmd = ["tshark", "-n", "-r", path,
           "-o", "ip.defragment:FALSE",
           "-o", "ipv6.defragment:FALSE",
           "-o", "tcp.desegment_tcp_streams:FALSE",
           "-o", "tcp.analyze_sequence_numbers:FALSE",
           "-o", "vlan.qinq_ethertype:0x88a8",
           "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
           "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        raise OracleError("tshark failed (%d): %s" % (p.returncode, p.stderr.strip()))
    rows = []
    for line in p.stdout.split("\n"):
        if not line:
            continue
        cols = line.split("\t")
        if len(cols) != len(FIELDS):
            raise OracleError("unexpected tshark line: %r" % line[:200])
        rows.append({f: (c.split(",") if c else []) for f, c in zip(FIELDS, cols)})
    return rows


def num(s):
    return int(s, 0)


def bucket(n):
    if n <= 64:
        return "64"
    for lo, name in ((1519, "1519+"), (1024, "1024-1518"), (512, "512-1023"),
                     (256, "256-511"), (128, "128-255")):
        if n >= lo:
            return name
    return "65-127"


def l3_type(r, fno):
    """The ethertype after at most two 0x8100/0x88a8 tags, or None."""
    return l3_type_tags(r, fno)[0]


def l3_type_tags(r, fno):
    """l3_type() and the tags walked: 0, 1, or 2 (a third tag too)."""
    if not r["eth.type"]:
        return None, 0  # not even an Ethernet header: l3 other
    nexts = list(r["vlan.etype"])
    t = num(r["eth.type"][0])
    ntags = 0
    while t in TAGS:
        if ntags == MAX_TAGS:
            return None, ntags  # a third tag
        if not nexts:
            raise OracleError("frame %d: tshark did not dissect tag %d" % (fno, ntags + 1))
        t = num(nexts.pop(0))
        ntags += 1
    return t, ntags


def ipv6_l4_proto(r, fno):
    """(next header after the extension walk or None for a later fragment,
    bytes of extension headers walked)."""
    queues = {k: list(r[k]) for k in FIELDS if k.startswith("ipv6.")}
    nxt = num(r["ipv6.nxt"][0])
    ext_bytes = 0

    def pop(field):
        if not queues[field]:
            raise OracleError("frame %d: tshark gave no %s for the walk" % (fno, field))
        return num(queues[field].pop(0))

    while True:
        if nxt in IPV6_EXT:
            ext_bytes += pop(IPV6_EXT[nxt] + ".len_oct")
            nxt = pop(IPV6_EXT[nxt] + ".nxt")
        elif nxt == IPV6_FRAG:
            ext_bytes += IPV6_FRAG_LEN
            offset = pop("ipv6.fraghdr.offset")
            nxt = pop("ipv6.fraghdr.nxt")
            if offset != 0:
                return None, ext_bytes
        else:
            return nxt, ext_bytes


# The steering filter's definition (docs/live.md, "What is steered"): after
# at most two 0x8100/0x88a8 tags, IPv4 or IPv6; for tcp and udp, the IPv4
# protocol field (fragments included: every fragment carries it), or the
# IPv6 next header after at most FILTER_IPV6_EXT_MAX extension headers
# (hop-by-hop, routing, fragment, destination options); a fragment header
# with a non-zero offset ends the walk with its own next header.
FILTER_IPV6_EXT_MAX = 8


def filter_selects(r, fno, flt):
    t = l3_type(r, fno)
    if t not in (ETH_IPV4, ETH_IPV6):
        return False
    if flt == "ip":
        return True
    want = 6 if flt == "tcp" else 17
    if t == ETH_IPV4:
        return bool(r["ip.proto"]) and num(r["ip.proto"][0]) == want
    if not r["ipv6.nxt"]:
        return False
    queues = {k: list(r[k]) for k in FIELDS if k.startswith("ipv6.")}
    nxt = num(r["ipv6.nxt"][0])
    for _ in range(FILTER_IPV6_EXT_MAX):
        if nxt in IPV6_EXT:
            field = IPV6_EXT[nxt] + ".nxt"
        elif nxt == IPV6_FRAG:
            field = "ipv6.fraghdr.nxt"
        else:
            return nxt == want
        if not queues[field]:
            return False  # the header is cut off: the filter cannot read it
        nxt = num(queues[field].pop(0))
        if field == "ipv6.fraghdr.nxt" and queues["ipv6.fraghdr.offset"] and \
                num(queues["ipv6.fraghdr.offset"].pop(0)) != 0:
            # a later fragment: what follows is payload, and the fragment
            # header's next header is the answer
            return nxt == want
    return False  # more extension headers than the filter walks


def tcp_payload(r, fno, l3, ext_bytes):
    hdr = num(r["tcp.hdr_len"][0])
    if l3 == "ipv4":
        by_len = num(r["ip.len"][0]) - num(r["ip.hdr_len"][0]) - hdr
    else:
        by_len = num(r["ipv6.plen"][0]) - ext_bytes - hdr
    if r["tcp.len"]:
        tlen = num(r["tcp.len"][0])
        if tlen != by_len:
            raise OracleError("frame %d: tcp.len %d but the header lengths give %d"
                              % (fno, tlen, by_len))
        return tlen
    if r["tcp.payload"] and len(r["tcp.payload"][0]) // 2 != by_len:
        raise OracleError("frame %d: tcp.payload has %d bytes but the header lengths give %d"
                          % (fno, len(r["tcp.payload"][0]) // 2, by_len))
    return by_len


def metrics(rows, flt=None):
    m = {
        "packets": 0, "bytes": 0, "avg_packet_size": 0.0,
        "l3": {"ipv4": 0, "ipv6": 0, "arp": 0, "other": 0},
        "l4": {"tcp": 0, "udp": 0, "icmp": 0, "icmpv6": 0, "other": 0},
        "tcp_flags": {"syn": 0, "synack": 0, "fin": 0, "rst": 0},
        "unique_src_ips": 0, "tcp_flows": 0, "tcp_payload_bytes": 0,
        "size_histogram": {b: 0 for b in BUCKETS},
        "vlan": {"untagged": 0, "single": 0, "qinq": 0},
    }
    srcs, flows = set(), set()
    for fno, r in enumerate(rows, 1):
        if flt and not filter_selects(r, fno, flt):
            continue
        wire = num(r["frame.len"][0])
        m["packets"] += 1
        m["bytes"] += wire
        m["size_histogram"][bucket(wire)] += 1

        t, ntags = l3_type_tags(r, fno)
        m["vlan"][("untagged", "single", "qinq")[ntags]] += 1
        if t == ETH_IPV4:
            l3, pfx = "ipv4", "ip"
        elif t == ETH_IPV6:
            l3, pfx = "ipv6", "ipv6"
        elif t == ETH_ARP:
            l3, pfx = "arp", None
        else:
            l3, pfx = "other", None
        m["l3"][l3] += 1
        if pfx is None:
            continue
        if not r[pfx + ".src"]:
            # The IP header is not there (a runt): an IP packet whose l4
            # is unknown, and no address to count.
            m["l4"]["other"] += 1
            continue
        src, dst = r[pfx + ".src"][0], r[pfx + ".dst"][0]
        srcs.add((l3, src))
        if l3 == "ipv4":
            later_fragment = r["ip.frag_offset"] and num(r["ip.frag_offset"][0]) != 0
            proto = None if later_fragment else num(r["ip.proto"][0])
            ext_bytes = 0
        else:
            proto, ext_bytes = ipv6_l4_proto(r, fno)
        l4 = L4_BY_PROTO.get(proto, "other")
        m["l4"][l4] += 1
        if l4 != "tcp":
            continue
        if not r["tcp.flags"] or not r["tcp.srcport"] or not r["tcp.hdr_len"]:
            raise OracleError("frame %d: TCP by the IP header but tshark has no TCP header"
                              % fno)
        flags = num(r["tcp.flags"][0])
        syn, ack = flags & TCP_SYN, flags & TCP_ACK
        m["tcp_flags"]["syn"] += bool(syn and not ack)
        m["tcp_flags"]["synack"] += bool(syn and ack)
        m["tcp_flags"]["fin"] += bool(flags & TCP_FIN)
        m["tcp_flags"]["rst"] += bool(flags & TCP_RST)
        m["tcp_payload_bytes"] += tcp_payload(r, fno, l3, ext_bytes)
        flows.add((l3, src, dst, num(r["tcp.srcport"][0]), num(r["tcp.dstport"][0])))

    m["unique_src_ips"] = len(srcs)
    m["tcp_flows"] = len(flows)
    if m["packets"]:
        m["avg_packet_size"] = m["bytes"] / m["packets"]
    return m


GROUPS = [
    ("totals", ["packets", "bytes", "avg_packet_size"]),
    ("l3", ["l3"]),
    ("l4", ["l4"]),
    ("tcp_flags", ["tcp_flags"]),
    ("distinct", ["unique_src_ips", "tcp_flows"]),
    ("tcp_payload_bytes", ["tcp_payload_bytes"]),
    ("size_histogram", ["size_histogram"]),
    ("vlan", ["vlan"]),
]


def same(a, b):
    """Equal, and of the JSON type the definition has: a count is an
    integer (3.0 is not 3, and true is not 1); an average is a number
    within rounding."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(b, float):
        return isinstance(a, (int, float)) and abs(a - b) <= 1e-9 * max(1.0, abs(b))
    if isinstance(b, int):
        return type(a) is int and a == b
    return a == b


def invariants(got):
    """What xdpi's own figures must satisfy whatever the capture: every
    packet in one L3 class and one size bucket, every IP packet in one L4
    class, the malformed reasons adding up to their total. Checked on
    xdpi's output, so a metric that drifts from its siblings fails even
    where tshark has nothing to say."""
    out = []
    m = got.get("malformed", {})
    checks = [
        ("sum(l3) == packets", sum(got["l3"].values()), got["packets"]),
        ("sum(l4) == ipv4 + ipv6", sum(got["l4"].values()),
         got["l3"]["ipv4"] + got["l3"]["ipv6"]),
        ("sum(size_histogram) == packets", sum(got["size_histogram"].values()),
         got["packets"]),
        ("sum(vlan) == packets", sum(got["vlan"].values()), got["packets"]),
        ("sum(malformed reasons) == malformed.total",
         sum(v for k, v in m.get("reasons", m).items() if k != "total"), m.get("total")),
    ]
    for name, left, right in checks:
        if not (type(left) is int and type(right) is int and left == right):
            out.append("%s: %r vs %r" % (name, left, right))
    return out


def diff(got, want, path=""):
    out = []
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return ["%s: got %s, want an object" % (path, json.dumps(got))]
        for k in want:
            out += diff(got.get(k), want[k], path + "." + k if path else k)
        for k in got:
            if k not in want:
                out.append("%s: unexpected key" % (path + "." + k))
        return out
    if not same(got, want):
        out.append("%s: got %s, want %s" % (path, json.dumps(got), json.dumps(want)))
    return out


def compare(got_path, want_path):
    with open(got_path) as f:
        got = json.load(f)
    with open(want_path) as f:
        want = json.load(f)
    bad = 0
    for name, keys in GROUPS:
        d = []
        for k in keys:
            if k not in got:
                d.append("%s: missing" % k)
            else:
                d += diff(got[k], want[k], k)
        if d:
            bad += 1
            print("fail %s: %s" % (name, "; ".join(d)))
        else:
            print("ok %s" % name)
    d = invariants(got)
    if d:
        bad += 1
        print("fail invariants: %s" % "; ".join(d))
    else:
        print("ok invariants")
    return 1 if bad else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--compare":
        return compare(argv[2], argv[3])
    flt = None
    if len(argv) == 4 and argv[1] == "--filter" and argv[2] in ("tcp", "udp", "ip"):
        flt = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        m = metrics(run_tshark(argv[1]), flt)
    except OracleError as e:
        sys.stderr.write("oracle: %s\n" % e)
        return 1
    except FileNotFoundError:
        sys.stderr.write("oracle: tshark is not installed\n")
        return 1
    print(json.dumps(m))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
