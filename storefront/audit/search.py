"""Finding audit entries: by who, by what kind of record, by words, by dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, cast, or_, select

from storefront.audit.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    target: str = ""
    words: str = ""  # in the summary, the record's id, or the values before and after
    since: datetime | None = None
    until: datetime | None = None  # excluded


def audit_query(wanted: AuditFilter) -> Select:
    """The entries `wanted` asks for, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if wanted.actor:
        query = query.where(AuditEntry.actor.ilike(f"%{_escaped(wanted.actor)}%", escape="\\"))
    if wanted.target:
        query = query.where(AuditEntry.target == wanted.target)
    if wanted.words:
        pattern = f"%{_escaped(wanted.words)}%"
        query = query.where(
            or_(
                AuditEntry.summary.ilike(pattern, escape="\\"),
                AuditEntry.target_id == wanted.words,
                cast(AuditEntry.before, String).ilike(pattern, escape="\\"),
                cast(AuditEntry.after, String).ilike(pattern, escape="\\"),
            )
        )
    if wanted.since:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until:
        query = query.where(AuditEntry.at < wanted.until)
    return query


def audited_targets(session) -> list[str]:
    """The kinds of record the log holds entries for, for the filter's choices."""
    return list(session.scalars(select(AuditEntry.target).distinct().order_by(AuditEntry.target)))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
