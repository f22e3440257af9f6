"""Read-side queries of the evaluation pages: a run's current, visible results and their counts.

Every function takes the user's visible results (``EvaluationResult.objects.visible_to(user)``), so a grid
officer's run page counts only the grid's enterprises; each runs a fixed number of queries whatever the rows.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.db.models import Count, F

from jingkai.chains.models import ChainMembership
from jingkai.evaluation.models import EvaluationResult, EvaluationRun, Population, ResultStatus

HISTOGRAM_STEP = 10  # points per bar of the score histogram
NO_CLASS = "-"  # the class key of a result without a class (not classed, excluded, not evaluated, absent)


def class_codes(definition: dict | None) -> list[str]:
    """The class codes of a method definition (``Method.to_dict()``), best first, over its populations."""
    codes: dict[str, None] = {}
    for part in ((definition or {}).get("populations") or {}).values():
        for item in part.get("class_rule", {}).get("classes", []):
            codes[item["code"]] = None
    return list(codes)


def run_results(user, run: EvaluationRun):
    """The run's current revision, as far as the user may see it."""
    return EvaluationResult.objects.visible_to(user).filter(run=run, revision=run.revision)


def population_counts(rows, classes: list[str]) -> list[dict]:
    """Per population: the count per class, not classed, excluded / not evaluated, and the total (one query)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for population, status, grade, n in (
        rows.order_by().values_list("population", "status", "grade").annotate(n=Count("id"))
    ):
        key = grade if status == ResultStatus.CLASSED and grade else status
        counts[population][key] += n
    out = []
    for code, label in Population.choices:
        if code not in counts:
            continue
        c = counts[code]
        out.append(
            {
                "code": code,
                "label": label,
                "classes": [{"grade": grade, "n": c.get(grade, 0)} for grade in classes],
                "not_classed": c.get(ResultStatus.NOT_CLASSED, 0),
                "excluded": c.get(ResultStatus.EXCLUDED, 0) + c.get(ResultStatus.NOT_EVALUATED, 0),
                "total": sum(c.values()),
            }
        )
    return out


def histogram(rows) -> dict:
    """The scored totals in bars of HISTOGRAM_STEP points, one series per population (one query).

    The shape of charts.js's stacked-bars drawer: {"grids": bar labels, "choices": [{"series": [...]}]}."""
    totals = list(rows.filter(total__isnull=False).order_by().values_list("population", "total"))
    if not totals:
        return {"grids": [], "choices": [{"series": []}], "bins": []}
    low = math.floor(min(t for _p, t in totals) / HISTOGRAM_STEP) * HISTOGRAM_STEP
    high = math.floor(max(t for _p, t in totals) / HISTOGRAM_STEP) * HISTOGRAM_STEP
    starts = list(range(int(low), int(high) + HISTOGRAM_STEP, HISTOGRAM_STEP))
    per: dict[str, list[int]] = {}
    for population, total in totals:
        bars = per.setdefault(population, [0] * len(starts))
        bars[int((math.floor(total / HISTOGRAM_STEP) * HISTOGRAM_STEP - low) // HISTOGRAM_STEP)] += 1
    labels = [f"{s}–{s + HISTOGRAM_STEP}" for s in starts]
    series = [{"name": str(label), "data": per[code]} for code, label in Population.choices if code in per]
    bins = [
        {
            "label": labels[i],
            "counts": [s["data"][i] for s in series],
            "total": sum(s["data"][i] for s in series),
        }
        for i in range(len(starts))
    ]
    return {
        "grids": labels,
        "choices": [{"series": series}],
        "bins": bins,
        "names": [s["name"] for s in series],
    }


def _by(pairs, classes: list[str], unnamed: str) -> dict:
    """{(name, grade): n} → the stacked-bars shape and the table rows (names sorted, unnamed last)."""
    table: dict[str, dict[str, int]] = {}
    for name, grade, n in pairs:
        table.setdefault(name or unnamed, defaultdict(int))[grade or NO_CLASS] += n
    names = sorted((n for n in table if n != unnamed), key=str) + ([unnamed] if unnamed in table else [])
    keys = [*classes, NO_CLASS]
    rows = [
        {"name": name, "counts": [table[name].get(k, 0) for k in keys], "total": sum(table[name].values())}
        for name in names
    ]
    series = [{"name": k, "data": [table[name].get(k, 0) for name in names]} for k in classes]
    return {"grids": names, "choices": [{"series": series}], "rows": rows}


def classes_by_area(rows, field: str, classes: list[str], unnamed: str) -> dict:
    """Class counts by the enterprises' grid or park (``field`` "grid" or "park"; one query)."""
    pairs = rows.order_by().values_list(f"enterprise__{field}__name", "grade").annotate(n=Count("id"))
    return _by(pairs, classes, unnamed)


def classes_by_chain(rows, classes: list[str], unnamed: str) -> dict:
    """Class counts by industry chain (an enterprise in two chains counts in both; one query)."""
    memberships = ChainMembership.objects.filter(enterprise_id__in=rows.values("enterprise_id"))
    chain_of: dict[int, list[str]] = defaultdict(list)
    grades = dict(rows.order_by().values_list("enterprise_id", "grade"))
    for enterprise_id, name in memberships.order_by().values_list("enterprise_id", "chain__name"):
        chain_of[enterprise_id].append(name)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for enterprise_id, grade in grades.items():
        for name in chain_of.get(enterprise_id) or [""]:
            counts[(name, grade)] += 1
    return _by(((name, grade, n) for (name, grade), n in counts.items()), classes, unnamed)


def previous_run(user, year: int) -> EvaluationRun | None:
    return EvaluationRun.objects.visible_to(user).filter(year=year - 1).first()


def migration(user, run: EvaluationRun, population: str = "") -> dict:
    """Last year's class × this year's, over the enterprises the user sees (two queries).

    ``cells[(from, to)]`` lists enterprise ids; NO_CLASS stands for no class (or no result) that year."""
    rows = run_results(user, run)
    if population:
        rows = rows.filter(population=population)
    now = dict(rows.order_by().values_list("enterprise_id", "grade"))
    before: dict[int, str] = {}
    last = previous_run(user, run.year)
    if last is not None:
        before = dict(
            run_results(user, last)
            .filter(enterprise_id__in=list(now))
            .order_by()
            .values_list("enterprise_id", "grade")
        )
    classes = class_codes(run.method_definition)
    if last is not None:
        classes += [c for c in class_codes(last.method_definition) if c not in classes]
    keys = [*classes, NO_CLASS]
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for enterprise_id, grade in now.items():
        cells[(before.get(enterprise_id) or NO_CLASS, grade or NO_CLASS)].append(enterprise_id)
    matrix = [
        {
            "key": row,
            "cells": [{"key": col, "n": len(cells.get((row, col), []))} for col in keys],
            "total": sum(len(cells.get((row, col), [])) for col in keys),
        }
        for row in keys
    ]
    return {"previous": last, "keys": keys, "matrix": matrix, "cells": cells}


LEADERS_OVERALL = 10
LEADERS_PER_CHAIN = 3


def leaders(user, run: EvaluationRun) -> dict:
    """The 领跑者: per population the best-ranked classed enterprises overall and per chain (two queries)."""
    rows = list(
        run_results(user, run)
        .filter(status=ResultStatus.CLASSED)
        .order_by("population", "rank", "enterprise_id")
        .values(
            "enterprise_id", "population", "rank", "class_rank", "grade", "total", name=F("enterprise__name")
        )
    )
    chains: dict[int, list[str]] = defaultdict(list)
    for enterprise_id, chain in (
        ChainMembership.objects.filter(enterprise_id__in=[r["enterprise_id"] for r in rows])
        .order_by("chain__name")
        .values_list("enterprise_id", "chain__name")
    ):
        chains[enterprise_id].append(chain)
    out = []
    for code, label in Population.choices:
        mine = [r for r in rows if r["population"] == code]
        if not mine:
            continue
        per_chain: dict[str, list[dict]] = {}
        for r in mine:
            for chain in chains.get(r["enterprise_id"], []):
                top = per_chain.setdefault(chain, [])
                if len(top) < LEADERS_PER_CHAIN:
                    top.append(r)
        out.append(
            {
                "code": code,
                "label": label,
                "overall": mine[:LEADERS_OVERALL],
                "chains": sorted(per_chain.items()),
            }
        )
    return {"populations": out}
