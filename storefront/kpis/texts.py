"""What the label reads about each indicator: its name, how it is counted (refunds
included), and the seed's simple and advanced actions for when it turns red.

The actions of the first six come from the seed's KPI table (its "simple action",
"advanced action" and comment columns); the seed names the other four without a row,
so theirs are drawn from its chapters on channels, retention, restocks and ads."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Texts:
    title: LazyString
    help: LazyString
    simple: LazyString
    advanced: LazyString
    tip: LazyString


TEXTS: dict[str, Texts] = {
    "preorder_conversion": Texts(
        _l("Preorder conversion"),
        _l(
            "Paid preorders ÷ unique visitors of the release pages (one visitor per page and "
            "day, counted without cookies; browsers that send Do Not Track are not counted). "
            "A refunded preorder does not count."
        ),
        _l("Clarify the offer"),
        _l("Rework the pitch"),
        _l("Test a small bonus"),
    ),
    "average_basket": Texts(
        _l("Average basket"),
        _l(
            "Goods of the paid orders (shipping apart), less what was refunded, ÷ those orders. "
            "A fully refunded order is not counted at all; for a release, the orders holding it."
        ),
        _l("Light bundles"),
        _l("Discreet up-sell"),
        _l("Limit discounts"),
    ),
    "newsletter_subscribers": Texts(
        _l("Newsletter subscribers"),
        _l(
            "New confirmed subscribers per week over the period (the zone is per week); "
            "the detail gives the confirmed subscribers at the period's end. Label-wide."
        ),
        _l("Offer a lead magnet (a free track, a studio diary)"),
        _l("Team up with a media outlet"),
        _l("Clean the list"),
    ),
    "returns_rate": Texts(
        _l("Returns rate"),
        _l(
            "Orders posted in the period that came back (a return recorded, whatever its "
            "refund) ÷ orders posted in the period."
        ),
        _l("Improve the product information"),
        _l("Change carrier"),
        _l("Stronger packaging"),
    ),
    "stand_share": Texts(
        _l("Concert (stand) share of sales"),
        _l(
            "Stand sales ÷ all sales (shop, stand, distributors), goods less refunds; fully "
            "refunded orders are left out."
        ),
        _l("Signage at the stand"),
        _l("A mobile point of sale"),
        _l("Make paying easy"),
    ),
    "direct_share": Texts(
        _l("Share of direct sales"),
        _l(
            "Shop and stand sales ÷ all sales including distributors and consignment, "
            "goods less refunds; fully refunded orders are left out."
        ),
        _l("Put the direct shop first in every announcement"),
        _l("Give distributors a measured quota only"),
        _l("Follow consignment closely, or it becomes a black hole"),
    ),
    "returning_fans": Texts(
        _l("Returning fans"),
        _l(
            "Fans (by email) who paid in the period and had paid before it ÷ fans who paid "
            "in the period. Fully refunded orders count neither as a payment nor as a past one."
        ),
        _l("Keep regular appointments: newsletter, studio diaries, listening sessions"),
        _l("Reward loyal fans without punishing newcomers (members' perks)"),
        _l("The first purchase opens the door, the second settles, the third makes a fan"),
    ),
    "median_restock_days": Texts(
        _l("Median restock time"),
        _l("Days from a restock order to its arrival, median of those received in the period."),
        _l("Anticipate the pressing delays: order when a quarter of the run is left"),
        _l("Targeted restock with a double quality check"),
        _l("Avoid running out"),
    ),
    "acquisition_cost": Texts(
        _l("Acquisition cost per subscriber"),
        _l(
            "Ads spend of the release budgets in the period ÷ new confirmed newsletter "
            "subscribers in the period. Label-wide."
        ),
        _l("Stop the ads that do not work, quickly"),
        _l("A/B test the ads and keep only those that pay"),
        _l("Limit losses"),
    ),
    "playlist_adds": Texts(
        _l("Organic playlist adds"),
        _l(
            "Adds to playlists nobody paid for, typed in by the label each week, per week. "
            "Label-wide: every count typed (the label's and each release's)."
        ),
        _l("A targeted pitch"),
        _l("Contextual content (a short video explaining the music)"),
        _l("Niche press"),
    ),
}
