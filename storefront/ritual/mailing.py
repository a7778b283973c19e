"""The Monday mail: last week's ritual to every admin, once per week even when several
job runners run the command at the same time (the week's row is the lock)."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from storefront.accounts.staff import admin_emails
from storefront.database import add_once, transactional
from storefront.links import public_urls
from storefront.mail.outbox import enqueue
from storefront.ritual.models import RitualMailing
from storefront.ritual.weekly import last_week, weekly_ritual

MAIL_KIND = "weekly_ritual"


@transactional
def mail_weekly_ritual(session: Session, *, now: datetime) -> int:
    """Queue last week's ritual for the admins; 0 when it went already (or nobody is admin)."""
    week = last_week(now.date())
    recipients = admin_emails(session)
    if not recipients or not add_once(session, RitualMailing(week=week.start, sent_at=now)):
        return 0
    ritual = weekly_ritual(session, week=week, now=now)
    with public_urls():
        body = render_template("mail/weekly_ritual.txt", ritual=ritual)
    subject = _(
        "Weekly ritual, week of %(day)s: %(reds)d red",
        day=week.start.isoformat(),
        reds=ritual.red_count,
    )
    for email in recipients:
        enqueue(session, recipient=email, subject=subject, body=body, kind=MAIL_KIND)
    session.get(RitualMailing, week.start).recipients = len(recipients)
    return len(recipients)
