#!/usr/bin/env python3
"""Writes pcaps of malformed Ethernet frames, one file per malformed reason
of `xdpi read` (docs/metrics.md, "malformed"), for tests/t_read_oracle.sh.

  tests/mkmalformed.py --list            the case names, one a line
  tests/mkmalformed.py CASE OUT.pcap     write one case
  tests/mkmalformed.py CASE --intent     what each frame of CASE was built
                                         to be: "N REASON" or "N ok" a line

Case "malformed_REASON" holds frames built to trigger REASON (header cut by
the frame's end, cut by the capture's snap length, cut by the IP packet's
own length with the bytes still in the frame as padding, fields out of
range, several problems in one frame where the first one going up the
layers must win), plus near misses built not to be malformed at all
(exactly enough bytes, padding, a length field shorter than the frame, a
later fragment, a third VLAN tag, unknown TCP options). Case
"malformed_all" is every other case in one file.

The intents are for a person reading a failure, and for the test to check
that the oracle (tests/oracle.py, from tshark's dissection) sees in each
frame what it was built for; the expected metrics never come from here.
Python standard library only; checksums are right where a header is whole.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inetsum import csum  # noqa: E402

LINKTYPE_ETHERNET = 1
T_BASE = 1700100000
SNAPLEN = 65535
ETH_IPV4, ETH_ARP, ETH_IPV6, ETH_8021Q, ETH_QINQ = 0x0800, 0x0806, 0x86DD, 0x8100, 0x88A8
P_HOP, P_ICMP, P_TCP, P_UDP, P_ROUTING, P_FRAG, P_ICMPV6, P_NONE, P_DST = \
    0, 1, 6, 17, 43, 44, 58, 59, 60
SYN, ACK, PSH = 0x02, 0x10, 0x08

MAC_D = bytes.fromhex("02005e200002")
MAC_S = bytes.fromhex("02005e200001")


def a4(n):
    return bytes([192, 0, 2, n])


def a6(n):
    return bytes.fromhex("20010db8000000000000000000000000")[:15] + bytes([n])


def eth(etype, tags=()):
    """Ethernet header; tags: (tpid, vid) pairs, outermost first."""
    h = MAC_D + MAC_S
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", etype)


def ip4(proto, payload, src=1, dst=2, ihl=5, tot=None, ver=4, frag=0, opts=None):
    if opts is None:
        opts = b"\x01" * (max(ihl, 5) * 4 - 20)  # NOPs filling the IHL
    tl = tot if tot is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", (ver << 4) | ihl, 0, tl & 0xFFFF, 0x1234, frag, 64, proto,
                    0, a4(src), a4(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(nh, payload, src=1, dst=2, plen=None, ver=6):
    pl = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", ver << 28, pl & 0xFFFF, nh, 64, a6(src), a6(dst)) + payload


def ext(nh, body=b"", hlen=None):
    """Hop-by-hop or destination options header: the options in body, then
    padding (Pad1 or PadN) to (Hdr Ext Len + 1) x 8 bytes; Hdr Ext Len the
    least that holds body unless given."""
    if hlen is None:
        hlen = max(0, (2 + len(body) + 7) // 8 - 1)
    rest = (hlen + 1) * 8 - 2 - len(body)
    fill = b"\0" if rest == 1 else bytes([1, rest - 2]) + b"\0" * (rest - 2) if rest > 1 else b""
    return bytes([nh, hlen]) + body + fill


def routing(nh, hlen=0):
    """Routing header of an unassigned type (253, RFC 4727 experiments),
    segments left 0: nothing to process, (Hdr Ext Len + 1) x 8 bytes."""
    return bytes([nh, hlen, 253, 0]) + b"\0" * ((hlen + 1) * 8 - 4)


def frag6(nh, offset=0, more=False):
    return struct.pack("!BBHI", nh, 0, (offset << 3) | int(more), 0xABCD)


def tcp(sport=40000, dport=80, flags=ACK, opts=b"", payload=b"", doff=None):
    if doff is None:
        doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, doff << 4, flags, 512, 0, 0) + \
        opts + payload


def udp(sport=40001, dport=53, payload=b"", ulen=None):
    n = 8 + len(payload) if ulen is None else ulen
    return struct.pack("!HHHH", sport, dport, n & 0xFFFF, 0) + payload


def icmp(typ=8, body=b"\0\x01\0\x01"):
    return bytes([typ, 0, 0, 0]) + body


ARP_BODY = struct.pack("!HHBBH6s4s6s4s", 1, ETH_IPV4, 6, 4, 1, MAC_S, a4(1), b"\0" * 6, a4(2))


def arp(hlen=6, plen=4, body=None):
    if body is None:
        body = MAC_S + b"\0" * max(0, hlen - 6) + a4(1)[:plen] + b"\0" * max(0, plen - 4)
        body = body[:hlen + plen] * 2
    return struct.pack("!HHBBH", 1, ETH_IPV4, hlen, plen, 1) + body


def pad(frame, n=60, byte=0):
    return frame + bytes([byte]) * max(0, n - len(frame))


# (case, intent, frame bytes, wire length or None for the captured length).
# intent: the reason the frame was built for, or "ok" (not malformed).
FRAMES = []


def add(case, intent, frame, wire=None):
    FRAMES.append((case, intent, frame, wire))


def snap(case, intent, frame, caplen):
    """The frame as a capture with a snap length of caplen saw it."""
    add(case, intent, frame[:caplen], len(frame))


def build():
    c = "malformed_eth_truncated"
    add(c, "eth_truncated", eth(ETH_IPV4)[:1])
    add(c, "eth_truncated", eth(ETH_IPV4)[:10])
    add(c, "eth_truncated", eth(ETH_IPV4)[:13])
    snap(c, "eth_truncated", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp())), 12)
    add(c, "ok", eth(0x88B5))  # 14 bytes of an unknown type
    add(c, "ipv4_truncated", eth(ETH_IPV4))  # the IPv4 header is what is missing

    c = "malformed_vlan_truncated"
    add(c, "vlan_truncated", eth(ETH_8021Q))
    add(c, "vlan_truncated", eth(ETH_8021Q) + b"\x00\x05\x08")
    add(c, "vlan_truncated", eth(ETH_QINQ, [(ETH_QINQ, 100)])[:-2] + struct.pack("!H", ETH_8021Q)
        + b"\x00\x07")
    add(c, "vlan_truncated", eth(ETH_8021Q, [(ETH_8021Q, 5)])[:-2] + struct.pack("!H", ETH_8021Q))
    snap(c, "vlan_truncated", pad(eth(ETH_IPV4, [(ETH_8021Q, 9)]) + ip4(P_TCP, tcp())), 16)
    add(c, "ok", eth(0x88B5, [(ETH_8021Q, 5)]))  # a whole tag, then an unknown type
    add(c, "ok", pad(eth(ETH_IPV4, [(ETH_QINQ, 5), (ETH_8021Q, 6)]) + ip4(P_TCP, tcp())))
    # A third tag cut short: the parser stops before it (l3 other), so
    # it is not looked at, and not malformed.
    add(c, "ok", eth(ETH_8021Q, [(ETH_QINQ, 5), (ETH_8021Q, 6)]) + b"\x00")

    c = "malformed_arp_truncated"
    add(c, "arp_truncated", eth(ETH_ARP) + ARP_BODY[:7])
    add(c, "arp_truncated", eth(ETH_ARP) + ARP_BODY[:27])
    add(c, "arp_truncated", eth(ETH_ARP))
    add(c, "arp_truncated", eth(ETH_ARP, [(ETH_8021Q, 7)]) + ARP_BODY[:20])
    # Hardware addresses of 8 bytes announced, 6 given: 28 bytes of 32.
    add(c, "arp_truncated", eth(ETH_ARP) + ARP_BODY[:4] + b"\x08" + ARP_BODY[5:])
    snap(c, "arp_truncated", pad(eth(ETH_ARP) + ARP_BODY), 30)
    add(c, "ok", eth(ETH_ARP) + ARP_BODY)  # 42 bytes, exactly enough
    add(c, "ok", pad(eth(ETH_ARP) + ARP_BODY))
    add(c, "ok", eth(ETH_ARP) + arp(8, 4))  # 8-byte hardware addresses, all there
    add(c, "ok", pad(eth(ETH_ARP) + arp(0, 0)))  # no addresses at all

    c = "malformed_ipv4_truncated"
    add(c, "ipv4_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp())[:19])
    add(c, "ipv4_truncated", eth(ETH_IPV4, [(ETH_8021Q, 3)]) + ip4(P_UDP, udp())[:1])
    # IHL 6 and 15: options cut by the frame's end.
    add(c, "ipv4_truncated", eth(ETH_IPV4) + ip4(P_TCP, b"", ihl=6, tot=24)[:20])
    add(c, "ipv4_truncated", eth(ETH_IPV4) + ip4(P_TCP, b"", ihl=15, tot=60)[:40])
    # Options cut by the snap length (the total length is right).
    snap(c, "ipv4_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp(payload=b"x" * 100), ihl=15), 50)
    # Fewer than 20 bytes is checked before the version.
    add(c, "ipv4_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp(), ver=6)[:12])
    # Options cut and a total length past the frame: the header first.
    add(c, "ipv4_truncated", eth(ETH_IPV4) + ip4(P_TCP, b"", ihl=8, tot=300)[:28])
    add(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(), ihl=6))

    c = "malformed_ipv4_bad_version"
    # Version 6 with a whole IPv6 header behind EtherType IPv4.
    add(c, "ipv4_bad_version", eth(ETH_IPV4) + ip6(P_TCP, tcp()))
    add(c, "ipv4_bad_version", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(), ver=0)))
    add(c, "ipv4_bad_version", eth(ETH_IPV4) + ip4(P_UDP, udp(), ver=5))
    add(c, "ipv4_bad_version", eth(ETH_IPV4, [(ETH_8021Q, 4)]) + ip4(P_TCP, tcp(), ver=15))
    # The version before the header length and the total length.
    add(c, "ipv4_bad_version", eth(ETH_IPV4) + ip4(P_TCP, tcp(), ver=5, ihl=3, tot=900))

    c = "malformed_ipv4_bad_header_length"
    add(c, "ipv4_bad_header_length", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(), ihl=0, opts=b"")))
    add(c, "ipv4_bad_header_length", eth(ETH_IPV4) + ip4(P_TCP, tcp(), ihl=4, opts=b""))
    add(c, "ipv4_bad_header_length", eth(ETH_IPV4) + ip4(P_UDP, udp(), ihl=1, opts=b""))
    # Before the total length.
    add(c, "ipv4_bad_header_length", eth(ETH_IPV4) + ip4(P_TCP, tcp(), ihl=4, opts=b"", tot=9))

    c = "malformed_ipv4_bad_total_length"
    add(c, "ipv4_bad_total_length", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(), tot=0)))
    add(c, "ipv4_bad_total_length", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(), tot=19)))
    add(c, "ipv4_bad_total_length", eth(ETH_IPV4) + ip4(P_TCP, tcp(), ihl=6, tot=23))
    add(c, "ipv4_bad_total_length", eth(ETH_IPV4) + ip4(P_TCP, tcp(), tot=400))
    add(c, "ipv4_bad_total_length", eth(ETH_IPV4) + ip4(P_TCP, tcp(), tot=41))  # one past
    add(c, "ipv4_bad_total_length", eth(ETH_IPV4, [(ETH_QINQ, 1), (ETH_8021Q, 2)])
        + ip4(P_UDP, udp(payload=b"q" * 10), tot=39))
    # Past the wire length of a frame the snap length cut.
    snap(c, "ipv4_bad_total_length", eth(ETH_IPV4) + ip4(P_TCP, tcp(payload=b"x" * 1000),
                                                        tot=1200), 96)
    # Before the L4 header (a TCP header cut short as well).
    add(c, "ipv4_bad_total_length", eth(ETH_IPV4) + ip4(P_TCP, tcp()[:10], tot=60))
    add(c, "ok", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp())))  # 6 bytes of padding
    add(c, "ok", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp()), 200, 0xEE))
    # Cut by the snap length, every header whole: not malformed.
    snap(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(payload=b"x" * 1000)), 96)
    snap(c, "ok", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"x" * 500)), 60)

    c = "malformed_ipv6_truncated"
    add(c, "ipv6_truncated", eth(ETH_IPV6))
    add(c, "ipv6_truncated", eth(ETH_IPV6) + ip6(P_TCP, tcp())[:39])
    add(c, "ipv6_truncated", eth(ETH_IPV6, [(ETH_QINQ, 8), (ETH_8021Q, 9)])
        + ip6(P_UDP, udp())[:20])
    snap(c, "ipv6_truncated", eth(ETH_IPV6) + ip6(P_TCP, tcp(payload=b"x" * 200)), 44)
    add(c, "ipv6_truncated", eth(ETH_IPV6) + ip6(P_TCP, tcp(), ver=4)[:30])  # before the version
    add(c, "ok", eth(ETH_IPV6) + ip6(P_NONE, b""))  # exactly 40 bytes

    c = "malformed_ipv6_bad_version"
    add(c, "ipv6_bad_version", eth(ETH_IPV6) + ip6(P_TCP, tcp(), ver=4))
    add(c, "ipv6_bad_version", eth(ETH_IPV6) + ip6(P_UDP, udp(), ver=0))
    add(c, "ipv6_bad_version", eth(ETH_IPV6, [(ETH_8021Q, 11)]) + ip6(P_TCP, tcp(), ver=7))
    # An IPv4 header (version 4) behind EtherType IPv6.
    add(c, "ipv6_bad_version", pad(eth(ETH_IPV6) + ip4(P_TCP, tcp())))
    add(c, "ipv6_bad_version", eth(ETH_IPV6) + ip6(P_TCP, tcp(), ver=15, plen=999))

    c = "malformed_ipv6_bad_payload_length"
    add(c, "ipv6_bad_payload_length", eth(ETH_IPV6) + ip6(P_TCP, tcp(), plen=100))
    add(c, "ipv6_bad_payload_length", eth(ETH_IPV6) + ip6(P_TCP, tcp(), plen=21))  # one past
    add(c, "ipv6_bad_payload_length", eth(ETH_IPV6, [(ETH_8021Q, 12)])
        + ip6(P_UDP, udp(), plen=65535))
    snap(c, "ipv6_bad_payload_length", eth(ETH_IPV6) + ip6(P_TCP, tcp(payload=b"y" * 900),
                                                           plen=2000), 96)
    # Before the extension headers (the hop-by-hop one is cut as well).
    add(c, "ipv6_bad_payload_length", eth(ETH_IPV6) + ip6(P_HOP, ext(P_TCP)[:4], plen=64))
    add(c, "ok", pad(eth(ETH_IPV6) + ip6(P_TCP, tcp()), 100, 0x11))  # padding after
    snap(c, "ok", eth(ETH_IPV6) + ip6(P_TCP, tcp(payload=b"y" * 900)), 96)

    c = "malformed_ipv6_ext_truncated"
    # Hop-by-hop of 16 bytes in a payload of 8.
    add(c, "ipv6_ext_truncated", eth(ETH_IPV6) + ip6(P_HOP, ext(P_TCP, hlen=1)[:8]))
    add(c, "ipv6_ext_truncated", pad(eth(ETH_IPV6) + ip6(P_HOP, ext(P_TCP, hlen=1)[:8])))
    # Destination options with 6 of its 8 bytes in the IP packet.
    add(c, "ipv6_ext_truncated", eth(ETH_IPV6) + ip6(P_DST, ext(P_TCP)[:6]))
    # The same, the missing 2 bytes in the frame as padding.
    add(c, "ipv6_ext_truncated", eth(ETH_IPV6) + ip6(P_DST, ext(P_TCP) + tcp(), plen=6))
    # Routing header after a hop-by-hop one, running past the end.
    add(c, "ipv6_ext_truncated", eth(ETH_IPV6)
        + ip6(P_HOP, ext(P_ROUTING) + routing(P_TCP, hlen=4)[:24]))
    # A fragment header with 4 of its 8 bytes.
    add(c, "ipv6_ext_truncated", eth(ETH_IPV6) + ip6(P_FRAG, frag6(P_TCP)[:4]))
    # A jumbogram: payload length 0, the real length in a hop-by-hop option.
    add(c, "ipv6_ext_truncated", eth(ETH_IPV6) + ip6(P_HOP, ext(P_TCP, b"\xc2\x04\0\0\x01\0")
                                                    + tcp(), plen=0))
    # The hop-by-hop header cut by the snap length inside its first 8 bytes.
    snap(c, "ipv6_ext_truncated", eth(ETH_IPV6) + ip6(P_HOP, ext(P_TCP, hlen=8)
                                                      + tcp(payload=b"z" * 300)), 58)
    add(c, "ok", eth(ETH_IPV6) + ip6(P_NONE, b"", plen=0))
    add(c, "ok", eth(ETH_IPV6) + ip6(P_HOP, ext(P_DST) + ext(P_NONE)))
    # A later fragment: what follows its header is not walked.
    add(c, "ok", eth(ETH_IPV6) + ip6(P_FRAG, frag6(P_HOP, offset=100) + b"\x06\x09"))

    c = "malformed_tcp_truncated"
    add(c, "tcp_truncated", pad(eth(ETH_IPV4) + ip4(P_TCP, b"")))  # total length = IHL
    add(c, "tcp_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp()[:19]))
    # 20 bytes of TCP in the frame, the IP total length keeps 10.
    add(c, "tcp_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp(), tot=30))
    # Data offset 15 (60 bytes) with 20 available.
    add(c, "tcp_truncated", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(doff=15))))
    # Data offset 6, its 4 option bytes behind the IP packet's end.
    add(c, "tcp_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x01\x01\x01\x01"), tot=40))
    add(c, "tcp_truncated", eth(ETH_IPV6) + ip6(P_TCP, tcp()[:12]))
    add(c, "tcp_truncated", eth(ETH_IPV6) + ip6(P_DST, ext(P_TCP) + tcp(doff=8)))
    snap(c, "tcp_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp(payload=b"x" * 500)), 44)
    # Options cut by the snap length.
    snap(c, "tcp_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x01" * 20,
                                                          payload=b"x" * 500)), 64)
    # A hop-by-hop header whose first 8 bytes were captured (its length is
    # checked against the IP packet, not the capture), then TCP: cut.
    snap(c, "tcp_truncated", eth(ETH_IPV6) + ip6(P_HOP, ext(P_TCP, hlen=8)
                                                 + tcp(payload=b"z" * 300)), 64)
    # A first fragment (MF) with 12 bytes of TCP.
    add(c, "tcp_truncated", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp()[:12], frag=0x2000)))
    # IPv6 first fragment, 8 bytes of TCP.
    add(c, "tcp_truncated", eth(ETH_IPV6) + ip6(P_FRAG, frag6(P_TCP, 0, True) + tcp()[:8]))
    # Fewer than 20 bytes is found before a data offset below 5.
    add(c, "tcp_truncated", eth(ETH_IPV4) + ip4(P_TCP, tcp(doff=2)[:12]))
    add(c, "ok", pad(eth(ETH_IPV4) + ip4(P_TCP, b"\x01\x02\x03\x04", frag=100)))  # later fragment
    add(c, "ok", eth(ETH_IPV6) + ip6(P_FRAG, frag6(P_TCP, 3, False) + b"\x01\x02"))
    add(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x01\x01\x01\x00")))

    c = "malformed_tcp_bad_data_offset"
    add(c, "tcp_bad_data_offset", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(doff=0))))
    add(c, "tcp_bad_data_offset", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(doff=2))))
    add(c, "tcp_bad_data_offset", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(doff=4, payload=b"ab"))))
    add(c, "tcp_bad_data_offset", eth(ETH_IPV6) + ip6(P_TCP, tcp(doff=4)))
    add(c, "tcp_bad_data_offset", eth(ETH_IPV4, [(ETH_8021Q, 13)]) + ip4(P_TCP, tcp(doff=1)))
    snap(c, "tcp_bad_data_offset", eth(ETH_IPV4) + ip4(P_TCP, tcp(doff=3, payload=b"x" * 300)), 60)

    c = "malformed_tcp_bad_options"
    bad_opts = [
        b"\x02\x03\x05\x00",  # MSS of length 3
        b"\x02\x05\x05\xb4\x00\x00\x00\x00",  # MSS of length 5
        b"\x03\x04\x07\x00",  # window scale of length 4
        b"\x03\x02\x01\x01",  # window scale of length 2
        b"\x04\x03\x00\x01",  # SACK permitted of length 3
        b"\x08\x09" + b"\0" * 7 + b"\x01" + b"\0" * 2,  # timestamps of length 9
        b"\x08\x0a" + b"\0" * 6,  # timestamps running past the header
        b"\x1e\x00\x01\x01",  # an unknown option of length 0
        b"\x1e\x01\x01\x01",  # an unknown option of length 1
        b"\x1e\x08\x00\x00",  # an unknown option running past the header
        b"\x01\x01\x01\x02",  # MSS as the last byte: no room for its length
    ]
    for o in bad_opts:
        add(c, "tcp_bad_options", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(flags=SYN, opts=o))))
    # MSS and window scale right, then SACK permitted of length 0.
    add(c, "tcp_bad_options", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x02\x04\x05\xb4\x03\x03\x07"
                                                          b"\x04\x00\x00\x00\x00")))
    add(c, "tcp_bad_options", eth(ETH_IPV6) + ip6(P_TCP, tcp(opts=b"\x03\x04\x07\x00",
                                                            payload=b"data")))
    add(c, "ok", pad(eth(ETH_IPV4) + ip4(P_TCP, tcp(flags=SYN, opts=b"\x02\x04\x05\xb4\x01\x03"
                                                                  b"\x03\x07\x04\x02\x01\x01"))))
    add(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x01\x01\x08\x0a" + b"\0" * 8)))
    add(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x00\x02\x09\xff")))  # after EOL: ignored
    add(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\xfe\x04\xab\xcd")))  # unknown, by length
    add(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x05\x0a" + b"\0" * 8 + b"\x01\x01")))
    add(c, "ok", eth(ETH_IPV4) + ip4(P_TCP, tcp(opts=b"\x01\x01\x01\x01")))

    c = "malformed_udp_truncated"
    add(c, "udp_truncated", pad(eth(ETH_IPV4) + ip4(P_UDP, b"")))
    add(c, "udp_truncated", eth(ETH_IPV4) + ip4(P_UDP, udp()[:7]))
    add(c, "udp_truncated", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcd"), tot=25))
    add(c, "udp_truncated", eth(ETH_IPV6) + ip6(P_UDP, udp()[:4]))
    snap(c, "udp_truncated", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"x" * 100)), 40)
    add(c, "udp_truncated", pad(eth(ETH_IPV4) + ip4(P_UDP, udp()[:6], frag=0x2000)))
    add(c, "ok", eth(ETH_IPV4) + ip4(P_UDP, udp()))  # exactly 8 bytes

    c = "malformed_udp_bad_length"
    add(c, "udp_bad_length", pad(eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcd", ulen=7))))
    add(c, "udp_bad_length", pad(eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcd", ulen=0))))
    add(c, "udp_bad_length", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcd", ulen=100)))
    add(c, "udp_bad_length", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcd", ulen=13)))  # one past
    add(c, "udp_bad_length", eth(ETH_IPV6) + ip6(P_UDP, udp(payload=b"abcdef", ulen=15)))
    # The datagram in the frame, the IP total length shorter.
    add(c, "udp_bad_length", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcdefgh"), tot=32))
    add(c, "ok", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcdefgh", ulen=10)))  # shorter: fine
    # First fragments: the UDP length describes the whole datagram.
    add(c, "ok", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"abcd", ulen=1000), frag=0x2000))
    add(c, "ok", eth(ETH_IPV6) + ip6(P_FRAG, frag6(P_UDP, 0, True) + udp(payload=b"ab",
                                                                        ulen=3000)))
    snap(c, "ok", eth(ETH_IPV4) + ip4(P_UDP, udp(payload=b"x" * 1000)), 50)

    c = "malformed_icmp_truncated"
    add(c, "icmp_truncated", pad(eth(ETH_IPV4) + ip4(P_ICMP, b"")))
    add(c, "icmp_truncated", eth(ETH_IPV4) + ip4(P_ICMP, icmp()[:7]))
    add(c, "icmp_truncated", eth(ETH_IPV4) + ip4(P_ICMP, icmp(), tot=24))
    add(c, "icmp_truncated", eth(ETH_IPV6) + ip6(P_ICMP, icmp()[:5]))  # protocol 1 in IPv6
    snap(c, "icmp_truncated", eth(ETH_IPV4) + ip4(P_ICMP, icmp(body=b"\0" * 60)), 38)
    add(c, "ok", eth(ETH_IPV4) + ip4(P_ICMP, icmp()))  # exactly 8 bytes
    add(c, "ok", pad(eth(ETH_IPV4) + ip4(P_ICMP, b"\0\0", frag=3)))  # later fragment

    c = "malformed_icmpv6_truncated"
    add(c, "icmpv6_truncated", eth(ETH_IPV6) + ip6(P_ICMPV6, b""))
    add(c, "icmpv6_truncated", eth(ETH_IPV6) + ip6(P_ICMPV6, icmp(128)[:3]))
    add(c, "icmpv6_truncated", eth(ETH_IPV6) + ip6(P_DST, ext(P_ICMPV6) + b"\x80\x00"))
    add(c, "icmpv6_truncated", pad(eth(ETH_IPV4) + ip4(P_ICMPV6, b"\x80\x00")))  # 58 in IPv4
    add(c, "icmpv6_truncated", eth(ETH_IPV6) + ip6(P_ICMPV6, icmp(128), plen=2))
    add(c, "ok", eth(ETH_IPV6) + ip6(P_ICMPV6, icmp(128)[:4]))  # exactly 4 bytes


def cases():
    seen = []
    for c, _, _, _ in FRAMES:
        if c not in seen:
            seen.append(c)
    return seen + ["malformed_all"]


def frames_of(case):
    return [f for f in FRAMES if case == "malformed_all" or f[0] == case]


def write(path, frames):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
        for i, (_, _, frame, wire) in enumerate(frames):
            out.write(struct.pack("<IIII", T_BASE + i // 1000, (i % 1000) * 1000, len(frame),
                                  len(frame) if wire is None else wire))
            out.write(frame)


def main(argv):
    build()
    if argv[1:] == ["--list"]:
        print("\n".join(cases()))
        return 0
    if len(argv) == 3 and argv[1] in cases():
        fr = frames_of(argv[1])
        if argv[2] == "--intent":
            for n, (_, intent, _, _) in enumerate(fr, 1):
                print(n, intent)
        else:
            write(argv[2], fr)
        return 0
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
