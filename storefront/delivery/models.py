"""A download grant: the right to fetch one digital line's file a limited number of times."""

from datetime import datetime

from sqlalchemy import ForeignKey, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.clock import UTCDateTime
from storefront.extensions import db
from storefront.orders.models import OrderLine


class DownloadGrant(db.Model):
    __tablename__ = "download_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_line.id", ondelete="CASCADE"), unique=True
    )
    # Bumped on every re-issue: links signed for an older generation stop working.
    generation: Mapped[int] = mapped_column(default=1)
    # How many times the fan asked for fresh links; capped so 5 downloads stay 5-ish.
    reissues: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    downloads_used: Mapped[int] = mapped_column(default=0)
    max_downloads: Mapped[int]

    order_line: Mapped[OrderLine] = relationship()

    @property
    def downloads_left(self) -> int:
        return max(self.max_downloads - self.downloads_used, 0)
