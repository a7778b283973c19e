"""Campaign pages for fans: the embeddable widget and the rewards backers unlock."""

from __future__ import annotations

from flask import Response, current_app, make_response, render_template, request, send_file
from flask_babel import force_locale
from flask_babel import gettext as _

from storefront.catalog.services import release_by_slug
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.preorders.public import campaign_summary, media_kind
from storefront.preorders.rewards import RewardUnavailable, early_tracks, open_reward, reward_path
from storefront.shop import bp
from storefront.shop.helpers import no_store

# The widget lives in other sites' iframes: any site may frame it (the shop's other pages
# forbid framing); it needs nothing but our own stylesheet and script.
WIDGET_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'none'; frame-ancestors *; base-uri 'self'"
)
WIDGET_MAX_AGE_SECONDS = 15


@bp.get("/widget/<slug>")
def widget(slug: str) -> Response:
    """A release's campaign progress for a band's own site: frameable, without cookies."""
    with force_locale(_widget_language()):
        release = release_by_slug(db.session, slug)
        summary = campaign_summary(db.session, release, now=utcnow()) if release else None
        html = render_template("widget.html", release=release, campaign=summary)
    response = make_response(html, 200 if summary else 404)
    response.headers["Content-Security-Policy"] = WIDGET_CSP
    response.cache_control.public = True
    response.cache_control.max_age = WIDGET_MAX_AGE_SECONDS
    response.vary.add("Accept-Language")
    return response


def _widget_language() -> str:
    """`?lang=`, else the browser's language, else the shop's: never the session."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/rewards/<token>")
@no_store
def reward(token: str) -> str:
    """An unlocked reward: a live session, a bonus track or the early downloads."""
    order, goal, _track = open_reward(db.session, token)
    return render_template(
        "shop/reward.html",
        token=token,
        order=order,
        goal=goal,
        media=media_kind(goal.reward_file),
        tracks=early_tracks(order, goal),
    )


@bp.get("/rewards/<token>/file")
@no_store
def reward_file(token: str) -> Response:
    """The reward's own file (session video or audio, bonus track), played or downloaded."""
    _order, goal, _track = open_reward(db.session, token)
    path = reward_path(goal.reward_file)
    download = request.args.get("download") == "1"
    return send_file(path, as_attachment=download, download_name=path.name)


@bp.get("/rewards/<token>/tracks/<int:track_id>")
@no_store
def early_track(token: str, track_id: int) -> Response:
    """One early-download track, for a backer whose format includes the digital album."""
    order, goal, _track = open_reward(db.session, token)
    track = next((t for t in early_tracks(order, goal) if t.id == track_id), None)
    if track is None:
        raise RewardUnavailable(_("This track is not part of your early download."))
    path = reward_path(track.file_path)
    name = f"{track.position:02d} {track.title}{path.suffix}"
    return send_file(path, as_attachment=True, download_name=name)
