"""What every app's FilterSet shares (each listed model has one, in `<app>/filtersets.py`).

A FilterSet serves its model's list page, its API list and its export alike, so the three cannot drift:
- the page builds it from `request.GET`, lists `filterset.qs` and shows `filterset.form` with its errors
  (an invalid value is named and ignored, the other filters still apply);
- the API builds it from the documented query schema and answers a 422 naming each refused parameter
  (`jingkai.core.api.filtered`);
- the export builds it from `request.GET` and refuses an invalid filter (`refuse_invalid`), because an
  ignored filter would export more than the page shows.
"""

from __future__ import annotations

import django_filters as df
from django import forms
from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import bounds
from jingkai.core.audit import AuditEvent, Kind
from jingkai.core.forms import BootstrapFormMixin
from jingkai.core.models import Job, Role, User


class IntegerFilter(df.Filter):
    """A whole number (django-filter's NumberFilter is a decimal and would take 2022.5 for a year)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        # A number beyond 64 bits is refused as invalid, never sent to the database (core.bounds).
        kwargs.setdefault("min_value", bounds.INT64_MIN)
        kwargs.setdefault("max_value", bounds.INT64_MAX)
        super().__init__(*args, **kwargs)


def refuse_invalid(filterset) -> HttpResponseBadRequest | None:
    """The 400 an export answers when a filter is invalid, naming each one; None when all are valid."""
    if not filterset.is_bound or filterset.is_valid():  # unbound: no filter at all
        return None
    problems = "; ".join(f"{key}: {' '.join(errors)}" for key, errors in filterset.errors.items())
    return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})


def id_or_code(value: str, id_lookup: str, code_lookup: str) -> dict:
    """`{id_lookup: n}` for a value of digits, `{code_lookup: value}` otherwise (grids, departments …)."""
    value = str(value).strip()
    pk = bounds.as_id(value)
    return {id_lookup: pk} if pk is not None else {code_lookup: value}


# --- the kernel's own lists -------------------------------------------------------------------------------

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditEventFilterForm(BootstrapFormMixin, forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class AuditEventFilterSet(df.FilterSet):
    """The audit log page and its export (the audit administrator's): kind, user, date range, object."""

    kind = df.ChoiceFilter(label=gettext_lazy("Event"), choices=Kind.choices, empty_label="—")
    user = df.CharFilter(
        label=gettext_lazy("User name"), field_name="actor_username", lookup_expr="iexact", max_length=150
    )
    target = df.CharFilter(
        label=gettext_lazy("Object"), field_name="target", lookup_expr="icontains", max_length=200
    )
    date_from = df.DateFilter(
        label=gettext_lazy("From"), field_name="at", lookup_expr="date__gte", widget=_DATE_INPUT
    )
    date_to = df.DateFilter(
        label=gettext_lazy("To"), field_name="at", lookup_expr="date__lte", widget=_DATE_INPUT
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditEventFilterForm


class UserRoleFilterForm(BootstrapFormMixin, forms.Form):
    pass


class UserRoleFilterSet(df.FilterSet):
    """The security administrator's roles page: users by role and name."""

    role = df.ChoiceFilter(label=gettext_lazy("Role"), choices=Role.choices, empty_label="—")
    q = df.CharFilter(label=gettext_lazy("Name"), method="_name", max_length=150)

    class Meta:
        model = User
        fields: list[str] = []
        form = UserRoleFilterForm

    def _name(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))


class JobFilterForm(BootstrapFormMixin, forms.Form):
    pass


def _job_kinds():
    from jingkai.core.models import JOB_KINDS

    return sorted(((kind, str(label)) for kind, label in JOB_KINDS.items()), key=lambda c: c[1])


class JobFilterSet(df.FilterSet):
    """The jobs list and GET /api/jobs (jingkai.core.jobs): by state and kind, over the caller's jobs."""

    state = df.ChoiceFilter(label=gettext_lazy("State"), choices=Job.State.choices, empty_label="—")
    kind = df.ChoiceFilter(label=gettext_lazy("Kind"), choices=_job_kinds, empty_label="—")

    class Meta:
        model = Job
        fields: list[str] = []
        form = JobFilterForm
