"""The project page's forms are Bootstrap forms like every other (issue 11 §4: they were unstyled and overlapped)."""

from __future__ import annotations

import pytest

from jingkai.investment import forms


@pytest.mark.parametrize(
    "form_class", [forms.ArrivalForm, forms.FollowUpForm, forms.StatusForm, forms.MilestoneForm]
)
def test_every_widget_has_its_bootstrap_class(form_class, db):
    form = form_class()
    for name, field in form.fields.items():
        classes = field.widget.attrs.get("class", "").split()
        assert {"form-control", "form-select", "form-check-input"} & set(classes), name
