#!/bin/bash
# make install / make uninstall (mk/install.mk) into a DESTDIR: the exact
# layout (no file more, none less), modes, the installed binary runs, and
# uninstall removes every file install laid out. The systemd unit, the
# example configuration and the logrotate file (/etc/logrotate.d/xdpi with
# SYSCONFDIR) come from dist/; while the tree has no unit, the
# rules are run on stand-ins from this test (UNIT_FILE, CONF_FILE), so
# they are exercised either way.
. tests/lib.sh
t_tmpdir
t_require_built "$XDPI"
repo=$(pwd)

# The build tree's own settings (mk/common.mk picks BUILD from SAN).
case $(basename "$BUILD") in
build-san) san=1 ;;
build-tsan) san=thread ;;
*) san=0 ;;
esac
# mk: make in this tree, not the make that runs the tests (its jobserver
# and flags), never relinking the binary under test (-o).
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$repo" --no-print-directory \
		SAN="$san" BUILD="$BUILD" -o "$BUILD/xdpi" "$@"
}

dist=()
if [ -f dist/xdpi@.service ] && [ -f dist/xdpi.conf ]; then
	t_ok "dist/ has the unit and the configuration: installing those"
	conf=$repo/dist/xdpi.conf
	unit=$repo/dist/xdpi@.service
else
	mkdir "$T_TMP/dist"
	printf '[Unit]\nDescription=stand-in\n[Service]\nExecStart=/usr/sbin/xdpi live %%i\n' \
		>"$T_TMP/dist/xdpi@.service"
	printf '# stand-in\n' >"$T_TMP/dist/xdpi.conf"
	dist=(UNIT_FILE="$T_TMP/dist/xdpi@.service" CONF_FILE="$T_TMP/dist/xdpi.conf")
	conf=$T_TMP/dist/xdpi.conf
	unit=$T_TMP/dist/xdpi@.service
	t_ok "dist/ has no unit yet: stand-ins from the test"
fi

# expected PREFIX [etc]: the files install lays out, sorted.
expected() {
	local p=${1#/} f
	{
		echo "$p/sbin/xdpi"
		for f in docs/man/*.scd; do echo "$p/share/man/man8/$(basename "$f" .scd)"; done
		for f in docs/*.md; do echo "$p/share/doc/xdpi/${f#docs/}"; done
		echo "$p/share/bash-completion/completions/xdpi"
		echo "$p/lib/systemd/system/xdpi@.service"
		echo "$p/share/doc/xdpi/examples/xdpi.conf"
		[ -n "${2:-}" ] && echo "etc/xdpi/xdpi.conf"
		if [ -f dist/xdpi.logrotate ]; then
			echo "$p/share/doc/xdpi/examples/xdpi.logrotate"
			[ -n "${2:-}" ] && echo "etc/logrotate.d/xdpi"
		fi
	} | sort
}
layout() { (cd "$1" && find . -type f -o -type l | sed 's|^\./||' | sort); }

# PREFIX=/usr, the configuration in /etc too (as the package does).
root=$T_TMP/root
if mk install DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc "${dist[@]}" >"$T_TMP/log" 2>&1; then
	t_ok "make install DESTDIR PREFIX=/usr SYSCONFDIR=/etc"
else
	t_fail "make install DESTDIR PREFIX=/usr SYSCONFDIR=/etc" "$(tail -5 "$T_TMP/log")"
fi
t_eq "the layout" "$(diff <(expected /usr etc) <(layout "$root") | grep '^[<>]' | tr '\n' ' ')" ""
t_eq "xdpi is 0755" "$(stat -c %a "$root/usr/sbin/xdpi")" 755
bad=$(find "$root" -type f ! -path '*/sbin/xdpi' ! -perm 0644 | tr '\n' ' ')
t_eq "the other files are 0644" "$bad" ""
t_check "the completion is completion/xdpi.bash" \
	cmp -s "$root/usr/share/bash-completion/completions/xdpi" completion/xdpi.bash
man_ok=1
for f in docs/man/*.scd; do
	n=$(basename "$f" .scd)
	cmp -s "$root/usr/share/man/man8/$n" "$BUILD/man/$n" || man_ok=0
done
t_eq "the man pages are the built ones" "$man_ok" 1
v=$("$root/usr/sbin/xdpi" --version | head -1)
t_eq "the installed xdpi runs: --version" "$v" "$("$XDPI" --version | head -1)"
m=$(LC_ALL=C MANWIDTH=80 man -M "$root/usr/share/man" 8 xdpi-live 2>/dev/null | grep -c 'xdpi-live')
t_check "man -M finds xdpi-live(8)" [ "$m" -gt 0 ]

if [ -f dist/xdpi.logrotate ]; then
	t_check "the logrotate file is dist/xdpi.logrotate, in /etc/logrotate.d" \
		cmp -s "$root/etc/logrotate.d/xdpi" dist/xdpi.logrotate
fi

# A second install over the first changes nothing, and leaves an edited
# configuration alone.
echo "# edited" >>"$root/etc/xdpi/xdpi.conf"
mk install DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc "${dist[@]}" >"$T_TMP/log" 2>&1
t_eq "install again keeps an edited /etc/xdpi/xdpi.conf" "$(tail -1 "$root/etc/xdpi/xdpi.conf")" "# edited"

# Uninstall removes every file; the edited configuration stays, and says so.
if mk uninstall DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc "${dist[@]}" >"$T_TMP/log" 2>&1; then
	t_ok "make uninstall"
else
	t_fail "make uninstall" "$(tail -5 "$T_TMP/log")"
fi
t_eq "uninstall keeps only the edited configuration" "$(layout "$root" | tr '\n' ' ')" \
	"etc/xdpi/xdpi.conf "
t_check "uninstall says it keeps it" grep -q "keeping .*xdpi.conf (changed)" "$T_TMP/log"
cp "$conf" "$root/etc/xdpi/xdpi.conf"
mk uninstall DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc "${dist[@]}" >"$T_TMP/log" 2>&1
t_eq "an unchanged configuration goes too: no file left" "$(layout "$root" | tr '\n' ' ')" ""
t_eq "xdpi's own directories go" \
	"$(cd "$root" && find . -path '*xdpi*' | tr '\n' ' ')" ""

# The default PREFIX, /usr/local, no SYSCONFDIR: nothing in /etc.
root=$T_TMP/local
mk install DESTDIR="$root" "${dist[@]}" >"$T_TMP/log" 2>&1
t_eq "make install DESTDIR: /usr/local" "$(diff <(expected /usr/local) <(layout "$root") |
	grep '^[<>]' | tr '\n' ' ')" ""
"$root/usr/local/sbin/xdpi" --help >"$T_TMP/help"
t_eq "/usr/local/sbin/xdpi --help" "$?" 0
if grep -q /usr/sbin/xdpi "$unit"; then
	u=$root/usr/local/lib/systemd/system/xdpi@.service
	t_eq "the unit runs /usr/local/sbin/xdpi: no /usr/sbin/xdpi left" "$(grep -c /usr/sbin/xdpi "$u")" 0
	t_check "... and names /usr/local/sbin/xdpi" grep -q /usr/local/sbin/xdpi "$u"
fi
mk uninstall DESTDIR="$root" "${dist[@]}" >"$T_TMP/log" 2>&1
t_eq "make uninstall DESTDIR: no file left" "$(layout "$root" | tr '\n' ' ')" ""

t_done
