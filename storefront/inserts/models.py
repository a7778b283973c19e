"""Insert pools: K items (studio notebooks) slipped into K places of a run, and the
inserts each copy or order got."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.editions.draw import insert_positions
from storefront.editions.models import Copy, Edition
from storefront.extensions import db
from storefront.preorders.models import Campaign


class InsertPool(db.Model):
    """K items (studio notebooks) slipped into the copies of an edition, or into the paid
    orders of a campaign, spread over the run.

    An edition pool draws with the edition's seed over its size; a campaign has no seed of
    its own, so a campaign pool has one (and publishes its commitment) and a `run_size`:
    the number of paid orders the label plans for (the pressing threshold, say)."""

    __tablename__ = "insert_pool"
    __table_args__ = (
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint(
            "(edition_id IS NULL) <> (campaign_id IS NULL)", name="edition_or_campaign"
        ),
        CheckConstraint(
            "campaign_id IS NULL OR (run_size IS NOT NULL AND run_size >= count"
            " AND server_seed IS NOT NULL AND commitment IS NOT NULL)",
            name="campaign_pool_run_and_seed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    count: Mapped[int]
    reveal_at_once: Mapped[bool] = mapped_column(default=False)
    run_size: Mapped[int | None]  # campaign pools: the planned number of paid orders
    server_seed: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # campaign pools
    commitment: Mapped[str | None] = mapped_column(String(64))  # sha256 of server_seed

    edition: Mapped[Edition | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()

    @property
    def key(self) -> str:
        """What its positions are drawn with, next to the seed; public, so fans replay them."""
        return str(self.id)

    def positions(self) -> list[int]:
        """The ranks (1-based) in the run that get an insert: a copy's draw for an edition
        pool, an order's payment for a campaign pool."""
        if self.edition is not None:
            return insert_positions(
                self.edition.server_seed, self.key, self.edition.size, self.count
            )
        return insert_positions(self.server_seed, self.key, self.run_size, self.count)


class InsertAward(db.Model):
    """An insert of a pool, slipped into one copy (it stays with the copy if released), or
    into one paid order of a campaign (its `position` is the order's rank among payments)."""

    __tablename__ = "insert_award"
    __table_args__ = (
        UniqueConstraint("pool_id", "copy_id", name="uq_insert_award_copy"),
        UniqueConstraint("pool_id", "order_id", name="uq_insert_award_order"),
        CheckConstraint("(copy_id IS NULL) <> (order_id IS NULL)", name="copy_or_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("insert_pool.id", ondelete="CASCADE"))
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("copy.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("shop_order.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]

    pool: Mapped[InsertPool] = relationship()
    copy: Mapped[Copy | None] = relationship()
