"""What other domains hold about a fan plugs in here, registered in `create_app`:

- `FanData` (app.extensions["fan_data"]): each domain's part of the privacy export, and
  how it erases or anonymises that part when the fan deletes the account;
- `AccountPanel` (app.extensions["account_panels"]): each domain's section of /account,
  a view object built by the domain and a template that only renders it.

The fans domain never imports the domains that plug in (they import it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from storefront.fans.models import Fan


class FanData(Protocol):
    # The key of this part in the export's JSON object.
    name: str

    def export(self, session: Session, fan: Fan) -> Any:
        """Everything this domain holds about `fan`, as JSON-ready values."""

    def erase(self, session: Session, fan: Fan, *, now: datetime) -> None:
        """Erase the personal data, keeping what the accounts must keep, anonymised."""


@dataclass(frozen=True)
class AccountPanel:
    template: str
    # The panel's view object for the fan at `now`, or None to leave it out.
    build: Callable[[Session, Fan, datetime], Any]
