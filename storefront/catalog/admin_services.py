"""Writing the catalog from the admin: releases, tracks, products, their options and stock.

Each public function is one transaction and raises CatalogRefused (with the form field
it concerns) when an edit breaks a rule; callers clear the page cache after a write.

A stock figure the admin types is a stock move (a new product's opening stock, a count
that corrects it), written here with the `StockMove` model: the catalog sits under
`storefront.inventory` in the import graph, which writes every other move.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.catalog.models import (
    Product,
    ProductKind,
    ProductOption,
    Release,
    StockMove,
    StockReason,
    Track,
    WeightClass,
)
from storefront.database import transactional
from storefront.errors import StorefrontError

AUTO_WEIGHT = "auto"
DEFAULT_WEIGHT = {
    ProductKind.VINYL: WeightClass.PARCEL,
    ProductKind.CD: WeightClass.LETTER,
    ProductKind.CASSETTE: WeightClass.LETTER,
    ProductKind.DIGITAL: WeightClass.NONE,
    ProductKind.MERCH: WeightClass.PARCEL,
}
Options = tuple[tuple[str, int], ...]
ADMIN = "admin"  # the moves' actor when the caller names none (the audit log has the email)


class CatalogRefused(StorefrontError):
    """An admin edit breaks a catalog rule; `field` names the form field it concerns."""

    code = "catalog_refused"
    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class StockChanged(CatalogRefused):
    """Orders moved the stock since the form was shown: the figures must be looked at again."""

    def __init__(self, *, field: str) -> None:
        message = _l("Orders changed the stock while you were editing. Check the figures.")
        super().__init__(str(message), field=field)


def default_weight(kind: str) -> WeightClass:
    return DEFAULT_WEIGHT[ProductKind(kind)]


# --- releases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseFields:
    slug: str
    title: str
    artist: str
    release_date: date
    description: str = ""
    credits: str = ""
    published: bool = False


@transactional
def create_release(
    session: Session, *, fields: ReleaseFields, cover_path: str | None = None
) -> Release:
    """A new release (tracks and products are added on its page)."""
    _check_slug_free(session, fields.slug, release_id=None)
    release = Release(**asdict(fields), cover_path=cover_path)
    session.add(release)
    _flush_or_refuse(session, _slug_taken(fields.slug))
    return release


@transactional
def update_release(
    session: Session, release: Release, *, fields: ReleaseFields, cover_path: str | None = None
) -> Release:
    """Change a release; a None `cover_path` keeps the current cover."""
    _check_slug_free(session, fields.slug, release_id=release.id)
    for name, value in asdict(fields).items():
        setattr(release, name, value)
    if cover_path:
        release.cover_path = cover_path
    _flush_or_refuse(session, _slug_taken(fields.slug))
    return release


def _slug_taken(slug: str) -> CatalogRefused:
    message = _l("Another release already uses the address “%(slug)s”.", slug=slug)
    return CatalogRefused(str(message), field="slug")


def _check_slug_free(session: Session, slug: str, *, release_id: int | None) -> None:
    query = select(Release.id).where(Release.slug == slug)
    if release_id is not None:
        query = query.where(Release.id != release_id)
    if session.scalar(query) is not None:
        raise _slug_taken(slug)


def _flush_or_refuse(session: Session, refusal: CatalogRefused) -> None:
    # The unique constraint is the last word when two admins save at the same moment.
    try:
        session.flush()
    except IntegrityError:
        raise refusal from None


# --- tracks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackFields:
    position: int
    title: str
    duration_seconds: int = 0
    streaming_full: bool = False
    early_download: bool = False  # backers may download its full-length file early


@transactional
def add_track(
    session: Session,
    release: Release,
    *,
    fields: TrackFields,
    preview_path: str | None = None,
    file_path: str | None = None,
) -> Track:
    """A track at a position no other track of the release holds."""
    _check_position_free(session, release.id, fields.position, track_id=None)
    _check_early_download(fields, has_file=bool(file_path))
    track = Track(release=release, **asdict(fields), preview_path=preview_path, file_path=file_path)
    session.add(track)
    _flush_or_refuse(session, _position_taken(fields.position))
    return track


@transactional
def update_track(
    session: Session,
    track: Track,
    *,
    fields: TrackFields,
    preview_path: str | None = None,
    file_path: str | None = None,
) -> Track:
    """Change a track; a None `preview_path` or `file_path` keeps the current file."""
    _check_position_free(session, track.release_id, fields.position, track_id=track.id)
    _check_early_download(fields, has_file=bool(file_path or track.file_path))
    for name, value in asdict(fields).items():
        setattr(track, name, value)
    if preview_path:
        track.preview_path = preview_path
    if file_path:
        track.file_path = file_path
    _flush_or_refuse(session, _position_taken(fields.position))
    return track


@transactional
def delete_track(session: Session, track: Track) -> None:
    """Remove a track from its release (its preview file stays on disk)."""
    session.delete(track)


def _check_early_download(fields: TrackFields, *, has_file: bool) -> None:
    if fields.early_download and not has_file:
        message = _l("Upload the full-length file backers will download early.")
        raise _refuse(message, "full_file")


def _position_taken(position: int) -> CatalogRefused:
    message = _l("Another track of this release is already number %(position)d.", position=position)
    return CatalogRefused(str(message), field="position")


def _check_position_free(
    session: Session, release_id: int, position: int, *, track_id: int | None
) -> None:
    query = select(Track.id).where(Track.release_id == release_id, Track.position == position)
    if track_id is not None:
        query = query.where(Track.id != track_id)
    if session.scalar(query) is not None:
        raise _position_taken(position)


# --- products ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFields:
    kind: str
    name: str
    price_cents: int
    stock: int | None = None
    options: Options = ()
    weight_class: str = AUTO_WEIGHT
    active: bool = True
    includes_digital: bool = False  # a physical format that comes with the digital album


@dataclass(frozen=True)
class StockSeen:
    """The stock figures the edit form showed, so a save never overwrites newer ones."""

    stock: int | None = None
    options: dict[str, int] = field(default_factory=dict)


@transactional
def create_product(
    session: Session,
    release: Release,
    *,
    fields: ProductFields,
    download_path: str | None = None,
    actor: str = ADMIN,
) -> Product:
    """A product of `release`, placed after the others; its stock is its opening move and
    its last run (the restock threshold is a share of it)."""
    _check_product(fields, has_download=bool(download_path))
    product = Product(
        release=release,
        kind=fields.kind,
        name=fields.name,
        price_cents=fields.price_cents,
        stock=_plain_stock(fields),
        weight_class=_weight_class(fields),
        download_path=download_path,
        position=len(release.products),
        active=fields.active,
        includes_digital=fields.includes_digital,
        options=[
            ProductOption(label=label, stock=stock, position=index)
            for index, (label, stock) in enumerate(fields.options)
        ],
    )
    session.add(product)
    session.flush()
    if product.is_physical:
        _open_stock(session, product, actor)
    return product


def _open_stock(session: Session, product: Product, actor: str) -> None:
    product.last_run = product.units_left or None
    if product.stock:
        _stock_move(session, product.id, None, product.stock, OPENING, actor)
    for option in product.options:
        if option.stock:
            _stock_move(session, product.id, option.id, option.stock, OPENING, actor)


OPENING = "opening stock"


def _stock_move(
    session: Session, product_id: int, option_id: int | None, delta: int, detail: str, actor: str
) -> None:
    """A correction the admin typed (or a product's opening stock), as a stock move."""
    session.add(
        StockMove(
            product_id=product_id,
            option_id=option_id,
            delta=delta,
            reason=StockReason.CORRECTION,
            detail=detail[:200],
            actor=actor[:254],
        )
    )


@transactional
def update_product(
    session: Session,
    product: Product,
    *,
    fields: ProductFields,
    seen: StockSeen,
    download_path: str | None = None,
    actor: str = ADMIN,
) -> Product:
    """Change a product; stock figures the admin did not touch are left to the orders,
    those it changed are corrections (stock moves)."""
    _check_product(fields, has_download=bool(download_path or product.download_path))
    product.weight_class = _weight_class(fields)
    product.kind, product.name, product.active = fields.kind, fields.name, fields.active
    product.price_cents = fields.price_cents
    product.includes_digital = fields.includes_digital
    if download_path:
        product.download_path = download_path
    _save_options(session, product, fields.options, seen.options, actor)
    _save_plain_stock(session, product, _plain_stock(fields), seen, actor)
    return product


def _plain_stock(fields: ProductFields) -> int | None:
    if fields.kind == ProductKind.DIGITAL or fields.options:
        return None
    return fields.stock


def _check_product(fields: ProductFields, *, has_download: bool) -> None:
    """The kind, weight, stock, options and download file must agree with each other."""
    if fields.kind == ProductKind.DIGITAL:
        if fields.weight_class != AUTO_WEIGHT:
            raise _refuse(_l("A digital product is not shipped."), "weight_class")
        if fields.stock is not None:
            raise _refuse(_l("A digital product has no stock: leave it empty."), "stock")
        if fields.options:
            raise _refuse(_l("A digital product has no options: leave them empty."), "options")
        if fields.includes_digital:
            message = _l("A digital product is the digital album: leave this box unticked.")
            raise _refuse(message, "includes_digital")
        if not has_download:
            raise _refuse(_l("Upload the zip file fans will download."), "download")
        return
    if has_download:
        raise _refuse(_l("Only digital products have a download file."), "download")
    if fields.options and fields.stock is not None:
        raise _refuse(_l("Leave the stock empty: each option has its own stock."), "stock")
    if not fields.options and fields.stock is None:
        raise _refuse(_l("Enter the units in stock (0 if there are none yet)."), "stock")


def _refuse(message, field: str) -> CatalogRefused:
    return CatalogRefused(str(message), field=field)


def _weight_class(fields: ProductFields) -> str:
    if fields.weight_class == AUTO_WEIGHT:
        return default_weight(fields.kind)
    return WeightClass(fields.weight_class)


def _same(column, value: int | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _save_plain_stock(
    session: Session, product: Product, stock: int | None, seen: StockSeen, actor: str
) -> None:
    # Only a figure the admin changed is written, and only if it still is what the form
    # showed: a checkout that took units meanwhile is never overwritten (no oversell).
    if stock == seen.stock:
        return
    result = session.execute(
        update(Product)
        .where(Product.id == product.id, _same(Product.stock, seen.stock))
        .values(stock=stock)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StockChanged(field="stock")
    delta = (stock or 0) - (seen.stock or 0)
    if delta:
        _stock_move(session, product.id, None, delta, COUNTED, actor)


COUNTED = "counted in the product form"


def _save_options(
    session: Session, product: Product, wanted: Options, seen: dict[str, int], actor: str
) -> None:
    existing = {option.label: option for option in product.options}
    for position, (label, stock) in enumerate(wanted):
        option = existing.pop(label, None)
        if option is None:
            option = ProductOption(label=label, stock=stock, position=position)
            product.options.append(option)
            session.flush()
            if stock:
                _stock_move(session, product.id, option.id, stock, OPENING, actor)
            continue
        option.position = position
        if stock != seen.get(label):
            _set_option_stock(session, option, stock, seen.get(label))
            _stock_move(session, product.id, option.id, stock - seen[label], COUNTED, actor)
    for label, option in existing.items():
        _remove_option(session, product, option, label, actor)


def _set_option_stock(
    session: Session, option: ProductOption, stock: int, seen: int | None
) -> None:
    # A label the form never showed was added by someone else meanwhile: look again.
    if seen is None:
        raise StockChanged(field="options")
    result = session.execute(
        update(ProductOption)
        .where(ProductOption.id == option.id, ProductOption.stock == seen)
        .values(stock=stock)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StockChanged(field="options")


def _remove_option(
    session: Session, product: Product, option: ProductOption, label: str, actor: str
) -> None:
    # Its units leave the stock with a correction; its moves stay, as the product's.
    if option.stock:
        _stock_move(session, product.id, option.id, -option.stock, f"{label} removed", actor)
    session.flush()
    session.execute(
        update(StockMove)
        .where(StockMove.option_id == option.id)
        .values(option_id=None)
        .execution_options(synchronize_session=False)
    )
    product.options.remove(option)
    # Order lines point at their option: the database refuses to forget one that sold.
    try:
        session.flush()
    except IntegrityError:
        message = _l(
            "“%(label)s” has orders and cannot be removed: set its stock to 0 instead.",
            label=label,
        )
        raise _refuse(message, "options") from None
