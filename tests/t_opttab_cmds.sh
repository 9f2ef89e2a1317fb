#!/bin/bash
# Issue 29, item 5: the options of gen, bench, tune, afpacket, compare,
# detach and interfaces come from one table each. The table is read back
# through the hidden --help-man (opttab_man() of the command's rows); every
# row must be in `xdpi CMD --help` and in the OPTIONS section of
# docs/man/xdpi-CMD.8.scd (written by hand), neither may name an option the
# table lacks, each with the row's letter and metavar; and a number the page
# gives as an option's default must be the one the table shows. The same
# checks as tests/t_opttab.sh makes for live, read and top.
. tests/lib.sh
t_tmpdir
t_require_built "$XDPI"
export LC_ALL=C # sort and join agree on the order

CMDS="gen bench tune afpacket compare detach interfaces"

# "*-f*, *--filter* _F_" (scdoc) or "-f, --filter F" (--help) as "-f --filter F".
norm() {
	sed -E 's/[*]//g; s/(^| )_/\1/g; s/_$//; s/\\//g; s/, / /; s/^ +//; s/ +$//'
}
# A row starts with *-x*, *--name* or *--name* at the start of a line.
scd_terms() {
	grep -E '^[*]-' | norm | sort
}
# --help's option column: two spaces, a dash, up to the first run of two
# spaces (or the line's end, when the text starts below).
help_terms() {
	grep -E '^  (-[A-Za-z0-9], --|    --)[a-z]' | sed -E 's/^ +//; s/ {2,}.*//' | norm | sort
}
# The OPTIONS section of a man page: from "# OPTIONS" to the next "# ".
man_section() {
	awk '/^# OPTIONS$/ {on = 1; next} /^# / {on = 0} on' "$1"
}
# Each term of a scdoc OPTIONS text and the first "(default N" number of
# its paragraph, sorted.
term_defaults() {
	awk '/^[*]-/ { flush(); term = $0; para = ""; next }
		term != "" && /^$/ { flush(); next }
		term != "" { para = para " " $0 }
		END { flush() }
		function flush() {
			if (term != "" && match(para, /\(default [0-9]([0-9.,]*[0-9])?/))
				print term "\t" substr(para, RSTART + 9, RLENGTH - 9)
			term = ""
		}' | sort
}

for cmd in $CMDS; do
	man=docs/man/xdpi-$cmd.8.scd
	if ! "$XDPI" "$cmd" --help-man >"$T_TMP/$cmd.tab" 2>"$T_TMP/err"; then
		t_fail "$cmd --help-man exits 0" "$(head -2 "$T_TMP/err")"
		continue
	fi
	scd_terms <"$T_TMP/$cmd.tab" >"$T_TMP/$cmd.rows"
	"$XDPI" "$cmd" --help | help_terms >"$T_TMP/$cmd.help"
	man_section "$man" | scd_terms >"$T_TMP/$cmd.man"
	n=$(wc -l <"$T_TMP/$cmd.rows")
	# A table read back as nothing would make the comparisons below vacuous.
	t_eq "$cmd: the table has rows, --help among them" \
		"$([ "$n" -ge 3 ] && echo rows) $(grep -cx -- '-h --help' "$T_TMP/$cmd.rows")" "rows 1"
	t_eq "$cmd: the hidden --help-man is in neither --help nor its own output" \
		"$(cat "$T_TMP/$cmd.help" "$T_TMP/$cmd.rows" | grep -c 'help-man')" 0
	t_eq "$cmd: --help lists exactly the table's $n options (letters, metavars)" \
		"$(diff "$T_TMP/$cmd.rows" "$T_TMP/$cmd.help" | grep '^[<>]' | tr '\n' ';')" ""
	t_eq "$cmd: $man OPTIONS lists exactly the table's $n options (letters, metavars)" \
		"$(diff "$T_TMP/$cmd.rows" "$T_TMP/$cmd.man" | grep '^[<>]' | tr '\n' ';')" ""
	term_defaults <"$T_TMP/$cmd.tab" >"$T_TMP/$cmd.tdef"
	man_section "$man" | term_defaults >"$T_TMP/$cmd.mdef"
	t_eq "$cmd: each default $man names is the table's ($(wc -l <"$T_TMP/$cmd.tdef") rows have one)" \
		"$(join -t "$(printf '\t')" "$T_TMP/$cmd.tdef" "$T_TMP/$cmd.mdef" | awk -F'\t' '$2 != $3' | tr '\n' ';')" ""
done
t_done
