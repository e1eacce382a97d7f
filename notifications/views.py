"""Every logged-in user's inbox: the list, opening one notification, "mark all read", the header's unread
badge, and the SMS preferences. A notification of another user is a 404."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.timeutil import utcnow
from core.web import widget_or_redirect
from extensions import db
from notifications import kinds, outbox, queries, services
from notifications.forms import preferences_form

bp = Blueprint("notifications", __name__)

NOTIFICATIONS_CHANGED = "notifications-changed"  # the HX-Trigger event that makes the header's badge refresh


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 100000 else 1


def _inbox_context(page: int) -> dict:
    """What the inbox list shows: each notification with its title and text in the viewer's language."""
    pagination = queries.inbox(current_user.id, page)
    items = [(note, *kinds.render(note.kind, note.values)) for note in pagination.items]
    unread = services.unread_count(current_user.id)
    return {"pagination": pagination, "items": items, "unread": unread, "page_unread": unread}


@bp.get("/inbox")
@login_required
def inbox():
    """The user's notifications, newest first, 20 a page (``?page=2``); unread ones marked."""
    return render_template("notifications/inbox.html", **_inbox_context(_page_number()))


def _local_link(link: str) -> str:
    """The notification's link when it is a path on this site, else the inbox."""
    parts = urlsplit(link or "")
    if link.startswith("/") and not link.startswith("//") and "\\" not in link and not parts.netloc:
        return link
    return url_for("notifications.inbox")


@bp.get("/inbox/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark the notification read and go to what it is about (another user's: 404)."""
    note = services.mark_read(notification_id=notification_id, user_id=current_user.id, now=utcnow())
    if note is None:
        abort(404)
    db.session.commit()
    return redirect(_local_link(note.link), code=303)


@bp.post("/inbox/read")
@login_required
def read_all():
    """Mark every notification read: htmx gets the list back (and the badge refreshes), a plain form a 303."""
    count = services.mark_all_read(user_id=current_user.id, now=utcnow())
    db.session.commit()
    message = _("All notifications are marked read.") if count else None
    return widget_or_redirect("notifications/_inbox.html", url_for("notifications.inbox"), message=message,
                              trigger=NOTIFICATIONS_CHANGED, **_inbox_context(_page_number()))


@bp.get("/inbox/unread")
def unread_badge():
    """The header's unread badge alone (polled every 30 s and refreshed on ``notifications-changed``).

    When the session has ended, the poll removes the badge and stops (286, empty), instead of taking the
    whole page to the log-in form: the page may be a public one (the task list), and the next tap that
    needs a session is sent to log in anyway. A plain GET without a session goes to log in."""
    if not current_user.is_authenticated:
        if request.htmx:
            return "", 286
        return current_app.login_manager.unauthorized()
    return render_template("notifications/_unread.html", unread=services.unread_count(current_user.id))


@bp.route("/inbox/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Which kinds also come by SMS; a note on quiet hours and the daily cap."""
    form = preferences_form(services.sms_choices(current_user.id))
    if form.validate_on_submit():
        services.set_sms_choices(user_id=current_user.id,
                                 choices={spec.name: bool(form[spec.name].data) for spec in kinds.SMS_KINDS})
        db.session.commit()
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("notifications.settings"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/settings.html", form=form, fields=[form[s.name] for s in kinds.SMS_KINDS],
                           **quiet_note()), status


def quiet_note() -> dict:
    """The quiet hours and the daily cap, for the note on the settings page."""
    try:
        hours = outbox.quiet_hours(current_app.config["NOTIFY_QUIET_HOURS"])
    except ValueError:
        hours = None
    return {"quiet": hours and (hours[0].strftime("%H:%M"), hours[1].strftime("%H:%M")),
            "cap": int(current_app.config["NOTIFY_SMS_DAILY_CAP"])}


def header_unread() -> int | None:
    """The logged-in user's unread count for the page header, or ``None`` when nobody is logged in."""
    if not current_user.is_authenticated:
        return None
    return services.unread_count(current_user.id)
