"""Members-only posts: read by members whose tier has posts, explained to others; their
media behind signed links that name the reader and expire; written by admins."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from pathlib import Path

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from PIL import Image

from storefront.clock import utcnow
from storefront.extensions import db
from storefront.members.models import MemberPost
from storefront.members.posts import SALT
from tests.support.accounts import make_fan, sign_in_as
from tests.support.benefits import end_membership, make_member, make_tier
from tests.support.staff import send

MEDIA = re.compile(r'src="(/members/posts/media/[^"]+)"')


def _post(app, **fields) -> MemberPost:
    folder = Path(app.config["PRIVATE_DIR"]) / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "diary.png").write_bytes(b"\x89PNG fake")
    post = MemberPost(
        title="Studio day 3",
        body="Tape loops.",
        image_file="posts/diary.png",
        published_at=utcnow() - timedelta(hours=1),
        **fields,
    )
    db.session.add(post)
    db.session.commit()
    return post


def test_a_posts_tier_reads_the_post_and_its_image(app, client):
    post = _post(app)
    fan, _membership = make_member(make_tier("Gold", posts=True))
    sign_in_as(client, fan)
    assert "Studio day 3" in client.get("/members/posts").get_data(as_text=True)
    page = client.get(f"/members/posts/{post.id}").get_data(as_text=True)
    assert "Tape loops." in page
    image = client.get(MEDIA.search(page).group(1))
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    image.close()


def test_others_see_which_tiers_include_posts_not_the_content(app, client):
    post = _post(app)
    make_tier("Gold", posts=True)
    fan, _membership = make_member(make_tier("Bronze", posts=False))
    for who in (None, fan):
        if who:
            sign_in_as(client, who)
        for url in ("/members/posts", f"/members/posts/{post.id}"):
            response = client.get(url)
            text = response.get_data(as_text=True)
            assert response.status_code == 403
            assert "They come with these tiers: Gold." in text
            assert "Tape loops." not in text and "Studio day 3" not in text


def test_a_media_link_expires_and_dies_with_the_membership(app, client):
    post = _post(app)
    fan, membership = make_member(make_tier("Gold", posts=True))
    sign_in_as(client, fan)
    old = _signed_hours_ago([fan.id, post.id, "image"], app.config["MEMBER_LINK_HOURS"] + 1)
    assert client.get(f"/members/posts/media/{old}").status_code == 410
    link = MEDIA.search(client.get(f"/members/posts/{post.id}").get_data(as_text=True)).group(1)
    end_membership(membership)
    assert client.get(link).status_code == 403
    assert client.get("/members/posts/media/forged").status_code == 404  # not one of ours


def test_another_fan_cannot_use_a_members_link(app, client):
    post = _post(app)
    make_tier("Gold", posts=True)
    outsider = make_fan("out@example.org")
    token = _signed_hours_ago([outsider.id, post.id, "image"], 0)
    assert client.get(f"/members/posts/media/{token}").status_code == 403


def test_an_admin_writes_a_post_with_an_image(app, admin):
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    png.seek(0)
    data = {
        "title": "Mixing notes",
        "body": "Long reverb.",
        "published_at": "2025-01-10T18:00",
        "image_file": (png, "notes.png"),
    }
    response = send(admin, "/admin/posts/new", data, content_type="multipart/form-data")
    assert response.status_code == 302
    post = db.session.query(MemberPost).one()
    assert post.image_file.startswith("posts/")
    assert (Path(app.config["PRIVATE_DIR"]) / post.image_file).is_file()
    assert "Mixing notes" in admin.get("/admin/posts").get_data(as_text=True)


def test_posts_admin_is_for_admins_only(staff):
    assert staff.get("/admin/posts").status_code == 403


def _signed_hours_ago(value, hours: float) -> str:
    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - hours * 3600)

    return URLSafeTimedSerializer("testing-secret", salt=SALT, signer=Then).dumps(value)
