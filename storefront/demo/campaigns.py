"""The demo label's three preorder campaigns, played through the real services.

Fans check out and pay at past dates with test payments, so counts, bonus numbers,
unlocks, the pressing decision and the refunds are what the shop itself computed:
- Drone Atlas, vinyl of *Cartographie Lente*: open, a few preorders from its unlock;
- Duo Granulaire, *Grains de Sable*: closed, pressing confirmed, live session unlocked;
- Ensemble Électro Libre, 10" of *Architecture Rythmique*: missed, everyone refunded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, Release
from storefront.clock import utcnow
from storefront.demo.media import render_audio, write_wav
from storefront.mail.models import OutboxMessage
from storefront.orders.cart import Cart, CartKey, price_cart
from storefront.orders.checkout import Buyer, start_checkout
from storefront.orders.shipping import Zone
from storefront.payments.services import settle_payment
from storefront.preorders.closing import close_campaign
from storefront.preorders.models import Bonus, Campaign, Goal

FIRST_NAMES = ("Camille", "Lou", "Sacha", "Noé", "Inès", "Jules", "Maëlle", "Yanis", "Zoé", "Malo")
CITIES = (("69001", "Lyon"), ("38000", "Grenoble"), ("44000", "Nantes"), ("59000", "Lille"))


@dataclass(frozen=True)
class CampaignSpec:
    slug: str
    product_kind: str
    opened_days_ago: int
    closes_in_days: int  # negative: already past its deadline
    ships_in_days: int
    goals: tuple[tuple[str, int, str, str, str], ...]  # kind, threshold, reward, title, text
    bonuses: tuple[tuple[str, int], ...]
    backers: int  # paid orders, one or two copies each
    live_session_style: str | None = None


CAMPAIGNS = (
    CampaignSpec(
        slug="drone-atlas-cartographie-lente",
        product_kind="vinyl",
        opened_days_ago=12,
        closes_in_days=9,
        ships_in_days=100,
        goals=(
            (
                "unlock",
                100,
                "live_session",
                "Live session à l'Atelier",
                "Quarante minutes de drones enregistrées en direct, pour les soutiens.",
            ),
            ("pressing", 150, "none", "Pressage du vinyle", ""),
        ),
        bonuses=(("Poster numéroté", 50),),
        backers=78,
        live_session_style="drone",
    ),
    CampaignSpec(
        slug="duo-granulaire-grains-de-sable",
        product_kind="vinyl",
        opened_days_ago=35,
        closes_in_days=-3,
        ships_in_days=21,
        goals=(
            ("pressing", 120, "none", "Pressage confirmé", ""),
            (
                "unlock",
                150,
                "live_session",
                "Session live au Périscope",
                "Le duo joue Grains de Sable en entier, capté au Périscope à Lyon.",
            ),
        ),
        bonuses=(("Livret de notes techniques", 100),),
        backers=140,
        live_session_style="grains",
    ),
    CampaignSpec(
        slug="ensemble-electro-libre-architecture-rythmique",
        product_kind="vinyl",
        opened_days_ago=70,
        closes_in_days=-40,
        ships_in_days=-10,
        goals=(("pressing", 200, "none", "Pressage du 10 pouces", ""),),
        bonuses=(),
        backers=55,
    ),
)


def load_campaigns(session: Session, *, private_dir: Path) -> int:
    """Build every demo campaign with its preorders; returns how many."""
    now = utcnow()
    for spec in CAMPAIGNS:
        campaign = _campaign(session, spec, private_dir, now)
        _preorders(session, campaign, spec)
        if campaign.closes_at <= now:
            close_campaign(session, campaign, now=campaign.closes_at)
    # The demo fans' addresses are fictional: their mails are marked as already sent.
    session.execute(update(OutboxMessage).values(sent_at=now, claimed_at=now))
    session.commit()
    return len(CAMPAIGNS)


def _campaign(session: Session, spec: CampaignSpec, private_dir: Path, now: datetime) -> Campaign:
    release = session.scalar(select(Release).where(Release.slug == spec.slug))
    product = session.scalar(
        select(Product).where(Product.release_id == release.id, Product.kind == spec.product_kind)
    )
    opens_at = now - timedelta(days=spec.opened_days_ago)
    campaign = Campaign(
        release=release,
        products=[product],
        opens_at=opens_at,
        closes_at=now + timedelta(days=spec.closes_in_days),
        ships_on=(now + timedelta(days=spec.ships_in_days)).date(),
        run_margin_percent=10,
        goals=[_goal(spec, goal, private_dir, opens_at) for goal in spec.goals],
        bonuses=[Bonus(title=title, size=size) for title, size in spec.bonuses],
    )
    session.add(campaign)
    session.commit()
    return campaign


def _goal(spec: CampaignSpec, goal: tuple, private_dir: Path, opens_at: datetime) -> Goal:
    kind, threshold, reward_kind, title, text = goal
    reward_file = None
    if reward_kind == "live_session" and spec.live_session_style:
        reward_file = f"rewards/{spec.slug}-live.wav"
        write_wav(
            private_dir / reward_file,
            render_audio(seed=len(spec.slug), seconds=30, style=spec.live_session_style),
        )
    session_day = (opens_at + timedelta(days=spec.opened_days_ago + 20)).date()
    return Goal(
        kind=kind,
        threshold=threshold,
        reward_kind=reward_kind,
        reward_title=title,
        reward_description=text,
        reward_file=reward_file,
        reward_date=datetime.combine(session_day, time(19), tzinfo=opens_at.tzinfo)
        if reward_file
        else None,
    )


def _preorders(session: Session, campaign: Campaign, spec: CampaignSpec) -> None:
    """`spec.backers` fans order and pay, spread over the campaign's time so far."""
    product = campaign.products[0]
    last = min(campaign.closes_at, utcnow()) - timedelta(hours=1)
    step = (last - campaign.opens_at) / (spec.backers + 1)
    for n in range(spec.backers):
        at = campaign.opens_at + step * (n + 1)
        cart = Cart()
        cart.add(CartKey(product.id), 2 if n % 7 == 3 else 1)
        order = start_checkout(
            session,
            cart=price_cart(session, cart, Zone.FRANCE),
            buyer=demo_fan(n),
            provider="test",
            now=at,
            reservation_minutes=30,
        )
        settle_payment(
            session, order, payment_id=f"test_pi_{order.reference}", now=at + timedelta(minutes=3)
        )


def demo_fan(n: int) -> Buyer:
    """A fictional fan; most let their browser make a draw seed, every ninth has none."""
    postal_code, city = CITIES[n % len(CITIES)]
    name = FIRST_NAMES[n % len(FIRST_NAMES)]
    seed = None if n % 9 == 4 else hashlib.sha256(f"fan-{n}".encode()).hexdigest()[:16]
    return Buyer(
        client_seed=seed,
        email=f"{name.lower()}.{n}@example.org",
        locale="fr",
        name=f"{name} Fan{n}",
        line1=f"{n + 1} rue du Sillon",
        postal_code=postal_code,
        city=city,
        country="FR",
    )
