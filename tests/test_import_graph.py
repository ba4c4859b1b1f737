"""No import cycles in fipgen, between modules or between subpackages.

The graph is read from the source (every ``import`` statement, those inside functions
included: a function-level import is still a dependency), with modules named as imported
(``fipgen.production.sources.vertex`` for ``generator/production/sources/vertex.py``). A subpackage
(``fipgen.production``) or a top-level module (``fipgen.pipeline``) is one node of the coarse
graph. Both graphs must be acyclic: lower layers (constants, kinematics, models, geometry,
shower, io) never reach back into the layers that use them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "generator"


def _modules() -> dict[str, Path]:
    out = {}
    for p in ROOT.rglob("*.py"):
        parts = ["fipgen", *p.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the fipgen modules it imports."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        package = m if path.name == "__init__.py" else m.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [f"{target}.{a.name}" for a in node.names]
                found = [n if n in mods else target for n in names]
            elif isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            else:
                continue
            graph[m] |= {t for t in found if t in mods and t != m}
    return graph


def coarse(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def node(m: str) -> str:
        return ".".join(m.split(".")[:2])

    out: dict[str, set[str]] = {}
    for a, targets in graph.items():
        out.setdefault(node(a), set())
        out[node(a)] |= {node(b) for b in targets if node(b) != node(a)}
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def _edges_within(graph, comp):
    return sorted(f"{a} -> {b}" for a in comp for b in graph.get(a, ()) if b in comp)


def test_no_cycle_between_modules():
    g = import_graph()
    found = cycles(g)
    assert not found, "import cycles: " + "; ".join(", ".join(_edges_within(g, c)) for c in found)


def test_no_cycle_between_subpackages():
    g = import_graph()
    c = coarse(g)
    found = cycles(c)
    detail = []
    for comp in found:
        for a, targets in g.items():
            for b in targets:
                na, nb = ".".join(a.split(".")[:2]), ".".join(b.split(".")[:2])
                if na != nb and na in comp and nb in comp:
                    detail.append(f"{a} -> {b}")
    assert not found, f"subpackage cycles {found}: " + ", ".join(sorted(detail))


def test_the_cycle_finder_finds_cycles():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(g) == [["a", "b", "c"]]
    assert cycles({"x": {"y"}, "y": set()}) == []
    assert coarse({"fipgen.io.a": {"fipgen.production.b"}, "fipgen.production.b": {"fipgen.io.c"}}) == {
        "fipgen.io": {"fipgen.production"}, "fipgen.production": {"fipgen.io"}}


def test_production_stages_are_layered():
    """Inside fipgen.production the stages are layered: sources <- transport <- channels (aiming
    and the ParentDecays hand-over used by all); no stage imports a later one."""
    order = ["fipgen.production.parents", "fipgen.production.aiming", "fipgen.production.sources",
             "fipgen.production.transport", "fipgen.production.channels"]

    def stage(m):
        return ".".join(m.split(".")[:3])

    bad = sorted(f"{a} -> {b}" for a, targets in import_graph().items() for b in targets
                 if stage(a) in order and stage(b) in order
                 and order.index(stage(b)) > order.index(stage(a)))
    assert not bad, "production stage imports a later stage: " + ", ".join(bad)
