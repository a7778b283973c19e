"""A fan's account: an email proven by a magic link, nothing to remember."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db

# Flask-Login keeps one id per session for staff and fans alike: fans' ids carry this
# prefix, so the loader knows which table to read (`storefront.accounts.sessions`).
SESSION_PREFIX = "fan"


class Fan(UserMixin, db.Model):
    __tablename__ = "fan"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As last proven by a magic link, lower case.
    email: Mapped[str] = mapped_column(String(254))
    # The email as per-fan caps count it (`storefront.orders.fans.fan_key`): guest orders,
    # saved passports and card redemptions with this key are the fan's.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The label's private note (the fan never sees it).
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    session_version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    is_staff = False
    role = "fan"
    is_admin = False

    def get_id(self) -> str:
        return f"{SESSION_PREFIX}:{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session of this account stops working, copies of its cookie included."""
        self.session_version = (self.session_version or 1) + 1


class SignInLink(db.Model):
    """One magic link mailed: its random id is inside the signed token, so a link is
    honoured once (`used_at`), and only for the email it was sent to."""

    __tablename__ = "sign_in_link"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
