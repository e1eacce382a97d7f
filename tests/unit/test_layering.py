"""Packages sit on floors and import only from strictly lower floors (DESIGN.md, "Architecture").

Every import counts, also one inside a function. Packages on one floor never import each other; a
package needs what a higher floor has passed in, or listens for it.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FLOORS = {
    "config": 0, "extensions": 0,
    "core": 1,
    "accounts": 2,
    "points": 3, "notifications": 3,
    "volunteer": 4, "rewards": 4, "stations": 4, "reports": 4,
    "oversight": 5, "recognition": 5, "passes": 5, "demo": 5, "api": 5,
    "app": 6,
}
NOT_THE_APP = {"tests", "bench", "tools", "migrations", "gunicorn.conf"}  # tooling and deployment around the app


def modules_of(name: str) -> list[Path]:
    path = ROOT / name
    return sorted(path.rglob("*.py")) if path.is_dir() else [ROOT / f"{name}.py"]


def imported_names(path: Path) -> set[str]:
    """The top-level names of every absolute import in ``path``, at any depth (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_package_of_the_app_has_a_floor():
    found = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    found |= {p.stem for p in ROOT.glob("*.py")}
    assert found - NOT_THE_APP - set(FLOORS) == set()


@pytest.mark.parametrize("package", sorted(FLOORS, key=lambda name: (FLOORS[name], name)),
                         ids=lambda name: f"floor {FLOORS[name]}: {name}")
def test_a_package_imports_only_from_lower_floors(package):
    floor = FLOORS[package]
    offenders = {}
    for path in modules_of(package):
        ours = imported_names(path) & set(FLOORS) - {package}
        upward = sorted(name for name in ours if FLOORS[name] >= floor)
        if upward:
            offenders[str(path.relative_to(ROOT))] = [f"{name} (floor {FLOORS[name]})" for name in upward]
    assert offenders == {}, f"{package} is on floor {floor}"


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from rewards import vouchers\n    import volunteer.services\n")
    assert imported_names(module) == {"rewards", "volunteer"}


def test_no_package_shadows_the_standard_library():
    assert set(FLOORS) & set(sys.stdlib_module_names) == set()


def test_recognition_reads_the_packages_below_through_their_query_functions_never_their_tables():
    """Issue 13: the score, rankings, pioneers and certificates read accounts, volunteer and reports through
    those packages' ``queries``; ``User`` may name a type in a signature, and ``recognition/models.py`` may
    point foreign keys at other tables."""
    offenders = []
    for path in modules_of("recognition"):
        if path.name == "models.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("models")
                    and not node.module.startswith("recognition")):
                offenders += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name != "User"]
            if isinstance(node, ast.Call) and any(isinstance(arg, ast.Name) and arg.id == "User" for arg in node.args):
                offenders.append(f"{path.name}:{node.lineno}: a query over User")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "User":
                offenders.append(f"{path.name}:{node.lineno}: User.{node.attr}")
    assert offenders == []
