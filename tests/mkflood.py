#!/usr/bin/env python3
"""Writes a pcap of a SYN flood from random sources (one packet each, as
`hping3 --rand-source` sends) shuffled with three heavy sources, for the
top-N tests (tests/t_topn.sh).

  tests/mkflood.py OUT.pcap [--flood N] [--seed S]

The heavy sources are 198.18.1.1, .2, .3 with 300, 200 and 100 packets;
the flood's sources are random addresses outside 198.18.1.0/24. Checksums
are right. Python standard library only.
"""
import argparse
import random
import struct


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--flood", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=31)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    dst = bytes([198, 18, 0, 2])
    pkts = []
    for h, n in ((1, 300), (2, 200), (3, 100)):
        src = bytes([198, 18, 1, h])
        pkts += [(src, 10000 + i) for i in range(n)]
    seen = set()
    while len(seen) < a.flood:
        src = struct.pack("!I", rnd.getrandbits(32))
        if src[:3] == bytes([198, 18, 1]) or src in seen:
            continue
        seen.add(src)
        pkts.append((src, rnd.randrange(1024, 65536)))
    rnd.shuffle(pkts)
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (src, sport) in enumerate(pkts):
            frame = syn(src, dst, sport, 80, rnd.getrandbits(32))
            t = 1700000000 * 1000000 + i * 100  # 10 kpps
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
