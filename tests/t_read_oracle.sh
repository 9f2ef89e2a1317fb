#!/bin/bash
# Cross-checks `xdpi read --json` against an independent oracle: tshark's
# dissection of the same file, turned into the same metrics by
# tests/oracle.py. For every case of tests/tool_pcapgen (and "mixed", all of
# them in one file) one TAP result per key group: totals, l3, l4, tcp_flags,
# distinct, tcp_payload_bytes, size_histogram, vlan, malformed (every
# reason), plus one that the read was clean (exit 0, nothing on stderr,
# truncated_file false, no untracked keys), one for xdpi's own sums and one
# that tshark's expert info agrees with the malformed frames the oracle
# finds. Then "mixed" as pcapng with two Ethernet interfaces (mergecap -I
# none).
# Malformed frames: every case of tests/mkmalformed.py (a file per reason:
# frames built to trigger it, near misses that must not, several problems
# in one frame) compared the same way, plus one result per case that the
# oracle sees in each frame what it was built for, and one per reason that
# some frame of this script triggers it (a reason no frame exercises fails).
# The oracle is required: without tshark this script fails, it never skips.
#   tests/t_read_oracle.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
GEN=$BUILD/tests/tool_pcapgen
ORACLE=$HERE/oracle.py
MKMAL=$HERE/mkmalformed.py
t_tmpdir

for tool in tshark editcap mergecap capinfos python3 tcpdump; do
	if ! command -v "$tool" >/dev/null; then
		t_fail "$tool is installed" "the tshark oracle needs it (Debian: tshark, python3)"
		t_done
		exit 1
	fi
done
t_require_built "$XDPI" "$GEN"

# compare NAME GOT.json WANT.json: one TAP result per key group.
compare() {
	local name=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "$name: ${line#ok }" ;;
		"fail "*)
			line=${line#fail }
			t_fail "$name: ${line%%:*}" "xdpi vs tshark: ${line#*: }"
			;;
		*) t_fail "$name: compare" "$line" ;;
		esac
	done < <(python3 "$ORACLE" --compare "$2" "$3" 2>&1)
}

# xdpi_json NAME FILE [STDERR_OK]: runs xdpi read --json FILE into
# $T_TMP/NAME.x.json and checks that the read was clean: nothing on stderr
# but lines matching the regex STDERR_OK, if given. Returns non-zero if
# there is no JSON.
xdpi_json() {
	local name=$1 file=$2 ok_err=${3:-} out=$T_TMP/$1.x.json err=$T_TMP/$1.x.err rc
	"$XDPI" read --json "$file" >"$out" 2>"$err"
	rc=$?
	if [ $rc != 0 ] || ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
		t_fail "$name: xdpi read" "exit $rc: $(head -c 400 "$err")"
		return 1
	fi
	local bad
	bad=$(python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
bad = []
if o.get("truncated_file") is not False: bad.append("truncated_file %r" % o.get("truncated_file"))
if o.get("distinct_untracked") != 0: bad.append("distinct_untracked %r" % o.get("distinct_untracked"))
print("; ".join(bad) or "OK")' "$out")
	if [ -n "$ok_err" ]; then
		grep -Evq "$ok_err" "$err" && bad="$bad stderr: $(grep -Ev "$ok_err" "$err" | head -c 300)"
	elif [ -s "$err" ]; then
		bad="$bad stderr: $(head -c 300 "$err")"
	fi
	if [ "$bad" != "OK" ]; then t_fail "$name: clean read" "$bad"; else t_ok "$name: clean read"; fi
	return 0
}

# Generate every file first, then run the oracles two at a time (tshark's
# start-up dominates) while xdpi reads them one by one.
cases=$("$GEN" --list) || { t_fail "tool_pcapgen --list"; t_done; exit 1; }
mixed=$T_TMP/mixed.pcap
png=$T_TMP/mixed.pcapng
oracle_files=()
for c in $cases snapped; do
	if "$GEN" "$c" "$T_TMP/$c.pcap"; then
		oracle_files+=("$c.pcap")
	else
		t_fail "$c: generate"
	fi
done
# The malformed frames, a file per reason.
mcases=$(python3 "$MKMAL" --list | grep -vx malformed_all) ||
	{ t_fail "mkmalformed.py --list"; t_done; exit 1; }
for c in $mcases; do
	if python3 "$MKMAL" "$c" "$T_TMP/$c.pcap"; then
		oracle_files+=("$c.pcap")
	else
		t_fail "$c: generate"
	fi
done
# The same traffic as pcapng with two interfaces: the first half of "mixed"
# on interface 0, the rest on interface 1.
n=$(capinfos -c -M -T -r "$mixed" 2>/dev/null | cut -f2)
if [ -z "$n" ] || [ "$n" -lt 2 ]; then
	t_fail "pcapng: mixed has frames" "capinfos: '$n'"
elif ! editcap -r "$mixed" "$T_TMP/a.pcap" "1-$((n / 2))" ||
	! editcap -r "$mixed" "$T_TMP/b.pcap" "$((n / 2 + 1))-$n" ||
	! mergecap -I none -F pcapng -w "$png" "$T_TMP/a.pcap" "$T_TMP/b.pcap"; then
	t_fail "pcapng: editcap/mergecap"
else
	oracle_files+=(mixed.pcapng)
fi
# Each oracle writes NAME.o.json, NAME.o.err and its exit status NAME.o.rc.
# shellcheck disable=SC2016
printf '%s\n' "${oracle_files[@]}" | (cd "$T_TMP" && xargs -P 2 -I{} sh -c \
	'n=${1%.*}; [ "$1" = mixed.pcapng ] && n=pcapng
	python3 "$0" "$1" >"$n.o.json" 2>"$n.o.err"; echo $? >"$n.o.rc"' "$ORACLE" {})

# oracle_ok NAME: the oracle's result is in $T_TMP/NAME.o.json.
oracle_ok() {
	if [ "$(cat "$T_TMP/$1.o.rc" 2>/dev/null)" != 0 ]; then
		t_fail "$1: oracle" "$(head -c 400 "$T_TMP/$1.o.err" 2>/dev/null)"
		return 1
	fi
}

for c in $cases; do
	[ -f "$T_TMP/$c.pcap" ] || continue
	xdpi_json "$c" "$T_TMP/$c.pcap" || continue
	oracle_ok "$c" || continue
	compare "$c" "$T_TMP/$c.x.json" "$T_TMP/$c.o.json"
done

# Malformed frames. Some are cut by a snap length, which xdpi rightly
# reports on stderr; nothing else may be there.
snap_warning='frames were captured shorter than on the wire'
for c in $mcases; do
	[ -f "$T_TMP/$c.pcap" ] || continue
	xdpi_json "$c" "$T_TMP/$c.pcap" "$snap_warning" || continue
	oracle_ok "$c" || continue
	compare "$c" "$T_TMP/$c.x.json" "$T_TMP/$c.o.json"
	# Each frame is what the generator built it for, as the oracle sees it
	# (a check of the generator and the oracle: a near miss the oracle took
	# for malformed, or a frame that triggers another reason than meant).
	if python3 "$MKMAL" "$c" --intent >"$T_TMP/$c.intent"; then
		t_eq "$c: every frame, as the oracle sees it, is what it was built for" \
			"$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["_malformed_frames"]
print("; ".join("%s %s" % (n, d.get(n, "ok")) for n, _ in map(str.split, open(sys.argv[2]))))' \
				"$T_TMP/$c.o.json" "$T_TMP/$c.intent")" \
			"$(paste -sd';' "$T_TMP/$c.intent" | sed 's/;/; /g')"
	else
		t_fail "$c: intents"
	fi
done
# Every reason of xdpi's (and of the oracle's) is triggered by some frame of
# this script, by both counts: a reason no test frame exercises fails.
while read -r res reason o x; do
	if [ "$res" = ok ]; then
		t_ok "malformed reason $reason exercised ($o frames by the oracle, $x by xdpi)"
	else
		t_fail "malformed reason $reason exercised" \
			"no test frame triggers it ($o frames by the oracle, $x by xdpi)"
	fi
done < <(python3 - "$T_TMP" "$ORACLE" <<'PY'
import glob, importlib.util, json, os, sys
tmp = sys.argv[1]
spec = importlib.util.spec_from_file_location("oracle", sys.argv[2])
oracle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oracle)
seen = {"oracle": {}, "xdpi": {}}
for who, suffix in (("oracle", ".o.json"), ("xdpi", ".x.json")):
    for path in glob.glob(os.path.join(tmp, "*" + suffix)):
        try:
            m = json.load(open(path)).get("malformed", {})
        except ValueError:
            continue
        for k, v in m.items():
            if k != "total" and isinstance(v, int):
                seen[who][k] = seen[who].get(k, 0) + v
names = list(oracle.REASONS) + sorted(set(seen["xdpi"]) - set(oracle.REASONS))
for k in names:
    o, x = seen["oracle"].get(k, 0), seen["xdpi"].get(k, 0)
    print("%s %s %d %d" % ("ok" if o > 0 and x > 0 else "fail", k, o, x))
PY
)

if [ -f "$png" ]; then
	ifaces=$(capinfos "$png" | sed -n 's/^Number of interfaces in file: *//p')
	t_eq "pcapng: file has two Ethernet interfaces" "$ifaces" 2
	if xdpi_json pcapng "$png" && oracle_ok pcapng; then
		compare pcapng "$T_TMP/pcapng.x.json" "$T_TMP/pcapng.o.json"
		# And the same numbers as from the pcap of the same frames.
		compare "pcapng vs pcap (xdpi)" "$T_TMP/pcapng.x.json" "$T_TMP/mixed.x.json"
	fi
fi

# Frames captured shorter than the wire (caplen < len, whole headers): by
# the definitions l4 and the TCP metrics come from the IP header, and tshark
# counts them so; xdpi must too (lengths checked against the wire length).
f=$T_TMP/snapped.pcap
if [ -f "$f" ] && "$XDPI" read --json "$f" >"$T_TMP/snapped.x.json" 2>/dev/null &&
	oracle_ok snapped; then
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "snapped: ${line#ok }" ;;
		"fail "*)
			line=${line#fail }
			t_fail "snapped: ${line%%:*}" "xdpi vs tshark: ${line#*: }"
			;;
		*) t_fail "snapped: compare" "$line" ;;
		esac
	done < <(python3 "$ORACLE" --compare "$T_TMP/snapped.x.json" "$T_TMP/snapped.o.json" 2>&1)
else
	t_fail "snapped: read"
fi


# --proto: xdpi's steering classes applied offline (the userspace mirror of
# the XDP program) select the frames the oracle selects by the class's
# definition from tshark's fields, and the metrics over them agree.
for flt in tcp udp ip; do
	if python3 "$ORACLE" --filter "$flt" "$mixed" >"$T_TMP/f_$flt.o.json" 2>"$T_TMP/f_$flt.o.err" &&
		"$XDPI" read --json --proto "$flt" "$mixed" >"$T_TMP/f_$flt.x.json" 2>/dev/null; then
		compare "mixed --proto $flt" "$T_TMP/f_$flt.x.json" "$T_TMP/f_$flt.o.json"
	else
		t_fail "mixed --proto $flt: oracle and read" "$(head -c 300 "$T_TMP/f_$flt.o.err")"
	fi
done

# pcap-filter expressions (`xdpi read FILE EXPRESSION...`, libpcap's
# semantics). Two oracles over "mixed":
#   tcpdump -r FILE -w - EXPR | xdpi read -   tcpdump runs the same libpcap
#       compiler and interpreter, so this checks xdpi's plumbing: every
#       metric of the frames it selects, exactly;
#   tshark -Y DISPLAY_FILTER                  an independent dissector, where
#       a display filter says exactly what the expression does (untagged
#       frames, the first IP header, no reassembly, an IPv4 port only in a
#       first fragment); the frames it selects, read by xdpi, must give the
#       same metrics. "-": no display filter says it exactly (tags, loads
#       past a short frame, which reject even under `not`): tcpdump only.
# tcpdump drops root for its own user after opening its files; -Z keeps
# root, so that the result is the same either way.
tcpdump_user=()
[ "$(id -u)" = 0 ] && tcpdump_user=(-Z root)
packets() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' "$1"; }
while IFS='|' read -r expr dfilter; do
	[ -z "$expr" ] && continue
	n=${expr//[^a-z0-9]/_}
	# shellcheck disable=SC2086 # the expression as separate words, tcpdump style
	if ! "$XDPI" read --json "$mixed" $expr >"$T_TMP/e_$n.x.json" 2>"$T_TMP/e_$n.x.err"; then
		t_fail "mixed '$expr': xdpi read" "$(head -c 300 "$T_TMP/e_$n.x.err")"
		continue
	fi
	if tcpdump "${tcpdump_user[@]}" -r "$mixed" -w - "$expr" 2>"$T_TMP/e_$n.t.err" |
		"$XDPI" read --json - >"$T_TMP/e_$n.t.json" 2>>"$T_TMP/e_$n.t.err"; then
		compare "mixed '$expr' ($(packets "$T_TMP/e_$n.x.json") frames) vs tcpdump" \
			"$T_TMP/e_$n.x.json" "$T_TMP/e_$n.t.json"
	else
		t_fail "mixed '$expr': tcpdump | xdpi read -" "$(head -c 300 "$T_TMP/e_$n.t.err")"
	fi
	[ "$dfilter" = "-" ] && continue
	if tshark -o ip.defragment:FALSE -o ipv6.defragment:FALSE -r "$mixed" -Y "$dfilter" \
		-F pcap -w "$T_TMP/e_$n.pcap" 2>"$T_TMP/e_$n.s.err" &&
		"$XDPI" read --json "$T_TMP/e_$n.pcap" >"$T_TMP/e_$n.s.json" 2>>"$T_TMP/e_$n.s.err"; then
		compare "mixed '$expr' vs tshark -Y" "$T_TMP/e_$n.x.json" "$T_TMP/e_$n.s.json"
	else
		t_fail "mixed '$expr': tshark -Y" "$(head -c 300 "$T_TMP/e_$n.s.err")"
	fi
done <<'CASES'
tcp port 80|(eth.type == 0x0800 && ip.proto#1 == 6 && ip.frag_offset#1 == 0 && tcp.port#1 == 80) || (eth.type == 0x86dd && ipv6.nxt#1 == 6 && tcp.port#1 == 80)
udp and src net 10.0.0.0/8|eth.type == 0x0800 && ip.proto#1 == 17 && ip.src#1 == 10.0.0.0/8
ip6 and tcp|eth.type == 0x86dd && (ipv6.nxt#1 == 6 || (ipv6.nxt#1 == 44 && ipv6.fraghdr.nxt#1 == 6))
icmp or arp|eth.type == 0x0806 || (eth.type == 0x0800 && ip.proto#1 == 1)
tcp[tcpflags] & tcp-syn != 0|eth.type == 0x0800 && ip.proto#1 == 6 && ip.frag_offset#1 == 0 && tcp.flags.syn#1 == 1
host 192.0.2.10|(eth.type == 0x0800 && (ip.src#1 == 192.0.2.10 || ip.dst#1 == 192.0.2.10)) || (eth.type == 0x0806 && (arp.src.proto_ipv4 == 192.0.2.10 || arp.dst.proto_ipv4 == 192.0.2.10))
greater 1000|frame.len >= 1000
not tcp|-
vlan and tcp|-
vlan and vlan and udp|-
ip[6:2] & 0x1fff != 0 or ip6[6] = 44|-
(tcp)|-
tcp|-
udp|-
ip|-
CASES

# A word pcap-filter knows means what it means there (issue 31): `udp` as
# the filter (after FILE or with --filter) is tcpdump's (the cases above
# hold each to tcpdump); xdpi's class, which looks past VLAN tags and IPv6
# extension headers, is --proto and selects more on this capture.
"$XDPI" read --json --filter udp "$mixed" >"$T_TMP/kwf.json" 2>/dev/null
"$XDPI" read --json --proto udp "$mixed" >"$T_TMP/kwp.json" 2>/dev/null
"$XDPI" read --json --proto tcp "$mixed" >"$T_TMP/kwt.json" 2>/dev/null
t_eq "read --filter udp is read FILE udp (libpcap's)" "$(packets "$T_TMP/kwf.json" 2>/dev/null)" \
	"$(packets "$T_TMP/e_udp.x.json" 2>/dev/null)"
for w in udp tcp; do
	k=$(packets "$T_TMP/kw${w:0:1}.json" 2>/dev/null)
	[ "$w" = udp ] && k=$(packets "$T_TMP/kwp.json" 2>/dev/null)
	e=$(packets "$T_TMP/e_$w.x.json" 2>/dev/null)
	if [ -n "$k" ] && [ -n "$e" ] && [ "$k" -gt "$e" ]; then
		t_ok "--proto $w ($k frames) selects more than libpcap's $w ($e)"
	else
		t_fail "--proto $w selects more than libpcap's $w" "--proto '$k', $w '$e'"
	fi
done

# Linux cooked captures (SLL: `tcpdump -i any`; SLL2) and raw IP: the same
# frames under another link header read to the same metrics (lengths count
# as Ethernet, docs/metrics.md). The conversion is checked by tshark: it
# reads the converted file to the same frames and IP sources.
relink() { # relink IN OUT sll|sll2|raw
	python3 - "$@" <<'PY'
import struct, sys
src, dst, kind = sys.argv[1:4]
d = open(src, "rb").read()
out = [d[:20] + struct.pack("<I", {"sll": 113, "sll2": 276, "raw": 101}[kind])]
off = 24
while off < len(d):
    sec, usec, cap, wire = struct.unpack_from("<IIII", d, off)
    f = d[off + 16:off + 16 + cap]
    off += 16 + cap
    if cap < 14:  # a cut Ethernet header: a cut link header, as short
        n = {"sll": 16, "sll2": 20, "raw": 0}[kind]
        if kind != "raw":
            out.append(struct.pack("<IIII", sec, usec, max(0, cap - 14 + n), wire - 14 + n)
                       + bytes(max(0, cap - 14 + n)))
        continue
    etype = struct.unpack_from(">H", f, 12)[0]
    if kind == "sll":
        hdr = struct.pack(">HHH6s2sH", 0, 1, 6, f[6:12], b"\0\0", etype)
    elif kind == "sll2":
        hdr = struct.pack(">HHIHBB6s2s", etype, 0, 1, 1, 0, 6, f[6:12], b"\0\0")
    else:
        if etype not in (0x0800, 0x86DD):
            continue  # raw IP has no room for other frames
        hdr = b""
    nf = hdr + f[14:]
    out.append(struct.pack("<IIII", sec, usec, len(nf), wire - 14 + len(hdr)) + nf)
open(dst, "wb").write(b"".join(out))
PY
}
"$GEN" mixed "$T_TMP/links.pcap"
"$GEN" handshakes "$T_TMP/hs.pcap"
for kind in sll sll2; do
	relink "$T_TMP/links.pcap" "$T_TMP/links.$kind.pcap" "$kind"
	t_eq "$kind: tshark reads the same frames and sources" \
		"$(tshark -r "$T_TMP/links.$kind.pcap" -T fields -e ip.src -e ipv6.src 2>/dev/null | md5sum)" \
		"$(tshark -r "$T_TMP/links.pcap" -T fields -e ip.src -e ipv6.src 2>/dev/null | md5sum)"
	"$XDPI" read --json "$T_TMP/links.pcap" >"$T_TMP/links.eth.json"
	"$XDPI" read --json "$T_TMP/links.$kind.pcap" >"$T_TMP/links.$kind.json"
	t_eq "$kind: xdpi read gives the Ethernet file's metrics" \
		"$(json "$T_TMP/links.$kind.json" '{k: v for k, v in d.items() if k not in ("truncated_file", "file")}')" \
		"$(json "$T_TMP/links.eth.json" '{k: v for k, v in d.items() if k not in ("truncated_file", "file")}')"
done
relink "$T_TMP/hs.pcap" "$T_TMP/hs.raw.pcap" raw
"$XDPI" read --json "$T_TMP/hs.pcap" >"$T_TMP/hs.eth.json"
"$XDPI" read --json "$T_TMP/hs.raw.pcap" >"$T_TMP/hs.raw.json"
t_eq "raw IP: xdpi read gives the Ethernet file's metrics" \
	"$(json "$T_TMP/hs.raw.json" '(d["packets"], d["bytes"], d["l4"], d["tcp_flags"], d["tcp_directions"])')" \
	"$(json "$T_TMP/hs.eth.json" '(d["packets"], d["bytes"], d["l4"], d["tcp_flags"], d["tcp_directions"])')"

t_done
