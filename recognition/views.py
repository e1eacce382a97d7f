"""The rider's recognition page: their score with every part explained, what would raise it, their level and
stars, their pioneer marks. The wording of a part (shared with the coordinators' pages) is here too."""

from datetime import datetime

from flask import Blueprint, render_template
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

import recognition.models  # noqa: F401 - recognition's tables
from core.timeutil import localtime, utcnow
from core.web import role_required
from recognition import pioneers, score
from recognition.levels import ladder, level_for_minutes, level_history, minutes_to_next, reason_text
from recognition.models import PART_LABELS
from volunteer.queries import verified_minutes_by_rider

bp = Blueprint("recognition", __name__, url_prefix="/recognition")


def hours_text(minutes: int) -> str:
    """Minutes as hours with at most one decimal, rounded down (``90`` → ``"1.5"``, ``720`` → ``"12"``)."""
    tenths = minutes * 10 // 60
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def figure(part: score.Part) -> str:
    """A part's raw figure in words ("12 h verified volunteering", "2 reports resolved")."""
    if part.code == "training":
        return ngettext("%(num)d training attended", "%(num)d trainings attended", part.raw)
    if part.code == "hours":
        return _("%(hours)s h verified volunteering", hours=hours_text(part.raw))
    if part.code == "reports":
        return ngettext("%(num)d report resolved", "%(num)d reports resolved", part.raw)
    counts = part.ratings or {}
    return ngettext("%(num)d rating (%(good)d good, %(fair)d fair, %(poor)d poor)",
                    "%(num)d ratings (%(good)d good, %(fair)d fair, %(poor)d poor)", part.raw,
                    good=counts.get("good", 0), fair=counts.get("fair", 0), poor=counts.get("poor", 0))


def points_text(part: score.Part) -> str:
    """"36 of 40 points"."""
    return ngettext("%(points)d of %(num)d point", "%(points)d of %(num)d points", part.max_points,
                    points=part.points)


def raise_text(part: score.Part) -> str:
    """What would raise a part ("3 more verified hours → +9 points"); empty at its maximum."""
    if part.more is None or part.gain <= 0:
        return ""
    gain = ngettext("+%(num)d score point", "+%(num)d score points", part.gain)  # not reward points
    if part.code == "training":
        return ngettext("%(num)d more training attended → %(gain)s", "%(num)d more trainings attended → %(gain)s",
                        part.more, gain=gain)
    if part.code == "hours":
        return ngettext("%(num)d more verified hour → %(gain)s", "%(num)d more verified hours → %(gain)s",
                        part.more, gain=gain)
    if part.code == "reports":
        return ngettext("%(num)d more report resolved → %(gain)s", "%(num)d more reports resolved → %(gain)s",
                        part.more, gain=gain)
    return _("A good rating on your next task → %(gain)s", gain=gain)


def day_text(moment: datetime) -> str:
    """A day in words in the user's language ("2025年6月15日", "15 Jun 2025")."""
    return localtime(moment, "y年M月d日" if str(get_locale()) == "zh" else "d MMM y")


def period_text(period: score.Period) -> str:
    """The period in words ("The last 12 months: 15 Jun 2025 to today")."""
    return ngettext("The last %(num)d month: %(since)s to today", "The last %(num)d months: %(since)s to today",
                    period.months, since=day_text(period.since))


def rider_level(rider_id: int) -> tuple[int, int, int | None]:
    """The rider's level, lifetime verified minutes and minutes to the next star (``None`` at the top).

    The one call site of the level: computed from the ladder and ``verified_minutes_by_rider`` over the
    rider's whole history, so it is right even before a change was recorded (``flask recognition levels``
    records the changes of riders whose service changed before levels existed)."""
    minutes = verified_minutes_by_rider(rider_ids=[rider_id]).get(rider_id, 0)
    return level_for_minutes(minutes), minutes, minutes_to_next(minutes)


@bp.get("/")
@role_required("rider")
def overview():
    """The rider's score over the period, each part as a line with what would raise it; level and stars;
    pioneer marks; a link to their certificate."""
    result = score.score_of(current_user.id, now=utcnow())
    level, minutes, to_next = rider_level(current_user.id)
    marks = pioneers.marks_in_force([current_user.id]).get(current_user.id, [])
    lines = [{"code": part.code, "label": PART_LABELS[part.code], "figure": figure(part),
              "points": points_text(part), "raise": raise_text(part), "part": part} for part in result.parts]
    hours_to_next = None if to_next is None else -(-to_next // 60)
    changes = [{"at": change.changed_at, "level": change.level_to, "reason": reason_text(change)}
               for change in reversed(level_history(current_user.id)[-5:])]
    return render_template("recognition/overview.html", score=result, lines=lines, period=period_text(result.period),
                           level=level, stars=len(ladder()), lifetime=hours_text(minutes),
                           hours_to_next=hours_to_next, marks=marks, changes=changes)
