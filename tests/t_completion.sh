#!/bin/bash
# The bash completion (completion/xdpi.bash): sourced into this shell, its
# function called the way readline calls it (COMP_WORDS, COMP_CWORD), the
# candidates read back from COMPREPLY. Commands and options come from the
# binary's --help, so these cases also hold for options added later.
. tests/lib.sh
export LC_ALL=C
t_tmpdir
t_require_built "$XDPI"
XDPI=$(realpath "$XDPI")
# shellcheck source=completion/xdpi.bash
. completion/xdpi.bash

# complete WORD...: COMPREPLY for the command line WORD... (the last word
# is the one being completed), one candidate a line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_xdpi
	[ ${#COMPREPLY[@]} = 0 ] || printf '%s\n' "${COMPREPLY[@]}"
}

# has NAME CANDIDATE WORD...: ok if CANDIDATE is offered.
has() {
	local name=$1 want=$2
	shift 2
	if complete_words "$@" | grep -qxF -- "$want"; then
		t_ok "$name"
	else
		t_fail "$name" "'$*' offers: $(complete_words "$@" | tr '\n' ' ')"
	fi
}
# none NAME WORD...: ok if nothing is offered.
none() {
	local name=$1
	shift
	t_eq "$name" "$(complete_words "$@" | tr '\n' ' ')" ""
}

if shellcheck -x completion/xdpi.bash >"$T_TMP/sc" 2>&1; then
	t_ok "shellcheck completion/xdpi.bash"
else
	t_fail "shellcheck completion/xdpi.bash" "$(head -c 600 "$T_TMP/sc")"
fi
t_check "complete -F _xdpi xdpi is registered" sh -c "[ \"\$1\" = 'complete -F _xdpi xdpi' ]" sh \
	"$(complete -p xdpi)"

mapfile -t cmds < <("$XDPI" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
got=$(complete_words "$XDPI" "" | sort | tr '\n' ' ')
want=$(printf '%s\n' "${cmds[@]}" --help --version -h -V | sort | tr '\n' ' ')
t_eq "xdpi <TAB>: every command of xdpi --help" "$got" "$want"
t_eq "xdpi re<TAB>: read" "$(complete_words "$XDPI" re | tr '\n' ' ')" "read "
t_eq "xdpi live --fil<TAB>: --filter, --fill-size" \
	"$(complete_words "$XDPI" live --fil | sort | tr '\n' ' ')" "--fill-size --filter "
has "xdpi read --json-l<TAB>: --json-lines" --json-lines "$XDPI" read --json-l
has "xdpi gen --src-<TAB>: --src-ips" --src-ips "$XDPI" gen --src-
t_eq "xdpi live --proto <TAB>: xdpi's classes" \
	"$(complete_words "$XDPI" live --proto "" | tr '\n' ' ')" "tcp udp ip all "
t_eq "xdpi read --proto u<TAB>: udp" "$(complete_words "$XDPI" read --proto u | tr '\n' ' ')" "udp "

# Every command offers each option of its help's option column, and no
# other.
for c in "${cmds[@]}"; do
	want=$("$XDPI" "$c" --help | grep -E '^ {1,8}-' | sed -E 's/^ +//; s/ {2,}.*//' |
		grep -oE '(^|[ ,])--?[A-Za-z0-9][-A-Za-z0-9]*' | sed -E 's/^[ ,]//' | sort -u | tr '\n' ' ')
	got=$(complete_words "$XDPI" "$c" - | sort -u | tr '\n' ' ')
	t_eq "xdpi $c -<TAB>: the options of its --help" "$got" "$want"
done

# Interfaces: lo is in every namespace.
has "xdpi live <TAB>: lo" lo "$XDPI" live ""
has "xdpi live -i l<TAB>: lo" lo "$XDPI" live -i l
has "xdpi detach --interface <TAB>: lo" lo "$XDPI" detach --interface ""
has "xdpi interfaces l<TAB>: lo" lo "$XDPI" interfaces l
has "xdpi gen -c 5 <TAB>: lo" lo "$XDPI" gen -c 5 ""
has "xdpi tune --external <TAB>: lo" lo "$XDPI" tune --external ""

# Files: operands of read and compare, and the options that write files.
touch "$T_TMP/capture.pcap" "$T_TMP/run.json"
mkdir "$T_TMP/outdir"
has "xdpi read <TAB>: a file" "$T_TMP/capture.pcap" "$XDPI" read "$T_TMP/ca"
has "xdpi read -r <TAB>: a file" "$T_TMP/capture.pcap" "$XDPI" read -r "$T_TMP/ca"
has "xdpi compare <TAB>: a file" "$T_TMP/run.json" "$XDPI" compare "$T_TMP/r"
has "xdpi compare --pcap <TAB>: a file" "$T_TMP/capture.pcap" "$XDPI" compare --pcap "$T_TMP/c"
has "xdpi live --json-lines <TAB>: a file" "$T_TMP/run.json" "$XDPI" live --json-lines "$T_TMP/r"
has "xdpi live --record <TAB>: a file" "$T_TMP/run.json" "$XDPI" live --record "$T_TMP/r"
has "xdpi live -w <TAB>: a file" "$T_TMP/capture.pcap" "$XDPI" live -w "$T_TMP/c"
has "xdpi read --json-lines=<TAB>: a file" "$T_TMP/run.json" "$XDPI" read --json-lines = "$T_TMP/r"
has "xdpi tune --out <TAB>: a directory" "$T_TMP/outdir" "$XDPI" tune --out "$T_TMP/o"
none "xdpi tune --out <TAB>: no plain file" "$XDPI" tune --out "$T_TMP/ca"

# A value that is not a file or an interface: nothing to offer.
none "xdpi live --batch <TAB>: nothing" "$XDPI" live --batch ""
none "xdpi live --filter <TAB>: nothing" "$XDPI" live --filter ""
none "xdpi bench <TAB>: no operand" "$XDPI" bench ""
none "xdpi nosuchcmd -<TAB>: nothing" "$XDPI" nosuchcmd -

# Called by its name through PATH, as an installed xdpi is.
PATH="$(dirname "$XDPI"):$PATH" has "xdpi li<TAB> through PATH: live" live xdpi li

t_done
