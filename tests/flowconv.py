#!/usr/bin/env python3
"""Flow records of `xdpi read --json-lines` against tshark's conversations,
for tests/t_flows_conv.sh.

  flowconv.py PCAP JSONL FLOW_TIMEOUT_S CLOSED_TIMEOUT_S

Prints one line per check, "ok NAME" or "fail NAME<tab>DETAILS", and
"count RULE N" lines: how often each rule below applied (RULE "records":
the records compared).

Two sides, both from tshark (4.0), never from the bytes or from xdpi:

1. The flows the definition (docs/flows.md) makes of tshark's per-frame
   fields: tests/oracle.py's reading of each frame (the one that checks
   `xdpi read --json`) gives its L3/L4 class, its addresses, the IP
   protocol number after the IPv6 extension walk, the ports when the TCP or
   UDP header is complete (else 0), the IP length, and tells the frames
   that are no IP packet to the parser (no flow); vlan.id of the first tag
   and the second occurrence (QinQ) give the VLAN ids, frame.time_epoch the
   time. Frames with the same key (IP version, protocol, both VLAN ids, the
   two endpoints in either order) form one flow. A flow ends when its key has been idle for its
   timeout, FLOW_TIMEOUT_S, or CLOSED_TIMEOUT_S once a FIN or RST was seen
   in it, and the next frame of the key starts a new record. The table is
   maintained every CLOSED_TIMEOUT_S / 2 of capture time, so a flow ends at
   most that long after its timeout passed: a gap of at least timeout +
   period splits, a gap below the timeout does not, and a gap in between
   may do either (xdpi's choice is taken, and counted). Each expected
   record is held to one xdpi record: src and dst (the initiator: of the
   first segment with SYN set, its sender, or a SYN-ACK's receiver; else
   the first frame's sender), proto, vlan, inner_vlan, and per endpoint
   as the record names them, packets, bytes (frame.len) and IP bytes
   (ip.len, 40 + ipv6.plen), start and end.
2. tshark's own conversation tables (`-z conv,tcp -z conv,udp`): every row,
   merged by endpoints, must be exactly the flows of step 1 with those
   endpoints and protocol, summed, plus the frames tshark puts in a TCP or
   UDP conversation that no flow with those ports holds. Where the two
   legitimately differ, by rule (each counted):
   a. VLANs: tshark's conversation ignores tags; the flow key has both
      VLAN ids (outer and QinQ's inner): one conversation, one record per
      pair of tags.
   b. Restarts: a UDP conversation is one for tshark however long its
      silences, a TCP one until a new SYN; the flow ends once idle for its
      timeout and the next frame starts a new record (step 1's rule).
   c. A 4-tuple reused: tshark starts a new tcp.stream at a SYN with a
      new ISN after the connection completed or closed, and so does xdpi
      (the record before ends "reuse"): a new expected record at a SYN
      whose tcp.stream is not its record's. Both split there; counted
      because tshark's conversation table still merges the two.
   d. Frames tshark counts in a TCP or UDP conversation whose flow has no
      ports: IPv6 behind an AH header (xdpi's walk stops at AH: protocol
      51; tshark dissects the TCP or UDP behind it), and a UDP header
      whose length is wrong (udp_bad_length: not complete for xdpi, ports
      0; tshark counts the datagram). tshark's TCP table leaves out a
      header cut short and one with a data offset below 5 (it numbers the
      latter's stream all the same): no difference there.
   e. Behind a third VLAN tag: the parser stops after two tags (l3 other),
      so the frame is in no flow; tshark dissects it and counts it.
   f. Flows without ports: ICMP, ICMPv6, other protocols, IP fragments
      after the first, TCP headers cut short or with a data offset below
      5 (tshark's TCP dissector rejects those before its conversation
      table sees them). tshark has no TCP/UDP conversation for them; they
      are held to step 1 only.
      Headers quoted inside ICMP errors get a tcp.stream or udp.stream
      number too, but count in no conversation of tshark's, and xdpi
      counts their frames in the ICMP flow.
   The byte counts of the tables are exact below 10,000 bytes; above,
   tshark prints them in kB or MB, and they are compared to within one
   of that unit.
"""
import datetime
import importlib.util
import ipaddress
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("oracle", os.path.join(HERE, "oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)

EXTRA = ["frame.time_epoch", "vlan.id", "tcp.stream", "udp.stream"]
# tshark numbers the stream of such a TCP header but leaves the frame out
# of its conversation table.
TCP_REFUSED = "Bogus TCP header length"
PROTO_NUM = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "sctp": 132}
TCP, UDP = 6, 17
FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10
US = 1000000


def usec(epoch):
    sec, _, frac = epoch.partition(".")
    return int(sec) * US + int((frac + "000000")[:6])


def rfc3339(us):
    t = datetime.datetime.fromtimestamp(us // US, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (us % US)


def ep(addr, port):
    a = ipaddress.ip_address(addr)
    return (a.version, a.packed, port)


def ep_text(e):
    return "%s:%d" % (ipaddress.ip_address(e[1]), e[2])


class Expected:
    """One record as the definition makes it."""

    def __init__(self, key, t):
        self.key, self.first, self.last = key, t, t
        self.frames = []  # (time, sender endpoint, wire, ip_len, tcp flags or None)
        self.fnos = []  # their frame numbers
        self.closing = False  # a FIN or RST seen
        self.streams = set()  # tshark's tcp.stream numbers of its frames
        self.reuse = False  # started by a SYN that reused the 4-tuple (rule c)

    def initiator(self):
        # The first segment with SYN set decides: its sender, or a SYN-ACK's
        # receiver; without one, the first frame's sender.
        for _, sender, _, _, fl in self.frames:
            if fl is not None and fl & SYN:
                return other(self.key, sender) if fl & ACK else sender
        return self.frames[0][1]


def other(key, e):
    return key[3] if e == key[4] else key[4]


def frames_of(pcap):
    """(flows keyed, frames per tshark tuple outside the flow key, problems)."""
    rows = oracle.run_tshark(pcap, EXTRA)
    keyed, stray, probs = {}, {}, []
    for fno, r in enumerate(rows, 1):
        f = oracle.dissect(r, fno)
        # Frames tshark's TCP/UDP conversations count (a stream number,
        # not inside an ICMP error, not a TCP header length tshark refuses)
        # that no flow with those ports holds.
        for proto, name in ((TCP, "tcp"), (UDP, "udp")):
            if not r[name + ".stream"] or f.l4 in ("icmp", "icmpv6") or \
                    (f.src is not None and f.proto == proto and f.ports) or \
                    (proto == TCP and oracle.Verdicts(r).msg(TCP_REFUSED)):
                continue
            sa, sb = stream_ends(r, name, fno)
            k = (proto,) + tuple(sorted([sa, sb]))
            why = "e" if f.src is None else "d"
            d = stray.setdefault(k, {})
            c = d.setdefault(sa, [0, 0, {}])
            c[0] += 1
            c[1] += int(r["frame.len"][0])
            c[2][why] = c[2].get(why, 0) + 1
        if f.src is None:
            continue  # no flow: not IP, or no accepted IP header
        if oracle.UNKNOWN in (f.src, f.dst, f.proto, f.ip_len):
            probs.append("frame %d: tshark gives no address or protocol for it" % fno)
            continue
        sp, dp = f.ports or (0, 0)
        a, b = ep(f.src[1], sp), ep(f.dst, dp)
        ids = r["vlan.id"] if f.ntags else []
        vlan = (int(ids[0]) if ids else 0, int(ids[1]) if f.ntags > 1 and len(ids) > 1 else 0)
        key = (a[0], f.proto, vlan) + tuple(sorted([a, b]))
        flags = f.tcp[0] if f.tcp else None
        t = usec(r["frame.time_epoch"][0])
        wire = int(r["frame.len"][0])
        stream = r["tcp.stream"][0] if f.ports and f.proto == TCP and r["tcp.stream"] else None
        keyed.setdefault(key, []).append((t, a, wire, f.ip_len, flags, fno, stream))
    return keyed, stray, probs


def stream_ends(r, name, fno):
    """The endpoints tshark's conversation of a frame has: the ports of its
    first TCP (UDP) layer, the addresses of the IP layer right before it."""
    protos = r["frame.protocols"][0].split(":")
    at = protos.index(name)
    ip = next((p for p in reversed(protos[:at]) if p in ("ip", "ipv6")), None)
    k = protos[:at].count(ip) - 1
    if ip is None or len(r[ip + ".src"]) <= k:
        raise oracle.OracleError("frame %d: no addresses for its %s conversation" % (fno, name))
    return (ep(r[ip + ".src"][k], int(r[name + ".srcport"][0])),
            ep(r[ip + ".dst"][k], int(r[name + ".dstport"][0])))


def conv_tables(pcap):
    """tshark's TCP and UDP conversation rows, merged by endpoints:
    {(proto, ep, ep): {ep: [frames sent, bytes sent (exact or (n, unit))]}}."""
    cmd = ["tshark", "-n", "-r", pcap, "-q", "-o", "ip.defragment:FALSE",
           "-o", "ipv6.defragment:FALSE", "-o", "ip.tso_support:FALSE",
           "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE",
           "-o", "vlan.qinq_ethertype:0x88a8", "-z", "conv,tcp", "-z", "conv,udp"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        raise SystemExit("tshark -z conv failed: %s" % p.stderr.strip())
    row = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\w+)\s")
    out, proto, nrows = {}, None, 0
    for line in p.stdout.split("\n"):
        if line.startswith("TCP Conversations"):
            proto = TCP
        elif line.startswith("UDP Conversations"):
            proto = UDP
        m = row.match(line)
        if not m or proto is None:
            if "<->" in line:
                raise SystemExit("unexpected conversation line: %r" % line)
            continue
        nrows += 1
        a_s, b_s = m.group(1).rsplit(":", 1), m.group(2).rsplit(":", 1)
        a, b = ep(a_s[0], int(a_s[1])), ep(b_s[0], int(b_s[1]))
        k = (proto,) + tuple(sorted([a, b]))
        d = out.setdefault(k, {a: [0, []], b: [0, []]})
        # "<-" is B to A, "->" A to B.
        d[b][0] += int(m.group(3))
        d[b][1].append((int(m.group(4)), m.group(5)))
        d[a][0] += int(m.group(6))
        d[a][1].append((int(m.group(7)), m.group(8)))
    return out, nrows


UNITS = {"bytes": 1, "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}


def bytes_match(printed, exact):
    """tshark's printed byte counts (one per row merged) against the exact
    sum of what those rows hold: a row printed in kB or MB is only known to
    within one of its unit."""
    lo = hi = 0
    for n, unit in printed:
        u = UNITS.get(unit)
        if u is None:
            return False
        lo += n * u if u == 1 else (n - 1) * u
        hi += n * u if u == 1 else (n + 1) * u
    return lo <= exact <= hi


def segment(keyed, flow_to, closed_to, xdpi_starts):
    """The records the definition expects, per key, and the gaps in the
    band where either choice is allowed."""
    period = closed_to // 2
    out, either = {}, 0
    for key, frames in keyed.items():
        frames.sort(key=lambda x: (x[0], x[5]))
        recs = []
        cur = None
        for t, sender, wire, ip_len, flags, fno, stream in frames:
            if cur is not None:
                timeout = closed_to if cur.closing else flow_to
                gap = t - cur.last
                split = gap >= timeout + period
                if timeout <= gap < timeout + period:
                    either += 1
                    split = t in xdpi_starts.get(key, ())
                # A SYN that starts a new tcp.stream of tshark's on the
                # same 4-tuple is a new connection for both (rule c).
                reuse = (not split and stream is not None and cur.streams and
                         stream not in cur.streams and flags is not None and
                         flags & (SYN | ACK | RST) == SYN)
                if split or reuse:
                    cur = None
            else:
                reuse = False
            if cur is None:
                cur = Expected(key, t)
                cur.reuse = reuse
                recs.append(cur)
            cur.last = t
            cur.frames.append((t, sender, wire, ip_len, flags))
            cur.fnos.append(fno)
            if stream is not None:
                cur.streams.add(stream)
            if flags is not None and flags & (FIN | RST):
                cur.closing = True
        out[key] = recs
    return out, either


def xdpi_records(jsonl):
    flows, probs = [], []
    with open(jsonl, "rb") as f:
        for n, line in enumerate(f, 1):
            try:
                o = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                probs.append("line %d does not parse: %s" % (n, e))
                continue
            if isinstance(o, dict) and o.get("type") == "flow":
                flows.append(o)
    keyed = {}
    for r in flows:
        try:
            a, b = ep(r["src_ip"], r["src_port"]), ep(r["dst_ip"], r["dst_port"])
            # A name, else the number (as a string of its digits).
            proto = PROTO_NUM[r["proto"]] if r["proto"] in PROTO_NUM else int(r["proto"])
            vlan = (r["vlan"] or 0, r.get("inner_vlan") or 0)
            start = usec("%d.%s" % (
                int(datetime.datetime.strptime(r["start"][:19], "%Y-%m-%dT%H:%M:%S")
                    .replace(tzinfo=datetime.timezone.utc).timestamp()), r["start"][20:26]))
        except (KeyError, ValueError, TypeError) as e:
            probs.append("a flow record without its key (%s): %s" % (e, json.dumps(r)[:200]))
            continue
        key = (a[0], proto, vlan) + tuple(sorted([a, b]))
        keyed.setdefault(key, []).append((start, a, b, r))
    for recs in keyed.values():
        recs.sort(key=lambda x: x[0])
    return flows, keyed, probs


def frame_list(fnos):
    return ",".join(map(str, fnos[:4])) + (",..." if len(fnos) > 4 else "")


def label(key):
    return "%s %s <-> %s vlan %s" % ({TCP: "tcp", UDP: "udp"}.get(key[1], "proto %d" % key[1]),
                                     ep_text(key[3]), ep_text(key[4]),
                                     "%d" % key[2][0] if not key[2][1] else "%d.%d" % key[2])


def compare(pcap, jsonl, flow_to, closed_to):
    out = []

    def group(name, probs):
        if probs:
            more = " (and %d more)" % (len(probs) - 8) if len(probs) > 8 else ""
            out.append("fail %s\t%s%s" % (name, "; ".join(probs[:8]), more))
        else:
            out.append("ok %s" % name)

    keyed, stray, probs = frames_of(pcap)
    flows, xkeyed, xprobs = xdpi_records(jsonl)
    group("every line of --json-lines parses, every flow record has its key (%d flow records)"
          % len(flows), xprobs)
    group("every IP frame has its address and protocol in tshark's fields", probs)
    starts = {k: {s for s, _, _, _ in v} for k, v in xkeyed.items()}
    want, either = segment(keyed, flow_to, closed_to, starts)
    nwant = sum(len(v) for v in want.values())
    if nwant == 0 or not flows:
        group("flows compared", ["none: %d expected, %d records" % (nwant, len(flows))])
        return out

    # Keys and records per key.
    probs = []
    for k in sorted(set(want) | set(xkeyed)):
        w, x = len(want.get(k, [])), len(xkeyed.get(k, []))
        if w != x:
            probs.append("%s: %d records (%s), want %d (%s)" % (
                label(k), x, ", ".join("%s..%s %s" % (r["start"][11:], r["end"][11:],
                                                       r.get("end_reason"))
                                       for _, _, _, r in xkeyed.get(k, [])),
                w, ", ".join("frames %s" % frame_list(e.fnos) for e in want.get(k, []))))
    nsplit = sum(1 for v in want.values() if len(v) > 1)
    group("one record per flow key and idle period: %d records of %d keys (%d keys ended and "
          "restarted)" % (nwant, len(want), nsplit), probs)
    out.append("count b %d" % nsplit)
    out.append("count either %d" % either)

    pairs = []
    for k, recs in want.items():
        xs = xkeyed.get(k, [])
        if len(xs) == len(recs):
            pairs += [(k, e, x) for e, x in zip(recs, xs)]

    def per_record(name, fn):
        probs = []
        for k, e, x in pairs:
            for what, got, exp in fn(k, e, x):
                if got != exp or type(got) is not type(exp):
                    probs.append("%s, frames %s: %s got %s, want %s" % (
                        label(k), frame_list(e.fnos), what, json.dumps(got), json.dumps(exp)))
        group(name + " (%d records)" % len(pairs), probs)

    def ends(k, e, x):
        init = e.initiator()
        return [("src", ep_text(x[1]), ep_text(init)),
                ("dst", ep_text(x[2]), ep_text(other(k, init)))]
    per_record("per record: src and dst ip:port (src the initiator)", ends)

    def counts(k, e, x):
        # Per endpoint as the record names them (to server: from its src),
        # so that a src/dst swapped fails the check above only.
        r = x[3]
        res = []
        for side, suffix in ((x[1], "toserver"), (x[2], "toclient")):
            fr = [f for f in e.frames if f[1] == side]
            res += [("packets_" + suffix, r.get("packets_" + suffix), len(fr)),
                    ("bytes_" + suffix, r.get("bytes_" + suffix), sum(f[2] for f in fr)),
                    ("ip_bytes_" + suffix, r.get("ip_bytes_" + suffix), sum(f[3] for f in fr))]
        res += [("packets", r.get("packets"), len(e.frames)),
                ("bytes", r.get("bytes"), sum(f[2] for f in e.frames))]
        return res
    per_record("per record: packets, bytes (frame.len) and IP bytes each way", counts)

    def times(k, e, x):
        return [("start", x[3].get("start"), rfc3339(e.first)),
                ("end", x[3].get("end"), rfc3339(e.last))]
    per_record("per record: start and end (first and last frame)", times)

    # tshark's conversation tables against the flows, by the rules.
    conv, nrows = conv_tables(pcap)
    merged, vlans = {}, {}
    for k, recs in want.items():
        if k[1] not in (TCP, UDP) or k[3][2] == 0 and k[4][2] == 0:
            continue
        ck = (k[1], k[3], k[4])
        d = merged.setdefault(ck, {k[3]: [0, 0], k[4]: [0, 0]})
        vlans.setdefault(ck, set()).add(k[2])
        for e in recs:
            for _, sender, wire, _, _ in e.frames:
                d[sender][0] += 1
                d[sender][1] += wire
    nstray = {}
    for ck, d in stray.items():
        m = merged.setdefault(ck, {ck[1]: [0, 0], ck[2]: [0, 0]})
        for side, (n, b, why) in d.items():
            m[side][0] += n
            m[side][1] += b
            for w, c in why.items():
                nstray[w] = nstray.get(w, 0) + c
    probs = []
    for ck in sorted(set(conv) | set(merged)):
        c, m = conv.get(ck), merged.get(ck)
        name = "%s %s <-> %s" % ("tcp" if ck[0] == TCP else "udp", ep_text(ck[1]), ep_text(ck[2]))
        if c is None or m is None:
            probs.append("%s: %s" % (name, "no tshark conversation" if c is None else
                                     "in tshark's table only (%s)" % c))
            continue
        for side in (ck[1], ck[2]):
            if c[side][0] != m[side][0] or not bytes_match(c[side][1], m[side][1]):
                probs.append("%s from %s: tshark %d frames %s, flows %d frames %d bytes"
                             % (name, ep_text(side), c[side][0],
                                "+".join("%d %s" % b for b in c[side][1]), m[side][0],
                                m[side][1]))
    multi_vlan = sum(1 for v in vlans.values() if len(v) > 1)
    group("tshark's conversation tables (%d rows) == the TCP/UDP flows with ports, merged over "
          "VLANs and restarts, plus the frames of rules d and e" % nrows, probs)
    reuse = sum(1 for recs in want.values() for e in recs if e.reuse)
    out.append("count a %d" % multi_vlan)
    out.append("count c %d" % reuse)
    out.append("count d %d" % nstray.get("d", 0))
    out.append("count e %d" % nstray.get("e", 0))
    out.append("count f %d" % sum(len(v) for k, v in want.items() if not (k[3][2] or k[4][2])))
    out.append("count records %d" % len(pairs))
    return out


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        lines = compare(argv[1], argv[2], int(float(argv[3]) * US), int(float(argv[4]) * US))
    except oracle.OracleError as e:
        lines = ["fail oracle\t%s" % e]
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
