"""The demo label's limited editions.

- *Grains de Sable*, 300 copies (standard 250, silver screen print 40, gold 10), 20
  studio notebooks in the run, a hidden-content card in every copy: open; its copies
  are drawn as the campaign's preorders are paid.
- *Retours de Scène*, a numbered tour CD of 40 (30 / 8 red / 2 gold): 30 fans bought one,
  then the label closed it, so its seed is revealed and anyone can replay the draws.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Product, Release
from storefront.clock import utcnow
from storefront.demo.campaigns import demo_fan
from storefront.editions.models import Edition, RevealMode
from storefront.editions.services import close_edition, create_edition
from storefront.inserts.models import InsertPool
from storefront.orders.cart import Cart, CartKey, price_cart
from storefront.orders.checkout import start_checkout
from storefront.orders.shipping import Zone
from storefront.payments.services import settle_payment

CARD_TEXT = (
    "Merci d'avoir trouvé cette carte. Voici la face cachée de Grains de Sable : "
    "les prises brutes de la session de nuit, avant tout montage."
)


def _product(session: Session, slug: str, name_starts: str) -> Product:
    release = session.scalar(select(Release).where(Release.slug == slug))
    return next(p for p in release.products if p.name.startswith(name_starts))


def load_editions(session: Session) -> None:
    """Create both editions (before any sale, as a label would)."""
    opened = utcnow() - timedelta(days=40)
    vinyl = _product(session, "duo-granulaire-grains-de-sable", "Vinyle")
    grains = create_edition(
        session,
        product=vinyl,
        name="Grains de Sable — édition numérotée",
        size=300,
        variants=[("standard", 250), ("sérigraphie argent", 40), ("sérigraphie or", 10)],
        now=opened,
        reveal_mode=RevealMode.AT_ONCE,
        per_order_cap=2,
    )
    grains.card_content = CARD_TEXT
    session.add(InsertPool(edition_id=grains.id, name="Carnet de studio", count=20))
    tour_cd = _product(session, "collectif-larsen-retours-de-scene", "CD édition")
    create_edition(
        session,
        product=tour_cd,
        name="Retours de Scène — CD de tournée",
        size=40,
        variants=[("standard", 30), ("sérigraphie rouge", 8), ("sérigraphie or", 2)],
        now=opened,
        reveal_mode=RevealMode.SEALED,
    )
    session.commit()


def sell_tour_edition(session: Session, fans: int = 30) -> None:
    """Thirty fans buy the tour CD at past dates; then the label closes the edition."""
    product = _product(session, "collectif-larsen-retours-de-scene", "CD édition")
    start = utcnow() - timedelta(days=30)
    for n in range(fans):
        at = start + timedelta(hours=9 * n)
        cart = Cart()
        cart.add(CartKey(product.id))
        order = start_checkout(
            session,
            cart=price_cart(session, cart, Zone.FRANCE),
            buyer=demo_fan(500 + n),
            provider="test",
            now=at,
            reservation_minutes=30,
        )
        settle_payment(
            session, order, payment_id=f"test_pi_{order.reference}", now=at + timedelta(minutes=2)
        )
    edition = session.scalar(select(Edition).where(Edition.product_id == product.id))
    close_edition(session, edition, now=utcnow() - timedelta(days=2))
