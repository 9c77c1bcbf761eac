"""Dependencies point one way: no import cycle in the core, and the core never imports submit.

The import graph is read from the source with ``ast``. An import inside a function counts
like one at the top of the module (it runs, only later); an import under
``if TYPE_CHECKING:`` does not (it never runs). Importing a submodule also runs its
parent packages' ``__init__``; those implicit edges are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Set, Tuple

PACKAGE = Path(__file__).resolve().parents[1] / "procdsl"
#: Above the core: the network layer, the fake OSS server for tests, the command line.
NOT_CORE = ("procdsl.submit", "procdsl.testing", "procdsl._cli", "procdsl.__main__")
FORBIDDEN = ("procdsl.submit", "procdsl.testing")

#: (importing module, imported module) -> how: "top", "function" or "type-checking"
Edges = Dict[Tuple[str, str], str]


def module_sources(package: Path = PACKAGE) -> Dict[str, Tuple[str, bool]]:
    """``{"procdsl._stages": (source, is_package)}`` for every module of the package."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        out[name] = (path.read_text(encoding="utf-8"), is_package)
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_edges(sources: Mapping[str, Tuple[str, bool]]) -> Edges:
    """Every import between the given modules, and where it sits."""
    edges: Edges = {}

    def add(importer: str, target: str, how: str) -> None:
        if target in sources and target != importer:
            rank = {"top": 0, "function": 1, "type-checking": 2}
            old = edges.get((importer, target))
            if old is None or rank[how] < rank[old]:
                edges[(importer, target)] = how

    for name, (source, is_package) in sources.items():
        package = name if is_package else name.rpartition(".")[0]

        def visit(node: ast.AST, how: str, name: str = name, package: str = package) -> None:
            children: List[ast.AST]
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                children = list(node.body)
                for child in children:
                    visit(child, "type-checking")
                children = list(node.orelse)
                for child in children:
                    visit(child, how)
                return
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and how == "top":
                how = "function"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(name, alias.name, how)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    # "from . import _operations" imports a module; "from .x import y" imports from x.
                    target = f"{base}.{alias.name}"
                    add(name, target if target in sources else base, how)
            for child in ast.iter_child_nodes(node):
                visit(child, how)

        visit(ast.parse(source), "top")
    return edges


def find_cycle(edges: Edges, modules: Set[str]) -> Optional[List[str]]:
    """One import cycle among ``modules`` (run-time imports only), as a path, or None."""
    graph: Dict[str, List[str]] = {m: [] for m in modules}
    for (a, b), how in sorted(edges.items()):
        if how != "type-checking" and a in modules and b in modules:
            graph[a].append(b)
    state: Dict[str, int] = {}  # 1 on the current path, 2 done
    path: List[str] = []

    def walk(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = walk(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = walk(start)
            if found:
                return found
    return None


def describe(cycle: Optional[List[str]], edges: Edges) -> str:
    if not cycle:
        return "no import cycle"
    steps = [f"{a} -> {b} ({edges[(a, b)]})" for a, b in zip(cycle, cycle[1:])]
    return "import cycle: " + "; ".join(steps)


def _core(modules: Set[str]) -> Set[str]:
    return {m for m in modules if not any(m == n or m.startswith(n + ".") for n in NOT_CORE)}


def forbidden_imports(edges: Edges, modules: Set[str]) -> List[str]:
    """Core modules that import the network layer or the test server (even inside a function)."""
    return sorted(
        f"{a} imports {b} ({how})"
        for (a, b), how in edges.items()
        if a in _core(modules) and any(b == f or b.startswith(f + ".") for f in FORBIDDEN)
    )


# -- the package -----------------------------------------------------------------------------
SOURCES = module_sources()
EDGES = import_edges(SOURCES)


def test_no_import_cycle_in_the_core() -> None:
    cycle = find_cycle(EDGES, _core(set(SOURCES)))
    assert cycle is None, describe(cycle, EDGES)


def test_the_core_never_imports_submit_or_testing() -> None:
    assert forbidden_imports(EDGES, set(SOURCES)) == []


def test_the_graph_is_read() -> None:
    # Sanity: known edges are found, so an empty result above means something.
    assert EDGES[("procdsl._stages", "procdsl._declare")] == "top"
    assert EDGES[("procdsl._image_steps", "procdsl._stages")] == "type-checking"
    assert EDGES[("procdsl.testing", "procdsl.submit._credentials")] == "top"
    assert {"procdsl._declare", "procdsl._operations.image", "procdsl.submit._client"} <= set(SOURCES)


# -- the checks can fail -----------------------------------------------------------------------
FAKE = {
    "pkg": ("from . import a\n", True),
    "pkg.a": ("from .b import thing\n", False),
    "pkg.b": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import C\n", False),
    "pkg.c": ("def late():\n    from . import a\n    from pkg.net import send\n", False),
    "pkg.net": ("import httpx\n", False),
}


def test_edges_count_function_imports_and_not_type_checking_ones() -> None:
    edges = import_edges(FAKE)
    assert edges == {
        ("pkg", "pkg.a"): "top",
        ("pkg.a", "pkg.b"): "top",
        ("pkg.b", "pkg.c"): "type-checking",
        ("pkg.c", "pkg.a"): "function",
        ("pkg.c", "pkg.net"): "function",
    }


def test_a_cycle_through_a_function_import_is_reported() -> None:
    fake = dict(FAKE, **{"pkg.b": ("from .c import late\n", False)})
    edges = import_edges(fake)
    cycle = find_cycle(edges, set(fake))
    assert cycle == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    assert describe(cycle, edges) == (
        "import cycle: pkg.a -> pkg.b (top); pkg.b -> pkg.c (top); pkg.c -> pkg.a (function)"
    )
    assert find_cycle(import_edges(FAKE), set(FAKE)) is None  # the TYPE_CHECKING edge does not count


def test_a_core_module_importing_submit_is_reported() -> None:
    fake = {
        "procdsl": ("", True),
        "procdsl._stages": ("def send():\n    from .submit import Client\n", False),
        "procdsl.submit": ("from .._stages import send\n", True),
    }
    assert forbidden_imports(import_edges(fake), set(fake)) == ["procdsl._stages imports procdsl.submit (function)"]
