"""Only the exact token the shop issued loads, whatever serializer signed it."""

import pytest
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from storefront.signing import load_exact

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SERIALIZERS = [
    URLSafeSerializer("secret", salt="sillon.reward"),
    URLSafeTimedSerializer("secret", salt="sillon.card"),
]


def damaged(token: str) -> set[str]:
    last = ALPHABET.index(token[-1])
    variants = {token[:-1] + ALPHABET[last & ~0b11 | low] for low in range(4)}
    variants |= {token[:i] + "!" + token[i:] for i in range(len(token) + 1)}
    variants |= {token + "=", token.replace(".", "..", 1)}
    variants.discard(token)
    return variants


@pytest.mark.parametrize("serializer", SERIALIZERS, ids=["plain", "timed"])
def test_the_issued_token_loads_and_no_damaged_one_does(serializer):
    token = serializer.dumps([12, 3, None])
    assert load_exact(serializer, token) == [12, 3, None]
    for variant in damaged(token):
        with pytest.raises(BadSignature):
            load_exact(serializer, variant)


def test_a_token_signed_with_another_salt_is_refused():
    token = URLSafeSerializer("secret", salt="other").dumps([1])
    with pytest.raises(BadSignature):
        load_exact(SERIALIZERS[0], token)
