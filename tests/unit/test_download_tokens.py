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
