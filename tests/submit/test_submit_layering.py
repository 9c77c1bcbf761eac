"""The submit layer's seams hold: httpx in one adapter, no import cycle, one signer table.

Imports are read with ``ast`` (counting imports inside functions), so a newcomer who
imports httpx in another module, or makes ``_bulk`` and ``_client`` import each other
at run time, gets a failing test naming the file.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

from typing_extensions import get_args

import procdsl
from procdsl.submit import _signing_v1, _signing_v4
from procdsl.submit._signers import SIGNERS, SignatureVersion

PACKAGE = Path(procdsl.__file__).parent
SUBMIT = PACKAGE / "submit"


def _imports(path: Path) -> List[str]:
    """Absolute names of every module ``path`` imports, at run time (``if TYPE_CHECKING:`` blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    package = ["procdsl", *path.relative_to(PACKAGE).parent.parts]
    names = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_only_the_transport_adapter_imports_httpx() -> None:
    offenders = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in SUBMIT.glob("*.py")
        if path.name != "_httpx.py" and any(n == "httpx" or n.startswith("httpx.") for n in _imports(path))
    )
    assert offenders == [], f"only procdsl/submit/_httpx.py may import httpx; move the httpx code there: {offenders}"


def test_outside_submit_only_testing_imports_httpx() -> None:
    offenders = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if SUBMIT not in path.parents and path.name != "testing.py"
        and any(n == "httpx" or n.startswith("httpx.") for n in _imports(path))
    )  # fmt: skip
    assert offenders == []


def _graph() -> Dict[str, Set[str]]:
    modules = {f"procdsl.submit.{p.stem}": p for p in SUBMIT.glob("*.py")}
    modules["procdsl.submit"] = SUBMIT / "__init__.py"
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name and name != "procdsl.submit"}
    return graph


def test_no_import_cycle_in_the_submit_layer() -> None:
    graph = _graph()
    assert "procdsl.submit._bulk" in graph["procdsl.submit._client"]  # the graph is read at all
    # _client may use _bulk (submit_many); _bulk must not import _client at run time.
    assert "procdsl.submit._client" not in graph["procdsl.submit._bulk"]
    done: Set[str] = set()

    def visit(node: str, path: List[str]) -> None:
        if node in path:
            cycle = [*path[path.index(node) :], node]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*path, node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])


def test_one_signer_per_version_with_one_interface() -> None:
    assert {name: type(s) for name, s in SIGNERS.items()} == {"v4": _signing_v4.SignerV4, "v1": _signing_v1.SignerV1}
    assert set(get_args(SignatureVersion)) == set(SIGNERS), "add the new version to _signers.SignatureVersion too"
    for name, s in SIGNERS.items():
        assert s.name == name
        # Both take the same arguments, so the client never branches on the version.
        assert s.sign_headers.__code__.co_varnames[:3] == ("self", "request", "context")
        assert s.presign_query.__code__.co_varnames[:4] == ("self", "request", "context", "expires")


def test_the_error_tree_lives_in_one_module() -> None:
    from procdsl import submit

    def is_error(name: str) -> bool:
        value = getattr(submit, name)
        return isinstance(value, type) and issubclass(value, Exception) and not issubclass(value, Warning)

    errors = {n for n in submit.__all__ if is_error(n)}
    assert {getattr(submit, n).__module__ for n in errors} == {"procdsl.submit._errors"}
    tree = (SUBMIT / "_errors.py").read_text(encoding="utf-8")
    for name in errors:  # each drawn in the module docstring
        assert name in tree.split('"""')[1], name
