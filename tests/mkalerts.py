#!/usr/bin/env python3
"""Writes a deterministic pcap of attacks whose every alert is known in
advance, for tests/t_ipfix_alerts.sh:

  tests/mkalerts.py OUT.pcap [--expect]

  - an IPv4 port scan: SCAN4 sends one SYN to each of PORTS4 ports of
    VICTIM4, each refused (RST, ACK);
  - an IPv6 port scan: SCAN6 to PORTS6 ports of VICTIM6, refused alike;
  - a SYN flood: FLOOD_SYNS SYNs from forged sources (each its own) to
    FLOOD_DST port FLOOD_PORT within FLOOD_SECONDS, none answered.

--expect prints those figures as JSON: the plan is the test's oracle, not
what xdpi makes of the capture. Python standard library only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkflows import Capture, Host, SYN, RST, ACK  # noqa: E402

SCAN4, VICTIM4, PORTS4 = "198.18.5.1", "198.18.5.2", 40
SCAN6, VICTIM6, PORTS6 = "2001:db8::5:1", "2001:db8::5:2", 30
FLOOD_DST, FLOOD_PORT, FLOOD_SYNS, FLOOD_SECONDS = "198.18.6.2", 80, 6000, 2


def scan(cap, t, scanner, victim, nports):
    for p in range(1, nports + 1):
        cap.tcp(t, scanner, victim, 40000, p, 1000 + p, 0, SYN)
        cap.tcp(t + 200, victim, scanner, p, 40000, 0, 1001 + p, RST | ACK)
        t += 10000  # 10 ms
    return t


def main():
    cap = Capture(1)
    t = scan(cap, 0, Host(SCAN4, 1), Host(VICTIM4, 2), PORTS4)
    t = scan(cap, t + 100000, Host(SCAN6, 3), Host(VICTIM6, 4), PORTS6)
    dst = Host(FLOOD_DST, 5)
    step = FLOOD_SECONDS * 1000000 // FLOOD_SYNS
    for i in range(FLOOD_SYNS):
        src = Host("10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255), 6)
        cap.tcp(t + i * step, src, dst, 1024 + i % 60000, FLOOD_PORT, i, 0, SYN)
    cap.write(sys.argv[1])
    if "--expect" in sys.argv:
        print(json.dumps({
            "port_scan": [[SCAN4, VICTIM4, PORTS4], [SCAN6, VICTIM6, PORTS6]],
            "syn_flood": [FLOOD_DST, FLOOD_PORT, FLOOD_SYNS],
        }))


if __name__ == "__main__":
    main()
