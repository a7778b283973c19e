"""What the admin views share: rendering forms and running catalog writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import Field

from storefront.admin.forms import AdminForm
from storefront.admin.uploads import UploadBatch, UploadKind
from storefront.catalog.admin_services import CatalogRefused
from storefront.extensions import db
from storefront.shop.page_cache import page_cache

T = TypeVar("T")


def render_form(template: str, **context):
    """The page; 422 when a form that was sent comes back with errors (still filled in)."""
    forms = [value for value in context.values() if isinstance(value, FlaskForm)]
    refused = request.method == "POST" and any(form.errors for form in forms)
    return render_template(template, **context), 422 if refused else 200


def write_catalog(
    form: AdminForm,
    service: Callable[..., T],
    *args: Any,
    files: dict[str, tuple[Field, UploadKind]] | None = None,
    **kwargs: Any,
) -> T | None:
    """`service(db.session, *args, **kwargs)`, plus the path of each stored file in `files`
    (service argument -> (file field, kind)); None when a catalog rule refused the write.

    A refusal is shown on the form and no file from this attempt stays on disk; a success
    empties the page cache so fans see the change at once.
    """
    uploads = UploadBatch()
    try:
        paths = {name: uploads.save(field, kind) for name, (field, kind) in (files or {}).items()}
        result = service(db.session, *args, **kwargs, **paths)
    except CatalogRefused as refusal:
        uploads.discard()
        form.apply_refusal(refusal)
        return None
    except BaseException:
        uploads.discard()
        raise
    page_cache.clear()
    return result


def catalog_changed() -> None:
    """Drop cached fan pages after a catalog write that needs no form."""
    page_cache.clear()


def run_write(service: Callable, row: object, done: str, back: str, **kwargs: Any):
    """`service(db.session, row, **kwargs)`, a write that needs no form (a delete, a close):
    its refusal, or `done`, is flashed on the page at `back`."""
    try:
        service(db.session, row, **kwargs)
    except CatalogRefused as refusal:
        flash(refusal.message, "error")
    else:
        catalog_changed()
        flash(done, "success")
    return redirect(back)


def back_to_release(release_id: int, section: str | None = None):
    """Redirect to a release's admin page, at one of its sections."""
    return redirect(url_for("admin.release_edit", release_id=release_id, _anchor=section))
