"""Bruit Blanc's own operations (issue 11), played through the real services at past
dates, so the admin's stock, fulfilment, distributor, budget and dashboard pages open on
a label at work:

- stock: the *Retours de Scène* CD repressed (ordered 40 days ago, in 18 days ago), the
  tiny cassette run of *Cartographie Lente* under the label's own threshold of 8 after a
  few shop orders, and 30 more cassettes ordered last week, still to come;
- fulfilment: the tour CDs posted; a shop order posted in two parcels (the T-shirt was
  on tour), a cassette sent back within the withdrawal period (back on the shelf,
  refunded through the test provider), the latest cassette orders still waiting;
- channels: a distributor (30 %) whose sales were typed by hand, and a Croix-Rousse
  record shop on consignment (35 %) whose statement was imported, two shirts sent back;
- money: the budget of the open vinyl campaign (essential pressing and mastering,
  artwork, promo, weekly ads) under its stop-loss, this year's opportunity reserve with
  one use measured and one waiting;
- the dashboard's hand-typed and counted inputs: six weeks of playlist adds, and
  release-page visitors in proportion to the campaigns' preorders.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from storefront.budgets.models import BudgetCategory, BudgetLine
from storefront.budgets.reserve import record_outcome, record_use, set_reserve_year
from storefront.budgets.spending import LineFields, add_line, record_spend, set_stop_loss
from storefront.catalog.models import Product, Release
from storefront.channels import services as channels
from storefront.channels.models import Distributor, DistributorStock, PartnerKind
from storefront.channels.statements import import_statement, sale_day
from storefront.demo.campaigns import demo_fan
from storefront.fulfilment.models import ReturnOutcome, ReturnReason
from storefront.fulfilment.parcels import ship_parcel
from storefront.fulfilment.returns import ReturnRequest, record_return
from storefront.inventory.restocks import order_restock, receive_restock
from storefront.inventory.services import set_threshold
from storefront.kpis.models import ReleaseVisit
from storefront.kpis.services import save_playlist_adds
from storefront.kpis.visits import visitor_hash
from storefront.mail.models import OutboxMessage
from storefront.orders.cart import Cart, CartKey, price_cart
from storefront.orders.checkout import start_checkout
from storefront.orders.models import Order, OrderLine
from storefront.orders.shipping import Zone
from storefront.payments.services import settle_payment
from storefront.preorders.models import Campaign

ADMIN = "admin@bruitblanc.example"
LARSEN = "collectif-larsen-retours-de-scene"
DRONE = "drone-atlas-cartographie-lente"
CASSETTE_THRESHOLD = 8
# (days ago, fan number, cassettes, with the CD and a T-shirt in M): the cassette run
# falls from 12 to 7 eight days ago, under its threshold, then to 5 (6 once one comes
# back); the first order goes in two parcels, the second is returned.
SHOP_ORDERS = ((12, 700, 1, True), (11, 701, 1, False), (9, 702, 2, False),
               (8, 703, 1, False), (4, 704, 1, False), (2, 705, 1, False))  # fmt: skip
PLAYLIST_ADDS = (14, 22, 18, 35, 41, 29)  # the six last full weeks, oldest first
# Release-page visitors a day: (while its campaign is open, otherwise).
VISITORS = {DRONE: (105, 12), "duo-granulaire-grains-de-sable": (55, 20), LARSEN: (16, 16),
            "ensemble-electro-libre-architecture-rythmique": (6, 6)}  # fmt: skip
VISIT_DAYS = 42
VISIT_KEY = "bruit-blanc-demo"  # the demo's visitors are made up: any key makes them distinct


def load_operations(session: Session, *, now: datetime) -> None:
    """Every operation above, in the order the label lived them (each committed)."""
    first_mail = session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
    cd, shirt, cassette = _products(session)
    _restocks(session, cd, cassette, now=now)
    _post_tour_cds(session, _product(session, LARSEN, "CD édition"), now=now)
    _shop_orders(session, cd, shirt, cassette, now=now)
    _distributors(session, cd, shirt, now=now)
    _budget(session, now=now)
    _reserve(session, now=now)
    _playlists_and_visits(session, now=now)
    # The demo's fans and partners are fictional: the mails above count as sent.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id > first_mail, OutboxMessage.sent_at.is_(None))
        .values(sent_at=now, claimed_at=now)
    )
    session.commit()


def _product(session: Session, slug: str, name_starts: str) -> Product:
    release = session.scalar(select(Release).where(Release.slug == slug))
    return next(p for p in release.products if p.name.startswith(name_starts))


def _products(session: Session) -> tuple[Product, Product, Product]:
    return (
        _product(session, LARSEN, "CD digipack"),
        _product(session, LARSEN, "T-shirt"),
        _product(session, DRONE, "Cassette"),
    )


def _restocks(session: Session, cd: Product, cassette: Product, *, now: datetime) -> None:
    """The CD repress that took 22 days, and the cassette's own threshold (set when the
    run was made, so the shop orders below cross it)."""
    ordered = now - timedelta(days=40)
    repress = order_restock(
        session, cd, option_id=None, quantity=200, supplier="Pressage Rhône-Alpes",
        ordered_at=ordered, actor=ADMIN, note="Repressage : le premier tirage part en tournée.",
    )  # fmt: skip
    arrived = now - timedelta(days=18)
    receive_restock(session, repress, received_at=arrived, quantity=200, actor=ADMIN, now=arrived)
    set_threshold(session, cassette, units=CASSETTE_THRESHOLD, now=now - timedelta(days=30))


def _buy(session: Session, cart: Cart, fan: int, at: datetime) -> Order:
    """A fan checks out and pays with the test provider three minutes later."""
    order = start_checkout(
        session,
        cart=price_cart(session, cart, Zone.FRANCE),
        buyer=demo_fan(fan),
        provider="test",
        now=at,
        reservation_minutes=30,
    )
    settle_payment(
        session, order, payment_id=f"test_pi_{order.reference}", now=at + timedelta(minutes=3)
    )
    return order


def _post(session: Session, order: Order, quantities, tracking: str, at: datetime) -> None:
    ship_parcel(
        session, order, quantities=quantities, carrier="laposte", tracking_number=tracking,
        now=at, actor=ADMIN,
    )  # fmt: skip


def _post_tour_cds(session: Session, tour_cd: Product, *, now: datetime) -> None:
    """The thirty tour CDs go out two days after each payment."""
    orders = session.scalars(
        select(Order)
        .join(OrderLine)
        .where(OrderLine.product_id == tour_cd.id, Order.paid_at.is_not(None))
        .order_by(Order.paid_at)
    ).all()
    for number, order in enumerate(orders):
        _post(
            session, order, None, f"6A2026{number:07d}", min(order.paid_at + timedelta(days=2), now)
        )


def _shop_orders(
    session: Session, cd: Product, shirt: Product, cassette: Product, *, now: datetime
) -> None:
    """Fans buy from the shelf; the label posts within a day or two (the first order in
    two parcels: its T-shirt was on tour), the last two wait. Once the run is under its
    threshold, thirty more cassettes are ordered; yesterday one came back (the 14-day
    withdrawal right): on the shelf again, refunded."""
    medium = shirt.options[1]
    posted = {}
    for days, fan, cassettes, with_cd_and_shirt in SHOP_ORDERS:
        cart = Cart()
        cart.add(CartKey(cassette.id), cassettes)
        if with_cd_and_shirt:
            cart.add(CartKey(cd.id))
            cart.add(CartKey(shirt.id, medium.id))
        order = _buy(session, cart, fan, now - timedelta(days=days))
        if with_cd_and_shirt:
            lines = {line.product_id: line.id for line in order.lines}
            first = {lines[cd.id]: 1, lines[cassette.id]: cassettes}
            _post(session, order, first, "6A2026PART001", now - timedelta(days=days - 2))
            _post(session, order, None, "6A2026PART002", now - timedelta(days=days - 5))
        elif days > 4:
            _post(session, order, None, f"6A2026SHOP{fan}", now - timedelta(days=days - 1))
            posted[fan] = order
    order_restock(
        session, cassette, option_id=None, quantity=30, supplier="Bruit Blanc (duplication)",
        ordered_at=now - timedelta(days=7), actor=ADMIN,
        note="Trente cassettes vierges C60, doublées en temps réel à l'atelier.",
    )  # fmt: skip
    returned = posted[SHOP_ORDERS[1][1]]
    request = ReturnRequest(
        quantities={returned.lines[0].id: 1},
        reason=ReturnReason.CHANGED_MIND,
        outcome=ReturnOutcome.RESTOCK,
        note="Renvoyée sous blister, jamais ouverte.",
        refund_cents=None,
        submission="demo-return-1",
    )
    record_return(session, returned, request, now=now - timedelta(days=1), actor=ADMIN)


def _distributors(session: Session, cd: Product, shirt: Product, *, now: datetime) -> None:
    medium, large = shirt.options[1], shirt.options[2]
    distributor = channels.save_distributor(
        session, None, fields=channels.DistributorFields(
            name="Ondes Courtes Distribution", email="commandes@ondes-courtes.example",
            commission_percent=30,
        ),
    )  # fmt: skip
    given = now - timedelta(days=25)
    cds = _allocate(session, distributor, cd, None, 40, given)
    shirts = _allocate(session, distributor, shirt, medium.id, 6, given)
    sold = [
        channels.SaleLine(cds, 12, None, sale_day((now - timedelta(days=14)).date())),
        channels.SaleLine(shirts, 2, None, sale_day((now - timedelta(days=14)).date())),
        channels.SaleLine(cds, 7, 850, sale_day((now - timedelta(days=6)).date())),
    ]
    channels.record_sales(session, distributor, sold, actor=ADMIN, now=now - timedelta(days=5))

    shop = channels.save_distributor(
        session, None, fields=channels.DistributorFields(
            name="Disquaire des Pentes (Lyon)", kind=PartnerKind.CONSIGNMENT,
            email="bonjour@disquaire-des-pentes.example", commission_percent=35,
        ),
    )  # fmt: skip
    given = now - timedelta(days=32)
    _allocate(session, shop, cd, None, 10, given)
    left_shirts = _allocate(session, shop, shirt, large.id, 4, given)
    day = (now - timedelta(days=20)).date().isoformat()
    later = (now - timedelta(days=9)).date().isoformat()
    statement = (
        "product_id;size;quantity;unit_price;date\n"
        f"{cd.id};;3;;{day}\n{cd.id};;2;;{later}\n{shirt.id};L;1;14,30;{later}\n"
    )
    imported = now - timedelta(days=3)
    import_statement(session, shop, statement.encode(), actor=ADMIN, now=imported)
    channels.take_back(session, left_shirts, units=2, actor=ADMIN, now=imported)


def _allocate(
    session: Session,
    distributor: Distributor,
    product: Product,
    option_id: int | None,
    units: int,
    at: datetime,
) -> DistributorStock:
    return channels.allocate(
        session, distributor, product, option_id=option_id, units=units, actor=ADMIN, now=at
    )


def _budget(session: Session, *, now: datetime) -> None:
    """The open campaign's release: essential pressing and mastering, then what can stop;
    the weekly ads keep the non-essential spend under its stop-loss, with some headroom."""
    campaign = session.scalar(
        select(Campaign).where(Campaign.opens_at <= now).order_by(Campaign.opens_at.desc())
    )
    release = campaign.release
    set_stop_loss(session, release, percent=60)
    plan = (
        (BudgetCategory.PRESSING, 'Pressage 12" (150 ex.)', 190_000, 0),
        (BudgetCategory.MASTERING, "Gravure et mastering vinyle", 35_000, 35_000),
        (BudgetCategory.ARTWORK, "Pochette et insert", 45_000, 45_000),
        (BudgetCategory.PROMO, "Envoi presse et radios", 30_000, 12_000),
        (BudgetCategory.ADS, "Publicité en ligne", 40_000, 0),
    )
    lines = {}
    for category, label, planned, spent in plan:
        lines[category] = add_line(session, release, LineFields(category, label, planned, None))
        if spent:
            _spend(session, lines[category], spent, now - timedelta(days=20), label, now)
    for days, cents in ((20, 5_500), (13, 6_000), (6, 6_500), (2, 4_000)):
        note = "Annonce de la précommande" if days == 20 else "Campagne de la semaine"
        _spend(session, lines[BudgetCategory.ADS], cents, now - timedelta(days=days), note, now)


def _spend(
    session: Session, line: BudgetLine, cents: int, at: datetime, note: str, now: datetime
) -> None:
    record_spend(
        session, line, amount_cents=cents, spent_on=at.date(), note=note, actor=ADMIN, now=at
    )


def _reserve(session: Session, *, now: datetime) -> None:
    """This year's reserve: a radio session that paid off, and a sync still to judge."""
    reserve = set_reserve_year(
        session, year=now.year, yearly_budget_cents=2_400_000, share_percent=10
    )
    radio_day = _this_year(now, days_ago=40)
    radio = record_use(
        session, reserve, amount_cents=60_000, used_on=radio_day.date(),
        reason="Session live de Collectif Larsen sur une radio associative lyonnaise (studio, "
        "transport).", release_id=_release_id(session, LARSEN), actor=ADMIN, now=radio_day,
    )  # fmt: skip
    record_outcome(
        session, radio, now=now, outcome_cents=52_000,
        outcome="Quarante CD vendus la semaine suivante, deux dates proposées.",
    )  # fmt: skip
    sync_day = _this_year(now, days_ago=4)
    record_use(
        session, reserve, amount_cents=35_000, used_on=sync_day.date(),
        reason="Droits d'un extrait de Cartographie Lente pour un court métrage en festival.",
        release_id=_release_id(session, DRONE), actor=ADMIN, now=sync_day,
    )  # fmt: skip


def _this_year(now: datetime, *, days_ago: int) -> datetime:
    """`days_ago` days back, but not before New Year: a use belongs to the year's reserve
    whatever day of the year the demo is loaded."""
    return max(now - timedelta(days=days_ago), datetime(now.year, 1, 1, tzinfo=UTC))


def _release_id(session: Session, slug: str) -> int:
    return session.scalar(select(Release.id).where(Release.slug == slug))


def _playlists_and_visits(session: Session, *, now: datetime) -> None:
    """Playlist adds as the label types them each Monday, and release-page visitors (one
    insert: the page's counter writes one row per visitor and day, as these are)."""
    today = now.date()
    for weeks_ago, adds in zip(range(len(PLAYLIST_ADDS), 0, -1), PLAYLIST_ADDS, strict=True):
        week = today - timedelta(weeks=weeks_ago)
        save_playlist_adds(session, week=week, release_id=None, adds=adds, actor=ADMIN, now=now)
    rows = [
        {"release_id": release_id, "day": day, "visitor": visitor}
        for release_id, day, visitor in _visitors(session, today)
    ]
    session.execute(insert(ReleaseVisit), rows)
    session.commit()


def _visitors(session: Session, today: date):
    """Each release's visitors a day, more while its campaign is open (seeded noise)."""
    noise = random.Random(11)
    campaigns = session.execute(
        select(Release.slug, Release.id, Campaign.opens_at, Campaign.closes_at).outerjoin(
            Campaign, Campaign.release_id == Release.id
        )
    ).all()
    open_days = {}
    for slug, release_id, opens, closes in campaigns:
        days = open_days.setdefault((slug, release_id), set())
        if opens is not None:
            days.update(opens.date() + timedelta(days=n) for n in range((closes - opens).days + 1))
    for (slug, release_id), days in sorted(open_days.items()):
        busy, quiet = VISITORS[slug]
        for back in range(VISIT_DAYS):
            day = today - timedelta(days=back)
            count = round((busy if day in days else quiet) * noise.uniform(0.8, 1.2))
            for n in range(count):
                address = f"192.0.2.{n % 250}"
                yield release_id, day, visitor_hash(VISIT_KEY, day, address, f"demo/{n}")
