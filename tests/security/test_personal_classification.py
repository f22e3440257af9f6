"""Every model field that may hold personal data is classified (docs/security.md §4): a new field whose name or
verbose name suggests a phone, mobile, ID number or a person's name fails here until it is sealed
(personal.EncryptedCharField) or declared with personal.classify(..., reason=...)."""

from __future__ import annotations

import re

from django.apps import apps
from django.utils import translation

from jingkai.core import personal

SUGGESTS = re.compile(
    r"phone|mobile|\btel\b|_tel|telephone|fax|id_?number|id_?card|identity|passport|身份证|电话|手机|联系|"
    r"\bcontact_name\b|full.name|contact.person|first.name|last.name|email|e-mail|邮箱|姓名",
    re.IGNORECASE,
)


def suspicious_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.is_relation:
                continue
            with translation.override("en"):
                english = str(getattr(field, "verbose_name", ""))
            with translation.override("zh-hans"):
                chinese = str(getattr(field, "verbose_name", ""))
            if SUGGESTS.search(field.name) or SUGGESTS.search(english) or SUGGESTS.search(chinese):
                yield model, field


def test_every_field_that_suggests_personal_data_is_classified():
    unclassified = [
        f"{model._meta.label}.{field.name}"
        for model, field in suspicious_fields()
        if personal.classification_of(model, field.name) is None
    ]
    assert not unclassified, (
        f"classify these in core.personal (PERSONAL_FIELDS / NOT_PERSONAL): {unclassified}"
    )


def test_the_check_sees_the_known_fields_history_included():
    found = {f"{m._meta.label}.{f.name}" for m, f in suspicious_fields()}
    for key in (
        "core.User.phone",
        "core.HistoricalUser.phone",
        "enterprises.Contact.phone",
        "enterprises.HistoricalContact.phone",
        "demands.Demand.contact_phone",
        "demands.HistoricalDemand.contact_phone",
        "enterprises.Contact.name",
        "demands.Demand.contact_name",
    ):
        assert key in found, key


def test_phones_are_sealed_everywhere_history_included():
    for model, field in suspicious_fields():
        if "phone" in field.name and not field.name.endswith("_index"):
            assert isinstance(field, personal.EncryptedCharField), f"{model._meta.label}.{field.name}"
            assert personal.index_field_of(model, field.name) is not None


def test_a_classification_needs_a_reason_and_a_real_field():
    import pytest
    from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured

    from jingkai.enterprises.models import Contact

    with pytest.raises(ImproperlyConfigured):
        personal.classify(Contact, "name", personal=True, reason="")
    with pytest.raises(FieldDoesNotExist):
        personal.classify(Contact, "mobile", personal=True, reason="typo")
