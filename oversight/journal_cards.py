"""The journal page's cards: each entry as people read it, in their language and the local zone.

An entry's action, the actor's role and each detail get their labels (:mod:`accounts.journal`);
changes show old → new; money (``*_fen``, ``face_value``) shows as ¥ yuan; times show in the local zone;
the task, voucher, offer, merchant, organisation and accounts concerned link to their pages — only
pages the viewer may open (:mod:`accounts.scope`, a coordinator's own organisation), so a link never
leads to a 403 or 404. All lookups are one query per kind, whatever the number of entries.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from accounts import scope
from accounts.journal import DETAIL_LABELS, JournalEntry
from accounts.models import ORGANISATION_KIND_LABELS, ROLE_LABELS, TRADE_LABELS, Organisation, User
from core.money import format_fen
from core.timeutil import localtime
from extensions import db
from rewards.models import Merchant, Offer
from volunteer.models import CATEGORY_LABELS, SIGNUP_STATUS_LABELS, Task

MONEY_KEYS = {"face_value"}  # besides every ``*_fen`` key; ``face_value`` is kept as yuan text
VALUE_LABELS = {"role": ROLE_LABELS, "kind": ORGANISATION_KIND_LABELS, "category": CATEGORY_LABELS,
                "trade": TRADE_LABELS, "status": SIGNUP_STATUS_LABELS}
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


@dataclass
class Link:
    """Something an entry concerns: its text and, when the viewer may open it, its page."""

    text: str
    url: str | None = None


@dataclass
class Detail:
    """One detail of an entry: a label and a text, or for a change the old and the new text."""

    label: str
    text: str = ""
    old: str | None = None
    new: str | None = None

    @property
    def is_change(self) -> bool:
        """True for a changed field (shown as old → new)."""
        return self.new is not None


@dataclass
class JournalCard:
    """One journal entry ready to show; ``created_at`` is aware UTC (the template shows it locally)."""

    id: int
    label: str
    created_at: datetime
    actor: Link
    actor_role: str
    concerns: list[Link] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)


def _label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key))


def show_value(key: str, value, names: dict | None = None) -> str:
    """A detail's value as text for people: ``key`` decides money (¥ yuan from fen), times (local zone),
    coded values (roles, kinds, categories, trades, sign-up statuses: their labels) and organisation ids (their names
    from ``names``); booleans are Yes/No and an empty value is "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if key.endswith("_fen") and isinstance(value, int):
        return f"¥{format_fen(value)}"
    if key in MONEY_KEYS:
        return f"¥{value}"
    if key in VALUE_LABELS:
        return str(VALUE_LABELS[key].get(value, value))
    if key == "organisation_id" and names is not None:
        return names.get(value, str(value))
    if isinstance(value, str) and ISO_MOMENT.match(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return localtime(moment, "short") if moment.tzinfo else value
    if isinstance(value, list):
        return ", ".join(_label(item) if isinstance(item, str) else str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{_label(k)}: {show_value(k, v, names)}" for k, v in value.items())
    return str(value)


def _details(details: dict, organisation_names: dict) -> list[Detail]:
    shown = []
    for key, value in details.items():
        if key == "changed" and isinstance(value, dict):
            for name, change in value.items():
                if isinstance(change, list) and len(change) == 2:  # {field: [old, new]}
                    shown.append(Detail(_label(name), old=show_value(name, change[0], organisation_names),
                                        new=show_value(name, change[1], organisation_names)))
                else:  # entries written before old values were kept: the new value only
                    shown.append(Detail(_label(name), show_value(name, change, organisation_names)))
            continue
        shown.append(Detail(_label(key), show_value(key, value, organisation_names)))
    return shown


def _subject(entry: JournalEntry) -> tuple[str, int | None]:
    kind, _, ident = (entry.subject or "").partition(":")
    return kind, int(ident) if ident.isdigit() else None


class _Lookups:
    """What the cards of a page need, loaded with one query per kind."""

    def __init__(self, entries: list[JournalEntry], viewer: User):
        subjects = [_subject(entry) for entry in entries]
        ids = lambda kind: {ident for k, ident in subjects if k == kind and ident}  # noqa: E731
        self.viewer = viewer
        self.tasks = {t.id: t for t in db.session.scalars(sa.select(Task).where(Task.id.in_(ids("task"))))}
        self.offers = {o.id: o for o in db.session.scalars(sa.select(Offer).where(Offer.id.in_(ids("offer"))))}
        merchant_ids = {e.merchant_id for e in entries if e.merchant_id} | ids("merchant")
        self.merchants = {m.id: m for m in db.session.scalars(sa.select(Merchant)
                                                                .where(Merchant.id.in_(merchant_ids)))}
        self.organisations = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)).all())
        user_ids = {e.rider_id for e in entries if e.rider_id} | ids("user")
        self.users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
        self.visible = set(db.session.scalars(sa.select(User.id).where(User.id.in_(user_ids),
                                                                       scope.visible_to(viewer))))

    def manages(self, merchant: Merchant | None) -> bool:
        """True when the viewer may open the merchant's pages (an admin any, a coordinator their own)."""
        return merchant is not None and (self.viewer.is_admin
                                         or merchant.organisation_id == self.viewer.organisation_id)

    def account(self, user_id: int | None) -> Link | None:
        """The account, linked to its page in the viewer's scope: a rider's points, else the accounts list."""
        user = self.users.get(user_id)
        if user is None:
            return None
        text = gettext("%(role)s %(name)s", role=ROLE_LABELS.get(user.role, user.role), name=user.name)
        if user_id not in self.visible:
            return Link(text)
        if user.is_rider:
            return Link(text, url_for("points_coordinate.rider_points", rider_id=user.id))
        return Link(text, url_for("accounts_coordinate.account_list", q=user.phone))

    def task(self, task_id: int) -> Link | None:
        """The task: its management page in the coordinator's own organisation, else its public page."""
        task = self.tasks.get(task_id)
        if task is None:
            return None
        own = self.viewer.is_coordinator and task.organisation_id == self.viewer.organisation_id
        endpoint = "volunteer_coordinate.task_detail" if own else "volunteer.task_detail"
        return Link(gettext("Task %(title)s", title=task.title), url_for(endpoint, task_id=task.id))

    def merchant(self, merchant_id: int | None) -> Link | None:
        """The merchant, linked to its page when the viewer manages it."""
        merchant = self.merchants.get(merchant_id)
        if merchant is None:
            return None
        url = url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id) if self.manages(merchant) else None
        return Link(merchant.name, url)


def _concerns(entry: JournalEntry, details: dict, lookups: _Lookups) -> list[Link]:
    kind, ident = _subject(entry)
    links: list[Link | None] = []
    if kind == "task":
        links.append(lookups.task(ident))
    elif kind == "voucher":  # a voucher shows on its rider's points page (the spend and any refund)
        text = gettext("Voucher %(code)s", code=details.get("code", f"#{ident}"))
        visible = entry.rider_id in lookups.visible
        links.append(Link(text, url_for("points_coordinate.rider_points", rider_id=entry.rider_id)
                          if visible else None))
    elif kind == "offer" and ident in lookups.offers:
        offer = lookups.offers[ident]
        url = (url_for("rewards_coordinate.edit_offer", offer_id=offer.id)
               if lookups.manages(lookups.merchants.get(offer.merchant_id)) else None)
        links.append(Link(gettext("Offer %(title)s", title=offer.title), url))
    elif kind == "organisation" and ident in lookups.organisations:
        url = (url_for("accounts_admin.edit_organisation", organisation_id=ident)
               if lookups.viewer.is_admin else None)
        links.append(Link(lookups.organisations[ident], url))
    elif kind == "user" and ident != entry.rider_id:
        links.append(lookups.account(ident))
    links.append(lookups.account(entry.rider_id))
    links.append(lookups.merchant(entry.merchant_id or (ident if kind == "merchant" else None)))
    return [link for link in links if link is not None]


def journal_cards(entries: list[JournalEntry], *, viewer: User) -> list[JournalCard]:
    """The cards of ``entries`` (journal entries with their actors loaded) for ``viewer``'s page,
    in the same order; needs a request context (links)."""
    lookups = _Lookups(entries, viewer)
    cards = []
    for entry in entries:
        details = json.loads(entry.details or "{}")
        actor = entry.actor
        cards.append(JournalCard(
            id=entry.id, label=str(entry.label), created_at=entry.created_at,
            actor=Link(actor.name) if actor else Link(gettext("the system")),
            actor_role=str(ROLE_LABELS.get(actor.role, actor.role)) if actor else "",
            concerns=_concerns(entry, details, lookups),
            details=_details(details, lookups.organisations)))
    return cards
