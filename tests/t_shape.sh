#!/bin/bash
# The code's shape (issue 29): no function longer than 120 lines but the
# classic-BPF interpreter's switch, and `xdpi live` and `xdpi read` kept to
# filling in a config and rendering (at most 300 lines each). Then the
# checker on planted files, so that it is known to catch what it is for.
. tests/lib.sh
t_tmpdir

if out=$(python3 tests/shape.py . 2>&1); then
	t_ok "no function over 120 lines, cmd/live.c and cmd/read.c within 300"
else
	t_fail "no function over 120 lines, cmd/live.c and cmd/read.c within 300" "$out"
fi

mkdir -p "$T_TMP/root/cmd" "$T_TMP/root/bpf"
{
	printf 'static int long_one(void)\n{\n'
	for i in $(seq 120); do printf '\tx++;\n'; done
	printf '}\n\nint short_one(int a)\n{\n\treturn a;\n}\n'
} >"$T_TMP/root/cmd/a.c"
out=$(python3 tests/shape.py "$T_TMP/root" cmd/a.c)
t_eq "a planted function of 121 lines: refused" "$?" 1
t_eq "... named with its line, the short one not" "$out" \
	"cmd/a.c:2: long_one() is 121 lines (at most 120)"
sed -i '3d' "$T_TMP/root/cmd/a.c"
python3 tests/shape.py "$T_TMP/root" cmd/a.c >/dev/null
t_eq "the same at 120 lines passes" "$?" 0
seq 301 >"$T_TMP/root/cmd/live.c"
out=$(python3 tests/shape.py "$T_TMP/root" cmd/live.c)
t_eq "a cmd/live.c of 301 lines: refused" "$out" "cmd/live.c: 301 lines (at most 300)"
{
	printf 'static long CLS_FN(cbpf_step)(__u64 index, void *data)\n{\n'
	for i in $(seq 150); do printf '\tx++;\n'; done
	printf '}\n'
} >"$T_TMP/root/bpf/classify.bpf.h"
python3 tests/shape.py "$T_TMP/root" bpf/classify.bpf.h >/dev/null
t_eq "the interpreter's switch is the one exception" "$?" 0
sed -i 's/cbpf_step/cbpf_other/' "$T_TMP/root/bpf/classify.bpf.h"
python3 tests/shape.py "$T_TMP/root" bpf/classify.bpf.h >/dev/null
t_eq "... and only it" "$?" 1

t_done
