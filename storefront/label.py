"""Who runs the shop: the label's name, contact address, city, time zone and languages.

Read once from the configuration (LABEL_NAME, LABEL_EMAIL, LABEL_CITY,
BABEL_DEFAULT_TIMEZONE, LANGUAGES) so that no page or mail spells them itself; templates
and mails see it as `label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Label:
    name: str  # "Bruit Blanc"
    email: str  # where fans write: "shop@bruitblanc.example"
    city: str  # where parcels leave from: "Lyon"
    timezone: str  # the zone the label types and reads dates in: "Europe/Paris"
    languages: tuple[str, ...]  # what the shop speaks, first the default: ("fr", "en")


def label_from(config: Mapping[str, Any]) -> Label:
    """The label an app's configuration describes."""
    return Label(
        name=config["LABEL_NAME"],
        email=config["LABEL_EMAIL"],
        city=config["LABEL_CITY"],
        timezone=config["BABEL_DEFAULT_TIMEZONE"],
        languages=tuple(config["LANGUAGES"]),
    )
