#!/bin/bash
# -w FILE and -c N, offline and live: what xdpi writes is pcapng that tshark
# and editcap read back to the same frames (offline: time stamps, lengths
# and bytes of the input; live: the bytes and lengths of what tcpdump saw
# sent on the testbed), with one interface per RX queue; -c stops after
# exactly N frames.
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
TOOLS=$BUILD/tests
XDPI=$(realpath "$XDPI")
t_require_built "$XDPI" "$TOOLS/tool_pcapgen"

for tool in tshark editcap capinfos; do
	if ! command -v "$tool" >/dev/null; then
		t_fail "$tool is installed" "the oracle of this test (Debian: tshark, wireshark-common)"
		t_done
		exit 1
	fi
done
"$TOOLS/tool_pcapgen" mixed "$T_TMP/mixed.pcap"
# frames FILE: one line per frame (time, wire and captured lengths), as
# tshark reads it; anything tshark says on stderr, or no frame, fails.
frames() {
	local out
	local rc
	out=$(tshark -r "$1" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>"$T_TMP/tshark.err")
	rc=$?
	# As root tshark says so on stderr: the only line let through.
	sed -i '/^Running as user "root"/d' "$T_TMP/tshark.err"
	if [ $rc != 0 ] || [ -s "$T_TMP/tshark.err" ] || [ -z "$out" ]; then
		echo "tshark failed on $1: $(head -c 200 "$T_TMP/tshark.err")"
		return 1
	fi
	echo "$out"
}
# records FILE: every frame's record header and bytes as tshark's editcap
# writes them into a classic microsecond pcap, the file header left out:
# what xdpi wrote, byte for byte, read by another implementation.
records() {
	editcap -F pcap "$1" "$T_TMP/rec.pcap" 2>"$T_TMP/editcap.err" && [ ! -s "$T_TMP/editcap.err" ] ||
		{ echo "editcap failed on $1: $(head -c 200 "$T_TMP/editcap.err")"; return 1; }
	tail -c +25 "$T_TMP/rec.pcap" | md5sum
}

# --- offline: everything, then a filter and a count
"$XDPI" read --json -w "$T_TMP/all.pcapng" "$T_TMP/mixed.pcap" >"$T_TMP/all.json"
t_eq "read -w: exit 0" "$?" 0
t_eq "read -w: tshark sees the same frames, times and lengths" \
	"$(frames "$T_TMP/all.pcapng" | md5sum)" "$(frames "$T_TMP/mixed.pcap" | md5sum)"
t_eq "read -w: every frame's bytes and record, through editcap, equal the input's" \
	"$(records "$T_TMP/all.pcapng")" "$(records "$T_TMP/mixed.pcap")"
t_eq "read -w: tshark sees a pcapng" \
	"$(capinfos -t "$T_TMP/all.pcapng" 2>/dev/null | awk -F': *' '/File type/ {print $2}')" \
	"Wireshark/... - pcapng"
"$XDPI" read --json "$T_TMP/all.pcapng" >"$T_TMP/back.json"
t_eq "read -w: reading the file back gives the same metrics" \
	"$(json "$T_TMP/back.json" '{k: v for k, v in d.items() if k not in ("written", "file")}')" \
	"$(json "$T_TMP/all.json" '{k: v for k, v in d.items() if k not in ("written", "file")}')"
t_eq "read -w: the record says how many it wrote" \
	"$(json "$T_TMP/all.json" 'd["written"]["frames"] == d["packets"]')" True

"$XDPI" read --json -c 100 -w "$T_TMP/tcp100.pcapng" -r "$T_TMP/mixed.pcap" tcp >"$T_TMP/c.json"
t_eq "read -c 100 -r FILE tcp: 100 frames counted, 100 written" \
	"$(json "$T_TMP/c.json" '(d["packets"], d["written"]["frames"])')" "(100, 100)"
t_eq "read -c 100: they are the first 100 TCP frames" \
	"$(frames "$T_TMP/tcp100.pcapng" | md5sum)" \
	"$(tshark -r "$T_TMP/mixed.pcap" -Y tcp -c 100 -T fields -e frame.time_epoch -e frame.len \
		-e frame.cap_len 2>"$T_TMP/tshark.err" | md5sum)$(grep -v '^Running as user "root"' "$T_TMP/tshark.err")"
"$XDPI" read -q -c 5 "$T_TMP/mixed.pcap" >/dev/null 2>"$T_TMP/q.err"
t_eq "read -q: nothing on stderr" "$(wc -c <"$T_TMP/q.err")" 0

# usage errors: before anything is read or written
for args in "-c 0" "-c x" "-c -1" "-w - --json"; do
	# shellcheck disable=SC2086 # the options as separate words
	"$XDPI" read $args "$T_TMP/mixed.pcap" >/dev/null 2>&1
	t_eq "read $args: usage error" "$?" 2
done
ln -s "$T_TMP/planted" "$T_TMP/link.pcapng"
"$XDPI" read -w "$T_TMP/link.pcapng" "$T_TMP/mixed.pcap" >/dev/null 2>&1
t_eq "read -w through a symlink: refused" "$?/$(test -e "$T_TMP/planted" && echo made)" "1/"
# Issue 25: only a regular file with one name, never truncated before that
# is known; a FIFO refused at once (no reader to wait for).
printf 'root only\n' >"$T_TMP/root-only"
chmod 0600 "$T_TMP/root-only"
ln -s "$T_TMP/root-only" "$T_TMP/link2.pcapng"
ln "$T_TMP/root-only" "$T_TMP/hard.pcapng"
mkfifo "$T_TMP/fifo.pcapng"
for c in "link2.pcapng:it is a symbolic link" "hard.pcapng:it has 2 hard links" \
	"fifo.pcapng:it is a FIFO" "/dev/zero:it is a device"; do
	f=${c%%:*}
	[ "${f#/}" = "$f" ] && f=$T_TMP/$f
	timeout 10 "$XDPI" read -w "$f" "$T_TMP/mixed.pcap" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	t_eq "read -w $(basename "$f"): exit 1 at once, said (${c#*:}), no summary" \
		"$rc $(grep -c "cannot write $f: ${c#*:}" "$T_TMP/err") $(wc -c <"$T_TMP/out")" "1 1 0"
done
t_eq "read -w refused: the file linked to unchanged" \
	"$(stat -c '%a %s' "$T_TMP/root-only") $(head -c 40 "$T_TMP/root-only" | tr -c '[:print:]' .)" \
	"600 10 root only."
"$XDPI" read -w /dev/null "$T_TMP/mixed.pcap" >/dev/null 2>"$T_TMP/err"
t_eq "read -w /dev/null: taken" "$? $(wc -c <"$T_TMP/err")" "0 0"
# The generator's sample is written the same way, before any interface is
# looked at (so an interface that does not exist is enough here).
ln -s "$T_TMP/root-only" "$T_TMP/gen.pcap"
timeout 10 "$XDPI" gen --count 10 --pcap "$T_TMP/gen.pcap" xdpi-none >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
t_eq "gen --pcap through a symlink: exit 1, said, the file linked to unchanged" \
	"$rc $(grep -c "cannot write $T_TMP/gen.pcap: it is a symbolic link" "$T_TMP/err") $(stat -c '%a %s' "$T_TMP/root-only") $(head -c 40 "$T_TMP/root-only" | tr -c '[:print:]' .)" \
	"1 1 600 10 root only."

# --- live: -c N takes exactly N, -w writes them, one interface per queue
if [ "$(id -u)" != 0 ]; then
	t_skip "live -w and -c" "need root"
	t_done
	exit
fi
. tests/lib_live.sh
live_test_begin "live -w" w
testbed_up 2 "$TB_ID" || {
	t_fail "testbed up"
	t_done
	exit
}
"$TOOLS/tool_pcapgen" many_flows "$T_TMP/flows.pcap"
replay() {
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$T_TMP/flows.pcap" >/dev/null 2>&1
}
# The oracle of the live runs: tcpdump on the sending end, every frame sent
# (gen_capture_start), against which editcap reads what xdpi wrote.
# capture_ok NAME: tcpdump's capture NAME kept every frame (one result).
capture_ok() {
	local why
	why=$(gen_capture_stop "$1")
	t_eq "$1: tcpdump on the sending end kept every frame sent" "$why" ""
}
if gen_capture_start wall && live_start wall -w "$T_TMP/all_live.pcapng" --interval 0 --json; then
	replay
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_eq "live -w: exit 0" "$?" 0
	capture_ok wall
	t_eq "live -w: the pcapng, read by editcap, holds tcpdump's frames byte for byte with their wire lengths, none missing, none more" \
		"$(pcap_frames_cmp "$T_TMP/all_live.pcapng" "$T_TMP/wall.pcap")" \
		"OK $(pcap_count "$T_TMP/wall.pcap")"
	t_eq "live -w: tshark reads it cleanly, as many frames as the run inspected and says it wrote" \
		"$(frames "$T_TMP/all_live.pcapng" | wc -l)" \
		"$(json "$T_TMP/wall.out" 'd["packets"] if d["packets"] == d["written"]["frames"] else -1')"
else
	t_fail "live -w started (and tcpdump)" "$(cat "$T_TMP/wall.err" "$T_TMP/wall.tcpdump.err")"
fi
# Where the XDP program puts each frame's struct xdpi_rx_meta (its time):
# the metadata area, or the frame's head where the kernel refuses
# bpf_xdp_adjust_meta() to XDP programs. The oracle: whether iproute2 loads
# a program that calls it.
if ip -n "$TB_DUT" link set dev "$TB_DUT_IF" xdpdrv obj "$BUILD/tests/xdp_meta.bpf.o" sec xdp \
	2>/dev/null; then
	ip -n "$TB_DUT" link set dev "$TB_DUT_IF" xdpdrv off
	kernel_head=0
else
	kernel_head=24
fi
t_eq "live -w: the struct in the frame's head (24 bytes) exactly where iproute2 cannot load a program calling bpf_xdp_adjust_meta()" \
	"$(json "$T_TMP/wall.out" 'd["nic"]["meta_head_bytes"]')" "$kernel_head"
# The head's path on any kernel (XDPI_TEST_META_IN_HEAD): the frames the
# worker reads are still the frames sent, byte for byte.
export XDPI_TEST_META_IN_HEAD=1
if gen_capture_start headcap && live_start head -w "$T_TMP/head.pcapng" --interval 0 --json; then
	replay
	live_stop
	t_eq "live -w, the struct in the frame's head: exit 0, 24 bytes skipped, every frame stamped by the program" \
		"$?/$(json "$T_TMP/head.out" '(d["nic"]["meta_head_bytes"], d["frame_times"], d["nic"]["metadata_frames"]["no_room"], d["ledger"]["unexplained"])')" \
		"0/(24, True, 0, 0)"
	capture_ok headcap
	t_eq "live -w, the struct in the frame's head: the pcapng holds tcpdump's frames byte for byte, none missing, none more" \
		"$(pcap_frames_cmp "$T_TMP/head.pcapng" "$T_TMP/headcap.pcap")" \
		"OK $(pcap_count "$T_TMP/headcap.pcap")"
	oracle_check "live -w, the struct in the frame's head: the run's metrics are tshark's of tcpdump's frames sent" \
		"$T_TMP/head.out" "$T_TMP/headcap.pcap"
else
	t_fail "live -w (struct in the head) started (and tcpdump)" "$(cat "$T_TMP/head.err" "$T_TMP/headcap.tcpdump.err")"
fi
unset XDPI_TEST_META_IN_HEAD
if gen_capture_start cwcap && live_start cw -c 300 -w "$T_TMP/live.pcapng" --interval 0 --json; then
	replay
	for _ in $(seq 100); do kill -0 "$LIVE_PID" 2>/dev/null || break; sleep 0.1; done
	kill -INT "$LIVE_PID" 2>/dev/null
	wait "$LIVE_PID"
	t_eq "live -c 300: exit 0, stopped by the count, by itself" \
		"$?/$(json "$T_TMP/cw.out" 'd["stop_reason"]')" "0/count"
	t_eq "live -c 300: 300 taken, inspected, written; the rest passed; ledger closed" \
		"$(json "$T_TMP/cw.out" '(d["packets"], d["written"]["frames"], d["written"]["dropped"], d["ledger"]["unexplained"], sum(q["xdp"]["stopping_passed"] for q in d["ledger"]["queues"]) > 0)')" \
		"(300, 300, 0, 0, True)"
	wait_quiet
	capture_ok cwcap
	t_eq "live -c 300 -w: 300 frames written, each one tcpdump saw sent, byte for byte" \
		"$(pcap_frames_cmp "$T_TMP/live.pcapng" "$T_TMP/cwcap.pcap" --subset)" "OK 300"
	oracle_check "live -c 300 -w: the run's metrics are those of the frames it wrote" \
		"$T_TMP/cw.out" "$T_TMP/live.pcapng"
	t_eq "live -w: one interface per queue, named after it" \
		"$(tshark -r "$T_TMP/live.pcapng" -T fields -e frame.interface_name 2>/dev/null | sort -u | paste -sd,)" \
		"$(json "$T_TMP/cw.out" '",".join(sorted("%s rx %d" % (d["interface"], q["queue"]) for q in d["queues"] if q["packets"]))')"
else
	t_fail "live -c -w started (and tcpdump)" "$(cat "$T_TMP/cw.err" "$T_TMP/cwcap.tcpdump.err")"
fi
testbed_dut "$XDPI" live --takeover --ceiling -w "$T_TMP/x.pcapng" --duration 1 "$TB_DUT_IF" \
	>/dev/null 2>&1
t_eq "live --ceiling -w: refused, nothing written" "$?/$(test -e "$T_TMP/x.pcapng" && echo made)" "1/"
if gen_capture_start pwcap && live_start pw --passive -w "$T_TMP/passive.pcapng" --interval 0 --json; then
	replay
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	capture_ok pwcap
	t_eq "live --passive -w: the snap length said at start (512, -s up to 65535: whole frames)" \
		"$(grep -c 'warning: --passive copies at most the first 512 bytes of each frame (-s N raises it, up to 65535: whole frames)' "$T_TMP/pw.err")" 1
	t_eq "live --passive -w: the copies are tcpdump's frames cut to 512 bytes, wire lengths kept, none missing, none more" \
		"$(pcap_frames_cmp "$T_TMP/passive.pcapng" "$T_TMP/pwcap.pcap" --snap 512)" \
		"OK $(pcap_count "$T_TMP/pwcap.pcap")"
	t_eq "live --passive -w: as many inspected as tcpdump saw sent" \
		"$(json "$T_TMP/pw.out" 'd["packets"]')" "$(pcap_count "$T_TMP/pwcap.pcap")"
else
	t_fail "live --passive -w started (and tcpdump)" "$(cat "$T_TMP/pw.err" "$T_TMP/pwcap.tcpdump.err")"
fi

t_done
