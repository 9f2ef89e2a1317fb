#!/bin/bash
# One option vocabulary: every subcommand's --help is parsed for its
# "-X, --long" pairs, and a letter must mean the same long option in every
# subcommand (tcpdump's meaning where tcpdump has one: -i is always the
# interface). Then, per subcommand, an unknown option and a bad value: exit
# 2, at most three lines on stderr, the "xdpi COMMAND:" prefix, and for a
# choice option the valid values. Runs without root; creates nothing.
. tests/lib.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
t_require_built "$XDPI"

COMMANDS="read live top interfaces detach compare gen bench tune afpacket"
# Subcommands whose options another branch is changing (the live/read
# options work): checked and reported, but a mismatch is a skip until that
# work is merged. Empty this list then.
PENDING=${XDPI_OPTIONS_PENDING-""}

pending() { [[ " $PENDING " == *" $1 "* ]]; }

# The letters whose meaning is decided (docs/live.md, "One option
# vocabulary"); the others must only agree across subcommands.
declare -A WANT=([i]=interface [c]=count [w]=write [q]=quiet [v]=verbose [j]=json
	[h]=help [d]=duration [f]=filter [s]=snaplen [b]=batch [o]=out)

declare -A SEEN    # letter -> long option, in the first command that has it
declare -A SEEN_IN # letter -> that command
declare -A done_unknown # command -> its unknown option was tried
for cmd in $COMMANDS; do
	if ! "$XDPI" "$cmd" --help >"$T_TMP/$cmd.help" 2>&1; then
		t_fail "xdpi $cmd --help exits 0" "$(head -3 "$T_TMP/$cmd.help")"
		continue
	fi
	# "  -c, --count N   ..." -> "c count"
	grep -oE '^ +-[A-Za-z], --[a-z][a-z-]*' "$T_TMP/$cmd.help" |
		sed -E 's/^ +-(.), --(.*)/\1 \2/' >"$T_TMP/$cmd.pairs"
	bad=""
	while read -r letter long; do
		if [ -n "${WANT[$letter]:-}" ] && [ "${WANT[$letter]}" != "$long" ]; then
			bad="$bad -$letter is --$long, not --${WANT[$letter]};"
		elif [ -n "${SEEN[$letter]:-}" ] && [ "${SEEN[$letter]}" != "$long" ]; then
			bad="$bad -$letter is --$long here, --${SEEN[$letter]} in ${SEEN_IN[$letter]};"
		elif [ -z "${SEEN[$letter]:-}" ] && ! pending "$cmd"; then
			SEEN[$letter]=$long
			SEEN_IN[$letter]=$cmd
		fi
	done <"$T_TMP/$cmd.pairs"
	name="xdpi $cmd --help: $(wc -l <"$T_TMP/$cmd.pairs") short letters, each with its one meaning"
	if [ -z "$bad" ]; then
		t_ok "$name"
	elif pending "$cmd"; then
		t_skip "$name" "pending the $cmd options work:$bad"
	else
		t_fail "$name" "$bad"
	fi
done
t_eq "-i is --interface wherever it is a letter" "${SEEN[i]:-interface}" interface
t_check "the help texts give -i somewhere (gen, afpacket, interfaces, detach)" \
	grep -q -- '-i, --interface' "$T_TMP/gen.help" "$T_TMP/afpacket.help"

# command | a bad value (arguments) | what the message must name (grep -E)
while IFS='|' read -r cmd args want; do
	[ -z "$cmd" ] || [ "${cmd:0:1}" = "#" ] && continue
	cmd=${cmd// /}
	want=${want## }
	want=${want%% }
	read -ra argv <<<"$args"
	for case in unknown bad; do
		[ $case = unknown ] && [ -n "${done_unknown[$cmd]:-}" ] && continue
		if [ $case = unknown ]; then
			done_unknown[$cmd]=1
			run=("$cmd" --no-such-option)
			pattern="^xdpi $cmd: .*--no-such-option"
		else
			run=("$cmd" "${argv[@]}")
			pattern="^xdpi $cmd: .*$want"
		fi
		"$XDPI" "${run[@]}" >"$T_TMP/out" 2>"$T_TMP/err"
		rc=$?
		lines=$(wc -l <"$T_TMP/err")
		name="xdpi ${run[*]}: exit 2, $lines line(s) of at most 3, prefix 'xdpi $cmd:'"
		if [ "$rc" = 2 ] && [ "$lines" -le 3 ] && grep -qE -- "$pattern" "$T_TMP/err" &&
			grep -q "^Try 'xdpi $cmd --help'" "$T_TMP/err"; then
			t_ok "$name"
		elif pending "$cmd"; then
			t_skip "$name" "pending the $cmd options work (exit $rc, $lines lines)"
		else
			t_fail "$name" "exit $rc, $lines lines: $(head -3 "$T_TMP/err")"
		fi
	done
done <<'TABLE'
# choice options name their valid values; numbers their range
read       | --filter tpc x.pcap         | 'tpc'.*--proto tcp\|udp\|ip\|all
live       | --filter tpc xdpi-none      | 'tpc'.*--proto tcp\|udp\|ip\|all
live       | --proto sctp xdpi-none      | 'sctp'.*tcp, udp, ip, all
live       | --xdp-mode hw xdpi-none     | 'hw'.*auto, native, skb
top        | --filter tpc xdpi-none      | 'tpc'.*tcp, udp
live       | --prometheus 9100x xdpi-none | '9100x'.*--prometheus.*\[ADDR:\]PORT, PORT 0\.\.65535
gen        | --proto sctp -c 1 xdpi-none | 'sctp'.*tcp-syn, tcp-data, udp
gen        | --method foo -c 1 xdpi-none | 'foo'.*auto, live, xsk
gen        | --stamp x -c 1 xdpi-none    | 'x'.*xdpi, pktgen
gen        | --size 63 -c 1 xdpi-none    | '63'.*64\.\.9018, imix or imix-jumbo
gen        | --flows 0 -c 1 xdpi-none    | '0'.*1\.\.
bench      | --placement x               | 'x'.*auto, busy-poll, threaded, sender
bench      | --receivers dpdk,x          | 'dpdk,x'.*ceiling, inspect
bench      | --queues 0                  | '0'.*1\.\.64
tune       | --placement x               | 'x'.*busy-poll, threaded, sender
tune       | --need-wakeup 2             | '2'.*0, 1
tune       | --proto x                   | 'x'.*tcp-syn, tcp-data, udp
afpacket   | --cpu x xdpi-none           | 'x'.*0\.\.
afpacket   | -c 0 xdpi-none              | '0'.*1\.\.
compare    | --pcap                      | '--pcap' requires a value
interfaces | -i                          | '-i' requires a value
detach     | -i                          | '-i' requires a value
TABLE

# A long filter's error (issue 31): the whole reason, after a shortened
# quote of the expression, in the three lines; never cut at 1 KiB.
F=$(python3 -c "print(' or '.join('tcp port %d' % (i + 1) for i in range(200)))")
"$XDPI" live --filter "$F" xdpi-none >/dev/null 2>"$T_TMP/err"
rc=$?
t_eq "live: a 200-term filter's error, exit 2, 3 lines, the whole reason" \
	"$rc $(wc -l <"$T_TMP/err") $(grep -c 'compiles to [0-9]* classic BPF instructions; the XDP program runs at most 256: use a shorter expression (valid: a pcap-filter expression; xdpi.s classes are --proto tcp|udp|ip|all)$' "$T_TMP/err")" \
	"2 3 1"
"$XDPI" read --filter "$F and" /dev/null >/dev/null 2>"$T_TMP/err"
rc=$?
t_eq "read: a 200-term filter's syntax error, exit 2, 3 lines, libpcap's reason" \
	"$rc $(wc -l <"$T_TMP/err") $(grep -c "(3092 characters)': can't parse filter expression: syntax error (valid: " "$T_TMP/err")" \
	"2 3 1"
t_done
