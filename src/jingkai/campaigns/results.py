"""Results of a campaign per grid: answered / targets, averages of numeric fields, choice counts.

One query over the targets the user may see, however many there are; the aggregation of the JSON
answers is done in Python so that SQLite and PostgreSQL give the same figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jingkai.campaigns.forms_def import NUMERIC_TYPES


@dataclass
class Bucket:
    code: str
    name: str
    targets: int = 0
    answered: int = 0
    sums: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return round(100 * self.answered / self.targets, 1) if self.targets else None

    def average(self, key: str) -> float | None:
        n = self.counts.get(key, 0)
        return round(self.sums[key] / n, 1) if n else None

    def add(self, form: list[dict], answers: dict | None) -> None:
        self.targets += 1
        if answers is None:
            return
        self.answered += 1
        for item in form:
            value = answers.get(item["key"])
            if value is None:
                continue
            if item["type"] in NUMERIC_TYPES:
                self.sums[item["key"]] = self.sums.get(item["key"], 0) + float(value)
                self.counts[item["key"]] = self.counts.get(item["key"], 0) + 1
            elif item["type"] in ("choice", "boolean"):
                self.choices.setdefault(item["key"], Counter())[str(value)] += 1


@dataclass
class Results:
    form: list[dict]
    grids: list[Bucket]
    total: Bucket

    def choice_labels(self, item: dict) -> list[str]:
        if item["type"] == "boolean":
            return ["True", "False"]
        return item.get("choices", [])


def results_by_grid(campaign, targets: QuerySet) -> Results:
    form = campaign.form
    total = Bucket("", _("Total"))
    buckets: dict = {}
    rows = targets.order_by("grid__number", "pk").values_list(
        "grid_id", "grid__code", "grid__name", "response__answers"
    )
    for grid_id, code, name, answers in rows:
        bucket = buckets.get(grid_id)
        if bucket is None:
            bucket = buckets[grid_id] = Bucket(code or "", name or _("No grid"))
        bucket.add(form, answers)
        total.add(form, answers)
    return Results(form, list(buckets.values()), total)
