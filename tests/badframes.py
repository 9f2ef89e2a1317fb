#!/usr/bin/env python3
# Writes a pcap of malformed frames (tests/t_faults.sh): each repetition
# holds 5 good TCP frames and 9 bad ones: an IPv4 header cut short, an IHL
# below 5 and one past the frame, a TCP data offset of 0, a TCP header cut
# short, an IPv4 total length past the frame, an IPv6 chain of 20
# extension headers, an IPv6 header cut short, an IPv6 TCP data offset of 2.
# Usage: badframes.py OUT.pcap REPEAT
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
DST = bytes.fromhex("020000000002"); SRC = bytes.fromhex("020000000001")
def eth(t): return DST + SRC + struct.pack("!H", t)
def ip4(proto, payload, ihl=5, tot=None, opts=b""):
    tl = tot if tot is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tl, 1, 0, 64, proto, 0, bytes([198,18,0,1]), bytes([198,18,0,2])) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload
def tcp(sport, doff=5, flags=0x10, extra=b""):
    return struct.pack("!HHIIBBHHH", sport, 80, 1, 1, doff << 4, flags, 512, 0, 0) + extra
def ip6(nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64, b"\x20\x01" + b"\0"*13 + b"\x01", b"\x20\x01" + b"\0"*13 + b"\x02") + payload
frames = []
good = [eth(0x0800) + ip4(6, tcp(1000 + i)) for i in range(5)]
ext = b""
# 20 destination-options headers, each pointing to the next (60), then TCP
for i in range(20):
    ext += struct.pack("!BB6s", 60 if i < 19 else 6, 0, b"\x01\x04\0\0\0\0")
bad = [
    eth(0x0800) + ip4(6, tcp(2000))[:10],                 # IPv4 header cut
    eth(0x0800) + ip4(6, tcp(2001), ihl=3),               # IHL below 5
    eth(0x0800) + ip4(6, tcp(2002), ihl=15),              # IHL past the frame
    eth(0x0800) + ip4(6, tcp(2003, doff=0)),              # TCP data offset 0
    eth(0x0800) + ip4(6, tcp(2004))[:30],                 # TCP header cut
    eth(0x0800) + ip4(6, tcp(2005), tot=400),             # total length past the frame
    eth(0x86dd) + ip6(60, ext + tcp(2006)),               # IPv6 extension chain of 20
    eth(0x86dd) + ip6(6, tcp(2007))[:30],                 # IPv6 header cut
    eth(0x86dd) + ip6(6, tcp(2008, doff=2)),              # IPv6 TCP data offset 2
]
rep = int(sys.argv[2])
for _ in range(rep):
    frames += good + bad
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1000 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
        f.write(fr)
