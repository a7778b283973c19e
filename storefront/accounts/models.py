"""The label's staff accounts (fans' accounts are in `storefront.fans`)."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from storefront.clock import UTCDateTime, utcnow
from storefront.extensions import db


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    STAND = "stand"  # sells at the merch stand, and reaches nothing else


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.STAFF)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in the session cookie: bumping it (sign-out, new password)
    # ends every session of the account, including copies of its cookie.
    session_version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    is_staff = True  # fans sign in too (`storefront.fans`), and reach no admin page

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def get_id(self) -> str:
        """What the session cookie keeps: stale as soon as the version is bumped."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session of this account stops working, copies of its cookie included."""
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password: str) -> None:
        if self.password_hash:
            self.end_sessions()
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
