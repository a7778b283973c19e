"""`flask --app storefront ...` commands: jobs for cron, set-up for people."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from storefront.accounts.models import Role, User
from storefront.catalog.models import Release
from storefront.clock import utcnow
from storefront.extensions import db

orders_cli = AppGroup("orders", help="Order jobs.")
payments_cli = AppGroup("payments", help="Payment jobs.")
mail_cli = AppGroup("mail", help="Mail outbox.")
users_cli = AppGroup("users", help="Staff accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
campaigns_cli = AppGroup("campaigns", help="Preorder campaigns.")
quests_cli = AppGroup("quests", help="Gig quests.")
members_cli = AppGroup("members", help="Supporter memberships.")
newsletter_cli = AppGroup("newsletter", help="Newsletter jobs.")
ritual_cli = AppGroup("ritual", help="The weekly ritual.")


@orders_cli.command("sweep")
def sweep_orders() -> None:
    """Expire unpaid reservations that have run out and give their stock back."""
    from storefront.orders.history import CRON
    from storefront.orders.services import expire_due_orders

    count = expire_due_orders(db.session, now=utcnow(), actor=CRON)
    click.echo(f"expired {count} reservation(s)")


@campaigns_cli.command("close-due")
def close_due() -> None:
    """Close campaigns past their deadline; refund failed ones (safe every minute)."""
    from storefront.preorders.closing import close_due_campaigns

    counts = close_due_campaigns(db.session, now=utcnow())
    click.echo(" ".join(f"{name}={count}" for name, count in counts.items()))
    if counts["refund_errors"]:
        raise SystemExit(1)


@payments_cli.command("reconcile")
def reconcile_payments() -> None:
    """Ask the payment provider about unsettled orders and apply what webhooks missed."""
    from storefront.orders.history import CRON
    from storefront.payments.services import reconcile

    counts = reconcile(db.session, now=utcnow(), actor=CRON)
    click.echo(" ".join(f"{name}={count}" for name, count in counts.items()))


@mail_cli.command("send")
def send_mail() -> None:
    """Deliver the outbox (SMTP from SMTP_URL; the console in development)."""
    from storefront.mail.outbox import Transport, send_pending

    config = current_app.config
    transport = Transport(config["SMTP_URL"], config["MAIL_FROM"])
    sent, failed = send_pending(
        db.session, transport, now=utcnow(), max_attempts=config["MAIL_MAX_ATTEMPTS"]
    )
    click.echo(f"sent {sent}, failed {failed}")


@newsletter_cli.command("send")
def send_newsletter() -> None:
    """Queue the next NEWSLETTER_RATE_PER_MINUTE mails of the mailings being sent (every
    minute), and write today's subscriber count."""
    from storefront.newsletter.sending import count_subscribers, send_due

    now = utcnow()
    queued = send_due(db.session, now=now, rate=current_app.config["NEWSLETTER_RATE_PER_MINUTE"])
    count = count_subscribers(db.session, now=now)
    click.echo(f"queued {queued}, subscribers {count}")


@newsletter_cli.command("count")
def count_newsletter() -> None:
    """Write today's count of subscribers (confirmed, not unsubscribed)."""
    from storefront.newsletter.sending import count_subscribers

    click.echo(f"subscribers {count_subscribers(db.session, now=utcnow())}")


@ritual_cli.command("send")
def send_ritual() -> None:
    """Mail last week's ritual to the admins, once per week (run it on Mondays)."""
    from storefront.ritual.mailing import mail_weekly_ritual

    click.echo(f"ritual mailed to {mail_weekly_ritual(db.session, now=utcnow())} admin(s)")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value)
def create_admin(email: str, password_stdin: bool, role: str) -> None:
    """Create a staff account (the password is asked for, never passed as an argument)."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("that is not an email address", param_hint="EMAIL")
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"{email} already has an account")
    user = User(email=email, role=role)
    user.set_password(_read_password(password_stdin))
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {email}")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(email: str, password_stdin: bool) -> None:
    """Give an account a new password; every session it has open ends."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"{email} has no account")
    user.set_password(_read_password(password_stdin))
    db.session.commit()
    click.echo(f"new password for {user.email}; its sessions are ended")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.ClickException("the password must have at least 10 characters")
    return password


@demo_cli.command("load")
@click.option("--skip-if-loaded", is_flag=True, help="Do nothing (and succeed) if data exists.")
def load_demo_command(skip_if_loaded: bool) -> None:
    """Load the Bruit Blanc demo label into an empty database."""
    from storefront.demo.data import DemoRefused, load_demo

    config = current_app.config
    if skip_if_loaded and db.session.scalar(select(Release.id).limit(1)):
        click.echo("the catalog already has releases: demo data not loaded")
        return
    try:
        count = load_demo(
            db.session,
            media_dir=config["MEDIA_DIR"],
            private_dir=config["PRIVATE_DIR"],
            now=utcnow(),
        )
    except DemoRefused as refused:
        raise click.ClickException(str(refused)) from refused
    db.session.commit()
    click.echo(f"loaded {count} releases")


@quests_cli.command("poster")
@click.argument("gig_id", type=click.IntRange(min=1))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--size", type=click.Choice(["a4", "a6"]), default="a4", show_default=True)
def quest_poster(gig_id: int, out: str, size: str) -> None:
    """Write the poster of gig GIG_ID's quest to --out (PNG or SVG by its extension)."""
    from storefront.quests.models import Quest
    from storefront.quests.posters import poster_format
    from storefront.quests.quest_admin import poster

    try:
        fmt = poster_format(out)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--out") from error
    quest = db.session.scalar(select(Quest).where(Quest.gig_id == gig_id))
    if quest is None:
        raise click.ClickException(f"gig {gig_id} has no quest: set one up in the admin first")
    image = poster(quest, size=size, fmt=fmt)
    with open(out, "wb") as file:
        file.write(image)
    click.echo(f"{out}: {size.upper()} {fmt.upper()} poster for {quest.gig.city}")


@members_cli.command("expire")
def expire_members() -> None:
    """End canceled memberships past their paid period and abandoned test sign-ups,
    giving their seats back."""
    from storefront.members.billing import TestBilling, checkout_lifetime
    from storefront.members.services import expire_memberships

    counts = expire_memberships(
        db.session,
        now=utcnow(),
        checkout_lifetime=checkout_lifetime(),
        test_provider=TestBilling.name,
    )
    click.echo(" ".join(f"{name}={count}" for name, count in counts.items()))


@members_cli.command("reconcile")
def reconcile_members() -> None:
    """Ask Stripe about running subscriptions and finished checkouts, and apply what
    webhooks missed."""
    from storefront.members.billing import StripeBilling, checkout_lifetime
    from storefront.members.services import reconcile_memberships

    counts = reconcile_memberships(
        db.session, provider=StripeBilling(), now=utcnow(), checkout_lifetime=checkout_lifetime()
    )
    click.echo(" ".join(f"{name}={count}" for name, count in counts.items()))


def register(app: Flask) -> None:
    groups = (orders_cli, payments_cli, mail_cli, users_cli, demo_cli, campaigns_cli, quests_cli)
    for group in (*groups, newsletter_cli, members_cli, ritual_cli):
        app.cli.add_command(group)
