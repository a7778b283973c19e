"""Large request bodies only where they are expected: the admin's uploads."""

from flask import current_app, request
from flask_login import current_user


def allow_admin_uploads() -> None:
    """Lift the small app-wide body limit for a signed-in admin's file uploads.

    Runs before CSRF protection reads the form, so a large body is refused (413) unless
    it comes from an admin session; everyone else keeps MAX_CONTENT_LENGTH."""
    if (
        request.method == "POST"
        and request.blueprint == "admin"
        and request.mimetype == "multipart/form-data"
        and current_user.is_authenticated
        and current_user.is_admin
    ):
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"]
