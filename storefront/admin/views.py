"""Admin: sign-in and the protected area."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
