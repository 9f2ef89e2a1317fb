#!/bin/bash
# The XDP program's classic BPF interpreter (bpf/xdpi.bpf.c) against
# libpcap's on every frame of every tests/tool_pcapgen case, no testbed
# needed (BPF_PROG_TEST_RUN, tests/tool_filtercheck): the built-in keywords,
# the expressions of the brief and of t_read_oracle, and hand-written
# programs whose accumulator is compared bit by bit. Apart from
# t_live_filter (the same interpreter live) so that `make mutate` can run
# it alone in seconds. Needs root (BPF_PROG_TEST_RUN).
. tests/lib.sh
TOOLS=$BUILD/tests
t_require_built "$TOOLS/tool_pcapgen" "$TOOLS/tool_filtercheck"
if [ "$(id -u)" != 0 ]; then
	t_skip "the XDP filter interpreter against libpcap" "need root"
	t_done
	exit
fi
t_tmpdir

# The expressions of the brief and of t_read_oracle, and hand-written
# programs (bit by bit), on every generator case.
all=()
for c in $("$TOOLS/tool_pcapgen" --list); do
	[ "$c" = mixed ] && continue
	"$TOOLS/tool_pcapgen" "$c" "$T_TMP/g_$c.pcap" 2>/dev/null || continue
	all+=("$T_TMP/g_$c.pcap")
done
exprs=("tcp port 80" "udp and src net 10.0.0.0/8" "ip6 and tcp" "icmp or arp" "not tcp"
	"vlan and tcp" "tcp[tcpflags] & tcp-syn != 0" "host 198.18.0.1" "host 192.0.2.10"
	"udp port 9" "vlan 10 and vlan and udp" "greater 1000" "less 64"
	"ip[6:2] & 0x1fff != 0 or ip6[6] = 44" "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420"
	"ether[12:2] % 7 = 3 or len / 3 > 100" "icmp6 and ip6[40] = 135" "ether broadcast"
	"(tcp)" "sctp")
args=()
for e in "${exprs[@]}"; do args+=(-e "$e"); done
"$TOOLS/tool_filtercheck" "${args[@]}" "${all[@]}" | sed -e '/^1\.\./d' -e 's/^/# /'
t_eq "tool_filtercheck: built-ins and ${#exprs[@]} expressions, exit 0" "${PIPESTATUS[0]}" 0
"$TOOLS/tool_filtercheck" --raw --no-builtin "${all[@]}" | sed -e '/^1\.\./d' -e 's/^/# /'
t_eq "tool_filtercheck --raw: exit 0" "${PIPESTATUS[0]}" 0
# The steering program that puts its struct in the frame's head gives a
# frame no socket takes back to the kernel as it came.
"$TOOLS/tool_filtercheck" --head --no-builtin "${all[@]}" | sed -e '/^1\.\./d' -e 's/^/# /'
t_eq "tool_filtercheck --head: exit 0" "${PIPESTATUS[0]}" 0
# The tc egress program (passive, frames sent) classifies a socket buffer
# with the same code, instantiated for that context: the same answers on
# every frame of every case but the two big ones (many_flows and random:
# the same loads again, at three syscalls a run).
few=()
for f in "${all[@]}"; do [[ $f == *many_flows* || $f == *random* ]] || few+=("$f"); done
"$TOOLS/tool_filtercheck" --egress "${args[@]}" "${few[@]}" | sed -e '/^1\.\./d' -e 's/^/# /'
t_eq "tool_filtercheck --egress: built-ins and ${#exprs[@]} expressions, exit 0" \
	"${PIPESTATUS[0]}" 0
"$TOOLS/tool_filtercheck" --egress --raw --no-builtin "${few[@]}" | sed -e '/^1\.\./d' -e 's/^/# /'
t_eq "tool_filtercheck --egress --raw: exit 0" "${PIPESTATUS[0]}" 0

t_done
