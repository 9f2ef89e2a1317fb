#!/usr/bin/env python3
"""Holds `xdpi read|live --connections -v` lines to tshark's conversation
table (`tshark -q -n -z conv,tcp`) of the same frames: every TCP
conversation has its lines and every TCP line a conversation, with the same
endpoints, packets each way, and bytes each way where tshark prints them
exactly (below 10 kB; it rounds above). With --once, each conversation
must have exactly one line (no connection printed twice or split). With --subset, lines may be
missing (a queue refused them), but each line there is must be one whole
conversation of tshark's.

Usage: connconv.py [--once] [--subset] LINES CONV
Prints "CONVERSATIONS EXACT_BYTE_CHECKS OK", or the first problems found
in place of OK.
"""
import re
import sys

args = sys.argv[1:]
once = "--once" in args
subset = "--subset" in args
args = [a for a in args if a not in ("--once", "--subset")]
lines = open(args[0]).read().splitlines()[1:]  # the header first
ours = {}
for l in lines:
    f = l.split()
    if len(f) < 14 or f[2] != "tcp":
        continue
    key = frozenset([(f[3], f[4]), (f[5], f[6])])
    ours.setdefault(key, []).append(f)
bad, exact, n = [], 0, 0
rows = re.findall(r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+) (\d+) (\w+)\s+(\d+) (\d+) (\w+)",
                  open(args[1]).read(), re.M)
if not rows:
    bad.append("no conversation in tshark's table")
for a, ap, b, bp, f_ba, by_ba, u_ba, f_ab, by_ab, u_ab in rows:
    n += 1
    key = frozenset([(a, ap), (b, bp)])
    recs = ours.pop(key, None)
    if not recs:
        if not subset:
            bad.append(f"no line for {a}:{ap} <-> {b}:{bp}")
        continue
    if once and len(recs) != 1:
        bad.append(f"{len(recs)} lines for {a}:{ap} <-> {b}:{bp}")
    # Packets and bytes sent by a, and by b, over every line of the pair.
    sent = {(a, ap): [0, 0], (b, bp): [0, 0]}
    for f in recs:
        sent[(f[3], f[4])][0] += int(f[8])
        sent[(f[3], f[4])][1] += int(f[9])
        sent[(f[5], f[6])][0] += int(f[10])
        sent[(f[5], f[6])][1] += int(f[11])
    if sent[(a, ap)][0] != int(f_ab) or sent[(b, bp)][0] != int(f_ba):
        bad.append(f"{a}:{ap} <-> {b}:{bp} packets {sent} vs tshark {f_ab}/{f_ba}")
    for who, by, unit in (((a, ap), by_ab, u_ab), ((b, bp), by_ba, u_ba)):
        if unit == "bytes":
            exact += 1
            if sent[who][1] != int(by):
                bad.append(f"{who} sent {sent[who][1]} bytes, tshark {by}")
for k in ours:
    bad.append(f"a line tshark has no conversation for: {sorted(k)}")
print(f"{n} {exact} " + ("; ".join(bad[:5]) or "OK"))
