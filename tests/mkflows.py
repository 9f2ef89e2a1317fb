#!/usr/bin/env python3
"""Writes a deterministic synthetic Ethernet pcap of whole connections, for
the flow-table tests (tests/t_flows_oracle.sh).

  tests/mkflows.py OUT.pcap [--seed N] [--tail SEC] [--expect]

What is in it (interleaved in time, every 4-tuple used by one connection
only, checksums right so that tshark's analysis sees nothing wrong):
  - TCP handshakes with distinct RTTs (SYN at t0, SYN-ACK, ACK at t0 + rtt),
    then an HTTP/1.1 request in the first client segment (GET, POST, PUT,
    DELETE, HEAD, different Host headers) or a TLS 1.2 / 1.3 ClientHello
    with SNI, ALPN and (1.3) supported_versions, answered by the server;
  - connections closed by FIN/FIN, by RST, and left open; a SYN answered by
    RST (refused); half-open SYNs with no answer; a SYN, SYN-ACK and no
    ACK; a SYN retransmitted before it is answered; a connection whose
    handshake is not in the capture (it starts with data);
  - IPv6 connections, 802.1Q-tagged connections (IPv4 and IPv6);
  - UDP DNS-like queries (one unanswered) and an ICMP echo;
  - hostile strings in Host, path and SNI: quotes, backslash, control
    bytes, bytes >= 0x80, a 400-character host and SNI.

--tail SEC adds one last frame (a UDP datagram of its own flow) SEC seconds
after the others, so that a flow table with timeouts shorter than SEC sees
every other flow expire before the capture ends.
--expect prints a JSON summary of what was generated on stdout (for a person
reading the test; the test itself takes its expectations from tshark).
Python standard library only.
"""
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inetsum import csum  # noqa: E402

LINKTYPE_ETHERNET = 1
T_BASE = 1700000000  # 2023-11-14T22:13:20Z
ETH_IPV4, ETH_IPV6, ETH_VLAN = 0x0800, 0x86DD, 0x8100
PROTO_ICMP, PROTO_TCP, PROTO_UDP = 1, 6, 17
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# The hostile strings (bytes): the test recomputes the expected sanitized
# form from tshark's raw bytes; these are what the generator puts there.
HOSTILE_HOST = b'ev"il\\host\x01\x1b\x7f\xc3\xa9\xff\tq\'x'
HOSTILE_PATH = b'/p"a\\t\x02h\x80?q=\xfe'
HOSTILE_SNI = b'sni"quo\\te\x00\x1f\x7f\xe2\x82\xac.example'
LONG_HOST = (b"h" + b"abcdefghij" * 40)[:400]  # 400 printable characters
LONG_SNI = b".".join([b"l" * 60] * 6) + b".example"  # 374 characters
LONG_HOSTILE_HOST = (b"\x01\xff" * 150)  # 300 bytes, 4 characters each escaped


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(s):
    # Enough of inet_pton for the addresses below (one "::" at most).
    head, _, tail = s.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    words = h + [0] * (8 - len(h) - len(t)) + t
    return struct.pack("!8H", *words)


def mac(n):
    return bytes([0x02, 0x00, 0x5E, 0x10, (n >> 8) & 0xFF, n & 0xFF])


class Host:
    def __init__(self, addr, n):
        self.v6 = ":" in addr
        self.addr = addr
        self.raw = ip6(addr) if self.v6 else ip4(addr)
        self.mac = mac(n)


class Capture:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.frames = []  # (usec, seq, bytes)
        self.ipid = 1

    def add(self, usec, frame):
        self.frames.append((usec, len(self.frames), frame))

    def l3(self, src, dst, proto, l4, vlan):
        if src.v6:
            hdr = struct.pack("!IHBB16s16s", 6 << 28, len(l4), proto, 64, src.raw, dst.raw)
            etype = ETH_IPV6
        else:
            self.ipid = (self.ipid + 1) & 0xFFFF
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), self.ipid, 0x4000,
                              64, proto, 0, src.raw, dst.raw)
            hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            etype = ETH_IPV4
        eth = dst.mac + src.mac
        if vlan is not None:
            eth += struct.pack("!HH", ETH_VLAN, vlan)
        frame = eth + struct.pack("!H", etype) + hdr + l4
        return frame + b"\0" * max(0, 60 - len(frame))  # Ethernet minimum

    @staticmethod
    def pseudo(src, dst, proto, length):
        if src.v6:
            return src.raw + dst.raw + struct.pack("!IxxxB", length, proto)
        return src.raw + dst.raw + struct.pack("!xBH", proto, length)

    def tcp(self, usec, src, dst, sport, dport, seq, ack, flags, payload=b"", vlan=None,
            opts=b""):
        off = (20 + len(opts)) // 4
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          off << 4, flags, 64240, 0, 0) + opts
        seg = hdr + payload
        c = csum(self.pseudo(src, dst, PROTO_TCP, len(seg)) + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
        self.add(usec, self.l3(src, dst, PROTO_TCP, seg, vlan))

    def udp(self, usec, src, dst, sport, dport, payload, vlan=None):
        seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        c = csum(self.pseudo(src, dst, PROTO_UDP, len(seg)) + seg) or 0xFFFF
        seg = seg[:6] + struct.pack("!H", c) + seg[8:]
        self.add(usec, self.l3(src, dst, PROTO_UDP, seg, vlan))

    def icmp_echo(self, usec, src, dst, ident, seq, reply, vlan=None):
        msg = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident, seq) + b"xdpi-ping" * 4
        msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
        self.add(usec, self.l3(src, dst, PROTO_ICMP, msg, vlan))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
            for usec, _, frame in sorted(self.frames):
                f.write(struct.pack("<IIII", T_BASE + usec // 1000000, usec % 1000000,
                                    len(frame), len(frame)))
                f.write(frame)


MSS_OPT = struct.pack("!BBH", 2, 4, 1460)


class Conn:
    """One TCP connection; seq/ack kept right in both directions."""

    def __init__(self, cap, cli, srv, cport, sport, vlan=None):
        self.cap, self.cli, self.srv = cap, cli, srv
        self.cport, self.sport, self.vlan = cport, sport, vlan
        self.cseq = cap.rng.getrandbits(32)
        self.sseq = cap.rng.getrandbits(32)
        self.cnxt = self.snxt = None

    def _send(self, t, from_client, flags, payload=b"", opts=b""):
        if from_client:
            src, dst, sp, dp = self.cli, self.srv, self.cport, self.sport
            seq, ack = self.cseq, (self.sseq if self.snxt is None else self.snxt)
        else:
            src, dst, sp, dp = self.srv, self.cli, self.sport, self.cport
            seq, ack = self.sseq, (self.cseq if self.cnxt is None else self.cnxt)
        if not flags & ACK:
            ack = 0
        self.cap.tcp(t, src, dst, sp, dp, seq, ack, flags, payload, self.vlan, opts)
        adv = len(payload) + bool(flags & SYN) + bool(flags & FIN)
        if from_client:
            self.cseq += adv
            self.cnxt = self.cseq
        else:
            self.sseq += adv
            self.snxt = self.sseq

    def syn(self, t):
        self.cap.tcp(t, self.cli, self.srv, self.cport, self.sport, self.cseq, 0, SYN,
                     b"", self.vlan, MSS_OPT)

    def handshake(self, t, rtt, syn_retrans_after=None):
        """SYN at t (and again at t + syn_retrans_after), SYN-ACK, ACK at
        the last SYN + rtt. Returns the time of the ACK."""
        self.syn(t)
        if syn_retrans_after is not None:
            t += syn_retrans_after
            self.syn(t)
        self.cseq += 1
        self.cnxt = self.cseq
        self._send(t + rtt // 2, False, SYN | ACK, opts=MSS_OPT)
        self._send(t + rtt, True, ACK)
        return t + rtt

    def data(self, t, from_client, payload):
        self._send(t, from_client, PSH | ACK, payload)

    def close_fin(self, t, from_client=True):
        self._send(t, from_client, FIN | ACK)
        self._send(t + 150, not from_client, FIN | ACK)
        self._send(t + 300, from_client, ACK)

    def close_rst(self, t, from_client=True):
        self._send(t, from_client, RST | ACK)


def http_request(method, host, path=b"/", body=b""):
    req = method + b" " + path + b" HTTP/1.1\r\nHost: " + host + \
        b"\r\nUser-Agent: mkflows/1\r\nAccept: */*\r\n"
    if body:
        req += b"Content-Length: %d\r\nContent-Type: text/plain\r\n" % len(body)
    return req + b"\r\n" + body


def http_response(method):
    body = b"" if method == b"HEAD" else b"hello\n"
    return b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nServer: mkflows\r\n\r\n" + body


def ext(etype, data):
    return struct.pack("!HH", etype, len(data)) + data


def client_hello(rng, sni, alpn, tls13):
    exts = b""
    if sni is not None:
        entry = struct.pack("!BH", 0, len(sni)) + sni
        exts += ext(0, struct.pack("!H", len(entry)) + entry)
    exts += ext(10, struct.pack("!HHHH", 6, 0x001D, 0x0017, 0x0018))  # supported_groups
    exts += ext(13, struct.pack("!HHHHH", 8, 0x0403, 0x0804, 0x0401, 0x0201))  # sig algs
    if alpn:
        lst = b"".join(struct.pack("!B", len(p)) + p for p in alpn)
        exts += ext(16, struct.pack("!H", len(lst)) + lst)
    if tls13:
        exts += ext(43, struct.pack("!BHH", 4, 0x0304, 0x0303))  # supported_versions
        share = struct.pack("!HH", 0x001D, 32) + bytes(rng.getrandbits(8) for _ in range(32))
        exts += ext(51, struct.pack("!H", len(share)) + share)
    suites = [0x1301, 0x1302, 0xC02F, 0xC030] if tls13 else [0xC02F, 0xC030, 0x009E]
    sid = bytes(rng.getrandbits(8) for _ in range(32)) if tls13 else b""
    body = struct.pack("!H", 0x0303) + bytes(rng.getrandbits(8) for _ in range(32))
    body += struct.pack("!B", len(sid)) + sid
    body += struct.pack("!H%dH" % len(suites), 2 * len(suites), *suites)
    body += b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = struct.pack("!B", 1) + struct.pack("!I", len(body))[1:] + body
    return struct.pack("!BHH", 22, 0x0301, len(hs)) + hs


def server_hello(rng, tls13, alpn):
    exts = b""
    if tls13:
        exts += ext(43, struct.pack("!H", 0x0304))
        exts += ext(51, struct.pack("!HH", 0x001D, 32) + bytes(rng.getrandbits(8) for _ in range(32)))
    elif alpn:
        p = alpn[0]
        lst = struct.pack("!B", len(p)) + p
        exts += ext(16, struct.pack("!H", len(lst)) + lst)
    body = struct.pack("!H", 0x0303) + bytes(rng.getrandbits(8) for _ in range(32))
    body += b"\x00" + struct.pack("!H", 0x1301 if tls13 else 0xC02F) + b"\x00"
    body += struct.pack("!H", len(exts)) + exts
    hs = struct.pack("!B", 2) + struct.pack("!I", len(body))[1:] + body
    return struct.pack("!BHH", 22, 0x0303, len(hs)) + hs


def generate(seed, tail=None):
    cap = Capture(seed)
    rng = cap.rng
    expect = {"seed": seed, "tcp": [], "udp": 0, "icmp": 0}
    nhost = [0]

    def host(addr):
        nhost[0] += 1
        return Host(addr, nhost[0])

    ports = set()

    def cport():
        while True:
            p = rng.randrange(32768, 61000)
            if p not in ports:
                ports.add(p)
                return p

    # Distinct RTTs (microseconds), each used once.
    rtts = rng.sample(range(300, 90000), 64)
    t = [0]  # start time of the next connection: 37 ms apart, so they interleave

    def start():
        t[0] += 37000 + rng.randrange(1000)
        return t[0]

    def record(kind, cli, srv, cp, sp, **kw):
        d = {"kind": kind, "client": "%s:%d" % (cli.addr, cp), "server": "%s:%d" % (srv.addr, sp)}
        d.update(kw)
        expect["tcp"].append(d)

    def http_conn(cli, srv, method, hostname, close, path=b"/", vlan=None, body=b""):
        c = Conn(cap, cli, srv, cport(), 80, vlan)
        rtt = rtts.pop()
        t1 = c.handshake(start(), rtt)
        c.data(t1 + 40, True, http_request(method, hostname, path, body))
        c.data(t1 + 40 + rtt, False, http_response(method))
        c._send(t1 + 60 + rtt, True, ACK)
        if close == "fin":
            c.close_fin(t1 + 2 * rtt + 500, True)
        elif close == "rst":
            c.close_rst(t1 + 2 * rtt + 500, rng.random() < 0.5)
        record("http", cli, srv, c.cport, 80, method=method.decode(), rtt_us=rtt, end=close,
               vlan=vlan)

    def tls_conn(cli, srv, sni, alpn, tls13, close, vlan=None):
        c = Conn(cap, cli, srv, cport(), 443, vlan)
        rtt = rtts.pop()
        t1 = c.handshake(start(), rtt)
        c.data(t1 + 30, True, client_hello(rng, sni, alpn, tls13))
        c.data(t1 + 30 + rtt, False, server_hello(rng, tls13, alpn))
        c._send(t1 + 50 + rtt, True, ACK)
        if close == "fin":
            c.close_fin(t1 + 2 * rtt + 800, rng.random() < 0.5)
        elif close == "rst":
            c.close_rst(t1 + 2 * rtt + 800, True)
        record("tls", cli, srv, c.cport, 443, sni=None if sni is None else sni.decode("latin-1"),
               alpn=[a.decode("latin-1") for a in alpn], tls13=tls13, rtt_us=rtt, end=close, vlan=vlan)

    c4 = [host("192.0.2.%d" % i) for i in range(10, 20)]
    s4 = [host("198.51.100.%d" % i) for i in range(1, 6)]
    c6 = [host("2001:db8:1::%x" % i) for i in range(0x10, 0x14)]
    s6 = [host("2001:db8:2::%x" % i) for i in range(1, 3)]
    cv = [host("203.0.113.%d" % i) for i in range(10, 13)]
    sv = host("203.0.113.200")
    cv6 = host("2001:db8:100::10")
    sv6 = host("2001:db8:100::1")

    # HTTP: every method, different hosts, the three endings.
    http_conn(c4[0], s4[0], b"GET", b"www.example.com", "fin", b"/index.html")
    http_conn(c4[1], s4[0], b"GET", b"static.example.net", "fin", b"/a/b.css?v=1")
    http_conn(c4[2], s4[1], b"POST", b"api.example.org", "fin", b"/submit", body=b"a=1&b=2")
    http_conn(c4[3], s4[1], b"PUT", b"api.example.org", "rst", b"/obj/7", body=b"{}")
    http_conn(c4[4], s4[2], b"DELETE", b"api.example.org", "open", b"/obj/7")
    http_conn(c4[5], s4[2], b"HEAD", b"www.example.com", "fin", b"/")
    http_conn(c4[6], s4[0], b"GET", b"www.example.com", "open", b"/img.png")
    # TLS 1.2 and 1.3, with and without ALPN.
    tls_conn(c4[0], s4[3], b"secure.example.com", [b"h2", b"http/1.1"], True, "fin")
    tls_conn(c4[1], s4[3], b"mail.example.org", [b"http/1.1"], False, "fin")
    tls_conn(c4[2], s4[4], b"secure.example.com", [], True, "rst")
    tls_conn(c4[3], s4[4], b"cdn.example.net", [b"h2"], False, "open")
    tls_conn(c4[4], s4[3], None, [b"h2", b"http/1.1"], True, "fin")  # no SNI
    # IPv6.
    http_conn(c6[0], s6[0], b"GET", b"v6.example.com", "fin", b"/six")
    http_conn(c6[1], s6[0], b"POST", b"v6.example.com", "rst", b"/six", body=b"six")
    tls_conn(c6[2], s6[1], b"v6.secure.example", [b"h2", b"http/1.1"], True, "fin")
    tls_conn(c6[3], s6[1], b"v6-12.secure.example", [b"http/1.1"], False, "open")
    # 802.1Q.
    http_conn(cv[0], sv, b"GET", b"vlan100.example", "fin", b"/v", vlan=100)
    tls_conn(cv[1], sv, b"vlan200.example", [b"h2"], True, "fin", vlan=200)
    http_conn(cv6, sv6, b"PUT", b"vlan300.example", "fin", b"/v6", vlan=300, body=b"v")
    # Hostile strings.
    http_conn(c4[7], s4[0], b"GET", HOSTILE_HOST, "fin", HOSTILE_PATH)
    http_conn(c4[8], s4[0], b"GET", LONG_HOST, "fin", b"/" + b"p" * 300)
    http_conn(c4[9], s4[1], b"POST", LONG_HOSTILE_HOST, "fin", b"/x", body=b"z")
    tls_conn(c4[7], s4[3], HOSTILE_SNI, [b"h2", b"a\"b\\c\x01\xff"], True, "fin")
    tls_conn(c4[8], s4[3], LONG_SNI, [b"http/1.1"], False, "fin")

    # A SYN retransmitted 1 s later, then answered: tshark's initial RTT is
    # measured from the most recent SYN.
    c = Conn(cap, c4[5], s4[1], cport(), 80)
    rtt = rtts.pop()
    t0 = start()
    t1 = c.handshake(t0, rtt, syn_retrans_after=1000000)
    c.data(t1 + 20, True, http_request(b"GET", b"retrans.example", b"/r"))
    c.data(t1 + 20 + rtt, False, http_response(b"GET"))
    c.close_fin(t1 + 2 * rtt + 100, True)
    record("http", c4[5], s4[1], c.cport, 80, method="GET", rtt_us=rtt, end="fin",
           syn_retransmitted=True, rtt_from_first_syn_us=rtt + 1000000)

    # Half-open: SYNs with no answer (one of them sent twice).
    for i in range(3):
        c = Conn(cap, c4[6 + i], s4[4], cport(), 8080 + i)
        t0 = start()
        c.syn(t0)
        if i == 0:
            c.syn(t0 + 1000000)
        record("syn-only", c4[6 + i], s4[4], c.cport, 8080 + i, end="eof")
    # SYN, SYN-ACK, no ACK.
    c = Conn(cap, c4[9], s4[2], cport(), 22)
    t0 = start()
    c.syn(t0)
    c.cseq += 1
    c.cnxt = c.cseq
    c._send(t0 + 800, False, SYN | ACK, opts=MSS_OPT)
    record("no-final-ack", c4[9], s4[2], c.cport, 22, end="eof")
    # Refused: SYN answered by RST-ACK.
    c = Conn(cap, c4[0], s4[2], cport(), 25)
    t0 = start()
    c.syn(t0)
    c.cseq += 1
    c.cnxt = c.cseq
    c._send(t0 + 500, False, RST | ACK)
    record("refused", c4[0], s4[2], c.cport, 25, end="rst")
    # Mid-stream: the handshake happened before the capture; the client
    # speaks first.
    c = Conn(cap, c4[1], s4[2], cport(), 6379)
    c.snxt = c.sseq
    c.cnxt = c.cseq
    t0 = start()
    c.data(t0, True, b"PING\r\n")
    c.data(t0 + 300, False, b"+PONG\r\n")
    c._send(t0 + 400, True, ACK)
    record("midstream", c4[1], s4[2], c.cport, 6379, end="eof")

    # UDP: DNS-like queries, one not answered, one on a VLAN.
    def dns(qid, name, response):
        q = b"".join(struct.pack("!B", len(p)) + p for p in name.split(b".")) + b"\0"
        flags = 0x8180 if response else 0x0100
        msg = struct.pack("!HHHHHH", qid, flags, 1, 1 if response else 0, 0, 0) + q + \
            struct.pack("!HH", 1, 1)
        if response:
            msg += struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + bytes([192, 0, 2, 99])
        return msg

    resolver = host("198.51.100.53")
    for i, (cli, name, answered, vlan) in enumerate([
            (c4[0], b"www.example.com", True, None), (c4[2], b"api.example.org", True, None),
            (c4[4], b"lost.example", False, None), (cv[2], b"vlan.example", True, 100)]):
        p = cport()
        t0 = start()
        qid = rng.getrandbits(16)
        cap.udp(t0, cli, resolver, p, 53, dns(qid, name, False), vlan)
        if answered:
            cap.udp(t0 + 900 + i, resolver, cli, 53, p, dns(qid, name, True), vlan)
        expect["udp"] += 1
    r6 = host("2001:db8:2::53")
    p = cport()
    t0 = start()
    cap.udp(t0, c6[0], r6, p, 53, dns(7, b"six.example", False))
    cap.udp(t0 + 700, r6, c6[0], 53, p, dns(7, b"six.example", True))
    expect["udp"] += 1
    # ICMP echo (an IP flow that is neither TCP nor UDP).
    t0 = start()
    cap.icmp_echo(t0, c4[3], s4[0], 0x1234, 1, False)
    cap.icmp_echo(t0 + 400, s4[0], c4[3], 0x1234, 1, True)
    expect["icmp"] += 1

    if tail is not None:
        last = max(us for us, _, _ in cap.frames)
        cap.udp(last + int(tail * 1000000), host("192.0.2.250"), host("198.51.100.250"), 40000,
                9, b"the end")
        expect["udp"] += 1
    expect["handshakes"] = sum(1 for d in expect["tcp"] if "rtt_us" in d)
    expect["frames"] = len(cap.frames)
    return cap, expect


def main(argv):
    args = argv[1:]
    seed, want_expect, out, tail = 1, False, None, None
    while args:
        a = args.pop(0)
        if a == "--seed" and args:
            seed = int(args.pop(0))
        elif a == "--tail" and args:
            tail = float(args.pop(0))
        elif a == "--expect":
            want_expect = True
        elif not a.startswith("-") and out is None:
            out = a
        else:
            out = None
            break
    if out is None:
        sys.stderr.write("usage: mkflows.py OUT.pcap [--seed N] [--tail SEC] [--expect]\n")
        return 2
    cap, expect = generate(seed, tail)
    cap.write(out)
    if want_expect:
        print(json.dumps(expect, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
