#!/usr/bin/env python3
"""Writes a pcap of conversations that end and start again, for
tests/t_flows_conv.sh: the places where a flow record of `xdpi read
--json-lines` and a conversation of tshark cannot match one to one.

  tests/mkconv.py OUT.pcap

With the timeouts the test passes to xdpi (--flow-timeout 60,
--flow-closed-timeout 5; a flow ends at most 2.5 s after its timeout
passed), in one capture of about five minutes:
  - a UDP exchange, silent for 70 s, then again on the same ports (two
    flows, one tshark conversation), one silent for 20 s (one flow), and
    one silent for 61 s (one or two: past the timeout by less than the
    maintenance period);
  - a TCP connection closed by FIN and its 4-tuple reused 12 s later (two
    flows, two tcp.streams), and reused 2 s later (one flow, two streams);
  - a TCP connection ended by RST, the 4-tuple reused 9 s later;
  - either side of each boundary: UDP silent for 59.9 s (one flow) and
    62.6 s (two), TCP silent after its FIN for 4.9 s (one) and 7.6 s (two);
  - a TCP connection without FIN, silent for 75 s, then going on (two
    flows, one stream), and one silent for 40 s (one flow);
  - one 4-tuple untagged, in VLAN 10 and in VLAN 20 (three flows, one
    tshark conversation), and one in QinQ 100/5 and 100/6 (one flow: the
    outer tag keys it);
  - a UDP datagram in three IPv4 fragments, and one in two IPv6 fragments
    (the later fragments have no ports: a flow of their own);
  - an ICMP echo and an ICMPv6 echo (flows without ports);
  - a TCP segment whose header is cut short (tcp_truncated), one with a
    data offset of 4 (tcp_bad_data_offset), each in the middle of a
    connection, and a UDP datagram whose length runs past its end
    (udp_bad_length) before a good one on the same ports (flows without
    ports: the header is not complete, though the ports are there);
  - IPv6 with an AH header before TCP (xdpi's walk stops at AH: protocol
    51, no ports; tshark dissects the TCP behind it);
  - a last frame 80 s after everything else, so that the flows before it
    end by their timeouts.
Python standard library only; checksums are right.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inetsum import csum  # noqa: E402

T_BASE = 1700200000
ETH_IPV4, ETH_IPV6, ETH_8021Q, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def addr(s):
    if ":" not in s:
        return bytes(int(x) for x in s.split("."))
    head, _, tail = s.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack("!8H", *(h + [0] * (8 - len(h) - len(t)) + t))


class Pcap:
    def __init__(self):
        self.frames = []  # (usec, n, bytes)
        self.ipid = 100

    def add(self, usec, frame):
        self.frames.append((usec, len(self.frames), frame + b"\0" * max(0, 60 - len(frame))))

    def eth(self, etype, tags):
        h = bytes.fromhex("02005e300002") + bytes.fromhex("02005e300001")
        for tpid, vid in tags:
            h += struct.pack("!HH", tpid, vid)
        return h + struct.pack("!H", etype)

    def ip(self, src, dst, proto, payload, tags=(), frag=0, ipid=None, plen=None):
        s, d = addr(src), addr(dst)
        if len(s) == 16:
            h = struct.pack("!IHBB16s16s", 6 << 28, len(payload) if plen is None else plen,
                            proto, 64, s, d)
            return self.eth(ETH_IPV6, tags) + h + payload
        if ipid is None:
            self.ipid += 1
            ipid = self.ipid
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ipid, frag, 64, proto, 0,
                        s, d)
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        return self.eth(ETH_IPV4, tags) + h + payload

    @staticmethod
    def pseudo(src, dst, proto, n):
        s, d = addr(src), addr(dst)
        if len(s) == 16:
            return s + d + struct.pack("!IxxxB", n, proto)
        return s + d + struct.pack("!xBH", proto, n)

    def tcp(self, usec, src, dst, sp, dp, seq, ack, flags, data=b"", tags=(), cut=None):
        seg = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                          flags, 65535, 0, 0) + data
        c = csum(self.pseudo(src, dst, 6, len(seg)) + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
        self.add(usec, self.ip(src, dst, 6, seg[:cut] if cut else seg, tags))

    def udp(self, usec, src, dst, sp, dp, data, tags=()):
        seg = struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data
        c = csum(self.pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
        seg = seg[:6] + struct.pack("!H", c) + seg[8:]
        self.add(usec, self.ip(src, dst, 17, seg, tags))
        return seg

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for usec, _, fr in sorted(self.frames):
                f.write(struct.pack("<IIII", T_BASE + usec // 1000000, usec % 1000000, len(fr),
                                    len(fr)))
                f.write(fr)


S = 1000000  # a second in microseconds


class Tcp:
    """A connection with its sequence numbers kept right."""

    def __init__(self, cap, cli, srv, cp, sp, isn=1000, tags=()):
        self.cap, self.cli, self.srv, self.cp, self.sp, self.tags = cap, cli, srv, cp, sp, tags
        self.c, self.s = isn, isn * 7 + 13

    def seg(self, t, from_cli, flags, data=b"", cut=None):
        if from_cli:
            a = (self.cli, self.srv, self.cp, self.sp, self.c, self.s)
        else:
            a = (self.srv, self.cli, self.sp, self.cp, self.s, self.c)
        self.cap.tcp(t, *a, flags, data, self.tags, cut)
        adv = len(data) + bool(flags & (SYN | FIN))
        if from_cli:
            self.c += adv
        else:
            self.s += adv

    def open(self, t):
        self.seg(t, True, SYN)
        self.seg(t + 1000, False, SYN | ACK)
        self.seg(t + 2000, True, ACK)
        return t + 2000

    def talk(self, t, n=2):
        for i in range(n):
            self.seg(t + i * 3000, True, PSH | ACK, b"q" * (20 + i))
            self.seg(t + i * 3000 + 1000, False, PSH | ACK, b"r" * (100 + i))
        return t + n * 3000

    def fin(self, t):
        self.seg(t, True, FIN | ACK)
        self.seg(t + 1000, False, FIN | ACK)
        self.seg(t + 2000, True, ACK)
        return t + 2000


def build():
    p = Pcap()
    # UDP: a 70 s silence (past the 60 s timeout) and a 20 s one.
    for t in (1 * S, 1 * S + 500, 71 * S, 71 * S + 500):
        p.udp(t, "192.0.2.30", "198.51.100.30", 40000, 53, b"ask")
        p.udp(t + 200, "198.51.100.30", "192.0.2.30", 53, 40000, b"answer")
    for t in (2 * S, 22 * S):
        p.udp(t, "192.0.2.31", "198.51.100.30", 40001, 53, b"ask")
        p.udp(t + 200, "198.51.100.30", "192.0.2.31", 53, 40001, b"answer")
    # Silent for 61 s: past the timeout, within the maintenance period
    # after it (the definition allows one record or two); for 59.9 s (one
    # record); for 62.6 s (past timeout and period: two).
    for i, gap in enumerate((61 * S, 59900000, 62600000)):
        for t in (3 * S + i * 1000, 3 * S + i * 1000 + gap):
            p.udp(t, "192.0.2.32", "198.51.100.30", 40002 + i, 53, b"ask")
    # TCP closed by FIN, the 4-tuple reused 12 s later, and 2 s later.
    a = Tcp(p, "192.0.2.40", "198.51.100.40", 41000, 80, isn=5000)
    t = a.fin(a.talk(a.open(3 * S)) + 1000)
    b = Tcp(p, "192.0.2.40", "198.51.100.40", 41000, 80, isn=900000)
    t = b.fin(b.talk(b.open(t + 12 * S)) + 1000)
    c = Tcp(p, "192.0.2.40", "198.51.100.40", 41000, 80, isn=3000000)
    c.fin(c.talk(c.open(t + 2 * S)) + 1000)
    # FIN, then silent for 4.9 s (one record) and for 7.6 s (past the
    # closed timeout and the period: two).
    for i, gap in enumerate((4900000, 7600000)):
        a = Tcp(p, "192.0.2.48", "198.51.100.40", 41100 + i, 80, isn=60000 + i)
        t = a.fin(a.talk(a.open(18 * S + i * 1000)) + 1000)
        a.seg(t + gap, False, ACK)
    # TCP ended by RST, reused 9 s later.
    a = Tcp(p, "192.0.2.41", "198.51.100.40", 41001, 80, isn=7000)
    t = a.talk(a.open(4 * S))
    a.seg(t, False, RST | ACK)
    b = Tcp(p, "192.0.2.41", "198.51.100.40", 41001, 80, isn=1900000)
    b.fin(b.talk(b.open(t + 9 * S)) + 1000)
    # TCP without FIN: silent 75 s, then going on; another silent 40 s.
    a = Tcp(p, "2001:db8:30::1", "2001:db8:30::2", 42000, 443, isn=11000)
    t = a.talk(a.open(5 * S))
    t = a.talk(t + 75 * S)
    a.fin(t + 1000)
    a = Tcp(p, "192.0.2.42", "198.51.100.42", 42001, 22, isn=12000)
    t = a.talk(a.open(6 * S))
    a.talk(t + 40 * S)
    # One 4-tuple untagged, in VLAN 10 and VLAN 20; one in QinQ 100/5, 100/6.
    for i, tags in enumerate(((), ((ETH_8021Q, 10),), ((ETH_8021Q, 20),))):
        a = Tcp(p, "192.0.2.43", "198.51.100.43", 43000, 8080, isn=20000 + i, tags=tags)
        a.fin(a.talk(a.open((7 + i) * S)) + 1000)
    for i, inner in enumerate((5, 6)):
        p.udp((10 + i) * S, "192.0.2.44", "198.51.100.44", 44000, 4789, b"vx" * 20,
              ((ETH_QINQ, 100), (ETH_8021Q, inner)))
    # A UDP datagram in three IPv4 fragments (offsets in 8-byte units).
    seg = struct.pack("!HHHH", 45000, 7000, 8 + 64, 0) + bytes(range(64))
    seg = seg[:6] + struct.pack("!H", csum(p.pseudo("192.0.2.45", "198.51.100.45", 17, 72)
                                           + seg) or 0xFFFF) + seg[8:]
    for i, (lo, hi) in enumerate(((0, 24), (24, 48), (48, 72))):
        more = 0x2000 if hi < len(seg) else 0
        p.add(12 * S + i * 100, p.ip("192.0.2.45", "198.51.100.45", 17, seg[lo:hi],
                                     frag=more | (lo // 8), ipid=4242))
    # ... and in two IPv6 fragments.
    seg = struct.pack("!HHHH", 45001, 7001, 8 + 40, 0) + bytes(range(40))
    seg = seg[:6] + struct.pack("!H", csum(p.pseudo("2001:db8:30::5", "2001:db8:30::6", 17, 48)
                                           + seg) or 0xFFFF) + seg[8:]
    for i, (lo, hi) in enumerate(((0, 24), (24, 48))):
        fh = struct.pack("!BBHI", 17, 0, (lo // 8) << 3 | (1 if hi < len(seg) else 0), 77)
        p.add(13 * S + i * 100, p.ip("2001:db8:30::5", "2001:db8:30::6", 44, fh + seg[lo:hi]))
    # ICMP and ICMPv6 echoes.
    for i in range(2):
        for req, (s, d, proto, typ) in enumerate((("192.0.2.46", "198.51.100.46", 1, 0),
                                                  ("198.51.100.46", "192.0.2.46", 1, 8))):
            msg = struct.pack("!BBHHH", typ, 0, 0, 7, i) + b"ping" * 4
            msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
            p.add(14 * S + i * 1000 + (1 - req) * 300, p.ip(d, s, proto, msg))
    for i, (s, d, typ) in enumerate((("2001:db8:30::7", "2001:db8:30::8", 128),
                                     ("2001:db8:30::8", "2001:db8:30::7", 129))):
        msg = struct.pack("!BBHHH", typ, 0, 0, 9, 1) + b"pong" * 4
        c = csum(p.pseudo(s, d, 58, len(msg)) + msg)
        p.add(15 * S + i * 300, p.ip(s, d, 58, msg[:2] + struct.pack("!H", c) + msg[4:]))
    # A TCP header cut short in the middle of a connection.
    a = Tcp(p, "192.0.2.47", "198.51.100.47", 47000, 80, isn=30000)
    t = a.talk(a.open(16 * S))
    a.seg(t, True, PSH | ACK, b"cut", cut=12)
    a.fin(a.talk(t + 1000) + 1000)
    # A data offset of 4 and a UDP length past the datagram: the ports are
    # there, but the header is not complete (no ports in the flow key).
    a = Tcp(p, "192.0.2.49", "198.51.100.47", 47001, 80, isn=40000)
    t = a.talk(a.open(16 * S + 500000))
    bad = struct.pack("!HHIIBBHHH", 47001, 80, a.c, a.s, 4 << 4, ACK, 65535, 0, 0)
    p.add(t, p.ip("192.0.2.49", "198.51.100.47", 6, bad))
    a.fin(t + 1000)
    seg = struct.pack("!HHHH", 40005, 53, 200, 0) + b"short"
    p.add(16 * S + 700000, p.ip("192.0.2.33", "198.51.100.30", 17, seg))
    p.udp(16 * S + 700100, "192.0.2.33", "198.51.100.30", 40005, 53, b"whole")
    # IPv6, AH, TCP.
    for i, (s, d, sp, dp, fl) in enumerate((("2001:db8:30::9", "2001:db8:30::a", 48000, 80, SYN),
                                           ("2001:db8:30::a", "2001:db8:30::9", 80, 48000,
                                            SYN | ACK))):
        tcp = struct.pack("!HHIIBBHHH", sp, dp, 1 + i, i, 5 << 4, fl, 65535, 0, 0)
        ah = struct.pack("!BBHII", 6, 4, 0, 0x1234, 1 + i) + b"\0" * 12
        p.add(17 * S + i * 1000, p.ip(s, d, 51, ah + tcp))
    # Much later: everything before ends by its timeout.
    p.udp(400 * S, "192.0.2.99", "198.51.100.99", 49000, 9, b"last")
    return p


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: mkconv.py OUT.pcap\n")
        return 2
    build().write(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
