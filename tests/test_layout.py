"""The package's layout keeps the data flow one way: every module imports on its own, and the
subpackages import only those below them (domain at the bottom; rules see only the domain).

The imports are read from the source (every `import` and `from ... import`, also those inside
functions), so a cycle hidden behind a late import still fails here."""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import rostering
import rostering.rules

PACKAGE = Path(rostering.__file__).parent
RULES = Path(rostering.rules.__file__).parent

# Bottom to top: a subpackage may import itself and those before it. The package's own face
# (rostering/__init__.py) hands names on and may import any of them.
LAYERS = ("domain", "rules", "io", "replan", "solver", "exports", "analysis", "batch", "testing", "web", "cli")


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the installed package, rule modules included."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for path in sorted(RULES.glob("*.py")):
        found["rostering.rules" + ("" if path.stem == "__init__" else f".{path.stem}")] = path
    return found


MODULES = _modules()


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _imports(module: str, path: Path) -> set[str]:
    """Every module `module` names in an import, resolved to absolute dotted names."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            out.add(source)
            out.update(f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in MODULES)
    return out


def test_the_layers_cover_every_subpackage():
    assert {_layer(m) for m in MODULES} - {None} == set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_subpackages_import_only_those_below_them(module):
    mine = _layer(module)
    allowed = set(LAYERS[: LAYERS.index(mine) + 1]) if mine else set(LAYERS)
    wrong = sorted(
        name
        for name in _imports(module, MODULES[module])
        if (name == "rules" or name.startswith("rules."))  # the folder's name, not the package's
        or (name.startswith("rostering.") and _layer(name) not in allowed)
    )
    assert not wrong, f"{module} ({mine}) imports {wrong}; allowed: {sorted(allowed)}"


def test_rules_see_only_the_domain():
    for module, path in MODULES.items():
        if _layer(module) == "rules":
            outside = {
                n for n in _imports(module, path) if n.startswith("rostering.") and _layer(n) not in ("domain", "rules")
            }
            assert not outside, f"{module} imports {sorted(outside)}"


def test_every_module_imports_in_a_fresh_interpreter(tmp_path):
    """One interpreter per module, so no module passes because another was imported first
    (`import rules.law` once failed in a circle through the package's __init__)."""

    def load(module: str) -> tuple[str, int, str]:
        run = subprocess.run(
            [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=tmp_path, timeout=120
        )
        return module, run.returncode, run.stderr.strip().splitlines()[-1:]

    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = [(m, err) for m, code, err in pool.map(load, sorted(MODULES)) if code != 0]
    assert not failed, failed


@pytest.mark.parametrize("module", ["rostering.rules.law", "rostering.domain.problem", "rostering.io.scenario_file"])
def test_the_lower_layers_load_without_the_solver(module, tmp_path):
    """A rule module, the domain and the scenario reader do not pull in OR-Tools: the package's
    face loads its names lazily, and nothing below the solver imports it."""
    code = f"import sys, {module}; print(sorted(m for m in ('ortools', 'rostering.solver') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_the_package_face_names_what_it_loads():
    """`from rostering import X` works for every name it lists, and lists every name it can load."""
    assert sorted(rostering.__all__) == sorted(rostering._HOMES)
    for name in rostering.__all__:
        assert getattr(rostering, name).__name__ == name


def test_every_subpackage_is_installed():
    """The package list in pyproject.toml is explicit (rules/ installs as rostering.rules), so a new
    subpackage must be named there or a wheel would leave it out."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {module for module, path in MODULES.items() if path.name == "__init__.py"}
    assert folders <= set(config["packages"])
    assert config["package-dir"] == {"rostering.rules": "rules"}
