# shellcheck shell=bash
# Bash completion for xdpi (installed as
# share/bash-completion/completions/xdpi; docs/install.md).
#
# One source of truth: the commands come from `xdpi --help` and each
# command's options, with the kind of value each takes, from
# `xdpi CMD --help`, asked of the binary being completed and kept for the
# shell's lifetime. A value named IFACE completes interface names
# (/sys/class/net), FILE (or a *.pcap, *.json name) file names, DIR
# directories, --proto's P its classes; other values (numbers, lists,
# filters) have no completion.

declare -gA _xdpi_cache

# _xdpi_table XDPI CMD: one line per option of CMD, "OPTION [VALUE]",
# from the option column of its --help (indented at most 8 spaces, a dash
# first, up to two spaces); "" as CMD: the commands, one a line.
_xdpi_table() {
	local key="$1 $2"
	if [ -z "${_xdpi_cache[$key]+set}" ]; then
		if [ -z "$2" ]; then
			_xdpi_cache[$key]=$("$1" --help 2>/dev/null |
				awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
		else
			_xdpi_cache[$key]=$("$1" "$2" --help 2>/dev/null | awk '
				match($0, /^ +-/) && RLENGTH <= 9 {
					line = substr($0, RLENGTH)
					sub(/  .*/, "", line)
					n = split(line, parts, ", ")
					split(parts[n], w, " ")
					last = w[2]
					for (i = 1; i <= n; i++) {
						split(parts[i], w, " ")
						# -i, --interface IFACE: -i takes IFACE too
						if (w[1] ~ /^--?[A-Za-z0-9]/)
							print w[1], (w[2] != "" ? w[2] : last)
					}
				}')
		fi
	fi
	printf '%s\n' "${_xdpi_cache[$key]}"
}

_xdpi_interfaces() {
	local d names=()
	for d in /sys/class/net/*; do
		[ -e "$d" ] && names+=("${d##*/}")
	done
	mapfile -t COMPREPLY < <(compgen -W "${names[*]}" -- "$1")
}

_xdpi_files() { # CUR [-d]
	compopt -o filenames 2>/dev/null
	if [ "${2:-}" = -d ]; then
		mapfile -t COMPREPLY < <(compgen -d -- "$1")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$1")
	fi
}

_xdpi() {
	local cword=$COMP_CWORD
	local cur=${COMP_WORDS[cword]} prev=""
	((cword > 0)) && prev=${COMP_WORDS[cword - 1]}
	# --option=VALUE: readline splits at '=' (COMP_WORDBREAKS).
	if [ "$cur" = "=" ]; then
		cur=""
	elif [ "$prev" = "=" ] && ((cword > 1)); then
		prev=${COMP_WORDS[cword - 2]}
	fi
	COMPREPLY=()

	local xdpi=${COMP_WORDS[0]}
	# shellcheck disable=SC2088 # a literal ~/ readline left unexpanded
	[[ $xdpi == "~/"* ]] && xdpi=$HOME/${xdpi#"~/"}
	[ -x "$xdpi" ] || xdpi=$(type -P "$xdpi") || return 0

	if ((cword == 1)); then
		local cmds
		cmds=$(_xdpi_table "$xdpi" "")
		mapfile -t COMPREPLY < <(compgen -W "$cmds --help --version -h -V" -- "$cur")
		return 0
	fi

	local cmd=${COMP_WORDS[1]} table value
	table=$(_xdpi_table "$xdpi" "$cmd")
	[ -n "$table" ] || return 0
	if [[ $prev == -* ]]; then
		value=$(awk -v o="$prev" '$1 == o { print $2; exit }' <<<"$table")
		case $value in
		"") ;;
		IFACE) _xdpi_interfaces "$cur" && return 0 ;;
		DIR) _xdpi_files "$cur" -d && return 0 ;;
		FILE | *.pcap | *.json) _xdpi_files "$cur" && return 0 ;;
		P)
			[ "$prev" = --proto ] &&
				mapfile -t COMPREPLY < <(compgen -W "tcp udp ip all" -- "$cur")
			return 0
			;;
		*) return 0 ;;
		esac
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(awk '{ print $1 }' <<<"$table")" -- "$cur")
		return 0
	fi
	# The operands: what each command takes after its options.
	case $cmd in
	live | detach | interfaces | gen | afpacket) _xdpi_interfaces "$cur" ;;
	read | compare) _xdpi_files "$cur" ;;
	esac
	return 0
}
complete -F _xdpi xdpi
