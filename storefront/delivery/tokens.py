"""Signed, expiring download tokens (itsdangerous). Free of Flask and the database."""

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from storefront.signing import load_exact

SALT = "sillon.download"


@dataclass(frozen=True)
class DownloadClaim:
    grant_id: int
    generation: int


class TokenRefused(Exception):
    """The token is forged, damaged or too old."""

    def __init__(self, expired: bool) -> None:
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def sign_download(secret: str, claim: DownloadClaim) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps([claim.grant_id, claim.generation])


def read_download(secret: str, token: str, *, max_age_seconds: int) -> DownloadClaim:
    """The claim inside `token`, or TokenRefused."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        grant_id, generation = load_exact(serializer, token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise TokenRefused(expired=True) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise TokenRefused(expired=False) from error
    if not isinstance(grant_id, int) or not isinstance(generation, int):
        raise TokenRefused(expired=False)
    return DownloadClaim(grant_id, generation)
