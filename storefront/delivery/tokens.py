"""Signed, expiring download tokens (itsdangerous). Free of Flask and the database."""

import hmac
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

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
    if not _exactly_signed(serializer, token):
        raise TokenRefused(expired=False)
    try:
        grant_id, generation = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise TokenRefused(expired=True) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise TokenRefused(expired=False) from error
    if not isinstance(grant_id, int) or not isinstance(generation, int):
        raise TokenRefused(expired=False)
    return DownloadClaim(grant_id, generation)


def _exactly_signed(serializer: URLSafeTimedSerializer, token: str) -> bool:
    # Base64 decoding skips stray characters and the unused bits of the last one, so a
    # damaged signature can still verify: only the exact signature we would issue counts.
    value, _, signature = token.rpartition(".")
    expected = serializer.make_signer().get_signature(value)
    return hmac.compare_digest(signature.encode(), expected)
