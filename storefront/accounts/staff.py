"""Who on the staff gets the label's own mails (restock alerts, the weekly ritual)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.accounts.models import Role, User


def admin_emails(session: Session) -> list[str]:
    """The active admin accounts' emails, sorted."""
    query = select(User.email).where(User.role == Role.ADMIN, User.active.is_(True))
    return list(session.scalars(query.order_by(User.email)))
