#!/bin/bash
# The Debian package installed, run and purged in a throwaway root: an
# overlay of this host's own root (lower /, upper on a tmpfs) in a private
# mount namespace and an empty network namespace, entered with chroot. apt
# resolves the package's Depends against the dpkg database of that root
# (this host's packages) and, with no network, could not fetch anything
# missing; nothing reaches the host's files, and the tmpfs goes with the
# namespace. (debootstrap is not used: it needs a mirror at every run; the
# host's root is the same Debian 12 that debootstrap would make, with the
# libraries xdpi depends on.) Checks:
#   - apt reads the Depends from the .deb (a simulated install against an
#     empty dpkg status wants libbpf1 and libxdp1);
#   - `apt-get install ./xdpi_*.deb`: only xdpi newly installed, dpkg says
#     "install ok installed", VERSION's version, every file of the .deb in
#     place;
#   - `xdpi --version` and `xdpi read --json` of a capture from inside the
#     root: the packets equal tshark's frame count of it;
#   - `apt-get purge xdpi`: dpkg knows nothing of it, and the overlay's
#     upper layer holds nothing but apt's and dpkg's bookkeeping and the
#     directories the install copied up (which the host has): no file of
#     the package, no conffile, no path named xdpi, no file of the host
#     deleted.
# The .deb: the one tests/t_package.sh keeps in BUILD/deb/ when it was
# built from this tree (tests/lib_deb.sh), else built here the same way.
. tests/lib.sh
. tests/lib_deb.sh
t_tmpdir
t_require_built "$BUILD/tests/tool_pcapgen"
if [ "$(id -u)" != 0 ]; then
	t_skip "the package installed in a throwaway root" "need root (mount namespace, overlay, chroot)"
	t_done
	exit 0
fi
for tool in dpkg-buildpackage apt-get unshare chroot tshark; do
	if ! command -v "$tool" >/dev/null; then
		t_fail "$tool is installed" "make deps"
		t_done
		exit 1
	fi
done
if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
	t_skip "the package installed in a throwaway root" "the kernel has no overlay filesystem"
	t_done
	exit 0
fi
if dpkg -s xdpi >/dev/null 2>&1; then
	t_skip "the package installed in a throwaway root" \
		"xdpi is installed on this host: the root would already have it"
	t_done
	exit 0
fi

version=$(cat VERSION)
deb=$(deb_kept)
if [ -n "$deb" ]; then
	t_ok "the package tests/t_package.sh built from this tree: $(basename "$deb")"
else
	tree=$(deb_tree_hash)
	src=$T_TMP/pkg/xdpi-$version
	mkdir -p "$src"
	git ls-files -co --exclude-standard -z | tar --null -T - --ignore-failed-read -cf - |
		tar -xf - -C "$src"
	start=$SECONDS
	if (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2 noautodbgsym" \
		dpkg-buildpackage -b -us -uc) >"$T_TMP/build.log" 2>&1; then
		deb=$(echo "$T_TMP"/pkg/xdpi_"$version"_*.deb)
		deb_keep "$deb" "$tree"
		t_ok "dpkg-buildpackage ($((SECONDS - start)) s)"
	else
		t_fail "dpkg-buildpackage" "$(tail -5 "$T_TMP/build.log")"
		t_done
		exit 1
	fi
fi

"$BUILD/tests/tool_pcapgen" handshakes "$T_TMP/hs.pcap" || t_fail "tool_pcapgen handshakes"
frames=$(tshark -n -r "$T_TMP/hs.pcap" 2>/dev/null | wc -l)
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $NF }' | sed 's|^\./|/|' | sort >"$T_TMP/files"

# What runs inside the namespaces; its results come back as lines
# "KEY<tab>VALUE" in $T_TMP/inside.out.
cat >"$T_TMP/inside.sh" <<'EOF'
set -u
T=$1 DEB=$2
O=$T/ovl R=$T/ovl/merged
put() { printf '%s\t%s\n' "$1" "$2"; }
mount -t tmpfs tmpfs "$O" || exit 1
mkdir "$O/upper" "$O/work" "$R"
mount -t overlay overlay -o "lowerdir=/,upperdir=$O/upper,workdir=$O/work" "$R" || exit 1
mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" || exit 1
cp "$DEB" "$R/root/xdpi.deb" && cp "$T/hs.pcap" "$R/root/hs.pcap" || exit 1
inroot() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root \
	DEBIAN_FRONTEND=noninteractive sh -c "cd /root && $1"; }
: >"$T/empty-status"
cp "$T/empty-status" "$R/root/empty-status"
inroot 'apt-get install -s -o Dir::State::status=/root/empty-status ./xdpi.deb' >"$T/simulate.log" 2>&1
put wants "$(grep -oE '\b(libbpf1|libxdp1)\b' "$T/simulate.log" | sort -u | tr '\n' ' ')"
rm "$R/root/empty-status"
inroot 'apt-get install -y ./xdpi.deb' >"$T/install.log" 2>&1
put install_rc "$?"
put new "$(sed -n '/NEW packages will be installed/,/^[^ ]/p' "$T/install.log" | grep '^ ' | tr -s ' \n' ' ')"
put status "$(inroot 'dpkg-query -W -f "\${Status} \${Version}" xdpi')"
missing=0
while read -r f; do [ -e "$R$f" ] || [ -L "$R$f" ] || missing=$((missing + 1)); done <"$T/files"
put missing "$missing"
put which "$(inroot 'command -v xdpi')"
put version "$(inroot 'xdpi --version' | head -1)"
inroot 'xdpi read -q --json hs.pcap' >"$T/read.json" 2>"$T/read.err"
put read_rc "$?"
inroot 'apt-get purge -y xdpi' >"$T/purge.log" 2>&1
put purge_rc "$?"
put after "$(inroot 'dpkg-query -W -f "\${Status}" xdpi 2>&1')"
rm -f "$R/root/xdpi.deb" "$R/root/hs.pcap"
umount -R "$R/proc" "$R/dev"
# The upper layer: what the install and purge left in the root.
(cd "$O/upper" && find . -mindepth 1 -printf '%y %p %Hr\n') >"$T/upper.list" 2>&1
(cd "$O/upper" && find . -mindepth 1 -type c -printf '%p\n') >"$T/whiteouts.list"
umount "$R"
umount "$O"
EOF
mkdir -p "$T_TMP/ovl"
unshare -m -n --propagation private bash "$T_TMP/inside.sh" "$T_TMP" "$(realpath "$deb")" \
	>"$T_TMP/inside.out" 2>"$T_TMP/inside.err"
t_eq "the throwaway root is set up (overlay of /, chroot, no network)" "$?" 0
get() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$T_TMP/inside.out"; }

t_eq "apt reads the Depends: against an empty dpkg status it wants libbpf1 and libxdp1" \
	"$(get wants)" "libbpf1 libxdp1 "
t_eq "apt-get install ./xdpi.deb: exit 0" "$(get install_rc)" 0
[ "$(get install_rc)" = 0 ] || sed 's/^/# /' "$T_TMP/install.log" | tail -8
t_eq "apt installs xdpi and nothing else (its dependencies are this root's)" "$(get new)" " xdpi "
t_eq "dpkg: install ok installed, version $version" "$(get status)" \
	"install ok installed $version"
t_eq "every file of the .deb is in place ($(wc -l <"$T_TMP/files") files)" "$(get missing)" 0
t_eq "xdpi on PATH is /usr/sbin/xdpi" "$(get which)" /usr/sbin/xdpi
t_eq "xdpi --version from the root" "$(get version)" "xdpi $version"
t_eq "xdpi read --json from the root: exit 0" "$(get read_rc)" 0
t_eq "xdpi read: packets = tshark's frames ($frames)" \
	"$(json "$T_TMP/read.json" "d['packets']" 2>/dev/null)" "$frames"
t_eq "apt-get purge xdpi: exit 0" "$(get purge_rc)" 0
t_eq "after the purge dpkg knows nothing of xdpi" "$(get after)" \
	"dpkg-query: no packages found matching xdpi"
left=$(python3 - "$T_TMP/upper.list" "$T_TMP/whiteouts.list" <<'PY'
import os, sys
# apt's and dpkg's own state, logs and caches (man-db's index, debconf).
BOOK = ("var/lib/dpkg/", "var/lib/apt/", "var/log/", "var/cache/", "tmp/")
bad = []
for line in open(sys.argv[1]):
    kind, path = line.split()[:2]
    p = path[2:]
    if "xdpi" in p:
        bad.append(p)
    elif kind == "d":
        if not os.path.isdir("/" + p):
            bad.append(p + "/ (a directory the host has not)")
    elif not p.startswith(BOOK):
        bad.append(p)
for w in open(sys.argv[2]):
    w = w.strip()[2:]
    if not w.startswith(BOOK):
        bad.append(w + " (deleted from the host's files)")
print(" ".join(bad[:10]) if bad else "OK")
PY
)
t_eq "after the purge nothing of the package is left in the root" "$left" OK
t_done
