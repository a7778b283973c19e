"""Fans as separate HTTP clients against a live server: cookies, CSRF, no shared state."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    location: str
    body: str


class Fan:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=120) as response:
                return Reply(
                    response.status, response.headers.get("Location", ""), response.read().decode()
                )
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers.get("Location", ""), error.read().decode())

    def token(self, path: str) -> str:
        return CSRF_RE.search(self.request(path).body).group(1)

    def fill_cart(self, slug: str, product_id: int, quantity: int = 1) -> None:
        token = self.token(f"/releases/{slug}")
        reply = self.request(
            "/cart/add", {"csrf_token": token, "product_id": product_id, "quantity": quantity}
        )
        assert reply.status == 302, reply

    def checkout_form(self) -> dict:
        return {
            "csrf_token": self.token("/checkout"),
            "email": "fan@example.org",
            "name": "Fan",
            "line1": "1 rue du Bruit",
            "postal_code": "69001",
            "city": "Lyon",
            "country": "FR",
        }

    def checkout(self, form: dict) -> str:
        """'reserved', 'sold_out' or 'error:<status>'."""
        reply = self.request("/checkout", form)
        if reply.status == 302 and "/pay/" in reply.location:
            self.payment_page = reply.location.removeprefix(self.base_url)
            return "reserved"
        if reply.status == 409 and ("sold out" in reply.body or "épuisé" in reply.body):
            return "sold_out"
        return f"error:{reply.status}"

    def pay_test(self) -> int:
        """Press Pay on the TEST page the last checkout led to; the HTTP status."""
        form = {"csrf_token": self.token(self.payment_page), "pay": "1"}
        return self.request(self.payment_page, form).status


def pay_all_at_once(base_url: str, references: list[str]) -> Counter:
    """Each pending order is paid on its TEST page by its own fan, all at the same instant;
    the HTTP statuses counted."""
    fans = [Fan(base_url) for _ in references]
    forms = [
        {"csrf_token": fan.token(f"/pay/test/{ref}"), "pay": "1"}
        for fan, ref in zip(fans, references, strict=True)
    ]
    start = threading.Barrier(len(fans))

    def pay(index: int) -> int:
        start.wait()
        return fans[index].request(f"/pay/test/{references[index]}", forms[index]).status

    with ThreadPoolExecutor(max_workers=len(fans)) as pool:
        return Counter(pool.map(pay, range(len(fans))))
