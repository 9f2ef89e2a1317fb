#!/usr/bin/env python3
"""Writes a deterministic Ethernet pcap of frames from 60 to 9018 bytes, for
the jumbo-frame and NIC-metadata tests (tests/t_jumbo.sh).

  tests/mkjumbo.py OUT.pcap [--max N] [--outer-tag VID]
  tests/mkjumbo.py --count-long-chains

What is in it: for each frame size of SIZES (those up to --max, default
9018), TCP over IPv4, TCP over IPv6 with a hop-by-hop and a destination
options header, the same two 802.1Q-tagged, IPv4 TCP in QinQ (802.1ad
outside, 802.1Q inside), UDP over IPv4; plus, for every size where they fit,
IPv6 TCP whose extension headers run 6 KiB deep (three destination options
headers of 2048 bytes each), so that the headers run past the first buffer
of a multi-buffer frame, in the XDP program (whose first buffer holds about
3.5 KiB) as in the worker, whatever the UMEM frame size. Every frame is
exactly its size: the payload fills it (checksums are right for IPv4;
nothing here checks the TCP and UDP ones).

--outer-tag VID adds an 802.1Q tag with VID before each frame's own tags:
the frames as they were on the wire when a sender's NIC adds the tag the
receiver's NIC then strips (tests/vlan_push.bpf.c does both on veth).
--count-long-chains prints how many of the frames have the deep chain, for
the test's expectation of the frames the worker gathers.
Python standard library only.
"""
import struct
import sys

SIZES = [60, 64, 65, 127, 128, 256, 511, 512, 1023, 1024, 1514, 1518, 1519,
         1800, 2047, 2048, 2049, 3000, 3839, 3840, 3841, 4096, 5000, 6000,
         7000, 8000, 8191, 8192, 9000, 9014, 9018]
T_BASE = 1700000000
ETH_IPV4, ETH_IPV6, ETH_8021Q, ETH_8021AD = 0x0800, 0x86DD, 0x8100, 0x88A8
MAX_UNTAGGED = 9014  # a 9000 MTU and the Ethernet header; veth adds 4 for one tag


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(tags, etype):
    out = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
    for tpid, vid in tags:
        out += struct.pack("!HH", tpid, vid)
    return out + struct.pack("!H", etype)


def tcp(sport, dport, seq):
    # 20 bytes and an MSS option: data offset 6.
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 6 << 4, 0x18, 65535, 0, 0) + \
        bytes([2, 4, 0x23, 0x28])


def udp(sport, dport, plen):
    return struct.pack("!HHHH", sport, dport, 8 + plen, 0)


def ipv4(proto, l4len, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4len, ident, 0, 64, proto, 0,
                    bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def ipv6(nxt, plen):
    src = bytes.fromhex("20010db8000000000000000000000001")
    dst = bytes.fromhex("20010db8000000000000000000000002")
    return struct.pack("!IHBB", 6 << 28, plen, nxt, 64) + src + dst


def ext(nxt, length):
    """An options header of @length bytes (a multiple of 8), PadN inside."""
    pad = length - 2
    body = b""
    while pad:
        n = min(pad, 257)
        body += bytes([1, n - 2]) + bytes(n - 2) if n >= 2 else bytes([0])
        pad -= n
    return bytes([nxt, length // 8 - 1]) + body


def frame(size, kind, i):
    tags = []
    if kind in ("v4tag", "v6tag"):
        tags = [(ETH_8021Q, 10 + i % 50)]
    elif kind == "qinq":
        tags = [(ETH_8021AD, 300), (ETH_8021Q, 20 + i % 7)]
    base = kind.replace("tag", "")
    sport, dport = 10000 + i, 80 if i % 2 else 443
    if base in ("v4", "qinq"):
        hdr = eth(tags, ETH_IPV4)
        l4 = tcp(sport, dport, i * 1000)
        room = size - len(hdr) - 20 - len(l4)
        if room < 0:
            return None
        return hdr + ipv4(6, len(l4) + room, i & 0xFFFF) + l4 + bytes([i & 0xFF]) * room
    if base == "udp":
        hdr = eth(tags, ETH_IPV4)
        room = size - len(hdr) - 20 - 8
        if room < 0:
            return None
        return hdr + ipv4(17, 8 + room, i & 0xFFFF) + udp(sport, 53, room) + bytes(room)
    if base == "v6":
        hdr = eth(tags, ETH_IPV6)
        exts = ext(60, 8) + ext(6, 16)  # hop-by-hop, then destination options
        l4 = tcp(sport, dport, i * 1000)
        room = size - len(hdr) - 40 - len(exts) - len(l4)
        if room < 0:
            return None
        hdr6 = ipv6(0, len(exts) + len(l4) + room)
        return hdr + hdr6 + exts + l4 + bytes([0x5A]) * room
    if base == "v6chain":
        hdr = eth(tags, ETH_IPV6)
        exts = ext(60, 2048) + ext(60, 2048) + ext(6, 2048)
        l4 = tcp(sport, dport, i * 1000)
        room = size - len(hdr) - 40 - len(exts) - len(l4)
        if room < 0:
            return None
        return hdr + ipv6(60, len(exts) + len(l4) + room) + exts + l4 + bytes(room)
    raise ValueError(kind)


KINDS = ["v4", "v6", "v4tag", "v6tag", "qinq", "udp", "v6chain"]


def frames(max_size):
    i = 0
    for size in SIZES:
        if size > max_size:
            continue
        for kind in KINDS:
            f = frame(size, kind, i)
            i += 1
            # veth takes a frame up to the MTU + 14 and a tag; an AF_PACKET
            # sender (tcpreplay) allows the tag for 802.1Q frames only.
            limit = MAX_UNTAGGED + (4 if kind in ("v4tag", "v6tag") else 0)
            if f is None or len(f) > limit or len(f) != size:
                continue
            yield kind, f


def write(path, max_size, outer):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n, (_kind, f) in enumerate(frames(max_size)):
            if outer is not None:
                f = f[:12] + struct.pack("!HH", ETH_8021Q, outer) + f[12:]
            out.write(struct.pack("<IIII", T_BASE + n // 1000, (n % 1000) * 1000, len(f), len(f)))
            out.write(f)


def main(argv):
    if argv and argv[0] == "--count-long-chains":
        print(sum(1 for kind, _ in frames(9018) if kind == "v6chain"))
        return 0
    if not argv or argv[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    path, max_size, outer = argv[0], 9018, None
    rest = argv[1:]
    while rest:
        if rest[0] == "--max" and len(rest) > 1:
            max_size = int(rest[1])
        elif rest[0] == "--outer-tag" and len(rest) > 1:
            outer = int(rest[1])
        else:
            sys.stderr.write(__doc__)
            return 2
        rest = rest[2:]
    write(path, max_size, outer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
