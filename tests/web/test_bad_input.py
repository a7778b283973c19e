"""Nothing a person can type or a client can send gets a 500."""

import pytest

from tests.conftest import csrf_token_from

ODD = [
    "",
    "x" * 5000,
    "../../etc/passwd",
    "%00",
    "1e9",
    "-1",
    "99999999999999999999999",
    "<script>",
    "é",
    "[]",
]
PAGES = [
    "/releases/{}",
    "/orders/{}",
    "/orders/{}/paid",
    "/orders/{}/canceled",
    "/pay/test/{}",
    "/downloads/{}",
    "/rewards/{}",
    "/rewards/{}/file",
    "/widget/{}",
    "/media/{}",
    "/cart?country={}",
    "/api/v1/releases/{}/campaign",
    "/editions/{}",
    "/api/v1/editions/{}/fairness",
    "/cards/{}",
    "/admin/login?next={}",
]
FORMS = {
    "/cart/add": ["product_id", "option_id", "quantity"],
    "/cart/update": ["key", "quantity"],
    "/checkout": ["email", "name", "line1", "postal_code", "city", "country", "client_seed"],
    "/lang": ["lang", "next"],
    "/cards": ["code", "email"],
    "/admin/login": ["email", "password"],
}


@pytest.mark.parametrize("page", PAGES)
def test_odd_addresses_get_a_clear_answer(client, make_product, page):
    make_product()
    for value in ODD:
        response = client.get(page.format(value))
        response.close()
        assert response.status_code < 500, (page, value)


@pytest.mark.parametrize("url", FORMS)
def test_odd_form_values_get_a_clear_answer(client, make_product, url):
    make_product()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for value in ODD:
        data = {field: value for field in FORMS[url]} | {"csrf_token": token}
        assert client.post(url, data=data).status_code < 500, (url, value)


def test_garbage_to_the_webhook_is_a_400(client):
    response = client.post(
        "/stripe/webhook", data="garbage", headers={"Stripe-Signature": "t=1,v1=0"}
    )
    assert response.status_code == 400
