"""The budgets domain's error types: their message is what the admin page shows."""

from __future__ import annotations

from storefront.errors import StorefrontError


class BudgetRefused(StorefrontError):
    """A budget or reserve rule said no; `field` names the form field it is about."""

    code = "budget_refused"
    status = 422

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


class BudgetLimitReached(BudgetRefused):
    """A spend the stop-loss froze, or a use beyond what is left of the reserve: the form
    was right, the money is not there (409)."""

    code = "budget_limit_reached"
    status = 409
