"""Every third-party import of the code and the tests is a listed requirement (issue 18).

A bare machine installs only requirements*.txt: a module that something else merely
happens to bring along here would break there, so each import must be listed itself.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_PARTS = {".git", ".venv", "venv", "node_modules", "__pycache__"}
# Installed by a listed requirement under another name, and imported only through it.
PROVIDED_BY = {"_pytest": "pytest"}


def _sources() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIP_PARTS & set(path.relative_to(ROOT).parts)
        and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    ]


def _local_names() -> set[str]:
    names = {p.stem for p in _sources()}
    names |= {p.name for p in ROOT.iterdir() if p.is_dir()}
    names |= {p.parent.name for p in _sources()}
    return names


def third_party_imports() -> dict[str, list[str]]:
    """Top-level module -> the files that import it, for every module not stdlib or ours."""
    local, stdlib = _local_names(), set(sys.stdlib_module_names)
    found: dict[str, list[str]] = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in stdlib and top not in local and top != "__future__":
                    found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def listed_requirements() -> set[str]:
    listed = set()
    for requirements in ROOT.glob("requirements*.txt"):
        for line in requirements.read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                listed.add(_normal(re.match(r"[A-Za-z0-9_.\-]+", line).group(0)))
    return listed


IMPORTS = third_party_imports()
DISTRIBUTIONS = metadata.packages_distributions()


def test_the_scan_finds_the_imports_we_know_of():
    assert {"pandas", "numpy", "streamlit", "xlsxwriter", "hypothesis", "pytest"} <= set(IMPORTS)
    assert "segmentation" not in IMPORTS and "ui" not in IMPORTS and "json" not in IMPORTS


@pytest.mark.parametrize("module", sorted(IMPORTS))
def test_every_third_party_import_is_a_listed_requirement(module):
    owners = {_normal(d) for d in DISTRIBUTIONS.get(module, [])}
    if module in PROVIDED_BY:
        owners.add(PROVIDED_BY[module])
    where = ", ".join(sorted(set(IMPORTS[module]))[:3])
    assert owners, f"{module} (imported in {where}) is not installed by anything"
    assert owners & listed_requirements(), (
        f"{module} (imported in {where}) comes from {', '.join(sorted(owners))}, "
        "which no requirements*.txt lists"
    )


# Modules pandas loads by name (engine="..."), never imported by our code: listed all the same.
ENGINES = {"calamine": "python_calamine", "openpyxl": "openpyxl", "xlsxwriter": "xlsxwriter",
           "pyarrow": "pyarrow", "odf": "odf", "xlrd": "xlrd"}  # fmt: skip
ENGINE_USE = re.compile(  # a pandas reader or writer's engine (not a CLI's --engine)
    r"""(?:read_excel|to_excel|ExcelWriter|ExcelFile|read_csv|read_parquet|to_parquet)\("""
    r"""[^)]*?engine\s*=\s*["']([a-z_]+)["']""",
    re.DOTALL,
)


def engines_used() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _sources():
        for engine in ENGINE_USE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(engine, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_engine_scan_finds_the_calamine_reads():
    assert "calamine" in engines_used()


@pytest.mark.parametrize("engine", sorted(engines_used()))
def test_every_engine_pandas_loads_by_name_is_listed(engine):
    module = ENGINES.get(engine)
    assert module is not None, f"engine={engine!r}: add the module it loads to ENGINES"
    owners = {_normal(d) for d in DISTRIBUTIONS.get(module, [])}
    assert owners & listed_requirements(), (
        f"engine={engine!r} (in {', '.join(engines_used()[engine][:3])}) loads {module}, "
        "which no requirements*.txt lists"
    )
