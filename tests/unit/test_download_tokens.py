import time

import pytest

from storefront.delivery.tokens import DownloadClaim, TokenRefused, read_download, sign_download


def test_a_token_carries_its_claim():
    token = sign_download("secret", DownloadClaim(12, 3))
    assert read_download("secret", token, max_age_seconds=60) == DownloadClaim(12, 3)


def test_a_token_signed_with_another_key_is_refused():
    token = sign_download("other", DownloadClaim(12, 1))
    with pytest.raises(TokenRefused) as refused:
        read_download("secret", token, max_age_seconds=60)
    assert not refused.value.expired


def test_a_tampered_token_is_refused():
    token = sign_download("secret", DownloadClaim(12, 1))
    with pytest.raises(TokenRefused):
        read_download("secret", token[:-2] + "xx", max_age_seconds=60)


def test_an_old_token_is_refused_as_expired(monkeypatch):
    token = sign_download("secret", DownloadClaim(12, 1))
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
    with pytest.raises(TokenRefused) as refused:
        read_download("secret", token, max_age_seconds=60)
    assert refused.value.expired


def test_only_the_exact_token_is_accepted():
    token = sign_download("secret", DownloadClaim(12, 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(token[-1])
    # Base64 ignores stray characters and the unused low bits of the last character.
    damaged = [token + "=", token[:-1] + "!" + token[-1], token[:10] + "~" + token[10:]]
    damaged += [token[:-1] + alphabet[last ^ low] for low in (1, 2, 3)]
    for bad in damaged:
        with pytest.raises(TokenRefused):
            read_download("secret", bad, max_age_seconds=60)
