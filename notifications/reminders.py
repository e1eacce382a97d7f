"""The reminders registry: periodic functions that write reminders, run by ``flask notify remind``.

Higher floors register theirs at import (``@register_reminder``), as :func:`accounts.services.on_deactivate`
listeners are: ``fn(*, now) -> int``, the number of notifications written. A function uses a
``dedupe_key`` in :func:`notifications.services.notify`, so running it twice (two machines at once)
writes each reminder once. It flushes; the command commits after each function.
"""

from collections.abc import Callable
from datetime import datetime

REMINDERS: list[Callable[..., int]] = []


def register_reminder(fn: Callable[..., int]) -> Callable[..., int]:
    """Register ``fn(*, now: datetime) -> int`` (once, even if imported again); return it (a decorator)."""
    if fn not in REMINDERS:
        REMINDERS.append(fn)
    return fn


def reminder_name(fn: Callable[..., int]) -> str:
    """``module.function`` of a registered reminder, for the command's summary."""
    return f"{fn.__module__}.{fn.__qualname__}"


def run_reminder(fn: Callable[..., int], *, now: datetime) -> int:
    """Run one registered reminder at ``now``; return how many notifications it wrote."""
    return int(fn(now=now) or 0)
