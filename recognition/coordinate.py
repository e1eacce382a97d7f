"""Coordinators' recognition pages: riders of their organisation ranked by score or by a part (admins: the whole
programme, with an organisation filter); a rider's score and pioneer marks; marking and withdrawing a pioneer.

A coordinator sees only riders in their organisation's scope (:mod:`accounts.scope`); any other account is a
404. Marking is for coordinators (a mark belongs to their organisation); admins look on.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length

from accounts import queries as accounts_queries
from accounts import scope
from accounts.models import User  # a type in signatures: reads go through accounts.queries
from core.errors import DomainError
from core.forms import Form, required
from core.timeutil import utcnow
from core.web import role_required
from extensions import db
from recognition import pioneers, score
from recognition.levels import ladder, level_for_minutes
from recognition.models import PART_LABELS, SCORE_PARTS
from recognition.views import figure, period_text, points_text, raise_text, rider_level
from volunteer.queries import verified_minutes_by_rider

bp = Blueprint("recognition_coordinate", __name__, url_prefix="/coordinate/recognition")
SORTS = ("total", *SCORE_PARTS)
SHOWN = 100  # the top of the ranking a page lists: a street office's riders fit; the page stays small


class PioneerForm(Form):
    """The reason of a pioneer mark or of its withdrawal."""

    reason = StringField(_l("Reason"), validators=[required(_l("Say why, for the rider and the journal.")),
                                                   Length(max=pioneers.REASON_MAX,
                                                          message=_l("At most 200 characters."))])


def get_rider_or_404(rider_id: int) -> User:
    """The rider with this id in the current user's scope; anyone else is a 404."""
    rider = accounts_queries.get_user(rider_id)
    if rider is None or rider.role != "rider" or not scope.can_see(current_user, rider.id):
        abort(404)
    return rider


def _organisation_filter():
    """The organisation (an ``accounts.models.Organisation``) an admin chose (``?organisation=id``), or ``None``;
    a coordinator's own is implied."""
    if not current_user.is_admin:
        return None
    chosen = request.args.get("organisation", type=int)
    return accounts_queries.get_organisation(chosen) if chosen else None


@bp.get("/")
@role_required("coordinator", "admin")
def ranking():
    """The riders ranked by total score (``?sort=total``) or by one part's points, best first; each with the
    parts' figures, level and pioneer badge."""
    sort = request.args.get("sort", "total")
    sort = sort if sort in SORTS else "total"
    chosen = _organisation_filter()
    organisation_id = current_user.organisation_id if not current_user.is_admin else (chosen.id if chosen else None)
    riders = accounts_queries.riders_in(organisation_id)
    ids = [rider.id for rider in riders]
    results = score.scores(ids, now=utcnow())
    lifetime = verified_minutes_by_rider(rider_ids=ids) if ids else {}
    marks = pioneers.marks_in_force(ids, organisation_id)

    def key(rider):
        result = results[rider.id]
        return (-(result.total if sort == "total" else result.part(sort).points), -result.total)

    ranked = sorted(riders, key=key)  # stable: ties keep the name order
    rows = [{"rider": rider, "score": results[rider.id], "level": level_for_minutes(lifetime.get(rider.id, 0)),
             "marks": marks.get(rider.id, []),
             "parts": [(PART_LABELS[p.code], figure(p), points_text(p)) for p in results[rider.id].parts]}
            for rider in ranked[:SHOWN]]
    organisations = accounts_queries.organisations() if current_user.is_admin else []
    period = period_text(score.period(utcnow()))
    return render_template("recognition/coordinate/ranking.html", rows=rows, total=len(riders), sort=sort,
                           sorts=[("total", _("Total score"))] + [(code, PART_LABELS[code]) for code in SCORE_PARTS],
                           chosen=chosen, organisations=organisations, period=period, stars=len(ladder()),
                           shown=SHOWN)


def _rider_page(rider: User, form: PioneerForm, status: int = 200):
    organisation_id = None if current_user.is_admin else current_user.organisation_id
    result = score.score_of(rider.id, now=utcnow())
    level, _minutes, _to_next = rider_level(rider.id)
    in_force = pioneers.marks_in_force([rider.id], organisation_id).get(rider.id, [])
    lines = [{"label": PART_LABELS[p.code], "figure": figure(p), "points": points_text(p), "raise": raise_text(p)}
             for p in result.parts]
    return render_template("recognition/coordinate/rider.html", rider=rider, score=result, lines=lines,
                           period=period_text(result.period), level=level, stars=len(ladder()), form=form,
                           in_force=in_force, history=pioneers.history(rider.id, organisation_id),
                           can_mark=current_user.is_coordinator), status


@bp.get("/<int:rider_id>")
@role_required("coordinator", "admin")
def rider(rider_id: int):
    """A rider's score explained, level and pioneer marks, with the mark or withdraw form."""
    return _rider_page(get_rider_or_404(rider_id), PioneerForm(formdata=None))


def _act(rider_id: int, service, done_message: str):
    """Mark or withdraw: validate the reason, call ``service``, commit once, back to the rider's page."""
    rider = get_rider_or_404(rider_id)
    form = PioneerForm()
    if not form.validate_on_submit():
        return _rider_page(rider, form, 422)
    try:
        service(rider=rider, reason=form.reason.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        if error.status == 422:
            form.reason.errors = [*form.reason.errors, error.message]
            return _rider_page(rider, form, 422)
        flash(error.message, "error")
        return redirect(url_for("recognition_coordinate.rider", rider_id=rider.id), code=303)
    db.session.commit()
    flash(done_message % {"name": rider.name}, "success")
    return redirect(url_for("recognition_coordinate.rider", rider_id=rider.id), code=303)


@bp.post("/<int:rider_id>/pioneer")
@role_required("coordinator")
def mark(rider_id: int):
    """Mark a rider of the coordinator's organisation as a pioneer, with a reason (once)."""
    return _act(rider_id, pioneers.mark_pioneer, _("%(name)s is marked as a pioneer."))


@bp.post("/<int:rider_id>/pioneer/withdraw")
@role_required("coordinator")
def withdraw(rider_id: int):
    """Withdraw the organisation's pioneer mark of a rider, with a reason (once)."""
    return _act(rider_id, pioneers.withdraw_pioneer, _("The pioneer mark of %(name)s is withdrawn."))
