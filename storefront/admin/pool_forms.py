"""The insert-pool forms (an edition's, a campaign's with its run) and the pool section
that an edition's and a campaign's pages both show."""

from __future__ import annotations

from dataclasses import replace

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from storefront.admin.edition_forms import MAX_COPIES
from storefront.admin.forms import AdminForm, required_text
from storefront.editions.models import Edition
from storefront.extensions import db
from storefront.inserts.admin import PoolFields, pools_panel
from storefront.inserts.services import Owner
from storefront.preorders.models import Campaign
from storefront.preorders.services import pressing_thresholds


def _places(label, description) -> IntegerField:
    """K or N: a number of places in a run."""
    return IntegerField(
        label, description=description, validators=[InputRequired(), NumberRange(max=MAX_COPIES)]
    )


class PoolForm(AdminForm):
    name = required_text(_l("Insert"), 120)
    count = _places(
        _l("How many (K)"),
        _l("Exactly K copies get one, spread over the run: one in each K-th of it."),
    )
    reveal_at_once = BooleanField(
        _l("Tell the fan at once"),
        description=_l("Otherwise the fan finds it at delivery."),
    )
    submit = SubmitField(_l("Save the insert pool"))

    def __init__(self, *args, **kwargs) -> None:
        # Prefixed: the add form shares its page with the edition's or campaign's form.
        kwargs.setdefault("prefix", "pool")
        super().__init__(*args, **kwargs)

    def to_fields(self) -> PoolFields:
        return PoolFields(
            name=self.name.data, count=self.count.data, reveal_at_once=self.reveal_at_once.data
        )


class CampaignPoolForm(PoolForm):
    """The edition's pool form with the run the K are spread over: paid orders."""

    count = _places(
        _l("How many (K)"),
        _l("Exactly K of the first N paid orders get one: one in each K-th of them."),
    )
    run_size = _places(
        _l("Run (N paid orders)"),
        _l(
            "How many paid orders the inserts are spread over, like the pressing goal. "
            "Orders paid beyond the run get none."
        ),
    )

    def to_fields(self) -> PoolFields:
        return replace(super().to_fields(), run_size=self.run_size.data)


def pool_form_for(owner: Owner, **kwargs) -> PoolForm:
    """The pool form of the owner's kind."""
    return PoolForm(**kwargs) if isinstance(owner, Edition) else CampaignPoolForm(**kwargs)


def pool_section(owner: Owner) -> dict:
    """What the pool section of the owner's page renders: the panel (only admins change
    pools), the add form (a campaign's run defaults to its pressing goal) and its URL."""
    panel = pools_panel(db.session, owner)
    defaults = {} if isinstance(owner, Edition) else {"run_size": _pressing_goal(owner)}
    panel = replace(panel, may_change=panel.may_change and current_user.is_admin)
    return {
        "inserts": panel,
        "pool_form": pool_form_for(owner, formdata=None, **defaults),
        "pool_add_url": pool_add_url(owner),
    }


def pool_add_url(owner: Owner) -> str:
    if isinstance(owner, Edition):
        return url_for("admin.edition_pool_add", edition_id=owner.id)
    return url_for("admin.campaign_pool_add", campaign_id=owner.id)


def _pressing_goal(campaign: Campaign) -> int | None:
    return min(pressing_thresholds(campaign), default=None)
