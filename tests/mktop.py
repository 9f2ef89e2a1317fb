#!/usr/bin/env python3
"""Writes the traffic of tests/t_top.sh (no third-party module):

  hs.pcap    three TCP handshakes with known RTTs (SYN to the ACK that
             completes it: 1, 5 and 20 ms) and an HTTP request each, whose
             Host names the connection (busy.test, big.test, slow.test)
  data.pcap  one round of data, replayed in a loop at a given rate:
             busy sends 8 frames of 64 bytes, big 2 of 1400, slow 1 of 600
             (so packets/s rank busy > big > slow, bits/s big > slow >
             busy, RTT slow > big > busy)
  conn.pcap  hs.pcap, five rounds of data.pcap, answers from the servers
             and a FIN each way: whole connections for --connections

Usage: mktop.py DIR
"""
import struct
import sys

CONNS = [  # name, client, server, client port, server port, rtt ms, frames, size
    ("busy.test", "198.18.1.1", "198.18.2.1", 40001, 80, 1, 8, 64),
    ("big.test", "198.18.1.2", "198.18.2.2", 40002, 80, 5, 2, 1400),
    ("slow.test", "198.18.1.3", "198.18.2.3", 40003, 8080, 20, 1, 600),
]
MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def frame(src, dst, sport, dport, seq, ack, flags, payload=b"", size=0):
    """A TCP frame; padded with payload to @size bytes on the wire (no FCS)."""
    if size:
        payload += b"x" * max(0, size - 54 - len(payload))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0, ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return MAC_B + MAC_A + b"\x08\x00" + ip + tcp + payload


def write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, fr in frames:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)) + fr)


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


def handshakes(t0):
    out = []
    for i, (name, c, s, cp, sp, rtt, _, _) in enumerate(CONNS):
        t = t0 + i * 0.03
        isn, sisn = 1000 * (i + 1), 9000 * (i + 1)
        out.append((t, frame(c, s, cp, sp, isn, 0, SYN)))
        out.append((t + rtt / 2000, frame(s, c, sp, cp, sisn, isn + 1, SYN | ACK)))
        out.append((t + rtt / 1000, frame(c, s, cp, sp, isn + 1, sisn + 1, ACK)))
        req = b"GET / HTTP/1.1\r\nHost: " + name.encode() + b"\r\n\r\n"
        out.append((t + rtt / 1000 + 0.0001,
                    frame(c, s, cp, sp, isn + 1, sisn + 1, PSH | ACK, req)))
    out.sort(key=lambda x: x[0])
    return out


def data_round(t0, k, answers=False):
    out = []
    t = t0
    for i, (name, c, s, cp, sp, rtt, n, size) in enumerate(CONNS):
        isn, sisn = 1000 * (i + 1), 9000 * (i + 1)
        for j in range(n):
            out.append((t, frame(c, s, cp, sp, isn + 100 + k * 10000, sisn + 1, ACK, b"", size)))
            t += 0.0001
        if answers:
            out.append((t, frame(s, c, sp, cp, sisn + 1, isn + 100, ACK)))
            t += 0.0001
    return out


def main():
    d = sys.argv[1]
    write(d + "/hs.pcap", handshakes(1.0))
    write(d + "/data.pcap", data_round(2.0, 0))
    frames = handshakes(1.0)
    t = 2.0
    for k in range(5):
        frames += data_round(t, k, answers=True)
        t += 0.01
    for i, (name, c, s, cp, sp, rtt, n, size) in enumerate(CONNS):
        isn, sisn = 1000 * (i + 1), 9000 * (i + 1)
        frames.append((t, frame(c, s, cp, sp, isn + 200000, sisn + 1, FIN | ACK)))
        frames.append((t + 0.001, frame(s, c, sp, cp, sisn + 1, isn + 200001, FIN | ACK)))
        frames.append((t + 0.002, frame(c, s, cp, sp, isn + 200001, sisn + 2, ACK)))
        t += 0.01
    write(d + "/conn.pcap", frames)


main()
