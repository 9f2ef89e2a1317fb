#!/bin/bash
# `xdpi read` of classic pcap files, which it reads with its own reader
# (inspect/pcapbuf.c) and not libpcap's, on the files where readers differ:
# either byte order, microsecond and nanosecond magic, a snapshot length of
# 0, captured lengths past the snapshot length, a record cut in its header
# or its data, a captured length past any snapshot length (corrupt), a
# file shorter than its header, and one of 3 MiB whose records cross the
# 1 MiB read buffer. Oracles: tshark (its own reader, wiretap) for the
# number of frames, their wire bytes and the time span; tcpdump (libpcap)
# for everything else: `tcpdump -r FILE -w -` piped into `xdpi read -`,
# which goes through libpcap, must give every metric the same, and
# tcpdump's verdict on a broken file (its message) must be xdpi's.
#   tests/t_pcapbuf.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_tmpdir

t_require_built "$XDPI"
for t in tshark tcpdump /usr/bin/python3; do
	command -v "$t" >/dev/null || {
		t_skip "pcapbuf" "$t is not installed (make deps)"
		t_done
		exit 0
	}
done
tcpdump_user=()
[ "$(id -u)" = 0 ] && tcpdump_user=(-Z "$(id -un)")

# The files: N frames of 60 to 1514 bytes (TCP and UDP over IPv4, some
# VLAN-tagged), time stamps with sub-second parts, then the variant.
/usr/bin/python3 - "$T_TMP" <<'EOF'
import random, struct, sys

d = sys.argv[1]
r = random.Random(24)

def frame(i):
    size = r.choice([60, 64, 128, 590, 1000, 1514, r.randrange(60, 1515)])
    tag = b"\x81\x00" + struct.pack("!H", 100 + i % 7) if i % 5 == 0 else b""
    l4 = 6 if i % 3 else 17
    ip_len = size - 14 - len(tag)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, i & 0xffff, 0, 64, l4, 0,
                     bytes([10, 0, i % 50, 1]), bytes([192, 0, 2, 1 + i % 9]))
    if l4 == 6:
        hdr = struct.pack("!HHIIBBHHH", 1024 + i % 300, 80 + i % 4, i, 0, 0x50, 0x18, 512, 0, 0)
    else:
        hdr = struct.pack("!HHHH", 5000 + i % 40, 53, ip_len - 20, 0)
    body = ip + hdr
    body += bytes(r.randrange(256) for _ in range(ip_len - len(body)))
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02" + tag + b"\x08\x00" + body

def write(name, n, endian="<", nano=False, snaplen=65535, cut=None, edit=None):
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, 1)]
    t = 1700000000
    for i in range(n):
        f = frame(i)
        frac = r.randrange(10**9 if nano else 10**6)
        t += r.randrange(3)
        out.append(struct.pack(endian + "IIII", t, frac, len(f), len(f)) + f)
    if edit:
        edit(out)
    data = b"".join(out)
    if cut is not None:
        data = data[:cut(data, out)]
    open(f"{d}/{name}.pcap", "wb").write(data)

def huge(out):  # the third record claims 300000 captured bytes
    ts, frac, cap, wire = struct.unpack("<IIII", out[3][:16])
    out[3] = struct.pack("<IIII", ts, frac, 300000, 300000) + out[3][16:]

write("le_us", 200)
write("be_us", 200, endian=">")
write("le_ns", 200, nano=True)
write("be_ns", 200, endian=">", nano=True)
write("snap0", 100, snaplen=0)
write("oversnap", 100, snaplen=40)  # captured lengths past the snapshot length, inside L4
write("oversnap_be", 100, endian=">", snaplen=50)
write("cut_data", 50, cut=lambda d, o: len(d) - 10)   # 10 bytes short of its last frame
write("cut_header", 50, cut=lambda d, o: len(d) - len(o[-1]) + 9)  # 9 bytes of its last header
write("huge", 20, edit=huge)
write("short", 3, cut=lambda d, o: 20)          # 20 of the file header's 24 bytes
write("big", 3500)                               # about 3 MiB: records across refills
EOF

# xdpi_vs_libpcap NAME: every metric of `xdpi read FILE` (pcapbuf) against
# the same file as libpcap reads it (tcpdump -w -, then xdpi read - ).
xdpi_vs_libpcap() {
	local f=$T_TMP/$1.pcap
	"$XDPI" read --json "$f" >"$T_TMP/$1.buf.json" 2>"$T_TMP/$1.buf.err"
	echo $? >"$T_TMP/$1.buf.rc"
	tcpdump "${tcpdump_user[@]}" --time-stamp-precision=nano -r "$f" -w - 2>/dev/null |
		"$XDPI" read --json - >"$T_TMP/$1.lib.json" 2>/dev/null
	/usr/bin/python3 - "$T_TMP/$1.buf.json" "$T_TMP/$1.lib.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("file", "version", "truncated_file"):
    a.pop(k, None); b.pop(k, None)
print("same" if a == b else "differ: " + ", ".join(k for k in a if a.get(k) != b.get(k)))
EOF
}

# tshark's frames: count, wire bytes, time span (s).
tshark_sums() {
	tshark -r "$1" -T fields -e frame.len -e frame.time_epoch 2>/dev/null |
		awk 'NR == 1 { f = $2 } { n++; b += $1; l = $2 } END { printf "%d %d %.6f\n", n, b, l - f }'
}

xdpi_sums() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["packets"], d["bytes"], "%.6f" % d["duration_s"])' "$1"
}

for name in le_us be_us le_ns be_ns snap0 oversnap oversnap_be big; do
	out=$(xdpi_vs_libpcap "$name")
	t_eq "$name: every metric as libpcap reads the file (tcpdump -w -)" "$out" same
	t_eq "$name: frames, wire bytes, time span as tshark reads them" \
		"$(xdpi_sums "$T_TMP/$name.buf.json")" "$(tshark_sums "$T_TMP/$name.pcap")"
done

# Cut in its last record: the frames before it, a warning, exit 0.
for name in cut_data cut_header; do
	out=$(xdpi_vs_libpcap "$name")
	t_eq "$name: exit 0" "$(cat "$T_TMP/$name.buf.rc")" 0
	t_check "$name: warns that the file is cut" grep -q "warning.*truncated dump file" \
		"$T_TMP/$name.buf.err"
	t_eq "$name: truncated_file" "$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["truncated_file"])' "$T_TMP/$name.buf.json")" True
	t_eq "$name: every metric as libpcap reads the frames before the cut" "$out" same
	t_eq "$name: frames and wire bytes as tshark reads them" \
		"$(xdpi_sums "$T_TMP/$name.buf.json" | cut -d' ' -f1,2)" \
		"$(tshark_sums "$T_TMP/$name.pcap" | cut -d' ' -f1,2)"
done

# Broken: xdpi fails with libpcap's own verdict (tcpdump's message).
for name in huge short; do
	f=$T_TMP/$name.pcap
	"$XDPI" read --json "$f" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
	rc=$?
	t_eq "$name: exit 1, nothing on stdout" "$rc $(wc -c <"$T_TMP/$name.out")" "1 0"
	why=$(tcpdump "${tcpdump_user[@]}" -r "$f" -w /dev/null 2>&1 | grep -v '^reading from' |
		sed 's/^tcpdump: //; s/^pcap_loop: //; s/^[^:]*\.pcap: //' | head -1)
	t_check "$name: tcpdump fails too" test -n "$why"
	t_check "$name: xdpi's message is libpcap's ($why)" grep -qF "$why" "$T_TMP/$name.err"
done
t_done
