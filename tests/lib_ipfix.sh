# shellcheck shell=bash
# The IPFIX oracle's capture, for the tests that check what xdpi exports
# by tshark's decoding of the UDP messages on the wire (sourced after
# tests/lib.sh, with T_TMP set): a collector that only reads, tcpdump on
# the same loopback, tshark's cflow dissector on the capture.

# ipfix_capture_start NETNS PORT: in NETNS, a UDP socket on
# 127.0.0.1:PORT that reads and drops every message (a send refused with
# ICMP port unreachable makes the exporter reopen its socket on another
# source port, whose records tshark cannot decode until the templates come
# again), and tcpdump on NETNS's loopback writing UDP PORT into
# $T_TMP/ipfix.pcap (a 64 MiB buffer: with its default 2 MiB tcpdump
# dropped messages of the burst an exporter sends at exit). SINK_PID and
# TCPDUMP_PID are theirs, also put in PIDS for the caller's exit trap.
# 0 once the socket is bound and tcpdump listens, 1 if not within 10 s.
ipfix_capture_start() {
	IPFIX_PORT=$2
	ip netns exec "$1" python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $2))
while True:
    s.recv(65536)
" &
	SINK_PID=$!
	ip netns exec "$1" tcpdump -Z root -B 65536 --immediate-mode -i lo -n -U \
		-w "$T_TMP/ipfix.pcap" udp port "$2" 2>"$T_TMP/ipfix.tcpdump.err" &
	TCPDUMP_PID=$!
	PIDS+=("$SINK_PID" "$TCPDUMP_PID")
	for _ in $(seq 100); do
		grep -qs "listening on" "$T_TMP/ipfix.tcpdump.err" &&
			ip netns exec "$1" ss -H -uln "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# ipfix_capture_stop: once $T_TMP/ipfix.pcap has not grown for 200 ms (at
# most 10 s; every message is sent when xdpi exits, tcpdump writes each at
# once), stops tcpdump, the file complete.
ipfix_capture_stop() {
	local last=-1 size
	for _ in $(seq 50); do
		size=$(stat -c %s "$T_TMP/ipfix.pcap")
		[ "$size" = "$last" ] && break
		last=$size
		sleep 0.2
	done
	kill -INT "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" 2>/dev/null
	TCPDUMP_PID=
}

# ipfix_tshark ARGS...: tshark's reading of the capture, the UDP port
# decoded as IPFIX (cflow), with ARGS (-Y, -T ...) on stdout.
ipfix_tshark() {
	tshark -r "$T_TMP/ipfix.pcap" -d "udp.port==$IPFIX_PORT,cflow" "$@" 2>/dev/null
}
