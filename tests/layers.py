#!/usr/bin/env python3
"""tests/layers.py BUILD-DIR SOURCE-DIR: the house's layers, checked on the
compiled code itself (docs/design.md).

Two graphs, both from what the compiler and the linker see, not from
comments:
  * includes: every #include "..." of probe/, capture/ and include/;
  * calls: file A uses file B when A's object file needs a symbol that B's
    defines (nm), so a call through a header counts where it lands.
Each file sits on the floor of its folder; no arrow may point to a higher
floor, nor to a sibling folder on the same floor, and the calls between
files must hold no circle.  Exit 1 with every offending arrow named.
"""
import os
import re
import subprocess
import sys

# Lowest first.  Folders on one floor must not use each other.
FLOORS = [
    ["include"],
    ["capture"],
    ["probe/engine"],
    ["probe/measure"],
    ["probe/output", "probe/respond"],
    ["probe/cmd"],
    ["probe/main.c"],
]


# Known and owed (issue 17's note): the command line's option groups and
# their commands call each other (options.c lists the commands; each
# <command>_opts.c uses the shared groups and helpers in options.c and
# other commands' groups for its refusals).  A circle made of these files
# only is reported, not failed; any other file in it fails the check.
OWED_CIRCLE = re.compile(r"^probe/cmd/(options|[a-z]+_opts)\.c$")


def place(path):
    """(floor, folder) of a source path relative to the top, or None."""
    for floor, folders in enumerate(FLOORS):
        for folder in folders:
            if path == folder or path.startswith(folder + "/"):
                return floor, folder
    return None


def sources(top):
    out = []
    for base in ("include", "capture", "probe"):
        for root, _, files in os.walk(os.path.join(top, base)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(root, f), top))
    return sorted(out)


def resolve(top, src, name):
    """The file an #include "name" of src reads (the compiler's order)."""
    for d in (os.path.dirname(src), "probe", "include", "capture"):
        cand = os.path.normpath(os.path.join(d, name))
        if os.path.exists(os.path.join(top, cand)):
            return cand
    return None


def include_arrows(top, files):
    arrows = set()
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    for src in files:
        with open(os.path.join(top, src), encoding="utf-8") as fp:
            text = fp.read()
        for name in inc.findall(text):
            dst = resolve(top, src, name)
            if dst is not None and dst != src:
                arrows.add((src, dst))
    return arrows


def call_arrows(build, top):
    """(user.c, definer.c) pairs from the object files of the build."""
    defs, needs = {}, {}
    for root, _, files in os.walk(build):
        for f in files:
            if not f.endswith(".c.o"):
                continue
            obj = os.path.join(root, f)
            m = re.search(r"/(ep_probe|ep_capture|ednsprobe)\.dir/(.*)\.o$",
                          obj)
            if m is None:
                continue
            src = m.group(2)
            if not os.path.exists(os.path.join(top, src)):
                continue    # a stale object of a file since moved
            out = subprocess.run(["nm", "-P", obj], capture_output=True,
                                 text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if len(parts) < 2:
                    continue
                sym, kind = parts[0], parts[1]
                if kind == "U":
                    needs.setdefault(src, set()).add(sym)
                elif kind in "TDRB":
                    defs[sym] = src
    arrows = set()
    for src, syms in needs.items():
        for sym in syms:
            dst = defs.get(sym)
            if dst is not None and dst != src:
                arrows.add((src, dst))
    return arrows, len(defs)


def upward(arrows, what):
    bad = []
    for src, dst in sorted(arrows):
        a, b = place(src), place(dst)
        if a is None or b is None:
            continue
        if b[0] > a[0] or (b[0] == a[0] and b[1] != a[1]):
            bad.append("%s arrow up: %s -> %s" % (what, src, dst))
    return bad


def circles(arrows):
    """Every strongly connected set of more than one file (Tarjan)."""
    graph = {}
    for a, b in arrows:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    build, top = sys.argv[1], sys.argv[2]
    files = sources(top)
    inc = include_arrows(top, files)
    calls, ndefs = call_arrows(build, top)
    if ndefs == 0:
        print("no object files under %s: build first" % build)
        return 1
    bad = upward(inc, "include") + upward(calls, "call")
    for comp in circles(calls):
        if all(OWED_CIRCLE.match(f) for f in comp):
            print("owed (not failed): call circle: " + " <-> ".join(comp))
            continue
        bad.append("call circle: " + " <-> ".join(comp))
    for comp in circles(inc):
        bad.append("include circle: " + " <-> ".join(comp))
    print("%d files, %d include arrows, %d call arrows, %d floors" %
          (len(files), len(inc), len(calls), len(FLOORS)))
    for line in bad:
        print(line)
    if bad:
        print("%d arrows break the layers" % len(bad))
        return 1
    print("no arrow up, no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
