"""The outbox: written with the order, delivered by `flask mail send` through real SMTP."""

from datetime import timedelta

from sqlalchemy import select

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.mail.models import OutboxMessage
from storefront.mail.outbox import Transport, enqueue, send_pending
from tests.support.servers import free_port
from tests.support.shop import buy


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_confirmation_is_delivered_through_smtp_in_the_fans_language(
    app, client, make_product, smtp_server, monkeypatch
):
    url, mailbox = smtp_server
    monkeypatch.setitem(app.config, "SMTP_URL", url)
    vinyl = make_product(price_cents=2400)
    client.get("/", headers={"Accept-Language": "en"})
    reference = buy(client, vinyl)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "sent 1, failed 0" in result.output
    [message] = mailbox.messages
    assert message["To"] == "fan@example.org"
    assert reference in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert f"/orders/{reference}" in body
    assert "24,00" in body or "24.00" in body


def test_a_message_is_never_sent_twice(app, client, make_product, smtp_server, monkeypatch):
    url, mailbox = smtp_server
    monkeypatch.setitem(app.config, "SMTP_URL", url)
    buy(client, make_product())
    runner = app.test_cli_runner()
    runner.invoke(args=["mail", "send"])
    runner.invoke(args=["mail", "send"])
    assert len(mailbox.messages) == 1
    assert outbox()[0].sent_at is not None


def test_smtp_down_keeps_the_message_and_retries_later(app):
    enqueue(db.session, recipient="fan@example.org", subject="Hello", body="Body", kind="test")
    db.session.commit()
    now = utcnow()
    dead = Transport(f"smtp://127.0.0.1:{free_port()}", "shop@example.org")
    assert send_pending(db.session, dead, now=now, max_attempts=5) == (0, 1)
    [message] = outbox()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert message.next_attempt_at > now
    assert send_pending(db.session, dead, now=now, max_attempts=5) == (0, 0), "backs off"


def test_retried_message_goes_out_once_smtp_is_back(app, smtp_server):
    url, mailbox = smtp_server
    enqueue(db.session, recipient="fan@example.org", subject="Hello", body="Body", kind="test")
    db.session.commit()
    now = utcnow()
    send_pending(
        db.session,
        Transport(f"smtp://127.0.0.1:{free_port()}", "shop@x.org"),
        now=now,
        max_attempts=5,
    )
    later = now + timedelta(hours=1)
    assert send_pending(db.session, Transport(url, "shop@x.org"), now=later, max_attempts=5) == (
        1,
        0,
    )
    assert [m["Subject"] for m in mailbox.messages] == ["Hello"]


def test_no_mail_for_a_rolled_back_change(app):
    enqueue(db.session, recipient="fan@example.org", subject="Hello", body="Body", kind="test")
    db.session.rollback()
    assert outbox() == []


def test_console_transport_prints_in_development(app, capsys):
    enqueue(db.session, recipient="fan@example.org", subject="Bonjour", body="Corps", kind="test")
    db.session.commit()
    send_pending(db.session, Transport("console:", "shop@x.org"), now=utcnow(), max_attempts=5)
    assert "Subject: Bonjour" in capsys.readouterr().out


def test_french_fan_gets_french_mail(app, client, make_product):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
    buy(client, make_product())
    [message] = outbox()
    assert message.subject.startswith("Votre commande")
