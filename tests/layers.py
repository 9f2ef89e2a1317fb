#!/usr/bin/env python3
"""Layers point one way (docs/architecture.md, "Layout").

    layers.py src ROOT        every #include "..." of ROOT's C sources
    layers.py deps ROOT BUILD every file the compiler read for an object
                              (the -MMD files BUILD/FOLDER/*.d)

Prints one line per include of a higher folder from a lower one ("capture/
capture.c:25: includes export/jsonl.h (export is above capture)") and
exits 1 if there is any; 0 otherwise. The first form reads the text (a
header no source includes counts too), the second what the compiler
actually opened (an include hidden behind a macro or a chain of headers
counts too).
"""
import os
import re
import sys

# Lowest first. A folder may include its own headers and those of any
# folder before it in this list, never one after it.
ORDER = ["util", "bpf", "inspect", "xsk", "sink", "capture", "bench", "export", "cmd"]
RANK = {d: i for i, d in enumerate(ORDER)}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def folder(path):
    """The top folder of a path relative to the root, or None outside."""
    path = os.path.normpath(path)
    if path.startswith("..") or os.path.isabs(path) or "/" not in path:
        return None
    return path.split("/", 1)[0]


def check(src, target, where, bad):
    s, t = folder(src), folder(target)
    if s not in RANK or t is None or t == s:
        return
    if t not in RANK:
        bad.append(f"{where}: includes {target} ({t}/ is not a library folder)")
    elif RANK[t] > RANK[s]:
        bad.append(f"{where}: includes {target} ({t}/ is above {s}/)")


def from_sources(root):
    bad = []
    for d in ORDER:
        for dirpath, _, names in os.walk(os.path.join(root, d)):
            for name in sorted(names):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        # As the compiler looks: beside the file, then -I.
                        # (the root), then -I BUILD (generated headers,
                        # named by their folder: bpf/gen.skel.h).
                        beside = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
                        target = beside if os.path.exists(os.path.join(root, beside)) else inc
                        check(rel, target, f"{rel}:{n}", bad)
    return bad


def from_deps(root, build):
    bad, seen = [], 0
    for d in ORDER:
        top = os.path.join(build, d)
        for dirpath, _, names in os.walk(top):
            for name in sorted(names):
                if not name.endswith(".d"):
                    continue
                with open(os.path.join(dirpath, name)) as f:
                    text = f.read().replace("\\\n", " ")
                # The first rule only: "OBJ: SOURCE HEADER..." (-MP adds
                # empty rules for the headers after it).
                rule = text.split("\n", 1)[0]
                if ":" not in rule:
                    continue
                deps = rule.split(":", 1)[1].split()
                if not deps:
                    continue
                src = os.path.normpath(deps[0])
                if folder(src) != d or not os.path.exists(os.path.join(root, src)):
                    continue  # built from elsewhere, or a source since moved
                seen += 1
                for dep in deps[1:]:
                    dep = os.path.normpath(dep)
                    if os.path.isabs(dep):
                        continue  # a system header
                    b = os.path.normpath(os.path.relpath(build, root))
                    if dep.startswith(b + "/"):
                        dep = dep[len(b) + 1:]  # a generated header
                    check(src, dep, f"{src} (compiled)", bad)
    return bad, seen


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "src":
        bad = from_sources(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "deps":
        bad, seen = from_deps(sys.argv[2], sys.argv[3])
        if not seen:
            print(f"no dependency files under {sys.argv[3]}: build first")
            return 2
    else:
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        return 2
    for b in sorted(set(bad)):
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
