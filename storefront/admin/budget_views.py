"""Release budgets run like a bankroll, and the opportunity reserve (admins only: no
access mark, so `access.guard` answers staff 403). Each POST is one service call; a
refusal comes back on its form with 422 (409 when the stop-loss or the reserve says no)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from storefront.admin import bp
from storefront.admin.budget_forms import (
    LiftForm,
    LineForm,
    OutcomeForm,
    ReserveUseForm,
    ReserveYearForm,
    SpendForm,
    StopLossForm,
)
from storefront.admin.forms import AdminForm
from storefront.budgets.errors import BudgetRefused
from storefront.budgets.figures import budget_figures
from storefront.budgets.models import BudgetLine, BudgetSpend, ReleaseBudget, ReserveUse
from storefront.budgets.reserve import (
    FIRST_YEAR,
    LAST_YEAR,
    record_outcome,
    record_use,
    reserve_figures,
    reserve_for,
    set_reserve_year,
)
from storefront.budgets.spending import (
    CATEGORY_LABELS,
    add_line,
    budget_of,
    line_name,
    record_spend,
    remove_line,
    set_stop_loss,
    update_line,
)
from storefront.budgets.stoploss import frozen_budgets, lift_freeze, open_freeze
from storefront.catalog.models import Release
from storefront.clock import utcnow
from storefront.extensions import db
from storefront.money import format_cents


@bp.get("/budgets")
def budgets():
    """Every release with its budget's planned and spent totals; the frozen ones first."""
    spent = (
        select(BudgetLine.budget_id, func.sum(BudgetSpend.amount_cents).label("spent"))
        .join(BudgetSpend, BudgetSpend.line_id == BudgetLine.id)
        .group_by(BudgetLine.budget_id)
        .subquery()
    )
    planned = (
        select(BudgetLine.budget_id, func.sum(BudgetLine.planned_cents).label("planned"))
        .group_by(BudgetLine.budget_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Release, ReleaseBudget, planned.c.planned, spent.c.spent)
        .outerjoin(ReleaseBudget, ReleaseBudget.release_id == Release.id)
        .outerjoin(planned, planned.c.budget_id == ReleaseBudget.id)
        .outerjoin(spent, spent.c.budget_id == ReleaseBudget.id)
        .order_by(Release.release_date.desc(), Release.id.desc())
    ).all()
    return render_template("admin/budgets/index.html", rows=rows, frozen=frozen_budgets(db.session))


@bp.get("/releases/<int:release_id>/budget")
def budget_release(release_id: int):
    """A release's budget: its lines, spends, expected margin and stop-loss."""
    return _budget_page(db.get_or_404(Release, release_id))


@bp.post("/releases/<int:release_id>/budget/lines")
def budget_line_add(release_id: int):
    """Add a line (pressing, ads, …) with its planned cost."""
    release = db.get_or_404(Release, release_id)
    form = LineForm()
    if form.validate_on_submit() and _write(form, add_line, release, form.to_fields()):
        flash(_("Line added."), "success")
        return _back(release)
    return _budget_page(release, line_form=form, status=_status(form))


@bp.route("/budget-lines/<int:line_id>", methods=["GET", "POST"])
def budget_line_edit(line_id: int):
    """Change a line's category, label, planned cost, or whether it is essential."""
    line = db.get_or_404(BudgetLine, line_id)
    release = line.budget.release
    form = LineForm.for_line(line, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate_on_submit() and _write(form, update_line, line, form.to_fields()):
            flash(_("Line saved."), "success")
            return _back(release)
        db.session.refresh(line)
    page = render_template("admin/budgets/line.html", form=form, line=line, release=release)
    return page, _status(form) if request.method == "POST" else 200


@bp.post("/budget-lines/<int:line_id>/remove")
def budget_line_remove(line_id: int):
    """Remove a line that has no spend."""
    line = db.get_or_404(BudgetLine, line_id)
    release = line.budget.release
    form = AdminForm()
    if form.validate_on_submit():
        if _write(form, remove_line, line):
            flash(_("Line removed."), "success")
        else:
            flash(form.form_errors[-1], "error")
    return _back(release)


@bp.post("/releases/<int:release_id>/budget/spends")
def budget_spend_add(release_id: int):
    """Record money spent on a line; the stop-loss is checked here."""
    release = db.get_or_404(Release, release_id)
    budget = budget_of(db.session, release)
    form = SpendForm(budget)
    if not form.validate_on_submit():
        return _budget_page(release, spend_form=form, status=422)
    line = next(line for line in budget.lines if line.id == form.line.data)
    done = _write(
        form,
        record_spend,
        line,
        amount_cents=form.amount.data,
        spent_on=form.spent_on.data,
        note=form.note.data or "",
        actor=current_user.email,
        now=utcnow(),
    )
    if done is None:
        return _budget_page(release, spend_form=form, status=_status(form))
    flash(_("Spend recorded."), "success")
    if done.froze:
        flash(_frozen_message(done.figures), "error")
    return _back(release)


@bp.post("/releases/<int:release_id>/budget/rule")
def budget_rule(release_id: int):
    """Set the stop-loss percent of the expected margin."""
    release = db.get_or_404(Release, release_id)
    form = StopLossForm()
    if form.validate_on_submit() and _write(
        form, set_stop_loss, release, percent=form.percent.data
    ):
        flash(_("Stop-loss saved."), "success")
        return _back(release)
    return _budget_page(release, rule_form=form, status=_status(form))


@bp.post("/releases/<int:release_id>/budget/lift")
def budget_lift(release_id: int):
    """Lift the stop-loss's freeze, saying why."""
    release = db.get_or_404(Release, release_id)
    budget = budget_of(db.session, release)
    form = LiftForm()
    if budget is None:
        form.form_errors.append(_("This budget is not frozen."))
    elif form.validate_on_submit() and _write(
        form, lift_freeze, budget, reason=form.reason.data, actor=current_user.email, now=utcnow()
    ):
        flash(_("Freeze lifted: non-essential lines take spends again."), "success")
        return _back(release)
    return _budget_page(release, lift_form=form, status=_status(form))


def _budget_page(release: Release, *, status: int = 200, **forms):
    budget = budget_of(db.session, release)
    figures = budget_figures(db.session, release.id, budget)
    spends = []
    if budget is not None:
        spends = db.session.scalars(
            select(BudgetSpend)
            .join(BudgetLine, BudgetLine.id == BudgetSpend.line_id)
            .where(BudgetLine.budget_id == budget.id)
            .order_by(BudgetSpend.spent_on.desc(), BudgetSpend.id.desc())
        ).all()
    rule = StopLossForm(formdata=None, percent=figures.percent)
    page = render_template(
        "admin/budgets/release.html",
        release=release,
        budget=budget,
        figures=figures,
        freeze=open_freeze(budget) if budget else None,
        spends=spends,
        line_name=line_name,
        categories=CATEGORY_LABELS,
        line_form=forms.get("line_form") or LineForm(formdata=None),
        spend_form=forms.get("spend_form") or SpendForm(budget, formdata=None),
        rule_form=forms.get("rule_form") or rule,
        lift_form=forms.get("lift_form") or LiftForm(formdata=None),
    )
    return page, status


def _frozen_message(figures) -> str:
    return _(
        "This spend took the non-essential spend to %(spent)s, over the stop-loss limit of "
        "%(limit)s: the budget is frozen. Only essential lines can be paid until it is lifted.",
        spent=_money(figures.counted_cents),
        limit=_money(figures.limit_cents),
    )


@bp.get("/reserve")
def reserve():
    """The opportunity reserve of this year."""
    return redirect(url_for("admin.reserve_year", year=utcnow().year))


@bp.get("/reserve/<int:year>")
def reserve_year(year: int):
    """A year's reserve: its size, what is used and left, the uses waiting for an outcome."""
    return _reserve_page(_year_or_404(year))


@bp.post("/reserve/<int:year>")
def reserve_year_save(year: int):
    """Set the year's budget and the share kept as the reserve."""
    year = _year_or_404(year)
    form = ReserveYearForm()
    if form.validate_on_submit() and _write(
        form,
        set_reserve_year,
        year=year,
        yearly_budget_cents=form.budget.data,
        share_percent=form.share.data,
    ):
        flash(_("Reserve saved."), "success")
        return redirect(url_for("admin.reserve_year", year=year))
    return _reserve_page(year, year_form=form, status=_status(form))


@bp.post("/reserve/<int:year>/uses")
def reserve_use_add(year: int):
    """Use the reserve for an opportunity (never more than is left)."""
    year = _year_or_404(year)
    found = reserve_for(db.session, year)
    form = _use_form(request.form)
    if found is None:
        form.form_errors.append(_("Set the year's budget and reserve first."))
    elif form.validate_on_submit() and _write(
        form,
        record_use,
        found,
        amount_cents=form.amount.data,
        used_on=form.used_on.data,
        reason=form.reason.data,
        release_id=form.release_id,
        actor=current_user.email,
        now=utcnow(),
    ):
        flash(_("Use recorded. Come back to measure what it brought."), "success")
        return redirect(url_for("admin.reserve_year", year=year))
    return _reserve_page(year, use_form=form, status=_status(form))


@bp.route("/reserve/uses/<int:use_id>/outcome", methods=["GET", "POST"])
def reserve_outcome(use_id: int):
    """Record what a use of the reserve brought, afterwards."""
    use = db.get_or_404(ReserveUse, use_id)
    form = OutcomeForm(formdata=None, outcome=use.outcome, outcome_cents=use.outcome_cents)
    if request.method == "POST":
        form = OutcomeForm()
        if form.validate_on_submit() and _write(
            form,
            record_outcome,
            use,
            outcome=form.outcome.data,
            outcome_cents=form.outcome_cents.data,
            now=utcnow(),
        ):
            flash(_("Outcome saved."), "success")
            return redirect(url_for("admin.reserve_year", year=use.reserve.year))
        db.session.refresh(use)
    page = render_template("admin/budgets/outcome.html", form=form, use=use)
    return page, _status(form) if request.method == "POST" else 200


def _reserve_page(year: int, *, status: int = 200, **forms):
    found = reserve_for(db.session, year)
    page = render_template(
        "admin/budgets/reserve.html",
        year=year,
        reserve=found,
        figures=reserve_figures(db.session, found),
        year_form=forms.get("year_form") or ReserveYearForm.for_reserve(found),
        use_form=forms.get("use_form") or _use_form(None),
    )
    return page, status


def _use_form(formdata) -> ReserveUseForm:
    releases = db.session.scalars(select(Release).order_by(Release.title)).all()
    return ReserveUseForm(list(releases), formdata=formdata)


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


def _write(form: AdminForm, service, *args, **kwargs):
    """`service(db.session, *args, **kwargs)`'s result (True when it returns nothing);
    None when a budget rule refused it: its message is then on the form, by its field,
    and `_status(form)` is the refusal's status."""
    try:
        return service(db.session, *args, **kwargs) or True
    except BudgetRefused as refusal:
        form.apply_refusal(refusal)
        form.refused_status = refusal.status
        return None


def _status(form: AdminForm) -> int:
    return getattr(form, "refused_status", 422)


def _back(release: Release):
    return redirect(url_for("admin.budget_release", release_id=release.id))


def _money(cents: int) -> str:
    return format_cents(cents, locale=str(get_locale() or "en"))
