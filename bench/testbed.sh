#!/bin/bash
# The veth testbed: two network namespaces joined by a veth pair, so xdpi can
# be tested and benchmarked on a machine without a spare NIC.
#
#   xdpi-gen-ID  [xdpi-g] 198.18.0.1/24 <--veth--> 198.18.0.2/24 [xdpi-d]  xdpi-dut-ID
#
# Used two ways:
#   bench/testbed.sh up [-q QUEUES] [-n ID] [--mtu N]   create, print the variables
#   bench/testbed.sh down [-n ID]                       remove
# or sourced by a test: `. bench/testbed.sh; testbed_up 2; trap testbed_down EXIT`
# (testbed_up QUEUES ID MTU). --mtu (68..9000, default 1500) is set on both
# ends: veth drops a frame longer than the receiving end's MTU + 14 (+ 4 for
# one VLAN tag), and native XDP on either end of a pair whose MTU needs more
# than a page (above 3506 here) takes only a program with frags support.
# Addresses are from 198.18.0.0/15 (RFC 2544 benchmarking). Nothing is put in
# the root namespace; `down` removes both namespaces, and the veth with them.

testbed_up() {
	local queues=${1:-1}
	TB_ID=${2:-${TB_ID:-$$}}
	TB_MTU=${3:-1500}
	TB_GEN=xdpi-gen-$TB_ID
	TB_DUT=xdpi-dut-$TB_ID
	TB_GEN_IF=xdpi-g
	TB_DUT_IF=xdpi-d
	TB_GEN_IP=198.18.0.1
	TB_DUT_IP=198.18.0.2
	testbed_down 2>/dev/null
	ip netns add "$TB_GEN" || return 1
	# IPv6 off before any link exists, so that no neighbour discovery or
	# router solicitation ever crosses the pair: the tests count frames.
	if ! ip netns add "$TB_DUT" ||
		! ip netns exec "$TB_GEN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 ||
		! ip netns exec "$TB_DUT" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 ||
		! ip -n "$TB_GEN" link add "$TB_GEN_IF" numrxqueues "$queues" numtxqueues "$queues" \
			type veth peer name "$TB_DUT_IF" netns "$TB_DUT" \
			numrxqueues "$queues" numtxqueues "$queues" ||
		! ip -n "$TB_GEN" addr add "$TB_GEN_IP/24" dev "$TB_GEN_IF" ||
		! ip -n "$TB_DUT" addr add "$TB_DUT_IP/24" dev "$TB_DUT_IF" ||
		! ip -n "$TB_GEN" link set "$TB_GEN_IF" mtu "$TB_MTU" ||
		! ip -n "$TB_DUT" link set "$TB_DUT_IF" mtu "$TB_MTU" ||
		! ip -n "$TB_GEN" link set "$TB_GEN_IF" up ||
		! ip -n "$TB_DUT" link set "$TB_DUT_IF" up ||
		! ip -n "$TB_GEN" link set lo up ||
		! ip -n "$TB_DUT" link set lo up; then
		echo "testbed: cannot create the namespaces and veth pair" >&2
		testbed_down
		return 1
	fi
	TB_GEN_MAC=$(ip netns exec "$TB_GEN" cat /sys/class/net/$TB_GEN_IF/address)
	TB_DUT_MAC=$(ip netns exec "$TB_DUT" cat /sys/class/net/$TB_DUT_IF/address)
	export TB_ID TB_GEN TB_DUT TB_GEN_IF TB_DUT_IF TB_GEN_IP TB_DUT_IP TB_GEN_MAC TB_DUT_MAC TB_MTU
}

testbed_down() {
	[ -n "${TB_ID:-}" ] || return 0
	ip netns del "xdpi-gen-$TB_ID" 2>/dev/null
	ip netns del "xdpi-dut-$TB_ID" 2>/dev/null
	return 0
}

# testbed_dut CMD...: run CMD in the DUT namespace with bpffs mounted (ip
# netns exec gives each command a fresh /sys, without bpffs).
testbed_dut() {
	ip netns exec "$TB_DUT" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' sh "$@"
}

testbed_gen() {
	ip netns exec "$TB_GEN" "$@"
}

testbed_usage() {
	echo "usage: $0 up [-q QUEUES] [-n ID] [--mtu N] | down -n ID" >&2
	echo "  --mtu N   MTU of both veth ends, 68..9000 (default 1500)" >&2
	exit 2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cmd=${1:-}
	shift || true
	q=1 id='' mtu=1500
	# --mtu is long (getopts has none): taken out before getopts sees the rest.
	args=()
	while [ $# -gt 0 ]; do
		case $1 in
		--mtu) [ $# -ge 2 ] || testbed_usage; mtu=$2; shift 2 ;;
		--mtu=*) mtu=${1#--mtu=}; shift ;;
		*) args+=("$1"); shift ;;
		esac
	done
	set -- "${args[@]+"${args[@]}"}"
	while getopts "q:n:" o; do
		case $o in
		q) q=$OPTARG ;;
		n) id=$OPTARG ;;
		*) cmd=usage ;;
		esac
	done
	if ! [[ $mtu =~ ^[0-9]+$ ]] || [ "$((10#$mtu))" -lt 68 ] || [ "$((10#$mtu))" -gt 9000 ]; then
		echo "testbed: --mtu '$mtu': the MTU is 68..9000" >&2
		testbed_usage
	fi
	mtu=$((10#$mtu))
	if [ "$(id -u)" != 0 ]; then
		echo "testbed: needs root (network namespaces)" >&2
		exit 1
	fi
	case $cmd in
	up)
		testbed_up "$q" "${id:-$$}" "$mtu" || exit 1
		for v in TB_ID TB_GEN TB_DUT TB_GEN_IF TB_DUT_IF TB_GEN_IP TB_DUT_IP TB_GEN_MAC TB_DUT_MAC TB_MTU; do
			echo "$v=${!v}"
		done
		;;
	down)
		[ -n "$id" ] || { echo "testbed: down needs -n ID" >&2; exit 2; }
		TB_ID=$id testbed_down
		;;
	*)
		testbed_usage
		;;
	esac
fi
