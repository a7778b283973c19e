"""The newsletter in the admin: mailings listed, written, previewed, tested and sent.

Admins only (no `access` mark): the list holds fans' addresses and the buttons mail them.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront.admin import bp
from storefront.admin.helpers import render_form
from storefront.admin.newsletter_forms import MailingForm
from storefront.clock import utcnow
from storefront.errors import InvalidTransition
from storefront.extensions import db
from storefront.newsletter import admin as services
from storefront.newsletter.models import Mailing
from storefront.newsletter.sending import send_test, start_sending
from storefront.shop.helpers import locale_code


@bp.get("/newsletter")
def newsletter():
    """The mailings, newest first, and the list's figures."""
    return render_template(
        "admin/newsletter.html",
        mailings=services.mailings(db.session),
        figures=services.list_figures(db.session),
    )


@bp.route("/newsletter/new", methods=["GET", "POST"])
def newsletter_new():
    """Write a mailing and pick who receives it; it is saved as a draft to preview."""
    form = MailingForm().offer(services.segment_choices(db.session))
    if form.validate_on_submit():
        mailing = services.create_mailing(db.session, form.fields(), created_by=current_user.email)
        flash(_("Mailing saved: check the preview, send yourself a test, then send it."), "success")
        return redirect(url_for("admin.newsletter_mailing", mailing_id=mailing.id))
    return render_form("admin/newsletter_new.html", form=form)


@bp.get("/newsletter/<int:mailing_id>")
def newsletter_mailing(mailing_id: int):
    """A mailing: who it goes to, how many they are, the message as they will see it."""
    mailing = db.get_or_404(Mailing, mailing_id)
    view = services.mailing_view(db.session, mailing, now=utcnow())
    return render_template("admin/newsletter_mailing.html", view=view)


@bp.post("/newsletter/<int:mailing_id>/test")
def newsletter_test(mailing_id: int):
    """Send the mailing to the signed-in admin's own address."""
    mailing = db.get_or_404(Mailing, mailing_id)
    send_test(db.session, mailing, email=current_user.email, locale=locale_code(), now=utcnow())
    flash(_("A test is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("admin.newsletter_mailing", mailing_id=mailing.id))


@bp.post("/newsletter/<int:mailing_id>/send")
def newsletter_send(mailing_id: int):
    """Hand the mailing to the send job, which mails it a few per minute."""
    mailing = db.get_or_404(Mailing, mailing_id)
    try:
        start_sending(db.session, mailing, now=utcnow())
    except InvalidTransition as refused:
        flash(refused.message, "error")
    else:
        flash(_("Sending: the job mails it a few per minute."), "success")
    return redirect(url_for("admin.newsletter_mailing", mailing_id=mailing.id))
