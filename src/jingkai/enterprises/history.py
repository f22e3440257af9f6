"""The change log on an enterprise's profile: who changed what, when, from what to what.

Built from simple-history records; each record is compared with the one before it. Values are shown
as people read them (choice labels, names instead of ids, money in 万).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from jingkai.core.money import format_money
from jingkai.enterprises.models import Enterprise

# Amount field -> the field holding its currency.
MONEY_FIELDS = {
    "registered_capital": "registered_capital_currency",
    "total_investment": "total_investment_currency",
}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    record: object  # the historical record (history_date, history_user, history_type, change reason)
    changes: list[Change] = field(default_factory=list)


def change_log(enterprise: Enterprise) -> list[Entry]:
    """Newest first. A fixed number of queries: one for the records, one per kind of object named."""
    records = list(enterprise.history.select_related("history_user").order_by("history_date", "history_id"))
    pairs = []
    previous = None
    for record in records:
        delta = record.diff_against(previous) if previous is not None else None
        pairs.append((record, previous, delta.changes if delta else []))
        previous = record
    names = _related_names([change for _r, _p, changes in pairs for change in changes])
    entries = [
        Entry(record, [_describe(change, record, before, names) for change in changes])
        for record, before, changes in pairs
    ]
    entries.reverse()
    return entries


def _related_names(changes) -> dict[tuple[str, object], str]:
    """(field name, pk) -> str(object) for every foreign key value in the changes, one query per field."""
    wanted: dict[str, set] = {}
    for change in changes:
        model_field = Enterprise._meta.get_field(change.field)
        if isinstance(model_field, models.ForeignKey):
            wanted.setdefault(change.field, set()).update(
                v for v in (change.old, change.new) if v is not None
            )
    names = {}
    for name, pks in wanted.items():
        related = Enterprise._meta.get_field(name).related_model
        # select_related() follows non-null keys, so a building's label (which names its park) costs nothing.
        for pk, obj in related._default_manager.select_related().in_bulk(pks).items():
            names[(name, pk)] = str(obj)
    return names


def _describe(change, record, before, names) -> Change:
    model_field = Enterprise._meta.get_field(change.field)
    return Change(
        label=str(model_field.verbose_name),
        old=_display(model_field, change.old, before, names),
        new=_display(model_field, change.new, record, names),
    )


def _display(model_field, value, record, names) -> str:
    if value is None or value == "":
        return "—"
    if model_field.name in MONEY_FIELDS:
        return format_money(value, getattr(record, MONEY_FIELDS[model_field.name]), unit="万")
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.name, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "✓" if value else "✗"
    return str(value)
