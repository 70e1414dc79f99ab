"""The import graph of ``service/``, ``models/`` and ``redaction/`` keeps its direction (ARCHITECTURE, STYLE).

The graph is read from the source with ``ast``: every ``import`` and ``from … import`` of a project module,
at module level and inside functions (a lazy import still ties the two modules together; only imports under
``if TYPE_CHECKING:`` are left out, they never run). A failure names the offending edges as
``importer -> imported (file:line)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("service", "models", "redaction")
# Composition roots: they build the whole app, so they may import the HTTP layer from outside it.
COMPOSITION_ROOTS = frozenset({"service.cli", "service.cli.main", "service.cli.__main__", "service.api.app"})


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} ({self.where})"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` (never executed)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The project modules one import statement loads (``from pkg import mod`` loads ``pkg.mod``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    for alias in node.names:
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def _edges() -> list[Edge]:
    modules = _modules()
    known = set(modules)
    edges: list[Edge] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skipped:
                continue
            for target in _targets(node, module, path.name == "__init__.py", known):
                # The nearest project module that is the target or contains it (``service.x.y`` of a name).
                while target and target not in known:
                    target = target.rpartition(".")[0]
                edge = Edge(module, target, f"{path.relative_to(ROOT)}:{node.lineno}")
                if target and target != module and edge not in edges:
                    edges.append(edge)
    return edges


EDGES = _edges()


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _cycles(edges: list[Edge], within: str) -> list[list[str]]:
    """Strongly connected components of more than one module among the modules of ``within`` (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        if _in(e.importer, within) and _in(e.imported, within):
            graph.setdefault(e.importer, set()).add(e.imported)
            graph.setdefault(e.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _describe(cycles: list[list[str]]) -> str:
    lines = []
    for component in cycles:
        members = set(component)
        lines.append("cycle: " + ", ".join(component))
        lines += [f"  {e}" for e in EDGES if e.importer in members and e.imported in members]
    return "\n".join(lines)


def _report(edges: list[Edge]) -> str:
    return "\n".join(str(e) for e in edges)


def test_the_graph_is_read() -> None:
    """A guard for the rules below: an empty graph would pass them all."""
    assert len(_modules()) > 50
    assert any(e.importer == "service.calls.ingest" and e.imported == "service.platform.blobstore" for e in EDGES)
    assert any(e.importer == "models.nlp" and _in(e.imported, "redaction") for e in EDGES)  # a lazy import


def test_no_import_cycles_in_service() -> None:
    cycles = _cycles(EDGES, "service")
    assert not cycles, "import cycles among service modules:\n" + _describe(cycles)


def test_redaction_imports_neither_service_nor_models() -> None:
    bad = [e for e in EDGES if _in(e.importer, "redaction") and (_in(e.imported, "service")
                                                                 or _in(e.imported, "models"))]
    assert not bad, "redaction/ must stay below service/ and models/:\n" + _report(bad)


def test_models_never_import_service() -> None:
    bad = [e for e in EDGES if _in(e.importer, "models") and _in(e.imported, "service")]
    assert not bad, "models/ must not import service/:\n" + _report(bad)


def test_only_the_front_doors_import_the_http_layer() -> None:
    """Domain and infrastructure modules never import ``service.api``; the API, the UI and the composition
    roots may."""
    allowed = ("service.api", "service.ui")
    bad = [e for e in EDGES if _in(e.imported, "service.api") and e.importer not in COMPOSITION_ROOTS
           and not any(_in(e.importer, a) for a in allowed)]
    assert not bad, "imports of service.api from outside the HTTP layer:\n" + _report(bad)


def _is_route_module(module: str) -> bool:
    return "routes" in module.split(".")


def test_the_ui_helpers_do_not_import_the_api() -> None:
    """``service/ui`` (templates, rendering, listings) sits below the API; only route modules may import it."""
    bad = [e for e in EDGES if _in(e.importer, "service.ui") and _in(e.imported, "service.api")
           and not _is_route_module(e.importer)]
    assert not bad, "service/ui modules that import service.api:\n" + _report(bad)
