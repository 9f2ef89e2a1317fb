#!/bin/bash
# The man pages (docs/man/*.scd, built by scdoc into BUILD/man/): each
# renders without a warning from man/groff and has the usual sections, every
# command has one, and each subcommand's page documents exactly the options
# its --help prints: every option of the help's option column is a term of
# the page's OPTIONS, and every term there is an option the help names.
# A new option fails here until docs/man/xdpi-CMD.8.scd documents it.
. tests/lib.sh
t_tmpdir
t_require_built "$XDPI"
MAN=$BUILD/man

# The options a --help text lists: its option column (lines indented by at
# most 8 spaces that start with a dash, up to the first run of two
# spaces), every -x and --long-name token in it.
help_options() {
	grep -E '^ {1,8}-' | sed -E 's/^ +//; s/ {2,}.*//' |
		grep -oE '(^|[ ,])--?[A-Za-z0-9][-A-Za-z0-9]*' | sed -E 's/^[ ,]//' | sort -u
}
# Every option token anywhere in a text (for the reverse direction: an
# option the help mentions in a description is one the command accepts).
all_options() {
	grep -oE '(^|[][ ,(`'\''])--?[A-Za-z0-9][-A-Za-z0-9]*' | sed -E 's/^[][ ,(`'\'']//' | sort -u
}
# The page as plain text, wide enough that no term is hyphenated.
render() {
	LC_ALL=C MANWIDTH=300 MANROFFSEQ='' man -l "$1" 2>/dev/null | col -b
}
# The terms of a rendered page's OPTIONS section (indented 7, a dash first).
man_options() {
	awk '/^OPTIONS/ { f = 1; next } /^[A-Z]/ { f = 0 } f' | grep -E '^ {7}-' |
		sed -E 's/^ +//' | grep -oE '(^|[ ,])--?[A-Za-z0-9][-A-Za-z0-9]*' |
		sed -E 's/^[ ,]//' | sort -u
}

mapfile -t cmds < <("$XDPI" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
if [ ${#cmds[@]} -ge 9 ]; then
	t_ok "xdpi --help lists ${#cmds[@]} commands"
else
	t_fail "xdpi --help lists the commands" "found: ${cmds[*]}"
fi

# Every source has its page, and every page renders without a warning
# (man --warnings: groff's -ww) in both an ASCII and a UTF-8 locale.
for src in docs/man/*.scd; do
	name=$(basename "$src" .scd)
	page=$MAN/$name
	if [ ! -f "$page" ]; then
		t_fail "$name: built" "$page is missing: make man"
		continue
	fi
	for loc in C C.UTF-8; do
		LC_ALL=$loc MANWIDTH=80 MANROFFSEQ='' man --warnings -l "$page" >"$T_TMP/out" 2>"$T_TMP/err"
		rc=$?
		if [ "$rc" = 0 ] && [ ! -s "$T_TMP/err" ] && [ -s "$T_TMP/out" ]; then
			t_ok "$name renders without warnings ($loc)"
		else
			t_fail "$name renders without warnings ($loc)" "exit $rc: $(head -3 "$T_TMP/err")"
		fi
	done
	render "$page" >"$T_TMP/page"
	missing=""
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -qx "$sec" "$T_TMP/page" || missing="$missing '$sec'"
	done
	t_eq "$name has the usual sections" "${missing# }" ""
done

# xdpi(8): every command, --version and --help.
render "$MAN/xdpi.8" >"$T_TMP/xdpi"
unnamed=""
for c in "${cmds[@]}"; do
	grep -q "xdpi-$c(8)" "$T_TMP/xdpi" || unnamed="$unnamed xdpi-$c(8)"
done
t_eq "xdpi(8) names every command's page" "${unnamed# }" ""
got=$(man_options <"$T_TMP/xdpi" | tr '\n' ' ')
t_eq "xdpi(8) documents -V, --version, -h, --help" "$got" "--help --version -V -h "

# One page per command, documenting exactly the options of its --help.
for c in "${cmds[@]}"; do
	page=$MAN/xdpi-$c.8
	if [ ! -f "$page" ]; then
		t_fail "xdpi $c has a man page" "no docs/man/xdpi-$c.8.scd (or not built)"
		continue
	fi
	"$XDPI" "$c" --help >"$T_TMP/help" 2>&1
	help_options <"$T_TMP/help" >"$T_TMP/help.opts"
	all_options <"$T_TMP/help" >"$T_TMP/help.all"
	render "$page" | man_options >"$T_TMP/man.opts"
	n=$(wc -l <"$T_TMP/help.opts")
	[ "$n" -ge 2 ] || t_fail "xdpi $c --help lists options" "found $n"
	undocumented=$(comm -23 "$T_TMP/help.opts" "$T_TMP/man.opts" | tr '\n' ' ')
	t_eq "xdpi-$c(8) documents all $n options of 'xdpi $c --help'" "${undocumented% }" ""
	[ -z "$undocumented" ] ||
		echo "# document ${undocumented% } in docs/man/xdpi-$c.8.scd (OPTIONS)"
	unknown=$(comm -23 "$T_TMP/man.opts" "$T_TMP/help.all" | tr '\n' ' ')
	t_eq "xdpi-$c(8) documents no option 'xdpi $c --help' does not name" "${unknown% }" ""
done

t_done
