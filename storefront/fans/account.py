"""The /account page as one view object, built here from what the fan's email holds
(`storefront.fans.services`) and what other domains show (their `AccountPanel`s).

Each panel's template is rendered with its built object as `panel`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import Release
from storefront.delivery.models import DownloadGrant
from storefront.delivery.services import DELIVERABLE, download_token, grants_for
from storefront.editions.public import order_editions
from storefront.fans.models import Fan
from storefront.fans.plugins import AccountPanel
from storefront.fans.services import orders_of, passports_of
from storefront.orders.models import Order
from storefront.orders.states import OrderStatus
from storefront.orders.view import shown_status
from storefront.preorders.models import Backing
from storefront.preorders.rewards import reward_token
from storefront.quests.links import badge_token, fragment_token
from storefront.quests.passport import PassportView, passport_view


@dataclass(frozen=True)
class OrderRow:
    reference: str  # its page's key: /orders/<reference>
    created_at: datetime
    status: OrderStatus  # as the order page tells it
    total_cents: int
    currency: str


@dataclass(frozen=True)
class DownloadRow:
    description: str
    reference: str
    downloads_left: int
    expires_at: datetime
    token: str | None  # None: nothing left to download (the order page offers new links)


@dataclass(frozen=True)
class CollectionItem:
    release: Release
    product: str  # '12" vinyl'
    quantity: int
    copies: tuple[str, ...]  # "No. 17/40 — silver"
    sealed: int  # copies drawn, revealed when the parcel ships


@dataclass(frozen=True)
class PassportPanel:
    view: PassportView
    links: dict[int, str]  # stamp id -> its fragment's link
    badge_links: dict[int, str]  # grant id -> its file's link


@dataclass(frozen=True)
class RewardRow:
    title: str
    release: str
    token: str


@dataclass(frozen=True)
class PanelView:
    template: str
    panel: Any


@dataclass(frozen=True)
class AccountView:
    fan: Fan
    orders: tuple[OrderRow, ...]
    downloads: tuple[DownloadRow, ...]
    collection: tuple[CollectionItem, ...]
    passports: tuple[PassportPanel, ...]
    rewards: tuple[RewardRow, ...]
    panels: tuple[PanelView, ...]


def account_view(session: Session, fan: Fan, *, now: datetime) -> AccountView:
    """Everything /account shows `fan` at `now`."""
    orders = orders_of(session, fan.email_key)
    owned = [order for order in orders if order.status in DELIVERABLE]
    return AccountView(
        fan=fan,
        orders=tuple(_order_row(order, now) for order in orders),
        downloads=tuple(_downloads(session, owned, now)),
        collection=tuple(item for order in owned for item in _collection(session, order)),
        passports=tuple(_passport_panel(session, p) for p in passports_of(session, fan.email_key)),
        rewards=tuple(_rewards(session, owned)),
        panels=tuple(_panels(session, fan, now, current_app.extensions["account_panels"])),
    )


def _order_row(order: Order, now: datetime) -> OrderRow:
    return OrderRow(
        order.reference,
        order.created_at,
        shown_status(order, now),
        order.total_cents,
        order.currency,
    )


def _downloads(session: Session, orders: list[Order], now: datetime) -> Iterable[DownloadRow]:
    for order in orders:
        for grant in grants_for(session, order):
            yield DownloadRow(
                grant.order_line.description,
                order.reference,
                grant.downloads_left,
                grant.expires_at,
                download_token(grant) if _usable(grant, now) else None,
            )


def _usable(grant: DownloadGrant, now: datetime) -> bool:
    return grant.downloads_left > 0 and grant.expires_at > now


def _collection(session: Session, order: Order) -> Iterable[CollectionItem]:
    # The reveal rule (a sealed cover stays hidden until shipped) is the editions'.
    editions = {view.edition.product_id: view for view in order_editions(session, order)}
    for line in order.lines:
        edition = editions.get(line.product_id)
        yield CollectionItem(
            line.product.release,
            line.product.name,
            line.quantity,
            tuple(copy.label for copy in edition.copies) if edition else (),
            edition.sealed if edition else 0,
        )


def _passport_panel(session: Session, passport) -> PassportPanel:
    view = passport_view(session, passport)
    return PassportPanel(
        view,
        {item.stamp.id: fragment_token(item.stamp) for item in view.stamps},
        {item.grant.id: badge_token(item.grant) for item in view.badges if item.grant},
    )


def _rewards(session: Session, orders: list[Order]) -> Iterable[RewardRow]:
    """Rewards unlocked for the campaigns these orders back (refunded backings get none,
    as the reward page itself decides: `open_reward`)."""
    by_id = {order.id: order for order in orders}
    backings = session.scalars(
        select(Backing)
        .where(Backing.order_id.in_(by_id), Backing.refunded_at.is_(None))
        .order_by(Backing.id)
    )
    shown: set[int] = set()  # two orders backing one campaign: its rewards once
    for backing in backings:
        for goal in backing.campaign.goals:
            if goal.has_reward and goal.reached_at is not None and goal.id not in shown:
                shown.add(goal.id)
                token = reward_token(by_id[backing.order_id], goal)
                yield RewardRow(goal.reward_title, backing.campaign.release.title, token)


def _panels(
    session: Session, fan: Fan, now: datetime, panels: Iterable[AccountPanel]
) -> Iterable[PanelView]:
    for panel in panels:
        built = panel.build(session, fan, now)
        if built is not None:
            yield PanelView(panel.template, built)
