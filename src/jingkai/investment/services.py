"""Investment verbs and figures. Views, the API, the importer and the demo call these.

- create_project / update_project: the ledger row, with the stage gate of its stage;
- move_stage: one step forward at a time, its stage's fields required; backwards or skipping is refused
  unless a zone administrator records a reason; writes the stage log and the milestone's actual date;
  an approved capital increase adds a CapitalChange to its enterprise;
- set_status, add_arrival, add_follow_up;
- summary / monthly: the six official figures of any period, as sums of dated facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from jingkai.core.dates import month_start
from jingkai.core.money import YI, Currency, format_money
from jingkai.enterprises.choices import HMT_COUNTRIES, CapitalChangeKind, Origin
from jingkai.enterprises.models import CapitalChange, Enterprise
from jingkai.investment import gates
from jingkai.investment.gates import STAGE_DATE_FIELD, STAGE_VALUE_FIELDS
from jingkai.investment.models import (
    ARRIVAL_CURRENCY,
    STAGE_ORDER,
    Arrival,
    ArrivalKind,
    ExchangeRate,
    Figure,
    FollowUp,
    Milestone,
    Project,
    ProjectKind,
    Stage,
    StageEvent,
    Status,
)
from jingkai.investment.permissions import can_edit_ledger
from jingkai.investment.queries import with_rag  # noqa: F401 (the API and views call services.with_rag)

EDITABLE_FIELDS = [
    "code",
    "name",
    "investor",
    "country",
    "origin",
    "industry_code",
    "chain",
    "kind",
    "total_investment",
    "total_investment_currency",
    "registered_capital_increase",
    "expected_output",
    "owner",
    "enterprise",
    "park",
    "land_area_mu",
    "leased_area_sqm",
    "first_contact_on",
    "contract_on",
    "contract_foreign_capital",
    "approval_on",
    "approval_number",
    "started_on",
    "production_on",
    "full_production_on",
    "key_project_on",
    "note",
]


def today() -> dt.date:
    return timezone.localdate()


def _require_staff(user) -> None:
    if not can_edit_ledger(user):
        raise PermissionDenied(_("Only investment-attraction staff may change the project ledger."))


def field_label(name: str) -> str:
    return str(Project._meta.get_field(name).verbose_name)


def _values_of(project: Project) -> dict:
    return {name: getattr(project, name) for name in EDITABLE_FIELDS}


def clean_project_data(values: dict, stage: str) -> dict:
    """Cross-field rules shared by forms, the API and the importer. Raises ValidationError by field."""
    errors: dict[str, list[str]] = defaultdict(list)
    origin = values.get("origin") or Origin.DOMESTIC
    country = (values.get("country") or "").upper()
    values["country"] = country
    if origin == Origin.DOMESTIC and country:
        errors["country"].append(_("A domestic project has no investor country."))
    if origin == Origin.FOREIGN and (not country or country in HMT_COUNTRIES):
        errors["country"].append(
            _("A foreign-funded project needs its investor country (HK, MO and TW count as HMT capital).")
        )
    if origin == Origin.HMT and country not in HMT_COUNTRIES:
        errors["country"].append(_("Hong Kong, Macao and Taiwan capital must come from HK, MO or TW."))
    if origin == Origin.DOMESTIC and values.get("contract_foreign_capital") is not None:
        errors["contract_foreign_capital"].append(_("A domestic project has no contracted foreign capital."))
    for name in (
        "total_investment",
        "registered_capital_increase",
        "expected_output",
        "contract_foreign_capital",
        "land_area_mu",
        "leased_area_sqm",
    ):
        value = values.get(name)
        if value is not None and value < 0:
            errors[name].append(_("Must not be negative."))
    dates = [(n, values.get(n)) for n in ("contract_on", "approval_on", "started_on", "production_on")]
    dates.append(("full_production_on", values.get("full_production_on")))
    known = [(n, d) for n, d in dates if d is not None]
    for (first, a), (second, b) in zip(known, known[1:], strict=False):
        if b < a:
            errors[second].append(
                _("Must not be before the %(field)s (%(date)s).") % {"field": field_label(first), "date": a}
            )
    # The stage gates (gates.py): what the stage and those before it require.
    for name, message in gates.missing(values, stage):
        errors[name].append(message)
    if errors:
        raise ValidationError(dict(errors))
    return values


def _save(project: Project, user, reason: str = "") -> Project:
    project._history_user = user
    project.full_clean(exclude=["capital_change"])
    project.save()
    if reason:
        update_change_reason(project, reason)
    return project


@transaction.atomic
def create_project(
    data: Mapping, user, *, stage: str = Stage.LEAD, on: dt.date | None = None, note: str = ""
):
    """A new ledger row at a stage (the importer creates rows at any stage; the stage gate applies)."""
    _require_staff(user)
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("Unknown stage.")})
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    values = clean_project_data(values, stage)
    project = Project(**values, stage=stage)
    _save(project, user)
    date = getattr(project, STAGE_DATE_FIELD[stage]) if stage in STAGE_DATE_FIELD else None
    StageEvent.objects.create(
        project=project, from_stage="", to_stage=stage, on=date or on or today(), by=user, note=note
    )
    Milestone.objects.filter(project=project, stage=stage, actual_on__isnull=True).update(actual_on=date)
    if stage_reached(stage, Stage.APPROVED):
        record_capital_increase(project, user)
    return project


def stage_reached(current: str, stage: str) -> bool:
    return STAGE_ORDER.index(current) >= STAGE_ORDER.index(stage)


# What record_capital_increase wrote to the enterprise from: fixed once the increase is booked.
BOOKED_FIELDS = frozenset(
    {
        "kind",
        "enterprise",
        "approval_on",
        "total_investment",
        "total_investment_currency",
        "registered_capital_increase",
    }
)


@transaction.atomic
def update_project(project: Project, data: Mapping, user, *, reason: str = "") -> Project:
    """Change ledger fields; the row must still satisfy its stage's gate. Changes nothing if nothing changed."""
    _require_staff(user)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    values = _values_of(locked) | {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    values = clean_project_data(values, locked.stage)
    changes = {k: v for k, v in values.items() if getattr(locked, k) != v}
    if not changes:
        return locked
    booked = BOOKED_FIELDS & changes.keys()
    if locked.capital_change_id and booked:
        # The enterprise's CapitalChange and totals were written from these figures: changing them here would
        # leave the registry silently on the old ones.
        change = locked.capital_change
        raise ValidationError(
            {
                field: _(
                    "The capital increase of %(date)s is booked on the enterprise from this value; correct the "
                    "enterprise's capital change first, or ask an administrator."
                )
                % {"date": change.changed_on}
                for field in sorted(booked)
            }
        )
    for key, value in changes.items():
        setattr(locked, key, value)
    _save(locked, user, reason)
    if stage_reached(locked.stage, Stage.APPROVED):
        record_capital_increase(locked, user)
    return locked


class StageRefused(ValidationError):
    """A stage move that the rules refuse; the message says why."""


@transaction.atomic
def move_stage(
    project: Project,
    to_stage: str,
    user,
    *,
    values: Mapping | None = None,
    on: dt.date | None = None,
    override_reason: str = "",
    note: str = "",
) -> Project:
    """Move a project to another stage.

    One step forward at a time, with the target stage's fields (given in values or already recorded).
    Backwards or skipping stages is refused with the reason, unless a zone administrator gives a reason
    for overriding, which the stage log keeps. A terminated project does not move.
    """
    _require_staff(user)
    if to_stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("Unknown stage.")})
    locked = Project.objects.select_for_update().get(pk=project.pk)
    override_reason = (override_reason or "").strip()
    current, target = STAGE_ORDER.index(locked.stage), STAGE_ORDER.index(to_stage)
    if locked.status == Status.TERMINATED:
        raise StageRefused({"stage": _("The project is terminated; change its status before moving it.")})
    refusal = None
    if target == current:
        raise StageRefused({"stage": _("The project is already at this stage.")})
    if target < current:
        refusal = _("Moving back from “%(current)s” to “%(target)s” is not allowed.") % {
            "current": Stage(locked.stage).label,
            "target": Stage(to_stage).label,
        }
    elif target > current + 1:
        refusal = _("Stages cannot be skipped: the next stage after “%(current)s” is “%(next)s”.") % {
            "current": Stage(locked.stage).label,
            "next": Stage(STAGE_ORDER[current + 1]).label,
        }
    if refusal:
        if not user.is_zone_admin:
            raise StageRefused({"stage": refusal + " " + _("Only a zone administrator may override it.")})
        if not override_reason:
            raise StageRefused(
                {"override_reason": refusal + " " + _("Give a reason to override it as administrator.")}
            )
    allowed = {k: v for k, v in (values or {}).items() if k in STAGE_VALUE_FIELDS}
    merged = _values_of(locked) | allowed
    if target > current:
        merged = clean_project_data(merged, to_stage)
    for key in allowed:
        setattr(locked, key, merged[key])
    from_stage = locked.stage
    locked.stage = to_stage
    _save(locked, user, override_reason or note)
    date_field = STAGE_DATE_FIELD.get(to_stage)
    event_on = (getattr(locked, date_field) if date_field and target > current else None) or on or today()
    StageEvent.objects.create(
        project=locked,
        from_stage=from_stage,
        to_stage=to_stage,
        on=event_on,
        by=user,
        override_reason=override_reason,
        note=note,
    )
    if target > current:
        Milestone.objects.filter(project=locked, stage=to_stage, actual_on__isnull=True).update(
            actual_on=event_on
        )
        if stage_reached(to_stage, Stage.APPROVED):
            record_capital_increase(locked, user)
    return locked


@transaction.atomic
def advance_to(project: Project, to_stage: str, user, *, note: str = "") -> Project:
    """Record that a project has reached a later stage, as the ledger import does.

    The ledger carries the date of every stage, so a row may move several stages at once when the
    fields of each are there; it never moves a project back (the importer refuses that row).
    """
    _require_staff(user)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    current, target = STAGE_ORDER.index(locked.stage), STAGE_ORDER.index(to_stage)
    if target <= current:
        raise StageRefused({"stage": _("An import does not move a project back.")})
    clean_project_data(_values_of(locked), to_stage)
    from_stage, locked.stage = locked.stage, to_stage
    _save(locked, user, note)
    for stage in STAGE_ORDER[current + 1 : target + 1]:
        date_field = STAGE_DATE_FIELD.get(stage)
        on = getattr(locked, date_field) if date_field else today()
        StageEvent.objects.create(
            project=locked, from_stage=from_stage, to_stage=stage, on=on, by=user, note=note
        )
        Milestone.objects.filter(project=locked, stage=stage, actual_on__isnull=True).update(actual_on=on)
        from_stage = stage
    if stage_reached(to_stage, Stage.APPROVED):
        record_capital_increase(locked, user)
    return locked


def record_capital_increase(project: Project, user) -> CapitalChange | None:
    """An approved 增资 project adds one CapitalChange to its enterprise (once), and updates its totals.

    before = the enterprise's current registered capital / total investment; after = before + the increase.
    The increase must be in the enterprise's currency: amounts are never converted silently.
    """
    if project.kind != ProjectKind.INCREASE or project.enterprise_id is None or project.capital_change_id:
        return None
    if project.approval_on is None or project.total_investment is None:
        return None
    enterprise = Enterprise.objects.select_for_update().get(pk=project.enterprise_id)
    currency = project.total_investment_currency
    for field in ("registered_capital_currency", "total_investment_currency"):
        if getattr(enterprise, field) != currency:
            raise ValidationError(
                {
                    "total_investment_currency": _(
                        "The enterprise keeps its capital in %(theirs)s; enter the increase in %(theirs)s."
                    )
                    % {"theirs": getattr(enterprise, field)}
                }
            )
    rc_before, ti_before = enterprise.registered_capital, enterprise.total_investment
    rc_add = project.registered_capital_increase or Decimal(0)
    change = CapitalChange(
        enterprise=enterprise,
        changed_on=project.approval_on,
        kind=CapitalChangeKind.INCREASE,
        currency=currency,
        registered_capital_before=rc_before,
        registered_capital_after=(rc_before or Decimal(0)) + rc_add,
        total_investment_before=ti_before,
        total_investment_after=(ti_before or Decimal(0)) + project.total_investment,
        note=_("Investment project %(code)s") % {"code": project.code},
    )
    change._history_user = user
    change.save()
    enterprise.registered_capital = change.registered_capital_after
    enterprise.total_investment = change.total_investment_after
    enterprise._history_user = user
    enterprise.save(update_fields=["registered_capital", "total_investment", "updated_at"])
    update_change_reason(enterprise, change.note)
    Project.objects.filter(pk=project.pk).update(capital_change=change)
    project.capital_change = change
    return change


@transaction.atomic
def set_status(
    project: Project, status: str, user, *, reason: str = "", on: dt.date | None = None
) -> Project:
    """正常 / 延期 / 停滞 / 终止, apart from the stage; anything but normal carries a reason and a date."""
    _require_staff(user)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    reason = (reason or "").strip()
    if status != Status.NORMAL and not reason:
        raise ValidationError({"status_reason": _("Give the reason for this status.")})
    locked = Project.objects.select_for_update().get(pk=project.pk)
    locked.status, locked.status_reason, locked.status_on = status, reason, on or today()
    return _save(locked, user, reason)


@transaction.atomic
def add_arrival(project: Project, data: Mapping, user) -> Arrival:
    """A dated arrival: 实到外资 in USD, 实到内资 in RMB. Any other currency is refused, never converted."""
    _require_staff(user)
    kind = data.get("kind")
    errors: dict[str, list[str]] = {}
    if kind not in ArrivalKind.values:
        errors["kind"] = [_("Unknown kind of arrival.")]
    else:
        currency = data.get("currency") or ARRIVAL_CURRENCY[ArrivalKind(kind)]
        if currency != ARRIVAL_CURRENCY[ArrivalKind(kind)]:
            errors["currency"] = [
                _("%(kind)s is counted in %(currency)s only; convert it before entering it.")
                % {"kind": ArrivalKind(kind).label, "currency": ARRIVAL_CURRENCY[ArrivalKind(kind)]}
            ]
        if kind == ArrivalKind.FOREIGN and project.origin == Origin.DOMESTIC:
            errors["kind"] = [_("A domestic project has no foreign capital arrivals.")]
    amount = data.get("amount")
    if amount is None or amount <= 0:
        errors["amount"] = [_("The amount must be positive.")]
    if data.get("on") is None:
        errors["on"] = [_("Required.")]
    if errors:
        raise ValidationError(errors)
    arrival = Arrival(
        project=project, on=data["on"], kind=kind, amount=amount, currency=currency, note=data.get("note", "")
    )
    arrival._history_user = user
    arrival.full_clean()
    arrival.save()
    return arrival


@transaction.atomic
def add_follow_up(project: Project, data: Mapping, user) -> FollowUp:
    _require_staff(user)
    row = FollowUp(
        project=project,
        on=data.get("on") or today(),
        kind=data.get("kind") or FollowUp.Kind.VISIT,
        note=data.get("note", ""),
        by=user,
    )
    row._history_user = user
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def set_milestone(project: Project, stage: str, planned_on: dt.date, user) -> Milestone:
    _require_staff(user)
    row, _created = Milestone.objects.get_or_create(
        project=project, stage=stage, defaults={"planned_on": planned_on}
    )
    if row.planned_on != planned_on:
        row.planned_on = planned_on
        row._history_user = user
        row.save()
    return row


# --- Figures --------------------------------------------------------------------------------------

FIGURE_CURRENCY = {
    Figure.CONTRACT_FOREIGN: Currency.USD,
    Figure.FOREIGN_ARRIVED: Currency.USD,
    Figure.DOMESTIC_ARRIVED: Currency.CNY,
}
GROUPINGS = {"country": "country", "chain": "chain__name", "owner": "owner__username"}


def rates_for(months: Iterable[dt.date], currencies: Iterable[str]) -> dict[tuple[dt.date, str], Decimal]:
    rows = ExchangeRate.objects.filter(month__in=set(months), currency__in=set(currencies))
    return {(r.month, r.currency): r.rate_to_cny for r in rows}


def above_yi(total, currency, rate: Decimal | None) -> bool | None:
    """≥ 1亿元: RMB as is; another currency at the filing month's rate; None when that rate is missing."""
    if total is None:
        return False
    if currency == Currency.CNY:
        return total >= YI
    if rate is None:
        return None
    return total * rate >= YI


def figure_events(projects, date_from: dt.date, date_to: dt.date) -> tuple[list[tuple], list[str]]:
    """Every dated fact of the period as (figure, date, project_id, value), and notes on what was not counted.

    A constant number of queries, whatever the period.
    """
    events: list[tuple] = []
    notes: list[str] = []
    span = {"__range": (date_from, date_to)}

    def rng(field):
        return {f"{field}{k}": v for k, v in span.items()}

    approved = list(
        projects.filter(**rng("approval_on")).values(
            "id", "code", "approval_on", "total_investment", "total_investment_currency"
        )
    )
    rates = rates_for(
        [month_start(p["approval_on"]) for p in approved],
        [p["total_investment_currency"] for p in approved if p["total_investment_currency"] != Currency.CNY],
    )
    for p in approved:
        events.append((Figure.APPROVED, p["approval_on"], p["id"], 1))
        currency = p["total_investment_currency"]
        month = month_start(p["approval_on"])
        big = above_yi(p["total_investment"], currency, rates.get((month, currency)))
        if big:
            events.append((Figure.ABOVE_YI, p["approval_on"], p["id"], 1))
        elif big is None:
            notes.append(
                _(
                    "%(code)s: no %(currency)s rate for %(month)s, so its total investment could not be compared with 1亿元"
                )
                % {"code": p["code"], "currency": currency, "month": f"{month:%Y-%m}"}
            )
    for p in projects.filter(**rng("contract_on"), contract_foreign_capital__isnull=False).values(
        "id", "contract_on", "contract_foreign_capital"
    ):
        events.append((Figure.CONTRACT_FOREIGN, p["contract_on"], p["id"], p["contract_foreign_capital"]))
    for p in projects.filter(**rng("key_project_on")).values("id", "key_project_on"):
        events.append((Figure.KEY_PROJECTS, p["key_project_on"], p["id"], 1))
    arrivals = Arrival.objects.filter(project__in=projects.values("pk"), **rng("on")).values(
        "project_id", "on", "kind", "amount", "currency"
    )
    for a in arrivals:
        figure = Figure.FOREIGN_ARRIVED if a["kind"] == ArrivalKind.FOREIGN else Figure.DOMESTIC_ARRIVED
        if a["currency"] != FIGURE_CURRENCY[figure]:  # the database constraint forbids it; never sum it
            raise ValueError(f"arrival in {a['currency']} cannot count as {figure}")
        events.append((figure, a["on"], a["project_id"], a["amount"]))
    return events, notes


def _display(figure: str, value) -> str:
    if figure in FIGURE_CURRENCY:
        return format_money(value, FIGURE_CURRENCY[figure], unit="亿", places=2)
    number = Decimal(value)  # a count: 60, not the target column's 60.00
    return str(int(number)) if number == number.to_integral_value() else f"{number.normalize():f}"


def _totals(events: Iterable[tuple]) -> dict:
    sums: dict[str, Decimal | int] = {f.value: (Decimal(0) if f in FIGURE_CURRENCY else 0) for f in Figure}
    for figure, _day, _pid, value in events:
        sums[figure] += value
    return {
        figure: {
            "label": str(Figure(figure).label),
            "value": value,
            "currency": FIGURE_CURRENCY.get(figure, ""),
            "display": _display(figure, value),
        }
        for figure, value in sums.items()
    }


def summary(user, date_from: dt.date, date_to: dt.date, by: str | None = None) -> dict:
    """The six official figures of [date_from, date_to] over the projects the user may see.

    user None: every project (the command line, run by the zone's operators).
    """
    if date_to < date_from:
        raise ValidationError({"to": _("The end of the period is before its start.")})
    if by is not None and by not in GROUPINGS:
        raise ValidationError({"by": _("Group by country, chain or owner.")})
    projects = Project.objects.all() if user is None else Project.objects.visible_to(user)
    events, notes = figure_events(projects, date_from, date_to)
    result = {"from": date_from, "to": date_to, "figures": _totals(events), "notes": notes, "groups": []}
    if by:
        ids = {e[2] for e in events}
        keys = dict(Project.objects.filter(pk__in=ids).values_list("pk", GROUPINGS[by]))
        grouped: dict[str, list] = defaultdict(list)
        for e in events:
            grouped[keys.get(e[2]) or ""].append(e)
        result["groups"] = [
            {"key": key, "label": _group_label(by, key), "figures": _totals(rows)}
            for key, rows in sorted(grouped.items())
        ]
    return result


def _group_label(by: str, key: str) -> str:
    from jingkai.enterprises.choices import COUNTRY_NAMES

    if not key:
        # No investor country is domestic capital; no chain or owner is said as such, not "(none)".
        return {"country": _("Domestic capital"), "chain": _("Not in a chain")}.get(by, _("Not assigned"))
    if by == "country":
        return COUNTRY_NAMES.get(key, (key,))[0]
    return key


def monthly(user, year: int) -> list[dict]:
    """Month by month and year to date, for the figures page's chart and the city's monthly report."""
    projects = Project.objects.all() if user is None else Project.objects.visible_to(user)
    events, _notes = figure_events(projects, dt.date(year, 1, 1), dt.date(year, 12, 31))
    out, running = [], []
    for month in range(1, 13):
        of_month = [e for e in events if e[1].month == month]
        running += of_month
        out.append({"month": month, "month_figures": _totals(of_month), "to_date": _totals(running)})
    return out
