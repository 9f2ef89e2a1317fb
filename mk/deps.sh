#!/bin/sh
# Installs the Debian packages xdpi builds, tests and benchmarks with.
# Does nothing (quickly) when they are all present, so make can call it on
# every build. docs/dependencies.md says why each one is here.
set -eu

PACKAGES="make gcc clang llvm pkg-config libbpf-dev libxdp-dev bpftool xdp-tools
libelf-dev zlib1g-dev liburcu-dev libpcap-dev libjansson-dev libcmocka-dev
tshark tcpdump libndpi-bin valgrind gnuplot-nox iproute2 ethtool iputils-ping
procps kmod util-linux tcpreplay python3 libclang-rt-14-dev shellcheck
libmicrohttpd-dev prometheus libfixbuf-dev nfdump pmacct libcap-ng-dev libseccomp-dev
scdoc man-db groff-base debhelper lintian bash-completion logrotate libncurses-dev tmux
nmap hping3 masscan"

# DPDK's testpmd, for the `dpdk` receiver of `xdpi bench`: large (over 200
# packages), so only on request: `make deps-dpdk`.
[ "${1:-}" = "--dpdk" ] && { PACKAGES="dpdk dpdk-dev"; shift; }

missing=""
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "${1:-}" = "--check" ] && { echo "missing packages:$missing" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
	echo "xdpi: missing Debian packages:$missing" >&2
	echo "xdpi: run 'sudo make deps' (or install them with apt-get)" >&2
	exit 1
fi
echo "xdpi: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
