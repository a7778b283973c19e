"""Recording what an admin changes, from the ORM's own change tracking: every row an
admin's request creates, changes or deletes becomes an audit entry with the changed
columns before and after, in the same transaction. Nothing to call from the services,
so no action can be forgotten.

Journals that already name their actor (an order's history, stock moves, provider
events, mails) are left out: they are logs themselves and would double every entry.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from storefront.audit.models import AuditEntry
from storefront.clock import utcnow

ACTOR_KEY = "audit_actor"
JOURNALS = frozenset(
    {
        "audit_entry",
        "order_event",
        "stock_move",
        "payment_event",
        "outbox_message",
        "draw_log_entry",
        "subscription_event",
    }
)
SECRET_WORDS = ("password", "secret", "token")
NAME_ATTRIBUTES = ("reference", "email", "title", "name", "label", "slug", "code", "city")
HIDDEN = "(hidden)"


def audit_as(session: Session, actor: str) -> None:
    """Record what `session` changes from now on as done by `actor` (an admin's email)."""
    session.info[ACTOR_KEY] = actor


def install(session_target: Any) -> None:
    """Listen to the flushes of `session_target` (the app's scoped session), once."""
    if not event.contains(session_target, "after_flush", _record_flush):
        event.listen(session_target, "after_flush", _record_flush)


def _record_flush(session: Session, _flush_context) -> None:
    actor = session.info.get(ACTOR_KEY)
    if not actor:
        return
    now = utcnow()
    rows = [
        *(_entry(obj, "created", actor, now) for obj in session.new),
        *(_entry(obj, "changed", actor, now) for obj in session.dirty),
        *(_entry(obj, "deleted", actor, now) for obj in session.deleted),
    ]
    rows = [row for row in rows if row]
    if rows:
        # Straight through the connection: the flush is under way, the rows go with it.
        session.connection().execute(insert(AuditEntry), rows)


def _entry(obj: object, action: str, actor: str, now: datetime) -> dict | None:
    table = getattr(obj, "__tablename__", None)
    if table is None or table in JOURNALS:
        return None
    before, after = _changes(obj, action)
    if action == "changed" and not (before or after):
        return None  # touched (a relationship loaded, a value set to itself): no change
    return {
        "at": now,
        "actor": actor[:254],
        "action": action,
        "target": table[:40],
        "target_id": _identity(obj),
        "summary": _summary(obj),
        "before": before,
        "after": after,
    }


def _changes(obj: object, action: str) -> tuple[dict, dict]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if action != "changed":
            # What the object holds already: reading an attribute could query mid-flush.
            value = state.dict.get(key)
            if value is not None:
                (after if action == "created" else before)[key] = _plain(key, value)
        else:
            history = state.attrs[key].history
            if history.has_changes() and history.deleted != history.added:
                before[key] = _plain(key, history.deleted[0] if history.deleted else None)
                after[key] = _plain(key, history.added[0] if history.added else None)
    return before, after


def _plain(key: str, value: Any) -> Any:
    """A JSON-safe copy of a column's value; secrets never leave the table."""
    if any(word in key for word in SECRET_WORDS):
        return HIDDEN
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, dict | list):
        return value
    return str(value)


def _identity(obj: object) -> str:
    identity = inspect(obj).identity
    return ",".join(str(part) for part in identity)[:64] if identity else ""


def _summary(obj: object) -> str:
    values = inspect(obj).dict
    for name in NAME_ATTRIBUTES:
        value = values.get(name)
        if isinstance(value, str) and value:
            return value[:300]
    return ""
