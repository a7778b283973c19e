"""Health, configuration safety, security headers and error pages."""

import pytest

from config import ConfigurationError, ProductionConfig, TestingConfig
from storefront import create_app

PRODUCTION_OK = {
    "SECRET_KEY": "x" * 40,
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
    "TEST_PAYMENTS": False,
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
}


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_says_when_the_database_is_down(tmp_path):
    broken = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


@pytest.mark.parametrize("secret", ["dev-only-not-secret", ""])
def test_production_refuses_a_default_secret(secret):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(ProductionConfig, **{**PRODUCTION_OK, "SECRET_KEY": secret})


def test_production_refuses_to_run_without_stripe_keys():
    with pytest.raises(ConfigurationError, match="STRIPE"):
        create_app(ProductionConfig, **{**PRODUCTION_OK, "STRIPE_SECRET_KEY": ""})


def test_production_with_test_payments_switched_on_says_test_on_every_page():
    app = create_app(
        ProductionConfig, **{**PRODUCTION_OK, "STRIPE_SECRET_KEY": "", "TEST_PAYMENTS": True}
    )
    html = app.test_client().get("/cart", base_url="https://shop.example").get_data(as_text=True)
    assert "test-banner" in html


def test_production_cookies_are_secure_and_headers_strict():
    app = create_app(ProductionConfig, **PRODUCTION_OK)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    response = app.test_client().get("/cart", base_url="https://shop.example")
    assert "Strict-Transport-Security" in response.headers
    assert "test-banner" not in response.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_not_found_is_a_page_for_people_and_json_for_machines(client):
    assert "<html" in client.get("/nowhere").get_data(as_text=True)
    assert client.get("/api/v1/nowhere").json["error"] == "not_found"


def test_a_form_without_its_token_gets_a_clear_page(client):
    response = client.post("/lang", data={"lang": "en"})
    assert response.status_code == 400
    assert "<html" in response.get_data(as_text=True)


def test_wrong_method_is_405_not_500(client):
    assert client.get("/cart/add").status_code == 405
