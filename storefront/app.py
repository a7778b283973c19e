"""The app factory: configuration, extensions, mechanics, blueprints, commands."""

import os
from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config, ProductionConfig, check_production, instance_secret_key
from storefront import models, web  # noqa: F401 - the whole schema
from storefront.admin.body_limit import allow_admin_uploads
from storefront.audit import recorder as audit_recorder
from storefront.database import configure_sqlite
from storefront.delivery.mechanic import DeliveryMechanic
from storefront.discounts.mechanic import DiscountsMechanic
from storefront.editions.mechanic import EditionsMechanic
from storefront.extensions import babel, csrf, db, limiter, login_manager, migrate
from storefront.fans.data import CardsData, MailsData, OrdersData, PassportsData
from storefront.fans.plugins import AccountPanel
from storefront.i18n import select_locale
from storefront.inserts.mechanic import InsertsMechanic
from storefront.inventory.mechanic import InventoryMechanic
from storefront.mail.mechanic import OrderMails
from storefront.members import webhook as members_webhook
from storefront.members.account import MembershipsData, membership_panel
from storefront.members.downloads import member_panel
from storefront.newsletter import plugins as newsletter_plugins
from storefront.orders import mechanics
from storefront.preorders.mechanic import PreordersMechanic
from storefront.stand.mechanic import StandMechanic
from storefront.stand.stock import stand_dependents

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config_class: type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands."""
    app = Flask(
        "storefront",
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    config_class = config_class or CONFIGS[os.environ.get("SILLON_CONFIG", "development")]
    app.config.from_object(config_class)
    app.config.update(overrides)
    if issubclass(config_class, ProductionConfig):
        check_production(app.config)
    elif not app.config["SECRET_KEY"] and app.config.get("SECRET_KEY_FILE"):
        app.config["SECRET_KEY"] = instance_secret_key(app.config["SECRET_KEY_FILE"])
    if hops := app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _init_extensions(app)
    # What plugs into orders, in the order it runs: the stand's stock and discounts first
    # (never both on one order), so a stand sold out or a code used up meanwhile refuses
    # a late payment before anything else counts it; inserts after the
    # copies are drawn and the preorders counted (they rank on those), mail last, so it
    # tells what the others did (copies drawn, inserts, bonuses, downloads).
    mechanics.install(
        app,
        [
            StandMechanic(),
            DiscountsMechanic(),
            DeliveryMechanic(),
            PreordersMechanic(),
            EditionsMechanic(),
            InsertsMechanic(),
            # After every mechanic that may refuse a hold: the stock move is written once
            # the order's units are held for good (a refused late payment gives them back).
            InventoryMechanic(),
            OrderMails(),
        ],
    )
    # What else keeps a gig from being deleted, besides its quest's stamps.
    app.extensions["gig_dependents"] = (stand_dependents,)
    # What a fan's account holds, domain by domain: its part of the privacy export and of
    # the erasure (`FanData`), and its sections of /account in the order shown there.
    grace = timedelta(days=app.config["MEMBERSHIP_GRACE_DAYS"])
    app.extensions["fan_data"] = (
        OrdersData(),
        PassportsData(),
        CardsData(),
        MailsData(),
        MembershipsData(),
        newsletter_plugins.fan_data,
    )
    app.extensions["account_panels"] = (
        membership_panel(grace),
        AccountPanel("account/_member_benefits.html", member_panel),
        newsletter_plugins.panel,
    )
    # Stripe events that are not about orders: memberships' subscriptions, invoices and
    # subscription checkouts (the webhook applies the rest to orders).
    app.extensions["stripe_event_routes"] = (members_webhook.route,)
    web.register(app)
    _register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    # Rows an admin's request changes are written to the audit log as they flush.
    audit_recorder.install(db.session)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    # Before CSRF protection, which is the first to read a request's body.
    app.before_request(allow_admin_uploads)
    csrf.init_app(app)
    limiter.init_app(app)
    # Our limits are all per-view decorators, which check themselves when the view runs;
    # the global before_request hook only serves default limits we do not set, and it
    # costs about 75 µs on every fan page.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(ROOT, "storefront", "translations"),
    )
    # No global `current_user` in templates: it would load the user (and run session
    # protection) on every fan page; the admin blueprint provides it for its own pages.
    login_manager.init_app(app, add_context_processor=False)


def _register_commands(app: Flask) -> None:
    from storefront import cli

    cli.register(app)
