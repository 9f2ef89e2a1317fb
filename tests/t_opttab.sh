#!/bin/bash
# Each command converted to an option table (util/opttab.h) shows the same
# options everywhere: the table's own rows (`XDPI_HELP_MAN=1 xdpi CMD
# --help`, the man section the table writes) are exactly the options of `xdpi CMD --help`
# and exactly the terms of the OPTIONS section of its man page
# (docs/man/xdpi-CMD.8.scd), each with its letter and metavar, and a
# number the page gives as an option's default is the row's; and for a
# command with --config, every row is a key the file takes and every other
# option name any command knows is refused as a key.
#
# A command is added with one line in OPTTAB_CMDS (and, if it reads a
# config file the same way, one in CONFIG_CMDS).
. tests/lib.sh
t_tmpdir
t_require_built "$XDPI"
export LC_ALL=C # sort and join agree on the order

# NAME and the man page source of each command built on a table.
OPTTAB_CMDS=(
	"live docs/man/xdpi-live.8.scd"
	"read docs/man/xdpi-read.8.scd"
	"top docs/man/xdpi-top.8.scd"
	"gen docs/man/xdpi-gen.8.scd"
	"bench docs/man/xdpi-bench.8.scd"
	"tune docs/man/xdpi-tune.8.scd"
	"afpacket docs/man/xdpi-afpacket.8.scd"
	"compare docs/man/xdpi-compare.8.scd"
	"detach docs/man/xdpi-detach.8.scd"
	"interfaces docs/man/xdpi-interfaces.8.scd"
)
# Commands whose --config FILE takes the table's long names as keys, with
# the rows of their own that a file cannot set.
CONFIG_CMDS=(
	"live config check-config help"
)

# "*-f*, *--filter* _F_" (scdoc) or "-f, --filter F" (--help) as "-f --filter F".
norm() {
	sed -E 's/[*]//g; s/(^| )_/\1/g; s/_$//; s/\\//g; s/, / /; s/^ +//; s/ +$//'
}
# The rows of CMD's table, from the man section it writes.
table_terms() {
	XDPI_HELP_MAN=1 "$XDPI" "$1" --help | grep -E '^[*]-' | norm | sort
}
# The options of CMD's --help: the option column (two spaces, a dash; up
# to the first run of two spaces).
help_terms() {
	"$XDPI" "$1" --help | grep -E '^  (-[A-Za-z0-9], --|    --)[a-z]' |
		sed -E 's/^ +//; s/ {2,}.*//' | norm | sort
}
# The terms of a man page source's OPTIONS section.
man_terms() {
	awk '/^# OPTIONS/ { f = 1; next } /^# / { f = 0 } f' "$1" | grep -E '^[*]-' | norm | sort
}

# Each term of a scdoc OPTIONS text (normalised) and the first
# "(default N" number of its paragraph, sorted.
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

for line in "${OPTTAB_CMDS[@]}"; do
	read -r cmd page <<<"$line"
	table_terms "$cmd" >"$T_TMP/table" 2>"$T_TMP/err"
	n=$(wc -l <"$T_TMP/table")
	# A table read back as nothing would make the comparisons below vacuous.
	if [ "$n" -lt 2 ] || ! grep -qx -- '-h --help' "$T_TMP/table"; then
		t_fail "$cmd: the table's rows, --help among them" "$n rows: $(head -2 "$T_TMP/err")"
		continue
	fi
	help_terms "$cmd" >"$T_TMP/help"
	t_eq "$cmd: --help lists exactly the table's $n options (letters, metavars)" \
		"$(diff "$T_TMP/table" "$T_TMP/help")" ""
	man_terms "$page" >"$T_TMP/man"
	t_eq "$cmd: $page's OPTIONS are exactly the table's $n options" \
		"$(diff "$T_TMP/table" "$T_TMP/man")" ""
	XDPI_HELP_MAN=1 "$XDPI" "$cmd" --help | term_defaults >"$T_TMP/tdef"
	awk '/^# OPTIONS/ { f = 1; next } /^# / { f = 0 } f' "$page" | term_defaults >"$T_TMP/mdef"
	t_eq "$cmd: each default $page names is the table's ($(wc -l <"$T_TMP/tdef") rows have one)" \
		"$(join -t "$(printf '\t')" "$T_TMP/tdef" "$T_TMP/mdef" | awk -F'\t' '$2 != $3')" ""
	# getopt_long takes any unambiguous abbreviation: --he is --help.
	t_eq "$cmd: --he is --help" "$("$XDPI" "$cmd" --he 2>&1 | cmp - <("$XDPI" "$cmd" --help) && echo same)" same
done

# Every option name some command's --help shows: candidates for keys.
mapfile -t cmds < <("$XDPI" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
for c in "${cmds[@]}"; do
	"$XDPI" "$c" --help 2>/dev/null
done | grep -oE -- '--[a-z][-a-z0-9]*' | sed 's/^--//' | sort -u >"$T_TMP/all_names"
echo "not-an-option-anywhere" >>"$T_TMP/all_names"

# Values that some option takes, tried in turn until the line parses.
TRIES=(true tcp 64 1 0,1 copy skb 0.5 4096 "$T_TMP/f" in local 127.0.0.1:9999 "g 10.0.0.0/8")

# KEY = VALUE on line 1 of a file, through CMD --config --check-config:
# the error of that line (empty: the line parsed).
line_error() {
	local conf=$T_TMP/conf
	printf '%s = %s\n' "$2" "$3" >"$conf"
	"$XDPI" "$1" --config "$conf" --check-config xdpi-none 2>&1 >/dev/null |
		grep -F "$conf:1:" || true
}

for line in "${CONFIG_CMDS[@]}"; do
	read -r cmd own <<<"$line"
	table_terms "$cmd" | grep -oE -- '--[a-z][-a-z0-9]*' | sed 's/^--//' | sort -u >"$T_TMP/keys"
	missing=() refused_own=()
	while read -r key; do
		if [[ " $own " == *" $key "* ]]; then
			err=$(line_error "$cmd" "$key" x)
			[[ "$err" == *"'$key' cannot be set in a config file"* ]] || refused_own+=("$key: $err")
			continue
		fi
		ok=
		for v in "${TRIES[@]}"; do
			if [ -z "$(line_error "$cmd" "$key" "$v")" ]; then
				ok=1
				break
			fi
		done
		[ -n "$ok" ] || missing+=("$key: $(line_error "$cmd" "$key" 1)")
	done <"$T_TMP/keys"
	t_eq "$cmd --config: every row of the table is a key ($(wc -l <"$T_TMP/keys") rows)" \
		"${missing[*]}" ""
	t_eq "$cmd --config: the command's own rows ($own) are refused by name" \
		"${refused_own[*]}" ""
	# Every other name any command knows is not a key.
	extra=()
	while read -r name; do
		grep -qxF "$name" "$T_TMP/keys" && continue
		err=$(line_error "$cmd" "$name" 1)
		[[ "$err" == *"unknown key '$name'"* ]] || extra+=("$name: ${err:-taken}")
	done <"$T_TMP/all_names"
	t_eq "$cmd --config: a name not in the table is refused as a key" "${extra[*]}" ""
done
t_done
