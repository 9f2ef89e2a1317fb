#!/bin/bash
# The TLS versions in the text summary (issue 31): the "tls max version"
# line names each version beside its number ("TLSv1.3 (772) 4") and counts
# the ClientHellos by the highest version each offers, in `xdpi read` and
# `xdpi live`, against tshark's dissection of the same frames
# (tls.handshake.extensions.supported_version, GREASE left out, else
# tls.handshake.version; tshark's own names; tests/tlsvers.py):
#   - read: tests/mktlsver.py (every kind of version list: legacy only from
#     SSLv3 to TLS 1.2, TLS 1.3 behind GREASE, first and last, a draft and
#     a version that does not exist) and tests/mkflows.py (TLS 1.2 and 1.3);
#   - live: openssl s_client against s_server in the DUT namespace (TLS 1.3
#     only, TLS 1.2 only, both) under `xdpi live --passive`, against
#     tcpdump's capture on the DUT interface.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
t_tmpdir
live_need tshark python3

# --- read
tests/mktlsver.py "$T_TMP/versions.pcap" || t_fail "mktlsver.py"
tests/mkflows.py "$T_TMP/flows.pcap" || t_fail "mkflows.py"
for cap in versions flows; do
	"$XDPI" read "$T_TMP/$cap.pcap" >"$T_TMP/$cap.txt" 2>"$T_TMP/$cap.err"
	t_eq "read $cap.pcap: exit 0" "$?" 0
	want=$(tests/tlsvers.py tshark "$T_TMP/$cap.pcap")
	t_check "read $cap.pcap: tshark sees ClientHellos" test "$want" != none
	t_eq "read $cap.pcap: the text's TLS versions, named and numbered, are tshark's" \
		"$(tests/tlsvers.py text "$T_TMP/$cap.txt")" "$want"
done
t_eq "read: the line as a person reads it" \
	"$(grep -c '^tls max version    TLSv1.3 (772) 4  TLSv1.2 (771) 3  TLSv1.1 (770) 1$' "$T_TMP/versions.txt")" 1
"$XDPI" read --no-peeks "$T_TMP/versions.pcap" >"$T_TMP/nopeeks.txt" 2>&1
t_eq "read --no-peeks: no TLS version line" "$(tests/tlsvers.py text "$T_TMP/nopeeks.txt")" none

# --- live
live_test_begin "TLS versions live" v
live_need openssl tcpdump
live_testbed_up
TLS=4433
t_check "live: s_server listens on $TLS" serve_tls $TLS
tcpdump_start dut
if live_start live --passive --interval 0; then
	ok=0
	for v in -tls1_3 -tls1_3 -tls1_2 -tls1_2 -tls1_2 ""; do
		# shellcheck disable=SC2086 # $v: one option or none
		echo | ip netns exec "$TB_GEN" timeout 10 openssl s_client $v \
			-connect "$TB_DUT_IP:$TLS" -servername tls.xdpi.test 2>/dev/null |
			grep -q '^CONNECTED' && ok=$((ok + 1))
	done
	t_eq "live: six TLS connections made" "$ok" 6
	live_stop
	t_eq "live: exit 0" "$?" 0
	tcpdump_stop
	want=$(tests/tlsvers.py tshark "$T_TMP/dut.pcap" -d "tcp.port==$TLS,tls")
	t_check "live: tshark sees ClientHellos of TLS 1.3 and 1.2" \
		grep -q "TLSv1.3 (772) .*TLSv1.2 (771)" <<<"$want"
	t_eq "live: the text's TLS versions, named and numbered, are tshark's" \
		"$(tests/tlsvers.py text "$T_TMP/live.out")" "$want"
else
	t_fail "live --passive started" "$(cat "$T_TMP/live.err")"
fi
t_done
