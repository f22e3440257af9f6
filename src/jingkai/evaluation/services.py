"""The verbs of the evaluation (issue 14): methods, inputs, runs, publication, objections, the policy table.

Every verb runs in one transaction and leaves history (simple-history on methods, inputs, runs, objections).

- ``save_method(definition, user, year=None)``: validate (``Method.from_dict``) and store a method; a version used
  by a published run is frozen, so a changed definition of the same code gets the next version;
  ``copy_method(source, year, user)`` starts a year from another year's method (``Method.copy_for_year``);
- ``assemble_inputs(year, user)``: every industrial enterprise with a 规上/规下 status for the year gets its input
  row: revenue, R&D, output, tax (税金总额, until an import gives 实缴税金), energy and average employees from the
  December statistics (万元; the statistics are in 元), own land from the registry, flags from the honours valid at
  the year's end; a figure that came from an import or a manual correction is never overwritten by assembly;
- ``input_frame(year)``: the engine's input columns for the year (one query);
- ``run(year, user, method=None)``: evaluate and store the results as the run's current revision; a draft is
  replaced in place, a published or final run gets a new revision (earlier revisions are kept);
- ``publish(run, user, days)`` / ``finalise(run, user)``: only zone administrators; publishing opens objections
  for ``days`` official working days;
- ``file_objection(run, enterprise, text, user)``: an enterprise contact (or staff for it) objects while the
  window is open; the objection is a demand of category 亩均评价异议 in the pool;
- ``correct_input(row, changes, user, reason)``: an input corrected (with history); ``rerun`` afterwards.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from jingkai.core.calendar import WorkingCalendar
from jingkai.core.models import Role
from jingkai.demands.choices import Channel
from jingkai.demands.models import DemandCategory
from jingkai.demands.services import submit_demand
from jingkai.enterprises.choices import HonourKind, HonourLevel
from jingkai.enterprises.models import AnnualScale, Enterprise, Honour
from jingkai.enterprises.queries import valid_honour_q
from jingkai.evaluation import engine
from jingkai.evaluation.method import Method, MethodError
from jingkai.evaluation.models import (
    FLAG_NAMES,
    LAND_FIELDS,
    NUMBER_FIELDS,
    EvaluationInput,
    EvaluationMethod,
    EvaluationResult,
    EvaluationRun,
    Objection,
    PolicyMeasure,
    Population,
    RunStatus,
)
from jingkai.evaluation.permissions import can_manage_evaluation, can_object
from jingkai.stats.models import MonthlyReport

OBJECTION_CATEGORY = "evaluation-objection"
OBJECTION_CATEGORY_NAME = "亩均评价异议"
DEFAULT_OBJECTION_DAYS = 5  # official working days (a zone sets its own when publishing)
WAN = Decimal(10_000)
# Statistics measure → input field, with the divisor from the statistics' unit (元 → 万元).
FROM_STATS = {
    "revenue": ("revenue_cum", WAN),
    "rd": ("rd_cum", WAN),
    "output": ("output_cum", WAN),
    "tax": ("tax_cum", WAN),  # 税金总额: the import's 实缴税金 replaces it
    "energy_tce": ("energy_cum", Decimal(1)),
    "employees": ("employees_cum", Decimal(1)),
}
EDITABLE = (*NUMBER_FIELDS, *LAND_FIELDS, "land_override_mu", "land_override_reason", "flags")


class EvaluationRefused(ValidationError):
    """A run the engine refused (bad inputs, or a method that cannot be computed on them), with its messages."""


def _require_manager(user) -> None:
    if not can_manage_evaluation(user):
        raise PermissionDenied(_("Only a zone administrator may run or publish the evaluation."))


# --- methods -------------------------------------------------------------------------------------------


@transaction.atomic
def save_method(definition: dict, user, *, reason: str = "") -> EvaluationMethod:
    """Validate and store a method definition; a frozen version (used by a published run) is never changed:
    the definition is stored as the next version of its code instead. Raises MethodError (located)."""
    _require_manager(user)
    method = Method.from_dict(definition)
    row = (
        EvaluationMethod.objects.select_for_update().filter(code=method.code, version=method.version).first()
    )
    if row is not None and row.digest == method.digest:
        return row
    if row is not None and row.is_frozen:
        latest = EvaluationMethod.objects.filter(code=method.code).order_by("-version").first()
        method = Method.from_dict(method.to_dict() | {"version": latest.version + 1})
        row = None
    if row is None:
        row = EvaluationMethod(code=method.code, version=method.version)
    row.year, row.name = method.year, method.name
    row.definition, row.digest = method.to_dict(), method.digest
    row._history_user = user
    row.save()
    if reason:
        update_change_reason(row, reason)
    return row


def copy_method(source: EvaluationMethod, year: int, user, *, code: str | None = None) -> EvaluationMethod:
    """Start the year from another year's method (version 1 of a new code, e.g. pinghu-2024)."""
    base = source.code.rsplit("-", 1)[0] if source.code[-4:].isdigit() else source.code
    method = source.method().copy_for_year(year, code or f"{base}-{year}")
    old_year = str(source.year)
    if old_year in method.name:  # "…2022年度…" becomes "…2024年度…"
        method = Method.from_dict(method.to_dict() | {"name": method.name.replace(old_year, str(year))})
    return save_method(method.to_dict(), user, reason=_("Copied from %(method)s") % {"method": source})


def previous_method(year: int) -> EvaluationMethod | None:
    """The method a new year starts from: the latest version of the latest earlier year."""
    return EvaluationMethod.objects.filter(year__lt=year).order_by("-year", "-version", "-pk").first()


def set_up_year(year: int, user) -> EvaluationMethod:
    """A year's method, copied from the latest earlier year's (ValidationError when there is none)."""
    source = previous_method(year)
    if source is None:
        raise ValidationError(_("There is no earlier year's method to copy."))
    return copy_method(source, year, user)


def preview_counts(year: int, methods: dict[str, Method]) -> dict:
    """The year's current inputs evaluated with each of the methods, nothing saved (the method editor's preview):
    {"rows", "errors", "<name>": {population: PopulationSummary}}; last year's means as a run would take them."""
    frame = engine.check_inputs(input_frame(year))
    means = last_year_means(year)
    out: dict = {"rows": frame.frame.height, "errors": []}
    for name, method in methods.items():
        try:
            out[name] = engine.evaluate(frame, method, last_year_means=means).populations
        except (engine.EvaluationInputError, MethodError) as error:
            out["errors"] += error.errors
            out[name] = {}
        except engine.EvaluationError as error:
            out["errors"].append(str(error))
            out[name] = {}
    return out


def method_for(year: int) -> EvaluationMethod | None:
    """The method a run of the year uses unless told otherwise: the latest version for the year."""
    return EvaluationMethod.objects.filter(year=year).order_by("-version", "-pk").first()


# --- inputs --------------------------------------------------------------------------------------------


def _honour_flags(year: int, ids: list[int]) -> dict[int, dict[str, int]]:
    """high_tech, specialised (专精特新 or 小巨人) and rd_institutions (provincial or national R&D centres)
    valid on the year's last day."""
    valid = Honour.objects.filter(valid_honour_q(dt.date(year, 12, 31)), enterprise_id__in=ids)
    out: dict[int, dict[str, int]] = {}
    for enterprise_id, kind, level in valid.values_list("enterprise_id", "kind", "level"):
        flags = out.setdefault(enterprise_id, {})
        if kind == HonourKind.HIGH_TECH:
            flags["high_tech"] = 1
        elif kind in (HonourKind.SPECIALISED, HonourKind.LITTLE_GIANT) and level in (
            HonourLevel.PROVINCIAL,
            HonourLevel.NATIONAL,
        ):
            flags["specialised"] = 1  # 省级及以上 (the method's evidence)
        elif kind == HonourKind.RND_CENTRE and level in (HonourLevel.PROVINCIAL, HonourLevel.NATIONAL):
            flags["rd_institutions"] = flags.get("rd_institutions", 0) + 1
    return out


def _kept(row: EvaluationInput, field: str) -> bool:
    """A figure an import or a person gave is not replaced by assembly."""
    source = row.sources.get(field, "")
    return source.startswith("import") or source == "manual"


@transaction.atomic
def assemble_inputs(year: int, user) -> dict[str, int]:
    """Create or refresh the year's input rows from the statistics, the registry and the honours (see module)."""
    _require_manager(user)
    scales = dict(
        AnnualScale.objects.filter(year=year, enterprise__industry_code__regex=r"^[BCD]").values_list(
            "enterprise_id", "above_size"
        )
    )
    ids = list(scales)
    december = dt.date(year, 12, 1)
    columns = [column for column, _divisor in FROM_STATS.values()]
    stats = {
        row["enterprise_id"]: row
        for row in MonthlyReport.objects.filter(period=december, enterprise_id__in=ids).values(
            "enterprise_id", *columns
        )
    }
    registry = {
        row["id"]: row
        for row in Enterprise.objects.filter(pk__in=ids).values(
            "id", "industry_code", "founded_on", "land_area_mu"
        )
    }
    flags = _honour_flags(year, ids)
    existing = {
        row.enterprise_id: row for row in EvaluationInput.objects.select_for_update().filter(year=year)
    }
    created = updated = 0
    for enterprise_id in ids:
        reg = registry[enterprise_id]
        row = existing.get(enterprise_id) or EvaluationInput(enterprise_id=enterprise_id, year=year)
        before = _snapshot(row)
        row.population = Population.ABOVE if scales[enterprise_id] else Population.BELOW
        row.industry = reg["industry_code"] or ""
        row.founded_year = reg["founded_on"].year if reg["founded_on"] else None
        sources = dict(row.sources)
        report = stats.get(enterprise_id)
        for field, (column, divisor) in FROM_STATS.items():
            if _kept(row, field) or report is None or report[column] is None:
                continue
            setattr(row, field, (Decimal(report[column]) / divisor).quantize(Decimal("0.0001")))
            sources[field] = "stats"
        if not _kept(row, "land_own_mu") and reg["land_area_mu"] is not None:
            row.land_own_mu = reg["land_area_mu"]
            sources["land_own_mu"] = "registry"
        merged = {
            k: v
            for k, v in row.flags.items()
            if sources.get(f"flag_{k}", "").startswith(("import", "manual"))
        }
        for name, value in flags.get(enterprise_id, {}).items():
            if name not in merged:
                merged[name] = value
                sources[f"flag_{name}"] = "honours"
        row.flags, row.sources = merged, sources
        if row.pk is None:
            row._history_user = user
            row.save()
            created += 1
        elif _snapshot(row) != before:
            row._history_user = user
            row.save()
            updated += 1
    return {"created": created, "updated": updated, "enterprises": len(ids)}


def _snapshot(row: EvaluationInput) -> tuple:
    return tuple(getattr(row, f) for f in (*EDITABLE, "population", "industry", "founded_year", "sources"))


@transaction.atomic
def correct_input(row: EvaluationInput, changes: dict, user, *, reason: str) -> EvaluationInput:
    """A person's correction of some inputs (after an objection, say): recorded with the reason, marked "manual"
    so that assembly keeps it. A land override needs its reason."""
    _require_manager(user)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the correction.")]})
    locked = EvaluationInput.objects.select_for_update().get(pk=row.pk)
    sources = dict(locked.sources)
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ValidationError({field: [_("This input cannot be corrected here.")]})
        if field == "flags":
            for name in value:
                if name not in FLAG_NAMES:
                    raise ValidationError({"flags": [_("Unknown flag: %(name)s") % {"name": name}]})
                sources[f"flag_{name}"] = "manual"
            value = locked.flags | value
        else:
            sources[field] = "manual"
        setattr(locked, field, value)
    if locked.land_override_mu is not None and not locked.land_override_reason.strip():
        raise ValidationError({"land_override_reason": [_("An override of the land used needs its reason.")]})
    locked.sources = sources
    locked._history_user = user
    locked.full_clean()
    locked.save()
    update_change_reason(locked, reason)
    return locked


def input_frame(year: int) -> pl.DataFrame:
    """The engine's input columns for the year's input rows (one query, read as tuples, not model instances)."""
    fields = ("enterprise_id", "population", "industry", "founded_year", *NUMBER_FIELDS, *LAND_FIELDS,
              "land_override_mu", "flags")  # fmt: skip
    rows = EvaluationInput.objects.filter(year=year).order_by("enterprise_id").values_list(*fields)
    data: dict[str, list] = {name: [] for name in ("enterprise_id", "population", "land_mu", "industry",
                                                    "founded_year", *NUMBER_FIELDS)}  # fmt: skip
    flags: dict[str, list] = {name: [] for name in FLAG_NAMES}
    first_number, first_land = 4, 4 + len(NUMBER_FIELDS)
    for row in rows:
        data["enterprise_id"].append(row[0])
        data["population"].append(row[1])
        data["industry"].append(row[2] or None)
        data["founded_year"].append(row[3])
        for index, field in enumerate(NUMBER_FIELDS, start=first_number):
            data[field].append(None if row[index] is None else float(row[index]))
        own, out, leased, override = row[first_land : first_land + 4]
        if override is not None:
            land = float(override)
        elif own is None and leased is None:
            land = None  # as EvaluationInput.land_mu
        else:
            land = float(own or 0) - float(out or 0) + float(leased or 0)
        data["land_mu"].append(land)
        given = row[-1] or {}
        for name in FLAG_NAMES:
            flags[name].append(int(given.get(name) or 0))
    schema = {"enterprise_id": pl.Int64, "population": pl.String, "land_mu": pl.Float64, "industry": pl.String,
              "founded_year": pl.Int64} | dict.fromkeys(NUMBER_FIELDS, pl.Float64)  # fmt: skip
    frame = pl.DataFrame(data, schema=schema)
    return frame.with_columns(
        pl.Series(f"flag_{name}", values, dtype=pl.Int64) for name, values in flags.items()
    )


# --- runs ----------------------------------------------------------------------------------------------


def last_year_means(year: int) -> dict | None:
    previous = EvaluationRun.objects.filter(year=year - 1).exclude(status=RunStatus.DRAFT).first()
    return (previous.summary or {}).get("means") if previous else None


def _summary(evaluation: engine.Evaluation) -> dict:
    return {
        "populations": {
            code: {
                "label": s.label,
                "rows": s.rows,
                "scored": s.scored,
                "classed": s.classed,
                "excluded": s.excluded,
                "benchmarks": s.benchmarks,
                "class_counts": s.class_counts,
                "boundaries": s.boundaries,
                "reasons": s.reasons,
                "mean_points": s.mean_points,
            }
            for code, s in evaluation.populations.items()
        },
        "means": evaluation.last_year_means(),
        "warnings": evaluation.warnings,
    }


def _none(value):
    if value is None:
        return None
    return value if not isinstance(value, float) or value == value else None


def _result_rows(run: EvaluationRun, evaluation: engine.Evaluation, method: Method) -> list[EvaluationResult]:
    rows = []
    for code, part in evaluation.parts.items():
        indicators = (
            [ind.code for ind in method.populations[code].indicators] if code in method.populations else []
        )
        for r in part.iter_rows(named=True):
            rows.append(
                EvaluationResult(
                    run=run,
                    revision=run.revision,
                    enterprise_id=r["enterprise_id"],
                    population=code,
                    status=str(r["status"]),
                    reason=str(r["reason"] or ""),
                    indicators={
                        ind: {
                            "value": _none(r.get(f"{ind}_value")),
                            "benchmark": _none(r.get(f"{ind}_benchmark")),
                            "points": _none(r.get(f"{ind}_points")),
                            "basis": str(r.get(f"{ind}_basis") or ""),
                            "to_next": _none(r.get(f"{ind}_to_next")),
                        }
                        for ind in indicators
                    },
                    bonus=_none(r.get("bonus")),
                    penalty=_none(r.get("penalty")),
                    total=_none(r.get("total")),
                    rank=r.get("rank"),
                    class_rank=r.get("class_rank"),
                    percentile=_none(r.get("percentile")),
                    grade=str(r.get("class") or ""),
                    next_grade=str(r.get("next_class") or ""),
                    next_grade_score=_none(r.get("next_class_score")),
                )
            )
    return rows


@transaction.atomic
def run(year: int, user, *, method: EvaluationMethod | None = None) -> EvaluationRun:
    """Evaluate the year's inputs and store the results as the run's current revision (see module)."""
    _require_manager(user)
    existing = EvaluationRun.objects.select_for_update().filter(year=year).first()
    if existing is not None and existing.status == RunStatus.FINAL:
        raise ValidationError(_("The %(year)s evaluation is final; it is not run again.") % {"year": year})
    method_row = method or (existing.method if existing else None) or method_for(year)
    if method_row is None:
        raise ValidationError(_("No evaluation method for %(year)s: set one up first.") % {"year": year})
    the_method = method_row.method()
    frame = input_frame(year)
    if frame.height == 0:
        raise ValidationError(_("No inputs for %(year)s: assemble or import them first.") % {"year": year})
    try:
        evaluation = engine.evaluate(frame, the_method, last_year_means=last_year_means(year))
    except (engine.EvaluationInputError, MethodError) as error:
        raise EvaluationRefused(error.errors) from None
    except engine.EvaluationError as error:
        raise EvaluationRefused([str(error)]) from None
    runs = existing or EvaluationRun(year=year)
    if runs.pk is not None and runs.status != RunStatus.DRAFT:
        runs.revision += 1  # after publication: a new revision, the earlier results stay
    elif runs.pk is not None:
        runs.results.filter(revision=runs.revision).delete()
    runs.method = method_row
    runs.method_definition, runs.method_version = the_method.to_dict(), the_method.version_label
    runs.summary = _summary(evaluation)
    runs.ran_at, runs.ran_by = timezone.now(), user
    runs._history_user = user
    runs.save()
    EvaluationResult.objects.bulk_create(_result_rows(runs, evaluation, the_method), batch_size=1000)
    return runs


@transaction.atomic
def publish(
    run_row: EvaluationRun, user, *, days: int = DEFAULT_OBJECTION_DAYS, today: dt.date | None = None
):
    """Draft → published: objections open for `days` official working days from today."""
    _require_manager(user)
    locked = EvaluationRun.objects.select_for_update().get(pk=run_row.pk)
    if locked.status != RunStatus.DRAFT:
        raise ValidationError(_("Only a draft is published."))
    if days < 1:
        raise ValidationError({"days": [_("Allow at least one working day for objections.")]})
    today = today or timezone.localdate()
    locked.status = RunStatus.PUBLISHED
    locked.objection_deadline = WorkingCalendar().add_working_days(today, days)
    locked.published_at = timezone.now()
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def finalise(run_row: EvaluationRun, user) -> EvaluationRun:
    """Published → final (after the objections): the list the policy table applies to."""
    _require_manager(user)
    locked = EvaluationRun.objects.select_for_update().get(pk=run_row.pk)
    if locked.status != RunStatus.PUBLISHED:
        raise ValidationError(_("Only a published evaluation is made final."))
    locked.status = RunStatus.FINAL
    locked.finalised_at = timezone.now()
    locked._history_user = user
    locked.save()
    return locked


def objection_category() -> DemandCategory:
    category, _created = DemandCategory.objects.get_or_create(
        code=OBJECTION_CATEGORY, defaults={"name": OBJECTION_CATEGORY_NAME, "order": 90}
    )
    return category


def objections_open(run_row: EvaluationRun, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        run_row.status == RunStatus.PUBLISHED
        and run_row.objection_deadline is not None
        and today <= run_row.objection_deadline
    )


@transaction.atomic
def file_objection(
    run_row: EvaluationRun, enterprise: Enterprise, text: str, user, *, now: dt.datetime | None = None
) -> Objection:
    """An objection to a published run while its window is open, as a demand (category 亩均评价异议); `now`
    (default: now) is when it is filed."""
    if not can_object(user, enterprise):
        raise PermissionDenied(_("You may not object for this enterprise."))
    now = now or timezone.now()
    if not objections_open(run_row, timezone.localdate(now)):
        raise ValidationError(_("Objections to this evaluation are closed."))
    if not text.strip():
        raise ValidationError({"text": [_("Say what is wrong and why.")]})
    deadline = run_row.objection_deadline
    description = _(
        "Objection to the %(year)s per-mu benefit evaluation (objections until %(date)s): %(text)s"
    ) % {
        "year": run_row.year,
        "date": deadline.isoformat(),
        "text": text.strip(),
    }
    demand = submit_demand(
        actor=user,
        enterprise=enterprise,
        category=objection_category(),
        description=description,
        channel=Channel.PORTAL if user.role == Role.ENTERPRISE else Channel.STAFF,
        title=_("%(year)s per-mu evaluation objection") % {"year": run_row.year},
        submitted_at=now,
    )
    objection = Objection(run=run_row, enterprise=enterprise, demand=demand, deadline=deadline)
    objection._history_user = user
    objection.save()
    return objection


@transaction.atomic
def resolve_objection(objection: Objection, user) -> Objection:
    """Record that the objection's correction is in the run's current revision (after `run` re-ran it)."""
    _require_manager(user)
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    locked.resolved_revision = EvaluationRun.objects.values_list("revision", flat=True).get(pk=locked.run_id)
    locked._history_user = user
    locked.save()
    return locked


# --- the policy table ----------------------------------------------------------------------------------


@transaction.atomic
def set_policy(year: int, grade: str, item: str, measure: str, user) -> PolicyMeasure | None:
    """Set (or clear, with an empty measure) one cell of the year's differentiated-policy table."""
    _require_manager(user)
    row = PolicyMeasure.objects.filter(year=year, grade=grade, item=item).first()
    if not measure.strip():
        if row is not None:
            row.delete()
        return None
    row = row or PolicyMeasure(year=year, grade=grade, item=item)
    row.measure = measure.strip()
    row._history_user = user
    row.full_clean()
    row.save()
    return row
