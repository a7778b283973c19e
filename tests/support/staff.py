"""Staff accounts in tests: making one, signing it in, posting its forms; the `admin`
and `staff` fixtures every admin test uses."""

from __future__ import annotations

import functools

import pytest
from werkzeug.security import generate_password_hash

from storefront.accounts.models import User
from storefront.extensions import db
from tests.conftest import csrf_token_from

PASSWORD = "grains-de-sable-42"


@functools.cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD, method="scrypt")


def make_user(email: str = "admin@bruitblanc.example", role: str = "admin", **fields) -> User:
    user = User(email=email, role=role, password_hash=_password_hash(), **fields)
    db.session.add(user)
    db.session.commit()
    return user


def log_in(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/admin/login").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "email": email, "password": password, **extra}
    return client.post("/admin/login", data=data)


def send(client, url: str, data: dict, *, page: str | None = None, prefix: str = "", **kwargs):
    """POST a form as a browser does, with the CSRF token of the page that shows it."""
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={f"{prefix}csrf_token": token, **data}, **kwargs)


def signed_in(client, role: str):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # English UI whatever gets translated
    user = make_user(email=f"{role}@bruitblanc.example", role=role)
    assert log_in(client, user.email).status_code == 302
    return client


@pytest.fixture
def admin(client):
    return signed_in(client, "admin")


@pytest.fixture
def staff(client):
    return signed_in(client, "staff")
