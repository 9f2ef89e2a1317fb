#!/bin/bash
# xdpi --version and -V: xdpi's release (VERSION), the libbpf it runs with
# (libbpf's own run-time call) and the libxdp it was built with (libxdp has
# no run-time call: pkg-config's at build time), checked against pkg-config
# and the installed Debian packages.
. tests/lib.sh
t_tmpdir
t_require_built "$XDPI"

"$XDPI" --version >"$T_TMP/v" 2>"$T_TMP/err"
t_eq "--version exits 0" "$?" 0
t_eq "-V is --version" "$("$XDPI" -V)" "$(cat "$T_TMP/v")"
t_eq "nothing on stderr" "$(cat "$T_TMP/err")" ""
t_eq "three lines" "$(wc -l <"$T_TMP/v")" 3
line() { grep "^$1 " "$T_TMP/v"; }

# xdpi VERSION[+commit]
if [[ $(line xdpi) =~ ^xdpi\ $(sed 's/\./\\./g' VERSION)(\+[0-9a-f]+(-dirty)?)?$ ]]; then
	t_ok "xdpi line: the release in VERSION"
else
	t_fail "xdpi line: the release in VERSION" "got '$(line xdpi)', VERSION $(cat VERSION)"
fi

# libbpf MAJOR.MINOR (running; built with MAJOR.MINOR): the running one is
# the package's (libbpf1), the built one pkg-config's (libbpf-dev).
bpf_pc=$(pkg-config --modversion libbpf)
bpf_pc=${bpf_pc%.*}
bpf_deb=$(dpkg-query -W -f='${Version}' "libbpf1:$(dpkg --print-architecture)" 2>/dev/null ||
	dpkg-query -W -f='${Version}' libbpf1)
bpf_deb=${bpf_deb#*:}
bpf_deb=$(echo "$bpf_deb" | grep -oE '^[0-9]+\.[0-9]+')
t_eq "libbpf line: running the package's, built with pkg-config's" "$(line libbpf)" \
	"libbpf $bpf_deb (running; built with $bpf_pc)"

# libxdp VERSION (built with; ...): pkg-config's, which is the package's.
xdp_pc=$(pkg-config --modversion libxdp)
t_eq "libxdp line: pkg-config's version, said to be the build's" "$(line libxdp)" \
	"libxdp $xdp_pc (built with; libxdp has no run-time version call)"
xdp_deb=$(dpkg-query -W -f='${Version}' libxdp-dev)
t_eq "libxdp: the version of the libxdp-dev package" "${xdp_deb%%-*}" "$xdp_pc"

# The xdpi line is the one the JSON records carry.
"$XDPI" read --json tests/fuzz-corpus/pcap/arp.pcap >"$T_TMP/r.json" 2>/dev/null
t_eq "the JSON record has the same version" "xdpi $(json "$T_TMP/r.json" "d['version']")" \
	"$(line xdpi)"

t_done
