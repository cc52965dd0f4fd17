"""Layering of the scenario and FTA services: a re-export-only ``scenarios`` module, no file parsing in services."""

from __future__ import annotations

import ast
from pathlib import Path

import critmin.services

SERVICES = Path(critmin.services.__file__).parent
ORCHESTRATION = [
    "_scenario_common",
    "shock",
    "sourcing",
    "contract",
    "route",
    "projection",
    "fta",
    "tariffs",
    "brief_scenarios",
    "screen",
]
FILE_PARSERS = {"yaml", "csv", "json", "openpyxl"}
PARSE_CALLS = {"read_csv", "read_excel", "safe_load", "read_text", "open"}


def _tree(name: str) -> ast.Module:
    return ast.parse((SERVICES / f"{name}.py").read_text(encoding="utf-8"))


def test_scenarios_module_only_re_exports():
    tree = _tree("scenarios")
    body = tree.body[1:] if isinstance(tree.body[0], ast.Expr) else tree.body  # the docstring
    kinds = {type(n).__name__ for n in body}
    assert kinds <= {"ImportFrom", "Assign"}, kinds
    exported = next(n for n in body if isinstance(n, ast.Assign) and n.targets[0].id == "__all__")
    names = {e.value for e in exported.value.elts}
    imported = {a.asname or a.name for n in body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert names == imported - {"annotations"}

    import critmin.services.scenarios as svc

    assert all(hasattr(svc, n) for n in svc.__all__)


def test_services_parse_no_files():
    found = []
    for name in ORCHESTRATION:
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.Import):
                found += [f"{name}: import {a.name}" for a in node.names if a.name.split(".")[0] in FILE_PARSERS]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FILE_PARSERS:
                found.append(f"{name}: from {node.module} import")
            elif isinstance(node, ast.Call):
                f = node.func
                called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                # ``Explorer.open(...)`` opens a warehouse handle, not a file
                opens_handle = (
                    called == "open" and isinstance(f, ast.Attribute) and getattr(f.value, "id", "") == "Explorer"
                )
                if called in PARSE_CALLS and not opens_handle:
                    found.append(f"{name}:{node.lineno}: {called}()")
    assert found == [], "file parsing belongs in critmin.sources:\n" + "\n".join(found)
