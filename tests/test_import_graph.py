"""The shape of bookingadmin's imports: domains depend one way, rules never reach up into faces.

Every module under bookingadmin/ is parsed with `ast`, and every import counts, including the
ones inside functions (an import at call time hides a cycle from Python, not from the design).
`from . import x` counts as an import of the module `x` when it is one. Imports under
`if TYPE_CHECKING:` are skipped: they never run.

Rules checked:
(a) No cycle between the top-level packages of bookingadmin (`bookingadmin.availability`,
    `bookingadmin.bookings`, ...): a module of package A importing a module of package B is an
    edge A → B; the graph must have no cycle (every cycle is reported, with one import that
    makes each of its edges). The composition root may import every domain and is left out: the
    app factory (`bookingadmin/__init__.py`), `domains.py`, `models.py` (imports every domain's
    models), the CLI, the demo data, and each domain's init module (`setup.py` or `plugin.py`:
    it plugs the domain's faces and receivers into the app). A domain's own back-office views
    (`<domain>/admin.py`) are a face, like admin/ (DESIGN.md §6): their imports of admin/'s
    base classes are the face layer's, not the domain's, and are left out too.
(b) A rule module never imports a face. Rule modules are the modules named models.py,
    services.py, lifecycle.py, operations.py, engine.py or jobs.py anywhere in the package, plus
    every module of `core/`; faces are `bookingadmin.admin`, `bookingadmin.api` and
    `bookingadmin.customer` (and a domain's own `admin.py`, which is a face itself and is not a
    rule module).
(c) `core/` imports no domain package: only `core/`, `extensions` and third-party code.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bookingadmin"
ROOT = "bookingadmin"
COMPOSITION_ROOT = {"bookingadmin", "bookingadmin.cli", "bookingadmin.demo", "bookingadmin.demo_bookings",
                    "bookingadmin.domains", "bookingadmin.models"}
INIT_MODULES = {"setup", "plugin"}
RULE_MODULE_NAMES = {"models", "services", "lifecycle", "operations", "engine", "jobs"}
FACES = ("bookingadmin.admin", "bookingadmin.api", "bookingadmin.customer")
SHARED = {"bookingadmin.core", "bookingadmin.extensions", "bookingadmin.translations", "bookingadmin.static"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every Import/ImportFrom in the tree, at any depth, except under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The bookingadmin modules `name` imports, resolved to module names that exist."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - node.level + 1]
            base = ".".join(anchor + ([node.module] if node.module else []))
        found.add(base)
        found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known)
    return {target for target in found if target == ROOT or target.startswith(ROOT + ".")}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) - {name} for name, path in modules.items()}


def _is_composition_root(module: str) -> bool:
    return module in COMPOSITION_ROOT or module.rsplit(".", 1)[-1] in INIT_MODULES


def _is_domain_face(module: str) -> bool:
    """`<domain>/admin.py`: back-office views that live beside their domain."""
    parts = module.split(".")
    return len(parts) == 3 and parts[2] == "admin" and _top_package(module) not in FACES


def _top_package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _package_graph(graph: dict[str, set[str]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Top-level package → {package it imports: (one importing module, the module imported)}."""
    edges: dict[str, dict[str, tuple[str, str]]] = {}
    for module, targets in graph.items():
        if _is_composition_root(module):
            continue
        source = _top_package(module)
        for target in targets:
            if target == ROOT:
                continue
            destination = _top_package(target)
            if destination in FACES and _is_domain_face(module):
                continue
            if destination != source:
                edges.setdefault(source, {}).setdefault(destination, (module, target))
    return edges


def _cycles(edges: dict[str, dict[str, tuple[str, str]]]) -> list[list[str]]:
    """The strongly connected groups of more than one package: each holds at least one cycle."""
    nodes = set(edges) | {b for targets in edges.values() for b in targets}

    def reachable(start: str) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            for nxt in edges.get(stack.pop(), {}):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    reach = {node: reachable(node) for node in nodes}
    groups = {frozenset(n for n in nodes if n in reach[node] and node in reach[n]) for node in nodes
              if node in reach[node]}
    return sorted(sorted(group) for group in groups if len(group) > 1)


def _describe(groups: list[list[str]], edges) -> str:
    lines = []
    for group in groups:
        lines.append("cycle among " + ", ".join(group) + ":")
        lines += [f"  {a} → {b}: {edges[a][b][0]} imports {edges[a][b][1]}"
                  for a in group for b in sorted(edges.get(a, {})) if b in group]
    return "import cycles between packages:\n" + "\n".join(lines)


def test_the_graph_sees_imports_inside_functions():
    graph = _graph()
    # admin/calendar.py imports availability.services only inside its view method
    assert "bookingadmin.availability.services" in graph["bookingadmin.admin.calendar"]
    assert "bookingadmin.availability.engine" in graph["bookingadmin.availability.services"]


def test_the_cycle_finder_reports_every_cycle():
    edges = {"a": {"b": ("a.x", "b.y")}, "b": {"c": ("b.y", "c.z")}, "c": {"a": ("c.z", "a.x")},
             "d": {"e": ("d.x", "e.x"), "a": ("d.x", "a.x")}, "e": {"d": ("e.x", "d.x")}}
    assert _cycles(edges) == [["a", "b", "c"], ["d", "e"]]
    assert "c → a: c.z imports a.x" in _describe(_cycles(edges), edges)
    assert _cycles({"a": {"b": ("a.x", "b.y")}, "b": {}}) == []


def test_no_import_cycle_between_packages():
    edges = _package_graph(_graph())
    cycles = _cycles(edges)
    assert cycles == [], _describe(cycles, edges)


def test_availability_never_imports_bookings():
    graph = _graph()
    offenders = sorted(f"{module} imports {target}" for module, targets in graph.items()
                       if module.startswith("bookingadmin.availability")
                       for target in targets if target.startswith("bookingadmin.bookings"))
    assert offenders == []


def _is_rule_module(module: str) -> bool:
    return module.rsplit(".", 1)[-1] in RULE_MODULE_NAMES or module.startswith("bookingadmin.core.") \
        or module == "bookingadmin.core"


def test_no_rule_module_imports_a_face():
    graph = _graph()
    offenders = sorted(f"{module} imports {target}" for module, targets in graph.items() if _is_rule_module(module)
                       and not module.startswith(FACES)
                       for target in targets if target.startswith(FACES))
    assert offenders == []


def test_core_imports_no_domain():
    graph = _graph()
    offenders = sorted(f"{module} imports {target}" for module, targets in graph.items()
                       if _top_package(module) == "bookingadmin.core"
                       for target in targets if _top_package(target) not in SHARED)
    assert offenders == []
