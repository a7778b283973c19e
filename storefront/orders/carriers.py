"""The carriers the label posts with and their public tracking pages. Pure: no Flask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

OTHER = "other"
# Tracking numbers are letters and digits (Colissimo 6A12345678901, UPS 1Z..., DHL
# 10 digits); people paste them with spaces or dashes, which are dropped.
_TRACKING_RE = re.compile(r"[A-Z0-9]{4,40}", re.ASCII)


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    page: str | None  # the tracking page, before its query
    number_param: str | None = None
    postal_code_param: str | None = None  # Mondial Relay shows a parcel with its postcode


CARRIERS: dict[str, Carrier] = {
    carrier.code: carrier
    for carrier in (
        Carrier(
            "laposte",
            "La Poste / Colissimo",
            "https://www.laposte.fr/outils/suivre-vos-envois",
            "code",
        ),
        Carrier(
            "mondialrelay",
            "Mondial Relay",
            "https://www.mondialrelay.fr/suivi-de-colis/",
            "NumeroExpedition",
            "CodePostal",
        ),
        Carrier(
            "chronopost",
            "Chronopost",
            "https://www.chronopost.fr/tracking-no-cms/suivi-page",
            "listeNumerosLT",
        ),
        Carrier("dhl", "DHL", "https://www.dhl.com/fr-fr/home/tracking.html", "tracking-id"),
        Carrier("ups", "UPS", "https://www.ups.com/track", "tracknum"),
        Carrier(OTHER, "", None),
    )
}


def carrier_name(code: str) -> str:
    """How people call the carrier `code` ("" for another carrier: the screen says it)."""
    return CARRIERS[code].name if code in CARRIERS else ""


def clean_tracking_number(text: str) -> str:
    """`" 6a 1234-5678 901 "` -> `"6A12345678901"`; raises ValueError for anything else."""
    cleaned = re.sub(r"[\s-]+", "", text).upper()
    if not _TRACKING_RE.fullmatch(cleaned):
        raise ValueError(text)
    return cleaned


def tracking_url(
    code: str | None, number: str | None, *, postal_code: str | None = None
) -> str | None:
    """The carrier's public page for parcel `number`; None for another carrier, an
    unknown code or no number."""
    carrier = CARRIERS.get(code or "")
    if carrier is None or carrier.page is None or not number:
        return None
    query = {carrier.number_param: number}
    if carrier.postal_code_param and postal_code:
        query[carrier.postal_code_param] = postal_code.replace(" ", "")
    return f"{carrier.page}?{urlencode(query)}"
