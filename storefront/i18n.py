"""Which language a page speaks: the fan's choice, else the browser's, else French."""

from flask import current_app, has_request_context, request, session


def select_locale() -> str:
    """Locale for this request (used by Flask-Babel)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
