#!/usr/bin/env python3
"""The TLS versions of a capture's ClientHellos, two ways, in one form
("TLSv1.3 (772) 4, TLSv1.2 (771) 3, other 2"), for tests/t_tls_versions.sh:

  tests/tlsvers.py tshark PCAP [TSHARK_OPTION...]
      tshark's dissection (PDML): for each TCP stream its first ClientHello,
      the highest of the versions it offers (tls.handshake.extensions.
      supported_version, leaving out what tshark names GREASE; without the
      extension its tls.handshake.version), named as tshark names it ("TLS
      1.3" written TLSv1.3, "SSL 3.0" SSLv3); a version tshark has no plain
      name for (a draft, one that does not exist) counts as other.
  tests/tlsvers.py text FILE
      the "tls max version" line of xdpi's text summary in FILE (and its
      continuation lines); "none" when there is no such line.
Reassembly is off in tshark, as xdpi peeks at one segment.
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NAME = re.compile(r"^(?:Supported )?Version: (SSL 3\.0|TLS 1\.[0-3]) \(0x[0-9a-f]{4}\)$")


def form(counts):
    """counts: {(number or None, name): n} -> the one line both sides give."""
    named = sorted(((v, name, n) for (v, name), n in counts.items() if v is not None),
                   reverse=True)
    items = ["%s (%d) %d" % (name, v, n) for v, name, n in named]
    other = sum(n for (v, _), n in counts.items() if v is None)
    if other:
        items.append("other %d" % other)
    return ", ".join(items) or "none"


def from_tshark(pcap, extra):
    cmd = ["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:FALSE",
           "-o", "tls.desegment_ssl_records:FALSE", *extra,
           "-Y", "tls.handshake.type == 1", "-T", "pdml"]
    xml = subprocess.run(cmd, check=True, capture_output=True).stdout
    seen, counts = set(), {}
    for packet in ET.fromstring(xml).iter("packet"):
        stream = legacy = None
        offered = []
        for f in packet.iter("field"):
            name, show = f.get("name"), f.get("showname", "")
            if name == "tcp.stream":
                stream = f.get("show")
            elif name == "tls.handshake.version" and legacy is None:
                legacy = (int(f.get("show"), 16), show)
            elif name == "tls.handshake.extensions.supported_version" and "GREASE" not in show:
                offered.append((int(f.get("show"), 16), show))
        if stream in seen or legacy is None:
            continue
        seen.add(stream)
        v, show = max(offered or [legacy])
        m = NAME.match(show)
        if m:
            key = (v, m.group(1).replace("SSL 3.0", "SSLv3").replace("TLS ", "TLSv"))
        else:
            key = (None, "other")
        counts[key] = counts.get(key, 0) + 1
    return form(counts)


def from_text(path):
    lines = open(path, errors="replace").read().splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("tls max version "):
            continue
        text = line[len("tls max version "):]
        for more in lines[i + 1:]:
            if not more.startswith(" " * 19):
                break
            text += "  " + more.strip()
        counts = {}
        for item in re.split(r"\s{2,}", text.strip()):
            m = re.fullmatch(r"(\S+) \((\d+)\) (\d+)", item)
            if m:
                counts[(int(m.group(2)), m.group(1))] = int(m.group(3))
                continue
            m = re.fullmatch(r"other (\d+)", item)
            if not m:
                return "unreadable item %r" % item
            counts[(None, "other")] = int(m.group(1))
        return form(counts)
    return "none"


def main(argv):
    if len(argv) >= 3 and argv[1] == "tshark":
        print(from_tshark(argv[2], argv[3:]))
    elif len(argv) == 3 and argv[1] == "text":
        print(from_text(argv[2]))
    else:
        sys.stderr.write("usage: tlsvers.py tshark PCAP [OPTION...] | text FILE\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
