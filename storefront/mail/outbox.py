"""Writing to the outbox and delivering it: at most once per message, retried on failure."""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.mail.models import OutboxMessage

log = logging.getLogger(__name__)
# Headers are folded at 998 characters (RFC 5322's limit), not 78: a List-Unsubscribe
# address folded shorter would be encoded into a form mail clients cannot follow.
HEADERS_POLICY = policy.default.clone(max_line_length=998)


def enqueue(
    session: Session,
    *,
    recipient: str,
    subject: str,
    body: str,
    kind: str,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox, in the caller's transaction."""
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, kind=kind, headers=headers, html=html
    )
    session.add(message)
    return message


class Transport:
    """Sends one message; `console:` prints it, `smtp://` and `smtps://` use SMTP."""

    def __init__(self, url: str, sender: str) -> None:
        self.url, self.sender = url, sender

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage(policy=HEADERS_POLICY)
        email["From"], email["To"], email["Subject"] = (
            self.sender,
            message.recipient,
            message.subject,
        )
        for name, value in (message.headers or {}).items():
            email[name] = value
        email.set_content(message.body)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        if self.url.startswith("console:"):
            print(email.as_string(), flush=True)
            return
        self._send_smtp(email)

    def _send_smtp(self, email: EmailMessage) -> None:
        parts = urlsplit(self.url)
        secure = parts.scheme == "smtps"
        client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with client_class(
            parts.hostname or "localhost", parts.port or (465 if secure else 25), timeout=30
        ) as client:
            if parts.query == "starttls":
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(email)


def send_pending(
    session: Session, transport: Transport, *, now: datetime, max_attempts: int, limit: int = 100
) -> tuple[int, int]:
    """Deliver due messages; returns (sent, failed). Safe to run from several workers."""
    due = session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.claimed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts < max_attempts,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message_id in due:
        message = _claim(session, message_id, now)
        if message is None:
            continue
        if _deliver(session, transport, message, now):
            sent += 1
        else:
            failed += 1
    return sent, failed


def _claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    claimed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_at.is_(None),
            OutboxMessage.sent_at.is_(None),
        )
        .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return session.get(OutboxMessage, message_id) if claimed else None


def _deliver(session: Session, transport: Transport, message: OutboxMessage, now: datetime) -> bool:
    try:
        transport.send(message)
    except (OSError, smtplib.SMTPException) as error:
        # Nothing left the building: release the claim and try later, backing off.
        log.warning("mail %s to %s failed: %s", message.id, message.recipient, error)
        message.claimed_at = None
        message.last_error = str(error)[:1000]
        message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
        session.commit()
        return False
    message.sent_at = now
    message.last_error = None
    session.commit()
    return True
