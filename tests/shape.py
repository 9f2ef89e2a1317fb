#!/usr/bin/env python3
"""The code's shape (issue 29, docs/architecture.md): no function longer
than FUNC_MAX lines, and the commands that only fill in a config and render
a result (cmd/live.c, cmd/read.c) no longer than CMD_MAX lines.

A function is what clang-format writes for one: a line that ends its
signature, a line holding only "{", and the next line starting with "}".
Lines are counted from the opening brace to the closing one.

usage: shape.py ROOT [FILE...]   (default: the C files git knows in ROOT)
Prints one line per excess and exits 1 if there is one.
"""
import os
import subprocess
import sys

FUNC_MAX = 120
CMD_MAX = 300
CMD_FILES = ("cmd/live.c", "cmd/read.c")
# The classic-BPF interpreter's one switch: splitting it would hide the
# verifier-bounded loop it is written for (bpf/classify.bpf.h).
ALLOWED = {("bpf/classify.bpf.h", "cbpf_step")}


def functions(text):
    """(name, first line, length) of each function in @text."""
    lines = text.split("\n")
    start = None
    for i, line in enumerate(lines):
        if line == "{" and i > 0:
            start = i
            sig = lines[i - 1]
        elif start is not None and line.startswith("}"):
            head = sig.split("(")[0].split()
            name = head[-1].lstrip("*") if head else "?"
            name = name.split(")")[-1] if ")" in name else name
            yield name, start + 1, i - start
            start = None


def check(root, files):
    bad = []
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = f.read()
        if rel in CMD_FILES:
            n = text.count("\n")
            if n > CMD_MAX:
                bad.append(f"{rel}: {n} lines (at most {CMD_MAX})")
        for name, line, length in functions(text):
            if length > FUNC_MAX and not any(
                rel == a and allowed in text.split("\n")[line - 2] for a, allowed in ALLOWED
            ):
                bad.append(f"{rel}:{line}: {name}() is {length} lines (at most {FUNC_MAX})")
    return bad


def main():
    root = sys.argv[1]
    files = sys.argv[2:]
    if not files:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "*.c", "*.h"], capture_output=True, text=True, check=True
        ).stdout
        files = out.split()
    bad = check(root, files)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
