"""The admin's settings of recognition: the weights of the composite score's parts (each part's maximum and
points per unit, whole numbers 0–1000), saved as ``score_part`` rows and journalled."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.forms import Form, WholeNumberField, number_between, required
from core.web import role_required
from extensions import db
from recognition import score
from recognition.models import PART_LABELS, SCORE_PARTS

bp = Blueprint("recognition_admin", __name__, url_prefix="/admin/recognition")
UNIT_LABELS = {"training": _l("Points per training attended"), "hours": _l("Points per verified hour"),
               "reports": _l("Points per report resolved"), "ratings": _l("Points at an all-good record")}


def _number(label):
    return WholeNumberField(label, validators=[required(_l("Enter a whole number from 0 to 1000.")),
                                               number_between(0, 1000, _l("Enter a whole number from 0 to 1000."))])


class WeightsForm(Form):
    """Each part's maximum (``<code>_max``) and points per unit (``<code>_per_unit``)."""

    training_max = _number(_l("Most points"))
    training_per_unit = _number(UNIT_LABELS["training"])
    hours_max = _number(_l("Most points"))
    hours_per_unit = _number(UNIT_LABELS["hours"])
    reports_max = _number(_l("Most points"))
    reports_per_unit = _number(UNIT_LABELS["reports"])
    ratings_max = _number(_l("Most points"))
    ratings_per_unit = _number(UNIT_LABELS["ratings"])

    def values(self) -> dict[str, tuple[int, int]]:
        """``{code: (max_points, points_per_unit)}`` of valid data."""
        return {code: (self[f"{code}_max"].data, self[f"{code}_per_unit"].data) for code in SCORE_PARTS}


def _page(form: WeightsForm, status: int = 200):
    current = score.weights()
    groups = [(code, PART_LABELS[code], form[f"{code}_max"], form[f"{code}_per_unit"]) for code in SCORE_PARTS]
    return render_template("recognition/admin/weights.html", form=form, groups=groups,
                           total=sum(w.max_points for w in current.values())), status


@bp.get("/")
@role_required("admin")
def weights():
    """The weights form, filled with the weights in force (the defaults where no row exists)."""
    current = score.weights()
    data = {}
    for code, weight in current.items():
        data[f"{code}_max"] = weight.max_points
        data[f"{code}_per_unit"] = weight.points_per_unit
    return _page(WeightsForm(formdata=None, data=data))


@bp.post("/")
@role_required("admin")
def save_weights():
    """Save the weights (422 with the form and its messages when a number is wrong)."""
    form = WeightsForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    changed = score.save_weights(form.values(), actor=current_user)
    db.session.commit()
    flash(_("The score weights are saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("recognition_admin.weights"), code=303)
