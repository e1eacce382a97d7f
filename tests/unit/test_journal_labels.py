"""Every journalled action and detail has a label in both languages (the journal page shows no raw keys).

The actions are read from the code itself: every ``record("…")`` call (``journal.record`` or a bare
``record``) in every package of the app, so an action added later without a label fails here.
"""

import ast
from pathlib import Path

from flask_babel import force_locale

from accounts import journal

ROOT = Path(__file__).resolve().parents[2]
NOT_THE_APP = {"tests", "bench", "tools", "migrations", "instance", "translations", "static", "templates", "docs"}
RECORD_PARAMETERS = {"actor", "subject", "rider_id", "merchant_id", "organisation_id", "now"}


def app_modules() -> list[Path]:
    """Every module of the app's packages and its top-level modules (not tests or tooling)."""
    packages = [p for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()
                and p.name not in NOT_THE_APP and not p.name.startswith(".")]
    return sorted([*ROOT.glob("*.py"), *(m for p in packages for m in p.rglob("*.py"))])


def _is_record(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "record") or (
        isinstance(func, ast.Attribute) and func.attr == "record" and isinstance(func.value, ast.Name)
        and func.value.id == "journal")


def _strings(node: ast.AST) -> list[str] | None:
    """The action names an argument can take: a literal, or a conditional between literals; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body), _strings(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def recorded() -> tuple[dict[str, str], dict[str, str]]:
    """``({action: where}, {detail key: where})`` for every ``record`` call in the app's code."""
    actions, details = {}, {}
    for path in app_modules():
        if path == ROOT / "accounts" / "journal.py":
            continue  # the definition of record itself
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and _is_record(node)):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            names = _strings(node.args[0]) if node.args else None
            assert names is not None, f"{where}: record() needs its action as a literal string, to check its label"
            actions.update(dict.fromkeys(names, where))
            details.update({k.arg: where for k in node.keywords if k.arg and k.arg not in RECORD_PARAMETERS})
    return actions, details


def test_the_scan_finds_the_actions_of_every_package():
    actions, details = recorded()
    assert {"task.update", "voucher.confirm", "voucher.expire", "voucher.cancel", "offer.save", "merchant.save",
            "points.adjust", "account.create"} <= set(actions)
    assert {"changed", "title", "points", "code"} <= set(details)


def test_every_recorded_action_has_a_label(app):
    actions, _ = recorded()
    missing = {action: where for action, where in actions.items() if action not in journal.ACTION_LABELS}
    assert not missing, f"journal actions without a label (add them with journal.describe): {missing}"


def test_every_recorded_detail_and_changed_field_has_a_label(app):
    from rewards.forms import OfferForm
    from volunteer.services import EDITABLE_FIELDS

    _, details = recorded()
    with app.test_request_context():
        offer_fields = set(OfferForm(meta={"csrf": False}).offer_fields())
    keys = set(details) | set(EDITABLE_FIELDS) | offer_fields | {"name", "address", "latitude", "longitude",
                                                                 "active", "organisation_id", "trade", "platform"}
    missing = sorted(keys - set(journal.DETAIL_LABELS))
    assert not missing, f"journal details without a label (add them with journal.describe): {missing}"


def test_every_label_is_translated_into_chinese(app):
    with app.test_request_context(), force_locale("zh"):
        untranslated = sorted(str(label) for label in [*journal.ACTION_LABELS.values(), *journal.DETAIL_LABELS.values()]
                              if not any("\u4e00" <= ch <= "\u9fff" for ch in str(label)))
    assert not untranslated, f"journal labels without Chinese: {untranslated}"
