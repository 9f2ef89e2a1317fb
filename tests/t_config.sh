#!/bin/bash
# `xdpi live --config FILE` from the command line (docs/config.md): a bad
# file is a usage error (exit 2) whose first line names FILE:LINE, the
# command line wins over the file, --check-config prints the options in
# effect, the example dist/xdpi.conf parses, and the unit
# dist/xdpi@.service passes `systemd-analyze verify`. Runs without root
# and attaches nothing: --check-config never opens the interface.
. tests/lib.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
t_require_built "$XDPI"

help=$("$XDPI" live --help)
t_check "live --help lists --config" grep -q -- '--config FILE' <<<"$help"
t_check "live --help lists --check-config" grep -q -- '--check-config' <<<"$help"

# usage_error NAME WANT_FIRST_LINE ARGS...: exit 2, three lines, the first
# one WANT_FIRST_LINE.
usage_error() {
	local name=$1 want=$2 rc
	shift 2
	"$XDPI" live "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	t_eq "$name: exit 2" "$rc" 2
	t_eq "$name: the message" "$(head -1 "$T_TMP/err")" "$want"
	t_eq "$name: three lines, nothing on stdout" \
		"$(wc -l <"$T_TMP/err") $(wc -c <"$T_TMP/out")" "3 0"
}

C=$T_TMP/c.conf
printf '# a comment\n\nbogus = 1\n' >"$C"
usage_error "unknown key" \
	"xdpi live: $C:3: unknown key 'bogus' (the keys are the long options of \`xdpi live\`)" \
	--config "$C" xdpi-cfg0
printf 'batch = 64\nbatch = 9999\n' >"$C"
usage_error "duplicate key" "xdpi live: $C:2: 'batch' given twice" --config "$C" xdpi-cfg0
printf 'mode = fast\n' >"$C"
usage_error "bad value" "xdpi live: $C:1: invalid value 'fast' for mode (valid: auto, zerocopy, copy)" \
	--config "$C" xdpi-cfg0
printf 'filter = tcp port\n' >"$C"
usage_error "bad filter" \
	"xdpi live: $C:1: invalid filter 'tcp port': can't parse filter expression: syntax error" \
	--config "$C" xdpi-cfg0
printf 'batch 64\n' >"$C"
usage_error "no '='" "xdpi live: $C:1: 'batch 64' is not a key: expected KEY = VALUE" \
	--config "$C" xdpi-cfg0
printf 'config = /etc/xdpi/xdpi.conf\n' >"$C"
usage_error "config in a config file" \
	"xdpi live: $C:1: 'config' cannot be set in a config file" --config "$C" xdpi-cfg0
python3 -c 'print("json-lines = /" + "a" * 4084)' >"$C"
usage_error "a line over 4096 bytes" "xdpi live: $C:1: line longer than 4096 bytes" \
	--config "$C" xdpi-cfg0
usage_error "missing file" \
	"xdpi live: $T_TMP/none.conf: cannot read: No such file or directory" \
	--config "$T_TMP/none.conf" xdpi-cfg0
printf 'passive = yes\nceiling = yes\n' >"$C"
usage_error "--check-config checks combinations" \
	"xdpi live: --passive copies frames, --ceiling drops them: pick one" \
	--config "$C" --check-config xdpi-cfg0
: >"$C"
usage_error "no interface anywhere" \
	"xdpi live: live takes exactly one IFACE, as -i IFACE or the last argument (or interface = IFACE in the config file)" \
	--config "$C" --check-config

# The command line wins; the file's interface is used when the command
# line has none.
printf 'interface = xdpi-cfg0\nflow-timeout = 10\nfilter = tcp port 443\r\nno-peeks\n' >"$C"
t_eq "--check-config: the file's options" "$("$XDPI" live --config "$C" --check-config)" \
	"xdpi live --filter 'tcp port 443' --no-peeks --flow-timeout 10 xdpi-cfg0"
t_eq "--check-config: the command line wins" \
	"$("$XDPI" live --check-config --flow-timeout 3 --config "$C" -i xdpi-cfg1)" \
	"xdpi live --filter 'tcp port 443' --no-peeks --flow-timeout 3 xdpi-cfg1"
t_eq "--check-config: an interface last wins too" \
	"$("$XDPI" live --config "$C" --check-config xdpi-cfg2)" \
	"xdpi live --filter 'tcp port 443' --no-peeks --flow-timeout 10 xdpi-cfg2"

# The example configuration the package installs.
t_eq "dist/xdpi.conf parses" "$("$XDPI" live --config dist/xdpi.conf --check-config eth1)" \
	"xdpi live --interval 0 eth1"
# Each key it shows commented out, all of them at once.
sed -n 's/^#\([a-z][a-z-]* = .*\)$/\1/p' dist/xdpi.conf >"$T_TMP/all.conf"
t_check "dist/xdpi.conf shows the main keys ($(wc -l <"$T_TMP/all.conf"))" \
	test "$(wc -l <"$T_TMP/all.conf")" -ge 10
t_check "dist/xdpi.conf: its commented keys parse too" \
	"$XDPI" live --config "$T_TMP/all.conf" --check-config eth1

# The unit: systemd checks its syntax, the directives it knows, and the
# binaries of its commands (here the build's, in a copy).
if command -v systemd-analyze >/dev/null; then
	mkdir "$T_TMP/unit"
	sed "s#/usr/sbin/xdpi#$XDPI#g" dist/xdpi@.service >"$T_TMP/unit/xdpi@xdpi-test0.service"
	if systemd-analyze verify --man=no "$T_TMP/unit/xdpi@xdpi-test0.service" \
		>"$T_TMP/verify" 2>&1; then
		t_ok "systemd-analyze verify dist/xdpi@.service"
	else
		t_fail "systemd-analyze verify dist/xdpi@.service" "$(head -5 "$T_TMP/verify")"
	fi
	# shellcheck disable=SC2016 # the unit's own $MAINPID
	t_check "the unit reloads with SIGHUP" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' \
		dist/xdpi@.service
else
	t_skip "systemd-analyze verify dist/xdpi@.service" "no systemd-analyze"
fi
t_done
