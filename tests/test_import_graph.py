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
# The groups of ``service/``, bottom-up: a group imports only groups on a lower level (or its own level's
# peers: the API's routes render the UI's pages). Every module of ``service/`` lives in exactly one of them.
GROUP_LEVELS: tuple[tuple[str, ...], ...] = (
    ("service.platform",),  # settings, keys, blobs, logging, domain error kinds
    ("service.store",),  # tables, sessions, repositories, search
    ("service.pipeline",),  # the pure call pipeline and its self-verification
    ("service.privacy",),  # register, retention, audit, subject index and requests, exports
    ("service.calls",),  # intake, review, views, callbacks, demo
    ("service.jobs",),  # the queue's workers (embedded and Celery) and their metrics
    ("service.auth",),  # who is asking; the request dependencies both front doors share
    ("service.api", "service.ui"),  # the front doors
    ("service.cli",),  # the command line, a composition root
)


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


def _group(module: str) -> tuple[int, str] | None:
    """(level, group) of a ``service`` module, or None for the ``service`` package itself and foreign modules."""
    for level, groups in enumerate(GROUP_LEVELS):
        for group in groups:
            if _in(module, group):
                return level, group
    return None


def _between_groups(edges: list[Edge]) -> list[tuple[Edge, tuple[int, str], tuple[int, str]]]:
    found = []
    for e in edges:
        a, b = _group(e.importer), _group(e.imported)
        if a and b and a[1] != b[1]:
            found.append((e, a, b))
    return found


def test_every_service_module_is_in_a_group() -> None:
    """No module sits loose in ``service/``: a newcomer finds each under the concern it serves."""
    loose = sorted(m for m in _modules() if _in(m, "service") and m != "service" and _group(m) is None)
    assert not loose, "service modules outside the groups of GROUP_LEVELS:\n" + "\n".join(loose)


def test_groups_import_only_downward() -> None:
    """platform < store < pipeline < privacy < calls < jobs < auth < api/ui < cli: no import runs back up."""
    upward = [e for e, a, b in _between_groups(EDGES) if b[0] > a[0]]
    assert not upward, "imports that run up the groups of service/:\n" + _report(upward)


def test_no_import_cycles_between_groups() -> None:
    """Peers on one level (api, ui) may import each other one way only. A failure names, for each cycle of
    groups, the edges inside it that do not run down (at least one of them closes the cycle)."""
    group_edges = {Edge(a[1], b[1], "") for _, a, b in _between_groups(EDGES)}
    cycles = _cycles(sorted(group_edges, key=str), "service")
    bad = [e for e, a, b in _between_groups(EDGES)
           if b[0] >= a[0] and any({a[1], b[1]} <= set(c) for c in cycles)]
    assert not cycles, "import cycles between the groups of service/:\n" + _report(bad)


# The statement builders of SQLAlchemy: a module that imports one writes its own queries.
QUERY_BUILDERS = frozenset({"select", "update", "delete", "insert", "func"})
# Modules outside ``service/store`` that still build queries, each with the reason it is not yet moved.
# Shrink this list; never grow it.
QUERIES_NOT_YET_IN_STORE: dict[str, str] = {}


def _query_builder_uses(path: Path) -> Iterator[str]:
    """``name (file:line)`` for each statement builder ``path`` takes from SQLAlchemy: ``from sqlalchemy[.x]
    import select`` and ``sqlalchemy.select`` / ``sa.select`` through a module import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT)
    module_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if alias.name in QUERY_BUILDERS:
                    yield f"{node.module}.{alias.name} ({where}:{node.lineno})"
        elif isinstance(node, ast.Import):
            module_aliases |= {(a.asname or a.name).split(".")[0] for a in node.names
                               if a.name.split(".")[0] == "sqlalchemy"}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in QUERY_BUILDERS and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases):
            yield f"{node.value.id}.{node.attr} ({where}:{node.lineno})"


def test_queries_are_built_only_in_the_store() -> None:
    """Storage sits behind the repositories of ``service/store`` (ARCHITECTURE): no module of ``service/``
    outside it imports SQLAlchemy's ``select``, ``update``, ``delete``, ``insert`` or ``func``. A domain or
    UI module that needs rows calls a repository function named for what it returns."""
    modules = _modules()
    assert any(True for _ in _query_builder_uses(modules["service.store.repo_calls"])), \
        "the check must see the store's own queries (else it would pass vacuously)"
    bad = [use for module, path in modules.items()
           if _in(module, "service") and not _in(module, "service.store") and module not in QUERIES_NOT_YET_IN_STORE
           for use in _query_builder_uses(path)]
    assert not bad, "queries built outside service/store (move them into a repository):\n" + "\n".join(bad)
