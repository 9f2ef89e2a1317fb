#!/usr/bin/env python3
"""Writes a pcap of TLS connections whose ClientHellos offer every kind of
version list, for tests/t_tls_versions.sh: a legacy version alone (0x0300
SSLv3, 0x0301, 0x0302, 0x0303), a supported_versions extension with TLS
1.3 first, behind a GREASE value (0x0a0a, 0x7a7a) or last, one topped by
TLS 1.2, one by a draft (0x7f1c, which has no name), and one by a version
that does not exist (0x0305). Each connection is a handshake and the hello
on port 443 (mkflows.py's frame builder). What the hellos offer is not
the test's expectation: tshark's dissection of this file is.

  tests/mktlsver.py OUT.pcap
Python standard library only.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkflows  # noqa: E402  (the frame builder beside this file)

# (legacy_version, supported_versions or None)
HELLOS = [
    (0x0300, None),
    (0x0301, None),
    (0x0302, None),
    (0x0303, None),
    (0x0303, None),
    (0x0303, [0x0304, 0x0303]),
    (0x0303, [0x0a0a, 0x0304, 0x0303, 0x0302]),
    (0x0303, [0x0303, 0x0304]),
    (0x0303, [0x7a7a, 0x0304]),
    (0x0303, [0x0303, 0x0302]),
    (0x0303, [0x7f1c, 0x0303]),
    (0x0303, [0x0305, 0x0304]),
]


def hello(rng, legacy, versions, n):
    exts = b""
    sni = b"v%d.tls.example" % n
    entry = struct.pack("!BH", 0, len(sni)) + sni
    exts += mkflows.ext(0, struct.pack("!H", len(entry)) + entry)
    if versions is not None:
        lst = struct.pack("!%dH" % len(versions), *versions)
        exts += mkflows.ext(43, struct.pack("!B", len(lst)) + lst)
    body = struct.pack("!H", legacy) + bytes(rng.getrandbits(8) for _ in range(32))
    body += b"\x00" + struct.pack("!HHH", 4, 0xC02F, 0x1301) + b"\x01\x00"
    body += struct.pack("!H", len(exts)) + exts
    hs = struct.pack("!B", 1) + struct.pack("!I", len(body))[1:] + body
    return struct.pack("!BHH", 22, min(legacy, 0x0301), len(hs)) + hs


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: mktlsver.py OUT.pcap\n")
        return 2
    cap = mkflows.Capture(7)
    srv = mkflows.Host("192.0.2.80", 1)
    for n, (legacy, versions) in enumerate(HELLOS):
        cli = mkflows.Host("198.51.100.%d" % (10 + n), 2 + n)
        c = mkflows.Conn(cap, cli, srv, 40000 + n, 443)
        t = c.handshake(10000 * (n + 1), 500)
        c.data(t + 50, True, hello(cap.rng, legacy, versions, n))
    cap.write(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
