#!/usr/bin/env python3
"""Flow records against an independent dissector, connection by connection
(the client's port names a connection; the servers' ports are given):

rttcheck.py rtt TSHARK FLOWS PORTS TOL_US
    TSHARK: lines of `tcp.srcport tcp.dstport tcp.analysis.initial_rtt`;
    each connection's rtt_us within TOL_US of tshark's initial RTT (its
    first SYN to the ACK that completes the handshake).
rttcheck.py span TSHARK FLOWS PORTS TOL_US
    TSHARK: lines of `tcp.srcport tcp.dstport frame.time_epoch`; each
    record's start and end within TOL_US of its first and last frame.

Prints "OK N" when every connection tshark has has a record within the
tolerance and no record lacks one, else what differs."""
import datetime
import decimal
import json
import sys

mode, fields, flows, ports, tol = sys.argv[1:6]
tol = float(tol)
servers = {int(p) for p in ports.split(",")}


def client_of(sport, dport):
    return sport if dport in servers else dport


def epoch_us(iso):  # "2026-12-07T04:34:18.123456Z"
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")
    t = t.replace(tzinfo=datetime.timezone.utc)
    return decimal.Decimal(int(t.timestamp())) * 1000000 + t.microsecond


oracle = {}
for line in open(fields):
    parts = line.split()
    if len(parts) < 3:
        continue
    if int(parts[0]) not in servers and int(parts[1]) not in servers:
        continue  # another conversation (a generator's stream)
    client = client_of(int(parts[0]), int(parts[1]))
    if mode == "rtt":
        oracle.setdefault(client, float(parts[2].split(",")[0]) * 1e6)
    else:
        t = decimal.Decimal(parts[2]) * 1000000
        lo, hi = oracle.get(client, (t, t))
        oracle[client] = (min(lo, t), max(hi, t))
records = {}
for line in open(flows):
    d = json.loads(line)
    if d.get("type") != "flow" or d.get("dst_port") not in servers:
        continue
    if mode == "rtt":
        records[d["src_port"]] = d.get("rtt_us")
    else:
        records[d["src_port"]] = (epoch_us(d["start"]), epoch_us(d["end"]))
bad = []
for port, want in sorted(oracle.items()):
    got = records.get(port)
    if mode == "rtt":
        if got is None or abs(got - want) > tol:
            bad.append(f"port {port}: tshark {want:.1f} us, xdpi {got}")
    elif got is None or any(abs(float(g - w)) > tol for g, w in zip(got, want)):
        bad.append(f"port {port}: tshark {[str(w) for w in want]} us, xdpi "
                   f"{got and [str(g) for g in got]}")
missing = sorted(set(records) - set(oracle))
if missing:
    bad.append(f"records tshark does not have: {missing}")
if not oracle:
    bad.append("tshark has no connection")
print("OK %d" % len(oracle) if not bad else "; ".join(bad[:6]))
