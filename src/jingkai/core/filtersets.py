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
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from jingkai.core import bounds


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
