"""The change log on an enterprise's profile: who changed what, when, from what to what —
for the enterprise and for the rows kept with it (honours, capital changes, contacts …).

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
    subject: str = ""  # blank for the enterprise itself; e.g. "荣誉资质 高新技术企业" for a related row
    key: str = ""  # unique across models, for the page's anchors


def _subjects():
    """Rows kept with the enterprise whose history its profile shows, how each names one record, and the foreign
    keys whose objects the namer reads (looked up in bulk). Other apps add theirs (HistorySource, e.g. chain
    memberships).

    The namers read only the historical record's own columns (and the names looked up in bulk), so the log costs
    a fixed number of queries however long it is.
    """
    from django.apps import apps

    from jingkai.core.contributions import HistorySource, declared
    from jingkai.enterprises.models import AnnualScale, CapitalChange, Contact, Honour

    own = [
        (AnnualScale, lambda r, names: str(r.year), ()),
        (Contact, lambda r, names: r.name, ()),
        (
            Honour,
            lambda r, names: r.title or str(dict(Honour._meta.get_field("kind").flatchoices).get(r.kind)),
            (),
        ),
        (
            CapitalChange,
            lambda r, names: (
                f"{r.changed_on:%Y-%m-%d} "
                + str(dict(CapitalChange._meta.get_field("kind").flatchoices).get(r.kind))
            ),
            (),
        ),
    ]
    return own + [(apps.get_model(s.model), s.describe, s.names_for) for s in declared(HistorySource)]


def change_log(enterprise: Enterprise) -> list[Entry]:
    """Newest first: the enterprise's own changes and those of its honours, capital changes, contacts,
    规上 status and the rows other apps keep with it (chain memberships). One query per kind of row, plus one per
    kind of object named."""
    streams = [(Enterprise, enterprise.history.all(), None)]
    name_fields = {}
    for model, namer, fields in _subjects():
        streams.append((model, model.history.filter(enterprise_id=enterprise.pk), namer))
        name_fields[model] = fields
    diffed = []  # (model, namer, record, previous, changes)
    for model, records, namer in streams:
        previous_by_id = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            previous = previous_by_id.get(record.id)
            delta = record.diff_against(previous) if previous is not None else None
            diffed.append((model, namer, record, previous, delta.changes if delta else []))
            previous_by_id[record.id] = record
    names = _related_names(diffed, name_fields)
    entries = []
    for model, namer, record, previous, changes in diffed:
        subject = f"{model._meta.verbose_name} {namer(record, names)}" if namer else ""
        entries.append(
            Entry(
                record,
                [_describe(model, change, record, previous, names) for change in changes],
                subject=subject,
                key=f"{model._meta.model_name}-{record.history_id}",
            )
        )
    entries.sort(key=lambda e: e.record.history_date, reverse=True)
    return entries


def _related_names(diffed, name_fields: dict) -> dict[tuple, str]:
    """(model, field name, pk) -> str(object) for every foreign key shown, one query per field."""
    wanted: dict[tuple, set] = {}
    for model, _namer, record, _previous, changes in diffed:
        for change in changes:
            model_field = model._meta.get_field(change.field)
            if isinstance(model_field, models.ForeignKey):
                wanted.setdefault((model, change.field), set()).update(
                    v for v in (change.old, change.new) if v is not None
                )
        for name in name_fields.get(model, ()):
            wanted.setdefault((model, name), set()).add(getattr(record, f"{name}_id"))
    names = {}
    for (model, name), pks in wanted.items():
        related = model._meta.get_field(name).related_model
        # select_related() follows non-null keys, so a building's label (which names its park) costs nothing.
        for pk, obj in related._default_manager.select_related().in_bulk(pks).items():
            names[(model, name, pk)] = str(obj)
    return names


def _describe(model, change, record, before, names) -> Change:
    model_field = model._meta.get_field(change.field)
    return Change(
        label=str(model_field.verbose_name),
        old=_display(model, model_field, change.old, before, names),
        new=_display(model, model_field, change.new, record, names),
    )


def _display(model, model_field, value, record, names) -> str:
    if value is None or value == "":
        return "—"
    if model is Enterprise and model_field.name in MONEY_FIELDS:
        return format_money(value, getattr(record, MONEY_FIELDS[model_field.name]), unit="万")
    if (
        model is not Enterprise
        and isinstance(model_field, models.DecimalField)
        and hasattr(record, "currency")
    ):
        return format_money(value, record.currency, unit="万")
    if isinstance(model_field, models.ForeignKey):
        return names.get((model, model_field.name, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "✓" if value else "✗"
    return str(value)
