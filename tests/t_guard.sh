#!/bin/bash
# The guard: `xdpi live` never cuts the host off by surprise. The testbed's
# DUT end (198.18.0.2, an HTTP server on it) is an interface the host uses:
# a run without --takeover is refused with exit 2 and the reason, nothing
# is attached, the XDP program never sees a frame, and the host's TCP
# connection keeps working; --takeover steers as before (and the
# connection stalls meanwhile, which is what the guard prevents). The same
# interface without its address is a capture port and is accepted, unless
# a default route, a bridge, a stacked device or the SSH session names it.
# Also: a run that steered nothing says so, and a down link is warned about.
# Needs root (namespaces, XDP).
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
. tests/lib_live.sh
live_test_begin "guard tests" g
trap 'http_stop; live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT

live_testbed_up

xdp_attached() { # the XDP attachment of the DUT interface, if any
	ip -n "$TB_DUT" -d link show "$TB_DUT_IF" | grep -oE 'prog/xdp id [0-9]+' | head -1
}
xdp_frames() { # frames veth ran through an XDP program on the DUT end
	ip netns exec "$TB_DUT" ethtool -S "$TB_DUT_IF" |
		awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}'
}
# run NAME ARGS...: xdpi live for 1 s on the DUT interface, without
# --takeover unless ARGS has it; exit status in $rc
run() {
	local name=$1
	shift
	testbed_dut "$XDPI" live --duration 1 --interval 0 "$@" "$TB_DUT_IF" \
		>"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
	rc=$?
}
# refused NAME PATTERN: the run NAME exited 2, said PATTERN, attached nothing
refused() {
	if [ "$rc" = 2 ] && grep -q -- "$2" "$T_TMP/$1.err" && [ -z "$(xdp_attached)" ] &&
		[ ! -s "$T_TMP/$1.out" ]; then
		t_ok "$1: refused (exit 2), says '$2', nothing attached"
	else
		t_fail "$1: refused (exit 2), says '$2', nothing attached" \
			"exit $rc, attached '$(xdp_attached)', stderr: $(head -5 "$T_TMP/$1.err")"
	fi
}

# A TCP service of the host on the DUT end, and a client on the other.
mkdir -p "$T_TMP/www"
echo "hello from the DUT" >"$T_TMP/www/hello.txt"
ip netns exec "$TB_DUT" python3 -m http.server --bind "$TB_DUT_IP" --directory "$T_TMP/www" \
	8080 >/dev/null 2>&1 &
HTTP_PID=$!
http_stop() { [ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null; }
fetch() { # fetch [SECONDS]: the file through HTTP from the generator side
	testbed_gen curl -s -m "${1:-3}" "http://$TB_DUT_IP:8080/hello.txt" 2>/dev/null
}
for _ in $(seq 50); do fetch 1 >/dev/null && break; sleep 0.1; done
t_eq "HTTP from the generator to the DUT works before" "$(fetch)" "hello from the DUT"

# --- 1. the DUT end has an address: refused, nothing touched
before=$(xdp_frames)
run addr
refused addr "it has 1 address: $TB_DUT_IP"
t_check "addr: names both ways on (--passive, --takeover)" \
	grep -q -- "--passive .*--takeover" "$T_TMP/addr.err"
t_check "addr: a few lines, not a wall (<= 5)" test "$(wc -l <"$T_TMP/addr.err")" -le 5
t_eq "HTTP still works after the refusal" "$(fetch)" "hello from the DUT"
t_eq "the XDP program never ran (veth's xdp_packets unchanged)" "$(xdp_frames)" "$before"

# Ceiling mode drops the wanted frames in XDP: it needs --takeover too.
run ceiling --ceiling
refused ceiling "it has 1 address"

# The SSH session of whoever types it, named by SSH_CONNECTION.
SSH_CONNECTION="$TB_GEN_IP 50022 $TB_DUT_IP 22" run ssh
refused ssh "your SSH session arrives on it (SSH_CONNECTION's local address $TB_DUT_IP)"
SSH_CONNECTION="192.0.2.9 50022 192.0.2.1 22" run ssh_other
t_check "a session to an address elsewhere is not named" \
	sh -c "! grep -q 'SSH session' '$T_TMP/ssh_other.err'"

# --- 2. --takeover steers as before, and the host's connection stalls
if live_start takeover --interval 0 --json; then
	t_check "--takeover: says it steers an interface the host uses" \
		grep -q -- "--takeover: steering $TB_DUT_IF although this host uses it (1 address)" \
		"$T_TMP/takeover.err"
	got=$(fetch 2)
	t_eq "--takeover: the host's TCP connection stalls while xdpi steers" "$got" ""
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_eq "--takeover: exit 0" "$?" 0
	t_eq "--takeover: the TCP frames were steered, the ledger closed, something steered" \
		"$(json "$T_TMP/takeover.out" '(d["ledger"]["queues"][0]["xdp"]["redirected"] > 0, d["ledger"]["unexplained"], d["nothing_steered"])')" \
		"(True, 0, None)"
	t_eq "HTTP works again once xdpi is gone" "$(fetch)" "hello from the DUT"
else
	t_fail "live started (takeover)" "$(cat "$T_TMP/takeover.err")"
fi

# --- 3. a run that steered nothing says so; the host's TCP is untouched
if live_start udp --interval 0 --proto udp; then
	t_eq "--proto udp: HTTP keeps working during the run" "$(fetch)" "hello from the DUT"
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_check "text: 'nothing steered: N frames seen, none matched filter udp'" \
		grep -qE "^nothing steered: [1-9][0-9]* frames? seen, none matched filter udp$" \
		"$T_TMP/udp.out"
else
	t_fail "live started (udp)" "$(cat "$T_TMP/udp.err")"
fi
if live_start udpjson --interval 0 --proto udp --json; then
	fetch >/dev/null
	wait_quiet
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
	t_eq "JSON: nothing_steered says how many were seen and that none matched" \
		"$(json "$T_TMP/udpjson.out" '(d["nothing_steered"] == "%d frame%s seen, none matched filter udp" % (d["ledger"]["queues"][0]["xdp"]["seen"], "" if d["ledger"]["queues"][0]["xdp"]["seen"] == 1 else "s"), d["ledger"]["queues"][0]["xdp"]["seen"] > 0)')" \
		"(True, True)"
else
	t_fail "live started (udpjson)" "$(cat "$T_TMP/udpjson.err")"
fi

# --- 4. without its address the interface is a capture port
ip -n "$TB_DUT" addr flush dev "$TB_DUT_IF"
run port
t_eq "no address: accepted without --takeover (exit 0)" "$rc" 0
t_check "no address: no refusal, no takeover notice" \
	sh -c "! grep -qE 'refusing|--takeover:' '$T_TMP/port.err'"
t_eq "no address: detached at exit" "$(xdp_attached)" ""

# A link-local IPv6 address alone (the kernel's, whenever IPv6 is on) does
# not make it the host's.
ip netns exec "$TB_DUT" sysctl -qw "net.ipv6.conf.$TB_DUT_IF.disable_ipv6=0"
for _ in $(seq 30); do
	ip -n "$TB_DUT" -6 addr show dev "$TB_DUT_IF" | grep -q 'inet6 fe80' && break
	sleep 0.1
done
if ip -n "$TB_DUT" -6 addr show dev "$TB_DUT_IF" | grep -q 'inet6 fe80'; then
	run linklocal
	t_eq "link-local IPv6 only: accepted (exit 0)" "$rc" 0
	# ... but an SSH session over it is the host's
	ll=$(ip -n "$TB_DUT" -6 addr show dev "$TB_DUT_IF" | awk '/inet6 fe80/ {sub("/.*", "", $2); print $2}')
	SSH_CONNECTION="fe80::99 50022 $ll%$TB_DUT_IF 22" run ssh_ll
	refused ssh_ll "your SSH session arrives on it"
else
	t_skip "link-local IPv6 only: accepted" "no link-local address appeared"
	t_skip "ssh over link-local refused" "no link-local address appeared"
fi
ip netns exec "$TB_DUT" sysctl -qw "net.ipv6.conf.$TB_DUT_IF.disable_ipv6=1"

# A default route through it, even without an address.
ip -n "$TB_DUT" route add default dev "$TB_DUT_IF"
run route
refused route "the IPv4 default route goes through it"
ip -n "$TB_DUT" route del default dev "$TB_DUT_IF"

# A bridge port: the bridge's traffic comes in through it.
ip -n "$TB_DUT" link add xdpi-br type bridge
ip -n "$TB_DUT" link set "$TB_DUT_IF" master xdpi-br
run bridge
refused bridge "it is a port of bridge xdpi-br"
ip -n "$TB_DUT" link set "$TB_DUT_IF" nomaster
ip -n "$TB_DUT" link del xdpi-br

# A device stacked on it (VLAN, macvlan): its frames pass this XDP hook.
if ip -n "$TB_DUT" link add link "$TB_DUT_IF" name xdpi-mv type macvlan 2>/dev/null; then
	run upper
	refused upper "xdpi-mv is stacked on it"
	ip -n "$TB_DUT" link del xdpi-mv
else
	t_skip "a stacked device is refused" "no macvlan in this kernel"
fi

run port_again
t_eq "all of that undone: a capture port again (exit 0)" "$rc" 0

# --- 5. a link that is down: warned at start; the run steered nothing
ip -n "$TB_DUT" link set "$TB_DUT_IF" down
run down
t_eq "link down: still runs (exit 0)" "$rc" 0
t_check "link down: warned at start" \
	grep -q "warning: $TB_DUT_IF is down: no frame arrives until it is up" "$T_TMP/down.err"
t_check "link down: the summary says nothing reached the program" \
	grep -q "^nothing steered: no frame reached the XDP program" "$T_TMP/down.out"
ip -n "$TB_DUT" link set "$TB_DUT_IF" up

t_done
