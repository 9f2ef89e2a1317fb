#!/bin/bash
# Layers point one way (docs/architecture.md, "Layout"): util < bpf <
# inspect < xsk < sink < capture < bench < export < cmd; a folder includes
# only its own headers and those of lower folders (tests/layers.py keeps
# the order). Checked twice: on the #include lines of every source and
# header, and on the files the compiler itself read for each object (the
# -MMD dependency files of the build), which also sees an include behind a
# macro or a chain of headers. Then the checker on a planted tree, so that
# it is known to catch what it is for.
. tests/lib.sh
t_tmpdir
t_require_built "$XDPI"

if out=$(python3 tests/layers.py src . 2>&1); then
	t_ok "no source or header includes a higher folder"
else
	t_fail "no source or header includes a higher folder" "$out"
fi
if out=$(python3 tests/layers.py deps . "$BUILD" 2>&1); then
	t_ok "no object was compiled from a higher folder's header"
else
	t_fail "no object was compiled from a higher folder's header" "$out"
fi

# Every folder with C sources has its place in the order (a new folder
# must be placed, not skipped).
order=$(python3 -c 'import sys; sys.path.insert(0, "tests"); import layers; print(" ".join(layers.ORDER))')
missing=
for d in $(git ls-files '*.c' '*.h' | grep -v '^tests/' | grep / | cut -d/ -f1 | sort -u); do
	case " $order " in *" $d "*) ;; *) missing="$missing $d" ;; esac
done
t_eq "every C folder has a layer" "$missing" ""

# The checker itself, on a tree with one include that points up and one
# that points down.
mkdir -p "$T_TMP/root/capture" "$T_TMP/root/export" "$T_TMP/root/inspect" \
	"$T_TMP/build/capture"
echo '#include "../export/up.h"' >"$T_TMP/root/capture/a.c"
echo '#include "../inspect/down.h"' >"$T_TMP/root/capture/b.c"
: >"$T_TMP/root/export/up.h"
: >"$T_TMP/root/inspect/down.h"
out=$(python3 tests/layers.py src "$T_TMP/root")
t_eq "a planted include of export/ from capture/: refused" "$?" 1
t_eq "... named with its line, the down include not" "$out" \
	"capture/a.c:1: includes export/up.h (export/ is above capture/)"
printf 'build/capture/b.o: capture/b.c capture/../inspect/down.h \\\n capture/../inspect/../export/up.h\n' \
	>"$T_TMP/build/capture/b.d"
out=$(cd "$T_TMP/root" && python3 "$OLDPWD/tests/layers.py" deps . ../build)
t_eq "a header reached through a lower one: refused from the compiler's list" "$?" 1
t_eq "... named" "$out" "capture/b.c (compiled): includes export/up.h (export/ is above capture/)"
rm "$T_TMP/root/capture/a.c" "$T_TMP/build/capture/b.d"
python3 tests/layers.py src "$T_TMP/root" >/dev/null
t_eq "the tree without it passes" "$?" 0

t_done
