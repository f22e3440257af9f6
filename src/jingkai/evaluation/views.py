"""The 亩均效益 evaluation's pages (issue 14 §5): the years and their steps, a run's page and results list, an
enterprise's explanation (with its objections), the class migration, the 领跑者, the policy table and the method
editor with its preview. Thin views: the counts come from queries, every change from one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingkai.core.contributions import render_in
from jingkai.core.filtersets import refuse_invalid
from jingkai.core.scoping import get_visible_or_404
from jingkai.core.xlsx import audited_download
from jingkai.evaluation import exports, queries, services
from jingkai.evaluation.filtersets import ResultFilterSet
from jingkai.evaluation.forms import (
    CORRECTABLE,
    InputCorrectionForm,
    MethodForm,
    NewYearForm,
    ObjectionForm,
    PolicyForm,
    YearActionForm,
)
from jingkai.evaluation.importers import source_label
from jingkai.evaluation.method import Method, MethodError
from jingkai.evaluation.models import (
    EvaluationInput,
    EvaluationMethod,
    EvaluationResult,
    EvaluationRun,
    Objection,
    PolicyItem,
    PolicyMeasure,
    Population,
)
from jingkai.evaluation.permissions import (
    can_manage_evaluation,
    can_object,
    can_view_evaluation,
    can_view_zone_results,
)

PAGE_SIZE = 50
DEFAULT_CLASSES = ["A", "B", "C", "D"]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _run_or_404(request, year: int) -> EvaluationRun:
    return get_object_or_404(
        EvaluationRun.objects.visible_to(request.user).select_related("method"), year=year
    )


# --- the years and their steps -------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    user = request.user
    _require(can_view_evaluation(user))
    manage = can_manage_evaluation(user)
    runs = {run.year: run for run in EvaluationRun.objects.visible_to(user).select_related("method")}
    years = set(runs)
    methods: dict[int, EvaluationMethod] = {}
    inputs: dict[int, int] = {}
    if manage:
        for method in EvaluationMethod.objects.order_by("year", "version", "pk"):
            methods[method.year] = method  # the latest version of each year
        inputs = dict(
            EvaluationInput.objects.order_by()
            .values_list("year")
            .annotate(n=Count("id"))
            .values_list("year", "n")
        )
        years |= set(methods) | set(inputs)
    rows = [
        {
            "year": year,
            "run": runs.get(year),
            "method": methods.get(year),
            "inputs": inputs.get(year, 0),
            "source": next((methods[y] for y in sorted(methods, reverse=True) if y < year), None),
        }
        for year in sorted(years, reverse=True)
    ]
    own = []
    if not can_view_zone_results(user):  # an enterprise contact: its own published results
        own = list(
            EvaluationResult.objects.visible_to(user)
            .current()
            .select_related("run", "enterprise")
            .order_by("-run__year", "enterprise__name")
        )
    next_year = (max(years) + 1) if years else None
    return render(
        request,
        "evaluation/index.html",
        {
            "rows": rows,
            "own": own,
            "manage": manage,
            "zone_results": can_view_zone_results(user),
            "new_year_form": NewYearForm(initial={"year": next_year}) if manage else None,
            "default_days": services.DEFAULT_OBJECTION_DAYS,
        },
    )


@login_required
@require_POST
def year_action(request, year: int):
    """One step of a year (zone administrators): set up the method from the year before, assemble the inputs,
    run, publish for objections, finalise."""
    user = request.user
    _require(can_manage_evaluation(user))
    form = YearActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("evaluation:index")
    action = form.cleaned_data["action"]
    try:
        if action == "setup":
            method = services.set_up_year(year, user)
            messages.success(request, _("%(method)s set up for %(year)s.") % {"method": method, "year": year})
            return redirect("evaluation:method", pk=method.pk)
        if action == "assemble":
            counts = services.assemble_inputs(year, user)
            messages.success(
                request,
                _("Inputs assembled for %(enterprises)s enterprises: %(created)s new, %(updated)s updated.")
                % counts,
            )
        elif action == "run":
            run = services.run(year, user)
            messages.success(request, _("The %(year)s evaluation ran (revision %(revision)s).") % {
                "year": year, "revision": run.revision})  # fmt: skip
            return redirect("evaluation:run", year=year)
        else:
            run = get_object_or_404(EvaluationRun, year=year)
            if action == "publish":
                run = services.publish(run, user, days=form.cleaned_data["days"])
                messages.success(request, _("Published; objections are open until %(date)s.") % {
                    "date": run.objection_deadline.isoformat()})  # fmt: skip
            else:
                services.finalise(run, user)
                messages.success(request, _("The %(year)s evaluation is final.") % {"year": year})
    except services.EvaluationRefused as error:
        messages.error(request, _("The run was refused:"))
        for message in error.messages:
            messages.error(request, message)
    except MethodError as error:
        for message in error.errors:
            messages.error(request, message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("evaluation:index")


@login_required
@require_POST
def new_year(request):
    """Set up a year not listed yet (its method copied from the latest earlier one)."""
    _require(can_manage_evaluation(request.user))
    form = NewYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a year between 2000 and 2100."))
        return redirect("evaluation:index")
    year = form.cleaned_data["year"]
    try:
        method = services.set_up_year(year, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("evaluation:index")
    messages.success(request, _("%(method)s set up for %(year)s.") % {"method": method, "year": year})
    return redirect("evaluation:method", pk=method.pk)


# --- a run ---------------------------------------------------------------------------------------------


def _benchmarks(run: EvaluationRun) -> list[dict]:
    """Per population of the frozen method: its indicators with weight, unit, cap and this run's benchmark."""
    method = run.frozen_method()
    summary = (run.summary or {}).get("populations", {})
    out = []
    for code, part in method.populations.items():
        benchmarks = summary.get(code, {}).get("benchmarks", {})
        out.append(
            {
                "code": code,
                "label": part.label,
                "indicators": [
                    {"indicator": ind, "benchmark": benchmarks.get(ind.code)} for ind in part.indicators
                ],
            }
        )
    return out


@login_required
@require_GET
def run_page(request, year: int):
    user = request.user
    _require(can_view_zone_results(user))
    run = _run_or_404(request, year)
    rows = queries.run_results(user, run)
    classes = queries.class_codes(run.method_definition)
    charts = {
        "histogram-data": queries.histogram(rows),
        "chain-data": queries.classes_by_chain(rows, classes, _("In no chain")),
        "grid-data": queries.classes_by_area(rows, "grid", classes, _("In no grid (served by a community)")),
        "park-data": queries.classes_by_area(rows, "park", classes, _("Outside the parks")),
    }
    return render(
        request,
        "evaluation/run.html",
        {
            "run": run,
            "classes": classes,
            "no_class": queries.NO_CLASS,
            "populations": queries.population_counts(rows, classes),
            "charts": charts,
            "histogram": charts["histogram-data"],
            "by_chain": charts["chain-data"],
            "by_grid": charts["grid-data"],
            "by_park": charts["park-data"],
            "warnings": (run.summary or {}).get("warnings", []),
            "benchmarks": _benchmarks(run),
            "manage": can_manage_evaluation(user),
        },
    )


def _filterset(request, run: EvaluationRun) -> ResultFilterSet:
    rows = queries.run_results(request.user, run)
    return ResultFilterSet(request.GET or None, rows, user=request.user, run=run)


@login_required
@require_GET
def results(request, year: int):
    _require(can_view_zone_results(request.user))
    run = _run_or_404(request, year)
    filterset = _filterset(request, run)
    rows = filterset.qs.select_related("enterprise__grid", "enterprise__community", "enterprise__park")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/results.html", {"run": run, "form": filterset.form, "page": page})


@login_required
@require_GET
def results_export(request, year: int):
    _require(can_view_zone_results(request.user))
    run = _run_or_404(request, year)
    filterset = _filterset(request, run)
    if refused := refuse_invalid(filterset):
        return refused
    return audited_download(request, exports.results_export(run, filterset.qs))


# --- an enterprise's result ----------------------------------------------------------------------------


def _basis(basis: str) -> str:
    """What gave an indicator its points, in words ("" when its value did)."""
    if basis in ("", "value"):
        return ""
    if basis == "capped":
        return _("capped")
    if basis == "floored":
        return _("floored")
    cause, _sep, rule = basis.partition(":")
    rule_words = {
        "mean_score": _("the population's mean points"),
        "zero": _("0 points"),
        "weight": _("the weight"),
        "cap": _("the cap"),
        "no_mean": _("no mean to give"),
    }.get(rule, rule)
    if cause == "missing":
        return _("data missing: %(rule)s") % {"rule": rule_words}
    return _("zero denominator: %(rule)s") % {"rule": rule_words}


def _amount(value: float | None) -> str:
    if value is None:
        return "—"
    size = abs(value)
    if size >= 100:
        return f"{value:,.1f}"
    if size >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def explanation(result: EvaluationResult, run: EvaluationRun) -> dict:
    """The result indicator by indicator, with what would reach the next class (``to_next``)."""
    method = run.frozen_method()
    part = method.populations.get(result.population)
    indicators, to_next = [], []
    for ind in part.indicators if part else []:
        figures = (result.indicators or {}).get(ind.code, {})
        row = {
            "code": ind.code,
            "name": ind.name,
            "unit": ind.unit,
            "weight": ind.weight,
            "cap": ind.cap,
            "value": _amount(figures.get("value")),
            "benchmark": _amount(figures.get("benchmark")),
            "points": figures.get("points"),
            "basis": _basis(figures.get("basis") or ""),
            "to_next": figures.get("to_next"),
        }
        indicators.append(row)
        if row["to_next"] is not None and row["to_next"] > 0:
            to_next.append({"name": ind.name, "amount": _amount(row["to_next"]), "unit": ind.unit})
    return {
        "indicators": indicators,
        "to_next": to_next,
        "adjustments": part.adjustments if part else [],
        "population_label": part.label if part else result.get_population_display(),
    }


@login_required
def enterprise_result(request, year: int, pk: int):
    user = request.user
    _require(can_view_evaluation(user))
    result = get_object_or_404(
        EvaluationResult.objects.visible_to(user)
        .current()
        .select_related("run", "enterprise__grid", "enterprise__community"),
        run__year=year,
        enterprise_id=pk,
    )
    run, enterprise = result.run, result.enterprise
    may_object = services.objections_open(run) and can_object(user, enterprise)
    form = ObjectionForm(request.POST or None) if may_object else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.file_objection(run, enterprise, form.cleaned_data["text"], user)
            except ValidationError as error:
                for field, errors in (
                    error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
                ):
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your objection was filed; it is tracked as a demand."))
                return redirect("evaluation:enterprise", year=year, pk=pk)
    objections = (
        Objection.objects.visible_to(user).filter(run=run, enterprise=enterprise).select_related("demand")
    )
    inputs = EvaluationInput.objects.visible_to(user).filter(year=year, enterprise=enterprise).first()
    return render(
        request,
        "evaluation/enterprise.html",
        {
            "result": result,
            "run": run,
            "enterprise": enterprise,
            **explanation(result, run),
            "objection_form": form,
            "objections": objections,
            "inputs": _input_rows(inputs),
            "correction_form": InputCorrectionForm() if inputs and can_manage_evaluation(user) else None,
            "zone_results": can_view_zone_results(user),
        },
    )


def _input_rows(row: EvaluationInput | None) -> list[dict]:
    """The figures the result was computed from, each with its source (and the land used as derived)."""
    if row is None:
        return []
    out = []
    for name in (*CORRECTABLE[:-1], "land_override_mu"):
        value = getattr(row, name)
        if name == "land_override_mu" and value is None:
            continue
        out.append(
            {
                "field": name,
                "label": EvaluationInput._meta.get_field(name).verbose_name,
                "value": value,
                "source": source_label(row.sources.get(name, "")) if value is not None else "",
            }
        )
    out.append(
        {
            "field": "land_mu",
            "label": _("Land used (mu)"),
            "value": row.land_mu,
            "source": (
                row.land_override_reason
                if row.land_override_mu is not None
                else _("own − leased out + leased in")
            ),
        }
    )
    return out


@login_required
@require_POST
def correct_input(request, year: int, pk: int):
    """A zone administrator corrects one input figure with a reason (history kept; marked as a manual figure so
    that assembling the inputs again keeps it); the run is then run again from the index page."""
    user = request.user
    # Who may not see the enterprise gets 404, as for one that does not exist; who sees it but may not correct, 403.
    row = get_visible_or_404(EvaluationInput.objects.all(), user, year=year, enterprise_id=pk)
    _require(can_manage_evaluation(user))
    form = InputCorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        changes = {data["field"]: data["value"]}
        if data["field"] == "land_override_mu":
            changes["land_override_reason"] = data["land_override_reason"]
        try:
            services.correct_input(row, changes, user, reason=data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The figure is corrected; run the evaluation again to apply it."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else message)
    return redirect("evaluation:enterprise", year=year, pk=pk)


def profile_panel(context, enterprise) -> str:
    """The profile's 亩均评价 panel (Panel "enterprise.aside"): the latest result the user sees (one query)."""
    user = context["request"].user
    result = (
        EvaluationResult.objects.visible_to(user)
        .current()
        .filter(enterprise=enterprise)
        .select_related("run")
        .order_by("-run__year")
        .first()
    )
    if result is None:
        return ""
    return render_in(
        context, "evaluation/_enterprise_panel.html", {"result": result, "enterprise": enterprise}
    )


# --- migration, leaders, policies ----------------------------------------------------------------------


@login_required
@require_GET
def migration(request, year: int):
    user = request.user
    _require(can_view_zone_results(user))
    run = _run_or_404(request, year)
    population = request.GET.get("population", "")
    if population not in Population.values:
        population = ""
    data = queries.migration(user, run, population)
    cell = None
    chosen = (request.GET.get("from"), request.GET.get("to"))
    if chosen[0] in data["keys"] and chosen[1] in data["keys"]:
        ids = data["cells"].get(chosen, [])
        cell = {
            "from": chosen[0],
            "to": chosen[1],
            "rows": queries.run_results(user, run)
            .filter(enterprise_id__in=ids)
            .select_related("enterprise")
            .order_by("population", "rank", "enterprise_id"),
        }
    return render(
        request,
        "evaluation/migration.html",
        {
            "run": run,
            "population": population,
            "populations": Population.choices,
            "cell": cell,
            **data,
        },
    )


@login_required
@require_GET
def leaders(request, year: int):
    user = request.user
    _require(can_view_zone_results(user))
    run = _run_or_404(request, year)
    return render(request, "evaluation/leaders.html", {"run": run, **queries.leaders(user, run)})


def _grades(year: int) -> list[str]:
    run = EvaluationRun.objects.filter(year=year).first()
    if run is not None:
        return queries.class_codes(run.method_definition) or DEFAULT_CLASSES
    method = services.method_for(year)
    return (queries.class_codes(method.definition) if method else []) or DEFAULT_CLASSES


@login_required
def policies(request, year: int):
    user = request.user
    _require(can_view_evaluation(user))
    grades = _grades(year)
    measures = {(m.item, m.grade): m.measure for m in PolicyMeasure.objects.filter(year=year)}
    manage = can_manage_evaluation(user)
    if request.method == "POST" and not manage:
        raise PermissionDenied
    form = PolicyForm(request.POST or None, grades=grades, measures=measures) if manage else None
    if request.method == "POST" and form.is_valid():
        changed = 0
        try:
            for item, grade, measure in form.changed_cells(measures):
                services.set_policy(year, grade, item, measure, user)
                changed += 1
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(n)s cells of the policy table saved.") % {"n": changed})
            return redirect("evaluation:policies", year=year)
    table = [
        {"label": label, "cells": [measures.get((item, grade), "") for grade in grades]}
        for item, label in PolicyItem.choices
    ]
    return render(
        request,
        "evaluation/policies.html",
        {"year": year, "grades": grades, "table": table, "form": form, "manage": manage},
    )


# --- the method editor ---------------------------------------------------------------------------------


def _counts(populations: dict, classes: list[str]) -> list[dict]:
    out = []
    for code, summary in populations.items():
        out.append(
            {
                "code": code,
                "label": summary.label,
                "classes": [summary.class_counts.get(c, 0) for c in classes],
                "not_classed": summary.scored - summary.classed,
                "excluded": summary.excluded,
                "rows": summary.rows,
            }
        )
    return out


def _preview(year: int, before: Method, after: Method) -> dict:
    """The class counts of the year's current inputs under the stored and the edited method (services)."""
    classes = list(
        dict.fromkeys([*queries.class_codes(before.to_dict()), *queries.class_codes(after.to_dict())])
    )
    counts = services.preview_counts(year, {"before": before, "after": after})
    return {
        "classes": classes,
        "errors": counts["errors"],
        "rows": counts["rows"],
        **{key: _counts(counts[key], classes) for key in ("before", "after")},
    }


@login_required
def method_page(request, pk: int):
    user = request.user
    _require(can_view_zone_results(user))
    row = get_object_or_404(EvaluationMethod, pk=pk)
    method = row.method()
    manage = can_manage_evaluation(user)
    if request.method == "POST" and not manage:
        raise PermissionDenied
    form = MethodForm(request.POST or None, initial={"text": method.to_json()}) if manage else None
    errors: list[str] = []
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            edited = Method.from_json(form.cleaned_data["text"])
        except MethodError as error:
            errors = error.errors
        else:
            if request.POST.get("action") == "save":
                try:
                    saved = services.save_method(edited.to_dict(), user, reason=form.cleaned_data["reason"])
                except MethodError as error:
                    errors = error.errors
                else:
                    messages.success(request, _("%(method)s saved.") % {"method": saved})
                    return redirect("evaluation:method", pk=saved.pk)
            else:
                preview = _preview(edited.year, method, edited)
    if errors and form is not None:
        form.add_error("text", _("The method was not accepted: see the messages below."))
    return render(
        request,
        "evaluation/method.html",
        {
            "row": row,
            "method": method,
            "populations": list(method.populations.items()),
            "frozen": row.is_frozen,
            "versions": EvaluationMethod.objects.filter(code=row.code).order_by("-version"),
            "form": form,
            "errors": errors,
            "preview": preview,
            "manage": manage,
        },
    )
