"""Audit entries, written in the transaction of the change they tell about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254), index=True)  # the admin's email
    action: Mapped[str] = mapped_column(String(16))  # created, changed, deleted, or a verb
    target: Mapped[str] = mapped_column(String(40), index=True)  # the table: "product"
    target_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(String(300), default="")  # how a person names it
    # The changed columns only, as JSON-safe values (times as ISO strings).
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
