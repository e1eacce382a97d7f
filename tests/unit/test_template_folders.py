"""The folder of a template follows from its endpoint's blueprint: ``volunteer_coordinate`` renders from
``templates/volunteer/coordinate/``, ``points`` from ``templates/points/`` (DESIGN.md, "Architecture")."""

import ast
from pathlib import Path

from app import create_app

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
SHARED = {"", "errors"}  # base.html, _macros.html, _nav.html; the error pages of app.py


def folder_of(blueprint: str) -> str:
    """``rewards_merchant`` → ``rewards/merchant``."""
    return blueprint.replace("_", "/")


def blueprint_modules():
    for path in sorted(ROOT.glob("*/*.py")):
        if path.parts[-2] in ("tests", "bench", "tools", "migrations", ".venv"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [node.args[0].value for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Blueprint"
                 and node.args and isinstance(node.args[0], ast.Constant)]
        if names:
            templates = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                         and isinstance(node.value, str) and node.value.endswith(".html")}
            yield path, names, templates


def test_views_render_templates_from_the_folder_of_their_blueprint():
    misplaced = {}
    for path, blueprints, templates in blueprint_modules():
        allowed = {folder_of(name) for name in blueprints}
        wrong = sorted(t for t in templates if str(Path(t).parent) not in allowed)
        if wrong:
            misplaced[str(path.relative_to(ROOT))] = wrong
    assert misplaced == {}


def test_every_template_folder_belongs_to_a_registered_blueprint():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    folders = {folder_of(name) for name in app.blueprints} | SHARED
    found = {str(p.parent.relative_to(TEMPLATES)).replace(".", "") for p in TEMPLATES.rglob("*.html")}
    assert found - folders == set()
