"""Bruit Blanc's supporters: the three tiers of DEMO.md, a few members in each state the
lifecycle knows (driven through the TEST billing events, as the shop would see them),
two studio diaries, an upcoming campaign members enter early, and the newsletter list
with a draft mailing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, Release
from storefront.demo.media import make_cover, render_audio, write_wav
from storefront.fans.models import Fan
from storefront.members.early import save_early_tiers
from storefront.members.models import Interval, Tier
from storefront.members.posts import PostFields, save_post
from storefront.members.services import join_tier
from storefront.members.simulation import TestAction, simulate
from storefront.members.tiers import TierFields, add_tier
from storefront.newsletter.admin import MailingFields, create_mailing
from storefront.newsletter.links import SignUp
from storefront.newsletter.models import Subscriber
from storefront.newsletter.segments import Segment, SegmentKind
from storefront.newsletter.subscriptions import subscribe_verified
from storefront.orders.fans import fan_key
from storefront.preorders.admin_services import CampaignFields, create_campaign

TIERS = (
    # slug, name, €/month, €/year, discount %, early hours, free digital, posts, liner, cap
    ("ami", "Ami", 300, 3000, 0, 24, False, True, False, None),
    ("soutien", "Soutien", 800, 8000, 10, 48, True, True, False, None),
    ("mecene", "Mécène", 2000, None, 15, 72, True, True, True, 30),
)
DESCRIPTIONS = {
    "ami": "Les journaux de studio et un jour d'avance sur chaque campagne.",
    "soutien": "10 % sur les disques et le merch, chaque nouvel album numérique offert.",
    "mecene": "Tout Soutien, trois jours d'avance, et votre nom dans les notes de pochette.",
}
# email, name, tier, what happened to the membership since joining (TEST billing), liner name
MEMBERS = (
    ("camille@example.org", "Camille Fan", "soutien", (TestAction.RENEW,), ""),
    ("nour@example.org", "Nour Haddad", "ami", (TestAction.RENEW, TestAction.CANCEL), ""),
    ("jo@example.org", "Jo Vidal", "soutien", (TestAction.FAIL,), ""),
    ("ana@example.org", "Ana Morel", "mecene", (TestAction.RENEW,), "Ana Morel (Grenoble)"),
)
SUBSCRIBERS = (
    ("camille@example.org", ["releases", "gigs", "studio"], "Lyon"),
    ("lea@example.org", ["gigs"], "Grenoble"),
    ("ivo@example.org", ["releases"], ""),
    ("marc@example.org", ["studio", "releases"], "Genève"),
)
POSTS = (
    (
        "Journal de studio : les grains du sable",
        "Trois jours à enregistrer du sable qui coule sur une plaque de métal. "
        "Le micro contact a tout changé : on entend chaque grain.",
        "sable",
    ),
    (
        "Journal de studio : accorder un larsen",
        "Le Collectif Larsen règle ses retours avant la tournée. "
        "Voici quarante secondes de la séance, avant que tout ne sature.",
        "larsen",
    ),
)


def load_members(session: Session, *, private_dir: Path, now: datetime) -> None:
    """Tiers, members, posts, the early-access campaign and the list (committed)."""
    tiers = {spec[0]: add_tier(session, fields=_tier_fields(spec)) for spec in TIERS}
    for email, name, slug, actions, liner in MEMBERS:
        _member(session, email, name, tiers[slug], actions, liner, now=now)
    for n, (title, body, style) in enumerate(POSTS):
        _post(session, title, body, style, n, private_dir=private_dir, now=now)
    _early_campaign(session, [tiers["soutien"].id, tiers["mecene"].id], now=now)
    _newsletter(session, now=now)


def _tier_fields(spec: tuple) -> TierFields:
    slug, name, monthly, yearly, discount, early, digital, posts, liner, cap = spec
    return TierFields(
        slug=slug,
        name=name,
        description=DESCRIPTIONS[slug],
        monthly_cents=monthly,
        yearly_cents=yearly,
        discount_percent=discount,
        early_access_hours=early,
        free_digital=digital,
        posts=posts,
        liner_notes=liner,
        member_cap=cap,
        active=True,
        stripe_monthly_price=None,
        stripe_yearly_price=None,
    )


def _member(session, email, name, tier: Tier, actions, liner: str, *, now: datetime) -> None:
    """A fan who joined 50 days ago (monthly), then lived `actions` a few days ago: a
    renewal runs their paid period to 10 days from now."""
    fan = Fan(email=email, email_key=fan_key(email), name=name, created_at=now)
    session.add(fan)
    session.commit()
    joined = now - timedelta(days=50)
    membership = join_tier(
        session, tier=tier, fan=fan, interval=Interval.MONTH, liner_name=liner,
        provider="test", now=joined,
    )  # fmt: skip
    simulate(session, membership, TestAction.SIGN_UP, now=joined)
    for action in actions:
        simulate(session, membership, action, now=now - timedelta(days=3))


def _post(session, title: str, body: str, style: str, n: int, *, private_dir: Path, now):
    """A diary with a picture and a short recording, under PRIVATE_DIR/posts."""
    folder = private_dir / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    image, audio = f"posts/demo-{style}.jpg", f"posts/demo-{style}.wav"
    make_cover(private_dir / image, seed=40 + n, title=title, artist="Bruit Blanc", size=600)
    write_wav(private_dir / audio, render_audio(seed=40 + n, seconds=20, style="drone"))
    published = now - timedelta(days=20 - 10 * n)
    fields = PostFields(title=title, body=body, published_at=published)
    save_post(session, None, fields=fields, image_file=image, audio_file=audio)


def _early_campaign(session: Session, tier_ids: list[int], *, now: datetime) -> None:
    """Ensemble Électro Libre tries its 10" again: it opens in three days, and members of
    Soutien and Mécène get in 48 and 72 hours before everyone."""
    release = session.scalar(
        select(Release).where(Release.slug == "ensemble-electro-libre-architecture-rythmique")
    )
    product = session.scalar(
        select(Product).where(Product.release_id == release.id, Product.kind == "vinyl")
    )
    opens = datetime.combine((now + timedelta(days=3)).date(), time(17), tzinfo=UTC)
    fields = CampaignFields(
        opens_at=opens,
        closes_at=opens + timedelta(days=21),
        ships_on=(opens + timedelta(days=90)).date(),
        product_ids=(product.id,),
    )
    campaign = create_campaign(session, release, fields=fields)
    save_early_tiers(session, campaign, tier_ids)


def _newsletter(session: Session, *, now: datetime) -> None:
    for email, topics, city in SUBSCRIBERS:
        request = SignUp(
            email=email, topics=topics, city=city, locale="fr", source="newsletter page"
        )
        subscribe_verified(session, request, now=now - timedelta(days=30))
    # One never confirmed: the list's "waiting" figure.
    waiting = "pas.encore@example.org"
    session.add(
        Subscriber(email=waiting, email_key=waiting, topics=["releases"], source="footer form")
    )
    session.commit()
    body = (
        "Bonjour,\n\nLe 10\" d'**Ensemble Électro Libre** revient en précommande, "
        "avec un accès anticipé pour les membres.\n\n- Ouverture dans trois jours\n"
        "- Soutien : 48 heures plus tôt, Mécène : 72 heures\n"
    )
    segment = Segment(SegmentKind.TOPIC, "releases")
    fields = MailingFields("Architecture Rythmique, deuxième essai", body, segment)
    create_mailing(session, fields, created_by="admin@bruitblanc.example")
