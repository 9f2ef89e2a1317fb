#!/bin/bash
# Issue 29, item 5: the options of gen, bench, tune, afpacket, compare,
# detach and interfaces come from one table each. The table is read back
# through the hidden --help-man (opttab_man() of the command's rows); every
# row must be in `xdpi CMD --help` and in the OPTIONS section of
# docs/man/xdpi-CMD.8.scd (written by hand), and neither may name an option
# the table lacks. Compared: the long name and the short letter.
. tests/lib.sh
t_tmpdir

CMDS="gen bench tune afpacket compare detach interfaces"

# "x name" (x: the letter, - for none), sorted, from an scd OPTIONS body:
# a row starts with *-x*, *--name* or *--name* at the start of a line.
scd_opts() {
	sed -nE 's/^\*-([A-Za-z0-9])\*, \*--([a-z0-9-]+)\*.*/\1 \2/p; s/^\*--([a-z0-9-]+)\*.*/- \1/p' |
		sort
}

# The same from --help: "  -x, --name" or "      --name" at a line's start.
help_opts() {
	sed -nE 's/^  -([A-Za-z0-9]), --([a-z0-9-]+).*/\1 \2/p; s/^      --([a-z0-9-]+).*/- \1/p' |
		sort
}

# The OPTIONS section of a man page: from "# OPTIONS" to the next "# ".
man_section() {
	awk '/^# OPTIONS$/ {on = 1; next} /^# / {on = 0} on' "$1"
}

for cmd in $CMDS; do
	man=docs/man/xdpi-$cmd.8.scd
	if ! "$XDPI" "$cmd" --help-man >"$T_TMP/$cmd.tab" 2>"$T_TMP/err"; then
		t_fail "$cmd --help-man exits 0" "$(head -2 "$T_TMP/err")"
		continue
	fi
	scd_opts <"$T_TMP/$cmd.tab" >"$T_TMP/$cmd.rows"
	"$XDPI" "$cmd" --help | help_opts >"$T_TMP/$cmd.help"
	man_section "$man" | scd_opts >"$T_TMP/$cmd.man"
	# A table read back as nothing would make the comparisons below vacuous.
	t_eq "$cmd: the table has rows, --help among them" \
		"$([ "$(wc -l <"$T_TMP/$cmd.rows")" -ge 2 ] && echo rows) $(grep -cx 'h help' "$T_TMP/$cmd.rows")" \
		"rows 1"
	t_eq "$cmd: the hidden --help-man is in neither --help nor its own output" \
		"$(grep -c 'help-man' "$T_TMP/$cmd.help" "$T_TMP/$cmd.rows" | cut -d: -f2 | tr '\n' ' ')" \
		"0 0 "
	t_eq "$cmd: --help lists exactly the table's options" \
		"$(diff "$T_TMP/$cmd.rows" "$T_TMP/$cmd.help" | grep '^[<>]' | tr '\n' ';')" ""
	t_eq "$cmd: $man OPTIONS lists exactly the table's options" \
		"$(diff "$T_TMP/$cmd.rows" "$T_TMP/$cmd.man" | grep '^[<>]' | tr '\n' ';')" ""
done
t_done
