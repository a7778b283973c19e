"""Every model, imported once so SQLAlchemy and Alembic see the whole schema."""

from storefront.accounts.models import User
from storefront.audit.models import AuditEntry
from storefront.budgets.models import (
    BudgetFreeze,
    BudgetLine,
    BudgetSpend,
    ReleaseBudget,
    ReserveUse,
    ReserveYear,
)
from storefront.catalog.models import Product, ProductOption, Release, StockMove, Track
from storefront.channels.models import Distributor, DistributorStock
from storefront.delivery.models import DownloadGrant
from storefront.discounts.models import DiscountCode
from storefront.editions.models import (
    CardRedemption,
    Copy,
    DrawLogEntry,
    Edition,
    Variant,
)
from storefront.fans.models import Fan
from storefront.fulfilment.models import Return, ReturnLine, Shipment, ShipmentLine
from storefront.inserts.models import InsertAward, InsertPool
from storefront.inventory.models import RestockOrder
from storefront.kpis.models import IndicatorZone, PlaylistAdds, ReleaseVisit
from storefront.mail.models import OutboxMessage
from storefront.members.models import (
    MemberDownload,
    MemberPost,
    Membership,
    SubscriptionEvent,
    Tier,
    campaign_early_tier,
)
from storefront.newsletter.models import Mailing, MailingDelivery, Subscriber, SubscriberCount
from storefront.orders.models import Order, OrderEvent, OrderLine, Refund
from storefront.payments.models import PaymentEvent, PaymentProblem
from storefront.preorders.models import Backing, Bonus, BonusAward, Campaign, Goal
from storefront.quests.models import Badge, BadgeGrant, Gig, Passport, Quest, Stamp, Tour
from storefront.ritual.models import RitualMailing
from storefront.stand.models import StandStock
from storefront.waitlist.models import WaitlistEntry

__all__ = [
    "AuditEntry",
    "Backing",
    "Badge",
    "BadgeGrant",
    "Bonus",
    "BonusAward",
    "BudgetFreeze",
    "BudgetLine",
    "BudgetSpend",
    "Campaign",
    "CardRedemption",
    "Copy",
    "DiscountCode",
    "Distributor",
    "DistributorStock",
    "DownloadGrant",
    "DrawLogEntry",
    "Edition",
    "Fan",
    "Gig",
    "Goal",
    "IndicatorZone",
    "InsertAward",
    "InsertPool",
    "Mailing",
    "MailingDelivery",
    "MemberDownload",
    "MemberPost",
    "Membership",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OutboxMessage",
    "Passport",
    "PaymentEvent",
    "PaymentProblem",
    "PlaylistAdds",
    "Product",
    "ProductOption",
    "Quest",
    "Refund",
    "Release",
    "ReleaseBudget",
    "ReleaseVisit",
    "ReserveUse",
    "ReserveYear",
    "RestockOrder",
    "Return",
    "ReturnLine",
    "RitualMailing",
    "Shipment",
    "ShipmentLine",
    "Stamp",
    "StandStock",
    "StockMove",
    "Subscriber",
    "SubscriberCount",
    "SubscriptionEvent",
    "Tier",
    "Tour",
    "Track",
    "User",
    "Variant",
    "WaitlistEntry",
    "campaign_early_tier",
]
