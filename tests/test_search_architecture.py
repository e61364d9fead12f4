"""The search package's shape: building and serving share the format through format.py only;
no import cycle; the serving side never loads the build side (or numpy)."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "api" / "search"
BUILD = {"build", "bulk", "analysis"}
SERVE = {"whoosh_backend", "ranking", "scoring", "frequencies", "highlight", "suggest"}


def _imports() -> dict[str, set[str]]:
    """module -> the modules of this package it imports (at any level of its code)."""
    graph = {}
    for path in PACKAGE.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
        graph[path.stem] = found & {p.stem for p in PACKAGE.glob("*.py")}
    return graph


def test_no_import_cycle():
    graph = _imports()

    def visit(module, trail):
        for other in graph.get(module, ()):
            assert other not in trail, " → ".join([*trail, other])
            visit(other, [*trail, other])

    for module in graph:
        if module != "__init__":
            visit(module, [module])


def test_serving_modules_never_import_building_ones():
    graph = _imports()
    for module in SERVE:
        assert not graph[module] & BUILD, module
    assert "format" in graph["whoosh_backend"] and "format" in graph["build"]
    assert not graph["format"] & (BUILD | SERVE)  # the shared module depends on neither side


def test_a_serving_process_loads_no_build_code():
    code = (
        "import sys, api.search.whoosh_backend, api.search.index;"
        "print(sorted(m for m in ('numpy', 'api.search.bulk', 'api.search.analysis') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
