#!/usr/bin/env python3
"""The library's module graph and its cycles: which top-level module of src/ names which.

    python3 scripts/module_cycles.py [--edges]

An edge A → B is any `crate::B` path (in a `use` or inline) in the code of module A
(src/A.rs or src/A/…), comments and unit tests (`tests.rs`, `mod tests`) left out;
`crate::Name` of an item lib.rs re-exports counts as its module; `super::` paths stay
inside their module. Prints each cycle of
the graph (strongly connected components of more than one module) and exits 1 if there
is one; --edges prints the whole graph. The binary's src/cli (which sees the library as
`koe::`) is not part of the library's graph. Standard library only.

Cargo features: code behind `#[cfg(feature = "transformer")]` (or `not(...)`) counts like
any other, so the graph is the union of every build's graphs; no cycle in it means no
cycle with or without any feature. `.ci/run` runs it.
"""

import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PATH = re.compile(r"\bcrate::(?:\{\s*)?([a-z_][a-z0-9_]*)")
GROUP = re.compile(r"\bcrate::\{([^}]*)\}", re.S)


def module_of(path: Path) -> str | None:
    parts = path.relative_to(SRC).parts
    name = parts[0].removesuffix(".rs")
    return None if name in ("main", "lib", "cli") else name


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in SRC.rglob("*.rs"):
        module = module_of(path)
        if module is None:
            continue
        if path.name == "tests.rs":
            continue
        text = path.read_text(encoding="utf-8").split("#[cfg(test)]\nmod tests", 1)[0]
        text = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
        names = set(PATH.findall(text))
        for group in GROUP.findall(text):
            names |= {n.strip().split("::")[0] for n in group.split(",") if n.strip()}
        names = {REEXPORTS.get(n, n) for n in names}
        edges.setdefault(module, set()).update(n for n in names if n != module)
    return edges


def reexports() -> dict[str, str]:
    """`pub use module::{A, B}` of lib.rs: A and B → module."""
    out = {}
    lib = (SRC / "lib.rs").read_text(encoding="utf-8")
    for module, items in re.findall(r"pub use (\w+)::\{?([\w, ]+)\}?;", lib):
        for item in items.split(","):
            out[item.strip()] = module
    return out


REEXPORTS = reexports()


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, those of two or more modules."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    edges = graph()
    if "--edges" in sys.argv:
        for module in sorted(edges):
            print(f"{module} → {', '.join(sorted(edges[module])) or '-'}")
    found = cycles(edges)
    for component in found:
        print("cycle:", " ⇄ ".join(component))
        for a in component:
            for b in sorted(edges[a] & set(component)):
                print(f"  {a} → {b}")
    if not found:
        print(f"no cycle among {len(edges)} modules")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
