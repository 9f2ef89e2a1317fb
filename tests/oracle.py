#!/usr/bin/env python3
"""Independent oracle for `xdpi read --json`, built on tshark's dissection.

    oracle.py FILE                 print the metrics of FILE as one JSON object
    oracle.py --filter F FILE      the same over the frames xdpi's filter F
                                   (tcp, udp, ip) selects
    oracle.py --compare GOT WANT   compare two such JSON files, key group by
                                   key group: one line per group, "ok GROUP"
                                   or "fail GROUP: key got X want Y; ...",
                                   then xdpi's own sums ("invariants") and,
                                   when WANT is the oracle's, whether tshark's
                                   verdicts agree with its malformed frames

Besides the metrics, the oracle's JSON has keys that start with "_":
"_malformed_frames" (frame number: reason), "_tshark" (frame number: how
tshark's own verdict disagrees with the definition) and "_src_unknown"
(sources the definition counts that tshark gives no address for).

The metrics are computed from the fields tshark (4.0) prints for each frame,
following the definitions in docs/metrics.md; nothing here looks at the
bytes itself or shares code with xdpi's parser. Reassembly is off so that
every frame is dissected on its own, as xdpi sees it.

How each tshark field is used:
- frame.len: packets, bytes, histogram (the wire length). frame.cap_len:
  the bytes captured, which the definitions of the *_truncated reasons
  count (below).
- Link layer: eth.type, then vlan.etype, the type after each tag in order.
  tshark is told to dissect 0x88a8 with its VLAN dissector
  (vlan.qinq_ethertype:0x88a8): its own 802.1ad dissector takes two
  stacked S-tags as one layer and names the type after them otherwise
  (ieee8021ah.etype), so the tag count would be lost. Only 0x8100 and
  0x88a8 are tags for the metrics; a third tag, or any other type, ends the
  walk (with the preference above, 0x9100 is not dissected as a tag at all).
- IPv4: the first ip.* occurrence is the outermost header (later ones are
  headers quoted by ICMP errors). ip.frag_offset != 0: l4 other.
  ip.tso_support is off, so that ip.len is the header's total length even
  when it is 0 (tshark would otherwise take the frame's length for it, as
  a capture of TSO hardware would need).
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

Malformed frames (the "malformed" object). Each reason is computed as
docs/metrics.md defines it, going up the layers, the first problem found
winning, from these tshark fields:
  "captured after the link headers" = frame.cap_len - 14 - 4 x (the tags
  tshark dissected); the wire length = frame.len (the captured length if
  a record claims less); the IP packet's end = the link headers + ip.len,
  or + 40 + ipv6.plen; an L4 header's captured bytes = min(frame.cap_len,
  that end) - where it starts (after ip.hdr_len, or after the IPv6
  extension headers' *.len_oct and 8 per fragment header).
  eth_truncated            frame.cap_len < 14
  vlan_truncated           eth.type / the vlan.etype before it a tag (the
                           first or second) and fewer than 4 bytes after it
  arp_truncated            fewer than 8 bytes, or fewer than
                           8 + 2 x (arp.hw.size + arp.proto.size)
  ipv4_truncated           fewer than 20 bytes; or ip.hdr_len past them
  ipv4_bad_version         ip.version != 4
  ipv4_bad_header_length   ip.hdr_len < 20
  ipv4_bad_total_length    ip.len < ip.hdr_len, or past the wire bytes
  ipv6_truncated           fewer than 40 bytes
  ipv6_bad_version         ipv6.version != 6
  ipv6_bad_payload_length  40 + ipv6.plen past the wire bytes
  ipv6_ext_truncated       a hop-by-hop/routing/destination/fragment
                           header without 8 captured bytes inside the IP
                           packet, or whose *.len_oct runs past its end
  tcp_truncated            fewer than 20 bytes of TCP, or fewer than
                           tcp.hdr_len
  tcp_bad_data_offset      tcp.hdr_len < 20
  tcp_bad_options          walking tcp.option_kind / tcp.option_len up to
                           tcp.hdr_len - 20 (stop at kind 0, kind 1 is one
                           byte): a length below 2 or past the options,
                           kind 2 not 4, 3 not 3, 4 not 2, 8 not 10, or an
                           option tshark gave no kind or length for (it
                           stops at one whose length byte is missing, below
                           2 or past the end)
  udp_truncated            fewer than 8 bytes of UDP
  udp_bad_length           not a fragment (ip.flags.mf, a fragment header)
                           and udp.length < 8 or past the L4 bytes
  icmp_truncated           protocol 1, fewer than 8 bytes
  icmpv6_truncated         protocol 58, fewer than 4 bytes
Each reason must also be seen by tshark itself, in its expert info or its
exception items: _ws.malformed ("[Malformed Packet: PROTO]"), _ws.short
("[Packet size limited during capture: PROTO truncated]", for a header the
snap length cut) and _ws.expert.message, as EVIDENCE below lists per
reason; a frame where the reason computed from the fields has none of its
evidence, or where tshark flags one of the layers the metrics parse while
the definition finds nothing (CONVERSE), is reported under "_tshark" and
fails the comparison ("tshark" line). Where tshark's view and the
definition differ for a reason, the definition decides, as follows:
  - tshark checks the IP version before the length: fewer than 20 (40)
    bytes with a wrong version is "Bogus IPv4 (IPv6) version" there, and
    ipv4_truncated (ipv6_truncated) here. A version 6 header behind
    EtherType IPv4 is even dissected as IPv6 by tshark.
  - A total length below the header length: tshark stops before the
    addresses, so it gives no ip.src, although the definition counts the
    source. Such a source is unknown here (the count "_src_unknown"), and
    unique_src_ips is compared as a range: at least the oracle's count, at
    most that many more.
  - A header length past the captured bytes that is also above the total
    length (tests/badframes.py: IHL 15 in a 40-byte packet): tshark
    reports the total length ("Bogus IP length") and gives no address; the
    definition finds the header cut short first (ipv4_truncated). tshark's
    message counts as its evidence, and the source is unknown, as above.
  - An L4 header cut inside a first fragment: tshark reports the fragment
    as unreassembled (no exception), not malformed. With no L4 byte at all
    tshark does not call the L4 dissector: the protocol is missing from
    frame.protocols. Both count as tshark's evidence.
  - tcp_bad_options only checks the lengths of MSS, window scale, SACK
    permitted and timestamps; tshark checks more kinds (MD5, user timeout,
    quick-start, ...) and some option contents. Such a frame is well formed
    by the definition (the converse check does not look at TCP option
    messages).
  - tshark dissects what follows the headers the definition needs: an ICMP
    message's body (an echo's identifier, a quoted packet), an ICMPv6
    message with 4 to 7 bytes, DNS, HTTP and the like, and a third VLAN tag
    (the parser stops after two). Its verdicts there do not make a frame
    malformed, and in ICMP and ICMPv6 messages its verdicts on the quoted
    packet are not the frame's (the converse check skips them).
  - A snap length: tshark says "Packet size limited during capture" for the
    first layer the capture cut; the definition counts a frame cut by the
    capture as malformed only when a header it needs was cut.
"""
import json
import re
import subprocess
import sys

FIELDS = [
    "frame.len",
    "frame.cap_len",
    "frame.protocols",
    "eth.type",
    "vlan.etype",
    "arp.hw.size",
    "arp.proto.size",
    "ip.version",
    "ip.hdr_len",
    "ip.src",
    "ip.dst",
    "ip.proto",
    "ip.flags.mf",
    "ip.frag_offset",
    "ip.len",
    "ipv6.version",
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
    "tcp.option_kind",
    "tcp.option_len",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "_ws.expert.message",
    "_ws.malformed",
    "_ws.short",
]
# Between the occurrences of a field: a byte no field value holds (expert
# messages have commas).
AGGREGATOR = "\x1f"

TAGS = (0x8100, 0x88A8)
MAX_TAGS = 2
ETH_HLEN, TAG_LEN = 14, 4
ETH_IPV4, ETH_IPV6, ETH_ARP = 0x0800, 0x86DD, 0x0806
ARP_FIXED, IPV4_MIN, IPV6_HLEN, EXT_MIN = 8, 20, 40, 8
TCP_MIN, UDP_HLEN, ICMP_HLEN, ICMPV6_HLEN = 20, 8, 8, 4
IPV6_EXT = {0: "ipv6.hopopts", 43: "ipv6.routing", 60: "ipv6.dstopts"}
IPV6_FRAG = 44
IPV6_FRAG_LEN = 8  # RFC 8200 4.5: the fragment header has a fixed size
L4_BY_PROTO = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}
BUCKETS = ["64", "65-127", "128-255", "256-511", "512-1023", "1024-1518", "1519+"]
TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10
# TCP options whose length the definition fixes (kind: length).
TCP_OPT_EOL, TCP_OPT_NOP = 0, 1
TCP_OPT_LEN = {2: 4, 3: 3, 4: 2, 8: 10}

# The JSON order of the reasons (docs/metrics.md).
REASONS = [
    "eth_truncated", "vlan_truncated", "arp_truncated", "ipv4_truncated",
    "ipv4_bad_version", "ipv4_bad_header_length", "ipv4_bad_total_length",
    "ipv6_truncated", "ipv6_bad_version", "ipv6_bad_payload_length",
    "ipv6_ext_truncated", "tcp_truncated", "tcp_bad_data_offset", "tcp_bad_options",
    "udp_truncated", "udp_bad_length", "icmp_truncated", "icmpv6_truncated",
]
UNKNOWN = object()  # a source the definition counts but tshark does not give


class OracleError(Exception):
    pass


def run_tshark(path, extra=()):
    """Per frame, {field: [occurrences]} for FIELDS and the extra fields."""
    fields = FIELDS + [f for f in extra if f not in FIELDS]
    cmd = ["tshark", "-n", "-r", path,
           "-o", "ip.defragment:FALSE",
           "-o", "ipv6.defragment:FALSE",
           "-o", "ip.tso_support:FALSE",
           "-o", "tcp.desegment_tcp_streams:FALSE",
           "-o", "tcp.analyze_sequence_numbers:FALSE",
           "-o", "vlan.qinq_ethertype:0x88a8",
           "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
           "-E", "aggregator=" + AGGREGATOR]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, errors="replace")
    if p.returncode != 0:
        raise OracleError("tshark failed (%d): %s" % (p.returncode, p.stderr.strip()))
    rows = []
    for line in p.stdout.split("\n"):
        if not line:
            continue
        cols = line.split("\t")
        if len(cols) != len(fields):
            raise OracleError("unexpected tshark line: %r" % line[:200])
        rows.append({f: (c.split(AGGREGATOR) if c else []) for f, c in zip(fields, cols)})
    return rows


def num(s):
    return int(s, 0)


def flag(s):
    return s in ("1", "True", "true")


def first(r, field, fno):
    if not r[field]:
        raise OracleError("frame %d: tshark gave no %s" % (fno, field))
    return num(r[field][0])


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
    """l3_type() and the tags walked: 0, 1, or 2 (a third tag too); a tag
    cut short (vlan_truncated) ends the walk with None."""
    if not r["eth.type"]:
        return None, 0  # not even an Ethernet header: l3 other
    nexts = list(r["vlan.etype"])
    t = num(r["eth.type"][0])
    ntags = 0
    while t in TAGS:
        if ntags == MAX_TAGS:
            return None, ntags  # a third tag
        if not nexts:
            if captured(r) - ETH_HLEN - TAG_LEN * ntags < TAG_LEN:
                return None, ntags  # the tag is cut short
            raise OracleError("frame %d: tshark did not dissect tag %d" % (fno, ntags + 1))
        t = num(nexts.pop(0))
        ntags += 1
    return t, ntags


def captured(r):
    return num(r["frame.cap_len"][0]) if r["frame.cap_len"] else num(r["frame.len"][0])


def ipv6_l4_proto(r, fno):
    """(next header after the extension walk or None for a later fragment,
    bytes of extension headers walked). For frames whose headers are whole
    (the --filter oracle's)."""
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


def tcp_payload(r, fno, l4_len, hdr):
    """The payload by the headers (the IP packet's L4 bytes minus the TCP
    header), checked against tshark's own tcp.len or tcp.payload."""
    by_len = l4_len - hdr
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


def tcp_options_bad(r, doff):
    """The definition's option walk over the options tshark dissected."""
    kinds, lens = list(r["tcp.option_kind"]), list(r["tcp.option_len"])
    room, pos = doff - TCP_MIN, 0
    while pos < room:
        if not kinds:
            return True  # an option tshark could not read (see above)
        kind = num(kinds.pop(0))
        if kind == TCP_OPT_EOL:
            return False
        if kind == TCP_OPT_NOP:
            pos += 1
            continue
        if not lens:
            return True  # its length byte is missing
        olen = num(lens.pop(0))
        if olen < 2 or olen > room - pos:
            return True
        if kind in TCP_OPT_LEN and olen != TCP_OPT_LEN[kind]:
            return True
        pos += olen
    return False


class Frame:
    """What the definitions make of one frame, from tshark's fields."""

    def __init__(self):
        self.ntags = 0
        self.l3 = "other"
        self.l4 = None  # set for IP packets
        self.reason = None
        self.src = None  # (l3, address), UNKNOWN, or None: not counted
        self.tcp = None  # (flags, payload, flow) for a complete TCP header
        self.fragment = False
        # For the flow key (docs/flows.md; tests/flowconv.py), once the IP
        # header is accepted (src set): the destination, the protocol
        # number (after the IPv6 walk, as far as it went), the ports of a
        # complete TCP or UDP header (else None: ports 0), the IP length.
        self.dst = None
        self.proto = None
        self.ports = None
        self.ip_len = None


def dissect(r, fno):
    f = Frame()
    cap = captured(r)
    wire = max(num(r["frame.len"][0]), cap)
    if cap < ETH_HLEN:
        f.reason = "eth_truncated"
        return f
    t = first(r, "eth.type", fno)
    nexts = list(r["vlan.etype"])
    off = ETH_HLEN
    while t in TAGS:
        if f.ntags == MAX_TAGS:
            return f  # a third tag: l3 other, not looked at
        if cap - off < TAG_LEN:
            f.reason = "vlan_truncated"
            return f
        if not nexts:
            raise OracleError("frame %d: tshark did not dissect tag %d" % (fno, f.ntags + 1))
        t = num(nexts.pop(0))
        f.ntags += 1
        off += TAG_LEN
    if t == ETH_ARP:
        f.l3 = "arp"
        n = cap - off
        if n < ARP_FIXED or n - ARP_FIXED < 2 * (first(r, "arp.hw.size", fno) +
                                                 first(r, "arp.proto.size", fno)):
            f.reason = "arp_truncated"
    elif t == ETH_IPV4:
        f.l3, f.l4 = "ipv4", "other"
        ipv4(r, fno, f, cap, wire, off)
    elif t == ETH_IPV6:
        f.l3, f.l4 = "ipv6", "other"
        ipv6(r, fno, f, cap, wire, off)
    return f


def ipv4(r, fno, f, cap, wire, off):
    n = cap - off
    if n < IPV4_MIN:
        f.reason = "ipv4_truncated"
        return
    if first(r, "ip.version", fno) != 4:
        f.reason = "ipv4_bad_version"
        return
    ihl = first(r, "ip.hdr_len", fno)
    if ihl < IPV4_MIN:
        f.reason = "ipv4_bad_header_length"
        return
    f.src = ("ipv4", r["ip.src"][0]) if r["ip.src"] else UNKNOWN
    f.dst = r["ip.dst"][0] if r["ip.dst"] else UNKNOWN
    f.proto = num(r["ip.proto"][0]) if r["ip.proto"] else UNKNOWN
    f.ip_len = num(r["ip.len"][0]) if r["ip.len"] else UNKNOWN
    if ihl > n:
        f.reason = "ipv4_truncated"
    else:
        total = first(r, "ip.len", fno)
        if total < ihl or total > wire - off:
            f.reason = "ipv4_bad_total_length"
    # tshark gives no address for a header length past the frame and the
    # total length either (see the docstring): unknown too.
    if f.src is UNKNOWN and f.reason not in ("ipv4_bad_total_length", "ipv4_truncated"):
        raise OracleError("frame %d: tshark gave no ip.src" % fno)
    if f.reason:
        return
    if r["ip.frag_offset"] and num(r["ip.frag_offset"][0]) != 0:
        return  # a later fragment: no L4 header
    f.fragment = bool(r["ip.flags.mf"]) and flag(r["ip.flags.mf"][0])
    l4(r, fno, f, first(r, "ip.proto", fno), off + ihl, off + total, cap)


def ipv6(r, fno, f, cap, wire, off):
    if cap - off < IPV6_HLEN:
        f.reason = "ipv6_truncated"
        return
    if first(r, "ipv6.version", fno) != 6:
        f.reason = "ipv6_bad_version"
        return
    if not r["ipv6.src"]:
        raise OracleError("frame %d: tshark gave no ipv6.src" % fno)
    f.src = ("ipv6", r["ipv6.src"][0])
    f.dst = r["ipv6.dst"][0]
    f.ip_len = IPV6_HLEN + first(r, "ipv6.plen", fno)
    f.proto = first(r, "ipv6.nxt", fno)
    end = off + f.ip_len
    if end > wire:
        f.reason = "ipv6_bad_payload_length"
        return
    cap_end = min(end, cap)
    queues = {k: list(r[k]) for k in FIELDS if k.startswith("ipv6.")}

    def pop(field):
        if not queues[field]:
            raise OracleError("frame %d: tshark gave no %s for the walk" % (fno, field))
        return num(queues[field].pop(0))

    cur, nxt = off + IPV6_HLEN, first(r, "ipv6.nxt", fno)
    while nxt in IPV6_EXT or nxt == IPV6_FRAG:
        if cap_end < cur + EXT_MIN:
            f.reason = "ipv6_ext_truncated"
            return
        if nxt == IPV6_FRAG:
            f.fragment = True
            offset, nxt = pop("ipv6.fraghdr.offset"), pop("ipv6.fraghdr.nxt")
            f.proto = nxt
            cur += IPV6_FRAG_LEN
            if offset != 0:
                return  # a later fragment
            continue
        name = IPV6_EXT[nxt]
        ext_len = pop(name + ".len_oct")
        if ext_len > end - cur:
            f.reason = "ipv6_ext_truncated"
            return
        nxt = pop(name + ".nxt")
        f.proto = nxt
        cur += ext_len
    l4(r, fno, f, nxt, cur, end, cap)


def l4(r, fno, f, proto, start, end, cap):
    """The L4 header at start in an IP packet ending at end."""
    f.l4 = L4_BY_PROTO.get(proto, "other")
    have = max(0, min(end, cap) - start)  # captured, inside the IP packet
    l4_len = end - start
    if f.l4 == "tcp":
        if have < TCP_MIN:
            f.reason = "tcp_truncated"
            return
        doff = first(r, "tcp.hdr_len", fno)
        if doff < TCP_MIN:
            f.reason = "tcp_bad_data_offset"
            return
        if doff > have:
            f.reason = "tcp_truncated"
            return
        if doff > TCP_MIN and tcp_options_bad(r, doff):
            f.reason = "tcp_bad_options"  # the header is complete: it counts
        if not r["tcp.flags"] or not r["tcp.srcport"]:
            raise OracleError("frame %d: TCP by the IP header but tshark has no TCP header"
                              % fno)
        f.ports = (num(r["tcp.srcport"][0]), num(r["tcp.dstport"][0]))
        flow = (f.src[0], f.src[1], r["ip.dst"][0] if f.l3 == "ipv4" else r["ipv6.dst"][0],
                num(r["tcp.srcport"][0]), num(r["tcp.dstport"][0]))
        f.tcp = (num(r["tcp.flags"][0]), tcp_payload(r, fno, l4_len, doff), flow)
    elif f.l4 == "udp":
        if have < UDP_HLEN:
            f.reason = "udp_truncated"
            return
        ulen = l4_len if f.fragment else first(r, "udp.length", fno)
        if ulen < UDP_HLEN or ulen > l4_len:
            f.reason = "udp_bad_length"
        else:
            f.ports = (first(r, "udp.srcport", fno), first(r, "udp.dstport", fno))
    elif f.l4 == "icmp" and have < ICMP_HLEN:
        f.reason = "icmp_truncated"
    elif f.l4 == "icmpv6" and have < ICMPV6_HLEN:
        f.reason = "icmpv6_truncated"


# ---- tshark's own verdicts ------------------------------------------------
MALFORMED_RE = re.compile(r"^\[Malformed Packet: (.*)\]$")
SHORT_RE = re.compile(r"^\[Packet size limited during capture: (.*) truncated\]$")
UNREASSEMBLED = "Unreassembled fragment"
TCP_OPTION_MSGS = ("option length should be", "too-short option length",
                   "says option goes past end of options", "length byte past end of options")


class Verdicts:
    def __init__(self, r):
        self.malformed = {m.group(1) for m in map(MALFORMED_RE.match, r["_ws.malformed"]) if m}
        self.short = {m.group(1) for m in map(SHORT_RE.match, r["_ws.short"]) if m}
        self.msgs = r["_ws.expert.message"]
        self.protos = r["frame.protocols"][0].split(":") if r["frame.protocols"] else []

    def cut(self, *protos):
        return any(p in self.malformed or p in self.short for p in protos)

    def msg(self, *texts):
        return any(t in m for m in self.msgs for t in texts)

    def absent(self, proto):
        return proto not in self.protos


# Per reason: what tshark must show for it (see the docstring).
EVIDENCE = {
    "eth_truncated": lambda v: v.cut("Ethernet"),
    "vlan_truncated": lambda v: v.cut("VLAN"),
    "arp_truncated": lambda v: v.cut("ARP/RARP"),
    "ipv4_truncated": lambda v: v.cut("IPv4", "IPv6") or v.msg("Bogus IPv4 version",
                                                              "Bogus IP length"),
    "ipv4_bad_version": lambda v: v.msg("Bogus IPv4 version"),
    "ipv4_bad_header_length": lambda v: v.msg("Bogus IP header length"),
    "ipv4_bad_total_length": lambda v: v.msg("Bogus IP length",
                                             "IPv4 total length exceeds packet length"),
    "ipv6_truncated": lambda v: v.cut("IPv6") or v.msg("Bogus IPv6 version"),
    "ipv6_bad_version": lambda v: v.msg("Bogus IPv6 version"),
    "ipv6_bad_payload_length": lambda v: v.msg("IPv6 payload length exceeds framing length"),
    "ipv6_ext_truncated": lambda v: v.cut("IPv6 Hop-by-Hop", "IPv6 Routing",
                                          "IPv6 Destination", "IPv6 Fragment"),
    "tcp_truncated": lambda v: v.cut("TCP") or v.msg("Short segment", UNREASSEMBLED) or
    v.absent("tcp"),
    "tcp_bad_data_offset": lambda v: v.msg("Bogus TCP header length"),
    "tcp_bad_options": lambda v: v.msg(*TCP_OPTION_MSGS),
    "udp_truncated": lambda v: v.cut("UDP") or v.msg(UNREASSEMBLED) or v.absent("udp"),
    "udp_bad_length": lambda v: v.msg("Bad length value"),
    "icmp_truncated": lambda v: v.cut("ICMP") or v.msg(UNREASSEMBLED) or v.absent("icmp"),
    "icmpv6_truncated": lambda v: v.cut("ICMPv6") or v.msg(UNREASSEMBLED) or
    v.absent("icmpv6"),
}
# tshark's verdicts on the layers the metrics parse, which a well-formed
# frame must not have (outside ICMP/ICMPv6 messages, whose quoted packets
# tshark dissects too). A third VLAN tag is not parsed: "VLAN" counts only
# within two.
CONVERSE_MALFORMED = ("Ethernet", "ARP/RARP", "IPv4", "IPv6", "IPv6 Hop-by-Hop",
                      "IPv6 Routing", "IPv6 Destination", "IPv6 Fragment", "TCP", "UDP")
CONVERSE_MSGS = ("Bogus IPv4 version", "Bogus IP header length", "Bogus IP length",
                 "IPv4 total length exceeds packet length", "Bogus IPv6 version",
                 "IPv6 payload length exceeds framing length", "Bogus TCP header length",
                 "Short segment", "Bad length value")


def tshark_disagrees(r, f):
    v = Verdicts(r)
    if f.reason:
        if not EVIDENCE[f.reason](v):
            return "%s by the definition, but tshark has no such verdict (expert: %s; " \
                "malformed: %s; short: %s)" % (f.reason, "; ".join(v.msgs) or "-",
                                               ", ".join(sorted(v.malformed)) or "-",
                                               ", ".join(sorted(v.short)) or "-")
        return None
    if f.l4 in ("icmp", "icmpv6"):
        return None
    bad = sorted(p for p in v.malformed if p in CONVERSE_MALFORMED)
    if "VLAN" in v.malformed and f.ntags < MAX_TAGS:
        bad.append("VLAN")
    bad += [m for m in v.msgs if any(t in m for t in CONVERSE_MSGS)]
    if bad:
        return "well formed by the definition, but tshark says: %s" % "; ".join(bad)
    return None


def metrics(rows, flt=None):
    m = {
        "packets": 0, "bytes": 0, "avg_packet_size": 0.0,
        "l3": {"ipv4": 0, "ipv6": 0, "arp": 0, "other": 0},
        "l4": {"tcp": 0, "udp": 0, "icmp": 0, "icmpv6": 0, "other": 0},
        "tcp_flags": {"syn": 0, "synack": 0, "fin": 0, "rst": 0},
        "unique_src_ips": 0, "tcp_directions": 0, "tcp_payload_bytes": 0,
        "size_histogram": {b: 0 for b in BUCKETS},
        "vlan": {"untagged": 0, "single": 0, "qinq": 0},
        "malformed": dict([("total", 0)] + [(k, 0) for k in REASONS]),
    }
    srcs, flows = set(), set()
    unknown_src, reasons, disagree = 0, {}, {}
    for fno, r in enumerate(rows, 1):
        if flt and not filter_selects(r, fno, flt):
            continue
        wire = num(r["frame.len"][0])
        m["packets"] += 1
        m["bytes"] += wire
        m["size_histogram"][bucket(wire)] += 1

        f = dissect(r, fno)
        m["vlan"][("untagged", "single", "qinq")[f.ntags]] += 1
        m["l3"][f.l3] += 1
        if f.l4:
            m["l4"][f.l4] += 1
        if f.reason:
            m["malformed"]["total"] += 1
            m["malformed"][f.reason] += 1
            reasons[str(fno)] = f.reason
        why = tshark_disagrees(r, f)
        if why:
            disagree[str(fno)] = why
        if f.src is UNKNOWN:
            unknown_src += 1
        elif f.src:
            srcs.add(f.src)
        if f.tcp is None:
            continue
        flags, payload, flow = f.tcp
        syn, ack = flags & TCP_SYN, flags & TCP_ACK
        m["tcp_flags"]["syn"] += bool(syn and not ack)
        m["tcp_flags"]["synack"] += bool(syn and ack)
        m["tcp_flags"]["fin"] += bool(flags & TCP_FIN)
        m["tcp_flags"]["rst"] += bool(flags & TCP_RST)
        m["tcp_payload_bytes"] += payload
        flows.add(flow)

    m["unique_src_ips"] = len(srcs)
    m["tcp_directions"] = len(flows)
    if m["packets"]:
        m["avg_packet_size"] = m["bytes"] / m["packets"]
    # Not metrics: what the comparison needs besides them (keys with "_").
    m["_src_unknown"] = unknown_src
    m["_malformed_frames"] = reasons
    m["_tshark"] = disagree
    return m


GROUPS = [
    ("totals", ["packets", "bytes", "avg_packet_size"]),
    ("l3", ["l3"]),
    ("l4", ["l4"]),
    ("tcp_flags", ["tcp_flags"]),
    ("distinct", ["unique_src_ips", "tcp_directions"]),
    ("tcp_payload_bytes", ["tcp_payload_bytes"]),
    ("size_histogram", ["size_histogram"]),
    ("vlan", ["vlan"]),
    ("malformed", ["malformed"]),
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
    # Sources the definition counts but tshark gave no address for (a total
    # length below the header length): each may or may not be a new one.
    unknown = want.get("_src_unknown", 0)
    for name, keys in GROUPS:
        d = []
        for k in keys:
            if k not in got:
                d.append("%s: missing" % k)
            elif k == "unique_src_ips" and unknown and type(got[k]) is int and \
                    want[k] <= got[k] <= want[k] + unknown:
                continue
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
    if "_tshark" in want:
        d = ["frame %s: %s" % kv
             for kv in sorted(want["_tshark"].items(), key=lambda kv: int(kv[0]))]
        if d:
            bad += 1
            print("fail tshark's own verdicts: %s" % "; ".join(d))
        else:
            print("ok tshark's own verdicts (every malformed frame, and only those)")
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
