#!/bin/bash
# The Debian package (debian/): built with dpkg-buildpackage from a copy of
# the tree in a temporary directory (it writes into the parent of the
# tree), then read, never installed: its file list (with the logrotate
# file in /etc/logrotate.d), conffiles and maintainer scripts, lintian (no
# E: tag), and the binary run from the unpacked package. While dist/ has
# no systemd unit and configuration yet, the copy gets stand-ins, so that
# their packaging is checked too.
# About a minute on two cores.
. tests/lib.sh
. tests/lib_deb.sh
t_tmpdir
for tool in dpkg-buildpackage dh lintian; do
	if ! command -v "$tool" >/dev/null; then
		t_fail "$tool is installed" "make deps"
		t_done
		exit 1
	fi
done

version=$(cat VERSION)
t_eq "debian/changelog's version is VERSION's" \
	"$(dpkg-parsechangelog -S Version)" "$version"

# The copy: the files git knows, as they are on disk (no build tree).
tree=$(deb_tree_hash)
pkg=$T_TMP/pkg
src=$pkg/xdpi-$version
mkdir -p "$src"
git ls-files -co --exclude-standard -z | tar --null -T - --ignore-failed-read -cf - |
	tar -xf - -C "$src"
if [ ! -f dist/xdpi@.service ]; then
	mkdir -p "$src/dist"
	cat >"$src/dist/xdpi@.service" <<'UNIT'
[Unit]
Description=xdpi on %i (stand-in from tests/t_package.sh)
Documentation=man:xdpi-live(8)

[Service]
ExecStart=/usr/sbin/xdpi live %i

[Install]
WantedBy=multi-user.target
UNIT
	echo "# stand-in from tests/t_package.sh" >"$src/dist/xdpi.conf"
	t_ok "dist/ has no unit yet: stand-ins in the copy"
else
	t_ok "dist/ has the unit and the configuration"
fi

start=$SECONDS
if (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2 noautodbgsym" \
	dpkg-buildpackage -b -us -uc) >"$T_TMP/build.log" 2>&1; then
	t_ok "dpkg-buildpackage -b -us -uc ($((SECONDS - start)) s)"
else
	t_fail "dpkg-buildpackage -b -us -uc" "$(tail -15 "$T_TMP/build.log")"
	t_done
	exit 1
fi
deb=$(echo "$pkg"/xdpi_"$version"_*.deb)
t_check "it wrote xdpi_${version}_ARCH.deb" [ -f "$deb" ]
# Kept for tests/t_pkginstall.sh, which installs it (no second build).
deb_keep "$deb" "$tree" || t_fail "the .deb kept in $BUILD/deb"
other=""
for f in "$pkg"/*; do
	case ${f##*/} in xdpi_* | "xdpi-$version") ;; *) other="$other ${f##*/}" ;; esac
done
t_eq "it wrote nothing else beside the tree" "${other# }" ""

# The files: every path it must ship (a doc may be compressed).
dpkg-deb -c "$deb" | awk '{ print $1, $NF }' | sed 's| \./| |' >"$T_TMP/list"
ships() { # PATH [MODE]: PATH (or PATH.gz) is in the package
	grep -qE "^${2:--}[^ ]* $1(\.gz)?$" "$T_TMP/list"
}
missing=""
want=(usr/sbin/xdpi usr/share/bash-completion/completions/xdpi
	usr/share/doc/xdpi/copyright usr/share/doc/xdpi/changelog
	etc/xdpi/xdpi.conf usr/share/doc/xdpi/examples/xdpi.conf)
conffiles=/etc/xdpi/xdpi.conf
if [ -f dist/xdpi.logrotate ]; then
	want+=(etc/logrotate.d/xdpi usr/share/doc/xdpi/examples/xdpi.logrotate)
	conffiles="/etc/logrotate.d/xdpi /etc/xdpi/xdpi.conf"
fi
for f in docs/man/*.scd; do want+=("usr/share/man/man8/$(basename "$f" .scd)"); done
for f in docs/*.md; do want+=("usr/share/doc/xdpi/${f#docs/}"); done
for p in "${want[@]}"; do ships "$p" || missing="$missing $p"; done
ships "(usr/)?lib/systemd/system/xdpi@\.service" || missing="$missing lib/systemd/system/xdpi@.service"
t_eq "it ships the binary, ${#want[@]} other files and the unit" "${missing# }" ""
t_check "usr/sbin/xdpi is executable" ships usr/sbin/xdpi -rwxr-xr-x

dpkg-deb -e "$deb" "$T_TMP/control"
t_eq "conffiles: $conffiles" \
	"$(sort "$T_TMP/control/conffiles" 2>/dev/null | tr '\n' ' ')" "$conffiles "
# A template unit: nothing to enable or start until someone names an
# interface (debian/rules: dh_installsystemd --no-enable --no-start).
grep -h 'systemd' "$T_TMP"/control/p* 2>/dev/null | sed 's/^/# /'
started=$(grep -E 'deb-systemd-helper (enable|unmask)|deb-systemd-invoke' \
	"$T_TMP/control/postinst" 2>/dev/null | tr '\n' ' ')
t_eq "postinst enables and starts no unit" "$started" ""
deps=$(dpkg-deb -f "$deb" Depends)
if [[ $deps == *libbpf1* && $deps == *libxdp1* ]]; then
	t_ok "Depends: libbpf1, libxdp1 (shlibs)"
else
	t_fail "Depends: libbpf1, libxdp1 (shlibs)" "$deps"
fi

# lintian: no error. Warnings are shown, not failed.
changes=$(echo "$pkg"/xdpi_"$version"_*.changes)
# Its exit status decides (0: no error; 1: errors; 2: it could not run,
# e.g. no .changes): a missing lintian or input is a failure, not a pass.
if command -v lintian >/dev/null; then
	lintian "$changes" >"$T_TMP/lintian" 2>&1
	rc=$?
	errors=$(grep '^E:' "$T_TMP/lintian")
	t_eq "lintian: exit 0, no error" "$rc/$errors" "0/"
else
	t_fail "lintian: exit 0, no error" "lintian is not installed (make deps)"
fi
grep -E '^[WE]:' "$T_TMP/lintian" | sed 's/^/# /'

# The binary and the pages, unpacked, not installed.
root=$T_TMP/root
dpkg-deb -x "$deb" "$root"
v=$("$root/usr/sbin/xdpi" --version | head -1)
t_eq "unpacked: xdpi --version" "$v" "xdpi $version"
"$root/usr/sbin/xdpi" --help >"$T_TMP/help"
t_check "unpacked: xdpi --help lists the commands" grep -q "^  live " "$T_TMP/help"
"$root/usr/sbin/xdpi" live --help >"$T_TMP/help"
t_eq "unpacked: xdpi live --help" "$?" 0
LC_ALL=C MANROFFSEQ='' man --warnings -l "$root/usr/share/man/man8/xdpi.8.gz" >"$T_TMP/man" \
	2>"$T_TMP/man.err"
if [ -s "$T_TMP/man" ] && [ ! -s "$T_TMP/man.err" ]; then
	t_ok "unpacked: man -l xdpi.8.gz"
else
	t_fail "unpacked: man -l xdpi.8.gz" "$(head -3 "$T_TMP/man.err")"
fi

t_done
