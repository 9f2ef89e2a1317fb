#!/bin/bash
# Makes captures of real traffic for the flow tests: two network namespaces
# joined by a veth pair, servers in one, clients in the other, tcpdump on the
# server's end of the veth.
#
#   xdpi-rt-c-PID [xdpi-rtc] <--veth--> [xdpi-rts] xdpi-rt-s-PID
#     198.18.N.1/24                       198.18.N.2/24        (N = PID % 256)
#     fd78:6470:69::1/64                  fd78:6470:69::2/64
#     xdpi-rtc.42 198.19.N.1/24 <-- VLAN 42 --> xdpi-rts.42 198.19.N.2/24
#
# Writes into OUT_DIR:
#   http.pcap  curl against python3's http.server: GET (several Host
#              headers, one with a quote, a backslash and UTF-8), POST, PUT,
#              DELETE, HEAD; over IPv4, IPv6 and the VLAN; one refused;
#   tls.pcap   openssl s_client against s_server (a self-signed certificate
#              made here), TLS 1.2 and 1.3, with SNI and ALPN; over IPv4,
#              IPv6 and the VLAN.
# The VLAN part needs 802.1Q devices in the kernel (8021q); without them it
# is left out, with a note on stderr.
# Nothing is created in the root namespace (the veth is made inside the
# client namespace, the namespaces' removal removes it); the namespaces and
# every process started here go at exit, on success or failure. Every
# command is bounded by `timeout`. Needs root, ip, tcpdump, curl, openssl,
# python3.
#   tests/realtraffic.sh OUT_DIR
set -u
OUT=${1:?usage: realtraffic.sh OUT_DIR}
[ "$(id -u)" = 0 ] || { echo "realtraffic: needs root" >&2; exit 1; }
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)

ID=$$
NS_C=xdpi-rt-c-$ID
NS_S=xdpi-rt-s-$ID
IF_C=xdpi-rtc
IF_S=xdpi-rts
VLAN=42
N=$((ID % 256))
C4=198.18.$N.1
S4=198.18.$N.2
CV=198.19.$N.1
SV=198.19.$N.2
C6=fd78:6470:69::1
S6=fd78:6470:69::2
TMP=$(mktemp -d /tmp/xdpi-rt.XXXXXX) || exit 1
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

die() {
	echo "realtraffic: $*" >&2
	exit 1
}

in_c() { timeout 20 ip netns exec "$NS_C" "$@"; }
in_s() { timeout 20 ip netns exec "$NS_S" "$@"; }

# bg_s NAME CMD...: CMD in the server namespace in the background (at most
# 120 s), output in $TMP/NAME.log; its PID is killed at exit.
bg_s() {
	local name=$1
	shift
	timeout 120 ip netns exec "$NS_S" "$@" >"$TMP/$name.log" 2>&1 &
	PIDS+=($!)
}

# wait_for WHAT CMD...: until CMD succeeds, at most 10 s.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what did not come up"
}

setup() {
	ip netns add "$NS_C" || die "ip netns add $NS_C"
	ip netns add "$NS_S" || die "ip netns add $NS_S"
	ip -n "$NS_C" link add "$IF_C" type veth peer name "$IF_S" netns "$NS_S" ||
		die "veth pair"
	# No router solicitations or DAD delays: IPv6 usable at once.
	local ns
	for ns in "$NS_C" "$NS_S"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.all.router_solicitations=0 || die "sysctl in $ns"
		ip -n "$ns" link set lo up || die "lo up in $ns"
	done
	if ! ip -n "$NS_C" addr add "$C4/24" dev "$IF_C" ||
		! ip -n "$NS_S" addr add "$S4/24" dev "$IF_S" ||
		! ip -n "$NS_C" -6 addr add "$C6/64" dev "$IF_C" nodad ||
		! ip -n "$NS_S" -6 addr add "$S6/64" dev "$IF_S" nodad ||
		! ip -n "$NS_C" link set "$IF_C" up ||
		! ip -n "$NS_S" link set "$IF_S" up; then
		die "addresses"
	fi
	# An 802.1Q sub-interface on each end (IPv4 only: its IPv6 link-local
	# chatter is not needed), where the kernel has 802.1Q devices.
	HAVE_VLAN=0
	if ip -n "$NS_C" link add link "$IF_C" name "$IF_C.$VLAN" type vlan id "$VLAN" 2>/dev/null; then
		if ip -n "$NS_S" link add link "$IF_S" name "$IF_S.$VLAN" type vlan id "$VLAN" &&
			ip netns exec "$NS_C" sysctl -qw "net.ipv6.conf.$IF_C/$VLAN.disable_ipv6=1" &&
			ip netns exec "$NS_S" sysctl -qw "net.ipv6.conf.$IF_S/$VLAN.disable_ipv6=1" &&
			ip -n "$NS_C" addr add "$CV/24" dev "$IF_C.$VLAN" &&
			ip -n "$NS_S" addr add "$SV/24" dev "$IF_S.$VLAN" &&
			ip -n "$NS_C" link set "$IF_C.$VLAN" up &&
			ip -n "$NS_S" link set "$IF_S.$VLAN" up; then
			HAVE_VLAN=1
		else
			die "VLAN $VLAN"
		fi
	else
		echo "realtraffic: no 802.1Q devices in this kernel: no VLAN traffic" >&2
	fi
	# Neighbours resolved before the captures (ARP and ND are not flows of
	# interest; they may still appear, tshark counts what is there). A link
	# just brought up may drop the first probes on a loaded machine: a few
	# tries, each bounded.
	ping_up "$S4" || die "ping $S4"
	[ $HAVE_VLAN = 0 ] || ping_up "$SV" || die "ping $SV"
	ping_up -6 "$S6" || die "ping $S6"
}

# ping_up [-6] ADDR: one echo answered within 5 tries of a second.
ping_up() {
	local try
	for try in 1 2 3 4 5; do
		in_c ping -c 1 -W 1 "$@" >/dev/null && return 0
	done
	return 1
}

# capture_start NAME: tcpdump on the server's veth end (untagged and tagged
# frames) into $OUT/NAME.pcap.
capture_start() {
	local name=$1
	rm -f "$OUT/$name.pcap"
	bg_s "tcpdump-$name" tcpdump -Z root -U --immediate-mode -n -s 0 -i "$IF_S" -w "$OUT/$name.pcap"
	CAP_PID=${PIDS[-1]}
	wait_for "tcpdump ($name)" grep -q "listening on" "$TMP/tcpdump-$name.log"
}

# capture_stop: lets the last frames arrive, stops tcpdump (SIGINT, so that
# it flushes), checks that it wrote something.
capture_stop() {
	local name=$1
	sleep 0.5
	kill -INT "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	[ -s "$OUT/$name.pcap" ] || die "tcpdump wrote no $name.pcap: $(cat "$TMP/tcpdump-$name.log")"
}

# HTTP: one connection per request (curl, one URL each), distinct hosts.
run_http() {
	# --bind ::: one dual-stack socket for IPv4 and IPv6.
	bg_s http python3 -m http.server --bind :: -d "$TMP/www" 80
	wait_for "http.server" in_c curl --noproxy '*' -s -o /dev/null "http://$S4/"
	wait_for "http.server (IPv6)" in_c curl --noproxy '*' -s -o /dev/null "http://[$S6]/"
	capture_start http
	local u4="http://$S4" u6="http://[$S6]" uv="http://$SV"
	local cu=(curl --noproxy '*' -s -o /dev/null --max-time 5)
	in_c "${cu[@]}" -H "Host: www.example.com" "$u4/index.html"
	in_c "${cu[@]}" -H "Host: static.example.net" "$u4/missing.css?v=1"
	in_c "${cu[@]}" -H "Host: api.example.org" -d "a=1&b=2" "$u4/submit"
	in_c "${cu[@]}" -H "Host: api.example.org" -X PUT -d '{}' "$u4/obj/7"
	in_c "${cu[@]}" -H "Host: api.example.org" -X DELETE "$u4/obj/7"
	in_c "${cu[@]}" -H "Host: www.example.com" -I "$u4/"
	in_c "${cu[@]}" -H $'Host: we"ird\\host\xc3\xa9' "$u4/odd"
	in_c "${cu[@]}" -H "Host: v6.example.com" "$u6/index.html"
	in_c "${cu[@]}" -H "Host: v6.example.com" -d "six" "$u6/post6"
	# Refused (nothing listens on 81): SYN, RST-ACK.
	in_c "${cu[@]}" "http://$S4:81/"
	[ $HAVE_VLAN = 0 ] || in_c "${cu[@]}" -H "Host: vlan.example.com" "$uv/index.html"
	capture_stop http
}

# TLS: one s_server per address family / VLAN, s_client with SNI and ALPN
# in TLS 1.2 and 1.3; curl once (its own ClientHello, SNI from the URL).
run_tls() {
	timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 1 -subj /CN=xdpi-test.example -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
		>"$TMP/req.log" 2>&1 || die "openssl req: $(cat "$TMP/req.log")"
	# shellcheck disable=SC2054 # the comma is openssl's list separator
	local srv=(openssl s_server -quiet -www -cert "$TMP/cert.pem" -key "$TMP/key.pem"
		-alpn h2,http/1.1)
	bg_s tls4 "${srv[@]}" -accept "$S4:443"
	bg_s tls6 "${srv[@]}" -accept "[$S6]:443"
	[ $HAVE_VLAN = 0 ] || bg_s tlsv "${srv[@]}" -accept "$SV:443"
	wait_for "s_server (IPv4)" in_c bash -c "exec 3<>/dev/tcp/$S4/443"
	wait_for "s_server (IPv6)" in_c bash -c "exec 3<>/dev/tcp/$S6/443"
	[ $HAVE_VLAN = 0 ] || wait_for "s_server (VLAN)" in_c bash -c "exec 3<>/dev/tcp/$SV/443"
	capture_start tls
	local cl=(openssl s_client -quiet -no_ign_eof)
	in_c "${cl[@]}" -connect "$S4:443" -servername secure.example.com -alpn h2,http/1.1 \
		-tls1_3 </dev/null >/dev/null 2>&1
	in_c "${cl[@]}" -connect "$S4:443" -servername mail.example.org -alpn http/1.1 \
		-tls1_2 </dev/null >/dev/null 2>&1
	in_c "${cl[@]}" -connect "$S4:443" -servername secure.example.com \
		</dev/null >/dev/null 2>&1
	in_c "${cl[@]}" -connect "[$S6]:443" -servername v6.secure.example -alpn h2 \
		-tls1_3 </dev/null >/dev/null 2>&1
	in_c "${cl[@]}" -connect "[$S6]:443" -servername v6-12.secure.example -alpn h2,http/1.1 \
		-tls1_2 </dev/null >/dev/null 2>&1
	[ $HAVE_VLAN = 0 ] || in_c "${cl[@]}" -connect "$SV:443" -servername vlan.secure.example \
		-alpn http/1.1 </dev/null >/dev/null 2>&1
	in_c curl --noproxy '*' -s -o /dev/null --max-time 5 -k --http1.1 \
		--resolve "curl.secure.example:443:$S4" https://curl.secure.example/
	capture_stop tls
}

mkdir -p "$TMP/www" && echo "hello from xdpi realtraffic" >"$TMP/www/index.html"
setup
run_http
run_tls
for f in http tls; do
	echo "realtraffic: $OUT/$f.pcap ($(stat -c %s "$OUT/$f.pcap") bytes)"
done
