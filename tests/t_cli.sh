#!/bin/bash
# Every subcommand's usage errors, from one table: exit status and the
# message a user sees. Values are validated before anything is created, so
# none of these touches an interface or makes a namespace (checked at the
# end). Runs without root: parsing comes before the privilege check.
. tests/lib.sh
t_tmpdir
XDPI=$(realpath "$XDPI")

ns_before=$(ip netns list 2>/dev/null | grep -c '^xdpi-')

# status | message (grep -E) | arguments (split on spaces)
while IFS='|' read -r code pattern args; do
	[ -z "$code" ] || [ "${code:0:1}" = "#" ] && continue
	code=${code// /}
	pattern=${pattern## }
	pattern=${pattern%% }
	read -ra argv <<<"$args"
	"$XDPI" "${argv[@]}" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	if [ "$rc" = "$code" ] && grep -qE -- "$pattern" "$T_TMP/err"; then
		t_ok "xdpi ${argv[*]}: exit $code"
	else
		t_fail "xdpi ${argv[*]}: exit $code, /$pattern/" "exit $rc: $(head -2 "$T_TMP/err")"
	fi
done <<'TABLE'
# the binary
2 | unknown command 'nosuchcmd' | nosuchcmd
# read
2 | read takes one FILE | read
2 | invalid filter 'tcp\[': can't parse filter expression: syntax error | read --filter tcp[ x.pcap
2 | invalid filter 'tcp port x' \(read takes one FILE.*\): unknown port 'x' | read x.pcap tcp port x
2 | invalid filter 'udp and' .*: can't parse | read x.pcap udp and
2 | give the filter either with --filter \(or --proto\) or after FILE, not both | read --filter udp x.pcap tcp
2 | give the filter either with --filter \(or --proto\) or after FILE, not both | read --proto udp x.pcap tcp
2 | invalid value 'sctp' for option --proto \(valid: tcp, udp, ip, all\) | read --proto sctp x.pcap
2 | invalid value 'sctp' for option --proto \(valid: tcp, udp, ip, all\) | live --proto sctp xdpi-none
1 | /nonexistent.pcap: No such file or directory | read /nonexistent.pcap
2 | unrecognized option | read --bogus x.pcap
# a misspelled long option, within two edits of one: the nearest named
2 | unrecognized option '--durration'; did you mean '--duration'\?$ | live --durration 5 xdpi-none
2 | unrecognized option '--jsno'; did you mean '--json'\?$ | read --jsno x.pcap
2 | unrecognized option '--flwos'; did you mean '--flows'\?$ | gen --flwos 4 -c 1 xdpi-none
2 | unrecognized option '--zzzzzz'$ | live --zzzzzz xdpi-none
# live
2 | live takes exactly one IFACE | live
2 | live takes exactly one IFACE | live a b
2 | invalid value 'x' for option --cpus | live --cpus x xdpi-none
2 | invalid value '\+1' for option --cpus | live --cpus +1 xdpi-none
2 | invalid value '3-1' for option --cpus | live --cpus 3-1 xdpi-none
2 | invalid value '1,,2' for option --queues | live --queues 1,,2 xdpi-none
2 | invalid value '0' for option --batch | live --batch 0 xdpi-none
2 | invalid value '5000' for option --batch | live --batch 5000 xdpi-none
2 | invalid value '0x40' for option --batch | live --batch 0x40 xdpi-none
2 | invalid value '-64' for option --batch | live --batch -64 xdpi-none
2 | invalid value 'fast' for option --mode | live --mode fast xdpi-none
2 | invalid value 'hw' for option --xdp-mode | live --xdp-mode hw xdpi-none
2 | invalid filter 'tcp\[': can't parse filter expression | live --filter tcp[ xdpi-none
2 | invalid filter 'port=80': can't parse | live --filter port=80 xdpi-none
2 | invalid value 'abc' for option --interval | live --interval abc xdpi-none
2 | invalid value 'nan' for option --interval | live --interval nan xdpi-none
2 | invalid value '1e-13' for option --interval | live --interval 1e-13 xdpi-none
2 | invalid value '0x1p-60' for option --interval | live --interval 0x1p-60 xdpi-none
2 | invalid value 'inf' for option --duration | live --duration inf xdpi-none
2 | invalid value '-1' for option --duration | live --duration -1 xdpi-none
2 | invalid value '2000000' for option --idle-spin-us | live --idle-spin-us 2000000 xdpi-none
2 | invalid value 'x' for option --busy-poll-usecs | live --busy-poll-usecs x xdpi-none
2 | --check-seq reads the frames: it cannot go with --no-inspect | live --check-seq --no-inspect xdpi-none
2 | invalid value 'ntp' for option --sender-clock | live --check-seq --sender-clock ntp xdpi-none
2 | --sender-clock is about --check-seq | live --sender-clock local xdpi-none
1 | fill_size 100 is invalid: a power of two from 64 to 32768 | live --fill-size 100 xdpi-none
1 | frame size 1000 is invalid | live --frame-size 1000 xdpi-none
1 | no interface 'xdpi-none' | live xdpi-none
2 | unrecognized option | live --bogus xdpi-none
# gen
2 | invalid value '0' for option --count | gen --count 0 xdpi-none
2 | invalid value 'x' for option --rate | gen --rate x --count 1 xdpi-none
2 | invalid value '0' for option --rate | gen --rate 0 --count 1 xdpi-none
2 | invalid value 'nan' for option --duration | gen --duration nan xdpi-none
2 | invalid value '0' for option --flows | gen --flows 0 --count 1 xdpi-none
2 | invalid value '63' for option --size | gen --size 63 --count 1 xdpi-none
2 | invalid value 'sctp' for option --proto | gen --proto sctp --count 1 xdpi-none
2 | invalid value 'foo' for option --method | gen --method foo --count 1 xdpi-none
2 | invalid value 'trafgen' for option --stamp | gen --stamp trafgen --count 1 xdpi-none
2 | --stamp pktgen needs --proto udp | gen --stamp pktgen --proto tcp-data --count 1 xdpi-none
2 | invalid value 'zz' for option --dst-mac | gen --dst-mac zz --count 1 xdpi-none
2 | invalid value '1.2.3' for option --src-ip | gen --src-ip 1.2.3 --count 1 xdpi-none
2 | a duration or a count | gen xdpi-none
1 | no interface 'xdpi-none' | gen --count 1 xdpi-none
# bench
2 | invalid value '0.5' for option --duration | bench --duration 0.5
2 | invalid value '0' for option --queues | bench --queues 0
2 | invalid value '9' for option --gen-cpus | bench --gen-cpus 9
2 | invalid value 'x' for option --placement | bench --placement x
2 | invalid value '0' for option --max-trials | bench --max-trials 0
2 | invalid value 'dpdk,x' for option --receivers | bench --receivers dpdk,x
2 | invalid value 'inspect,,ceiling' for option --receivers | bench --receivers inspect,,ceiling
2 | invalid value 'inspect,' for option --receivers | bench --receivers inspect,
2 | invalid value 'inspect,inspect' for option --receivers | bench --receivers inspect,inspect
2 | xdpi bench: takes no arguments besides options | bench extra
2 | 2 queues need 2 CPUs in --rx-cpus | bench --queues 2 --rx-cpus 1
2 | unrecognized option | bench --bogus
# tune: every value checked before the testbed exists
2 | invalid value '5000' for option --batch | tune --batch 5000
2 | invalid value '100' for option --rx-size | tune --rx-size 100
2 | invalid value '3000' for option --fill-size | tune --fill-size 3000
2 | invalid value '1024' for option --frame-size | tune --frame-size 1024
2 | invalid value '2' for option --need-wakeup | tune --need-wakeup 2
2 | invalid value '0' for option --queues | tune --queues 0
2 | invalid value 'x' for option --placement | tune --placement x
2 | invalid value 'busy-poll,,sender' for option --placement | tune --placement busy-poll,,sender
2 | invalid value 'sender,' for option --placement | tune --placement sender,
2 | invalid value 'auto' for option --placement | tune --placement auto
2 | xdpi tune: takes no arguments besides options | tune extra
2 | --takeover goes with --external | tune --takeover
# interfaces
2 | unrecognized option | interfaces --bogus
1 | no interface 'xdpi-none' | interfaces xdpi-none
# detach, afpacket, compare
2 | xdpi detach: takes exactly one IFACE | detach
2 | xdpi detach: takes exactly one IFACE | detach a b
2 | Usage: xdpi afpacket | afpacket
2 | xdpi afpacket: invalid value 'x' for option --cpu \(valid: 0\.\. | afpacket --cpu x xdpi-none
2 | xdpi afpacket: invalid value '0' for option -c \(valid: 1\.\. | afpacket -c 0 xdpi-none
2 | xdpi afpacket: takes exactly one IFACE | afpacket -i a b
2 | xdpi compare: option '--pcap' requires a value | compare --pcap
2 | xdpi compare: unrecognized option '-p' | compare -p x.pcap rec.json
2 | xdpi interfaces: option '-i' requires a value | interfaces -i
1 | is not an xdpi live record \(a pcap\? compare takes the JSON from --record | compare tests/fuzz-corpus/pcap/arp.pcap
# the vocabulary: gen's old letters are gone, -c is the count, -i the interface
2 | xdpi gen: unrecognized option '-n' | gen -n 5 xdpi-none
2 | xdpi gen: unrecognized option '-r' | gen -r 5 -c 1 xdpi-none
2 | xdpi gen: invalid value '0' for option -c \(valid: 1\.\. | gen -c 0 xdpi-none
2 | xdpi gen: takes exactly one IFACE | gen -c 1 -i a b
1 | xdpi gen: no interface 'xdpi-none' | gen -c 1 -i xdpi-none
2 | xdpi bench: unrecognized option '-q' | bench -q 2
2 | xdpi tune: unrecognized option '-r' | tune -r 5
2 | xdpi compare: takes exactly one RECORD | compare
1 | /nonexistent.json: unable to open | compare /nonexistent.json
TABLE

# --filter values with spaces (the table splits on them): libpcap's message,
# and what the XDP program's interpreter cannot run
expect_usage() { # NAME PATTERN ARGS...
	local name=$1 pattern=$2
	shift 2
	"$XDPI" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	local rc=$?
	if [ "$rc" = 2 ] && grep -qE -- "$pattern" "$T_TMP/err"; then
		t_ok "$name: exit 2"
	else
		t_fail "$name: exit 2, /$pattern/" "exit $rc: $(head -2 "$T_TMP/err")"
	fi
}
expect_usage "live --filter 'tcp port x'" "invalid filter 'tcp port x': unknown port 'x'" \
	live --filter 'tcp port x' xdpi-none
expect_usage "live --filter 'ip6 protochain 6'" "jump backwards .*protochain" \
	live --filter 'ip6 protochain 6' xdpi-none
long="ip6 host 2001:db8::ff"
for i in $(seq 1 20); do long="$long or ip6 host 2001:db8::$i"; done
expect_usage "live --filter with 21 IPv6 hosts" \
	"compiles to [0-9]+ classic BPF instructions; the XDP program runs at most 256" \
	live --filter "$long" xdpi-none
expect_usage "read --filter 'ip broadcast'" "invalid filter 'ip broadcast': netmask not known" \
	read --filter 'ip broadcast' x.pcap

# bench/mkcapture's numbers: decimal, no sign or space (strtoull took
# " -1" for 2^64-1 and "010" for 8)
for bad in "-s 0x10 5" "-s -1 5" "' 5'" "' -18446744073709551615'" "5x" "1000000001"; do
	eval "set -- $bad"
	"$BUILD/bench/mkcapture" "$@" "$T_TMP/m.pcap" >/dev/null 2>&1
	t_eq "mkcapture $bad: exit 2" "$?" 2
done
"$BUILD/bench/mkcapture" -s 10 5 "$T_TMP/m10.pcap" >/dev/null 2>&1
t_eq "mkcapture -s 10 5: exit 0" "$?" 0
"$BUILD/bench/mkcapture" -s 010 5 "$T_TMP/m010.pcap" >/dev/null 2>&1
t_check "mkcapture -s 010 is seed 10, not octal 8" cmp -s "$T_TMP/m10.pcap" "$T_TMP/m010.pcap"

# -q is what --help says (issue 31): warnings and errors only, no summary;
# what was asked for is still written. The oracle is the byte count.
"$XDPI" read -q "$T_TMP/m10.pcap" >"$T_TMP/q.out" 2>"$T_TMP/q.err"
t_eq "read -q: exit 0, nothing on stdout or stderr" \
	"$? $(wc -c <"$T_TMP/q.out") $(wc -c <"$T_TMP/q.err")" "0 0 0"
"$XDPI" read -q --json "$T_TMP/m10.pcap" >"$T_TMP/q.json" 2>"$T_TMP/q.err"
t_eq "read -q --json: the JSON asked for, nothing else" \
	"$(json "$T_TMP/q.json" 'd["packets"]') $(wc -c <"$T_TMP/q.err")" \
	"$(capinfos -c -M "$T_TMP/m10.pcap" | awk '/Number of packets/{print $NF}') 0"
"$XDPI" read -q "$T_TMP/m10.pcap" --json-lines - >"$T_TMP/q.jsonl" 2>"$T_TMP/q.err"
t_eq "read -q --json-lines -: only JSON lines, nothing on stderr" \
	"$(python3 -c 'import json,sys; print(all(json.loads(l) for l in open(sys.argv[1])))' \
		"$T_TMP/q.jsonl") $(wc -c <"$T_TMP/q.err")" "True 0"

t_eq "no usage error created a namespace" "$(ip netns list 2>/dev/null | grep -c '^xdpi-')" \
	"$ns_before"
t_done
