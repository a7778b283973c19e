"""Signed tokens, loaded strictly: only the exact token the shop issued is accepted.

Free of Flask and the database."""

import hmac
from typing import Any

from itsdangerous import BadSignature, Serializer


def load_exact(serializer: Serializer, token: str, **options: Any) -> Any:
    """`serializer.loads(token, **options)`, refusing with BadSignature any token that is
    not, character for character, one the serializer would issue.

    Base64 decoding skips stray characters and the unused bits of the last one, so a
    damaged signature could still verify."""
    value, _, signature = token.rpartition(".")
    expected = serializer.make_signer().get_signature(value)
    if not hmac.compare_digest(signature.encode(), expected):
        raise BadSignature("not a token this shop issued")
    return serializer.loads(token, **options)
