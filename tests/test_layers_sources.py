"""Layering: connectors (``critmin/sources``) never import the domain layer, not even inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import critmin.sources

SOURCES = Path(critmin.sources.__file__).parent


def _imported_modules(node: ast.AST) -> list[str]:
    """Dotted names an import statement brings in (``from a import b`` gives ``a`` and ``a.b``)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        package = ["critmin", "sources"]
        base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
        module = ".".join(x for x in (base, node.module or "") if x)
        return [module] + [f"{module}.{a.name}" for a in node.names]
    return []


def _domain_imports(path: Path) -> list[str]:
    """``critmin.domain`` imports anywhere in ``path`` (module level, functions, ``TYPE_CHECKING`` blocks)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names = _imported_modules(node)
        if any(n == "critmin.domain" or n.startswith("critmin.domain.") for n in names):
            found.append(f"{path.name}:{getattr(node, 'lineno', 0)}: {names[0]}")
    return found


def test_the_checker_finds_a_domain_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f():\n    from critmin.domain.policy import tariffs\n\nfrom critmin import domain\nfrom ..domain import news\n"
    )
    assert len(_domain_imports(bad)) == 3
    ok = tmp_path / "ok.py"
    ok.write_text("from critmin.tariff_frame import validate_tariff_frame\nimport critmin.errors\n")
    assert _domain_imports(ok) == []


def test_sources_never_import_the_domain():
    files = sorted(SOURCES.glob("*.py"))
    assert len(files) > 10
    found = [hit for f in files for hit in _domain_imports(f)]
    assert found == [], "connectors must not import critmin.domain:\n" + "\n".join(found)
