"""The budgets domain's one error type: its message is what the admin page shows."""

from __future__ import annotations

from storefront.errors import StorefrontError


class BudgetRefused(StorefrontError):
    """A budget or reserve rule said no; `field` names the form field it is about."""

    code = "budget_refused"
    status = 422

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        self.field = field
        if status is not None:
            self.status = status
        super().__init__(message)
